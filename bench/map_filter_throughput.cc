// Throughput of from_sequence → map(x * 3 + 1) → filter(even) → sink at parallelism 1:
//   chained    (a): the whole pipeline is one chain on one thread; records are virtual calls.
//   rebalance  (b): .rebalance() between map and filter, so every record crosses one thread hop
//                   (buffers, an input gate, a second thread).
// Each is compared with a plain loop computing the same sum, and must agree with it.
#include <cstdint>
#include <cstdio>
#include <string>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using eddy::bench::EngineRun;
using eddy::bench::Totals;

constexpr double kChainedTarget = 100e6;   // records/s
constexpr double kRebalanceTarget = 30e6;  // records/s

// Adds every value into the subtask's "sum" counter, so the compiler cannot drop the work and
// the job's result can be checked.
class SumSink final : public eddy::SinkFunction<int64_t> {
 public:
  void open(eddy::RuntimeContext& ctx) override { sum_ = &ctx.get_long_counter("sum"); }
  void invoke(const int64_t& value, const Context&) override { sum_->add(value); }

 private:
  eddy::LongCounter* sum_ = nullptr;
};

EngineRun run_engine(int64_t records, bool rebalance) {
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  auto mapped = env.from_sequence(1, records).map([](const int64_t& x) { return x * 3 + 1; });
  (rebalance ? mapped.rebalance() : mapped)
      .filter([](const int64_t& x) { return x % 2 == 0; })
      .add_sink(SumSink());
  EngineRun run;
  eddy::JobExecutionResult result;
  run.seconds = eddy::bench::seconds_of([&] { result = env.execute("map-filter benchmark"); });
  run.totals["sum"] = result.get_accumulator_result("sum");
  return run;
}

// noinline: measured as one call, like the job.
[[gnu::noinline]] Totals run_plain_loop(int64_t records) {
  int64_t sum = 0;
  for (int64_t x = 1; x <= records; ++x) {
    const int64_t y = x * 3 + 1;
    if (y % 2 == 0) sum += y;
  }
  return {{"sum", sum}};
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv,
                           "[--records N (default 100M)] [--runs R (default 5)] "
                           "[--variant chained|rebalance|both (default both)]");
  const int64_t records = flags.count("--records", 100'000'000);
  const int runs = static_cast<int>(flags.count("--runs", 5));
  const std::string variant = flags.text("--variant", "both");
  flags.finish();
  if (variant != "chained" && variant != "rebalance" && variant != "both") {
    std::fprintf(stderr, "error: --variant is chained, rebalance or both, not '%s'\n",
                 variant.c_str());
    return 2;
  }

  std::printf("map → filter → sink at parallelism 1: %lld records, median of %d runs\n",
              static_cast<long long>(records), runs);
  auto plain = [records] { return run_plain_loop(records); };
  eddy::bench::ThroughputResult chained, rebalanced;
  if (variant != "rebalance") {
    chained = eddy::bench::measure_throughput(
        "chained_map_filter", records, runs, [records] { return run_engine(records, false); },
        plain);
  }
  if (variant != "chained") {
    rebalanced = eddy::bench::measure_throughput(
        "rebalance_map_filter", records, runs, [records] { return run_engine(records, true); },
        plain);
  }

  eddy::bench::print_throughput_header();
  if (variant != "rebalance") eddy::bench::print_throughput_row(chained);
  if (variant != "chained") eddy::bench::print_throughput_row(rebalanced);
  if (variant != "rebalance") {
    eddy::bench::print_throughput_summary("(a) chained map→filter, p=1", chained, kChainedTarget,
                                          runs);
  }
  if (variant != "chained") {
    eddy::bench::print_throughput_summary("(b) map→rebalance→filter, p=1", rebalanced,
                                          kRebalanceTarget, runs);
  }
  return 0;
}
