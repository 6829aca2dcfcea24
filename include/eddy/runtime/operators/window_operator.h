// WindowOperator: keyed windows, as Flink's WindowOperator. For each element: the assigner names
// its windows; each window's contents (window_contents.h) take the element; the trigger decides
// whether the window fires (its contents go to the window function) and/or purges. Timers per
// (key, window) drive event-time and processing-time triggers and the cleanup of each window
// once the watermark passes its end plus the allowed lateness. Merging assigners (sessions) keep
// a MergingWindowSet per key in keyed state.
//
// Lateness: an element whose every window is already cleaned up is late. Late elements go to the
// late-data side output when one is set, otherwise they are dropped and counted in the
// accumulator "numLateRecordsDropped" — never silently added to a wrong window.
#pragma once

#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eddy/core/serializer.h"
#include "eddy/runtime/keyed_timers.h"
#include "eddy/runtime/operators/keyed_state_support.h"
#include "eddy/runtime/operators/one_input_operator.h"
#include "eddy/runtime/operators/window_contents.h"
#include "eddy/state/heap_keyed_state_backend.h"
#include "eddy/windowing/merging_window_set.h"
#include "eddy/windowing/trigger.h"
#include "eddy/windowing/window_assigner.h"
#include "eddy/windowing/window_functions.h"

namespace eddy::runtime {

// How the operator is configured; shared by all subtasks.
template <class In, class Assigner>
struct WindowSpec {
  using W = typename Assigner::WindowType;
  explicit WindowSpec(Assigner a) : assigner(std::move(a)) {}
  Assigner assigner;
  std::shared_ptr<const Trigger<In, W>> trigger;
  int64_t allowed_lateness = 0;
  std::string late_data_tag;  // empty: late elements are dropped
};

template <class K, class In, class Out, class Assigner, class Contents, class Emitter>
class WindowOperator final
    : public OneInputOperator<In, WindowOperator<K, In, Out, Assigner, Contents, Emitter>> {
 public:
  using W = typename Assigner::WindowType;
  using KeySelector = std::function<K(const In&)>;
  static_assert(Serializable<K>,
                "window keys are kept in keyed state: make the key type serializable "
                "(a number, string, tuple, pair, or a struct with EDDY_SERIALIZABLE)");

  WindowOperator(WindowSpec<In, Assigner> spec, KeySelector key_selector, Contents contents,
                 Emitter emitter, const OperatorOutputs& outputs)
      : spec_(std::move(spec)),
        key_selector_(std::move(key_selector)),
        contents_(std::move(contents)),
        emitter_(std::move(emitter)),
        side_(outputs.side),
        collector_(outputs.main_as<Out>()),
        timers_(outputs.processing_time,
                [this](int64_t now) { this->guarded([&] { on_processing_time(now); }); }),
        processing_time_(*outputs.processing_time),
        trigger_context_(this) {
    if (!spec_.late_data_tag.empty()) {
      auto it = side_.find(spec_.late_data_tag);
      late_output_ = it == side_.end() ? nullptr : static_cast<Output<In>*>(it->second);
    }
  }

  void open(RuntimeContext& ctx) override {
    backend_ = make_subtask_state_backend(ctx, processing_time_);
    contents_.open(*backend_);
    window_context_ = std::make_unique<WindowContext<W>>(&side_, &this->record_context(),
                                                         this->current_watermark_ptr(),
                                                         &processing_time_, backend_.get());
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
                     [](const std::pair<K, W>& timer) -> const K& { return timer.first; });
  }

  void process_element(In&& element) {
    const int64_t timestamp = this->record_context().timestamp;
    K key = key_selector_(static_cast<const In&>(element));
    set_current_key(key);
    AssignerContext assigner_context(processing_time_);
    std::vector<W> windows = windows_for_element(spec_.assigner, static_cast<const In&>(element),
                                                 timestamp, assigner_context);
    bool skipped = true;
    if constexpr (Assigner::kIsMerging) {
      MergingWindowSet<Assigner> merging = load_merging_windows();
      for (const W& window : windows) {
        const W actual = merging.add_window(
            window, [&](const W& merge_result, const std::vector<W>& merged_windows,
                        const W& state_window_result, const std::vector<W>& merged_state_windows) {
              on_windows_merged(merge_result, merged_windows, state_window_result,
                                merged_state_windows);
            });
        if (is_window_late(actual)) {
          merging.retire_window(actual);
          continue;
        }
        skipped = false;
        const W state_window = merging.get_state_window(actual).value();
        add_and_trigger(element, timestamp, actual, state_window);
      }
      store_merging_windows(merging);
    } else {
      for (const W& window : windows) {
        if (is_window_late(window)) continue;
        skipped = false;
        add_and_trigger(element, timestamp, window, window);
      }
    }
    if (skipped && is_element_late(timestamp)) on_late_element(std::move(element));
  }

