// Event-time timers of keyed process functions: fired in time order when the watermark passes,
// one per key and time, deletable, and all fired at the end of a bounded input.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using Event = std::pair<std::string, int64_t>;  // (user, event time ms)
constexpr int64_t kMinute = 60'000;

// Emits "user idle since T" when a user has no event for a minute after T: every event moves the
// user's timer, the old one is deleted.
struct InactivityAlert : KeyedProcessFunction<std::string, Event, std::string> {
  std::map<std::string, int64_t> last_seen;  // per key of this subtask
  void process_element(const Event& e, Context& ctx, Collector<std::string>& out) override {
    auto it = last_seen.find(e.first);
    if (it != last_seen.end()) ctx.timer_service().delete_event_time_timer(it->second + kMinute);
    const int64_t last = it == last_seen.end() ? e.second : std::max(it->second, e.second);
    last_seen[e.first] = last;
    ctx.timer_service().register_event_time_timer(last + kMinute);
  }
  void on_timer(int64_t timestamp, OnTimerContext& ctx, Collector<std::string>& out) override {
    EXPECT_EQ(ctx.time_domain(), TimeDomain::EVENT_TIME);
    EXPECT_EQ(ctx.timestamp(), std::optional<int64_t>(timestamp));
    out.collect(ctx.get_current_key() + " idle since " + std::to_string(timestamp - kMinute));
  }
};

// Emits the watermark ts - 1 after every event, so that timers fire at predictable points of
// the input (a periodic generator would depend on how fast the job runs).
struct PunctuatedEvents : WatermarkGenerator<Event> {
  void on_event(const Event&, int64_t ts, WatermarkOutput& out) override {
    out.emit_watermark(ts - 1);
  }
  void on_periodic_emit(WatermarkOutput&) override {}
};

TEST(EventTimeTimersTest, InactivityAlertsMatchABruteForceComputation) {
  std::mt19937 rng(11);
  std::vector<Event> events;
  int64_t t = 0;
  for (int i = 0; i < 400; ++i) {
    t += rng() % 40'000;  // gaps of up to 40 s, sometimes summing to over a minute per user
    events.emplace_back("u" + std::to_string(rng() % 5), t);
  }
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  auto out =
      env.from_collection(events)
          .assign_timestamps_and_watermarks(
              WatermarkStrategy<Event>::for_generator([] {
                return std::make_unique<PunctuatedEvents>();
              }).with_timestamp_assigner([](const Event& e) { return e.second; }))
          .set_parallelism(1)  // one generator sees the whole input in order, like the replay below
          .key_by([](const Event& e) { return e.first; })
          .process(InactivityAlert())
          .execute_and_collect()
          .to_vector();
  // Brute force: replay the input in order. Each event moves its user's deadline; then the
  // event's watermark (ts - 1) fires every deadline it reached; the end of input fires the rest.
  std::vector<std::string> expected;
  std::map<std::string, int64_t> deadline;
  auto fire_until = [&](int64_t watermark) {
    for (auto it = deadline.begin(); it != deadline.end();) {
      if (it->second <= watermark) {
        expected.push_back(it->first + " idle since " + std::to_string(it->second - kMinute));
        it = deadline.erase(it);
      } else {
        ++it;
      }
    }
  };
  for (const auto& [user, time] : events) {
    deadline[user] = time + kMinute;
    fire_until(time - 1);
  }
  fire_until(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(testing::sorted(out), testing::sorted(expected));
}

struct TimerOrder : KeyedProcessFunction<int, int64_t, int64_t> {
  void process_element(const int64_t& v, Context& ctx, Collector<int64_t>& out) override {
    // Two registrations of one time make one timer.
    ctx.timer_service().register_event_time_timer(v);
    ctx.timer_service().register_event_time_timer(v);
  }
  void on_timer(int64_t timestamp, OnTimerContext& ctx, Collector<int64_t>& out) override {
    out.collect(timestamp);
    // A timer registered while firing, already due, fires in the same watermark.
    if (timestamp % 10 == 0) ctx.timer_service().register_event_time_timer(timestamp - 5);
  }
};

TEST(EventTimeTimersTest, TimersFireOncePerTimeInTimeOrder) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  std::vector<int64_t> input = {30, 10, 20, 10, 40};
  auto out = env.from_collection(input)
                 .assign_timestamps_and_watermarks(
                     WatermarkStrategy<int64_t>::no_watermarks().with_timestamp_assigner(
                         [](int64_t v) { return v; }))
                 .key_by([](int64_t) { return 0; })
                 .process(TimerOrder())
                 .execute_and_collect()
                 .to_vector();
  // All fire at the end of input (no watermarks before it); timers registered while firing at
  // 10, 20, 30, 40 are due at once (5, 15, 25, 35) and fire right after.
  EXPECT_EQ(out, (std::vector<int64_t>{10, 5, 20, 15, 30, 25, 40, 35}));
}

}  // namespace
}  // namespace eddy
