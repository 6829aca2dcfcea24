// SlicedWindowOperator: tumbling and sliding time windows over an incremental aggregate (reduce
// or AggregateFunction) with the default trigger, no evictor and no allowed lateness. Instead of
// one accumulator per window (size / slide copies of every element), each key keeps one
// accumulator per slice (window_slices.h); a firing window merges the accumulators of its slices.
// Per element this is one state update and one timer registration, whatever the overlap.
//
// Timers: a slice's first element registers a timer at the end of the first window holding it
// that has not fired yet. A firing window registers the next window's end when slices of the key
// still belong to it, so each key has a chain of timers while it has data. After firing, slices
// that no later window holds are cleared.
//
// Results, timestamps, lateness (an element whose every window has fired goes to the late-data
// side output or is counted in "numLateRecordsDropped") and the window function's context are as
// in WindowOperator.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "eddy/runtime/keyed_timers.h"
#include "eddy/runtime/operators/keyed_state_support.h"
#include "eddy/runtime/operators/one_input_operator.h"
#include "eddy/runtime/operators/window_operator.h"
#include "eddy/state/heap_keyed_state_backend.h"
#include "eddy/windowing/window_functions.h"
#include "eddy/windowing/window_slices.h"

namespace eddy::runtime {

template <class K, class In, class Out, class Assigner, class Acc, class R, class Emitter>
class SlicedWindowOperator final
    : public OneInputOperator<In, SlicedWindowOperator<K, In, Out, Assigner, Acc, R, Emitter>> {
 public:
  using KeySelector = std::function<K(const In&)>;
  using Function = AggregateFunction<In, Acc, R>;
  static_assert(Serializable<K>,
                "window keys are kept in keyed state: make the key type serializable "
                "(a number, string, tuple, pair, or a struct with EDDY_SERIALIZABLE)");

  SlicedWindowOperator(WindowSpec<In, Assigner> spec, WindowSlices slices, KeySelector key_selector,
                       std::shared_ptr<Function> function, Emitter emitter,
                       const OperatorOutputs& outputs)
      : spec_(std::move(spec)),
        slices_(slices),
        key_selector_(std::move(key_selector)),
        function_(std::move(function)),
        emitter_(std::move(emitter)),
        side_(outputs.side),
        collector_(outputs.main_as<Out>()),
        timers_(outputs.processing_time,
                [this](int64_t now) { this->guarded([&] { on_processing_time(now); }); }),
        processing_time_(*outputs.processing_time) {
    if (!spec_.late_data_tag.empty()) {
      auto it = side_.find(spec_.late_data_tag);
      late_output_ = it == side_.end() ? nullptr : static_cast<Output<In>*>(it->second);
    }
  }

  void open(RuntimeContext& ctx) override {
    backend_ = make_subtask_state_backend(ctx, processing_time_);
    slice_state_ = &backend_->template get_partitioned_state<TimeWindow>(
        AggregatingStateDescriptor<In, Acc, R>("window-slices", function_));
    window_context_ = std::make_unique<WindowContext<TimeWindow>>(
        &side_, &this->record_context(), this->current_watermark_ptr(), &processing_time_,
        backend_.get());
    ctx.set_keyed_state(backend_.get(), {});
    if (const OperatorRestore* restore = ctx.get_restore()) {
      timers_.restore(*restore, backend_->first_key_group(), backend_->last_key_group());
    }
    late_dropped_ = &ctx.get_long_counter("numLateRecordsDropped");
    emitter_.open(ctx);
  }
  void close() override { emitter_.close(); }
  // Window contents are in the backend, which the task takes; the timers are the operator's.
  void snapshot_state(StateSnapshotContext& ctx) override {
    timers_.snapshot(ctx, backend_->max_parallelism(),
                     [](const K& key) -> const K& { return key; });
  }

  void process_element(In&& element) {
    const bool event_time = spec_.assigner.is_event_time();
    int64_t timestamp = this->record_context().timestamp;
    if (event_time) {
      window_assigner_detail::require_timestamp(timestamp);
    } else {
      timestamp = processing_time_.current_processing_time();
    }
    const int64_t slice_start = slices_.slice_start(timestamp);
    // Processing time only moves forward: no window of a new element has fired yet.
    const std::optional<int64_t> first_end =
        event_time ? slices_.first_window_end_after(slice_start, this->current_watermark())
                   : slices_.first_window_end(slice_start);
    if (!first_end) {
      on_late_element(std::move(element));
      return;
    }
    K key = key_selector_(static_cast<const In&>(element));
    set_current_key(key);
    slice_state_->set_current_namespace(slice_of(slice_start));
    slice_state_->add(element);
    register_timer(key, *first_end - 1);
  }

  // Due event-time timers fire before the watermark moves on, so window results precede it.
  void process_watermark(int64_t watermark) override {
    fire_due_timers(
        timers_.event_time(), watermark, true, this->record_context(),
        [&](const K& key) { set_current_key(key); }, [&](int64_t time) { fire_window(time + 1); });
    StreamOperator::process_watermark(watermark);
  }

 private:
  TimeWindow slice_of(int64_t start) const { return TimeWindow(start, start + slices_.slice()); }

  void set_current_key(const K& key) {
    current_key_ = &key;
    set_current_key_of(*backend_, key);
  }

  void register_timer(const K& key, int64_t time) {
    if (spec_.assigner.is_event_time()) {
      timers_.register_event_time_timer(key, time);
    } else {
      timers_.register_processing_time_timer(key, time);
    }
  }

  void on_processing_time(int64_t now) {
    fire_due_timers(
        timers_.processing_time(), now, false, this->record_context(),
        [&](const K& key) { set_current_key(key); }, [&](int64_t time) { fire_window(time + 1); });
  }

  // Emits the window [end - size, end) of the current key from its slices, clears the slices no
  // later window holds, and chains the next window's timer if slices remain for it.
  void fire_window(int64_t end) {
    const int64_t start = end - slices_.size();
    const int64_t next_start = start + slices_.slide();
    std::optional<Acc> merged;
    bool next_window_has_data = false;
    for (int64_t slice = start; slice < end; slice += slices_.slice()) {
      slice_state_->set_current_namespace(slice_of(slice));
      std::optional<Acc> acc = slice_state_->get_accumulator();
      if (!acc) continue;
      merged = merged ? function_->merge(std::move(*merged), *acc) : std::move(acc);
      if (slice >= next_start) {
        next_window_has_data = true;
      } else {
        slice_state_->clear();
      }
    }
    if (merged) emit(TimeWindow(start, end), function_->get_result(*merged));
    if (next_window_has_data) register_timer(*current_key_, end + slices_.slide() - 1);
  }

  // Results carry the window's last timestamp, as in Flink; the window is then done for good.
  void emit(const TimeWindow& window, R&& result) {
    RecordContext& rc = this->record_context();
    const int64_t previous = rc.timestamp;
    rc.timestamp = window.max_timestamp();
    window_context_->set_window(&window);
    emitter_(*current_key_, *window_context_, std::move(result), collector_);
    emitter_.clear(*window_context_);
    rc.timestamp = previous;
  }

  void on_late_element(In&& element) {
    if (late_output_ != nullptr) {
      late_output_->push(std::move(element));
    } else {
      late_dropped_->add(1);
    }
  }

  WindowSpec<In, Assigner> spec_;
  WindowSlices slices_;
  KeySelector key_selector_;
  std::shared_ptr<Function> function_;
  Emitter emitter_;
  std::map<std::string, OutputBase*> side_;
  Output<In>* late_output_ = nullptr;
  Collector<Out> collector_;
  KeyedTimers<K> timers_;
  ProcessingTimeService& processing_time_;
  std::unique_ptr<KeyedStateBackend> backend_;
  state::InternalAggregatingState<TimeWindow, In, Acc, R>* slice_state_ = nullptr;
  std::unique_ptr<WindowContext<TimeWindow>> window_context_;
  LongCounter* late_dropped_ = nullptr;
  const K* current_key_ = nullptr;
};

}  // namespace eddy::runtime
