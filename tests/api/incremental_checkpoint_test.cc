// Incremental RocksDB checkpoints in running jobs: a keyed, windowed job with the exactly-once
// FileSink fails at random moments and restarts from its latest incremental checkpoint; its
// committed output must equal what a plain loop computes, and the finished job leaves no
// checkpoint files behind. A cancelled job that retains its checkpoints keeps in shared/ exactly
// the files its retained checkpoints refer to, and each of them reads back intact.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/test_jobs.h"
#include "cluster/checkpoint_storage.h"
#include "support/offset_source.h"
#include "support/shared_sink.h"
#include "support/temp_dir.h"

namespace eddy {
namespace {

namespace fs = std::filesystem;
using Pair = std::pair<int64_t, int64_t>;

// Failures planned for one run, each fires once: (place, record value).
struct Faults {
  std::mutex mu;
  std::set<std::pair<int, int64_t>> planned;
  std::atomic<int> fired{0};
  bool fire(int place, int64_t value) {
    std::lock_guard lock(mu);
    if (planned.erase({place, value}) == 0) return false;
    ++fired;
    return true;
  }
};

// Emits 0..n-1 (timestamp and watermark = value), yielding now and then so that checkpoints
// happen while it runs.
struct ThrottledSource : testing::OffsetSource {
  void run(SourceContext<int64_t>& ctx) override {
    while (*running && offset < n) {
      if (offset % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
      emit_next(ctx);
    }
  }
};

std::vector<std::string> committed_lines(const fs::path& dir) {
  std::vector<std::string> lines;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;                         // a bucket
    if (entry.path().filename().string().front() == '.') continue;  // in progress
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return testing::sorted(lines);
}

TEST(IncrementalCheckpointTest, FailuresAndRestartsGiveTheOutputOfAPlainLoop) {
  int restarted_runs = 0;
  constexpr int kRuns = 5;
  for (int run = 0; run < kRuns; ++run) {
    std::mt19937_64 random(static_cast<uint64_t>(run) * 104729 + 3);
    const int64_t n = std::uniform_int_distribution<int64_t>(2000, 5000)(random);
    auto faults = std::make_shared<Faults>();
    for (int f = 0; f < 2; ++f) {
      // Past the first thousand records: by then checkpoints with state have completed.
      faults->planned.insert({f, std::uniform_int_distribution<int64_t>(1000, n - 1)(random)});
    }
    testing::TempDir checkpoints("eddy-incremental-test");
    testing::TempDir output("eddy-incremental-test");
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).enable_checkpointing(10);
    env.get_checkpoint_config().set_checkpoint_storage_dir(checkpoints.path.string());
    env.set_state_backend(EmbeddedRocksDBStateBackend(true));
    env.set_restart_strategy(RestartStrategies::fixed_delay_restart(10, 0));
    ThrottledSource source;
    source.n = n;
    const auto sink =
        FileSink<Pair>::for_row_format(output.path.string(), SimpleStringEncoder<Pair>())
            .with_rolling_policy(DefaultRollingPolicy{512})
            .build();
    env.add_source(source, "throttled")
        .map([faults](const int64_t& v) {
          if (faults->fire(0, v)) throw std::runtime_error("injected map failure");
          return Pair(v % 13, v);
        })
        .key_by([](const Pair& p) { return p.first; })
        .window(TumblingEventTimeWindows::of(Time::milliseconds(50)))
        .reduce([faults](const Pair& a, const Pair& b) {
          if (faults->fire(1, b.second)) throw std::runtime_error("injected window failure");
          return Pair(a.first, a.second + b.second);
        })
        .sink_to(sink);
    const JobExecutionResult result = env.execute("incremental " + std::to_string(run));
    if (faults->fired > 0) ++restarted_runs;

    std::map<Pair, int64_t> windows;  // (key, window start) -> sum
    for (int64_t v = 0; v < n; ++v) windows[{v % 13, v / 50 * 50}] += v;
    std::vector<std::string> expected;
    for (const auto& [window, sum] : windows) {
      expected.push_back(format_value(Pair(window.first, sum)));
    }
    ASSERT_EQ(committed_lines(output.path), testing::sorted(expected))
        << "run " << run << ": n=" << n << ", failures fired: " << faults->fired;
    // A finished job deletes its checkpoints, shared files included.
    EXPECT_FALSE(fs::exists(checkpoints.path / result.get_job_id()))
        << "run " << run << " left checkpoint files";
  }
  EXPECT_GT(restarted_runs, kRuns / 2);
}

// Counts records per key in a ValueState (in the RocksDB backend, unlike reduce's rolling
// values, which the operator keeps itself).
class CountPerKey final : public KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  void open(RuntimeContext& ctx) override {
    count_ = &ctx.get_state(ValueStateDescriptor<int64_t>("count"));
  }
  void process_element(const int64_t&, Context&, Collector<int64_t>& out) override {
    const int64_t next = count_->value().value_or(0) + 1;
    count_->update(next);
    out.collect(next);
  }

