// The Broadcast State Pattern: a stream of rules broadcast to every parallel instance, which
// keeps them in broadcast state, and a keyed or non-keyed stream processed against them. Every
// job's output is compared with a plain loop over the same input. The order between the two
// inputs is not defined, so the jobs either tolerate any order (buffering in keyed state until
// the rule is known, or timers that fire only when both inputs ended) or force one with a latch.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "api/test_jobs.h"
#include "support/latch.h"
#include "support/shared_sink.h"

namespace eddy {
namespace {

using Event = std::tuple<std::string, std::string, int64_t>;  // (user, event type, value)
using Rule = std::pair<std::string, int64_t>;                 // (event type, number)

const MapStateDescriptor<std::string, int64_t> kThresholds("thresholds");

std::vector<Event> random_events(int n, int users, int types, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    events.emplace_back("u" + std::to_string(rng() % users), "t" + std::to_string(rng() % types),
                        static_cast<int64_t>(rng() % 1000));
  }
  return events;
}

// One rule per event type t0 .. t<types-1>, plus one for a type no event has.
std::vector<Rule> rules_for(int types, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Rule> rules;
  for (int i = 0; i <= types; ++i) {
    rules.emplace_back("t" + std::to_string(i), static_cast<int64_t>(rng() % 1000));
  }
  return rules;
}

std::string show(const std::string& user, const Event& e) {
  return user + " " + std::get<1>(e) + " " + std::to_string(std::get<2>(e));
}

class BroadcastKeyedProcessTest : public ::testing::TestWithParam<int> {};

// Flink's documented pattern for rules that may come late: an event whose rule is unknown waits
// in keyed ListState; the rule's arrival releases the waiting events of every key through
// apply_to_keyed_state. Events at or above their type's threshold go to the main output, the
// others to a side output.
struct ThresholdAlerts : KeyedBroadcastProcessFunction<std::string, Event, Rule, std::string> {
  OutputTag<std::string> below{"below"};
  ListStateDescriptor<Event> pending_descriptor{"pending"};
  ListState<Event>* pending = nullptr;

  void open(RuntimeContext& ctx) override { pending = &ctx.get_list_state(pending_descriptor); }

  void process_element(const Event& e, ReadOnlyContext& ctx, Collector<std::string>& out) override {
    EXPECT_EQ(ctx.get_current_key(), std::get<0>(e));
    const ReadOnlyBroadcastState<std::string, int64_t>& thresholds =
        ctx.get_broadcast_state(kThresholds);
    if (auto threshold = thresholds.get(std::get<1>(e))) {
      emit(ctx.get_current_key(), e, *threshold, ctx, out);
    } else {
      pending->add(e);
    }
  }

  void process_broadcast_element(const Rule& rule, Context& ctx,
                                 Collector<std::string>& out) override {
    ctx.get_broadcast_state(kThresholds).put(rule.first, rule.second);
    ctx.apply_to_keyed_state(pending_descriptor,
                             [&](const std::string& user, ListState<Event>& waiting) {
                               std::vector<Event> still_waiting;
                               for (const Event& e : waiting.get()) {
                                 if (std::get<1>(e) == rule.first) {
                                   emit(user, e, rule.second, ctx, out);
                                 } else {
                                   still_waiting.push_back(e);
                                 }
                               }
                               waiting.update(std::move(still_waiting));
                             });
  }

