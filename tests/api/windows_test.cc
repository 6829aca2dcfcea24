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

// Brute force sessions: per key, sort by time, cut where the gap to the previous event exceeds
// `gap` (windows [t, t + gap) that touch merge, as in Flink).
std::vector<Total> brute_force_sessions(const std::vector<Event>& events, int64_t gap) {
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> by_key;
  for (const auto& [key, ts, value] : events) by_key[key].emplace_back(ts, value);
  std::vector<Total> out;
  for (auto& [key, list] : by_key) {
    std::sort(list.begin(), list.end());
    int64_t start = list.front().first, last = start, sum = 0;
    for (const auto& [ts, value] : list) {
      if (ts - last > gap) {
        out.emplace_back(key, start, sum);
        start = ts;
        sum = 0;
      }
      last = ts;
      sum += value;
    }
    out.emplace_back(key, start, sum);
  }
  return testing::sorted(out);
}

TEST(WindowsTest, SessionWindowsMatchAPlainLoop) {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    const int64_t disorder = 100 * seed;
    const auto events = disordered_events(seed + 100, 1200, 9, disorder);
    const int64_t gap = 400 + 150 * seed;
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2);
    auto out = env.from_collection(events)
                   .assign_timestamps_and_watermarks(bounded(disorder))
                   .key_by([](const Event& e) { return std::get<0>(e); })
                   .window(EventTimeSessionWindows::with_gap(Time::milliseconds(gap)))
                   .aggregate(SumValues(), SumPerWindow())
                   .execute_and_collect()
                   .to_vector();
    const auto expected = brute_force_sessions(events, gap);
    out = testing::sorted(out);
    std::vector<Total> missing, extra;
    std::set_difference(expected.begin(), expected.end(), out.begin(), out.end(),
                        std::back_inserter(missing));
    std::set_difference(out.begin(), out.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    EXPECT_TRUE(missing.empty() && extra.empty())
        << "seed " << seed << ": " << missing.size() << " sessions missing, first "
        << (missing.empty()
                ? "-"
                : std::get<0>(missing[0]) + "@" + std::to_string(std::get<1>(missing[0])) + "=" +
                      std::to_string(std::get<2>(missing[0])))
        << "; " << extra.size() << " unexpected, first "
        << (extra.empty() ? "-"
                          : std::get<0>(extra[0]) + "@" + std::to_string(std::get<1>(extra[0])) +
                                "=" + std::to_string(std::get<2>(extra[0])));
  }
}

// Every element's window, counted by a process function that sees all elements.
struct CountElements : ProcessWindowFunction<Event, std::string, std::string, TimeWindow> {
  void process(const std::string& key, Context& ctx, const std::vector<Event>& elements,
               Collector<std::string>& out) override {
    out.collect(key + " [" + std::to_string(ctx.window().get_start()) + "," +
                std::to_string(ctx.window().get_end()) + ") n=" + std::to_string(elements.size()));
  }
};

// Emits one event per step of `events`, then waits for `step` to be opened again, so the test
// can move the clock between elements.
struct SteppedSource : SourceFunction<Event> {
  std::vector<Event> events;
  std::shared_ptr<testing::Latch> done = std::make_shared<testing::Latch>();
  void run(SourceContext<Event>& ctx) override {
    for (const Event& e : events) ctx.collect(e);
    done->wait();
  }
  void cancel() override { done->open(); }
};

// The processing-time trigger, and a latch the test waits on until `expected` elements reached
// their windows (so that the test moves the clock only after they were assigned).
struct ObservedProcessingTimeTrigger : Trigger<Event, TimeWindow> {
  ProcessingTimeTrigger::Bound<Event, TimeWindow> inner;
  std::shared_ptr<std::atomic<int>> seen = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<testing::Latch> all_assigned = std::make_shared<testing::Latch>();
  int expected = 0;
  TriggerResult on_element(const Event& e, int64_t ts, const TimeWindow& w,
                           TriggerContext<TimeWindow>& ctx) const override {
    auto result = inner.on_element(e, ts, w, ctx);
    if (++*seen == expected) all_assigned->open();
    return result;
  }
  TriggerResult on_processing_time(int64_t t, const TimeWindow& w,
                                   TriggerContext<TimeWindow>& ctx) const override {
    return inner.on_processing_time(t, w, ctx);
  }
  TriggerResult on_event_time(int64_t t, const TimeWindow& w,
                              TriggerContext<TimeWindow>& ctx) const override {
    return inner.on_event_time(t, w, ctx);
  }
  void clear(const TimeWindow& w, TriggerContext<TimeWindow>& ctx) const override {
    inner.clear(w, ctx);
  }
  std::string to_string() const override { return "ObservedProcessingTimeTrigger"; }
};

