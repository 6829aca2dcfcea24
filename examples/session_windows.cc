// Session windows: groups each user's clicks into sessions, a session ending after 30 minutes
// without a click (EventTimeSessionWindows::with_gap(Time::minutes(30))), and prints one line per
// session with its bounds (first click, last click + 30 min) and its number of clicks.
//
// Each click opens a window [click, click + 30 min); windows of one user that overlap or touch
// merge into one session. A click that arrives out of order can join two sessions that were
// separate until then: u2's clicks at 09:05 and 09:36 are 31 minutes apart (two sessions), then
// the click at 09:34 arrives and bridges them into one session [09:05, 10:06).
//
// Run: build/examples/example_session_windows (no arguments). It prints (times of day, in event
// time; the lines come in any order):
//   user u1 session [09:00, 09:55) clicks=3
//   user u1 session [10:30, 11:15) clicks=3
//   user u2 session [09:05, 10:06) clicks=3
//   user u3 session [09:20, 09:50) clicks=1
//   user u3 session [10:05, 10:35) clicks=1
//
// Watermarks: WatermarkStrategy::for_bounded_out_of_orderness(5 minutes), emitted periodically.
// The clicks are out of order by less than 5 minutes, so no click is ever behind the watermark
// and no session fires before all its clicks are in: the sessions do not depend on when the
// periodic watermarks happen to be emitted (only the moment each line is printed does).
//
// Parallelism 2: sessions are computed per user, so the users are spread over two window
// subtasks; one print subtask (print().set_parallelism(1)) writes the lines without a "N> "
// prefix, in whatever order the two subtasks deliver them. The watermark generator runs at
// parallelism 1 so that it sees every click in arrival order, as the reasoning above assumes.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "eddy/eddy.h"

namespace {

constexpr int64_t kMinuteMs = 60'000;

// A click: (user, minute of the day); its event time is that minute, in milliseconds.
using Click = std::pair<std::string, int64_t>;

constexpr int64_t at(int hour, int minute) {
  return hour * 60 + minute;
}

// "HH:MM" of a time of day in milliseconds.
std::string clock_time(int64_t ms) {
  const int64_t minutes = ms / kMinuteMs;
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

// Counts the clicks of one session; sees them all when the session fires.
class CountClicks
    : public eddy::ProcessWindowFunction<Click, std::string, std::string, eddy::TimeWindow> {
 public:
  void process(const std::string& user, Context& ctx, const std::vector<Click>& clicks,
               eddy::Collector<std::string>& out) override {
    out.collect("user " + user + " session [" + clock_time(ctx.window().get_start()) + ", " +
                clock_time(ctx.window().get_end()) + ") clicks=" + std::to_string(clicks.size()));
  }
};

}  // namespace

int main() {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);  // see the header comment

  // The clicks in arrival order.
  const std::vector<Click> clicks = {
      {"u1", at(9, 0)},    // u1's first session starts
      {"u2", at(9, 5)},    // u2's first session starts
      {"u1", at(9, 10)},   // within 30 min of 09:00: same session
      {"u3", at(9, 20)},   // u3's only click of its first session: [09:20, 09:50)
      {"u1", at(9, 25)},   // u1's session: 09:00, 09:10, 09:25 -> [09:00, 09:55)
      {"u2", at(9, 36)},   // 31 min after u2's 09:05: a second session, for now
      {"u2", at(9, 34)},   // 2 min out of order: within 30 min of both, merges them
      {"u3", at(10, 5)},   // 45 min after u3's 09:20: a new session
      {"u1", at(10, 30)},  // 65 min after u1's 09:25: a new session
      {"u1", at(10, 45)},  // same session
      {"u1", at(10, 44)},  // 1 min out of order, same session: [10:30, 11:15)
  };

  env.from_collection(clicks)
      .assign_timestamps_and_watermarks(
          eddy::WatermarkStrategy<Click>::for_bounded_out_of_orderness(
              eddy::Duration::of_minutes(5))
              .with_timestamp_assigner([](const Click& c) { return c.second * kMinuteMs; }))
      .set_parallelism(1)  // one generator sees every click, in arrival order
      .key_by([](const Click& c) { return c.first; })
      .window(eddy::EventTimeSessionWindows::with_gap(eddy::Time::minutes(30)))
      .process(CountClicks())
      .print()
      .set_parallelism(1);

  env.execute("Session Windows");
  return 0;
}