 private:
  ValueState<int64_t>* count_ = nullptr;
};

// The highest checkpoint id with a _metadata in `job_dir`, 0 if none.
int64_t latest_checkpoint(const fs::path& job_dir) {
  int64_t latest = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(job_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("chk-", 0) != 0 || !fs::exists(entry.path() / "_metadata")) continue;
    latest = std::max<int64_t>(latest, std::stoll(name.substr(4)));
  }
  return latest;
}

TEST(IncrementalCheckpointTest, SharedFilesAreExactlyWhatRetainedCheckpointsReferTo) {
  testing::TempDir dir("eddy-incremental-test");
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2).enable_checkpointing(10);
  env.get_checkpoint_config()
      .set_checkpoint_storage_dir(dir.path.string())
      .set_num_retained_checkpoints(2)
      .set_externalized_checkpoint_cleanup(ExternalizedCheckpointCleanup::kRetainOnCancellation);
  env.set_state_backend(EmbeddedRocksDBStateBackend(true));
  testing::CountingSource source;
  env.add_source(source)
      .key_by([](const int64_t& v) { return v % 1000; })
      .process(CountPerKey())
      .add_sink([](const int64_t&) {});
  JobClient client = env.execute_async("retained incremental checkpoints");
  const fs::path job_dir = dir.path / client.get_job_id();
  // Checkpoint 6 exists: earlier ones were subsumed, and their files released. The deadline
  // only bounds a hang (sanitizer builds on a loaded machine are many times slower).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (latest_checkpoint(job_dir) < 6 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(latest_checkpoint(job_dir), 6) << "checkpoints did not complete within 5 minutes";
  client.cancel();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);

  std::set<std::string> referenced;
  int retained = 0;
  for (const auto& entry : fs::directory_iterator(job_dir)) {
    if (entry.path().filename() == "shared") continue;
    ++retained;
    const cluster::CompletedCheckpoint checkpoint = cluster::CheckpointStorage::read(entry.path());
    for (const auto& [id, op] : checkpoint.operators) {
      for (const auto& [subtask, state] : op.subtasks) {
        for (const SnapshotFile& file : state->keyed.native_files) {
          EXPECT_EQ(fs::path(file.shared_path).parent_path(), job_dir / "shared");
          referenced.insert(fs::path(file.shared_path).filename().string());
        }
      }
    }
  }
  EXPECT_GE(retained, 1);
  EXPECT_LE(retained, 2);
  EXPECT_FALSE(referenced.empty());
  std::set<std::string> stored;
  for (const auto& entry : fs::directory_iterator(job_dir / "shared")) {
    stored.insert(entry.path().filename().string());
  }
  EXPECT_EQ(stored, referenced);
}

