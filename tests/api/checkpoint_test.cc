// Checkpoints on real jobs: a task fails after a checkpoint completed, the job restarts from it
// (keyed state, timers, operator state and the source's position), and what a two-phase-commit
// sink committed equals, as a multiset, what a plain loop computes for a run without failure.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "api/test_jobs.h"
#include "support/committing_sink.h"
#include "support/shared_sink.h"
#include "support/temp_dir.h"

namespace eddy {
namespace {

namespace fs = std::filesystem;
using Pair = std::pair<int64_t, int64_t>;

// What the test sees of a job run besides its output: the failure, the restores.
struct Probe {
  std::atomic<bool> failed{false};
  testing::SharedSink<int64_t> restored_offsets;
};

// Emits 0..n-1, each with itself as timestamp and watermark, keeping its offset in operator
// state. In the first attempt it pauses at `pause_at` until a checkpoint taken there completed,
// so that a failure after that point always has a checkpoint to restore; a restored attempt
// pauses the same way 1000 records before the end, which proves that checkpoints go on after a
// restart.
struct PausingSource : SourceFunction<int64_t>, CheckpointedFunction, CheckpointListener {
  int64_t n = 0;
  int64_t pause_at = 0;
  std::shared_ptr<Probe> probe;

  struct Shared {
    std::atomic<bool> running{true};
    std::atomic<int64_t> pause_checkpoint{-1};
    std::atomic<bool> pause_over{false};
  };
  std::shared_ptr<Shared> shared;
  ListState<int64_t>* offset_state = nullptr;
  int64_t offset = 0;
  bool restored = false;

  void initialize_state(FunctionInitializationContext& ctx) override {
    shared = std::make_shared<Shared>();
    offset_state =
        &ctx.get_operator_state_store().get_list_state(ListStateDescriptor<int64_t>("offset"));
    for (int64_t o : offset_state->get()) offset = o;
    restored = ctx.is_restored();
    if (restored) probe->restored_offsets.add(offset);
  }
  void snapshot_state(FunctionSnapshotContext& ctx) override {
    offset_state->update({offset});
    if (offset == pause_point() && shared->pause_checkpoint < 0) {
      shared->pause_checkpoint = ctx.get_checkpoint_id();
    }
  }
  void notify_checkpoint_complete(int64_t id) override {
    const int64_t pause = shared->pause_checkpoint;
    if (pause >= 0 && id >= pause) shared->pause_over = true;
  }
  void run(SourceContext<int64_t>& ctx) override {
    while (shared->running && offset < n) {
      if (offset == pause_point() && !shared->pause_over) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      std::lock_guard lock(ctx.get_checkpoint_lock());
      ctx.collect_with_timestamp(offset, offset);
      ctx.emit_watermark(offset);
      ++offset;
    }
  }
  void cancel() override { shared->running = false; }
  int64_t pause_point() const { return restored ? n - 1000 : pause_at; }
};

// Passes records on; throws once, at `fail_at`, in the whole test.
struct FailOnce {
  int64_t fail_at = 0;
  std::shared_ptr<Probe> probe;
  int64_t operator()(const int64_t& v) const {
    if (v == fail_at && !probe->failed.exchange(true)) {
      throw std::runtime_error("injected failure at " + std::to_string(v));
    }
    return v;
  }
};

struct JobSetup {
  int64_t n = 20'000;
  int64_t pause_at = 5'000;
  int64_t fail_at = 12'345;
  CheckpointingMode mode = CheckpointingMode::kExactlyOnce;
  std::shared_ptr<Probe> probe = std::make_shared<Probe>();
  testing::CommittingSink<Pair> sink;

