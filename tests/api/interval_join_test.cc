// The keyed interval join: the joined pairs equal a nested loop over all pairs of equal keys within
// the bounds (inclusive, exclusive, negative), pairs carry the larger timestamp, late records are
// dropped and counted (or side-output), buffers are cleaned up exactly when the watermark passes
// the last time a record could join, and records without timestamps fail the job.
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <random>

#include "api/test_jobs.h"

namespace eddy {
namespace {

constexpr int64_t kNoWatermark = std::numeric_limits<int64_t>::min();

struct Event {
  int key = 0;
  int64_t ts = 0;
  std::string id;
  int64_t watermark_after = kNoWatermark;  // for ScriptedWatermarks
};

std::string pair_string(const Event& left, const Event& right) {
  return std::to_string(left.key) + " " + left.id + "@" + std::to_string(left.ts) + " " + right.id +
         "@" + std::to_string(right.ts);
}

// Emits "key left@ts right@ts", checking the context's timestamps; on a per-subtask latch it
// also opens `on_pair` once the pair with ids `trigger` has been seen.
struct PairJoin : ProcessJoinFunction<Event, Event, std::string> {
  std::shared_ptr<testing::Latch> on_pair;
  std::pair<std::string, std::string> trigger;
  void process_element(const Event& left, const Event& right, Context& ctx,
                       Collector<std::string>& out) override {
    EXPECT_EQ(ctx.get_left_timestamp(), left.ts);
    EXPECT_EQ(ctx.get_right_timestamp(), right.ts);
    EXPECT_EQ(ctx.get_timestamp(), std::max(left.ts, right.ts));
    EXPECT_EQ(left.key, right.key);
    out.collect(pair_string(left, right));
    if (on_pair && left.id == trigger.first && right.id == trigger.second) on_pair->open();
  }
};

// Appends the timestamp each joined record carries: " @ts".
struct WithRecordTimestamp : ProcessFunction<std::string, std::string> {
  void process_element(const std::string& value, Context& ctx,
                       Collector<std::string>& out) override {
    out.collect(value + " @" + (ctx.timestamp() ? std::to_string(*ctx.timestamp()) : "none"));
  }
};

struct Bounds {
  int64_t lower;
  int64_t upper;
  bool lower_exclusive = false;
  bool upper_exclusive = false;
};

std::vector<std::string> nested_loop(const std::vector<Event>& left,
                                     const std::vector<Event>& right, const Bounds& b) {
  std::vector<std::string> joined;
  for (const Event& l : left) {
    for (const Event& r : right) {
      if (l.key != r.key) continue;
      const bool above_lower = b.lower_exclusive ? r.ts > l.ts + b.lower : r.ts >= l.ts + b.lower;
      const bool below_upper = b.upper_exclusive ? r.ts < l.ts + b.upper : r.ts <= l.ts + b.upper;
      if (above_lower && below_upper) {
        joined.push_back(pair_string(l, r) + " @" + std::to_string(std::max(l.ts, r.ts)));
      }
    }
  }
  return joined;
}

// Timestamps on a 100 ms grid, so that pairs fall exactly on the bounds, out of order by up to
// 300 ms: a 400 ms out-of-orderness bound leaves no record late.
std::vector<Event> random_events(const std::string& side, int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Event> events;
  int64_t base = 10'000;
  for (int i = 0; i < n; ++i) {
    base += static_cast<int64_t>(rng() % 3) * 100;
    const int64_t ts = base - static_cast<int64_t>(rng() % 4) * 100;
    events.push_back({static_cast<int>(rng() % 5), ts, side + std::to_string(i)});
  }
  return events;
}

DataStream<Event> with_bounded_watermarks(StreamExecutionEnvironment& env,
                                          const std::vector<Event>& events) {
  return env.from_collection(events)
      .assign_timestamps_and_watermarks(
          WatermarkStrategy<Event>::for_bounded_out_of_orderness(Duration::of_millis(400))
              .with_timestamp_assigner([](const Event& e) { return e.ts; }))
      .set_parallelism(1);
}

std::vector<std::string> run_join(const std::vector<Event>& left, const std::vector<Event>& right,
                                  const Bounds& b) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto joined = with_bounded_watermarks(env, left)
                    .key_by([](const Event& e) { return e.key; })
                    .interval_join(with_bounded_watermarks(env, right).key_by([](const Event& e) {
                      return e.key;
                    }))
                    .between(Time::milliseconds(b.lower), Time::milliseconds(b.upper));
  if (b.lower_exclusive) joined = joined.lower_bound_exclusive();
  if (b.upper_exclusive) joined = joined.upper_bound_exclusive();
  return joined.process(PairJoin())
      .process(WithRecordTimestamp())
      .execute_and_collect()
      .to_vector();
}

TEST(IntervalJoinTest, JoinedPairsMatchANestedLoopForInclusiveExclusiveAndNegativeBounds) {
  const auto left = random_events("l", 300, 7);
  const auto right = random_events("r", 300, 8);
  const std::vector<Bounds> all_bounds = {{-2000, 1000},
                                          {-2000, 1000, true, false},
                                          {-2000, 1000, false, true},
                                          {-2000, 1000, true, true},
                                          {0, 0},
                                          {0, 0, true, true},
                                          {-700, -200},
                                          {200, 900, true, true},
                                          {-300, -300},
                                          {-100, 100, true, false}};
  for (const Bounds& b : all_bounds) {
    SCOPED_TRACE("between(" + std::to_string(b.lower) + ", " + std::to_string(b.upper) + ")" +
                 (b.lower_exclusive ? " lower exclusive" : "") +
                 (b.upper_exclusive ? " upper exclusive" : ""));
    const auto expected = testing::sorted(nested_loop(left, right, b));
    if (!(b.lower == 0 && b.upper == 0 && b.lower_exclusive)) {
      EXPECT_FALSE(expected.empty());  // the data exercises these bounds
    }
    EXPECT_EQ(testing::sorted(run_join(left, right, b)), expected);
  }
}

// Emits the watermark an event names, right after it: the tests below decide when event time
// moves, independently of how fast the job runs.
struct ScriptedWatermarks : WatermarkGenerator<Event> {
  void on_event(const Event& e, int64_t, WatermarkOutput& out) override {
    if (e.watermark_after != kNoWatermark) out.emit_watermark(e.watermark_after);
  }
  void on_periodic_emit(WatermarkOutput&) override {}
};

// Emits `before`, waits until `gate` opens, then emits `after`.
struct GatedSource : SourceFunction<Event> {
  GatedSource(std::vector<Event> before, std::shared_ptr<testing::Latch> gate,
              std::vector<Event> after)
      : before(std::move(before)), gate(std::move(gate)), after(std::move(after)) {}
  std::vector<Event> before;
  std::shared_ptr<testing::Latch> gate;
  std::vector<Event> after;
  void run(SourceContext<Event>& ctx) override {
    for (const Event& e : before) ctx.collect(e);
    gate->wait();
    for (const Event& e : after) ctx.collect(e);
  }
  void cancel() override { gate->open(); }
};

DataStream<Event> scripted(StreamExecutionEnvironment& env, GatedSource source) {
  return env.add_source(std::move(source))
      .set_parallelism(1)
      .assign_timestamps_and_watermarks(
          WatermarkStrategy<Event>::for_generator([] {
            return std::make_unique<ScriptedWatermarks>();
          }).with_timestamp_assigner([](const Event& e) { return e.ts; }))
      .set_parallelism(1);  // one generator sees the source's order
}

Event ev(const std::string& id, int64_t ts, int64_t watermark_after = kNoWatermark) {
  return Event{1, ts, id, watermark_after};
}

// The gate opens once the join has seen (l2, r2). Both arrived then, so the watermark 4999 that
// follows l1 and r1 in their channels has reached the join: the records at 1000 sent after the
// gate are late on either side, whatever the interleaving of the two inputs.
struct LateJob {
  std::vector<std::string> joined;
  std::vector<std::string> left_late;
  int64_t dropped = 0;
};

LateJob run_late_job(bool left_late_to_side_output) {
  auto gate = std::make_shared<testing::Latch>();
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto left = scripted(
      env, {{ev("l1", 5000, 4999), ev("l2", 5100)}, gate, {ev("l-late", 1000), ev("l3", 5200)}});
  auto right = scripted(
      env, {{ev("r1", 5000, 4999), ev("r2", 5100)}, gate, {ev("r-late", 1000), ev("r3", 5200)}});
  PairJoin join;
  join.on_pair = gate;
  join.trigger = {"l2", "r2"};
  OutputTag<Event> late_tag("late-left");
  auto between = left.key_by([](const Event& e) { return e.key; })
                     .interval_join(right.key_by([](const Event& e) { return e.key; }))
                     .between(Time::milliseconds(-5000), Time::milliseconds(5000));
  if (left_late_to_side_output) between = between.side_output_left_late_data(late_tag);
  auto joined = between.process(join);
  auto result = std::make_shared<LateJob>();
  joined.add_sink([result](const std::string& s) { result->joined.push_back(s); })
      .set_parallelism(1);
  joined.get_side_output(late_tag)
      .add_sink([result](const Event& e) {
        result->left_late.push_back(e.id + "@" + std::to_string(e.ts));
      })
      .set_parallelism(1);
  result->dropped = env.execute("late records").get_accumulator_result("numLateRecordsDropped");
  return *result;
}

std::vector<std::string> all_pairs_of(const std::vector<std::string>& left,
                                      const std::vector<std::string>& right) {
  std::vector<std::string> pairs;
  for (const auto& l : left) {
    for (const auto& r : right) pairs.push_back("1 " + l + " " + r);
  }
  return testing::sorted(pairs);
}

TEST(IntervalJoinTest, LateRecordsAreDroppedAndCounted) {
  const LateJob job = run_late_job(false);
  // Within ±5000 ms every pair would join; the late records join nothing.
  EXPECT_EQ(testing::sorted(job.joined),
            all_pairs_of({"l1@5000", "l2@5100", "l3@5200"}, {"r1@5000", "r2@5100", "r3@5200"}));
  EXPECT_EQ(job.dropped, 2);
  EXPECT_TRUE(job.left_late.empty());
}

TEST(IntervalJoinTest, LateLeftRecordsGoToTheirSideOutputInsteadOfTheCounter) {
  const LateJob job = run_late_job(true);
  EXPECT_EQ(testing::sorted(job.joined),
            all_pairs_of({"l1@5000", "l2@5100", "l3@5200"}, {"r1@5000", "r2@5100", "r3@5200"}));
  EXPECT_EQ(job.left_late, std::vector<std::string>{"l-late@1000"});
  EXPECT_EQ(job.dropped, 1);
}

// between(0, 500): a left record at 1000 can join right records up to 1500 and is removed when
// the watermark reaches 1500; a right record at 1500 (lower bound 0) is removed at 1500 too. The
// gate opens once the watermark 1500 of both inputs has reached the join (l3 and r3 follow it).
// Then a right record at 1500 is not late (not below the watermark) but finds l1 gone, and a left
// record at 1500 finds r-early gone; before the watermark, r-early did join l1.
TEST(IntervalJoinTest, BuffersAreCleanedUpWhenTheWatermarkPassesTheLastJoinableTime) {
  auto gate = std::make_shared<testing::Latch>();
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto left = scripted(
      env,
      {{ev("l1", 1000), ev("l2", 1600, 1500), ev("l3", 1600)}, gate, {ev("l-boundary", 1500)}});
  auto right = scripted(env, {{ev("r-early", 1500), ev("r2", 1600, 1500), ev("r3", 1600)},
                              gate,
                              {ev("r-boundary", 1500)}});
  PairJoin join;
  join.on_pair = gate;
  join.trigger = {"l3", "r3"};
  auto out = left.key_by([](const Event& e) { return e.key; })
                 .interval_join(right.key_by([](const Event& e) { return e.key; }))
                 .between(Time::milliseconds(0), Time::milliseconds(500))
                 .process(join)
                 .execute_and_collect()
                 .to_vector();
  const std::vector<std::string> expected = {
      "1 l1@1000 r-early@1500",  // joined before the watermark reached 1500
      "1 l2@1600 r2@1600",
      "1 l2@1600 r3@1600",
      "1 l3@1600 r2@1600",
      "1 l3@1600 r3@1600",
      "1 l-boundary@1500 r2@1600",
      "1 l-boundary@1500 r3@1600",
      "1 l-boundary@1500 r-boundary@1500",
      // Not "l1 r-boundary" nor "l-boundary r-early": both buffered records were cleaned up.
  };
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

TEST(IntervalJoinTest, RecordsWithoutTimestampsFailTheJobNamingTheOperator) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  auto left = env.from_collection(std::vector<Event>{ev("l", 1)});
  auto right = env.from_collection(std::vector<Event>{ev("r", 1)});
  left.key_by([](const Event& e) { return e.key; })
      .interval_join(right.key_by([](const Event& e) { return e.key; }))
      .between(Time::milliseconds(-1), Time::milliseconds(1))
      .process(PairJoin())
      .add_sink([](const std::string&) {});
  try {
    env.execute("no timestamps");
    FAIL() << "expected a failure";
  } catch (const std::exception& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Interval Join"), std::string::npos) << message;
    EXPECT_NE(message.find("has no timestamp"), std::string::npos) << message;
    EXPECT_NE(message.find("assign_timestamps_and_watermarks"), std::string::npos) << message;
  }
}

TEST(IntervalJoinTest, ALowerBoundAboveTheUpperBoundIsRejected) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  auto left = env.from_collection(std::vector<Event>{ev("l", 1)});
  auto join = left.key_by([](const Event& e) { return e.key; })
                  .interval_join(left.key_by([](const Event& e) { return e.key; }));
  EXPECT_THROW(join.between(Time::milliseconds(1), Time::milliseconds(0)), InvalidProgramException);
}

}  // namespace
}  // namespace eddy
