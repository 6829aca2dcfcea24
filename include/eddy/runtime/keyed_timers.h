// The timers of a keyed operator subtask: at most one timer per (key, time) in each time domain.
// Event-time timers fire, in time order, once the watermark reaches them; processing-time timers
// once the job's clock does (the task's ProcessingTimeService wakes the operator).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "eddy/core/dcheck.h"
#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/core/type_name.h"
#include "eddy/runtime/checkpoint.h"
#include "eddy/runtime/processing_time_service.h"
#include "eddy/runtime/record_context.h"
#include "eddy/state/state_exception.h"

namespace eddy::runtime {

template <class K>
class TimerQueue {
 public:
  // Returns true if no timer (of any key) was registered at `timestamp` before.
  bool register_timer(const K& key, int64_t timestamp) {
    // Operators often register the same timer again (a window's trigger and its cleanup, every
    // element of a window): the last registration answers that without a lookup.
    if (last_ && last_->first == timestamp && last_->second == key) {
      EDDY_DCHECK(holds(key, timestamp), "the last registered timer is queued");
      return false;
    }
    auto [it, new_time] = timers_.try_emplace(timestamp);
    it->second.insert(key);
    last_.emplace(timestamp, key);
    return new_time;
  }

  void delete_timer(const K& key, int64_t timestamp) {
    last_.reset();
    auto it = timers_.find(timestamp);
    if (it == timers_.end()) return;
    it->second.erase(key);
    if (it->second.empty()) timers_.erase(it);
  }

  // Calls fire(key, timestamp) for every timer at or before `time`, earliest first. Timers that
  // `fire` registers at or before `time` fire in the same call.
  template <class Fire>
  void advance(int64_t time, Fire&& fire) {
    while (!timers_.empty() && timers_.begin()->first <= time) {
      auto due = timers_.extract(timers_.begin());
      last_.reset();  // it may have been extracted just now
      for (const K& key : due.mapped()) fire(key, due.key());
    }
  }

  size_t size() const {
    size_t n = 0;
    for (const auto& [timestamp, keys] : timers_) n += keys.size();
    return n;
  }

  // Every timer as (key, timestamp), earliest first.
  std::vector<std::pair<K, int64_t>> all() const {
    std::vector<std::pair<K, int64_t>> result;
    for (const auto& [timestamp, keys] : timers_) {
      for (const K& key : keys) result.emplace_back(key, timestamp);
    }
    return result;
  }

 private:
  bool holds(const K& key, int64_t timestamp) const {
    auto it = timers_.find(timestamp);
    return it != timers_.end() && it->second.contains(key);
  }

  std::map<int64_t, std::unordered_set<K, KeyHasher>> timers_;
  // The last registered timer; INVARIANT: if set, it is in timers_.
  std::optional<std::pair<int64_t, K>> last_;
};

template <class K>
class KeyedTimers {
 public:
  // `on_processing_time(now)` fires the processing-time timers due at `now`; the operator that
  // owns these timers provides it.
  KeyedTimers(ProcessingTimeService* service, std::function<void(int64_t)> on_processing_time)
      : service_(service), on_processing_time_(std::move(on_processing_time)) {}

  void register_event_time_timer(const K& key, int64_t time) {
    event_time_.register_timer(key, time);
  }
  void delete_event_time_timer(const K& key, int64_t time) { event_time_.delete_timer(key, time); }
  void register_processing_time_timer(const K& key, int64_t time) {
    // One wake-up per distinct time; it fires every key's timer due by then.
    if (processing_time_.register_timer(key, time)) {
      service_->register_timer(
          time, [this](int64_t) { on_processing_time_(service_->current_processing_time()); });
    }
  }
  void delete_processing_time_timer(const K& key, int64_t time) {
    processing_time_.delete_timer(key, time);
  }

  // Checkpoint: writes both queues by the key group of key_of(timer key) (the record key of a
  // window timer's (key, window)). Throws StateException if there are timers but their key type
  // cannot be serialized.
  template <class KeyOf>
  void snapshot(StateSnapshotContext& ctx, int max_parallelism, KeyOf&& key_of) const {
    write_queue(ctx, kEventTimeName, event_time_, max_parallelism, key_of);
    write_queue(ctx, kProcessingTimeName, processing_time_, max_parallelism, key_of);
  }
  // Registers the timers of key groups [first, last] found in `restore`.
  void restore(const OperatorRestore& restore, int first, int last) {
    if constexpr (Serializable<K>) {
      read_by_key_group(restore, kEventTimeName, first, last, [&](DataInputView& in) {
        auto [key, time] = TypeSerializer<std::pair<K, int64_t>>::deserialize(in);
        register_event_time_timer(key, time);
      });
      read_by_key_group(restore, kProcessingTimeName, first, last, [&](DataInputView& in) {
        auto [key, time] = TypeSerializer<std::pair<K, int64_t>>::deserialize(in);
        register_processing_time_timer(key, time);
      });
    }
  }

  TimerQueue<K>& event_time() { return event_time_; }
  TimerQueue<K>& processing_time() { return processing_time_; }
  int64_t current_processing_time() const { return service_->current_processing_time(); }

 private:
  static constexpr const char* kEventTimeName = "event-time-timers";
  static constexpr const char* kProcessingTimeName = "processing-time-timers";

  template <class KeyOf>
  static void write_queue(StateSnapshotContext& ctx, const char* name, const TimerQueue<K>& queue,
                          int max_parallelism, KeyOf& key_of) {
    if (queue.size() == 0 || !ctx.takes_state()) return;
    if constexpr (Serializable<K>) {
      ctx.write_by_key_group(
          name, max_parallelism, queue.all(),
          [&](const std::pair<K, int64_t>& timer) -> decltype(auto) { return key_of(timer.first); },
          [](const std::pair<K, int64_t>& timer, DataOutputView& out) {
            TypeSerializer<std::pair<K, int64_t>>::serialize(timer, out);
          });
    } else {
      throw StateException(std::string("cannot checkpoint ") + name + ": the timer key type " +
                           type_name<K>() + " has no TypeSerializer");
    }
  }

  ProcessingTimeService* service_;
  std::function<void(int64_t)> on_processing_time_;
  TimerQueue<K> event_time_;
  TimerQueue<K> processing_time_;
};

// Fires the timers of `queue` due at `time`: for each, the context's current key is the timer's.
// Event-time timers set the record timestamp to the timer's time, so what on_timer emits carries
// it; processing-time timers leave records without a timestamp (as in Flink).
template <class K, class SetKey, class OnTimer>
void fire_due_timers(TimerQueue<K>& queue, int64_t time, bool event_time,
                     RecordContext& record_context, SetKey&& set_key, OnTimer&& on_timer) {
  queue.advance(time, [&](const K& key, int64_t timestamp) {
    set_key(key);
    record_context.timestamp = event_time ? timestamp : kNoTimestamp;
    on_timer(timestamp);
  });
  record_context.timestamp = kNoTimestamp;
}

}  // namespace eddy::runtime
