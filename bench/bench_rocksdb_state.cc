// Keyed ValueState<int64_t> counter updates over many distinct keys, on the heap backend and on
// the RocksDB backend, against a plain std::unordered_map doing the same work:
//   for each update i: key = scatter(i) % keys; set_current_key(key); c = value(); update(c + 1)
// Keys are visited in a scattered order (every key once per pass), so neither backend gets
// locality for free. The time covers positioning the backend on the key (serializing it,
// computing its key group), the read and the write. Every 64th update is also timed on its own
// for the latency percentiles. After each run the counters of all keys are summed and checked
// against the plain loop's.
// With --checkpoint-sizes N it measures checkpoints instead: full (asynchronous) vs incremental
// bytes and durations over N checkpoints with 1 % of the keys changed before each (see below).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench_support.h"
#include "eddy/state/heap_keyed_state_backend.h"
#include "eddy/state/rocksdb_keyed_state_backend.h"

namespace {

using eddy::bench::Clock;

constexpr int kMaxParallelism = 128;
constexpr int64_t kLatencySampleEvery = 64;

// A bijection on [0, keys) for keys coprime with the multiplier: key of the i-th update.
int64_t key_of(int64_t i, int64_t keys) {
  return static_cast<int64_t>((static_cast<uint64_t>(i) * 2654435761ull) %
                              static_cast<uint64_t>(keys));
}

struct Run {
  double seconds = 0;
  int64_t checksum = 0;              // sum of all counters afterwards
  std::vector<double> latencies_ns;  // sampled single updates
};

Run run_backend(eddy::KeyedStateBackend& backend, int64_t updates, int64_t keys) {
  eddy::ValueState<int64_t>& counter =
      backend.get_state(eddy::ValueStateDescriptor<int64_t>("counter", 0));
  Run run;
  run.latencies_ns.reserve(static_cast<size_t>(updates / kLatencySampleEvery + 1));
  run.seconds = eddy::bench::seconds_of([&] {
    for (int64_t i = 0; i < updates; ++i) {
      const int64_t key = key_of(i, keys);
      if (i % kLatencySampleEvery == 0) {
        const auto start = Clock::now();
        eddy::set_current_key_of(backend, key);
        counter.update(*counter.value() + 1);
        run.latencies_ns.push_back(
            std::chrono::duration<double, std::nano>(Clock::now() - start).count());
      } else {
        eddy::set_current_key_of(backend, key);
        counter.update(*counter.value() + 1);
      }
    }
  });
  for (int64_t key = 0; key < keys; ++key) {
    eddy::set_current_key_of(backend, key);
    run.checksum += *counter.value() * (key % 7 + 1);
  }
  return run;
}

[[gnu::noinline]] Run run_plain_loop(int64_t updates, int64_t keys) {
  std::unordered_map<int64_t, int64_t> counters;
  Run run;
  run.seconds = eddy::bench::seconds_of([&] {
    for (int64_t i = 0; i < updates; ++i) {
      int64_t& c = counters[key_of(i, keys)];
      c = c + 1;
    }
  });
  for (const auto& [key, c] : counters) run.checksum += c * (key % 7 + 1);
  return run;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1))];
}

struct Result {
  std::string name;
  std::vector<double> seconds;
  std::vector<double> p50_ns, p99_ns;
};

void record(Result& result, const Run& run, const Run& plain, int64_t updates) {
  if (run.checksum != plain.checksum) {
    std::fprintf(stderr, "error: %s: checksum %lld, plain loop %lld\n", result.name.c_str(),
                 static_cast<long long>(run.checksum), static_cast<long long>(plain.checksum));
    std::exit(1);
  }
  result.seconds.push_back(run.seconds);
  result.p50_ns.push_back(percentile(run.latencies_ns, 0.50));
  result.p99_ns.push_back(percentile(run.latencies_ns, 0.99));
  std::printf("  %-8s %.3f s (%s updates/s), p50 %.0f ns, p99 %.0f ns\n", result.name.c_str(),
              run.seconds, eddy::bench::human(updates / run.seconds).c_str(), result.p50_ns.back(),
              result.p99_ns.back());
  std::fflush(stdout);
}

