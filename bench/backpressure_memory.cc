// Memory under backpressure (e): from_sequence → map → rebalance → a slow sink, at parallelism 1.
// The source can produce far faster than the sink consumes, so it must be held back by the
// credits of the network channel rather than buffer records: resident memory stays flat however
// many records pass. A side thread samples VmRSS / VmHWM and the job's progress every 100 ms.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <thread>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using eddy::bench::mib;

// Records that passed the map (produced) and the sink (consumed). Each is written by one task
// thread and read by the sampler.
struct JobProgress {
  std::atomic<int64_t> produced{0};
  std::atomic<int64_t> consumed{0};
};

// Sleeps 1 ms after every `sleep_every` records: about 100 ns per record for 10,000, well below
// what the source emits, while leaving the CPU to others.
class SlowSink final : public eddy::SinkFunction<int64_t> {
 public:
  SlowSink(std::shared_ptr<JobProgress> progress, int64_t sleep_every)
      : progress_(std::move(progress)), sleep_every_(sleep_every) {}
  void open(eddy::RuntimeContext& ctx) override { records_ = &ctx.get_long_counter("records"); }
  void invoke(const int64_t&, const Context&) override {
    records_->add(1);
    const int64_t n = records_->get_local_value();
    progress_->consumed.store(n, std::memory_order_relaxed);
    if (n % sleep_every_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  std::shared_ptr<JobProgress> progress_;
  int64_t sleep_every_;
  eddy::LongCounter* records_ = nullptr;
};

void print_sample(const char* label, const eddy::bench::MemorySampler::Sample& s,
                  int64_t rss_before_kib) {
  std::printf("  %-14s t=%6.2f s  done %11lld  in flight %7lld  VmRSS %8.1f MiB (%+.1f)\n", label,
              s.seconds, static_cast<long long>(s.progress.done),
              static_cast<long long>(s.progress.in_flight), mib(s.memory.rss_kib),
              mib(s.memory.rss_kib - rss_before_kib));
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(argc, argv,
                           "[--records N (default 100M)] [--sleep-every K (records per 1 ms "
                           "sleep of the sink, default 10K)] [--max-growth-mib M (default 16)]");
  const int64_t records = flags.count("--records", 100'000'000);
  const int64_t sleep_every = flags.count("--sleep-every", 10'000);
  const int64_t max_growth_mib = flags.count("--max-growth-mib", 16);
  flags.finish();

  auto progress = std::make_shared<JobProgress>();
  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(1);
  env.from_sequence(1, records)
      .map([progress](const int64_t& x) {
        progress->produced.store(x, std::memory_order_relaxed);  // x counts records, from 1
        return x * 3 + 1;
      })
      .rebalance()
      .add_sink(SlowSink(progress, sleep_every));

  std::printf("map → rebalance → slow sink (1 ms sleep per %lld records): %lld records\n",
              static_cast<long long>(sleep_every), static_cast<long long>(records));
  const eddy::bench::MemoryStatus before = eddy::bench::read_memory_status();
  eddy::bench::MemorySampler sampler(
      [progress] {
        const int64_t consumed = progress->consumed.load(std::memory_order_relaxed);
        const int64_t produced = progress->produced.load(std::memory_order_relaxed);
        return eddy::bench::Progress{consumed, produced - consumed};
      },
      std::chrono::milliseconds(100));
  eddy::JobExecutionResult result;
  const double seconds =
      eddy::bench::seconds_of([&] { result = env.execute("backpressure memory benchmark"); });
  sampler.stop();
  eddy::bench::check_totals("backpressure", result.get_all_accumulator_results(),
                            {{"records", records}});

  const auto& samples = sampler.samples();
  int64_t max_in_flight = 0;
  int64_t max_rss_kib = 0;
  for (const auto& s : samples) {
    max_in_flight = std::max(max_in_flight, s.progress.in_flight);
    max_rss_kib = std::max(max_rss_kib, s.memory.rss_kib);
  }
  const eddy::bench::MemoryStatus after = eddy::bench::read_memory_status();
  const auto& at10 = sampler.first_reaching(records / 10);
  const auto& at50 = sampler.first_reaching(records / 2);
  const auto& at90 = sampler.first_reaching(records * 9 / 10);

  std::printf("  job took %.2f s (%s rec/s through the slow sink), %zu samples\n", seconds,
              eddy::bench::human(records / seconds).c_str(), samples.size());
  std::printf("  %-14s VmRSS %8.1f MiB\n", "before job", mib(before.rss_kib));
  print_sample("at 10%", at10, before.rss_kib);
  print_sample("at 50%", at50, before.rss_kib);
  print_sample("at 90%", at90, before.rss_kib);
  std::printf("  %-14s VmRSS %8.1f MiB (%+.1f), max sampled %.1f MiB, VmHWM %.1f MiB (%+.1f)\n",
              "after job", mib(after.rss_kib), mib(after.rss_kib - before.rss_kib),
              mib(max_rss_kib), mib(after.peak_kib), mib(after.peak_kib - before.rss_kib));
  std::printf("  most records in flight between map and sink: %lld (%.2f MiB of int64)\n",
              static_cast<long long>(max_in_flight), max_in_flight * 8 / 1048576.0);

  // Flat: the peak over the whole run stays within max_growth_mib of the RSS before the job.
  // Buffering instead of backpressure would grow by ~8 bytes per record (800 MB per 100 M).
  const double growth_mib = mib(after.peak_kib - before.rss_kib);
  const bool flat = growth_mib <= static_cast<double>(max_growth_mib);
  char result_text[64], details[200];
  std::snprintf(result_text, sizeof result_text, "peak %+.1f MiB over %.1f MiB", growth_mib,
                mib(before.rss_kib));
  std::snprintf(details, sizeof details,
                "%s records; RSS at 10/50/90%%: %.1f / %.1f / %.1f MiB; VmHWM %.1f MiB; "
                "max in flight %lld records",
                eddy::bench::human(static_cast<double>(records)).c_str(), mib(at10.memory.rss_kib),
                mib(at50.memory.rss_kib), mib(at90.memory.rss_kib), mib(after.peak_kib),
                static_cast<long long>(max_in_flight));
  eddy::bench::print_summary("(e) RSS under backpressure", result_text,
                             "flat (peak <= +" + std::to_string(max_growth_mib) + " MiB)", flat,
                             details);
  if (!flat) {
    std::fprintf(stderr, "error: resident memory grew by %.1f MiB under backpressure\n",
                 growth_mib);
    return 1;
  }
  return 0;
}
