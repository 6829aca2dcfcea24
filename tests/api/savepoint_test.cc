// Savepoints: a running job's savepoint restores into a new job — at another parallelism
// (keyed state and operator state redistributed 2 → 3 → 1), on either state backend — and the
// committed output of the three runs equals, as a multiset, that of one uninterrupted run.
// A savepoint with state for an operator the new job lacks is refused unless non-restored state
// is allowed; a damaged or missing savepoint fails the job naming the file.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "api/test_jobs.h"
#include "support/committing_sink.h"
#include "support/latch.h"
#include "support/offset_source.h"
#include "support/temp_dir.h"

namespace eddy {
namespace {

namespace fs = std::filesystem;
using Pair = std::pair<int64_t, int64_t>;

using Log = testing::CommitLog<Pair>;

// Emits 0..n-1 (timestamp and watermark = the value); stops at `pause_at` until the job is
// cancelled or stopped.
using StoppingSource = testing::PausingOffsetSource;

constexpr int64_t kRecords = 30'000;

// Builds the job: source (uid "source") -> key by v % 11 -> rolling sum (uid "sum") -> sink.
StreamExecutionEnvironment job(int parallelism, StateBackendType backend, int64_t pause_at,
                               std::shared_ptr<testing::Latch> paused, std::shared_ptr<Log> store,
                               const std::string& restore_from) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(parallelism).set_max_parallelism(128);
  if (backend == StateBackendType::kRocksDb) {
    env.set_state_backend(EmbeddedRocksDBStateBackend());
  } else {
    env.set_state_backend(HashMapStateBackend());
  }
  if (!restore_from.empty()) {
    env.set_savepoint_restore_settings(SavepointRestoreSettings::for_path(restore_from));
  }
  StoppingSource source;
  source.n = kRecords;
  source.pause_at = pause_at;
  source.paused = std::move(paused);
  testing::CommittingSink<Pair> sink;
  sink.log = std::move(store);
  // The map runs in the source's subtask: each key's records then reach the sum in order, which
  // makes the rolling sums deterministic.
  env.add_source(source, "stopping")
      .uid("source")
      .map([](const int64_t& v) { return Pair(v % 11, v); })
      .set_parallelism(1)
      .key_by([](const Pair& p) { return p.first; })
      .reduce([](const Pair& a, const Pair& b) { return Pair(a.first, a.second + b.second); })
      .uid("sum")
      .add_sink(sink)
      .uid("sink");
  return env;
}

// Runs until the source paused at `pause_at`, takes a savepoint, cancels; returns its path.
std::string run_to_savepoint(int parallelism, StateBackendType backend, int64_t pause_at,
                             const std::shared_ptr<Log>& store, const std::string& restore_from,
                             const fs::path& dir) {
  auto paused = std::make_shared<testing::Latch>();
  auto env = job(parallelism, backend, pause_at, paused, store, restore_from);
  JobClient client = env.execute_async("savepoint stage");
  paused->wait();
  const std::string path = client.trigger_savepoint(dir.string()).get();
  client.cancel();
  EXPECT_THROW(client.get_job_execution_result(), JobExecutionException);
  return path;
}

class SavepointTest : public ::testing::TestWithParam<StateBackendType> {};

TEST_P(SavepointTest, RescalingTwoThreeOneEqualsAnUninterruptedRun) {
  testing::TempDir dir("eddy-savepoint-test");
  auto store = std::make_shared<Log>();
  const std::string first = run_to_savepoint(2, GetParam(), 9'000, store, "", dir.path);
  EXPECT_TRUE(fs::exists(fs::path(first) / "_metadata")) << first;
  EXPECT_EQ(fs::path(first).filename().string().rfind("savepoint-", 0), 0u) << first;
  const std::string second = run_to_savepoint(3, GetParam(), 21'000, store, first, dir.path);
  auto env = job(1, GetParam(), -1, std::make_shared<testing::Latch>(), store, second);
  env.execute("final stage");

  std::map<int64_t, int64_t> sums;
  std::vector<Pair> expected;
  for (int64_t v = 0; v < kRecords; ++v) expected.emplace_back(v % 11, sums[v % 11] += v);
  EXPECT_EQ(store->output(), testing::sorted(expected));
}

INSTANTIATE_TEST_SUITE_P(Backends, SavepointTest,
                         ::testing::Values(StateBackendType::kHashMap, StateBackendType::kRocksDb),
                         [](const auto& info) {
                           return info.param == StateBackendType::kRocksDb ? "RocksDB" : "Heap";
                         });

std::string failure_of(StreamExecutionEnvironment& env) {
  try {
    env.execute("restore");
  } catch (const JobExecutionException& e) {
    return e.what();
  }
  return "no failure";
}

TEST(SavepointRestoreTest, StateOfAMissingOperatorIsRefusedUnlessAllowed) {
  testing::TempDir dir("eddy-savepoint-test");
  auto store = std::make_shared<Log>();
  const std::string path =
      run_to_savepoint(2, StateBackendType::kHashMap, 1'000, store, "", dir.path);
  // The same job without the rolling sum and the sink (both have state in the savepoint).
  auto make = [&](bool allow) {
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).set_savepoint_restore_settings(
        SavepointRestoreSettings::for_path(path, allow));
    StoppingSource source;
    source.n = 2'000;
    source.paused = std::make_shared<testing::Latch>();
    env.add_source(source, "stopping").uid("source").add_sink([](const int64_t&) {});
    return env;
  };
  auto refused = make(false);
  const std::string message = failure_of(refused);
  EXPECT_NE(message.find("Cannot map checkpoint/savepoint state for operator 'sink'"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  auto allowed = make(true);
  EXPECT_EQ(failure_of(allowed), "no failure");
}

TEST(SavepointRestoreTest, DamagedOrMissingSavepointFailsNamingTheFile) {
  testing::TempDir dir("eddy-savepoint-test");
  auto store = std::make_shared<Log>();
  const std::string path =
      run_to_savepoint(1, StateBackendType::kHashMap, 1'000, store, "", dir.path);
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().filename() == "_metadata") continue;
    std::ofstream(entry.path(), std::ios::binary | std::ios::app) << "x";  // one byte too many
  }
  auto env =
      job(1, StateBackendType::kHashMap, -1, std::make_shared<testing::Latch>(), store, path);
  std::string message = failure_of(env);
  EXPECT_NE(message.find("is corrupted"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;

  auto missing = job(1, StateBackendType::kHashMap, -1, std::make_shared<testing::Latch>(), store,
                     (dir.path / "no-such-savepoint").string());
  message = failure_of(missing);
  EXPECT_NE(message.find("no-such-savepoint/_metadata is missing"), std::string::npos) << message;
}

TEST(StopWithSavepointTest, TheJobFinishesAndAResumedJobGoesOnExactly) {
  testing::TempDir dir("eddy-savepoint-test");
  auto log = std::make_shared<Log>();
  auto paused = std::make_shared<testing::Latch>();
  auto first = job(2, StateBackendType::kHashMap, 12'345, paused, log, "");
  JobClient client = first.execute_async("stopped");
  paused->wait();
  const std::string path = client.stop_with_savepoint(dir.path.string()).get();
  EXPECT_NO_THROW(client.get_job_execution_result());
  EXPECT_EQ(client.get_job_status(), JobStatus::kFinished);
  auto second = job(2, StateBackendType::kHashMap, -1, paused, log, path);
  second.execute("resumed");

  std::map<int64_t, int64_t> sums;
  std::vector<Pair> expected;
  for (int64_t v = 0; v < kRecords; ++v) expected.emplace_back(v % 11, sums[v % 11] += v);
  EXPECT_EQ(log->output(), testing::sorted(expected));
}

// Event-time windows of 1000 ms over the values 0..5499, stopped at 5500: without draining, the
// open window [5000, 6000) stays in the savepoint; with draining it fires before it.
std::vector<Pair> windows_stopped_at_5500(bool drain) {
  testing::TempDir dir("eddy-savepoint-test");
  auto log = std::make_shared<Log>();
  auto paused = std::make_shared<testing::Latch>();
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2);
  StoppingSource source;
  source.n = 10'000;
  source.pause_at = 5'500;
  source.paused = paused;
  testing::CommittingSink<Pair> sink;
  sink.log = log;
  env.add_source(source, "stopping")
      .map([](const int64_t& v) { return Pair(v / 1000 % 2, v); })
      .set_parallelism(1)
      .key_by([](const Pair& p) { return p.first; })
      .window(TumblingEventTimeWindows::of(Time::milliseconds(1000)))
      .reduce([](const Pair& a, const Pair& b) { return Pair(a.first, a.second + b.second); })
      .add_sink(sink);
  JobClient client = env.execute_async("windows");
  paused->wait();
  client.stop_with_savepoint(dir.path.string(), drain).get();
  client.get_job_execution_result();
  return log->output();
}

TEST(StopWithSavepointTest, DrainFiresTheOpenWindowsFirst) {
  std::vector<Pair> closed;
  for (int64_t start = 0; start < 5000; start += 1000) {
    int64_t sum = 0;
    for (int64_t v = start; v < start + 1000; ++v) sum += v;
    closed.emplace_back(start / 1000 % 2, sum);
  }
  EXPECT_EQ(windows_stopped_at_5500(false), testing::sorted(closed));
  int64_t open_window = 0;
  for (int64_t v = 5000; v < 5500; ++v) open_window += v;
  closed.emplace_back(1, open_window);
  EXPECT_EQ(windows_stopped_at_5500(true), testing::sorted(closed));
}

}  // namespace
}  // namespace eddy
