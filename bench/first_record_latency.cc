// Latency to the first record (d): wall time from calling execute() until the first record of a
// trivial job, from_collection({1}) → map → sink, reaches the sink. It covers building the job
// graph, deploying tasks and starting their threads. Two shapes:
//   chained:   source, map and sink in one chain (one task thread);
//   rebalance: map → rebalance → sink, so the record also crosses a network buffer.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using eddy::bench::Clock;

constexpr double kTargetMs = 20;

// When the first record reached the sink, in steady_clock ticks; 0 until then.
struct FirstRecordProbe {
  std::atomic<Clock::rep> arrival{0};
};

struct LatencyRun {
  double first_record_ms;  // execute() called → first record at the sink
  double job_ms;           // execute() called → execute() returned
};

LatencyRun run_once(bool rebalance) {
  auto probe = std::make_shared<FirstRecordProbe>();
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto mapped = env.from_collection({int64_t{1}}).map([](const int64_t& x) { return x + 1; });
  (rebalance ? mapped.rebalance() : mapped).add_sink([probe](const int64_t&) {
    Clock::rep none = 0;
    probe->arrival.compare_exchange_strong(none, Clock::now().time_since_epoch().count());
  });
  const Clock::time_point start = Clock::now();
  env.execute("first-record latency");
  const Clock::time_point end = Clock::now();
  const Clock::time_point arrival{Clock::duration{probe->arrival.load()}};
  if (probe->arrival.load() == 0) {
    std::fprintf(stderr, "error: the record never reached the sink\n");
    std::exit(1);
  }
  using Ms = std::chrono::duration<double, std::milli>;
  return {Ms(arrival - start).count(), Ms(end - start).count()};
}

// target_ms: the median must stay below it; none for a figure reported for information.
void measure(const std::string& name, const std::string& summary_name, bool rebalance, int runs,
             std::optional<double> target_ms) {
  std::vector<double> first, job;
  for (int i = 0; i < runs; ++i) {
    const LatencyRun run = run_once(rebalance);
    first.push_back(run.first_record_ms);
    job.push_back(run.job_ms);
  }
  const auto [min, max] = std::minmax_element(first.begin(), first.end());
  const double median = eddy::bench::median(first);
  std::printf("%-22s %8d %12.3f %10.3f %10.3f %14.3f\n", name.c_str(), runs, median, *min, *max,
              eddy::bench::median(job));
  char details[160];
  std::snprintf(details, sizeof details,
                "median of %d runs; min %.3f ms, max %.3f ms; whole execute() %.3f ms", runs, *min,
                *max, eddy::bench::median(job));
  char result[32];
  std::snprintf(result, sizeof result, "%.3f ms", median);
  if (target_ms) {
    eddy::bench::print_summary(summary_name, result, "< " + std::to_string(int(*target_ms)) + " ms",
                               median < *target_ms, details);
  } else {
    eddy::bench::print_summary(summary_name, result, "(for information)", std::nullopt, details);
  }
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv, "[--runs R (default 20)]");
  const int runs = static_cast<int>(flags.count("--runs", 20));
  flags.finish();

  std::printf("%-22s %8s %12s %10s %10s %14s\n", "benchmark", "runs", "median_ms", "min_ms",
              "max_ms", "execute_ms");
  measure("first_record_chained", "(d) first-record latency, chained", false, runs, kTargetMs);
  measure("first_record_rebalance", "(d') first-record latency, one hop", true, runs, std::nullopt);
  return 0;
}
