// Event time: how records get timestamps and how watermarks are generated, in the shape of
// Flink's WatermarkStrategy. A watermark W says "no record with a timestamp <= W follows"
// (Flink's convention: generators emit max_timestamp - out_of_orderness - 1).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>

#include "eddy/runtime/record_context.h"

namespace eddy {

// Durations as PyFlink writes them: Duration::of_seconds(2).
struct Duration {
  static std::chrono::milliseconds of_millis(int64_t n) { return std::chrono::milliseconds(n); }
  static std::chrono::milliseconds of_seconds(int64_t n) { return std::chrono::seconds(n); }
  static std::chrono::milliseconds of_minutes(int64_t n) { return std::chrono::minutes(n); }
  static std::chrono::milliseconds of_hours(int64_t n) { return std::chrono::hours(n); }
};

// Where a generator emits its watermarks.
class WatermarkOutput {
 public:
  virtual ~WatermarkOutput() = default;
  // Ignored unless it advances the last emitted watermark.
  virtual void emit_watermark(int64_t watermark) = 0;
};

// Decides watermarks from the events it sees (punctuated: on_event) and/or periodically
// (on_periodic_emit, every auto-watermark interval while records flow).
template <class T>
class WatermarkGenerator {
 public:
  virtual ~WatermarkGenerator() = default;
  virtual void on_event(const T& event, int64_t event_timestamp, WatermarkOutput& output) = 0;
  virtual void on_periodic_emit(WatermarkOutput& output) = 0;
};

// Timestamps may arrive out of order by at most `max_out_of_orderness`.
template <class T>
class BoundedOutOfOrdernessWatermarks : public WatermarkGenerator<T> {
 public:
  explicit BoundedOutOfOrdernessWatermarks(std::chrono::milliseconds max_out_of_orderness)
      : out_of_orderness_(max_out_of_orderness.count()),
        max_timestamp_(std::numeric_limits<int64_t>::min() + out_of_orderness_ + 1) {}
  void on_event(const T&, int64_t event_timestamp, WatermarkOutput&) override {
    max_timestamp_ = std::max(max_timestamp_, event_timestamp);
  }
  void on_periodic_emit(WatermarkOutput& output) override {
    output.emit_watermark(max_timestamp_ - out_of_orderness_ - 1);
  }

 private:
  int64_t out_of_orderness_;
  int64_t max_timestamp_;
};

template <class T>
class WatermarkStrategy {
 public:
  using TimestampAssigner = std::function<int64_t(const T& event, int64_t record_timestamp)>;
  using GeneratorFactory = std::function<std::unique_ptr<WatermarkGenerator<T>>()>;

  // Timestamps only grow: the watermark follows the largest timestamp seen.
  static WatermarkStrategy for_monotonous_timestamps() {
    return for_bounded_out_of_orderness(std::chrono::milliseconds(0));
  }
  static WatermarkStrategy for_bounded_out_of_orderness(std::chrono::milliseconds max_delay) {
    return for_generator(
        [max_delay] { return std::make_unique<BoundedOutOfOrdernessWatermarks<T>>(max_delay); });
  }
  // Timestamps without watermarks (event time never advances until the input ends).
  static WatermarkStrategy no_watermarks() {
    return for_generator([] { return std::make_unique<NoWatermarks>(); });
  }
  static WatermarkStrategy for_generator(GeneratorFactory factory) {
    WatermarkStrategy s;
    s.generator_factory_ = std::move(factory);
    return s;
  }

  // fn(const T& event, int64_t record_timestamp) -> event timestamp in epoch milliseconds.
  // Without an assigner the records keep the timestamps they have (from a source).
  template <class F>
  WatermarkStrategy with_timestamp_assigner(F assigner) const {
    WatermarkStrategy s = *this;
    if constexpr (std::is_invocable_v<F&, const T&, int64_t>) {
      s.assigner_ = assigner;
    } else {
      s.assigner_ = [assigner](const T& e, int64_t) { return static_cast<int64_t>(assigner(e)); };
    }
    return s;
  }

  // An input without events for `timeout` of processing time is declared idle, so that it does
  // not hold back the event time of the operators it feeds; its next event makes it active
  // again. Checked every auto-watermark interval.
  WatermarkStrategy with_idleness(std::chrono::milliseconds timeout) const {
    if (timeout.count() <= 0) throw std::invalid_argument("with_idleness needs a positive timeout");
    WatermarkStrategy s = *this;
    s.idle_timeout_ms_ = timeout.count();
    return s;
  }
  // 0: never idle.
  int64_t idle_timeout_ms() const { return idle_timeout_ms_; }

  const TimestampAssigner& timestamp_assigner() const { return assigner_; }
  std::unique_ptr<WatermarkGenerator<T>> create_generator() const { return generator_factory_(); }

 private:
  class NoWatermarks : public WatermarkGenerator<T> {
   public:
    void on_event(const T&, int64_t, WatermarkOutput&) override {}
    void on_periodic_emit(WatermarkOutput&) override {}
  };

  TimestampAssigner assigner_;
  GeneratorFactory generator_factory_;
  int64_t idle_timeout_ms_ = 0;
};

}  // namespace eddy
