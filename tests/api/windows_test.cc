// Windows on keyed and non-keyed streams, checked against plain loops over the same events:
// tumbling, sliding and session windows in event time with random out-of-orderness (property
// style: many seeds), processing-time windows under a ManualClock, count windows, evictors,
// process functions with per-window state, and window_all.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "api/test_jobs.h"
#include "support/shared_sink.h"

namespace eddy {
namespace {

using Event = std::tuple<std::string, int64_t, int64_t>;  // (key, event time ms, value)
using Total = std::tuple<std::string, int64_t, int64_t>;  // (key, window start, sum)

// Events with timestamps shuffled by at most `disorder` ms relative to their order.
std::vector<Event> disordered_events(unsigned seed, int n, int keys, int64_t disorder) {
  std::mt19937 rng(seed);
  std::vector<Event> events;
  int64_t t = 0;
  for (int i = 0; i < n; ++i) {
    t += rng() % 300;
    const int64_t jitter = disorder == 0 ? 0 : static_cast<int64_t>(rng() % disorder);
    events.emplace_back("k" + std::to_string(rng() % keys), std::max<int64_t>(0, t - jitter),
                        static_cast<int64_t>(rng() % 100));
  }
  return events;
}

WatermarkStrategy<Event> bounded(int64_t disorder) {
  return WatermarkStrategy<Event>::for_bounded_out_of_orderness(Duration::of_millis(disorder))
      .with_timestamp_assigner([](const Event& e) { return std::get<1>(e); });
}

// Sums values per key and window; emits (key, window start, sum).
struct SumPerWindow : ProcessWindowFunction<int64_t, Total, std::string, TimeWindow> {
  void process(const std::string& key, Context& ctx, const std::vector<int64_t>& sums,
               Collector<Total>& out) override {
    out.collect({key, ctx.window().get_start(), sums.at(0)});
  }
};

struct SumValues : AggregateFunction<Event, int64_t, int64_t> {
  int64_t create_accumulator() override { return 0; }
  int64_t add(const Event& e, int64_t acc) override { return acc + std::get<2>(e); }
  int64_t get_result(const int64_t& acc) override { return acc; }
  int64_t merge(int64_t a, const int64_t& b) override { return a + b; }
};

// Brute force: every (key, window) of a fixed-size assignment, summed by a plain loop.
std::vector<Total> brute_force_sliding(const std::vector<Event>& events, int64_t size,
                                       int64_t slide) {
  std::map<std::pair<std::string, int64_t>, int64_t> sums;
  for (const auto& [key, ts, value] : events) {
    for (int64_t start = ts - ts % slide; start > ts - size; start -= slide) {
      sums[{key, start}] += value;
    }
  }
  std::vector<Total> out;
  for (const auto& [kw, sum] : sums) out.emplace_back(kw.first, kw.second, sum);
  return out;
}

TEST(WindowsTest, TumblingAndSlidingEventTimeWindowsMatchAPlainLoop) {
  for (unsigned seed = 1; seed <= 8; ++seed) {
    const int64_t disorder = 50 * seed;
    const auto events = disordered_events(seed, 1500, 7, disorder);
    for (auto [size, slide] : {std::pair<int64_t, int64_t>{1000, 1000}, {1000, 250}}) {
      auto env = StreamExecutionEnvironment::get_execution_environment();
      env.set_parallelism(2);
      auto keyed = env.from_collection(events)
                       .assign_timestamps_and_watermarks(bounded(disorder))
                       .key_by([](const Event& e) { return std::get<0>(e); });
      std::vector<Total> out;
      if (size == slide) {
        out = keyed.window(TumblingEventTimeWindows::of(Time::milliseconds(size)))
                  .aggregate(SumValues(), SumPerWindow())
                  .execute_and_collect()
                  .to_vector();
      } else {
        out = keyed
                  .window(SlidingEventTimeWindows::of(Time::milliseconds(size),
                                                      Time::milliseconds(slide)))
                  .aggregate(SumValues(), SumPerWindow())
                  .execute_and_collect()
                  .to_vector();
      }
      EXPECT_EQ(testing::sorted(out), brute_force_sliding(events, size, slide))
          << "seed " << seed << " size " << size << " slide " << slide;
    }
  }
}

}  // namespace
}  // namespace eddy
