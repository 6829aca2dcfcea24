// Tumbling and sliding windows over incremental aggregates keep per-slice accumulators that
// overlapping windows share. Their results, including which elements are late, must equal the
// general window operator's (reached here by naming the default trigger explicitly, which turns
// slicing off), for slides that divide the size and slides that do not, with offsets;
// processing-time sliding windows fire per slide under a ManualClock.
#include <gtest/gtest.h>

#include <random>

#include "api/test_jobs.h"
#include "support/latch.h"
#include "support/shared_sink.h"

namespace eddy {
namespace {

using Event = std::tuple<std::string, int64_t, int64_t>;           // (key, time ms, value)
using Total = std::tuple<std::string, int64_t, int64_t, int64_t>;  // (key, start, end, sum)

// Sums values; `added` (when set) sees every element the window operator assigns.
struct SumValues : AggregateFunction<Event, int64_t, int64_t> {
  std::shared_ptr<testing::SharedSink<int>> added;
  int64_t create_accumulator() override { return 0; }
  int64_t add(const Event& e, int64_t acc) override {
    if (added) added->add(1);
    return acc + std::get<2>(e);
  }
  int64_t get_result(const int64_t& acc) override { return acc; }
  int64_t merge(int64_t a, const int64_t& b) override { return a + b; }
};

struct WithWindow : ProcessWindowFunction<int64_t, Total, std::string, TimeWindow> {
  void process(const std::string& key, Context& ctx, const std::vector<int64_t>& sums,
               Collector<Total>& out) override {
    out.collect({key, ctx.window().get_start(), ctx.window().get_end(), sums.at(0)});
  }
};

// Emits the watermark ts - 1 after every element: disorder in the input makes elements late.
struct Punctuated : WatermarkGenerator<Event> {
  void on_event(const Event&, int64_t ts, WatermarkOutput& out) override {
    out.emit_watermark(ts - 1);
  }
  void on_periodic_emit(WatermarkOutput&) override {}
};

std::vector<Event> disordered_events(unsigned seed, int n, int keys) {
  std::mt19937 rng(seed);
  std::vector<Event> events;
  int64_t t = 0;
  for (int i = 0; i < n; ++i) {
    t += rng() % 200;
    const int64_t jitter = static_cast<int64_t>(rng() % 1500);
    events.emplace_back("k" + std::to_string(rng() % keys), t - jitter,
                        static_cast<int64_t>(rng() % 100));
  }
  return events;
}

struct JobRun {
  std::vector<Total> windows;
  std::vector<Event> late;
  std::string plan;
};

// `general` names the default trigger, which makes the job use one accumulator per window.
template <class Assigner>
JobRun run_windows(const std::vector<Event>& events, Assigner assigner, bool general) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  OutputTag<Event> late("late");
  auto windowed = env.from_collection(events)
                      .set_parallelism(1)
                      .assign_timestamps_and_watermarks(
                          WatermarkStrategy<Event>::for_generator([] {
                            return std::make_unique<Punctuated>();
                          }).with_timestamp_assigner([](const Event& e) { return std::get<1>(e); }))
                      .set_parallelism(1)  // one watermark sequence: lateness is deterministic
                      .key_by([](const Event& e) { return std::get<0>(e); })
                      .window(assigner)
                      .side_output_late_data(late);
  if (general) windowed = windowed.trigger(EventTimeTrigger::create());
  auto sums = windowed.aggregate(SumValues(), WithWindow());
  auto late_sink = std::make_shared<testing::SharedSink<Event>>();
  sums.get_side_output(late).add_sink([late_sink](const Event& e) { late_sink->add(e); });
  JobRun run;
  run.plan = env.get_execution_plan();
  run.windows = testing::sorted(sums.execute_and_collect().to_vector());
  run.late = testing::sorted(late_sink->values());
  return run;
}

void expect_same_results(const JobRun& sliced, const JobRun& general, const std::string& what) {
  ASSERT_NE(sliced.plan.find(" sliced,"), std::string::npos) << sliced.plan;
  ASSERT_EQ(general.plan.find(" sliced,"), std::string::npos) << general.plan;
  EXPECT_FALSE(sliced.late.empty()) << what;
  EXPECT_FALSE(sliced.windows.empty()) << what;
  EXPECT_EQ(sliced.windows, general.windows) << what;
  EXPECT_EQ(sliced.late, general.late) << what;
}

TEST(SlicedWindowsTest, MatchTheGeneralOperatorIncludingLateElements) {
  const std::vector<SlidingEventTimeWindows> assigners = {
      SlidingEventTimeWindows::of(Time::milliseconds(1000), Time::milliseconds(250)),
      SlidingEventTimeWindows::of(Time::milliseconds(1000), Time::milliseconds(400),
                                  Time::milliseconds(100)),
      SlidingEventTimeWindows::of(Time::milliseconds(900), Time::milliseconds(600),
                                  Time::milliseconds(-50)),
  };
  const auto tumbling =
      TumblingEventTimeWindows::of(Time::milliseconds(700), Time::milliseconds(200));
  for (unsigned seed = 1; seed <= 6; ++seed) {
    const auto events = disordered_events(seed, 800, 5);
    for (const auto& assigner : assigners) {
      expect_same_results(run_windows(events, assigner, /*general=*/false),
                          run_windows(events, assigner, /*general=*/true),
                          "seed " + std::to_string(seed) + " " + assigner.to_string());
    }
    expect_same_results(run_windows(events, tumbling, /*general=*/false),
                        run_windows(events, tumbling, /*general=*/true),
                        "seed " + std::to_string(seed) + " " + tumbling.to_string());
  }
}

TEST(SlicedWindowsTest, ReduceOverSlicesEqualsAPlainLoop) {
  // In order, nothing is late: every window [s, s + 1000) with s a multiple of 300 that holds an
  // element reports the maximum of its values.
  std::mt19937 rng(7);
  std::vector<Event> events;
  for (int64_t t = 0; t < 20'000; t += rng() % 50) {
    events.emplace_back("k" + std::to_string(rng() % 3), t, static_cast<int64_t>(rng() % 1000));
  }
  std::map<std::pair<std::string, int64_t>, int64_t> expected;
  for (const auto& [key, ts, value] : events) {
    for (int64_t start = ts - ts % 300; start > ts - 1000; start -= 300) {
      auto [it, fresh] = expected.try_emplace({key, start}, value);
      if (!fresh) it->second = std::max(it->second, value);
    }
  }
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto maxima =
      env.from_collection(events)
          .assign_timestamps_and_watermarks(
              WatermarkStrategy<Event>::for_monotonous_timestamps().with_timestamp_assigner(
                  [](const Event& e) { return std::get<1>(e); }))
          .key_by([](const Event& e) { return std::get<0>(e); })
          .window(SlidingEventTimeWindows::of(Time::milliseconds(1000), Time::milliseconds(300)))
          .max(2)
          .execute_and_collect()
          .to_vector();
  // A reduced element keeps the first element's key and time; compare key and maximum per window
  // by counting: each window contributes its maximum once.
  std::multiset<std::pair<std::string, int64_t>> got, want;
  for (const auto& [key, ts, value] : maxima) got.emplace(key, value);
  for (const auto& [kw, value] : expected) want.emplace(kw.first, value);
  EXPECT_EQ(got, want);
}

// Emits `first`, waits for `next`, emits `second`, then waits until cancelled or `done`.
struct TwoStepSource : SourceFunction<Event> {
  std::vector<Event> first, second;
  std::shared_ptr<testing::Latch> next = std::make_shared<testing::Latch>();
  std::shared_ptr<testing::Latch> done = std::make_shared<testing::Latch>();
  void run(SourceContext<Event>& ctx) override {
    for (const Event& e : first) ctx.collect(e);
    next->wait();
    for (const Event& e : second) ctx.collect(e);
    done->wait();
  }
  void cancel() override {
    next->open();
    done->open();
  }
};

TEST(SlicedWindowsTest, ProcessingTimeSlidingWindowsFireEverySlideWhileTheyHoldData) {
  auto clock = std::make_shared<ManualClock>(10'000);
  auto sink = std::make_shared<testing::SharedSink<Total>>();
  TwoStepSource source;
  source.first = {{"a", 0, 1}, {"b", 0, 10}, {"a", 0, 1}};
  source.second = {{"a", 0, 100}};
  SumValues sum;
  sum.added = std::make_shared<testing::SharedSink<int>>();
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2).set_processing_time_clock(clock);
  auto stream = env.add_source(source)
                    .key_by([](const Event& e) { return std::get<0>(e); })
                    .window(SlidingProcessingTimeWindows::of(Time::seconds(3), Time::seconds(1)))
                    .aggregate(sum, WithWindow());
  stream.add_sink([sink](const Total& t) { sink->add(t); });
  EXPECT_NE(env.get_execution_plan().find(" sliced,"), std::string::npos);
  JobClient client = env.execute_async("sliced processing-time windows");
  sum.added->wait_for_size(3);  // assigned at 10000: windows ending 11000, 12000, 13000
  clock->set(10'999);
  EXPECT_EQ(testing::sorted(sink->wait_for_size(2)),
            (std::vector<Total>{{"a", 8'000, 11'000, 2}, {"b", 8'000, 11'000, 10}}));
  clock->set(11'500);
  source.next->open();
  sum.added->wait_for_size(4);  // assigned at 11500: windows ending 12000, 13000, 14000
  clock->set(11'999);
  clock->set(12'999);
  clock->set(20'000);  // the last window of "a" ends at 14000; nothing after it
  auto out = sink->wait_for_size(7);
  source.done->open();
  client.get_job_execution_result();
  EXPECT_EQ(testing::sorted(sink->values()), (std::vector<Total>{{"a", 8'000, 11'000, 2},
                                                                 {"a", 9'000, 12'000, 102},
                                                                 {"a", 10'000, 13'000, 102},
                                                                 {"a", 11'000, 14'000, 100},
                                                                 {"b", 8'000, 11'000, 10},
                                                                 {"b", 9'000, 12'000, 10},
                                                                 {"b", 10'000, 13'000, 10}}));
}

TEST(SlicedWindowsTest, LatenessCustomTriggersAndGapsBetweenWindowsKeepOneAccumulatorPerWindow) {
  auto plan_of = [](auto configure) {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    auto windowed = env.from_collection(std::vector<Event>{{"a", 1, 1}}).key_by([](const Event& e) {
      return std::get<0>(e);
    });
    configure(windowed).aggregate(SumValues()).print();
    return env.get_execution_plan();
  };
  using Keyed = KeyedStream<Event, std::string>;
  auto sliding = [](Keyed& k) {
    return k.window(SlidingEventTimeWindows::of(Time::seconds(10), Time::seconds(1)));
  };
  EXPECT_NE(plan_of(sliding).find(" sliced,"), std::string::npos);
  EXPECT_NE(plan_of([](Keyed& k) {
              return k.window(TumblingProcessingTimeWindows::of(Time::seconds(10)));
            }).find(" sliced,"),
            std::string::npos);
  EXPECT_EQ(plan_of([&](Keyed& k) {
              return sliding(k).allowed_lateness(Time::seconds(1));
            }).find(" sliced,"),
            std::string::npos);
  EXPECT_EQ(
      plan_of([&](Keyed& k) { return sliding(k).trigger(CountTrigger::of(2)); }).find(" sliced,"),
      std::string::npos);
  EXPECT_EQ(plan_of([](Keyed& k) {
              return k.window(SlidingEventTimeWindows::of(Time::seconds(1), Time::seconds(2)));
            }).find(" sliced,"),
            std::string::npos);
}

}  // namespace
}  // namespace eddy
