// Event time, watermarks and late data: sums sensor readings per sensor in 10-second tumbling
// event-time windows, with a watermark that allows 2 seconds of out-of-orderness, 5 seconds of
// allowed lateness, and a side output for the readings that are later than that.
//
// Shows the three fates of a reading that arrives out of order:
//   - behind other readings but not behind the watermark: counted normally;
//   - behind the watermark (its window has fired) but within the allowed lateness: added to the
//     window, which fires again at once with the updated result (a second line for the window);
//   - behind the watermark by more than the allowed lateness (its window is gone): sent to the
//     late-data side output, printed as "LATE: ...".
//
// Run: build/examples/example_event_time_lateness (no arguments). It prints, in this order
// (times in seconds of event time; [start, end) is the window):
//   sensor s1 window [0, 10) sum=18 count=3      <- these two fire together (either order)
//   sensor s2 window [0, 10) sum=20 count=1      <-
//   sensor s1 window [0, 10) sum=22 count=4      <- re-fired by the late reading (s1, 9)
//   LATE: sensor s2 time=8 value=7
//   sensor s1 window [10, 20) sum=7 count=2      <- these two fire together (either order)
//   sensor s2 window [10, 20) sum=10 count=2     <-
//   sensor s2 window [10, 20) sum=15 count=3     <- re-fired by the late reading (s2, 16)
//   LATE: sensor s1 time=2 value=100
//   sensor s1 window [20, 30) sum=9 count=1      <- fired by the end of the input
//
// Parallelism 1: the order of the lines is the point of the example (a window's first result,
// then its updates, with the late readings in between), and only one subtask keeps one order
// across keys and across the main and side outputs. The job is also correct at a higher
// parallelism: the watermark generator still sees the readings in arrival order (it is kept at
// parallelism 1, like the collection source), so the same lines come out, and each sensor's
// window results keep their order; only the order across sensors, and between window results
// and LATE lines, is then unspecified.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eddy/eddy.h"

// One sensor reading: which sensor, when it was measured (event time, in seconds), and the value.
struct SensorReading {
  std::string sensor;
  int64_t time_s = 0;
  int64_t value = 0;
};
EDDY_SERIALIZABLE(SensorReading, sensor, time_s, value);

inline std::string to_string(const SensorReading& r) {
  return "sensor " + r.sensor + " time=" + std::to_string(r.time_s) +
         " value=" + std::to_string(r.value);
}

namespace {

constexpr int64_t kOutOfOrdernessMs = 2'000;

// Flink's bounded-out-of-orderness watermark (the largest timestamp seen, minus 2 s, minus 1 ms),
// emitted after every reading instead of periodically. WatermarkStrategy::
// for_bounded_out_of_orderness emits the same watermark on a wall-clock schedule, so where the
// watermark stands when a reading arrives would depend on how fast the job runs; emitting it
// from on_event makes it a function of the input alone, so the output is exactly determined.
class PunctuatedBoundedOutOfOrderness : public eddy::WatermarkGenerator<SensorReading> {
 public:
  void on_event(const SensorReading&, int64_t timestamp, eddy::WatermarkOutput& output) override {
    max_timestamp_ = std::max(max_timestamp_, timestamp);
    output.emit_watermark(max_timestamp_ - kOutOfOrdernessMs - 1);
  }
  void on_periodic_emit(eddy::WatermarkOutput&) override {}

 private:
  int64_t max_timestamp_ = std::numeric_limits<int64_t>::min() + kOutOfOrdernessMs + 1;
};

// (sum, count) of a window's readings, kept incrementally.
using SumCount = std::pair<int64_t, int64_t>;

class SumAndCount : public eddy::AggregateFunction<SensorReading, SumCount, SumCount> {
 public:
  SumCount create_accumulator() override { return {0, 0}; }
  SumCount add(const SensorReading& r, SumCount acc) override {
    return {acc.first + r.value, acc.second + 1};
  }
  SumCount get_result(const SumCount& acc) override { return acc; }
  SumCount merge(SumCount a, const SumCount& b) override {
    return {a.first + b.first, a.second + b.second};
  }
};

// Formats the pre-aggregated (sum, count) of a window together with its key and bounds.
class FormatWindow
    : public eddy::ProcessWindowFunction<SumCount, std::string, std::string, eddy::TimeWindow> {
 public:
  void process(const std::string& sensor, Context& ctx, const std::vector<SumCount>& results,
               eddy::Collector<std::string>& out) override {
    const SumCount& r = results.at(0);
    out.collect("sensor " + sensor + " window [" + std::to_string(ctx.window().get_start() / 1000) +
                ", " + std::to_string(ctx.window().get_end() / 1000) +
                ") sum=" + std::to_string(r.first) + " count=" + std::to_string(r.second));
  }
};

}  // namespace

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);  // see the header comment

  // The readings in arrival order. "wm" is the watermark after each reading (max time - 2 s -
  // 1 ms). A window [start, end) fires when the watermark reaches end - 1 ms, and is kept for
  // late readings until the watermark reaches end - 1 ms + 5 s (the allowed lateness).
  const std::vector<SensorReading> readings = {
      {"s1", 1, 10},  // wm  -1.001
      {"s2", 3, 20},  // wm   0.999
      {"s1", 7, 5},   // wm   4.999
      {"s1", 5, 3},   // out of order, but 5 > wm 4.999: on time.
      {"s2", 11, 8},  // wm   8.999
      {"s1", 12, 1},  // wm   9.999: fires [0, 10) of s1 (18, 3 readings) and of s2 (20, 1).
      // 9 <= wm 9.999, so late: [0, 10) has fired. But the window is kept until wm 14.999, so
      // the reading is added and [0, 10) of s1 fires again: sum=22 count=4.
      {"s1", 9, 4},
      {"s2", 14, 2},  // wm  11.999
      {"s1", 18, 6},  // wm  15.999: past 14.999, so both [0, 10) windows are dropped now.
      // Window [0, 10) of s2 is gone (wm 15.999 >= 14.999): too late, to the side output.
      {"s2", 8, 7},
      {"s1", 22, 9},  // wm  19.999: fires [10, 20) of s1 (7, 2 readings) and of s2 (10, 2).
      // 16 <= wm 19.999 but [10, 20) is kept until wm 24.999: s2's [10, 20) fires again, 15/3.
      {"s2", 16, 5},
      // Window [0, 10) of s1 was dropped at wm 14.999: 100 is too late, to the side output.
      {"s1", 2, 100},
      // The end of the input is the watermark +infinity: fires [20, 30) of s1 (9, 1 reading).
  };

  const eddy::OutputTag<SensorReading> late_tag("late-readings");

  auto windowed =
      env.from_collection(readings)
          .assign_timestamps_and_watermarks(
              eddy::WatermarkStrategy<SensorReading>::for_generator([] {
                return std::make_unique<PunctuatedBoundedOutOfOrderness>();
              }).with_timestamp_assigner([](const SensorReading& r) { return r.time_s * 1000; }))
          .set_parallelism(1)  // one generator sees every reading, in arrival order
          .key_by([](const SensorReading& r) { return r.sensor; })
          .window(eddy::TumblingEventTimeWindows::of(eddy::Time::seconds(10)))
          .allowed_lateness(eddy::Time::seconds(5))
          .side_output_late_data(late_tag)
          .aggregate(SumAndCount(), FormatWindow());

  windowed.print();
  windowed.get_side_output(late_tag)
      .map([](const SensorReading& r) { return "LATE: " + to_string(r); })
      .print();

  env.execute("Event Time Lateness");
  return 0;
}
