// How long a checkpoint of the heap backend stops the task, with about 1 GB of keyed state:
// ValueState<std::string> with --keys keys (default 8 M) of --value-bytes (default 100) in 128 key
// groups. Reported (medians of --runs):
//   - the synchronous pause: HeapKeyedStateBackend::snapshot_for_checkpoint(), which only shares
//     the key-group maps with the snapshot (copy-on-write);
//   - materialize(), the asynchronous part, on another thread (what snapshot() used to do on the
//     task's thread, so also the pause a synchronous snapshot would cost);
//   - updates per second of the task thread (random keys) without a snapshot, and while a
//     snapshot is being materialized on another thread (the first write to each key group clones
//     its map);
//   - the plain comparison: copying the same data as a plain std::unordered_map<int64_t,
//     std::string> copy loop, i.e. what a naive synchronous snapshot by copy would cost.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_support.h"
#include "eddy/state/heap_keyed_state_backend.h"

namespace {

using eddy::bench::Clock;
using eddy::bench::median;
using eddy::bench::seconds_of;

constexpr int kMaxParallelism = 128;

// The value of key k: `bytes` characters that depend on k (and on `round`, for updates).
std::string value_of(int64_t k, int64_t round, size_t bytes) {
  std::string value(bytes, 'a');
  const std::string tag = std::to_string(k) + ":" + std::to_string(round);
  value.replace(0, std::min(tag.size(), bytes), tag, 0, std::min(tag.size(), bytes));
  return value;
}

[[gnu::noinline]] double plain_copy_seconds(int64_t keys, size_t value_bytes, int runs) {
  std::unordered_map<int64_t, std::string> source;
  source.reserve(static_cast<size_t>(keys));
  for (int64_t k = 0; k < keys; ++k) source.emplace(k, value_of(k, 0, value_bytes));
  std::vector<double> seconds;
  for (int run = 0; run < runs; ++run) {
    size_t copied = 0;
    seconds.push_back(seconds_of([&] {
      std::unordered_map<int64_t, std::string> copy;
      copy.reserve(source.size());
      for (const auto& [k, v] : source) copy.emplace(k, v);
      copied = copy.size();
    }));
    if (copied != source.size()) std::abort();
    std::printf("  plain unordered_map copy run %d/%d: %.3f s\n", run + 1, runs, seconds.back());
    std::fflush(stdout);
  }
  return median(seconds);
}

struct UpdateRate {
  int64_t updates = 0;
  double seconds = 0;
  double rate() const { return updates / seconds; }
};

// Updates random keys on this (the task's) thread: `count` of them, or, when `until` is given,
// as many as fit until it is set (at least one).
UpdateRate update_random_keys(eddy::HeapKeyedStateBackend& backend,
                              eddy::ValueState<std::string>& state, int64_t keys,
                              size_t value_bytes, int64_t count, std::mt19937_64& random,
                              const std::atomic<bool>* until, int64_t round) {
  UpdateRate result;
  const auto start = Clock::now();
  while (until != nullptr ? !until->load(std::memory_order_acquire) || result.updates == 0
                          : result.updates < count) {
    // Batches between looks at the flag and the clock.
    for (int i = 0; i < 256; ++i) {
      const int64_t k = static_cast<int64_t>(random() % static_cast<uint64_t>(keys));
      eddy::set_current_key_of(backend, k);
      state.update(value_of(k, round, value_bytes));
    }
    result.updates += 256;
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv,
                           "[--keys N (default 8M)] [--value-bytes B (default 100)] "
                           "[--runs R (default 5)] [--updates U (default 4M)]");
  const int64_t keys = flags.count("--keys", 8'000'000);
  const size_t value_bytes = static_cast<size_t>(flags.count("--value-bytes", 100));
  const int runs = static_cast<int>(flags.count("--runs", 5));
  const int64_t updates = flags.count("--updates", 4'000'000);
  flags.finish();

  std::printf(
      "heap backend, ValueState<std::string>: %s keys x %zu-byte values, %d key groups; "
      "medians of %d runs\n",
      eddy::bench::human(static_cast<double>(keys)).c_str(), value_bytes, kMaxParallelism, runs);

  // The plain comparison first, so that its memory is gone before the backend is filled.
  const double plain_copy = plain_copy_seconds(keys, value_bytes, runs);

  eddy::HeapKeyedStateBackend backend(0, kMaxParallelism - 1, kMaxParallelism);
  auto& state = backend.get_state(eddy::ValueStateDescriptor<std::string>("value"));
  const double fill_seconds = seconds_of([&] {
    for (int64_t k = 0; k < keys; ++k) {
      eddy::set_current_key_of(backend, k);
      state.update(value_of(k, 0, value_bytes));
    }
  });
  const eddy::bench::MemoryStatus filled = eddy::bench::read_memory_status();
  std::printf("filled in %.1f s; resident %.0f MiB\n", fill_seconds,
              eddy::bench::mib(filled.rss_kib));

  // The synchronous pause, nothing changing in between (the snapshots are dropped unwritten).
  std::vector<double> pauses;
  for (int run = 0; run < std::max(runs, 7); ++run) {
    eddy::KeyedStateSnapshot snapshot;
    pauses.push_back(seconds_of(
        [&] { snapshot = backend.snapshot_for_checkpoint(run, eddy::SnapshotType::kCheckpoint); }));
  }

  // materialize() on another thread, the task idle; then while the task updates random keys.
  std::mt19937_64 random(42);
  std::vector<double> materialize_idle, materialize_busy, rate_during, rate_without;
  size_t snapshot_bytes = 0;
  int64_t round = 1;
  for (int run = 0; run < runs; ++run) {
    {
      eddy::KeyedStateSnapshot snapshot =
          backend.snapshot_for_checkpoint(100 + run, eddy::SnapshotType::kCheckpoint);
      double seconds = 0;
      std::thread materializer([&] { seconds = seconds_of([&] { snapshot.materialize(); }); });
      materializer.join();
      materialize_idle.push_back(seconds);
      snapshot_bytes = 0;
      for (const auto& [name, groups] : snapshot.key_groups) {
        for (const auto& [group, bytes] : groups) snapshot_bytes += bytes.size();
      }
    }
    const UpdateRate without =
        update_random_keys(backend, state, keys, value_bytes, updates, random, nullptr, round++);
    rate_without.push_back(without.rate());
    {
      eddy::KeyedStateSnapshot snapshot =
          backend.snapshot_for_checkpoint(200 + run, eddy::SnapshotType::kCheckpoint);
      std::atomic<bool> done{false};
      double seconds = 0;
      std::thread materializer([&] {
        seconds = seconds_of([&] { snapshot.materialize(); });
        done.store(true, std::memory_order_release);
      });
      const UpdateRate during =
          update_random_keys(backend, state, keys, value_bytes, 0, random, &done, round++);
      materializer.join();
      materialize_busy.push_back(seconds);
      rate_during.push_back(during.rate());
      std::printf(
          "  run %d/%d: materialize %.3f s (task idle), %.3f s (task updating: %lld updates, "
          "%s/s); updates without a snapshot %s/s\n",
          run + 1, runs, materialize_idle.back(), seconds, static_cast<long long>(during.updates),
          eddy::bench::human(during.rate()).c_str(), eddy::bench::human(without.rate()).c_str());
      std::fflush(stdout);
    }
  }
  const eddy::bench::MemoryStatus end = eddy::bench::read_memory_status();

  const double pause_ms = median(pauses) * 1e3;
  std::printf("synchronous pause (snapshot_for_checkpoint): median %.3f ms, max %.3f ms of %zu\n",
              pause_ms, *std::max_element(pauses.begin(), pauses.end()) * 1e3, pauses.size());
  std::printf(
      "materialize(): %.3f s with the task idle, %.3f s with the task updating; "
      "snapshot %.0f MiB\n",
      median(materialize_idle), median(materialize_busy), snapshot_bytes / 1048576.0);
  std::printf("updates: %s/s without a snapshot, %s/s while one is materialized (%.0f%%)\n",
              eddy::bench::human(median(rate_without)).c_str(),
              eddy::bench::human(median(rate_during)).c_str(),
              100.0 * median(rate_during) / median(rate_without));
  std::printf(
      "plain unordered_map copy of the same data: %.3f s; resident after filling %.0f "
      "MiB, peak %.0f MiB\n",
      plain_copy, eddy::bench::mib(filled.rss_kib), eddy::bench::mib(end.peak_kib));

  char details[240];
  std::snprintf(details, sizeof details,
                "%s keys x %zu B; materialize %.2f s off the task thread; plain map copy %.2f s; "
                "updates %s/s, %s/s while materializing",
                eddy::bench::human(static_cast<double>(keys)).c_str(), value_bytes,
                median(materialize_idle), plain_copy,
                eddy::bench::human(median(rate_without)).c_str(),
                eddy::bench::human(median(rate_during)).c_str());
  char result[32];
  std::snprintf(result, sizeof result, "%.3f ms", pause_ms);
  eddy::bench::print_summary("heap checkpoint synchronous pause", result, "< 10 ms",
                             pause_ms < 10.0, details);
  return 0;
}
