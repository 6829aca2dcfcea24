// KeyedFunctionRuntime: what an operator running a keyed process function (one or two inputs)
// holds for it — side outputs, the collector, keyed state, the timers of both time domains and
// the two contexts — and how due timers call the function's on_timer(). Built in place and never
// moved: the contexts and the processing-time callback point into it.
#pragma once

#include <map>
#include <string>

#include "eddy/api/functions.h"
#include "eddy/runtime/keyed_timers.h"
#include "eddy/runtime/operators/keyed_state_support.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

template <class K, class Out, class F>
class KeyedFunctionRuntime {
 public:
  // REQUIRES: `owner` (the operator holding this runtime) and `fn` outlive it.
  KeyedFunctionRuntime(const OperatorOutputs& outputs, StreamOperator& owner, F& fn)
      : fn_(fn),
        processing_time_(*outputs.processing_time),
        record_context_(*outputs.record_context),
        side_(outputs.side),
        timers_(outputs.processing_time,
                [this, &owner](int64_t now) {
                  owner.guarded([&] { fire_processing_time_timers(now); });
                }),
        collector_(outputs.main_as<Out>()),
        context_(&side_, outputs.record_context, owner.current_watermark_ptr(),
                 outputs.processing_time, &timers_),
        timer_context_(&side_, outputs.record_context, owner.current_watermark_ptr(),
                       outputs.processing_time, &timers_) {}
  KeyedFunctionRuntime(const KeyedFunctionRuntime&) = delete;
  KeyedFunctionRuntime& operator=(const KeyedFunctionRuntime&) = delete;

  // Before the function opens: offers it keyed state and restores the timers.
  void open(RuntimeContext& ctx) {
    state_.open(ctx, processing_time_, &current_key_);
    max_parallelism_ = ctx.get_max_number_of_parallel_subtasks();
    if (const OperatorRestore* restore = ctx.get_restore()) {
      auto [first, last] = key_group_range_of(ctx);
      timers_.restore(*restore, first, last);
    }
  }

  // Checkpoint: the timers (keyed state is taken from the backend by the task).
  void snapshot(StateSnapshotContext& ctx) const {
    timers_.snapshot(ctx, max_parallelism_, [](const K& key) -> const K& { return key; });
  }

  // Every record's key, before the function sees the record. REQUIRES: `key` outlives its use.
  void set_current_key(const K& key) {
    current_key_ = &key;
    context_.set_current_key(&key);
    state_.set_current_key(key);
  }

  // Fires every event-time timer due at `watermark` through fn.on_timer(), earliest first.
  void fire_event_time_timers(int64_t watermark) {
    fire(timers_.event_time(), watermark, TimeDomain::EVENT_TIME);
  }

  Collector<Out>& collector() { return collector_; }
  // The context for process_element*(); REQUIRES: its key is set for each record.
  typename F::Context& context() { return context_; }
  // The keyed state backend: null until open(), and for keys that cannot be serialized.
  KeyedStateBackend* state_backend() { return state_.backend(); }

 private:
  void fire_processing_time_timers(int64_t now) {
    fire(timers_.processing_time(), now, TimeDomain::PROCESSING_TIME);
  }

  void fire(TimerQueue<K>& queue, int64_t time, TimeDomain domain) {
    timer_context_.set_time_domain(domain);
    fire_due_timers(
        queue, time, domain == TimeDomain::EVENT_TIME, record_context_,
        [&](const K& key) {
          current_key_ = &key;
          timer_context_.set_current_key(&key);
          state_.set_current_key(key);
        },
        [&](int64_t timestamp) { fn_.on_timer(timestamp, timer_context_, collector_); });
  }

  F& fn_;
  ProcessingTimeService& processing_time_;
  RecordContext& record_context_;
  KeyedStateSupport<K> state_;
  int max_parallelism_ = 0;
  const K* current_key_ = nullptr;
  std::map<std::string, OutputBase*> side_;
  KeyedTimers<K> timers_;
  Collector<Out> collector_;
  typename F::Context context_;
  typename F::OnTimerContext timer_context_;
};

}  // namespace eddy::runtime