TEST(WindowsTest, ProcessingTimeWindowsFireWhenTheClockPassesTheirEnd) {
  auto clock = std::make_shared<ManualClock>(10'000);
  auto sink = std::make_shared<testing::SharedSink<std::string>>();
  SteppedSource source;
  source.events = {{"a", 0, 1}, {"b", 0, 1}, {"a", 0, 1}};
  ObservedProcessingTimeTrigger trigger;
  trigger.expected = 3;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2).set_processing_time_clock(clock);
  env.add_source(source)
      .key_by([](const Event& e) { return std::get<0>(e); })
      .window(TumblingProcessingTimeWindows::of(Time::seconds(5)))
      .trigger(trigger)
      .process(CountElements())
      .add_sink([sink](const std::string& s) { sink->add(s); });
  JobClient client = env.execute_async("processing-time windows");
  // Elements are assigned at clock 10000 to [10000, 15000); the window fires at its last
  // millisecond, 14999 (a result at 14998 would be premature).
  trigger.all_assigned->wait();
  clock->set(14'998);
  clock->set(14'999);
  auto out = sink->wait_for_size(2);
  source.done->open();
  client.get_job_execution_result();
  EXPECT_EQ(testing::sorted(out),
            (std::vector<std::string>{"a [10000,15000) n=2", "b [10000,15000) n=1"}));
}

TEST(WindowsTest, CountWindowsTumbleAndSlide) {
  std::vector<int64_t> values;
  for (int64_t i = 1; i <= 10; ++i) values.push_back(i);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto keyed = env.from_collection(values).key_by([](const int64_t& v) { return v % 2; });
  auto tumbling =
      keyed.count_window(2).reduce(std::plus<int64_t>()).execute_and_collect().to_vector();
  // odd: 1+3, 5+7 (9 waits for a partner); even: 2+4, 6+8 (10 waits)
  EXPECT_EQ(testing::sorted(tumbling), (std::vector<int64_t>{4, 6, 12, 14}));
  auto sliding =
      keyed.count_window(3, 2).reduce(std::plus<int64_t>()).execute_and_collect().to_vector();
  // Every 2 elements of a key, the sum of its last 3 (or fewer, at first).
  std::vector<int64_t> expected;
  for (int parity = 0; parity < 2; ++parity) {
    std::vector<int64_t> seen;
    for (int64_t v : values) {
      if (v % 2 != parity) continue;
      seen.push_back(v);
      if (seen.size() % 2 == 0) {
        int64_t sum = 0;
        for (size_t i = seen.size() >= 3 ? seen.size() - 3 : 0; i < seen.size(); ++i)
          sum += seen[i];
        expected.push_back(sum);
      }
    }
  }
  EXPECT_EQ(testing::sorted(sliding), testing::sorted(expected));
}

// Emits the watermark ts - 1 after every element, so lateness is decided by the input order.
struct Punctuated : WatermarkGenerator<Event> {
  void on_event(const Event&, int64_t ts, WatermarkOutput& out) override {
    out.emit_watermark(ts - 1);
  }
  void on_periodic_emit(WatermarkOutput&) override {}
};

WatermarkStrategy<Event> punctuated() {
  return WatermarkStrategy<Event>::for_generator([] { return std::make_unique<Punctuated>(); })
      .with_timestamp_assigner([](const Event& e) { return std::get<1>(e); });
}

TEST(WindowsTest, LateElementsRefireWithinTheLatenessAndGoToTheSideOutputBeyondIt) {
  // One key, punctuated watermarks, windows of 10 s, allowed lateness 5 s.
  const std::vector<Event> events = {
      {"s", 1'000, 1},    // window [0,10)
      {"s", 12'000, 2},   // watermark 11999: [0,10) fires with 1
      {"s", 3'000, 4},    // late but within lateness (cleanup at 9999 + 5000): fires [0,10) again
      {"s", 15'500, 8},   // watermark 15499: [0,10) is cleaned up (15499 > 14999)
      {"s", 4'000, 16},   // too late: side output
      {"s", 21'000, 32},  // watermark 20999: [10,20) fires with 2 + 8
  };
  OutputTag<Event> late("late");
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto windowed = env.from_collection(events)
                      .assign_timestamps_and_watermarks(punctuated())
                      .key_by([](const Event& e) { return std::get<0>(e); })
                      .window(TumblingEventTimeWindows::of(Time::seconds(10)))
                      .allowed_lateness(Time::seconds(5))
                      .side_output_late_data(late)
                      .aggregate(SumValues(), SumPerWindow());
  auto late_values = std::make_shared<testing::SharedSink<int64_t>>();
  windowed.get_side_output(late).add_sink(
      [late_values](const Event& e) { late_values->add(std::get<2>(e)); });
  auto out = windowed.execute_and_collect().to_vector();
  EXPECT_EQ(out,
            (std::vector<Total>{{"s", 0, 1}, {"s", 0, 5}, {"s", 10'000, 10}, {"s", 20'000, 32}}));
  EXPECT_EQ(late_values->values(), (std::vector<int64_t>{16}));
}

TEST(WindowsTest, LateElementsWithoutSideOutputAreCountedAsDropped) {
  const std::vector<Event> events = {{"s", 20'000, 1}, {"s", 1'000, 2}, {"s", 2'000, 4}};
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection(events)
      .assign_timestamps_and_watermarks(punctuated())
      .key_by([](const Event& e) { return std::get<0>(e); })
      .window(TumblingEventTimeWindows::of(Time::seconds(10)))
      .aggregate(SumValues(), SumPerWindow())
      .add_sink([](const Total&) {});
  auto result = env.execute("dropped");
  EXPECT_EQ(result.get_accumulator_result("numLateRecordsDropped"), 2);
}

// Counts firings of each window in window state and all firings of the key in global state.
struct FiringCounter : ProcessWindowFunction<Event, std::string, std::string, TimeWindow> {
  void process(const std::string& key, Context& ctx, const std::vector<Event>& elements,
               Collector<std::string>& out) override {
    auto& in_window =
        ctx.window_state().get_state(ValueStateDescriptor<int64_t>("window-firings", 0));
    auto& in_key = ctx.global_state().get_state(ValueStateDescriptor<int64_t>("key-firings", 0));
    in_window.update(in_window.value().value() + 1);
    in_key.update(in_key.value().value() + 1);
    out.collect(key + " " + std::to_string(ctx.window().get_start()) +
                " n=" + std::to_string(elements.size()) +
                " window firings=" + std::to_string(*in_window.value()) +
                " key firings=" + std::to_string(*in_key.value()));
  }
  void clear(Context& ctx) override {
    ctx.window_state().get_state(ValueStateDescriptor<int64_t>("window-firings", 0)).clear();
  }
};

TEST(WindowsTest, ContinuousTriggerFiresRepeatedlyWithPerWindowAndGlobalState) {
  const std::vector<Event> events = {
      {"a", 100, 1}, {"a", 1'200, 1}, {"a", 2'500, 1}, {"a", 4'100, 1}, {"a", 12'000, 1}};
  auto env = StreamExecutionEnvironment::get_execution_environment();
  // A clock that stands still: no periodic watermark, so only the final one fires the timers.
  env.set_parallelism(1).set_processing_time_clock(std::make_shared<ManualClock>());
  auto out = env.from_collection(events)
                 .assign_timestamps_and_watermarks(
                     WatermarkStrategy<Event>::for_monotonous_timestamps().with_timestamp_assigner(
                         [](const Event& e) { return std::get<1>(e); }))
                 .key_by([](const Event& e) { return std::get<0>(e); })
                 .window(TumblingEventTimeWindows::of(Time::seconds(10)))
                 .trigger(ContinuousEventTimeTrigger::of(Time::seconds(2)))
                 .process(FiringCounter())
                 .execute_and_collect()
                 .to_vector();
  // The final watermark fires every timer in time order: [0,10) every 2 s from its first
  // element (2000 ... 8000) and at its end 9999; [10,20) at 14000, 16000, 18000 and 19999.
  std::vector<std::string> expected;
  for (int i = 1; i <= 5; ++i) {
    expected.push_back("a 0 n=4 window firings=" + std::to_string(i) +
                       " key firings=" + std::to_string(i));
  }
  for (int i = 1; i <= 4; ++i) {
    expected.push_back("a 10000 n=1 window firings=" + std::to_string(i) +
                       " key firings=" + std::to_string(5 + i));
  }
  EXPECT_EQ(out, expected);
}

struct CountEvents : AggregateFunction<Event, int64_t, int64_t> {
  int64_t create_accumulator() override { return 0; }
  int64_t add(const Event&, int64_t acc) override { return acc + 1; }
  int64_t get_result(const int64_t& acc) override { return acc; }
  int64_t merge(int64_t a, const int64_t& b) override { return a + b; }
};

TEST(WindowsTest, AnIdleInputDoesNotHoldBackWindowsWithIdleness) {
  auto clock = std::make_shared<ManualClock>(0);
  SteppedSource busy, quiet;
  for (int64_t t = 1000; t <= 19'000; t += 1000) busy.events.emplace_back("k", t, 1);
  quiet.events = {{"k", 500, 1}};
  auto progress = std::make_shared<std::atomic<int>>(0);
  auto all_through = std::make_shared<testing::Latch>();
  const int total = static_cast<int>(busy.events.size() + quiet.events.size());
  auto sink = std::make_shared<testing::SharedSink<Total>>();
  auto by_time = [](const Event& e) { return std::get<1>(e); };

  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).set_auto_watermark_interval(200).set_processing_time_clock(clock);
  auto busy_stream = env.add_source(busy).assign_timestamps_and_watermarks(
      WatermarkStrategy<Event>::for_monotonous_timestamps().with_timestamp_assigner(by_time));
  auto quiet_stream = env.add_source(quiet).assign_timestamps_and_watermarks(
      WatermarkStrategy<Event>::for_monotonous_timestamps()
          .with_timestamp_assigner(by_time)
          .with_idleness(Duration::of_millis(500)));
  busy_stream.union_(quiet_stream)
      .map([progress, all_through, total](const Event& e) {
        if (++*progress == total) all_through->open();
        return e;
      })
      .key_by([](const Event& e) { return std::get<0>(e); })
      .window(TumblingEventTimeWindows::of(Time::seconds(10)))
      .aggregate(CountEvents(), SumPerWindow())
      .add_sink([sink](const Total& t) { sink->add(t); });
  JobClient client = env.execute_async("idleness");

  all_through->wait();
  // The first periodic check: the busy input's watermark is 18999; the quiet one (last event at
  // 500, watermark 499) has had no event for 1 s and goes idle, so [0, 10000) fires.
  clock->set(1000);
  EXPECT_EQ(sink->wait_for_size(1), (std::vector<Total>{{"k", 0, 10}}));
  busy.done->open();
  quiet.done->open();
  client.get_job_execution_result();
  EXPECT_EQ(sink->values(), (std::vector<Total>{{"k", 0, 10}, {"k", 10'000, 10}}));
}

TEST(WindowsTest, EvictorKeepsTheLastElementsAndWindowAllSeesEveryKey) {
  std::vector<int64_t> values;
  for (int64_t i = 1; i <= 9; ++i) values.push_back(i);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  // Non-keyed, every 3 elements: the sum of the last 2 seen.
  auto out = env.from_collection(values)
                 .window_all(GlobalWindows::create())
                 .trigger(CountTrigger::of(3))
                 .evictor(CountEvictor::of(2))
                 .reduce(std::plus<int64_t>())
                 .execute_and_collect()
                 .to_vector();
  EXPECT_EQ(out, (std::vector<int64_t>{2 + 3, 5 + 6, 8 + 9}));
}

}  // namespace
}  // namespace eddy