  template <class Ctx>
  void emit(const std::string& user, const Event& e, int64_t threshold, Ctx& ctx,
            Collector<std::string>& out) {
    if (std::get<2>(e) >= threshold) {
      out.collect(show(user, e));
    } else {
      ctx.output(below, show(user, e));
    }
  }
};

TEST_P(BroadcastKeyedProcessTest, RulesBroadcastToKeyedEventsMatchABruteForceComputation) {
  const auto events = random_events(3000, 41, 6, 7);
  const auto rules = rules_for(6, 8);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(GetParam());
  auto above = std::make_shared<testing::SharedSink<std::string>>();
  auto below = std::make_shared<testing::SharedSink<std::string>>();
  ThresholdAlerts fn;
  auto alerts = env.from_collection(events)
                    .key_by([](const Event& e) { return std::get<0>(e); })
                    .connect(env.from_collection(rules).broadcast(kThresholds))
                    .process(fn);
  alerts.add_sink([above](const std::string& s) { above->add(s); });
  alerts.get_side_output(fn.below).add_sink([below](const std::string& s) { below->add(s); });
  env.execute("threshold alerts");

  std::map<std::string, int64_t> threshold(rules.begin(), rules.end());
  std::vector<std::string> expected_above;
  std::vector<std::string> expected_below;
  for (const Event& e : events) {
    (std::get<2>(e) >= threshold.at(std::get<1>(e)) ? expected_above : expected_below)
        .push_back(show(std::get<0>(e), e));
  }
  EXPECT_EQ(testing::sorted(above->values()), testing::sorted(expected_above));
  EXPECT_EQ(testing::sorted(below->values()), testing::sorted(expected_below));
}

// Counts events per user in ValueState, but only for users whose number is 2 mod 3: users 1 mod 3
// write and clear again, users 0 mod 3 never write. Once every event was processed (the latch),
// the broadcast commands "bump" and "report" reach every instance, which applies them to each
// key with a count.
struct CountsPerUser : KeyedBroadcastProcessFunction<std::string, Event, std::string, std::string> {
  ValueStateDescriptor<int64_t> count_descriptor{"count", 0};
  ValueState<int64_t>* count = nullptr;
  std::shared_ptr<std::atomic<int>> processed = std::make_shared<std::atomic<int>>(0);
  int expected_events = 0;
  std::shared_ptr<testing::Latch> all_processed = std::make_shared<testing::Latch>();

  void open(RuntimeContext& ctx) override { count = &ctx.get_state(count_descriptor); }

  void process_element(const Event& e, ReadOnlyContext& ctx, Collector<std::string>&) override {
    const int user = std::stoi(ctx.get_current_key().substr(1));
    if (user % 3 != 0) count->update(*count->value() + 1);
    if (user % 3 == 1) count->clear();
    if (++*processed == expected_events) all_processed->open();
  }