  // Due event-time timers fire before the watermark moves on, so window results precede it.
  void process_watermark(int64_t watermark) override {
    fire_due_timers(
        timers_.event_time(), watermark, true, this->record_context(),
        [&](const std::pair<K, W>& timer) { set_timer_scope(timer); },
        [&](int64_t time) { on_timer(time, /*event_time=*/true); });
    StreamOperator::process_watermark(watermark);
  }

 private:
  class AssignerContext final : public WindowAssignerContext {
   public:
    explicit AssignerContext(ProcessingTimeService& time) : time_(time) {}
    int64_t get_current_processing_time() const override { return time_.current_processing_time(); }

   private:
    ProcessingTimeService& time_;
  };

  // The trigger's view of the operator: the current key, and the window set before each call.
  class OperatorTriggerContext : public OnMergeContext<W> {
   public:
    explicit OperatorTriggerContext(WindowOperator* op) : op_(op) {}
    void set_window(const W& window) { window_ = window; }
    void set_merged_windows(std::vector<W> windows) { merged_ = std::move(windows); }

    int64_t get_current_processing_time() const override {
      return op_->processing_time_.current_processing_time();
    }
    int64_t get_current_watermark() const override { return op_->current_watermark(); }
    void register_processing_time_timer(int64_t time) override {
      op_->timers_.register_processing_time_timer({*op_->current_key_, window_}, time);
    }
    void register_event_time_timer(int64_t time) override {
      op_->timers_.register_event_time_timer({*op_->current_key_, window_}, time);
    }
    void delete_processing_time_timer(int64_t time) override {
      op_->timers_.delete_processing_time_timer({*op_->current_key_, window_}, time);
    }
    void delete_event_time_timer(int64_t time) override {
      op_->timers_.delete_event_time_timer({*op_->current_key_, window_}, time);
    }

   protected:
    KeyedStateBackend& state_backend() override { return *op_->backend_; }
    const W& window() const override { return window_; }
    const std::vector<W>& merged_windows() const override { return merged_; }

   private:
    WindowOperator* op_;
    W window_{};
    std::vector<W> merged_;
  };

  void set_current_key(const K& key) {
    current_key_ = &key;
    set_current_key_of(*backend_, key);
  }

  void set_timer_scope(const std::pair<K, W>& timer) {
    set_current_key(timer.first);
    current_timer_window_ = timer.second;
  }

  void add_and_trigger(const In& element, int64_t timestamp, const W& window,
                       const W& state_window) {
    contents_.set_window(state_window);
    contents_.add(element, timestamp);
    trigger_context_.set_window(window);
    const TriggerResult result =
        spec_.trigger->on_element(element, timestamp, window, trigger_context_);
    act_on(result, window, state_window);
    register_cleanup_timer(window);
  }

  void on_timer(int64_t time, bool event_time) {
    const W window = current_timer_window_;
    if constexpr (Assigner::kIsMerging) {
      MergingWindowSet<Assigner> merging = load_merging_windows();
      auto state_window = merging.get_state_window(window);
      if (!state_window) return;  // merged into another window since the timer was set
      if (on_timer_in(time, event_time, window, *state_window)) merging.retire_window(window);
      store_merging_windows(merging);
    } else {
      on_timer_in(time, event_time, window, window);
    }
  }

  // Returns true if the window was cleaned up for good.
  bool on_timer_in(int64_t time, bool event_time, const W& window, const W& state_window) {
    contents_.set_window(state_window);
    trigger_context_.set_window(window);
    const TriggerResult result =
        event_time ? spec_.trigger->on_event_time(time, window, trigger_context_)
                   : spec_.trigger->on_processing_time(time, window, trigger_context_);
    act_on(result, window, state_window);
    if (spec_.assigner.is_event_time() != event_time || time != cleanup_time(window)) return false;
    clear_window(window, state_window);
    return true;
  }

  void on_processing_time(int64_t now) {
    fire_due_timers(
        timers_.processing_time(), now, false, this->record_context(),
        [&](const std::pair<K, W>& timer) { set_timer_scope(timer); },
        [&](int64_t time) { on_timer(time, /*event_time=*/false); });
  }

  void act_on(TriggerResult result, const W& window, const W& state_window) {
    if (is_fire(result)) {
      contents_.set_window(state_window);
      contents_.fire(window, this->current_watermark(),
                     [&](typename Contents::Result&& r) { emit(window, std::move(r)); });
    }
    if (is_purge(result)) {
      contents_.set_window(state_window);
      contents_.clear();
    }
  }

