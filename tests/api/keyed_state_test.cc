// Keyed state inside keyed process functions: each key sees only its own values, state fetched in
// open() or lazily follows the current key (also in on_timer), TTL expires on the job's clock,
// and asking for keyed state off a keyed stream fails with a message naming the state.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "api/test_jobs.h"
#include "support/shared_sink.h"

namespace eddy {
namespace {

using Event = std::pair<std::string, int64_t>;  // (key, value or event time)

std::vector<Event> random_events(int n, int keys, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    events.emplace_back("k" + std::to_string(rng() % keys), static_cast<int64_t>(rng() % 1000));
  }
  return events;
}

// Emits "key count sum" after each record, from ValueState and ReducingState.
struct RunningTotals : KeyedProcessFunction<std::string, Event, std::string> {
  ValueState<int64_t>* count = nullptr;
  ReducingState<int64_t>* sum = nullptr;
  void open(RuntimeContext& ctx) override {
    count = &ctx.get_state(ValueStateDescriptor<int64_t>("count", 0));
    sum = &ctx.get_reducing_state(ReducingStateDescriptor<int64_t>(
        "sum", [](const int64_t& a, const int64_t& b) { return a + b; }));
  }
  void process_element(const Event& e, Context& ctx, Collector<std::string>& out) override {
    const int64_t n = count->value().value() + 1;
    count->update(n);
    sum->add(e.second);
    out.collect(ctx.get_current_key() + " " + std::to_string(n) + " " +
                std::to_string(sum->get().value()));
  }
};

TEST(KeyedStateTest, ValueAndReducingStateMatchAPlainLoopPerKey) {
  const auto events = random_events(3000, 37, 5);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(3);
  auto out = env.from_collection(events)
                 .key_by([](const Event& e) { return e.first; })
                 .process(RunningTotals())
                 .execute_and_collect()
                 .to_vector();
  std::map<std::string, std::pair<int64_t, int64_t>> totals;
  std::vector<std::string> expected;
  for (const auto& [key, value] : events) {
    auto& [n, sum] = totals[key];
    ++n;
    sum += value;
    expected.push_back(key + " " + std::to_string(n) + " " + std::to_string(sum));
  }
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

// Buffers a key's values in ListState and distinct values in MapState, fetched lazily on the
// first record; an event-time timer at the end of input emits and clears them.
struct BufferUntilTimer : KeyedProcessFunction<std::string, Event, std::string> {
  RuntimeContext* runtime = nullptr;
  void open(RuntimeContext& ctx) override { runtime = &ctx; }
  void process_element(const Event& e, Context& ctx, Collector<std::string>&) override {
    runtime->get_list_state(ListStateDescriptor<int64_t>("values")).add(e.second);
    auto& seen = runtime->get_map_state(MapStateDescriptor<int64_t, int>("distinct"));
    seen.put(e.second, seen.get(e.second).value_or(0) + 1);
    ctx.timer_service().register_event_time_timer(1);
  }
  void on_timer(int64_t, OnTimerContext& ctx, Collector<std::string>& out) override {
    auto& values = runtime->get_list_state(ListStateDescriptor<int64_t>("values"));
    auto& seen = runtime->get_map_state(MapStateDescriptor<int64_t, int>("distinct"));
    int64_t sum = 0;
    for (int64_t v : values.get()) sum += v;
    out.collect(ctx.get_current_key() + " sum " + std::to_string(sum) + " distinct " +
                std::to_string(seen.keys().size()));
    values.clear();
    seen.clear();
    EXPECT_TRUE(values.get().empty());
    EXPECT_TRUE(seen.is_empty());
  }
};

TEST(KeyedStateTest, ListAndMapStateFollowTheKeyIntoTimers) {
  const auto events = random_events(2000, 23, 9);
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto out = env.from_collection(events)
                 .key_by([](const Event& e) { return e.first; })
                 .process(BufferUntilTimer())
                 .execute_and_collect()
                 .to_vector();
  std::map<std::string, std::pair<int64_t, std::set<int64_t>>> per_key;
  for (const auto& [key, value] : events) {
    per_key[key].first += value;
    per_key[key].second.insert(value);
  }
  std::vector<std::string> expected;
  for (const auto& [key, v] : per_key) {
    expected.push_back(key + " sum " + std::to_string(v.first) + " distinct " +
                       std::to_string(v.second.size()));
  }
  EXPECT_EQ(testing::sorted(out), expected);
}

// Remembers the last value of a key for 100 ms of processing time.
struct Remember : KeyedProcessFunction<std::string, Event, std::string> {
  std::shared_ptr<std::atomic<int>> seen;
  std::shared_ptr<testing::Latch> first_two;
  ValueState<int64_t>* last = nullptr;
  void open(RuntimeContext& ctx) override {
    ValueStateDescriptor<int64_t> descriptor("last");
    descriptor.enable_time_to_live(StateTtlConfig::new_builder(Time::milliseconds(100)).build());
    last = &ctx.get_state(descriptor);
  }
  void process_element(const Event& e, Context& ctx, Collector<std::string>& out) override {
    auto previous = last->value();
    out.collect(ctx.get_current_key() + " previous " +
                (previous ? std::to_string(*previous) : std::string("none")));
    last->update(e.second);
    if (++*seen == 2) first_two->open();
  }
};

// Emits two events, waits for `go`, then emits the third.
struct TwoThenOne : SourceFunction<Event> {
  std::shared_ptr<testing::Latch> go = std::make_shared<testing::Latch>();
  void run(SourceContext<Event>& ctx) override {
    ctx.collect({"a", 1});
    ctx.collect({"a", 2});
    go->wait();
    ctx.collect({"a", 3});
  }
  void cancel() override { go->open(); }
};

TEST(KeyedStateTest, TtlExpiresValuesOnTheJobClock) {
  auto clock = std::make_shared<ManualClock>(0);
  Remember fn;
  fn.seen = std::make_shared<std::atomic<int>>(0);
  fn.first_two = std::make_shared<testing::Latch>();
  TwoThenOne source;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).set_processing_time_clock(clock);
  auto sink = std::make_shared<testing::SharedSink<std::string>>();
  env.add_source(source)
      .key_by([](const Event& e) { return e.first; })
      .process(fn)
      .add_sink([sink](const std::string& s) { sink->add(s); });
  JobClient client = env.execute_async("ttl");
  fn.first_two->wait();
  clock->set(100);  // written at 0 with a TTL of 100: expired
  source.go->open();
  client.get_job_execution_result();
  EXPECT_EQ(sink->values(),
            (std::vector<std::string>{"a previous none", "a previous 1", "a previous none"}));
}

struct StateOffAKeyedStream : ProcessFunction<int, int> {
  void open(RuntimeContext& ctx) override { ctx.get_state(ValueStateDescriptor<int>("total")); }
  void process_element(const int& v, Context&, Collector<int>& out) override { out.collect(v); }
};

TEST(KeyedStateTest, KeyedStateOffAKeyedStreamIsAClearError) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.from_collection(std::vector<int>{1, 2}).process(StateOffAKeyedStream()).add_sink([](int) {});
  try {
    env.execute("no key");
    FAIL() << "expected a failure";
  } catch (const std::exception& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("State 'total'"), std::string::npos) << message;
    EXPECT_NE(message.find("only available on a keyed stream"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace eddy
