// KeyedFunctionRuntime: what an operator running a keyed process function (one or two inputs)
// holds for it — side outputs, the collector, the event-time timers and the two contexts — and
// how due timers call the function's on_timer(). Built in place and never moved: the contexts
// point into it.
#pragma once

#include <map>
#include <string>

#include "eddy/api/functions.h"
#include "eddy/runtime/event_time_timers.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

template <class K, class Out, class F>
class KeyedFunctionRuntime {
 public:
  KeyedFunctionRuntime(const OperatorOutputs& outputs, const int64_t* current_watermark)
      : side_(outputs.side),
        collector_(outputs.main_as<Out>()),
        context_(&side_, outputs.record_context, current_watermark, &timers_),
        timer_context_(&side_, outputs.record_context, current_watermark, &timers_) {}
  KeyedFunctionRuntime(const KeyedFunctionRuntime&) = delete;
  KeyedFunctionRuntime& operator=(const KeyedFunctionRuntime&) = delete;

  // Fires every timer due at `watermark` through fn.on_timer(), earliest first.
  void fire_due_timers(int64_t watermark, RecordContext& record_context, F& fn) {
    runtime::fire_due_timers(timers_, watermark, record_context, timer_context_,
                             [&](int64_t time) { fn.on_timer(time, timer_context_, collector_); });
  }

  Collector<Out>& collector() { return collector_; }
  // The context for process_element*(); REQUIRES: its key is set for each record.
  typename F::Context& context() { return context_; }

 private:
  std::map<std::string, OutputBase*> side_;
  EventTimeTimers<K> timers_;
  Collector<Out> collector_;
  typename F::Context context_;
  typename F::OnTimerContext timer_context_;
};

}  // namespace eddy::runtime