// Emits `offset` up to `limit` (exclusive), then idles until cancelled or, with `finish`, ends.
struct LimitedSource : testing::OffsetSource {
  int64_t limit = 0;
  bool finish = false;
  void run(SourceContext<int64_t>& ctx) override {
    while (*running) {
      if (offset < limit) {
        emit_next(ctx);
      } else if (finish) {
        return;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }
};

// Counts per key; counts every record it processed in `processed`.
class CountingWithProbe final : public KeyedProcessFunction<int64_t, int64_t, Pair> {
 public:
  std::shared_ptr<std::atomic<int64_t>> processed;
  void open(RuntimeContext& ctx) override {
    count_ = &ctx.get_state(ValueStateDescriptor<int64_t>("count"));
  }
  void process_element(const int64_t& v, Context&, Collector<Pair>& out) override {
    const int64_t next = count_->value().value_or(0) + 1;
    count_->update(next);
    ++*processed;  // before the sink can see the record
    out.collect(Pair(v % 100, next));
  }

 private:
  ValueState<int64_t>* count_ = nullptr;
};

// A job counting records per key (v % 100) with incremental RocksDB checkpoints in
// `checkpoint_dir`, retained on cancellation.
StreamExecutionEnvironment counting_job(const std::string& checkpoint_dir, int parallelism,
                                        int64_t limit, bool finish,
                                        std::shared_ptr<std::atomic<int64_t>> processed,
                                        std::shared_ptr<testing::SharedSink<Pair>> out) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(parallelism).set_max_parallelism(128).enable_checkpointing(10);
  env.get_checkpoint_config()
      .set_checkpoint_storage_dir(checkpoint_dir)
      .set_externalized_checkpoint_cleanup(ExternalizedCheckpointCleanup::kRetainOnCancellation);
  env.set_state_backend(EmbeddedRocksDBStateBackend(true));
  LimitedSource source;
  source.limit = limit;
  source.finish = finish;
  CountingWithProbe count;
  count.processed = std::move(processed);
  env.add_source(source, "limited")
      .uid("source")
      .set_parallelism(1)
      .key_by([](const int64_t& v) { return v % 100; })
      .process(count)
      .uid("count")
      .add_sink([out](const Pair& p) { out->add(p); })
      .uid("sink");
  return env;
}

// Runs counting_job over `records` records at `parallelism` until a checkpoint holding every
// count completed, cancels it, and returns that retained checkpoint's directory (under
// `checkpoints`, the absolute form of `checkpoint_dir`).
fs::path run_to_retained_checkpoint(const std::string& checkpoint_dir, const fs::path& checkpoints,
                                    int parallelism, int64_t records) {
  auto processed = std::make_shared<std::atomic<int64_t>>(0);
  auto out = std::make_shared<testing::SharedSink<Pair>>();
  auto env = counting_job(checkpoint_dir, parallelism, records, false, processed, out);
  JobClient client = env.execute_async("incremental, parallelism " + std::to_string(parallelism));
  const fs::path job_dir = checkpoints / client.get_job_id();
  out->wait_for_size(static_cast<size_t>(records));
  EXPECT_EQ(processed->load(), records);
  // A checkpoint two after the latest one completed when all were processed was triggered after
  // that (one checkpoint at a time; a margin of one for an aborted one): it holds every count.
  const int64_t before = latest_checkpoint(job_dir);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (latest_checkpoint(job_dir) <= before + 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(latest_checkpoint(job_dir), before + 2) << "no checkpoint completed within a minute";
  client.cancel();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
  // What is retained is known only now: a checkpoint seen before the cancel may have been
  // subsumed meanwhile by a later one (one is retained).
  const int64_t checkpoint = latest_checkpoint(job_dir);
  EXPECT_GT(checkpoint, before + 2);
  return job_dir / ("chk-" + std::to_string(checkpoint));
}

// What a job restored from a checkpoint holding the counts of records 0..`records`-1 emits for
// 100 more records (one per key): each key's count, plus one. From a plain loop.
std::vector<Pair> expected_after_restore(int64_t records) {
  std::vector<Pair> expected;
  for (int64_t key = 0; key < 100; ++key) {
    int64_t before_restore = 0;
    for (int64_t v = 0; v < records; ++v) before_restore += v % 100 == key ? 1 : 0;
    expected.emplace_back(key, before_restore + 1);
  }
  return expected;
}

TEST(IncrementalCheckpointTest, ARetainedIncrementalCheckpointRestoresRescaled) {
  constexpr int64_t kRecords = 5'000;
  testing::TempDir dir("eddy-incremental-test");
  // Job 1 at parallelism 2 counts kRecords records; job 2 at parallelism 3 starts from its
  // retained checkpoint and sees one more record per key.
  const fs::path retained = run_to_retained_checkpoint(dir.path.string(), dir.path, 2, kRecords);
  ASSERT_TRUE(fs::exists(retained / "_metadata"));
  auto out = std::make_shared<testing::SharedSink<Pair>>();
  auto second = counting_job(dir.path.string(), 3, kRecords + 100, true,
                             std::make_shared<std::atomic<int64_t>>(0), out);
  second.set_savepoint_restore_settings(SavepointRestoreSettings::for_path(retained.string()));
  second.execute("incremental, parallelism 3 from a retained checkpoint");
  EXPECT_EQ(testing::sorted(out->values()), expected_after_restore(kRecords));
  // Job 2 never deletes job 1's files: the retained checkpoint still reads back intact.
  EXPECT_NO_THROW(cluster::CheckpointStorage::read(retained));
}

// Changes the working directory for the test's duration.
struct WorkingDirectory {
  explicit WorkingDirectory(const fs::path& dir) : previous(fs::current_path()) {
    fs::current_path(dir);
  }
  ~WorkingDirectory() { fs::current_path(previous); }
  fs::path previous;
};

TEST(IncrementalCheckpointTest, ARelativeCheckpointDirectoryRestoresFromAnotherWorkingDirectory) {
  constexpr int64_t kRecords = 2'000;
  testing::TempDir dir("eddy-incremental-test");
  fs::path retained;
  {
    WorkingDirectory inside(dir.path);
    retained = run_to_retained_checkpoint("ckpts", dir.path / "ckpts", 1, kRecords);
  }
  ASSERT_TRUE(fs::exists(retained / "_metadata"));
  // Restored at the same parallelism (the shared files become the new database) by a job whose
  // working directory is another one, through the checkpoint's absolute path.
  fs::create_directories(dir.path / "elsewhere");
  WorkingDirectory elsewhere(dir.path / "elsewhere");
  auto out = std::make_shared<testing::SharedSink<Pair>>();
  auto second = counting_job((dir.path / "second").string(), 1, kRecords + 100, true,
                             std::make_shared<std::atomic<int64_t>>(0), out);
  second.set_savepoint_restore_settings(SavepointRestoreSettings::for_path(retained.string()));
  second.execute("incremental, from a checkpoint written with a relative directory");
  EXPECT_EQ(testing::sorted(out->values()), expected_after_restore(kRecords));
}

}  // namespace
}  // namespace eddy
