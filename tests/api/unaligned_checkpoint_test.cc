// Unaligned checkpoints on real jobs under backpressure: a slow last stage keeps the queues in
// front of it full, so barriers overtake records in flight, which the checkpoints store. A task
// fails after a checkpoint completed; the restored job processes the stored records first, and
// what the two-phase-commit sink committed equals what a plain loop computes — nothing lost,
// nothing twice.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "api/test_jobs.h"
#include "support/committing_sink.h"
#include "support/offset_source.h"

namespace eddy {
namespace {

using Pair = std::pair<int64_t, int64_t>;

struct Probe {
  std::atomic<int64_t> completed_checkpoints{0};
  std::atomic<bool> failed{false};
};

// Emits 0..n-1 (timestamp = value); at n/2 it waits until a checkpoint has completed, so the
// failure below always has one to restore from. Event time ends with the input (the last
// watermark is the end of input's).
struct WaitingSource : testing::OffsetSource, CheckpointListener {
  std::shared_ptr<Probe> probe;
  void notify_checkpoint_complete(int64_t) override { ++probe->completed_checkpoints; }
  void run(SourceContext<int64_t>& ctx) override {
    while (*running && offset < n) {
      if (offset == n / 2 && probe->completed_checkpoints == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      // A watermark every 1000 records, not after each: a watermark ships the buffer it
      // follows, and full buffers are what builds up in front of the slow stage.
      std::lock_guard lock(ctx.get_checkpoint_lock());
      ctx.collect_with_timestamp(offset, offset);
      if (offset % 1000 == 999) ctx.emit_watermark(offset);
      ++offset;
    }
  }
};

// The slow stage: ten microseconds of work per record, and one failure, on the first record
// it sees after a checkpoint completed.
struct SlowAndFailingOnce {
  std::shared_ptr<Probe> probe;
  Pair operator()(const Pair& p) const {
    if (probe->completed_checkpoints > 0 && !probe->failed.exchange(true)) {
      throw std::runtime_error("injected failure");
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(10);
    while (std::chrono::steady_clock::now() < until) {
    }
    return p;
  }
};

struct UnalignedJob {
  int64_t n = 100'000;
  std::shared_ptr<Probe> probe = std::make_shared<Probe>();
  testing::CommittingSink<Pair> sink;

  StreamExecutionEnvironment env() const {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).enable_checkpointing(10);
    env.get_checkpoint_config().enable_unaligned_checkpoints();
    env.set_restart_strategy(RestartStrategies::fixed_delay_restart(3, 0));
    return env;
  }
  // The source runs as one subtask, so each key's records reach the keyed operator in order
  // (operators chained to it must run as one subtask too).
  DataStream<int64_t> source(StreamExecutionEnvironment& env) const {
    WaitingSource source;
    source.n = n;
    source.probe = probe;
    return env.add_source(source, "waiting").set_parallelism(1);
  }
  void finish(DataStream<Pair> results) const {
    results.rebalance().map(SlowAndFailingOnce{probe}).add_sink(sink);
  }
};

TEST(UnalignedCheckpointTest, KeyedStateRestoresExactlyOnceUnderBackpressure) {
  UnalignedJob job;
  auto env = job.env();
  job.finish(
      job.source(env)
          .map([](const int64_t& v) { return Pair(v % 7, v); })
          .set_parallelism(1)  // chained to the source: one channel carries each key
          .key_by([](const Pair& p) { return p.first; })
          .reduce([](const Pair& a, const Pair& b) { return Pair(a.first, a.second + b.second); }));
  JobClient client = env.execute_async("unaligned keyed");
  client.get_job_execution_result();
  EXPECT_TRUE(job.probe->failed);
  // The job reports its checkpoints: unaligned ones, each complete after its last ack.
  const std::vector<CompletedCheckpointStats> stats = client.get_checkpoint_stats();
  ASSERT_FALSE(stats.empty());
  EXPECT_LE(stats.size(), static_cast<size_t>(kCheckpointHistorySize));
  for (const CompletedCheckpointStats& s : stats) {
    EXPECT_TRUE(s.unaligned) << s.id;
    EXPECT_FALSE(s.is_savepoint) << s.id;
    EXPECT_LE(s.trigger_timestamp, s.latest_ack_timestamp) << s.id;
    EXPECT_GE(s.end_to_end_duration, s.latest_ack_timestamp - s.trigger_timestamp) << s.id;
  }
  std::map<int64_t, int64_t> sums;
  std::vector<Pair> expected;
  for (int64_t v = 0; v < job.n; ++v) expected.emplace_back(v % 7, sums[v % 7] += v);
  EXPECT_EQ(job.sink.log->output(), testing::sorted(expected));
}

TEST(UnalignedCheckpointTest, EventTimeWindowsRestoreExactlyOnceUnderBackpressure) {
  UnalignedJob job;
  auto env = job.env();
  job.finish(
      job.source(env)
          .map([](const int64_t& v) { return Pair(v % 5, v); })
          .key_by([](const Pair& p) { return p.first; })
          .window(TumblingEventTimeWindows::of(Time::milliseconds(100)))
          .reduce([](const Pair& a, const Pair& b) { return Pair(a.first, a.second + b.second); }));
  env.execute("unaligned windows");
  EXPECT_TRUE(job.probe->failed);
  std::map<Pair, int64_t> windows;  // (key, window start) -> sum
  for (int64_t v = 0; v < job.n; ++v) windows[{v % 5, v / 100 * 100}] += v;
  std::vector<Pair> expected;
  for (const auto& [window, sum] : windows) expected.emplace_back(window.first, sum);
  EXPECT_EQ(job.sink.log->output(), testing::sorted(expected));
}

}  // namespace
}  // namespace eddy
