// Recovery time: how long a keyed job with S bytes of heap state takes from a task failure to
// processing records again. The job — a source cycling over K keys → key_by → a
// KeyedProcessFunction keeping a V-byte string per key in ValueState — takes a checkpoint every
// second; once a checkpoint holding every key has completed, a map throws. Measured: the wall
// time from that throw to the first record processed by the restarted job (cancelling the
// tasks, restarting, reading and checking the checkpoint files, rebuilding the state). The
// plain loop beside it rebuilds the same state from its serialized form in one thread (what a
// restore must at least do); the ratio says what the rest of the restart costs.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Shared {
  std::atomic<int64_t> failed_at_ns{0};   // when the map threw
  std::atomic<int64_t> resumed_at_ns{0};  // first record processed after the restart
  std::atomic<bool> full_checkpoint{false};
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// Cycles over keys 0..keys-1 for `passes` passes, keeping its position in operator state. Once
// a checkpoint taken after the first full pass completed, it lets the map fail.
struct CyclingSource : eddy::SourceFunction<int64_t>,
                       eddy::CheckpointedFunction,
                       eddy::CheckpointListener {
  int64_t keys = 0, passes = 0;
  std::shared_ptr<Shared> shared;
  std::shared_ptr<std::atomic<bool>> running;
  eddy::ListState<int64_t>* state = nullptr;
  int64_t offset = 0;
  int64_t first_full_checkpoint = -1;

  void initialize_state(eddy::FunctionInitializationContext& ctx) override {
    running = std::make_shared<std::atomic<bool>>(true);
    state = &ctx.get_operator_state_store().get_list_state(
        eddy::ListStateDescriptor<int64_t>("offset"));
    for (int64_t o : state->get()) offset = o;
  }
  void snapshot_state(eddy::FunctionSnapshotContext& ctx) override {
    state->update({offset});
    if (offset >= keys && first_full_checkpoint < 0)
      first_full_checkpoint = ctx.get_checkpoint_id();
  }
  void notify_checkpoint_complete(int64_t id) override {
    if (first_full_checkpoint >= 0 && id >= first_full_checkpoint) shared->full_checkpoint = true;
  }
  void run(eddy::SourceContext<int64_t>& ctx) override {
    while (*running && offset < keys * passes) {
      std::lock_guard lock(ctx.get_checkpoint_lock());
      ctx.collect(offset % keys);
      ++offset;
    }
  }
  void cancel() override { *running = false; }
};

struct Keep final : eddy::KeyedProcessFunction<int64_t, int64_t, int64_t> {
  int64_t value_bytes = 0;
  std::shared_ptr<Shared> shared;
  eddy::ValueState<std::string>* value = nullptr;
  int attempt = 0;
  void open(eddy::RuntimeContext& ctx) override {
    value = &ctx.get_state(eddy::ValueStateDescriptor<std::string>("value"));
    attempt = ctx.get_attempt_number();
  }
  void process_element(const int64_t& key, Context&, eddy::Collector<int64_t>&) override {
    if (attempt > 0 && shared->resumed_at_ns == 0) shared->resumed_at_ns = now_ns();
    std::string v = value->value().value_or(std::string(static_cast<size_t>(value_bytes), 'x'));
    v[static_cast<size_t>(key) % v.size()] = 'y';
    value->update(std::move(v));
  }
};

double run_engine(int64_t keys, int64_t value_bytes, const std::string& dir) {
  auto shared = std::make_shared<Shared>();
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(2).enable_checkpointing(1000);
  env.get_checkpoint_config().set_checkpoint_storage_dir(dir);
  env.set_restart_strategy(eddy::RestartStrategies::fixed_delay_restart(1, 0));
  CyclingSource source;
  source.keys = keys;
  source.passes = 1'000'000;  // runs until stopped
  source.shared = shared;
  Keep keep;
  keep.value_bytes = value_bytes;
  keep.shared = shared;
  env.add_source(source, "cycling")
      .map([shared](const int64_t& key) {
        if (shared->full_checkpoint && shared->failed_at_ns == 0) {
          shared->failed_at_ns = now_ns();
          throw std::runtime_error("injected failure");
        }
        return key;
      })
      .set_parallelism(1)
      .key_by([](const int64_t& key) { return key; })
      .process(keep)
      .add_sink([](const int64_t&) {});
  eddy::JobClient client = env.execute_async("recovery benchmark");
  while (shared->resumed_at_ns == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  client.cancel();
  try {
    client.get_job_execution_result();
  } catch (const eddy::JobExecutionException&) {
  }
  return (shared->resumed_at_ns - shared->failed_at_ns) / 1e9;
}

// Rebuilds keys × value_bytes of state from its serialized form.
[[gnu::noinline]] double run_plain_loop(int64_t keys, int64_t value_bytes) {
  eddy::DataOutputView out;
  for (int64_t k = 0; k < keys; ++k) {
    eddy::TypeSerializer<int64_t>::serialize(k, out);
    eddy::TypeSerializer<std::string>::serialize(std::string(static_cast<size_t>(value_bytes), 'y'),
                                                 out);
  }
  const std::string bytes = out.take();
  return eddy::bench::seconds_of([&] {
    eddy::DataInputView in(bytes);
    std::unordered_map<int64_t, std::string> state;
    for (int64_t k = 0; k < keys; ++k) {
      const int64_t key = eddy::TypeSerializer<int64_t>::deserialize(in);
      state.emplace(key, eddy::TypeSerializer<std::string>::deserialize(in));
    }
    if (state.size() != static_cast<size_t>(keys)) std::abort();
  });
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv,
                           "[--keys K (default 1M)] [--value-bytes V (default 100)] "
                           "[--runs R (default 3)]");
  const int64_t keys = flags.count("--keys", 1'000'000);
  const int64_t value_bytes = flags.count("--value-bytes", 100);
  const int runs = static_cast<int>(flags.count("--runs", 3));
  flags.finish();
  const std::string dir = (std::filesystem::temp_directory_path() / "eddy-recovery-bench").string();
  std::printf("recovery of %lld keys × %lld bytes (%.0f MB of values), heap backend, p=2\n",
              static_cast<long long>(keys), static_cast<long long>(value_bytes),
              keys * value_bytes / 1e6);
  std::vector<double> engine, plain;
  for (int i = 0; i < runs; ++i) {
    engine.push_back(run_engine(keys, value_bytes, dir));
    plain.push_back(run_plain_loop(keys, value_bytes));
    std::printf("  run %d/%d: failure to processing again %.3f s; plain rebuild %.3f s\n", i + 1,
                runs, engine.back(), plain.back());
  }
  std::filesystem::remove_all(dir);
  const double e = eddy::bench::median(engine), p = eddy::bench::median(plain);
  std::printf("recovery %.3f s (median), plain state rebuild %.3f s, engine/plain %.1f\n", e, p,
              e / p);
  std::printf(
      "summary: | recovery time (%.0f MB heap state) | %.3f s | < 1 s | %s | plain rebuild "
      "%.3f s; median of %d |\n",
      keys * value_bytes / 1e6, e, e < 1.0 ? "yes" : "no", p, runs);
  return 0;
}