// ---- Checkpoint size: full (asynchronous) vs incremental snapshots of the same state.
//
// Both backends hold `keys` counters; before each of `checkpoints` checkpoints, `changed`
// counters (scattered keys) are incremented. A full checkpoint's cost: its synchronous phase
// plus materialize(), and its bytes are the serialized key groups. An incremental checkpoint's
// cost: its synchronous phase (flush, hard links) plus copying its new files to a "shared"
// directory as the checkpoint storage does; its bytes are those new files (the files it only
// refers to are counted apart). The plain loop serializes a std::unordered_map of the same
// counters into one buffer: what a full copy of the state costs at the least.

struct CheckpointFigures {
  std::vector<double> seconds;
  std::vector<double> bytes;
  double referenced_bytes = 0;  // incremental: files referred to in the last checkpoint
};

void update_changed(eddy::KeyedStateBackend& backend, eddy::ValueState<int64_t>& counter,
                    int64_t round, int64_t changed, int64_t keys) {
  for (int64_t j = 0; j < changed; ++j) {
    eddy::set_current_key_of(backend, key_of(round * changed + j, keys));
    counter.update(*counter.value() + 1);
  }
}

void fill_counters(eddy::KeyedStateBackend& backend, eddy::ValueState<int64_t>& counter,
                   int64_t keys) {
  for (int64_t key = 0; key < keys; ++key) {
    eddy::set_current_key_of(backend, key);
    counter.update(key);
  }
}

CheckpointFigures full_checkpoints(const eddy::RocksDbStateOptions& options, int64_t keys,
                                   int64_t changed, int checkpoints) {
  eddy::RocksDbKeyedStateBackend backend(0, kMaxParallelism - 1, kMaxParallelism, options);
  auto& counter = backend.get_state(eddy::ValueStateDescriptor<int64_t>("counter", 0));
  fill_counters(backend, counter, keys);
  CheckpointFigures figures;
  for (int c = 1; c <= checkpoints; ++c) {
    update_changed(backend, counter, c, changed, keys);
    size_t bytes = 0;
    figures.seconds.push_back(eddy::bench::seconds_of([&] {
      eddy::KeyedStateSnapshot snapshot =
          backend.snapshot_for_checkpoint(c, eddy::SnapshotType::kCheckpoint);
      snapshot.materialize();
      for (const auto& [name, groups] : snapshot.key_groups) {
        for (const auto& [group, group_bytes] : groups) bytes += group_bytes.size();
      }
    }));
    figures.bytes.push_back(static_cast<double>(bytes));
    backend.notify_checkpoint_complete(c);
  }
  return figures;
}

