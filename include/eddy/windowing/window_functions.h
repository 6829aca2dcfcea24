// Window functions that see a whole window: ProcessWindowFunction (keyed windows) and
// ProcessAllWindowFunction (window_all), with Flink's contexts. Incremental functions (reduce,
// AggregateFunction) need no class of their own; combined with one of these, the process
// function receives the single pre-aggregated value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eddy/api/functions.h"
#include "eddy/state/keyed_state_backend.h"

namespace eddy {

// Keyed state of the current key scoped to one window (window_state()) or to no window
// (global_state()). As in Flink, per-window state is the function's to clear: override
// ProcessWindowFunction::clear(), which runs when the window is purged for good.
template <class W>
class WindowStateStore {
 public:
  WindowStateStore(KeyedStateBackend* backend, const W* const* window)
      : backend_(backend), window_(window) {}
  template <class V>
  ValueState<V>& get_state(const ValueStateDescriptor<V>& d) {
    return scoped<ValueState<V>>(d);
  }
  template <class V>
  ListState<V>& get_list_state(const ListStateDescriptor<V>& d) {
    return scoped<ListState<V>>(d);
  }
  template <class UK, class UV>
  MapState<UK, UV>& get_map_state(const MapStateDescriptor<UK, UV>& d) {
    return scoped<MapState<UK, UV>>(d);
  }
  template <class V>
  ReducingState<V>& get_reducing_state(const ReducingStateDescriptor<V>& d) {
    return scoped<ReducingState<V>>(d);
  }
  template <class In, class Acc, class Out>
  AggregatingState<In, Out>& get_aggregating_state(
      const AggregatingStateDescriptor<In, Acc, Out>& d) {
    return scoped<AggregatingState<In, Out>>(d);
  }

 private:
  template <class S, class Descriptor>
  S& scoped(const Descriptor& descriptor) {
    if (window_ == nullptr) {
      return backend_->template get_partitioned_state<state::VoidNamespace>(descriptor);
    }
    auto& state = backend_->template get_partitioned_state<W>(descriptor);
    state.set_current_namespace(**window_);
    return state;
  }

  KeyedStateBackend* backend_;
  const W* const* window_;  // null: the key's global state
};

// What a window function sees besides the elements.
template <class W>
class WindowContext : public ProcessContextBase {
 public:
  WindowContext(const std::map<std::string, runtime::OutputBase*>* side_outputs,
                const runtime::RecordContext* record_context, const int64_t* current_watermark,
                runtime::ProcessingTimeService* processing_time, KeyedStateBackend* backend)
      : ProcessContextBase(side_outputs, record_context, current_watermark, processing_time),
        window_state_(backend, &window_),
        global_state_(backend, nullptr) {}

  const W& window() const { return *window_; }
  int64_t current_processing_time() const { return timer_service().current_processing_time(); }
  int64_t current_watermark() const { return timer_service().current_watermark(); }
  // State of the current key in this window only.
  WindowStateStore<W>& window_state() { return window_state_; }
  // State of the current key across its windows.
  WindowStateStore<W>& global_state() { return global_state_; }

  void set_window(const W* window) { window_ = window; }

 private:
  const W* window_ = nullptr;
  WindowStateStore<W> window_state_;
  WindowStateStore<W> global_state_;
};

template <class In, class Out, class K, class W>
class ProcessWindowFunction : public RichFunction {
 public:
  using InputType = In;
  using OutputType = Out;
  using KeyType = K;
  using WindowType = W;
  using Context = WindowContext<W>;
  // Called when the window fires, with all its elements (or the one pre-aggregated value).
  virtual void process(const K& key, Context& ctx, const std::vector<In>& elements,
                       Collector<Out>& out) = 0;
  // Called when the window is purged for good: clean up what is in ctx.window_state().
  virtual void clear(Context&) {}
};

template <class In, class Out, class W>
class ProcessAllWindowFunction : public RichFunction {
 public:
  using InputType = In;
  using OutputType = Out;
  using WindowType = W;
  using Context = WindowContext<W>;
  virtual void process(Context& ctx, const std::vector<In>& elements, Collector<Out>& out) = 0;
  virtual void clear(Context&) {}
};

}  // namespace eddy
