// What checkpointing costs a keyed counting job, on the heap and the RocksDB backend:
//   from_sequence(1, N) → key_by(i % K) → process (ValueState<int64_t> count += 1) → counting sink
// at parallelism 2, once without checkpoints and once with a checkpoint every second (exactly-
// once, aligned), each against a plain single-threaded loop doing the same counting with an
// unordered_map. Reported: input records per second of wall time, the engine/plain ratio, the
// throughput loss that checkpointing causes, and the process's peak resident memory (VmHWM)
// after each backend's runs — run one backend alone (--backend rocksdb) to see its own peak,
// e.g. RocksDB holding 10 M keys: --backend rocksdb --keys 10M --records 20M.
#include <cstdint>
#include <cstdio>
#include <filesystem>
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

EngineRun run_engine(int64_t records, int64_t keys, bool rocksdb, int64_t interval_ms,
                     const std::string& dir) {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(kParallelism);
  if (rocksdb) env.set_state_backend(eddy::EmbeddedRocksDBStateBackend());
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
      "[--backend both|heap|rocksdb]");
  const int64_t heap_records = flags.count("--records", 20'000'000);
  const int64_t keys = flags.count("--keys", 100'000);
  const int64_t interval = flags.count("--interval", 1000);
  const int runs = static_cast<int>(flags.count("--runs", 3));
  const std::string which = flags.text("--backend", "both");
  flags.finish();
  const std::string dir =
      (std::filesystem::temp_directory_path() / "eddy-checkpointing-bench").string();

  std::printf(
      "key_by(i %% %lld) → ValueState count at parallelism %d, checkpoints every %lld ms "
      "vs none; median of %d runs\n",
      static_cast<long long>(keys), kParallelism, static_cast<long long>(interval), runs);
  eddy::bench::print_throughput_header();
  for (bool rocksdb : {false, true}) {
    if (which != "both" && which != (rocksdb ? "rocksdb" : "heap")) continue;
    const int64_t records = rocksdb && which == "both" ? heap_records / 10 : heap_records;
    const char* backend = rocksdb ? "rocksdb" : "heap";
    eddy::bench::ThroughputResult off, on;
    for (int64_t ms : {int64_t{0}, interval}) {
      auto result = eddy::bench::measure_throughput(
          std::string(backend) + (ms > 0 ? "_checkpoints" : "_no_checkpoints"), records, runs,
          [&] { return run_engine(records, keys, rocksdb, ms, dir); },
          [&] { return run_plain_loop(records, keys); });
      eddy::bench::print_throughput_row(result);
      (ms > 0 ? on : off) = result;
    }
    const double loss = 1.0 - on.engine_rate() / off.engine_rate();
    std::printf(
        "%s: throughput with checkpoints every %lld ms is %.1f%% below without; peak RSS "
        "of the process so far %.0f MiB\n",
        backend, static_cast<long long>(interval), 100.0 * loss,
        eddy::bench::mib(eddy::bench::read_memory_status().peak_kib));
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
