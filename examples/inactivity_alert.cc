// Inactivity alerts with keyed state and event-time timers: a KeyedProcessFunction remembers each
// user's last activity in a ValueState<int64_t> and keeps one event-time timer a minute after it.
// New activity within the minute deletes that timer and sets a new one; when the watermark
// reaches a timer, the user has had no event for a minute and the function emits
// "user X inactive since T" (T = the user's last activity).
//
// Run: build/examples/example_inactivity_alert (no arguments). It prints (times of day, in
// event time; the lines come in any order):
//   user u2 inactive since 09:01:28
//   user u3 inactive since 09:02:00
//   user u1 inactive since 09:02:05
//   user u3 inactive since 09:03:30
//   user u1 inactive since 09:04:20
//   user u2 inactive since 09:04:45
// The last three are fired by the end of the input: a bounded input ends with the watermark
// +infinity, so every timer still pending fires, as in Flink.
//
// Watermarks: WatermarkStrategy::for_bounded_out_of_orderness(5 s), emitted periodically, so how
// far the watermark lags behind the events depends on how fast the job runs. The alerts do not:
// the events are out of order by less than 5 s, so a timer that new activity would move has
// never fired yet; and when an event comes a minute or more after the user's last activity
// while that timer has not fired yet (the watermark lags), the timer is kept and still reports
// the gap (see process_element).
//
// Parallelism 2: state and timers belong to a user, so the users are spread over two subtasks;
// one print subtask (print().set_parallelism(1)) writes the lines without a "N> " prefix, in
// whatever order the subtasks deliver them. The watermark generator runs at parallelism 1 so
// that it sees every event in arrival order, as the reasoning above assumes.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "eddy/eddy.h"

namespace {

constexpr int64_t kSecondMs = 1'000;
constexpr int64_t kInactivityMs = 60 * kSecondMs;  // one minute

// An activity event: (user, event time in milliseconds of the day).
using Activity = std::pair<std::string, int64_t>;

constexpr int64_t at(int hour, int minute, int second) {
  return ((hour * 60 + minute) * 60 + second) * kSecondMs;
}

// "HH:MM:SS" of a time of day in milliseconds.
std::string clock_time(int64_t ms) {
  const int64_t s = ms / kSecondMs;
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

class InactivityAlert : public eddy::KeyedProcessFunction<std::string, Activity, std::string> {
 public:
  void open(eddy::RuntimeContext& ctx) override {
    // One value per user: the event time of the user's latest activity.
    last_activity_ = &ctx.get_state(eddy::ValueStateDescriptor<int64_t>("last-activity"));
  }

  void process_element(const Activity& event, Context& ctx,
                       eddy::Collector<std::string>&) override {
    const int64_t time = event.second;
    std::optional<int64_t> last = last_activity_->value();
    int64_t latest = time;
    if (last && time < *last + kInactivityMs) {
      // Active again within the minute: the pending alert is void. (An event older than the
      // last activity, out of order, does not move the deadline back.)
      ctx.timer_service().delete_event_time_timer(*last + kInactivityMs);
      latest = std::max(*last, time);
    }
    // Otherwise either there is no pending timer (the user is new or the alert has fired), or
    // the user was inactive for a minute before this event and the watermark has not reached
    // the timer yet: keep that timer, it reports the gap when it fires.
    last_activity_->update(latest);
    ctx.timer_service().register_event_time_timer(latest + kInactivityMs);
  }

  void on_timer(int64_t timestamp, OnTimerContext& ctx,
                eddy::Collector<std::string>& out) override {
    const int64_t since = timestamp - kInactivityMs;
    out.collect("user " + ctx.get_current_key() + " inactive since " + clock_time(since));
    // Forget the user unless newer activity has a timer of its own.
    if (last_activity_->value() == since) last_activity_->clear();
  }

 private:
  eddy::ValueState<int64_t>* last_activity_ = nullptr;
};

}  // namespace

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);  // see the header comment

  // The events in arrival order, with each user's alert deadline (last activity + 1 min).
  const std::vector<Activity> events = {
      {"u1", at(9, 0, 0)},   // u1 due 09:01:00
      {"u2", at(9, 0, 10)},  // u2 due 09:01:10
      {"u1", at(9, 0, 40)},  // u1 active again: due 09:01:40
      {"u2", at(9, 0, 55)},  // u2 due 09:01:55
      {"u1", at(9, 1, 30)},  // u1 due 09:02:30
      {"u2", at(9, 1, 28)},  // 2 s out of order; u2 due 09:02:28
      {"u3", at(9, 2, 0)},   // u3 due 09:03:00
      {"u1", at(9, 2, 5)},   // u1 due 09:03:05
      {"u3", at(9, 3, 30)},  // 90 s after u3's last: alert "u3 inactive since 09:02:00"
      {"u2", at(9, 4, 0)},   // after u2's deadline: alert "u2 inactive since 09:01:28"
      {"u1", at(9, 4, 20)},  // after u1's deadline: alert "u1 inactive since 09:02:05"
      {"u1", at(9, 4, 18)},  // 2 s out of order: u1's last activity stays 09:04:20
      {"u2", at(9, 4, 45)},  // u2 due 09:05:45
      // End of input: the alerts for u3 (09:03:30), u1 (09:04:20) and u2 (09:04:45).
  };

  env.from_collection(events)
      .assign_timestamps_and_watermarks(
          eddy::WatermarkStrategy<Activity>::for_bounded_out_of_orderness(
              eddy::Duration::of_seconds(5))
              .with_timestamp_assigner([](const Activity& a) { return a.second; }))
      .set_parallelism(1)  // one generator sees every event, in arrival order
      .key_by([](const Activity& a) { return a.first; })
      .process(InactivityAlert())
      .print()
      .set_parallelism(1);

  env.execute("Inactivity Alert");
  return 0;
}
