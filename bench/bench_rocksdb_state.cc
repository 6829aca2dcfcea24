// Keyed ValueState<int64_t> counter updates over many distinct keys, on the heap backend and on
// the RocksDB backend, against a plain std::unordered_map doing the same work:
//   for each update i: key = scatter(i) % keys; set_current_key(key); c = value(); update(c + 1)
// Keys are visited in a scattered order (every key once per pass), so neither backend gets
// locality for free. The time covers positioning the backend on the key (serializing it,
// computing its key group), the read and the write. Every 64th update is also timed on its own
// for the latency percentiles. After each run the counters of all keys are summed and checked
// against the plain loop's.
#include <algorithm>
#include <cstdint>
#include <cstdio>
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

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv,
                           "[--keys N (default 1M)] [--updates N (default 3M)] "
                           "[--runs R (default 3)] [--dir PATH (RocksDB base directory)] "
                           "[--cache-mib M (default 64)] [--write-buffer-mib M (default 16)]");
  const int64_t keys = flags.count("--keys", 1'000'000);
  const int64_t updates = flags.count("--updates", 3'000'000);
  const int runs = static_cast<int>(flags.count("--runs", 3));
  eddy::RocksDbStateOptions options;
  options.base_directory = flags.text("--dir", "");
  options.block_cache_bytes = static_cast<size_t>(flags.count("--cache-mib", 64)) << 20;
  options.write_buffer_bytes = static_cast<size_t>(flags.count("--write-buffer-mib", 16)) << 20;
  flags.finish();

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
