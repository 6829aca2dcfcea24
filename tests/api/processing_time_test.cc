// Processing time under a ManualClock: processing-time timers of keyed functions fire when the
// test moves the clock (not before), once per key and time, deletable; periodic watermarks are
// emitted while no record flows. The test steps with the job through latches, never sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "api/test_jobs.h"
#include "support/shared_sink.h"

namespace eddy {
namespace {

using testing::Latch;
using testing::SharedSink;
using Event = std::pair<std::string, int64_t>;

// Emits its events, then holds the job open until `release` opens (or the job is cancelled).
struct HeldOpenSource : SourceFunction<Event> {
  std::vector<Event> events;
  std::shared_ptr<Latch> release = std::make_shared<Latch>();
  void run(SourceContext<Event>& ctx) override {
    for (const Event& e : events) ctx.collect(e);
    release->wait();
  }
  void cancel() override { release->open(); }
};

// Counts records; opens `all_seen` at the expected count.
struct Progress {
  std::atomic<int> seen{0};
  int expected = 0;
  Latch all_seen;
  void record() {
    if (++seen == expected) all_seen.open();
  }
};

struct TimerPerKey : KeyedProcessFunction<std::string, Event, std::string> {
  std::shared_ptr<Progress> progress;
  void process_element(const Event& e, Context& ctx, Collector<std::string>&) override {
    auto& timers = ctx.timer_service();
    if (e.second < 0) {
      timers.delete_processing_time_timer(timers.current_processing_time() + 100);
    } else {
      timers.register_processing_time_timer(timers.current_processing_time() + 100);
    }
    progress->record();
  }
  void on_timer(int64_t timestamp, OnTimerContext& ctx, Collector<std::string>& out) override {
    EXPECT_EQ(ctx.time_domain(), TimeDomain::PROCESSING_TIME);
    EXPECT_FALSE(ctx.timestamp().has_value());
    out.collect(ctx.get_current_key() + "@" + std::to_string(timestamp) + " now " +
                std::to_string(ctx.timer_service().current_processing_time()));
  }
};

TEST(ProcessingTimeTest, TimersFireWhenTheClockReachesThemOncePerKeyAndTime) {
  auto clock = std::make_shared<ManualClock>(1000);
  auto progress = std::make_shared<Progress>();
  auto sink = std::make_shared<SharedSink<std::string>>();
  HeldOpenSource source;
  // "a" registers 1100 twice (one timer); "c" registers and then deletes it.
  source.events = {{"a", 1}, {"b", 1}, {"a", 1}, {"c", 1}, {"c", -1}};
  progress->expected = static_cast<int>(source.events.size());
  TimerPerKey fn;
  fn.progress = progress;

  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2).set_processing_time_clock(clock);
  env.add_source(source)
      .key_by([](const Event& e) { return e.first; })
      .process(fn)
      .add_sink([sink](const std::string& s) { sink->add(s); });
  JobClient client = env.execute_async("processing-time timers");

  progress->all_seen.wait();
  clock->set(1099);  // not due yet: a timer firing now would say "now 1099"
  clock->set(1100);
  EXPECT_EQ(testing::sorted(sink->wait_for_size(2)),
            (std::vector<std::string>{"a@1100 now 1100", "b@1100 now 1100"}));
  source.release->open();
  client.get_job_execution_result();
  EXPECT_EQ(sink->values().size(), 2u) << "no other timer may fire";
}

// Registers an event-time timer 1 s after each event.
struct EventTimeAlarm : KeyedProcessFunction<std::string, Event, std::string> {
  std::shared_ptr<Progress> progress;
  void process_element(const Event& e, Context& ctx, Collector<std::string>&) override {
    ctx.timer_service().register_event_time_timer(e.second + 1000);
    progress->record();
  }
  void on_timer(int64_t timestamp, OnTimerContext& ctx, Collector<std::string>& out) override {
    out.collect(ctx.get_current_key() + "@" + std::to_string(timestamp) + " watermark " +
                std::to_string(ctx.timer_service().current_watermark()));
  }
};

TEST(ProcessingTimeTest, PeriodicWatermarksAdvanceWhileNoRecordFlows) {
  auto clock = std::make_shared<ManualClock>(0);
  auto progress = std::make_shared<Progress>();
  auto sink = std::make_shared<SharedSink<std::string>>();
  HeldOpenSource source;
  source.events = {{"a", 1000}, {"b", 5000}};
  progress->expected = 2;
  EventTimeAlarm fn;
  fn.progress = progress;

  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).set_auto_watermark_interval(200).set_processing_time_clock(clock);
  env.add_source(source)
      .rebalance()  // the generator runs in its own task, which reads its mail while idle
      .assign_timestamps_and_watermarks(
          WatermarkStrategy<Event>::for_monotonous_timestamps().with_timestamp_assigner(
              [](const Event& e) { return e.second; }))
      .key_by([](const Event& e) { return e.first; })
      .process(fn)
      .add_sink([sink](const std::string& s) { sink->add(s); });
  JobClient client = env.execute_async("periodic watermarks");

  progress->all_seen.wait();
  EXPECT_TRUE(sink->values().empty()) << "no watermark before the first interval";
  clock->advance(200);  // periodic emit: watermark 4999 fires the timer at 2000, not 6000
  EXPECT_EQ(sink->wait_for_size(1), (std::vector<std::string>{"a@2000 watermark 4999"}));
  source.release->open();
  client.get_job_execution_result();
  EXPECT_EQ(sink->values(), (std::vector<std::string>{
                                "a@2000 watermark 4999",
                                "b@6000 watermark " + std::to_string(runtime::kMaxWatermark)}));
}

struct FailingTimer : KeyedProcessFunction<std::string, Event, std::string> {
  std::shared_ptr<Progress> progress;
  void process_element(const Event&, Context& ctx, Collector<std::string>&) override {
    ctx.timer_service().register_processing_time_timer(10);
    progress->record();
  }
  void on_timer(int64_t, OnTimerContext&, Collector<std::string>&) override {
    throw std::runtime_error("alarm clock broke");
  }
};

TEST(ProcessingTimeTest, AFailingTimerIsReportedAsItsOperatorsFailure) {
  auto clock = std::make_shared<ManualClock>(0);
  auto progress = std::make_shared<Progress>();
  progress->expected = 1;
  HeldOpenSource source;
  source.events = {{"a", 1}};
  FailingTimer fn;
  fn.progress = progress;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).set_processing_time_clock(clock);
  env.add_source(source)
      .map([](const Event& e) { return e; })
      .key_by([](const Event& e) { return e.first; })
      .process(fn)
      .uid("alarm")
      .map([](const std::string& s) { return s; })
      .add_sink([](const std::string&) {});
  JobClient client = env.execute_async("failing timer");
  progress->all_seen.wait();
  clock->set(10);
  try {
    client.get_job_execution_result();
    FAIL() << "the job must fail";
  } catch (const std::exception& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Operator 'KeyedProcess' (uid: alarm"), std::string::npos) << message;
    EXPECT_NE(message.find("alarm clock broke"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace eddy