CheckpointFigures incremental_checkpoints(eddy::RocksDbStateOptions options, int64_t keys,
                                          int64_t changed, int checkpoints) {
  options.incremental_checkpoints = true;
  const std::filesystem::path shared =
      (options.base_directory.empty() ? std::filesystem::temp_directory_path()
                                      : options.base_directory) /
      "eddy-bench-shared";
  std::filesystem::remove_all(shared);
  std::filesystem::create_directories(shared);
  eddy::RocksDbKeyedStateBackend backend(0, kMaxParallelism - 1, kMaxParallelism, options);
  auto& counter = backend.get_state(eddy::ValueStateDescriptor<int64_t>("counter", 0));
  fill_counters(backend, counter, keys);
  // The first checkpoint uploads everything; the figures are of the ones after it.
  CheckpointFigures figures;
  for (int c = 0; c <= checkpoints; ++c) {
    if (c > 0) update_changed(backend, counter, c, changed, keys);
    uintmax_t bytes = 0, referenced = 0;
    const double seconds = eddy::bench::seconds_of([&] {
      eddy::KeyedStateSnapshot snapshot =
          backend.snapshot_for_checkpoint(c + 1, eddy::SnapshotType::kCheckpoint);
      for (eddy::SnapshotFile& file : snapshot.native_files) {
        if (file.local_path.empty()) {
          referenced += std::filesystem::file_size(shared / file.name);
          continue;
        }
        std::filesystem::copy_file(file.local_path, shared / file.name,
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove(file.local_path);
        bytes += std::filesystem::file_size(shared / file.name);
      }
      bytes += snapshot.native_meta.size();
    });
    backend.notify_checkpoint_complete(c + 1);
    if (c == 0) {
      std::printf("  incremental: first checkpoint %.1f MiB in %.3f s\n",
                  static_cast<double>(bytes) / (1 << 20), seconds);
      continue;
    }
    figures.seconds.push_back(seconds);
    figures.bytes.push_back(static_cast<double>(bytes));
    figures.referenced_bytes = static_cast<double>(referenced);
  }
  std::filesystem::remove_all(shared);
  return figures;
}

[[gnu::noinline]] double plain_full_copy_seconds(int64_t keys) {
  std::unordered_map<int64_t, int64_t> counters;
  for (int64_t key = 0; key < keys; ++key) counters[key] = key;
  std::string buffer;
  const double seconds = eddy::bench::seconds_of([&] {
    buffer.reserve(counters.size() * 16);
    for (const auto& [key, c] : counters) {
      buffer.append(reinterpret_cast<const char*>(&key), sizeof key);
      buffer.append(reinterpret_cast<const char*>(&c), sizeof c);
    }
  });
  if (buffer.size() != static_cast<size_t>(keys) * 16) std::exit(1);
  return seconds;
}

int run_checkpoint_sizes(const eddy::RocksDbStateOptions& options, int64_t keys,
                         int64_t changed_per_mille, int checkpoints) {
  const int64_t changed = std::max<int64_t>(1, keys * changed_per_mille / 1000);
  std::printf(
      "checkpoint size: %lld counters, %lld (%.1f%%) changed before each of %d checkpoints; "
      "RocksDB cache %zu MiB, write buffers %d x %zu MiB\n",
      static_cast<long long>(keys), static_cast<long long>(changed),
      100.0 * static_cast<double>(changed) / static_cast<double>(keys), checkpoints,
      options.block_cache_bytes >> 20, options.max_write_buffers, options.write_buffer_bytes >> 20);
  const CheckpointFigures full = full_checkpoints(options, keys, changed, checkpoints);
  const CheckpointFigures incremental =
      incremental_checkpoints(options, keys, changed, checkpoints);
  const double plain = plain_full_copy_seconds(keys);
  const double full_mib = eddy::bench::median(full.bytes) / (1 << 20);
  const double incremental_mib = eddy::bench::median(incremental.bytes) / (1 << 20);
  const double full_s = eddy::bench::median(full.seconds);
  const double incremental_s = eddy::bench::median(incremental.seconds);
  std::printf("\n%-12s %14s %12s %14s\n", "checkpoint", "bytes (MiB)", "seconds", "vs plain copy");
  std::printf("%-12s %14.2f %12.3f %14.1f\n", "full", full_mib, full_s, full_s / plain);
  std::printf("%-12s %14.2f %12.3f %14.1f\n", "incremental", incremental_mib, incremental_s,
              incremental_s / plain);
  std::printf("%-12s %14s %12.3f\n", "plain copy", "-", plain);
  std::printf("incremental checkpoints also refer to %.1f MiB stored earlier\n",
              incremental.referenced_bytes / (1 << 20));
  char details[240];
  std::snprintf(details, sizeof details,
                "%s keys, %.1f%% changed per checkpoint: full %.1f MiB in %.3f s, incremental "
                "%.2f MiB in %.3f s (median of %d); plain full copy %.3f s",
                eddy::bench::human(static_cast<double>(keys)).c_str(),
                100.0 * static_cast<double>(changed) / static_cast<double>(keys), full_mib, full_s,
                incremental_mib, incremental_s, checkpoints, plain);
  char ratio[64];
  std::snprintf(ratio, sizeof ratio, "%.1f%% of full", 100.0 * incremental_mib / full_mib);
  eddy::bench::print_summary("RocksDB incremental checkpoint size", ratio, "-", std::nullopt,
                             details);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv,
                           "[--keys N (default 1M)] [--updates N (default 3M)] "
                           "[--runs R (default 3)] [--dir PATH (RocksDB base directory)] "
                           "[--cache-mib M (default 64)] [--write-buffer-mib M (default 16)] "
                           "[--checkpoint-sizes CHECKPOINTS: full vs incremental checkpoints "
                           "instead, with --changed-per-mille P (default 10)]");
  const int64_t checkpoint_sizes = flags.count("--checkpoint-sizes", 0);
  const int64_t changed_per_mille = flags.count("--changed-per-mille", 10);
  const int64_t keys = flags.count("--keys", checkpoint_sizes > 0 ? 2'000'000 : 1'000'000);
  const int64_t updates = flags.count("--updates", 3'000'000);
  const int runs = static_cast<int>(flags.count("--runs", 3));
  eddy::RocksDbStateOptions options;
  options.base_directory = flags.text("--dir", "");
  options.block_cache_bytes = static_cast<size_t>(flags.count("--cache-mib", 64)) << 20;
  options.write_buffer_bytes = static_cast<size_t>(flags.count("--write-buffer-mib", 16)) << 20;
  flags.finish();
  if (checkpoint_sizes > 0) {
    return run_checkpoint_sizes(options, keys, changed_per_mille,
                                static_cast<int>(checkpoint_sizes));
  }

  std::printf(
      "ValueState<int64_t> counter updates: %lld updates over %lld keys, median of %d; RocksDB "
      "cache %zu MiB, write buffers %d x %zu MiB\n",
      static_cast<long long>(updates), static_cast<long long>(keys), runs,
      options.block_cache_bytes >> 20, options.max_write_buffers, options.write_buffer_bytes >> 20);
  Result heap{"heap"}, rocksdb{"rocksdb"}, plain{"plain"};
  for (int r = 0; r < runs; ++r) {
    std::printf("run %d/%d\n", r + 1, runs);
    const Run expected = run_plain_loop(updates, keys);
    plain.seconds.push_back(expected.seconds);
    std::printf("  %-8s %.3f s (%s updates/s)\n", "plain", expected.seconds,
                eddy::bench::human(updates / expected.seconds).c_str());
    {
      eddy::HeapKeyedStateBackend backend(0, kMaxParallelism - 1, kMaxParallelism);
      record(heap, run_backend(backend, updates, keys), expected, updates);
    }
    {
      eddy::RocksDbKeyedStateBackend backend(0, kMaxParallelism - 1, kMaxParallelism, options);
      record(rocksdb, run_backend(backend, updates, keys), expected, updates);
    }
  }

  const double plain_s = eddy::bench::median(plain.seconds);
  std::printf("\n%-10s %14s %10s %10s %14s\n", "backend", "updates/s", "p50_ns", "p99_ns",
              "plain/backend");
  for (const Result* r : {&heap, &rocksdb}) {
    const double s = eddy::bench::median(r->seconds);
    std::printf("%-10s %14s %10.0f %10.0f %14.1f\n", r->name.c_str(),
                eddy::bench::human(updates / s).c_str(), eddy::bench::median(r->p50_ns),
                eddy::bench::median(r->p99_ns), s / plain_s);
  }
  std::printf("%-10s %14s\n", "plain", eddy::bench::human(updates / plain_s).c_str());
  for (const Result* r : {&heap, &rocksdb}) {
    const double s = eddy::bench::median(r->seconds);
    char details[200];
    std::snprintf(details, sizeof details,
                  "%s updates over %s keys; p50 %.0f ns, p99 %.0f ns; plain loop %s updates/s, "
                  "%.1fx faster; median of %d",
                  eddy::bench::human(static_cast<double>(updates)).c_str(),
                  eddy::bench::human(static_cast<double>(keys)).c_str(),
                  eddy::bench::median(r->p50_ns), eddy::bench::median(r->p99_ns),
                  eddy::bench::human(updates / plain_s).c_str(), s / plain_s, runs);
    eddy::bench::print_summary("ValueState counter, " + r->name + " backend",
                               eddy::bench::human(updates / s) + " updates/s", "-", std::nullopt,
                               details);
  }
  return 0;
}
