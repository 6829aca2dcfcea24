// What checkpointing costs a keyed counting job, on the heap and the RocksDB backend:
//   from_sequence(1, N) → key_by(i % K) → process (ValueState<int64_t> count += 1) → counting sink
// at parallelism 2, once without checkpoints and once with a checkpoint every second (exactly-
// once, aligned), each against a plain single-threaded loop doing the same counting with an
// unordered_map. Reported: input records per second of wall time, the engine/plain ratio, the
// throughput loss that checkpointing causes, and the process's peak resident memory (VmHWM)
// after each backend's runs — run one backend alone (--backend rocksdb) to see its own peak,
// e.g. RocksDB holding 10 M keys: --backend rocksdb --keys 10M --records 20M, against the memory
// RocksDB is configured with (block cache + write buffers, per keyed subtask; --cache-mib,
// --write-buffer-mib). RocksDB runs twice: with asynchronous full checkpoints ("rocksdb") and
// with incremental ones ("rocksdb-incremental"). --no-plain skips the runs without checkpoints.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using eddy::bench::EngineRun;
using eddy::bench::Totals;

constexpr int kParallelism = 2;

// Counts per key in keyed state; emits nothing but adds to the "records" accumulator and a
// checksum of the counts it reaches, so that the result is checked against the plain loop.
class Count final : public eddy::KeyedProcessFunction<int64_t, int64_t, int64_t> {
 public:
  void open(eddy::RuntimeContext& ctx) override {
    count_ = &ctx.get_state(eddy::ValueStateDescriptor<int64_t>("count"));
    records_ = &ctx.get_long_counter("records");
    checksum_ = &ctx.get_long_counter("checksum");
  }
  void process_element(const int64_t&, Context&, eddy::Collector<int64_t>&) override {
    const int64_t next = count_->value().value_or(0) + 1;
    count_->update(next);
    records_->add(1);
    checksum_->add(next);
  }

 private:
  eddy::ValueState<int64_t>* count_ = nullptr;
  eddy::LongCounter* records_ = nullptr;
  eddy::LongCounter* checksum_ = nullptr;
};

// The process's peak RSS right after a backend's first engine run, before any plain loop ran:
// what the job itself needed (plus the process's baseline). The peak is reset before each
// backend's runs.
double first_engine_peak_mib = -1;

// Resets VmHWM to the current RSS (Linux >= 4.0); false if the kernel does not allow it.
bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

enum class Backend { kHeap, kRocksDb, kRocksDbIncremental };

const char* name_of(Backend backend) {
  switch (backend) {
    case Backend::kHeap:
      return "heap";
    case Backend::kRocksDb:
      return "rocksdb";
    case Backend::kRocksDbIncremental:
      return "rocksdb-incremental";
  }
  return "?";
}

EngineRun run_engine(int64_t records, int64_t keys, Backend backend,
                     const eddy::StateBackendType& rocksdb_settings, int64_t interval_ms,
                     const std::string& dir) {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(kParallelism);
  if (backend != Backend::kHeap) {
    eddy::StateBackendType settings = rocksdb_settings;
    settings.set_kind(eddy::StateBackendType::kRocksDb);
    settings.incremental_checkpoints = backend == Backend::kRocksDbIncremental;
    env.set_state_backend(settings);
  }
  if (interval_ms > 0) {
    env.enable_checkpointing(interval_ms);
    env.get_checkpoint_config().set_checkpoint_storage_dir(dir);
  }
  env.from_sequence(1, records)
      .key_by([keys](const int64_t& i) { return i % keys; })
      .process(Count())
      .add_sink([](const int64_t&) {});
  EngineRun run;
  eddy::JobExecutionResult result;
  run.seconds = eddy::bench::seconds_of([&] { result = env.execute("checkpointing benchmark"); });
  if (first_engine_peak_mib < 0) {
    first_engine_peak_mib = eddy::bench::mib(eddy::bench::read_memory_status().peak_kib);
  }
  run.totals = {{"records", result.get_accumulator_result("records")},
                {"checksum", result.get_accumulator_result("checksum")}};
  return run;
}

