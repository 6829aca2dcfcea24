// EventTimeTimers: the event-time timers of one keyed operator subtask. At most one timer per
// (key, timestamp); timers fire in timestamp order once the watermark reaches them.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_set>
#include <utility>

#include "eddy/core/key_hash.h"
#include "eddy/runtime/record_context.h"

namespace eddy::runtime {

template <class K>
class EventTimeTimers {
 public:
  void register_timer(const K& key, int64_t timestamp) { timers_[timestamp].insert(key); }

  void delete_timer(const K& key, int64_t timestamp) {
    auto it = timers_.find(timestamp);
    if (it == timers_.end()) return;
    it->second.erase(key);
    if (it->second.empty()) timers_.erase(it);
  }

  // Calls fire(key, timestamp) for every timer at or before `watermark`, earliest first.
  // Timers that `fire` registers at or before the watermark fire in the same call.
  template <class Fire>
  void advance(int64_t watermark, Fire&& fire) {
    while (!timers_.empty() && timers_.begin()->first <= watermark) {
      auto due = timers_.extract(timers_.begin());
      for (const K& key : due.mapped()) fire(key, due.key());
    }
  }

  size_t size() const {
    size_t n = 0;
    for (const auto& [timestamp, keys] : timers_) n += keys.size();
    return n;
  }

 private:
  std::map<int64_t, std::unordered_set<K, KeyHasher>> timers_;
};

// Fires the timers due at `watermark`: for each, the context's current key is the timer's and
// the record timestamp is the timer's time, so what on_timer emits carries that time.
template <class K, class TimerContext, class OnTimer>
void fire_due_timers(EventTimeTimers<K>& timers, int64_t watermark, RecordContext& record_context,
                     TimerContext& timer_context, OnTimer&& on_timer) {
  timers.advance(watermark, [&](const K& key, int64_t timestamp) {
    timer_context.set_current_key(&key);
    record_context.timestamp = timestamp;
    on_timer(timestamp);
  });
  record_context.timestamp = kNoTimestamp;
}

}  // namespace eddy::runtime
