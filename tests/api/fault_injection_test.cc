// Fault injection: a keyed, windowed job with a bounded source and the exactly-once FileSink
// (rolling part files committed on checkpoint completion) fails at random moments — in the
// source's downstream map, in the window function, right before the sink — and restarts from
// its latest checkpoint (or from the start when none completed yet). Whatever the failures, the
// committed output must be identical to what a plain loop computes for a run without failure: no
// record lost, none duplicated. Runs alternate between the heap and the RocksDB state backend.
// EDDY_FAULT_INJECTION_RUNS sets the number of randomized runs (default 50) and
// EDDY_FAULT_INJECTION_SEED the first seed (default 0); scripts/soak-checkpoints runs many more.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "api/test_jobs.h"
#include "support/offset_source.h"

namespace eddy {
namespace {

using Pair = std::pair<int64_t, int64_t>;

// Failures planned for one run: where (which operator) and at which record value; each fires
// once in the run.
struct Faults {
  std::mutex mu;
  std::set<std::pair<int, int64_t>> planned;  // (place, value)
  std::atomic<int> fired{0};
  bool fire(int place, int64_t value) {
    std::lock_guard lock(mu);
    if (planned.erase({place, value}) == 0) return false;
    ++fired;
    return true;
  }
};
enum Place { kMap = 0, kWindow = 1, kSink = 2 };

// Emits 0..n-1 with timestamp and watermark = value, its offset in operator state; it yields
// now and then so that checkpoints happen while it runs.
struct ThrottledSource : testing::OffsetSource {
  void run(SourceContext<int64_t>& ctx) override {
    while (*running && offset < n) {
      if (offset % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
      emit_next(ctx);
    }
  }
};

struct FaultyMap {
  std::shared_ptr<Faults> faults;
  Pair operator()(const int64_t& v) const {
    if (faults->fire(kMap, v)) throw std::runtime_error("injected map failure");
    return {v % 13, v};
  }
};

// Buckets "key-0" to "key-3" by the key's remainder.
struct KeyBucketAssigner : BucketAssigner<Pair> {
  std::string get_bucket_id(const Pair& value, const Context&) override {
    return "key-" + std::to_string(value.first % 4);
  }
};

// The lines of every committed (visible) part file under `dir`, in any bucket, sorted.
std::vector<std::string> committed_lines(const std::filesystem::path& dir) {
  std::vector<std::string> lines;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;                         // a bucket
    if (entry.path().filename().string().front() == '.') continue;  // in progress
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return testing::sorted(lines);
}

int env_or(const char* name, int default_value) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : default_value;
}

TEST(FaultInjectionTest, OutputIsIdenticalToAFailureFreeRun) {
  const int total = env_or("EDDY_FAULT_INJECTION_RUNS", 50);
  const int first_seed = env_or("EDDY_FAULT_INJECTION_SEED", 0);
  int restarted_runs = 0;
  for (int run = first_seed; run < first_seed + total; ++run) {
    std::mt19937_64 random(static_cast<uint64_t>(run) * 7919 + 17);
    const int64_t n = std::uniform_int_distribution<int64_t>(500, 4000)(random);
    auto faults = std::make_shared<Faults>();
    const int failures = std::uniform_int_distribution<int>(1, 3)(random);
    for (int f = 0; f < failures; ++f) {
      const int place = std::uniform_int_distribution<int>(kMap, kSink)(random);
      // A window result's "value" is its sum: fail at a window sum that will occur.
      const int64_t value = std::uniform_int_distribution<int64_t>(0, n - 1)(random);
      faults->planned.insert({place, value});
    }

    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).enable_checkpointing(10);
    if (run % 2 == 1) env.set_state_backend(EmbeddedRocksDBStateBackend());  // both backends
    env.set_restart_strategy(RestartStrategies::fixed_delay_restart(10, 0));
    ThrottledSource source;
    source.n = n;
    FaultyMap map;
    map.faults = faults;
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() /
        ("eddy-fault-injection-" + std::to_string(::getpid()) + "-" + std::to_string(run));
    std::filesystem::remove_all(dir);
    // Small parts: rolling by size happens between checkpoints too; four buckets by key, so a
    // restore cleans up abandoned parts in several directories.
    const auto sink = FileSink<Pair>::for_row_format(dir.string(), SimpleStringEncoder<Pair>())
                          .with_rolling_policy(DefaultRollingPolicy{512})
                          .with_bucket_assigner(KeyBucketAssigner())
                          .build();
    env.add_source(source, "throttled")
        .map(map)
        .key_by([](const Pair& p) { return p.first; })
        .window(TumblingEventTimeWindows::of(Time::milliseconds(50)))
        .reduce([faults](const Pair& a, const Pair& b) {
          if (faults->fire(kWindow, b.second)) throw std::runtime_error("injected window failure");
          return Pair(a.first, a.second + b.second);
        })
        .map([faults](const Pair& value) {
          if (faults->fire(kSink, value.second)) throw std::runtime_error("injected sink failure");
          return value;
        })
        .sink_to(sink);
    env.execute("fault injection " + std::to_string(run));
    if (faults->fired > 0) ++restarted_runs;

    std::map<Pair, int64_t> windows;  // (key, window start) -> sum
    for (int64_t v = 0; v < n; ++v) windows[{v % 13, v / 50 * 50}] += v;
    std::vector<std::string> expected;
    for (const auto& [window, sum] : windows) {
      expected.push_back(format_value(Pair(window.first, sum)));
    }
    ASSERT_EQ(committed_lines(dir), testing::sorted(expected))
        << "run " << run << ": n=" << n << ", failures fired: " << faults->fired;
    std::filesystem::remove_all(dir);
  }
  // Most planned failures hit a record value that flows through their place.
  EXPECT_GT(restarted_runs, total / 2);
}

}  // namespace
}  // namespace eddy