  // Results carry the window's last timestamp, as in Flink.
  void emit(const W& window, typename Contents::Result&& result) {
    RecordContext& rc = this->record_context();
    const int64_t previous = rc.timestamp;
    rc.timestamp = window.max_timestamp();
    window_context_->set_window(&window);
    emitter_(*current_key_, *window_context_, std::move(result), collector_);
    rc.timestamp = previous;
  }

  void clear_window(const W& window, const W& state_window) {
    contents_.set_window(state_window);
    contents_.clear();
    trigger_context_.set_window(window);
    spec_.trigger->clear(window, trigger_context_);
    window_context_->set_window(&window);
    emitter_.clear(*window_context_);
  }

  void on_windows_merged(const W& merge_result, const std::vector<W>& merged_windows,
                         const W& state_window_result, const std::vector<W>& merged_state_windows) {
    if (spec_.assigner.is_event_time() &&
        merge_result.max_timestamp() + spec_.allowed_lateness <= this->current_watermark()) {
      throw std::logic_error(
          "The end timestamp of an event-time window cannot become earlier "
          "than the current watermark by merging. Current watermark: " +
          std::to_string(this->current_watermark()) + " window: " + merge_result.to_string());
    }
    if (!spec_.assigner.is_event_time() &&
        merge_result.max_timestamp() <= processing_time_.current_processing_time()) {
      throw std::logic_error(
          "The end timestamp of a processing-time window cannot become earlier "
          "than the current processing time by merging. Window: " +
          merge_result.to_string());
    }
    trigger_context_.set_window(merge_result);
    trigger_context_.set_merged_windows(merged_windows);
    spec_.trigger->on_merge(merge_result, trigger_context_);
    for (const W& merged : merged_windows) {
      trigger_context_.set_window(merged);
      spec_.trigger->clear(merged, trigger_context_);
      delete_cleanup_timer(merged);
    }
    contents_.merge(state_window_result, merged_state_windows);
  }

  int64_t cleanup_time(const W& window) const {
    if (!spec_.assigner.is_event_time()) return window.max_timestamp();
    const int64_t end = window.max_timestamp();
    return end > std::numeric_limits<int64_t>::max() - spec_.allowed_lateness
               ? std::numeric_limits<int64_t>::max()
               : end + spec_.allowed_lateness;
  }
  bool is_window_late(const W& window) const {
    return spec_.assigner.is_event_time() && cleanup_time(window) <= this->current_watermark();
  }
  bool is_element_late(int64_t timestamp) const {
    return spec_.assigner.is_event_time() &&
           timestamp + spec_.allowed_lateness <= this->current_watermark();
  }

  void register_cleanup_timer(const W& window) {
    const int64_t time = cleanup_time(window);
    if (time == std::numeric_limits<int64_t>::max()) return;  // a global window never ends
    trigger_context_.set_window(window);
    if (spec_.assigner.is_event_time()) {
      trigger_context_.register_event_time_timer(time);
    } else {
      trigger_context_.register_processing_time_timer(time);
    }
  }
  void delete_cleanup_timer(const W& window) {
    const int64_t time = cleanup_time(window);
    if (time == std::numeric_limits<int64_t>::max()) return;
    trigger_context_.set_window(window);
    if (spec_.assigner.is_event_time()) {
      trigger_context_.delete_event_time_timer(time);
    } else {
      trigger_context_.delete_processing_time_timer(time);
    }
  }

  void on_late_element(In&& element) {
    if (late_output_ != nullptr) {
      late_output_->push(std::move(element));
    } else {
      late_dropped_->add(1);
    }
  }

  MergingWindowSet<Assigner> load_merging_windows() {
    auto mapping = merging_state().value();
    return mapping ? MergingWindowSet<Assigner>(spec_.assigner, *mapping)
                   : MergingWindowSet<Assigner>(spec_.assigner);
  }
  void store_merging_windows(const MergingWindowSet<Assigner>& merging) {
    if (merging.empty()) {
      merging_state().clear();
    } else {
      merging_state().update(merging.mapping());
    }
  }
  ValueState<std::vector<std::pair<W, W>>>& merging_state() {
    return backend_->get_state(
        ValueStateDescriptor<std::vector<std::pair<W, W>>>("merging-window-set"));
  }

  WindowSpec<In, Assigner> spec_;
  KeySelector key_selector_;
  Contents contents_;
  Emitter emitter_;
  std::map<std::string, OutputBase*> side_;
  Output<In>* late_output_ = nullptr;
  Collector<Out> collector_;
  KeyedTimers<std::pair<K, W>> timers_;
  ProcessingTimeService& processing_time_;
  std::unique_ptr<KeyedStateBackend> backend_;
  std::unique_ptr<WindowContext<W>> window_context_;
  OperatorTriggerContext trigger_context_;
  LongCounter* late_dropped_ = nullptr;
  const K* current_key_ = nullptr;
  W current_timer_window_{};
};

}  // namespace eddy::runtime