[[gnu::noinline]] Totals run_plain_loop(int64_t records, int64_t keys) {
  std::unordered_map<int64_t, int64_t> counts;
  int64_t n = 0, checksum = 0;
  for (int64_t i = 1; i <= records; ++i) {
    const int64_t next = ++counts[i % keys];
    ++n;
    checksum += next;
  }
  return {{"records", n}, {"checksum", checksum}};
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(
      argc, argv,
      "[--records N (default 20M; RocksDB gets a tenth when both run)] [--keys K (default "
      "100K)] [--interval MS (default 1000)] [--runs R (default 3)] "
      "[--backend all|heap|rocksdb|rocksdb-incremental] [--cache-mib M (default 64)] "
      "[--write-buffer-mib M (default 16)] [--no-plain 1]");
  const int64_t heap_records = flags.count("--records", 20'000'000);
  const int64_t keys = flags.count("--keys", 100'000);
  const int64_t interval = flags.count("--interval", 1000);
  const int runs = static_cast<int>(flags.count("--runs", 3));
  std::string which = flags.text("--backend", "all");
  if (which == "both") which = "all";
  eddy::StateBackendType rocksdb_settings;
  rocksdb_settings.rocksdb_block_cache_bytes = flags.count("--cache-mib", 64) << 20;
  rocksdb_settings.rocksdb_write_buffer_bytes = flags.count("--write-buffer-mib", 16) << 20;
  const bool without_checkpoints = flags.count("--no-plain", 0) == 0;
  flags.finish();
  // What RocksDB may hold in memory: per keyed subtask, its block cache and its write buffers.
  const double rocksdb_budget_mib =
      kParallelism *
      static_cast<double>(rocksdb_settings.rocksdb_block_cache_bytes +
                          rocksdb_settings.rocksdb_write_buffer_bytes *
                              rocksdb_settings.rocksdb_max_write_buffers) /
      (1 << 20);
  const std::string dir =
      (std::filesystem::temp_directory_path() / "eddy-checkpointing-bench").string();

  std::printf(
      "key_by(i %% %lld) → ValueState count at parallelism %d, checkpoints every %lld ms "
      "vs none; median of %d runs\n",
      static_cast<long long>(keys), kParallelism, static_cast<long long>(interval), runs);
  eddy::bench::print_throughput_header();
  for (Backend kind : {Backend::kHeap, Backend::kRocksDb, Backend::kRocksDbIncremental}) {
    const char* backend = name_of(kind);
    if (which != "all" && which != backend) continue;
    const bool rocksdb = kind != Backend::kHeap;
    const int64_t records = rocksdb && which == "all" ? heap_records / 10 : heap_records;
    eddy::bench::ThroughputResult off, on;
    first_engine_peak_mib = -1;
    if (!reset_peak_rss()) std::printf("(peak RSS cannot be reset: it covers earlier runs)\n");
    for (int64_t ms : {int64_t{0}, interval}) {
      if (ms == 0 && !without_checkpoints) continue;
      auto result = eddy::bench::measure_throughput(
          std::string(backend) + (ms > 0 ? "_checkpoints" : "_no_checkpoints"), records, runs,
          [&] { return run_engine(records, keys, kind, rocksdb_settings, ms, dir); },
          [&] { return run_plain_loop(records, keys); });
      eddy::bench::print_throughput_row(result);
      (ms > 0 ? on : off) = result;
    }
    const double peak_mib = eddy::bench::mib(eddy::bench::read_memory_status().peak_kib);
    std::printf("%s: peak RSS after the first engine run (before any plain loop) %.0f MiB\n",
                backend, first_engine_peak_mib);
    if (rocksdb) {
      std::printf(
          "%s: peak RSS over its runs, plain loops included, %.0f MiB; RocksDB configured for %.0f "
          "MiB (%d "
          "subtasks x (cache %lld MiB + %d x %lld MiB write buffers))\n",
          backend, peak_mib, rocksdb_budget_mib, kParallelism,
          static_cast<long long>(rocksdb_settings.rocksdb_block_cache_bytes >> 20),
          rocksdb_settings.rocksdb_max_write_buffers,
          static_cast<long long>(rocksdb_settings.rocksdb_write_buffer_bytes >> 20));
    } else {
      std::printf("%s: peak RSS over its runs, plain loops included, %.0f MiB\n", backend,
                  peak_mib);
    }
    if (!without_checkpoints) continue;
    const double loss = 1.0 - on.engine_rate() / off.engine_rate();
    std::printf("%s: throughput with checkpoints every %lld ms is %.1f%% below without\n", backend,
                static_cast<long long>(interval), 100.0 * loss);
    char details[160];
    std::snprintf(details, sizeof details, "%s records/s without, %s with; loss %.1f%%",
                  eddy::bench::human(off.engine_rate()).c_str(),
                  eddy::bench::human(on.engine_rate()).c_str(), 100.0 * loss);
    std::printf("summary: | checkpointing overhead (%s) | %.1f%% | < 10%% | %s | %s |\n", backend,
                100.0 * loss, loss < 0.10 ? "yes" : "no", details);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
