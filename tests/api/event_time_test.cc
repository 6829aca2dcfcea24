// Event time: timestamps follow records through chains and shuffles, watermarks flow in order
// with the records, and the end of a bounded input carries event time to its end.
#include <gtest/gtest.h>

#include "api/test_jobs.h"
#include "runtime/watermark_valve.h"

namespace eddy {
namespace {

using Seen = std::tuple<int64_t, int64_t, int64_t>;  // (value, timestamp, current watermark)

struct RecordTime : ProcessFunction<int64_t, Seen> {
  void process_element(const int64_t& v, Context& ctx, Collector<Seen>& out) override {
    out.collect({v, ctx.timestamp().value_or(-1), ctx.timer_service().current_watermark()});
  }
};

// Emits watermark ts - 1 after every event: a punctuated generator.
struct EveryEvent : WatermarkGenerator<int64_t> {
  void on_event(const int64_t&, int64_t ts, WatermarkOutput& out) override {
    out.emit_watermark(ts - 1);
  }
  void on_periodic_emit(WatermarkOutput&) override {}
};

TEST(EventTimeTest, TimestampsSurviveChainsAndShuffles) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto out =
      env.from_sequence(1, 2000)
          .assign_timestamps_and_watermarks(
              WatermarkStrategy<int64_t>::for_monotonous_timestamps().with_timestamp_assigner(
                  [](int64_t v) { return v * 10; }))
          .map([](int64_t v) { return v; })
          .rebalance()
          .key_by([](int64_t v) { return v % 7; })
          .process([] {
            struct Keyed : KeyedProcessFunction<int64_t, int64_t, Seen> {
              void process_element(const int64_t& v, Context& ctx, Collector<Seen>& out) override {
                out.collect(
                    {v, ctx.timestamp().value_or(-1), ctx.timer_service().current_watermark()});
              }
            };
            return Keyed();
          }())
          .execute_and_collect()
          .to_vector();
  ASSERT_EQ(out.size(), 2000u);
  for (auto [v, ts, wm] : out) {
    EXPECT_EQ(ts, v * 10);
    EXPECT_LT(wm, ts);  // monotonous input: no record is behind the watermark
  }
}

TEST(EventTimeTest, PunctuatedWatermarksFollowTheirRecords) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  std::vector<int64_t> input;
  for (int64_t i = 1; i <= 300; ++i) input.push_back(i);
  auto out =
      env.from_collection(input)
          .assign_timestamps_and_watermarks(WatermarkStrategy<int64_t>::for_generator([] {
                                              return std::make_unique<EveryEvent>();
                                            }).with_timestamp_assigner([](int64_t v) { return v; }))
          .rebalance()
          .process(RecordTime())
          .execute_and_collect()
          .to_vector();
  ASSERT_EQ(out.size(), 300u);
  for (auto [v, ts, wm] : out) {
    // Record v arrives after the watermark of record v - 1 (v - 2), never after its own.
    EXPECT_EQ(wm, v == 1 ? runtime::kMinWatermark : v - 2) << v;
  }
}

TEST(EventTimeTest, RecordsWithoutTimestampsHaveNone) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto out =
      env.from_sequence(1, 100).rebalance().process(RecordTime()).execute_and_collect().to_vector();
  for (auto [v, ts, wm] : out) EXPECT_EQ(ts, -1);
}

struct TimedSource : SourceFunction<std::string> {
  void run(SourceContext<std::string>& ctx) override {
    ctx.collect_with_timestamp("a", 1000);
    ctx.emit_watermark(1000);
    ctx.collect_with_timestamp("b", 2000);
  }
  void cancel() override {}
};

TEST(EventTimeTest, SourcesEmitTimestampsAndWatermarksThemselves) {
  struct Show : ProcessFunction<std::string, std::string> {
    void process_element(const std::string& v, Context& ctx, Collector<std::string>& out) override {
      out.collect(v + "@" + std::to_string(*ctx.timestamp()) + " wm " +
                  std::to_string(ctx.timer_service().current_watermark()));
    }
  };
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto out =
      env.add_source(TimedSource()).rebalance().process(Show()).execute_and_collect().to_vector();
  EXPECT_EQ(out, (std::vector<std::string>{"a@1000 wm " + std::to_string(runtime::kMinWatermark),
                                           "b@2000 wm 1000"}));
}

TEST(WatermarkValveTest, MinimumOverChannelsAndFinishedChannelsDoNotHoldBack) {
  runtime::WatermarkValve valve(3);
  EXPECT_EQ(valve.on_watermark(0, 10), std::nullopt);
  EXPECT_EQ(valve.on_watermark(1, 5), std::nullopt);
  EXPECT_EQ(valve.on_watermark(2, 7), std::optional<int64_t>(5));
  EXPECT_EQ(valve.on_watermark(1, 4), std::nullopt);  // never backwards
  EXPECT_EQ(valve.on_watermark(1, 12), std::optional<int64_t>(7));
  EXPECT_EQ(valve.on_channel_finished(2), std::optional<int64_t>(10));
  EXPECT_EQ(valve.on_channel_finished(0), std::optional<int64_t>(12));
  EXPECT_EQ(valve.on_channel_finished(1), std::optional<int64_t>(runtime::kMaxWatermark));
}

}  // namespace
}  // namespace eddy