  void process_broadcast_element(const std::string& command, Context& ctx,
                                 Collector<std::string>& out) override {
    ctx.apply_to_keyed_state(count_descriptor,
                             [&](const std::string& user, ValueState<int64_t>& state) {
                               // The state fetched in open() follows the visited key.
                               EXPECT_EQ(count->value(), state.value());
                               if (command == "bump") {
                                 state.update(*state.value() + 1000);
                               } else {
                                 out.collect(user + "=" + std::to_string(*state.value()));
                               }
                             });
  }
};

// Emits its commands once `go` opens.
struct CommandsAfter : SourceFunction<std::string> {
  std::shared_ptr<testing::Latch> go;
  std::vector<std::string> commands;
  void run(SourceContext<std::string>& ctx) override {
    go->wait();
    for (const std::string& c : commands) ctx.collect(c);
  }
  void cancel() override { go->open(); }
};

TEST_P(BroadcastKeyedProcessTest, ApplyToKeyedStateVisitsExactlyTheKeysWithState) {
  const auto events = random_events(2000, 30, 1, 3);
  CountsPerUser fn;
  fn.expected_events = static_cast<int>(events.size());
  CommandsAfter commands;
  commands.go = fn.all_processed;
  commands.commands = {"bump", "report"};
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(GetParam());
  MapStateDescriptor<std::string, std::string> unused("unused");
  auto out = env.from_collection(events)
                 .key_by([](const Event& e) { return std::get<0>(e); })
                 .connect(env.add_source(commands).set_parallelism(1).broadcast(unused))
                 .process(fn)
                 .execute_and_collect()
                 .to_vector();

  std::map<std::string, int64_t> counts;
  for (const Event& e : events) {
    if (std::stoi(std::get<0>(e).substr(1)) % 3 == 2) ++counts[std::get<0>(e)];
  }
  std::vector<std::string> expected;
  for (const auto& [user, n] : counts) expected.push_back(user + "=" + std::to_string(n + 1000));
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

// Sums each user's values per event type in MapState and weighs them with the broadcast weights
// in an event-time timer. The rules stream has no watermarks until it ends, so the timer fires
// only after every rule arrived, whatever the order of the two inputs.
struct WeightedTotals : KeyedBroadcastProcessFunction<std::string, Event, Rule, std::string> {
  static constexpr int64_t kReportTime = 1'000'000;
  MapState<std::string, int64_t>* sums = nullptr;

  void open(RuntimeContext& ctx) override {
    sums = &ctx.get_map_state(MapStateDescriptor<std::string, int64_t>("sums"));
  }

  void process_element(const Event& e, ReadOnlyContext& ctx, Collector<std::string>&) override {
    EXPECT_EQ(ctx.timestamp(), std::optional<int64_t>(std::get<2>(e)));
    sums->put(std::get<1>(e), sums->get(std::get<1>(e)).value_or(0) + std::get<2>(e));
    ctx.timer_service().register_event_time_timer(kReportTime);
  }

  void process_broadcast_element(const Rule& rule, Context& ctx, Collector<std::string>&) override {
    ctx.get_broadcast_state(kThresholds).put(rule.first, rule.second);
  }

  void on_timer(int64_t timestamp, OnTimerContext& ctx, Collector<std::string>& out) override {
    EXPECT_EQ(ctx.time_domain(), TimeDomain::EVENT_TIME);
    EXPECT_EQ(ctx.timestamp(), std::optional<int64_t>(timestamp));
    EXPECT_GE(ctx.current_watermark(), timestamp);
    auto& weights = ctx.get_broadcast_state(kThresholds);
    int64_t total = 0;
    for (const auto& [type, sum] : sums->items()) total += sum * weights.get(type).value();
    out.collect(ctx.get_current_key() + " " + std::to_string(total) + " at " +
                std::to_string(timestamp));
  }
};

TEST_P(BroadcastKeyedProcessTest, TimersAndKeyedStateSeeTheBroadcastRules) {
  auto events = random_events(1500, 17, 5, 21);
  const auto weights = rules_for(5, 22);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(GetParam());
  auto out =
      env.from_collection(events)
          .assign_timestamps_and_watermarks(
              WatermarkStrategy<Event>::for_bounded_out_of_orderness(Duration::of_millis(1000))
                  .with_timestamp_assigner([](const Event& e) { return std::get<2>(e); }))
          .key_by([](const Event& e) { return std::get<0>(e); })
          .connect(env.from_collection(weights).broadcast(kThresholds))
          .process(WeightedTotals())
          .execute_and_collect()
          .to_vector();

  std::map<std::string, int64_t> weight(weights.begin(), weights.end());
  std::map<std::string, int64_t> totals;
  for (const auto& [user, type, value] : events) totals[user] += value * weight.at(type);
  std::vector<std::string> expected;
  for (const auto& [user, total] : totals) {
    expected.push_back(user + " " + std::to_string(total) + " at " +
                       std::to_string(WeightedTotals::kReportTime));
  }
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

INSTANTIATE_TEST_SUITE_P(BroadcastParallelism, BroadcastKeyedProcessTest, ::testing::Values(2, 3));

// ---- non-keyed ----

using LabelledRule = std::tuple<std::string, int64_t, std::string>;  // (type, threshold, label)

const MapStateDescriptor<std::string, std::string> kLabels("labels");

// Keeps thresholds and labels in two broadcast states. Opens `rules_seen` once every instance
// has stored every rule.
struct LabelEvents : BroadcastProcessFunction<Event, LabelledRule, std::string> {
  std::shared_ptr<std::atomic<int>> stored = std::make_shared<std::atomic<int>>(0);
  int expected_stores = 0;
  std::shared_ptr<testing::Latch> rules_seen = std::make_shared<testing::Latch>();

  void process_element(const Event& e, ReadOnlyContext& ctx, Collector<std::string>& out) override {
    const auto threshold = ctx.get_broadcast_state(kThresholds).get(std::get<1>(e));
    const auto label = ctx.get_broadcast_state(kLabels).get(std::get<1>(e));
    // The latch guarantees every rule reached this instance first.
    ASSERT_TRUE(threshold && label) << std::get<1>(e);
    if (std::get<2>(e) >= *threshold) out.collect(*label + " " + std::to_string(std::get<2>(e)));
  }

  void process_broadcast_element(const LabelledRule& rule, Context& ctx,
                                 Collector<std::string>&) override {
    const auto& [type, threshold, label] = rule;
    ctx.get_broadcast_state(kThresholds).put(type, threshold);
    ctx.get_broadcast_state(kLabels).put(type, label);
    if (++*stored == expected_stores) rules_seen->open();
  }
};

// Emits its events once `go` opens.
struct EventsAfter : SourceFunction<Event> {
  std::shared_ptr<testing::Latch> go;
  std::vector<Event> events;
  void run(SourceContext<Event>& ctx) override {
    go->wait();
    for (const Event& e : events) ctx.collect(e);
  }
  void cancel() override { go->open(); }
};

class BroadcastProcessTest : public ::testing::TestWithParam<int> {};

TEST_P(BroadcastProcessTest, EveryInstanceKeepsAllBroadcastStates) {
  const int parallelism = GetParam();
  std::vector<LabelledRule> rules;
  for (const auto& [type, threshold] : rules_for(4, 12)) {
    rules.emplace_back(type, threshold, "label-of-" + type);
  }
  LabelEvents fn;
  fn.expected_stores = parallelism * static_cast<int>(rules.size());
  EventsAfter source;
  source.go = fn.rules_seen;
  source.events = random_events(2000, 10, 4, 13);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(parallelism);
  // Rebalanced from one source subtask, the events reach every instance.
  auto out = env.add_source(source)
                 .set_parallelism(1)
                 .connect(env.from_collection(rules).broadcast(kThresholds, kLabels))
                 .process(fn)
                 .execute_and_collect()
                 .to_vector();

  std::map<std::string, std::pair<int64_t, std::string>> by_type;
  for (const auto& [type, threshold, label] : rules) by_type[type] = {threshold, label};
  std::vector<std::string> expected;
  for (const auto& [user, type, value] : source.events) {
    const auto& [threshold, label] = by_type.at(type);
    if (value >= threshold) expected.push_back(label + " " + std::to_string(value));
  }
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

INSTANTIATE_TEST_SUITE_P(BroadcastParallelism, BroadcastProcessTest, ::testing::Values(2, 3));

// ---- errors ----

struct ReadsAnUnknownState : BroadcastProcessFunction<int, Rule, int> {
  void process_element(const int& v, ReadOnlyContext& ctx, Collector<int>& out) override {
    ctx.get_broadcast_state(MapStateDescriptor<std::string, int64_t>("tresholds"));
    out.collect(v);
  }
  void process_broadcast_element(const Rule&, Context&, Collector<int>&) override {}
};

TEST(BroadcastStateErrorsTest, ADescriptorNotBroadcastIsAClearErrorNamingIt) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_collection(std::vector<int>{1, 2})
      .connect(env.from_collection(std::vector<Rule>{{"t0", 1}}).broadcast(kThresholds))
      .process(ReadsAnUnknownState())
      .add_sink([](int) {});
  try {
    env.execute("unknown broadcast state");
    FAIL() << "expected a failure";
  } catch (const std::exception& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Broadcast state 'tresholds' does not exist"), std::string::npos)
        << message;
    EXPECT_NE(message.find("broadcast(...)"), std::string::npos) << message;
    EXPECT_NE(message.find("'thresholds'"), std::string::npos) << message;
  }
}

struct ReadsWithOtherTypes : KeyedBroadcastProcessFunction<int, int, Rule, int> {
  void process_element(const int& v, ReadOnlyContext& ctx, Collector<int>& out) override {
    ctx.get_broadcast_state(MapStateDescriptor<std::string, std::string>("thresholds"));
    out.collect(v);
  }
  void process_broadcast_element(const Rule&, Context&, Collector<int>&) override {}
};

TEST(BroadcastStateErrorsTest, ABroadcastNameWithOtherTypesIsAStateError) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  env.from_collection(std::vector<int>{1, 2, 3})
      .key_by([](int v) { return v; })
      .connect(env.from_collection(std::vector<Rule>{{"t0", 1}}).broadcast(kThresholds))
      .process(ReadsWithOtherTypes())
      .add_sink([](int) {});
  try {
    env.execute("broadcast state of other types");
    FAIL() << "expected a failure";
  } catch (const std::exception& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("thresholds"), std::string::npos) << message;
  }
}

TEST(BroadcastStateErrorsTest, TwoDescriptorsOfOneNameAreRejectedWhenBuilding) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  auto rules = env.from_collection(std::vector<Rule>{{"t0", 1}});
  MapStateDescriptor<std::string, std::string> same_name("thresholds");
  EXPECT_THROW(rules.broadcast(kThresholds, same_name), InvalidProgramException);
}

}  // namespace
}  // namespace eddy
