// execute_and_collect() across restarts: with checkpointing, a keyed running sum that fails at
// random points and restarts (under every restart strategy, at parallelism 1 to 4) yields each
// result exactly once, as a plain loop computes them; without checkpointing, or when the job may
// not restart, the iterator throws instead of ending with fewer results.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "api/test_jobs.h"

namespace eddy {
namespace {

using Pair = std::pair<int64_t, int64_t>;  // (key, value) in, (key, running sum) out

constexpr int64_t kKeys = 13;

// Values at which the map throws, each once in the whole run (whichever attempt meets it first).
struct Failures {
  std::mutex mu;
  std::set<int64_t> planned;
  int fired = 0;
  bool fire(int64_t value) {
    std::lock_guard lock(mu);
    if (planned.erase(value) == 0) return false;
    ++fired;
    return true;
  }
};

struct FailingMap {
  std::shared_ptr<Failures> failures;
  Pair operator()(const int64_t& v) const {
    if (failures->fire(v)) throw std::runtime_error("injected failure at " + std::to_string(v));
    return {v % kKeys, v};
  }
};

// from_sequence(1, n) → map (fails as planned) → key_by(v % 13) → reduce(sum) → collect.
CollectIterator<Pair> start(int64_t n, int parallelism, std::shared_ptr<Failures> failures,
                            std::optional<RestartStrategyConfiguration> strategy,
                            bool checkpointing, const std::string& name) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(parallelism);
  if (checkpointing) env.enable_checkpointing(20);
  if (strategy) env.set_restart_strategy(*strategy);
  return env.from_sequence(1, n)
      .map(FailingMap{std::move(failures)})
      .key_by([](const Pair& p) { return p.first; })
      .reduce([](const Pair& a, const Pair& b) {
        return Pair{a.first, a.second + b.second};
      })
      .execute_and_collect(name);
}

// The source subtask (of `parallelism`) that emits `v` of 1..n: from_sequence's contiguous slices.
int slice_of(int64_t v, int64_t n, int parallelism) {
  int slice = 0;
  while (slice + 1 < parallelism && 1 + n * (slice + 1) / parallelism <= v) ++slice;
  return slice;
}

// Checks `results` against a plain loop over 1..n. The running sums of a key arrive in the order
// the reduce received its values: each source subtask's values in order, the subtasks
// interleaved. So per key, the values behind the sums (their differences), taken source subtask
// by source subtask, must be exactly the plain loop's values of that key, each once and in
// order. With `complete` every value must be there; otherwise the results may stop early.
void expect_running_sums(const std::vector<Pair>& results, int64_t n, int parallelism,
                         bool complete) {
  std::map<int64_t, std::vector<int64_t>> expected;  // key -> values, slice by slice, in order
  for (int64_t v = 1; v <= n; ++v) expected[v % kKeys].push_back(v);
  std::map<int64_t, int64_t> last_sum;
  std::map<int64_t, std::map<int, std::vector<int64_t>>> received;  // key -> slice -> values
  for (const auto& [key, sum] : results) {
    const int64_t value = sum - last_sum[key];
    last_sum[key] = sum;
    ASSERT_TRUE(value >= 1 && value <= n && value % kKeys == key)
        << "key " << key << ": running sum " << sum << " does not follow from the one before";
    received[key][slice_of(value, n, parallelism)].push_back(value);
  }
  for (const auto& [key, values] : expected) {
    std::vector<int64_t> got;
    for (const auto& [slice, slice_values] : received[key]) {
      got.insert(got.end(), slice_values.begin(), slice_values.end());
    }
    if (complete) {
      EXPECT_EQ(got, values) << "key " << key;
    } else {
      // Each slice's values must be a prefix of that slice's values in the plain loop.
      for (const auto& [slice, slice_values] : received[key]) {
        std::vector<int64_t> plain;
        for (int64_t v : values) {
          if (slice_of(v, n, parallelism) == slice) plain.push_back(v);
        }
        ASSERT_LE(slice_values.size(), plain.size()) << "key " << key;
        EXPECT_TRUE(std::equal(slice_values.begin(), slice_values.end(), plain.begin()))
            << "key " << key << ", source subtask " << slice;
      }
    }
  }
}

std::vector<Pair> read_all(CollectIterator<Pair>& it) {
  std::vector<Pair> out;
  while (it.has_next()) out.push_back(it.next());
  return out;
}

struct StrategyCase {
  const char* name;
  RestartStrategyConfiguration strategy;
};

std::vector<StrategyCase> restarting_strategies() {
  return {
      {"fixed delay", RestartStrategies::fixed_delay_restart(3, 10)},
      {"failure rate", RestartStrategies::failure_rate_restart(3, 60'000, 10)},
      {"exponential delay", RestartStrategies::exponential_delay_restart(5, 40, 2.0, 60'000, 0.1)},
  };
}

TEST(CollectRestartTest, ResultsAreExactlyOnceAcrossRestartsUnderEveryStrategy) {
  constexpr int64_t kN = 200'000;
  std::mt19937_64 random(20261204);
  for (const StrategyCase& c : restarting_strategies()) {
    for (int parallelism = 1; parallelism <= 4; ++parallelism) {
      SCOPED_TRACE(std::string(c.name) + ", parallelism " + std::to_string(parallelism));
      auto failures = std::make_shared<Failures>();
      std::uniform_int_distribution<int64_t> value(1, kN);
      while (failures->planned.size() < 2) failures->planned.insert(value(random));
      auto it = start(kN, parallelism, failures, c.strategy, true, "collect across restarts");
      const std::vector<Pair> results = read_all(it);
      EXPECT_EQ(failures->fired, 2);
      EXPECT_EQ(results.size(), static_cast<size_t>(kN));
      expect_running_sums(results, kN, parallelism, true);
    }
  }
}

// The reproduction as first reported: one failure at record 1,234,567 of 2,000,000 (scaled down
// tenfold) at parallelism 2; the largest running sum of each key must be the plain loop's.
TEST(CollectRestartTest, TheLargestRunningSumOfEachKeyIsThePlainLoops) {
  constexpr int64_t kN = 200'000;
  auto failures = std::make_shared<Failures>();
  failures->planned.insert(123'457);
  auto it = start(kN, 2, failures, RestartStrategies::fixed_delay_restart(3, 100), true,
                  "collect reproduction");
  std::map<int64_t, int64_t> largest;
  for (const auto& [key, sum] : it) largest[key] = std::max(largest[key], sum);
  std::map<int64_t, int64_t> plain;
  for (int64_t v = 1; v <= kN; ++v) plain[v % kKeys] += v;
  EXPECT_EQ(failures->fired, 1);
  EXPECT_EQ(largest, plain);
}

TEST(CollectRestartTest, WithoutARestartTheFailedJobMakesTheIteratorThrow) {
  constexpr int64_t kN = 50'000;
  for (int parallelism : {1, 3}) {
    SCOPED_TRACE("parallelism " + std::to_string(parallelism));
    auto failures = std::make_shared<Failures>();
    failures->planned.insert(kN / 2);
    auto it = start(kN, parallelism, failures, RestartStrategies::no_restart(), true,
                    "collect, no restart");
    std::vector<Pair> results;
    try {
      while (it.has_next()) results.push_back(it.next());
      FAIL() << "expected the job's failure";
    } catch (const JobExecutionException& e) {
      EXPECT_NE(std::string(e.what()).find("injected failure at"), std::string::npos) << e.what();
    }
    EXPECT_EQ(it.get_job_client().get_job_status(), JobStatus::kFailed);
    // What was handed out before the failure is right as far as it goes.
    expect_running_sums(results, kN, parallelism, false);
  }
}

TEST(CollectRestartTest, WithoutCheckpointingARestartMakesTheIteratorThrow) {
  constexpr int64_t kN = 50'000;
  auto failures = std::make_shared<Failures>();
  failures->planned.insert(kN / 2);
  auto it = start(kN, 2, failures, RestartStrategies::fixed_delay_restart(3, 10), false,
                  "collect without checkpointing");
  std::vector<Pair> results;
  try {
    while (it.has_next()) results.push_back(it.next());
    FAIL() << "expected an error: the job restarted without checkpointing";
  } catch (const JobExecutionException& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Job 'collect without checkpointing'"), std::string::npos) << message;
    EXPECT_NE(message.find("restarted (attempt 1) without checkpointing"), std::string::npos)
        << message;
    EXPECT_NE(message.find("incomplete or duplicated"), std::string::npos) << message;
  }
  expect_running_sums(results, kN, 2, false);
}

// Emits 1..n, its position in operator state. Before it first emits `pause_at`, it waits until
// a checkpoint taken at or past that point has completed: a failure after it then restarts the
// job from that checkpoint (not from the beginning), while the client holds results past it.
struct GatedSource : SourceFunction<int64_t>, CheckpointedFunction, CheckpointListener {
  int64_t n = 0;
  int64_t pause_at = 0;
  std::shared_ptr<std::atomic<bool>> passed_pause = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> restored = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> running;  // per subtask, made in initialize_state
  ListState<int64_t>* state = nullptr;
  int64_t next = 1;
  std::map<int64_t, int64_t> position_at;  // checkpoint id -> next; under the checkpoint lock

  void initialize_state(FunctionInitializationContext& ctx) override {
    running = std::make_shared<std::atomic<bool>>(true);
    state = &ctx.get_operator_state_store().get_list_state(ListStateDescriptor<int64_t>("next"));
    for (int64_t v : state->get()) next = v;
    if (ctx.is_restored()) *restored = true;
  }
  void snapshot_state(FunctionSnapshotContext& ctx) override {
    state->update({next});
    position_at[ctx.get_checkpoint_id()] = next;
  }
  void notify_checkpoint_complete(int64_t id) override {
    if (position_at[id] >= pause_at) *passed_pause = true;
  }
  void run(SourceContext<int64_t>& ctx) override {
    while (*running && next <= n) {
      if (next == pause_at) {
        while (*running && !*passed_pause)
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::lock_guard lock(ctx.get_checkpoint_lock());
      ctx.collect(next);
      ++next;
    }
  }
  void cancel() override { *running = false; }
};

TEST(CollectRestartTest, ARestartFromACheckpointDropsWhatTheClientReceivedPastIt) {
  constexpr int64_t kN = 100'000;
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.enable_checkpointing(10);
  env.set_restart_strategy(RestartStrategies::fixed_delay_restart(1, 10));
  GatedSource source;
  source.n = kN;
  source.pause_at = 30'000;
  auto failures = std::make_shared<Failures>();
  failures->planned.insert(60'000);
  auto it = env.add_source(source)
                .map(FailingMap{failures})
                .key_by([](const Pair& p) { return p.first; })
                .reduce([](const Pair& a, const Pair& b) {
                  return Pair{a.first, a.second + b.second};
                })
                .execute_and_collect("collect, restart from a checkpoint");
  std::map<int64_t, std::vector<int64_t>> got;
  for (const auto& [key, sum] : it) got[key].push_back(sum);
  std::map<int64_t, std::vector<int64_t>> plain;
  std::map<int64_t, int64_t> sum;
  for (int64_t v = 1; v <= kN; ++v) plain[v % kKeys].push_back(sum[v % kKeys] += v);
  EXPECT_EQ(failures->fired, 1);
  EXPECT_TRUE(*source.restored);
  EXPECT_EQ(got, plain);
}

// A result type without a serializer cannot be checkpointed: a restart ends its results too.
struct Opaque {
  int64_t value = 0;
};

TEST(CollectRestartTest, AResultTypeThatCannotBeCheckpointedMakesARestartThrow) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.enable_checkpointing(20);
  env.set_restart_strategy(RestartStrategies::fixed_delay_restart(3, 10));
  auto failures = std::make_shared<Failures>();
  failures->planned.insert(5'000);
  auto it = env.from_sequence(1, 10'000)
                .map([failures](const int64_t& v) {
                  if (failures->fire(v)) throw std::runtime_error("injected");
                  return Opaque{v};
                })
                .execute_and_collect("collect opaque");
  int64_t expected = 1;
  try {
    while (it.has_next()) EXPECT_EQ(it.next().value, expected++);
    FAIL() << "expected an error";
  } catch (const JobExecutionException& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be checkpointed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eddy
