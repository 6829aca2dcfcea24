// FileSink rolling by time (DefaultRollingPolicy's rollover and inactivity intervals) under a
// ManualClock: parts close on the write that finds them due and, without any write, by the
// sink's processing-time timer; a part closed by time stays in progress until the next
// checkpoint completes. The test feeds records one at a time and steps the clock itself; where
// it must know that the sink's timers due by time t have run, a probe chained before the sink
// registers its own timer for t after the sink did (timers of a task fire in time order, and in
// registration order for equal times) and opens a latch from it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "connectors/connector_test_support.h"
#include "eddy/eddy.h"
#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy {
namespace {

using testing::Latch;
using testing::list_dir;
using testing::read_file;
using testing::TempDir;

constexpr int64_t kLong = 1'000'000;  // an interval that never elapses in these tests

// Records the test hands to the source one at a time. feed() returns once the record has gone
// through the chain (source, probe and sink share one thread), i.e. once the sink wrote it.
class Feed {
 public:
  void feed(std::string record) {
    std::unique_lock lock(mu_);
    queue_.push_back(std::move(record));
    const int64_t target = ++fed_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return emitted_ >= target || stopped_; });
  }
  // The source ends after the records fed so far: the job finishes.
  void end() {
    std::lock_guard lock(mu_);
    ended_ = true;
    changed_.notify_all();
  }
  void stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    changed_.notify_all();
  }
  void run(SourceContext<std::string>& ctx) {
    while (true) {
      std::string record;
      {
        std::unique_lock lock(mu_);
        changed_.wait(lock, [&] { return !queue_.empty() || ended_ || stopped_; });
        if (queue_.empty() || stopped_) return;
        record = std::move(queue_.front());
        queue_.pop_front();
      }
      {
        std::lock_guard emission(ctx.get_checkpoint_lock());
        ctx.collect(std::move(record));
      }
      std::lock_guard lock(mu_);
      ++emitted_;
      changed_.notify_all();
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  int64_t fed_ = 0;                // GUARDED_BY(mu_)
  int64_t emitted_ = 0;            // GUARDED_BY(mu_)
  bool ended_ = false;             // GUARDED_BY(mu_)
  bool stopped_ = false;           // GUARDED_BY(mu_)
};

struct FeedSource : SourceFunction<std::string> {
  std::shared_ptr<Feed> feed = std::make_shared<Feed>();
  void run(SourceContext<std::string>& ctx) override { feed->run(ctx); }
  void cancel() override { feed->stop(); }
};

// Latches the probe opens; created on first use by either side.
struct ProbeLatches {
  std::mutex mu;
  std::map<int64_t, std::shared_ptr<Latch>> timers;  // by timer time
  std::shared_ptr<Latch> first_completed = std::make_shared<Latch>();
  std::shared_ptr<Latch> get(std::map<int64_t, std::shared_ptr<Latch>>& map, int64_t key) {
    std::lock_guard lock(mu);
    auto& latch = map[key];
    if (latch == nullptr) latch = std::make_shared<Latch>();
    return latch;
  }
};

// Passes records on, except "@timer <t>": that registers a processing-time timer for t that
// opens latches->timers[t]. A completed checkpoint opens latches->first_completed from mail
// posted by the notification, so after the sink (later in the chain) has committed.
class Probe final : public runtime::OneInputOperator<std::string, Probe> {
 public:
  Probe(std::shared_ptr<ProbeLatches> latches, const runtime::OperatorOutputs& outputs)
      : latches_(std::move(latches)),
        time_(*outputs.processing_time),
        mailbox_(*outputs.mailbox),
        out_(outputs.main_as<std::string>()) {}

  void process_element(std::string&& record) {
    if (record.starts_with("@timer ")) {
      std::shared_ptr<Latch> fired = latches_->get(latches_->timers, std::stoll(record.substr(7)));
      time_.register_timer(std::stoll(record.substr(7)), [fired](int64_t) { fired->open(); });
      return;
    }
    out_->push(std::move(record));
  }
  void notify_checkpoint_complete(int64_t) override {
    mailbox_.post([done = latches_->first_completed] { done->open(); });
  }

 private:
  std::shared_ptr<ProbeLatches> latches_;
  runtime::ProcessingTimeService& time_;
  runtime::Mailbox& mailbox_;
  runtime::Output<std::string>* out_;
};

// One job: feed source -> probe -> FileSink, parallelism 1, processing time from `clock`.
struct RollingJob {
  TempDir dir;
  std::string out = dir / "out";
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(1000);
  FeedSource source;
  std::shared_ptr<ProbeLatches> latches = std::make_shared<ProbeLatches>();
  StreamExecutionEnvironment env = StreamExecutionEnvironment::get_execution_environment();

  explicit RollingJob(DefaultRollingPolicy policy) {
    env.set_parallelism(1).set_processing_time_clock(clock);
    env.add_source(source)
        .one_input<std::string>("Probe",
                                [latches = latches](const runtime::OperatorOutputs& outputs) {
                                  return std::make_unique<Probe>(latches, outputs);
                                })
        .sink_to(FileSink<std::string>::for_row_format(out, SimpleStringEncoder<std::string>())
                     .with_rolling_policy(policy)
                     .with_bucket_assigner(BasePathBucketAssigner<std::string>())
                     .build());
  }
  void feed(const std::string& record) { source.feed->feed(record); }
  // Sets the clock to `time` and waits until every timer of the task due by then has run.
  void advance_to(int64_t time) {
    feed("@timer " + std::to_string(time));
    clock->set(time);
    latches->get(latches->timers, time)->wait();
  }
  // Feeds each (time, record) after setting the clock, ends the input and runs the job.
  void run(const std::vector<std::pair<int64_t, std::string>>& records) {
    JobClient client = env.execute_async("rolling");
    for (const auto& [time, record] : records) {
      clock->set(time);
      feed(record);
    }
    source.feed->end();
    client.get_job_execution_result();
  }
  // The files in the base directory, named without the writer's uuid ("part-0-1" for
  // "part-<uuid>-0-1"); every name must carry the same uuid.
  std::vector<std::string> parts() const {
    std::vector<std::string> names;
    for (const std::string& name : list_dir(out)) names.push_back(without_uuid(name));
    return names;
  }
  std::string part(const std::string& name) const {
    for (const std::string& file : list_dir(out)) {
      if (without_uuid(file) == name) return read_file(out + "/" + file);
    }
    throw std::runtime_error("no part " + name + " in " + out);
  }
  std::string without_uuid(const std::string& name) const {
    static const std::regex pattern(
        "-([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
        "[0-9a-f]{12})-");
    std::smatch match;
    if (!std::regex_search(name, match, pattern)) {
      ADD_FAILURE() << "no uuid in " << name;
      return name;
    }
    if (uuid->empty()) *uuid = match[1];
    EXPECT_EQ(match[1], *uuid) << name;
    return match.prefix().str() + "-" + match.suffix().str();
  }
  std::shared_ptr<std::string> uuid = std::make_shared<std::string>();  // of the first name seen
};

DefaultRollingPolicy policy(int64_t rollover_ms, int64_t inactivity_ms) {
  return DefaultRollingPolicy::builder()
      .with_max_part_size(1 << 20)
      .with_rollover_interval(Time::milliseconds(rollover_ms))
      .with_inactivity_interval(Time::milliseconds(inactivity_ms))
      .build();
}

TEST(FileSinkRollingTest, BuilderStartsFromFlinksDefaultsAndOnCheckpointNeverRolls) {
  const DefaultRollingPolicy defaults = DefaultRollingPolicy::builder().build();
  EXPECT_EQ(defaults.max_part_size_bytes, 128 * 1024 * 1024);
  EXPECT_EQ(defaults.rollover_interval_ms, 60'000);
  EXPECT_EQ(defaults.inactivity_interval_ms, 60'000);
  const DefaultRollingPolicy set = DefaultRollingPolicy::builder()
                                       .with_max_part_size(1024)
                                       .with_rollover_interval(Time::minutes(15))
                                       .with_inactivity_interval(Time::minutes(5))
                                       .build();
  EXPECT_EQ(set.max_part_size_bytes, 1024);
  EXPECT_EQ(set.rollover_interval_ms, 15 * 60'000);
  EXPECT_EQ(set.inactivity_interval_ms, 5 * 60'000);
  const DefaultRollingPolicy on_checkpoint = OnCheckpointRollingPolicy::build();
  EXPECT_EQ(on_checkpoint.max_part_size_bytes, DefaultRollingPolicy::kNever);
  EXPECT_FALSE(on_checkpoint.rolls_on_time());
  EXPECT_TRUE(set.rolls_on_time());
}

TEST(FileSinkRollingTest, IntervalsBelowOneMillisecondAreRejectedWhenBuilt) {
  auto builder = FileSink<int64_t>::for_row_format("/tmp/out", SimpleStringEncoder<int64_t>());
  try {
    builder.with_rolling_policy(policy(0, 10)).build();
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_STREQ(e.what(), "FileSink: rollover_interval_ms must be at least 1, not 0");
  }
  try {
    builder.with_rolling_policy(policy(10, -5)).build();
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_STREQ(e.what(), "FileSink: inactivity_interval_ms must be at least 1, not -5");
  }
  EXPECT_NO_THROW(builder.with_rolling_policy(OnCheckpointRollingPolicy::build()).build());
}

// A part open for the rollover interval or longer is closed before the next record; a part
// younger than that is not, however long it was idle.
TEST(FileSinkRollingTest, RolloverIntervalClosesAPartOnTheWriteThatFindsItOld) {
  RollingJob job(policy(100, kLong));
  job.run({{1000, "a"}, {1050, "b"}, {1099, "c"}, {1100, "d"}, {1150, "e"}, {1200, "f"}});
  EXPECT_EQ(job.parts(), (std::vector<std::string>{"part-0-0", "part-0-1", "part-0-2"}));
  EXPECT_EQ(job.part("part-0-0"), "a\nb\nc\n");
  EXPECT_EQ(job.part("part-0-1"), "d\ne\n");
  EXPECT_EQ(job.part("part-0-2"), "f\n");
}

// Writes keep a part open however old it gets; a gap of the inactivity interval closes it.
TEST(FileSinkRollingTest, InactivityIntervalClosesAPartOnTheWriteAfterAGap) {
  RollingJob job(policy(kLong, 100));
  job.run({{1000, "a"}, {1099, "b"}, {1198, "c"}, {1297, "d"}, {1397, "e"}, {1400, "f"}});
  EXPECT_EQ(job.parts(), (std::vector<std::string>{"part-0-0", "part-0-1"}));
  EXPECT_EQ(job.part("part-0-0"), "a\nb\nc\nd\n");
  EXPECT_EQ(job.part("part-0-1"), "e\nf\n");
}

// Without any further record, the sink's timer closes the part exactly when it is due; the
// closed part stays in progress (hidden) until a checkpoint completes.
class FileSinkTimerTest : public ::testing::TestWithParam<std::pair<int64_t, int64_t>> {};

TEST_P(FileSinkTimerTest, TimerClosesAnIdlePartAtItsDeadlineAndItStaysInProgress) {
  RollingJob job(policy(GetParam().first, GetParam().second));
  JobClient client = job.env.execute_async("rolling by timer");
  job.feed("a");  // part 0 opened at 1000, due at 1100 by either interval
  job.advance_to(1099);
  EXPECT_EQ(job.parts(), (std::vector<std::string>{".part-0-0.inprogress"}));
  EXPECT_EQ(job.part(".part-0-0.inprogress"), "") << "still open: the record sits in the buffer";
  job.advance_to(1100);
  EXPECT_EQ(job.parts(), (std::vector<std::string>{".part-0-0.inprogress"}));
  EXPECT_EQ(job.part(".part-0-0.inprogress"), "a\n") << "closed (written out), not committed";
  job.feed("b");  // needs a new part
  EXPECT_EQ(job.parts(),
            (std::vector<std::string>{".part-0-0.inprogress", ".part-0-1.inprogress"}));
  job.source.feed->end();
  client.get_job_execution_result();
  EXPECT_EQ(job.parts(), (std::vector<std::string>{"part-0-0", "part-0-1"}));
  EXPECT_EQ(job.part("part-0-0"), "a\n");
  EXPECT_EQ(job.part("part-0-1"), "b\n");
}

INSTANTIATE_TEST_SUITE_P(RolloverOrInactivity, FileSinkTimerTest,
                         ::testing::Values(std::make_pair(int64_t{100}, kLong),
                                           std::make_pair(kLong, int64_t{100})));

// Writes push the inactivity deadline on: the timer set for the first deadline finds the part
// written since and waits for the next one.
TEST(FileSinkRollingTest, TimerFollowsTheInactivityDeadlineAsWritesMoveIt) {
  RollingJob job(policy(kLong, 100));
  JobClient client = job.env.execute_async("inactivity timer");
  job.feed("a");  // due at 1100
  job.clock->set(1050);
  job.feed("b");  // now due at 1150
  job.advance_to(1100);
  EXPECT_EQ(job.part(".part-0-0.inprogress"), "") << "written at 1050: not idle for 100 ms";
  job.advance_to(1150);
  EXPECT_EQ(job.part(".part-0-0.inprogress"), "a\nb\n");
  job.source.feed->end();
  client.get_job_execution_result();
  EXPECT_EQ(job.parts(), (std::vector<std::string>{"part-0-0"}));
}

// A part closed by time is committed by the next checkpoint to complete (here a savepoint, so
// that no periodic checkpoint interferes), together with the part the checkpoint closes.
TEST(FileSinkRollingTest, PartClosedByTimeIsCommittedWhenTheNextCheckpointCompletes) {
  RollingJob job(policy(kLong, 100));
  job.env.enable_checkpointing(3'600'000);  // no periodic checkpoint during the test
  TempDir savepoints;
  JobClient client = job.env.execute_async("rolling and committing");
  job.feed("a");
  job.advance_to(1100);  // part 0 closed by the timer, pending
  job.feed("b");         // part 1 open
  EXPECT_EQ(job.parts(),
            (std::vector<std::string>{".part-0-0.inprogress", ".part-0-1.inprogress"}));
  client.trigger_savepoint(savepoints.path()).get();
  job.latches->first_completed->wait();
  EXPECT_EQ(job.parts(), (std::vector<std::string>{"part-0-0", "part-0-1"}));
  EXPECT_EQ(job.part("part-0-0"), "a\n");
  EXPECT_EQ(job.part("part-0-1"), "b\n");
  job.feed("c");
  job.source.feed->end();
  client.get_job_execution_result();
  EXPECT_EQ(job.parts(), (std::vector<std::string>{"part-0-0", "part-0-1", "part-0-2"}));
  EXPECT_EQ(job.part("part-0-2"), "c\n");
}

// OnCheckpointRollingPolicy: neither time nor size closes a part; the end of the input does.
TEST(FileSinkRollingTest, OnCheckpointPolicyKeepsOnePartWhateverTheTimeAndSize) {
  RollingJob job(OnCheckpointRollingPolicy::build());
  job.run({{1000, std::string(1000, 'x')}, {100'000, "b"}, {10'000'000, "c"}});
  EXPECT_EQ(job.parts(), (std::vector<std::string>{"part-0-0"}));
  EXPECT_EQ(job.part("part-0-0"), std::string(1000, 'x') + "\nb\nc\n");
}

}  // namespace
}  // namespace eddy
