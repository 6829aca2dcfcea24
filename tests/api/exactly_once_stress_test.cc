// Exactly-once under frequent failures: a keyed job with ~1-2 MB of keyed state writes every
// number of its source once through the FileSink while checkpoints are taken every 20 ms and
// failures strike at random moments — in a record's map, while a checkpoint's snapshot is taken,
// when a checkpoint's completion is notified (its files being committed) and right after a
// restore. Whatever the timing, the committed files must hold every number exactly once and the
// job must finish. Runs with a user source (offset in operator state, emitting under the
// checkpoint lock) and with from_sequence, on both state backends, aligned and unaligned.
//
// EDDY_STRESS_RUNS sets the runs per configuration (default 2) and EDDY_STRESS_SEED the first
// seed (default 0); scripts/soak-checkpoints runs thousands.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "api/test_jobs.h"
#include "support/offset_source.h"
#include "support/temp_dir.h"

namespace eddy {
namespace {

// Where failures are injected; each decision is a hash of (seed, attempt, place, counter), so a
// run's failures differ from attempt to attempt and the job makes progress.
enum Place : uint64_t { kRecord = 1, kSnapshot = 2, kNotify = 3, kRestore = 4 };

struct FailurePlan {
  uint64_t seed = 0;
  std::atomic<int> budget{0};  // failures left in this run: the job finishes once it is spent
  std::atomic<int> fired{0};
  std::atomic<bool> forced{false};
  // The one failure every run has: the first attempt fails once at a given record.
  bool force_once() {
    if (forced.exchange(true)) return false;
    ++fired;
    return true;
  }
  // Fails with probability 1/`one_in` while the budget lasts.
  bool should_fail(int attempt, Place place, uint64_t counter, uint64_t one_in) {
    uint64_t h = seed * 0x9E3779B97F4A7C15ULL ^ (static_cast<uint64_t>(attempt) << 48) ^
                 (place << 40) ^ counter;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    if (h % one_in != 0) return false;
    if (budget.fetch_sub(1) <= 0) return false;
    ++fired;
    return true;
  }
};

// A key's padding. Serializing it is slow now and then, so that writing a checkpoint of a few
// thousand keys takes long enough for failures to strike while it is written.
struct Padding {
  std::string text;
};

}  // namespace

template <>
struct TypeSerializer<Padding> {
  static void serialize(const Padding& value, DataOutputView& out) {
    static std::atomic<uint64_t> calls{0};
    if (calls.fetch_add(1, std::memory_order_relaxed) % 8 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    TypeSerializer<std::string>::serialize(value.text, out);
  }
  static Padding deserialize(DataInputView& in) {
    return Padding{TypeSerializer<std::string>::deserialize(in)};
  }
};

namespace {

// Emits 0..n-1 under the checkpoint lock, pausing 0.5 ms every 256 records.
struct PausingSource : testing::OffsetSource {
  void run(SourceContext<int64_t>& ctx) override {
    while (*running && offset < n) {
      if (offset % 256 == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
      emit_next(ctx);
    }
  }
};

struct FailingMap : RichFunction {
  std::shared_ptr<FailurePlan> plan;
  uint64_t one_in = 1;
  int64_t forced_at = 0;
  int attempt = 0;
  void open(RuntimeContext& ctx) override {
    attempt = ctx.get_attempt_number();
    if (ctx.get_restored_checkpoint_id() &&
        plan->should_fail(attempt, kRestore, static_cast<uint64_t>(ctx.get_index_of_this_subtask()),
                          8)) {
      throw std::runtime_error("injected failure after a restore");
    }
  }
  int64_t operator()(const int64_t& v) {
    if (attempt == 0 && v == forced_at && plan->force_once()) {
      throw std::runtime_error("injected record failure at " + std::to_string(v));
    }
    if (plan->should_fail(attempt, kRecord, static_cast<uint64_t>(v), one_in)) {
      throw std::runtime_error("injected record failure at " + std::to_string(v));
    }
    return v;
  }
};

// Keeps a 200-byte Padding per key (slow to serialize, so checkpoints take a while to write)
// and fails now and then while a checkpoint is snapshotted or its completion is notified.
struct PaddedState : KeyedProcessFunction<int64_t, int64_t, int64_t>,
                     CheckpointedFunction,
                     CheckpointListener {
  std::shared_ptr<FailurePlan> plan;
  ValueState<Padding>* padding = nullptr;
  int attempt = 0;
  uint64_t subtask = 0;
  void open(RuntimeContext& ctx) override {
    attempt = ctx.get_attempt_number();
    subtask = static_cast<uint64_t>(ctx.get_index_of_this_subtask());
    padding = &ctx.get_state(ValueStateDescriptor<Padding>("padding"));
  }
  void initialize_state(FunctionInitializationContext&) override {}
  void snapshot_state(FunctionSnapshotContext& ctx) override {
    if (plan->should_fail(attempt, kSnapshot,
                          static_cast<uint64_t>(ctx.get_checkpoint_id()) * 4 + subtask, 6)) {
      throw std::runtime_error("injected snapshot failure");
    }
  }
  void notify_checkpoint_complete(int64_t id) override {
    if (plan->should_fail(attempt, kNotify, static_cast<uint64_t>(id) * 4 + subtask, 6)) {
      throw std::runtime_error("injected failure in notify_checkpoint_complete");
    }
  }
  void process_element(const int64_t& v, Context&, Collector<int64_t>& out) override {
    Padding value = padding->value().value_or(Padding{std::string(200, 'x')});
    value.text[static_cast<size_t>(v) % value.text.size()] = static_cast<char>('a' + v % 26);
    padding->update(std::move(value));
    out.collect(v);
  }
};

// Every line of every committed (visible) part file under `dir`, recursively.
std::vector<int64_t> committed_numbers(const std::filesystem::path& dir) {
  std::vector<int64_t> numbers;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().front() == '.') continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) numbers.push_back(std::stoll(line));
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

int env_or(const char* name, int default_value) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : default_value;
}

struct StressConfig {
  bool user_source;
  bool rocksdb;
  bool unaligned;
};

std::string describe(const StressConfig& c) {
  return std::string(c.user_source ? "UserSource" : "Sequence") + (c.rocksdb ? "RocksDB" : "Heap") +
         (c.unaligned ? "Unaligned" : "Aligned");
}

class ExactlyOnceStressTest : public ::testing::TestWithParam<StressConfig> {};

TEST_P(ExactlyOnceStressTest, EveryNumberIsCommittedOnce) {
  const StressConfig config = GetParam();
  const int runs = env_or("EDDY_STRESS_RUNS", 2);
  const int first_seed = env_or("EDDY_STRESS_SEED", 0);
  const int64_t records = env_or("EDDY_STRESS_RECORDS", 60'000);
  const int64_t keys = env_or("EDDY_STRESS_KEYS", 5'000);
  int failures = 0;
  for (int run = first_seed; run < first_seed + runs; ++run) {
    std::mt19937_64 random(static_cast<uint64_t>(run) * 104729 + 7);
    const int64_t n = std::uniform_int_distribution<int64_t>(records / 2, records)(random);
    auto plan = std::make_shared<FailurePlan>();
    plan->seed = random();
    plan->budget = std::uniform_int_distribution<int>(3, 8)(random);

    testing::TempDir dir("eddy-exactly-once-stress");
    auto env = StreamExecutionEnvironment::get_execution_environment();
    env.set_parallelism(2).enable_checkpointing(20);
    env.get_checkpoint_config().set_checkpoint_storage_dir((dir.path / "checkpoints").string());
    if (config.unaligned) env.get_checkpoint_config().enable_unaligned_checkpoints();
    if (config.rocksdb) env.set_state_backend(EmbeddedRocksDBStateBackend());
    env.set_restart_strategy(RestartStrategies::fixed_delay_restart(1000, 0));

    DataStream<int64_t> numbers = [&] {
      if (!config.user_source) return env.from_sequence(0, n - 1);
      PausingSource source;
      source.n = n;
      return env.add_source(source, "pausing source");
    }();
    FailingMap map;
    map.plan = plan;
    map.one_in = static_cast<uint64_t>(n / 2);
    map.forced_at = n / 2;
    PaddedState padded;
    padded.plan = plan;
    const auto sink = FileSink<int64_t>::for_row_format((dir.path / "out").string(),
                                                        SimpleStringEncoder<int64_t>())
                          .with_rolling_policy(DefaultRollingPolicy{4096})
                          .build();
    numbers.map(map)
        .key_by([keys](const int64_t& v) { return v % keys; })
        .process(padded)
        .sink_to(sink);
    env.execute("exactly-once stress " + std::to_string(run));
    failures += plan->fired;

    std::vector<int64_t> expected(static_cast<size_t>(n));
    for (int64_t v = 0; v < n; ++v) expected[static_cast<size_t>(v)] = v;
    const std::vector<int64_t> committed = committed_numbers(dir.path / "out");
    ASSERT_EQ(committed.size(), expected.size())
        << describe(config) << " run " << run << ": n=" << n << ", failures: " << plan->fired;
    ASSERT_TRUE(committed == expected)
        << describe(config) << " run " << run << ": n=" << n << ", failures: " << plan->fired;
  }
  // Every run failed at least once (the forced failure, unless another struck first).
  EXPECT_GE(failures, runs);
}

INSTANTIATE_TEST_SUITE_P(
    Configurations, ExactlyOnceStressTest,
    ::testing::Values(StressConfig{true, false, false}, StressConfig{false, false, false},
                      StressConfig{true, true, false}, StressConfig{false, true, false},
                      StressConfig{true, false, true}, StressConfig{false, true, true}),
    [](const auto& info) { return describe(info.param); });

}  // namespace
}  // namespace eddy