  StreamExecutionEnvironment env() const {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).enable_checkpointing(20, mode);
    env.set_restart_strategy(RestartStrategies::fixed_delay_restart(3, 0));
    return env;
  }
  DataStream<int64_t> source(StreamExecutionEnvironment& env) const {
    PausingSource source;
    source.n = n;
    source.pause_at = pause_at;
    source.probe = probe;
    FailOnce fail;
    fail.fail_at = fail_at;
    fail.probe = probe;
    // The map runs in the source's (single) subtask, and so does the next one where a test
    // keys the stream: each key's records reach keyed operators in order.
    return env.add_source(source, "pausing").map(fail).set_parallelism(1);
  }
};

// Rolling sum per key v % 7, as the job emits it after every record.
std::vector<Pair> expected_rolling_sums(int64_t n) {
  std::map<int64_t, int64_t> sums;
  std::vector<Pair> out;
  for (int64_t v = 0; v < n; ++v) out.emplace_back(v % 7, sums[v % 7] += v);
  return testing::sorted(out);
}

TEST(CheckpointTest, KeyedStateAndSourcePositionRestoreExactlyOnce) {
  JobSetup setup;
  auto env = setup.env();
  setup.source(env)
      .map([](const int64_t& v) { return Pair(v % 7, v); })
      .set_parallelism(1)
      .key_by([](const Pair& p) { return p.first; })
      .reduce([](const Pair& a, const Pair& b) { return Pair(a.first, a.second + b.second); })
      .add_sink(setup.sink);
  env.execute("keyed exactly-once");
  EXPECT_TRUE(setup.probe->failed);
  const std::vector<int64_t> restored = setup.probe->restored_offsets.values();
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_GE(restored[0], setup.pause_at);
  EXPECT_LE(restored[0], setup.fail_at);
  EXPECT_EQ(setup.sink.log->output(), expected_rolling_sums(setup.n));
}

TEST(CheckpointTest, EventTimeWindowsAndTimersRestoreExactlyOnce) {
  JobSetup setup;
  auto env = setup.env();
  setup.source(env)
      .map([](const int64_t& v) { return Pair(v % 5, v); })
      .key_by([](const Pair& p) { return p.first; })
      .window(TumblingEventTimeWindows::of(Time::milliseconds(100)))
      .reduce([](const Pair& a, const Pair& b) { return Pair(a.first, a.second + b.second); })
      .add_sink(setup.sink);
  env.execute("windows exactly-once");
  EXPECT_TRUE(setup.probe->failed);
  EXPECT_EQ(setup.probe->restored_offsets.values().size(), 1u);
  std::map<Pair, int64_t> windows;  // (key, window start) -> sum
  for (int64_t v = 0; v < setup.n; ++v) windows[{v % 5, v / 100 * 100}] += v;
  std::vector<Pair> expected;
  for (const auto& [window, sum] : windows) expected.emplace_back(window.first, sum);
  EXPECT_EQ(setup.sink.log->output(), testing::sorted(expected));
}

TEST(CheckpointTest, AtLeastOnceLosesNothing) {
  JobSetup setup;
  setup.mode = CheckpointingMode::kAtLeastOnce;
  auto env = setup.env();
  setup.source(env)
      .rebalance()
      .map([](const int64_t& v) { return v; })
      .rebalance()  // two senders per receiver: barriers arrive on two channels
      .map([](const int64_t& v) { return Pair(v, v); })
      .add_sink(setup.sink);
  env.execute("at-least-once");
  EXPECT_TRUE(setup.probe->failed);
  std::map<int64_t, int> seen;
  for (const Pair& p : setup.sink.log->output()) ++seen[p.first];
  ASSERT_EQ(seen.size(), static_cast<size_t>(setup.n));
  EXPECT_EQ(seen.begin()->first, 0);
  EXPECT_EQ(seen.rbegin()->first, setup.n - 1);
}

// Values without a TypeSerializer cannot be checkpointed: the checkpoint is declined, and with
// no tolerated failures the job fails, saying why.
struct Opaque {
  int64_t v = 0;
};

TEST(CheckpointTest, StateThatCannotBeSerializedFailsTheJobClearly) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).enable_checkpointing(10);
  env.set_restart_strategy(RestartStrategies::no_restart());
  testing::CountingSource source;
  env.add_source(source)
      .map([](const int64_t& v) { return Opaque{v}; })
      .key_by([](const Opaque& o) { return o.v % 3; })
      .reduce([](const Opaque& a, const Opaque& b) { return Opaque{a.v + b.v}; })
      .add_sink([](const Opaque&) {});
  try {
    env.execute("opaque state");
    FAIL() << "the job should fail";
  } catch (const JobExecutionException& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Exceeded checkpoint tolerable failure threshold"), std::string::npos)
        << message;
    EXPECT_NE(message.find("cannot checkpoint the rolling values"), std::string::npos) << message;
  }
}

// Waits until the job has a completed checkpoint on disk; returns its path. The deadline only
// bounds a hang: sanitizer builds on a loaded machine take many times longer than usual.
fs::path wait_for_checkpoint(const fs::path& job_dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(job_dir, ec)) {
      if (fs::exists(entry.path() / "_metadata")) return entry.path();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {};
}

TEST(CheckpointTest, RetainedCheckpointsFollowFlinksLayoutAndCleanupRules) {
  for (bool retain : {false, true}) {
    testing::TempDir dir("eddy-checkpoint-test");
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).enable_checkpointing(10);
    env.get_checkpoint_config()
        .set_checkpoint_storage_dir(dir.path.string())
        .set_num_retained_checkpoints(2)
        .set_externalized_checkpoint_cleanup(
            retain ? ExternalizedCheckpointCleanup::kRetainOnCancellation
                   : ExternalizedCheckpointCleanup::kDeleteOnCancellation);
    testing::CountingSource source;
    source.running = std::make_shared<std::atomic<bool>>(true);
    env.add_source(source)
        .key_by([](const int64_t& v) { return v % 10; })
        .reduce([](const int64_t& a, const int64_t& b) { return a + b; })
        .add_sink([](const int64_t&) {});
    JobClient client = env.execute_async("retention");
    const fs::path job_dir = dir.path / client.get_job_id();
    const fs::path first = wait_for_checkpoint(job_dir);
    ASSERT_FALSE(first.empty()) << "no checkpoint completed within a minute";
    EXPECT_EQ(first.filename().string().rfind("chk-", 0), 0u) << first;
    client.cancel();
    EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
    if (!retain) {
      EXPECT_FALSE(fs::exists(job_dir)) << "cancelled job left " << job_dir;
      continue;
    }
    int checkpoints = 0;
    for (const auto& entry : fs::directory_iterator(job_dir)) {
      EXPECT_TRUE(fs::exists(entry.path() / "_metadata")) << entry.path();
      ++checkpoints;
    }
    EXPECT_GE(checkpoints, 1);
    EXPECT_LE(checkpoints, 2);
  }
}

}  // namespace
}  // namespace eddy
