// How long checkpoints take under backpressure, aligned vs unaligned:
//   source (as fast as it can) → rebalance → slow map (a fixed amount of work per record) → sink
// at parallelism 1 each, so the channels in front of the slow map stay full. An aligned barrier
// queues behind those records; an unaligned one overtakes them, and the checkpoint stores them.
// Measured per checkpoint, as the job reports it (JobClient::get_checkpoint_stats): from its
// trigger to its completion, in milliseconds; median over the last checkpoints of a run (the
// first one is left out: the queues are still filling). The same run reports the slow map's
// throughput against a plain loop doing the same per-record work, which shows what storing the
// records in flight costs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using eddy::bench::Clock;

int64_t now_epoch_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the source saw of the checkpoints: trigger timestamps and completion durations.
struct Durations {
  std::mutex mu;
  std::map<int64_t, int64_t> triggered_ms;  // checkpoint id -> trigger timestamp (epoch ms)
  std::vector<double> completed_ms;
  std::vector<double> source_snapshot_ms;  // trigger → the source's snapshot
  int want = 0;
  std::atomic<bool> enough{false};
};

// Emits 0, 1, 2, ... until `want` checkpoints have completed.
struct EndlessSource : eddy::SourceFunction<int64_t>,
                       eddy::CheckpointedFunction,
                       eddy::CheckpointListener {
  std::shared_ptr<Durations> durations;
  std::shared_ptr<std::atomic<bool>> running;  // per subtask, made in initialize_state
  void initialize_state(eddy::FunctionInitializationContext&) override {
    running = std::make_shared<std::atomic<bool>>(true);
  }
  void snapshot_state(eddy::FunctionSnapshotContext& ctx) override {
    std::lock_guard lock(durations->mu);
    durations->triggered_ms[ctx.get_checkpoint_id()] = ctx.get_checkpoint_timestamp();
    durations->source_snapshot_ms.push_back(
        static_cast<double>(now_epoch_us() - ctx.get_checkpoint_timestamp() * 1000) / 1000.0);
  }
  void notify_checkpoint_complete(int64_t id) override {
    std::lock_guard lock(durations->mu);
    auto it = durations->triggered_ms.find(id);
    if (it == durations->triggered_ms.end()) return;
    durations->completed_ms.push_back(static_cast<double>(now_epoch_us() - it->second * 1000) /
                                      1000.0);
    if (static_cast<int>(durations->completed_ms.size()) >= durations->want) {
      durations->enough = true;
    }
  }
  void run(eddy::SourceContext<int64_t>& ctx) override {
    for (int64_t i = 0; !durations->enough && *running; ++i) {
      std::lock_guard lock(ctx.get_checkpoint_lock());
      ctx.collect(i);
    }
  }
  void cancel() override { *running = false; }
};

// The per-record work of the slow stage: spins for `work` (a real cost, not a sleep).
[[gnu::noinline]] int64_t slow_work(int64_t v, std::chrono::nanoseconds work) {
  const auto until = Clock::now() + work;
  int64_t x = v;
  while (Clock::now() < until) x = x * 6364136223846793005LL + 1;
  return x;
}

struct Result {
  double median_ms = 0;
  double max_ms = 0;
  int checkpoints = 0;
  double records_per_s = 0;
  double source_snapshot_ms = 0;  // median delay from trigger to the source's snapshot
  double persisted_kib = 0;       // the most records in flight one checkpoint stored
};

Result run(bool unaligned, int checkpoints, int64_t interval_ms, std::chrono::nanoseconds work) {
  auto durations = std::make_shared<Durations>();
  durations->want = checkpoints + 1;
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1).enable_checkpointing(interval_ms);
  env.get_checkpoint_config().enable_unaligned_checkpoints(unaligned).set_checkpoint_storage_dir(
      (std::filesystem::temp_directory_path() / "eddy-unaligned-bench").string());
  EndlessSource source;
  source.durations = durations;
  auto processed = std::make_shared<std::atomic<int64_t>>(0);
  env.add_source(source, "endless")
      .rebalance()
      .map([work, processed](const int64_t& v) {
        processed->fetch_add(1, std::memory_order_relaxed);
        return slow_work(v, work);
      })
      .add_sink([](const int64_t&) {});
  eddy::JobClient client = env.execute_async("unaligned bench");
  const double seconds = eddy::bench::seconds_of([&] { client.get_job_execution_result(); });
  std::vector<double> measured;
  int64_t persisted = 0;
  for (const eddy::CompletedCheckpointStats& stats : client.get_checkpoint_stats()) {
    if (stats.id == 1) continue;
    measured.push_back(static_cast<double>(stats.end_to_end_duration));
    persisted = std::max(persisted, stats.persisted_data);
  }
  std::lock_guard lock(durations->mu);
  Result r;
  r.persisted_kib = static_cast<double>(persisted) / 1024;
  r.median_ms = eddy::bench::median(measured);
  for (double d : measured) r.max_ms = std::max(r.max_ms, d);
  r.checkpoints = static_cast<int>(measured.size());
  r.source_snapshot_ms = eddy::bench::median(durations->source_snapshot_ms);
  r.records_per_s = static_cast<double>(processed->load()) / seconds;
  return r;
}

// The slow stage's work alone, in a plain loop: records per second.
double plain_rate(std::chrono::nanoseconds work, int64_t records) {
  int64_t sink = 0;
  const double seconds = eddy::bench::seconds_of([&] {
    for (int64_t i = 0; i < records; ++i) sink += slow_work(i, work);
  });
  if (sink == 42) std::printf(" ");
  return static_cast<double>(records) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv,
                           "[--checkpoints N (default 10)] [--interval MS (default 500)] "
                           "[--work-ns NS per record in the slow stage (default 20000)]");
  const int checkpoints = static_cast<int>(flags.count("--checkpoints", 10));
  const int64_t interval = flags.count("--interval", 500);
  const std::chrono::nanoseconds work(flags.count("--work-ns", 20'000));
  flags.finish();

  std::printf(
      "source → rebalance → map (%lld ns of work per record) → sink at parallelism 1, "
      "checkpoints every %lld ms under backpressure\n",
      static_cast<long long>(work.count()), static_cast<long long>(interval));
  const Result aligned = run(false, checkpoints, interval, work);
  const Result unaligned = run(true, checkpoints, interval, work);
  const double plain = plain_rate(work, 20'000);
  std::printf("%-10s %10s %10s %12s %12s %14s %14s %12s\n", "mode", "median ms", "max ms",
              "checkpoints", "source ms", "in flight KiB", "slow map rec/s", "vs plain");
  for (const auto& [name, r] : {std::pair{"aligned", aligned}, std::pair{"unaligned", unaligned}}) {
    std::printf("%-10s %10.1f %10.1f %12d %12.1f %14.0f %14s %11.2fx\n", name, r.median_ms,
                r.max_ms, r.checkpoints, r.source_snapshot_ms, r.persisted_kib,
                eddy::bench::human(r.records_per_s).c_str(), r.records_per_s / plain);
  }
  std::printf("plain loop doing the slow stage's work: %s rec/s\n",
              eddy::bench::human(plain).c_str());
  eddy::bench::print_summary(
      "checkpoint duration under backpressure, unaligned vs aligned",
      std::to_string(unaligned.median_ms) + " ms vs " + std::to_string(aligned.median_ms) + " ms",
      "unaligned completes while aligned waits behind the queued records",
      unaligned.median_ms * 10 < aligned.median_ms,
      "medians of " + std::to_string(unaligned.checkpoints) + " checkpoints each");
  return 0;
}
