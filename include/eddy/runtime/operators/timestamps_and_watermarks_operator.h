// Assigns event timestamps to records and generates watermarks from them
// (assign_timestamps_and_watermarks). Watermarks from upstream are not forwarded — this operator
// is where event time is defined — except the final one at end of input.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>

#include "eddy/api/watermark_strategy.h"
#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy::runtime {

template <class T>
class TimestampsAndWatermarksOperator final
    : public OneInputOperator<T, TimestampsAndWatermarksOperator<T>> {
 public:
  explicit TimestampsAndWatermarksOperator(WatermarkStrategy<T> strategy)
      : strategy_(std::move(strategy)) {}

  void open(RuntimeContext& ctx) override {
    generator_ = strategy_.create_generator();
    interval_ms_ = ctx.get_execution_config().get_auto_watermark_interval();
    last_activity_ms_ = this->outputs().processing_time->current_processing_time();
    if (interval_ms_ > 0) schedule_periodic_emit();
  }

  void process_element(T&& record) {
    if (strategy_.idle_timeout_ms() > 0) on_activity();
    RecordContext& rc = this->record_context();
    const int64_t previous = rc.timestamp;
    const int64_t timestamp = strategy_.timestamp_assigner()
                                  ? strategy_.timestamp_assigner()(record, previous)
                                  : previous;
    rc.timestamp = timestamp;
    // As in Flink, a watermark the generator emits for an event follows that event: it is held
    // back until the record has left.
    holding_ = true;
    generator_->on_event(record, timestamp, generator_output_);
    holding_ = false;
    this->outputs().template main_as<T>()->push(std::move(record));
    rc.timestamp = previous;  // other consumers of the input see the record as it was
    if (held_ > last_watermark_) emit_generated(held_);
  }

  void process_watermark(int64_t watermark) override {
    if (watermark == kMaxWatermark) emit_generated(kMaxWatermark);
  }

 private:
  class GeneratorOutput final : public WatermarkOutput {
   public:
    explicit GeneratorOutput(TimestampsAndWatermarksOperator* op) : op_(op) {}
    void emit_watermark(int64_t watermark) override { op_->emit_generated(watermark); }

   private:
    TimestampsAndWatermarksOperator* op_;
  };

  // Periodic generators run on processing time, also while no record flows (Flink's
  // auto-watermark interval).
  void schedule_periodic_emit() {
    ProcessingTimeService& time = *this->outputs().processing_time;
    time.register_timer(time.current_processing_time() + interval_ms_, [this](int64_t) {
      this->guarded([&] {
        this->record_context().timestamp = kNoTimestamp;
        if (!idle_) generator_->on_periodic_emit(generator_output_);
        check_idleness();
      });
      schedule_periodic_emit();
    });
  }

  // Idleness (with_idleness): no event for the timeout makes the output idle; the next event
  // re-activates it by repeating the last watermark before the event leaves.
  void on_activity() {
    last_activity_ms_ = this->outputs().processing_time->current_processing_time();
    if (!idle_) return;
    idle_ = false;
    this->outputs().main->emit_watermark(last_watermark_);
  }
  void check_idleness() {
    const int64_t timeout = strategy_.idle_timeout_ms();
    if (timeout <= 0 || idle_) return;
    const int64_t now = this->outputs().processing_time->current_processing_time();
    if (now - last_activity_ms_ < timeout) return;
    idle_ = true;
    this->outputs().main->emit_watermark(kIdleWatermark);
  }

  void emit_generated(int64_t watermark) {
    if (holding_) {
      held_ = std::max(held_, watermark);
      return;
    }
    if (watermark <= last_watermark_) return;
    last_watermark_ = watermark;
    this->outputs().main->emit_watermark(watermark);
  }

  WatermarkStrategy<T> strategy_;
  std::unique_ptr<WatermarkGenerator<T>> generator_;
  int64_t interval_ms_ = 0;
  int64_t last_activity_ms_ = 0;
  bool idle_ = false;
  int64_t last_watermark_ = kMinWatermark;
  GeneratorOutput generator_output_{this};
  bool holding_ = false;
  int64_t held_ = kMinWatermark;
};

}  // namespace eddy::runtime
