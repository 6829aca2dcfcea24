// The Yahoo Streaming Benchmark's job, in memory (no Kafka, no JSON, no Redis) (f):
//   generator (ad_id, event_type, event_time) → timestamps and watermarks → filter(view)
//   → map(ad → campaign, a hash map built up front) → key_by(campaign)
//   → 10 s event-time tumbling windows, count → sink.
// Also the sliding variant (10 s windows every 1 s). Events cycle view/click/purchase (1/3 are
// views) over 1,000 ads in 100 campaigns; event time advances 1 ms every --events-per-ms events
// (default 10: a 10 s window holds 100 K events, 50 M events span 500 windows).
//
// Reports, per parallelism: events/s of wall time for the whole job; events per CPU-second (the
// process's user + system time during execute(), i.e. per core busy); the same work as a plain
// single-threaded loop and the ratio; and the latency of window results: the wall time from the
// moment the last source subtask emitted its first event at or past a window's end (the first
// moment the watermark could pass the end) to the moment the sink received the window's result.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bench_support.h"
#include "eddy/eddy.h"

namespace {

using eddy::bench::Clock;
using eddy::bench::EngineRun;
using eddy::bench::Totals;

// (ad_id, event_type, event_time ms)
using Event = std::tuple<int64_t, int64_t, int64_t>;
using CampaignMap = std::unordered_map<int64_t, int64_t>;

constexpr int64_t kAds = 1000;
constexpr int64_t kCampaigns = 100;
constexpr int64_t kView = 0;  // event_type: 0 view, 1 click, 2 purchase
constexpr int64_t kWindowMs = 10'000;
constexpr int64_t kSlideMs = 1'000;          // the sliding variant's slide
constexpr double kTargetPerCore = 10e6;      // events per CPU-second
constexpr double kTargetLatencyMs = 5;       // p99, after the watermark can pass the end
constexpr double kTargetSlidingRatio = 0.5;  // sliding within 2x of tumbling

// Every ad belongs to one campaign; ads of a campaign are spread over the ad ids.
std::shared_ptr<const CampaignMap> make_campaigns() {
  auto campaigns = std::make_shared<CampaignMap>();
  for (int64_t ad = 0; ad < kAds; ++ad) (*campaigns)[ad] = (ad * 37) % kCampaigns;
  return campaigns;
}

// Event i of the whole stream: the generator source and the plain loop call the same function.
inline Event make_event(int64_t i, int64_t events_per_ms) {
  const int64_t ad =
      static_cast<int64_t>((static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL) >> 40) % kAds;
  return Event(ad, i % 3, i / events_per_ms);
}

int64_t nanos_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// What one engine run records for the latency figures. Each slot has one writer thread; the
// benchmark reads them after execute() has joined the job's threads.
struct LatencyLog {
  int parallelism = 1;
  // crossed[second * parallelism + subtask]: steady-clock ns when that source subtask emitted its
  // first event with event_time >= second * 1000 (0: never).
  std::vector<int64_t> crossed;
  // received[sink subtask]: (window end ms, steady-clock ns) per result.
  std::vector<std::vector<std::pair<int64_t, int64_t>>> received;
};
LatencyLog* g_log = nullptr;  // the run in progress

struct CountViews final : eddy::AggregateFunction<int64_t, int64_t, int64_t> {
  int64_t create_accumulator() override { return 0; }
  int64_t add(const int64_t&, int64_t count) override { return count + 1; }
  int64_t get_result(const int64_t& count) override { return count; }
  int64_t merge(int64_t a, const int64_t& b) override { return a + b; }
};

// (campaign, window end ms, views): what YSB writes per campaign and window.
using WindowCount = std::tuple<int64_t, int64_t, int64_t>;

// Names each count with its campaign and window (the sink's Context does not carry the result's
// timestamp, so the window end travels in the record).
struct WithWindow final
    : eddy::ProcessWindowFunction<int64_t, WindowCount, int64_t, eddy::TimeWindow> {
  void process(const int64_t& campaign, Context& ctx, const std::vector<int64_t>& counts,
               eddy::Collector<WindowCount>& out) override {
    out.collect(WindowCount(campaign, ctx.window().get_end(), counts.at(0)));
  }
};

// Counts window results and their total, and notes when each result arrived.
class ResultSink final : public eddy::SinkFunction<WindowCount> {
 public:
  void open(eddy::RuntimeContext& ctx) override {
    results_ = &ctx.get_long_counter("results");
    total_ = &ctx.get_long_counter("count_total");
    arrivals_ = &g_log->received.at(ctx.get_index_of_this_subtask());
  }
  void invoke(const WindowCount& result, const Context&) override {
    results_->add(1);
    total_->add(std::get<2>(result));
    arrivals_->emplace_back(std::get<1>(result), nanos_now());
  }

 private:
  eddy::LongCounter* results_ = nullptr;
  eddy::LongCounter* total_ = nullptr;
  std::vector<std::pair<int64_t, int64_t>>* arrivals_ = nullptr;
};

// A punctuated generator: on the first event of every event-time second it emits
// max_timestamp - 1, which is what for_monotonous_timestamps() would emit at that moment. Window
// ends (tumbling 10 s, sliding every 1 s) are whole seconds, so no window waits for a later
// watermark than this.
class EverySecondWatermarks final : public eddy::WatermarkGenerator<Event> {
 public:
  void on_event(const Event&, int64_t timestamp, eddy::WatermarkOutput& output) override {
    const int64_t second = timestamp / 1000;
    if (second > last_second_) {
      last_second_ = second;
      output.emit_watermark(timestamp - 1);
    }
  }
  void on_periodic_emit(eddy::WatermarkOutput&) override {}

 private:
  int64_t last_second_ = -1;
};

struct Config {
  int64_t events = 0;
  int64_t events_per_ms = 10;
  int parallelism = 1;
  bool sliding = false;
  bool periodic = false;  // for_monotonous_timestamps with the default 200 ms interval
  double rate = 0;        // events/s of the whole job; 0: as fast as possible
};

// Per-window and per-result latencies (ms) of one run.
struct Latencies {
  std::vector<double> per_window;  // the last result of each window
  std::vector<double> per_result;
};

Latencies latencies_of(const LatencyLog& log) {
  const int p = log.parallelism;
  std::map<int64_t, int64_t> last_arrival;  // window end -> ns
  Latencies out;
  auto crossed_at = [&](int64_t end_ms) -> int64_t {
    if (end_ms % 1000 != 0) return 0;
    const size_t second = static_cast<size_t>(end_ms / 1000);
    if (end_ms <= 0 || (second + 1) * p > log.crossed.size()) return 0;
    int64_t latest = 0;
    for (int s = 0; s < p; ++s) {
      const int64_t t = log.crossed[second * p + s];
      if (t == 0) return 0;  // this subtask never got there: fired by the end of input
      latest = std::max(latest, t);
    }
    return latest;
  };
  for (const auto& arrivals : log.received) {
    for (const auto& [end, ns] : arrivals) {
      const int64_t crossed = crossed_at(end);
      if (crossed == 0) continue;
      out.per_result.push_back((ns - crossed) / 1e6);
      int64_t& last = last_arrival[end];
      last = std::max(last, ns);
    }
  }
  for (const auto& [end, ns] : last_arrival) out.per_window.push_back((ns - crossed_at(end)) / 1e6);
  return out;
}

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(q * values.size()));
  return values[index];
}

template <class Assigner>
EngineRun run_engine(const Config& config, Assigner assigner, const CampaignMap& campaign_table,
                     double* cpu_used, Latencies* latencies) {
  LatencyLog log;
  log.parallelism = config.parallelism;
  const int64_t seconds = config.events / config.events_per_ms / 1000 + 2;
  log.crossed.assign(static_cast<size_t>(seconds * config.parallelism), 0);
  log.received.resize(config.parallelism);
  for (auto& r : log.received) {
    r.reserve(static_cast<size_t>(seconds * kCampaigns * (kWindowMs / kSlideMs) + 1024));
  }
  g_log = &log;

  auto env = eddy::StreamExecutionEnvironment::get_execution_environment();
  env.set_parallelism(config.parallelism);
  if (!config.periodic) env.set_auto_watermark_interval(0);  // the generator is punctuated

  const int64_t per_ms = config.events_per_ms;
  const int64_t per_second = per_ms * 1000;
  const int64_t p = config.parallelism;
  int64_t* crossed = log.crossed.data();
  // Subtask s of the generator emits the events i with i % p == s, so its first event of second
  // b is the one with i % per_second < p.
  eddy::DataGeneratorSource<Event> source(
      [per_ms, per_second, p, crossed](int64_t i) {
        if (i % per_second < p) crossed[(i / per_second) * p + i % p] = nanos_now();
        return make_event(i, per_ms);
      },
      config.events, config.rate);
  auto strategy = config.periodic ? eddy::WatermarkStrategy<Event>::for_monotonous_timestamps()
                                  : eddy::WatermarkStrategy<Event>::for_generator(
                                        [] { return std::make_unique<EverySecondWatermarks>(); });
  strategy = strategy.with_timestamp_assigner([](const Event& e) { return std::get<2>(e); });

  auto campaigns = std::make_shared<const CampaignMap>(campaign_table);
  env.from_source(source, "ysb events")
      .assign_timestamps_and_watermarks(strategy)
      .filter([](const Event& e) { return std::get<1>(e) == kView; })
      .map([campaigns](const Event& e) { return campaigns->find(std::get<0>(e))->second; })
      .key_by([](const int64_t& campaign) { return campaign; })
      .window(assigner)
      .aggregate(CountViews(), WithWindow())
      .add_sink(ResultSink());

  EngineRun run;
  eddy::JobExecutionResult result;
  const double cpu_before = cpu_seconds();
  run.seconds = eddy::bench::seconds_of([&] { result = env.execute("ysb window benchmark"); });
  *cpu_used = cpu_seconds() - cpu_before;
  run.totals = result.get_all_accumulator_results();
  run.totals.erase("numLateRecordsDropped");
  g_log = nullptr;
  *latencies = latencies_of(log);
  return run;
}

// The same work by hand: filter, map through the same hash map, a count per (campaign, window)
// in a hash map, and each window emitted once the event time passes its end.
[[gnu::noinline]] Totals run_plain_loop(const Config& config, const CampaignMap& campaigns) {
  const int64_t size = kWindowMs;
  const int64_t slide = config.sliding ? kSlideMs : kWindowMs;
  std::unordered_map<int64_t, int64_t> counts;  // (window start * 128 + campaign) -> count
  int64_t results = 0, total = 0;
  auto emit_until = [&](int64_t time) {  // every window with end <= time
    for (auto it = counts.begin(); it != counts.end();) {
      const int64_t start = it->first >> 7;  // arithmetic shift: starts may be negative
      if (start + size <= time) {
        ++results;
        total += it->second;
        it = counts.erase(it);
      } else {
        ++it;
      }
    }
  };
  int64_t next_end = slide;  // the earliest end of a window that may still be open
  for (int64_t i = 0; i < config.events; ++i) {
    const auto [ad, type, time] = make_event(i, config.events_per_ms);
    if (type != kView) continue;
    const int64_t campaign = campaigns.find(ad)->second;
    if (time >= next_end) {
      emit_until(time);
      next_end = (time / slide + 1) * slide;
    }
    for (int64_t start = time - time % slide; start > time - size; start -= slide) {
      ++counts[start * 128 + campaign];
    }
  }
  emit_until(std::numeric_limits<int64_t>::max() / 2);
  return {{"results", results}, {"count_total", total}};
}

struct Measured {
  eddy::bench::ThroughputResult throughput;
  double cpu_seconds = 0;  // median over runs
  Latencies latencies;     // pooled over runs
};

template <class Assigner>
Measured measure(const std::string& name, const Config& config, Assigner assigner, int runs,
                 const CampaignMap& campaigns) {
  std::vector<double> cpu;
  Measured m;
  m.throughput = eddy::bench::measure_throughput(
      name, config.events, runs,
      [&] {
        double used = 0;
        Latencies lat;
        EngineRun run = run_engine(config, assigner, campaigns, &used, &lat);
        cpu.push_back(used);
        std::printf(
            "  %s: %.3f CPU-s (%s events/CPU-s); %zu windows, latency p50 %.2f ms, "
            "p99 %.2f ms (results: p50 %.2f ms, p99 %.2f ms); results %lld, total %lld\n",
            name.c_str(), used, eddy::bench::human(config.events / used).c_str(),
            lat.per_window.size(), percentile(lat.per_window, 0.5),
            percentile(lat.per_window, 0.99), percentile(lat.per_result, 0.5),
            percentile(lat.per_result, 0.99), static_cast<long long>(run.totals["results"]),
            static_cast<long long>(run.totals["count_total"]));
        for (double v : lat.per_window) m.latencies.per_window.push_back(v);
        for (double v : lat.per_result) m.latencies.per_result.push_back(v);
        return run;
      },
      [&] { return run_plain_loop(config, campaigns); });
  m.cpu_seconds = eddy::bench::median(cpu);
  return m;
}

// At a fixed --rate the source paces itself (sleeps between records), so the CPU figures say
// little about the engine's cost and the row carries no target.
void print_rate_summary(const std::string& label, const Measured& m, int runs, bool paced) {
  const auto& r = m.throughput;
  const double per_core = r.records / m.cpu_seconds;
  char result[64], details[240];
  std::snprintf(result, sizeof result, "%s events/CPU-s", eddy::bench::human(per_core).c_str());
  std::snprintf(details, sizeof details,
                "%s events/s wall (%.2f CPU-s per %.2f s); plain loop %s events/s; "
                "engine/plain %.3f; %s events, median of %d",
                eddy::bench::human(r.engine_rate()).c_str(), m.cpu_seconds, r.engine_seconds,
                eddy::bench::human(r.plain_rate()).c_str(), r.engine_rate() / r.plain_rate(),
                eddy::bench::human(static_cast<double>(r.records)).c_str(), runs);
  if (paced) {
    eddy::bench::print_summary(label, result, "-", std::nullopt, details);
    return;
  }
  eddy::bench::print_summary(label, result, ">= " + eddy::bench::human(kTargetPerCore) + "/CPU-s",
                             per_core >= kTargetPerCore, details);
}

void print_latency_summary(const std::string& label, const Latencies& l) {
  const double p99 = percentile(l.per_window, 0.99);
  char result[64], details[200];
  std::snprintf(result, sizeof result, "p99 %.2f ms", p99);
  std::snprintf(details, sizeof details,
                "p50 %.2f ms over %zu windows (last result of each); per result p50 %.2f ms, "
                "p99 %.2f ms",
                percentile(l.per_window, 0.5), l.per_window.size(), percentile(l.per_result, 0.5),
                percentile(l.per_result, 0.99));
  eddy::bench::print_summary(label, result, "p99 < 5 ms", p99 < kTargetLatencyMs, details);
}

}  // namespace

int main(int argc, char** argv) {
  eddy::bench::Flags flags(
      argc, argv,
      "[--records N (events, default 50M)] [--sliding-records N (default 10M, at most --records)]"
      " [--runs R (default 5)] [--parallelism 1|2|both]"
      " [--windows tumbling|sliding|both] [--watermarks second|periodic] [--events-per-ms E"
      " (default 10)] [--rate EVENTS_PER_S (default: as fast as possible)]");
  Config base;
  base.events = flags.count("--records", 50'000'000);
  // Sliding windows cost ~5x more per event: fewer events keep a run near 10 s.
  const int64_t sliding_events =
      std::min(base.events, flags.count("--sliding-records", 10'000'000));
  const int runs = static_cast<int>(flags.count("--runs", 5));
  const std::string parallelism = flags.text("--parallelism", "both");
  const std::string windows = flags.text("--windows", "both");
  const std::string watermarks = flags.text("--watermarks", "second");
  base.events_per_ms = flags.count("--events-per-ms", 10);
  const std::string rate = flags.text("--rate", "");
  if (!rate.empty()) base.rate = static_cast<double>(flags.count("--rate", 1));
  flags.finish();
  if (watermarks != "second" && watermarks != "periodic") {
    std::fprintf(stderr, "error: --watermarks is second or periodic\n");
    return 2;
  }
  base.periodic = watermarks == "periodic";
  std::vector<int> levels;
  if (parallelism == "1" || parallelism == "both") levels.push_back(1);
  if (parallelism == "2" || parallelism == "both") levels.push_back(2);
  const bool tumbling = windows == "tumbling" || windows == "both";
  const bool sliding = windows == "sliding" || windows == "both";
  if (levels.empty() || (!tumbling && !sliding)) {
    std::fprintf(stderr,
                 "error: --parallelism is 1, 2 or both; --windows tumbling, sliding or both\n");
    return 2;
  }

  const auto campaigns = make_campaigns();
  std::printf(
      "YSB shape: %lld events (1/3 views), %lld ads, %lld campaigns, %lld events per ms of "
      "event time (%lld windows of 10 s), watermarks %s, %s events/s, median of %d runs\n",
      static_cast<long long>(base.events), static_cast<long long>(kAds),
      static_cast<long long>(kCampaigns), static_cast<long long>(base.events_per_ms),
      static_cast<long long>(base.events / base.events_per_ms / kWindowMs),
      base.periodic ? "for_monotonous_timestamps every 200 ms" : "on every event-time second",
      base.rate > 0 ? eddy::bench::human(base.rate).c_str() : "as many", runs);

  const std::string wm =
      std::string(base.periodic ? ", periodic wm" : "") +
      (base.rate > 0 ? ", at " + eddy::bench::human(base.rate) + " events/s" : "");
  for (int p : levels) {
    Config config = base;
    config.parallelism = p;
    std::optional<Measured> tumbled, slid;
    if (tumbling) {
      config.sliding = false;
      tumbled =
          measure("ysb_tumbling_p" + std::to_string(p), config,
                  eddy::TumblingEventTimeWindows::of(eddy::Time::seconds(10)), runs, *campaigns);
    }
    if (sliding) {
      config.sliding = true;
      config.events = sliding_events;
      slid = measure(
          "ysb_sliding_p" + std::to_string(p), config,
          eddy::SlidingEventTimeWindows::of(eddy::Time::seconds(10), eddy::Time::seconds(1)), runs,
          *campaigns);
    }
    eddy::bench::print_throughput_header();
    if (tumbled) eddy::bench::print_throughput_row(tumbled->throughput);
    if (slid) eddy::bench::print_throughput_row(slid->throughput);
    const std::string ps = ", p=" + std::to_string(p) + wm;
    if (tumbled) {
      print_rate_summary("(f) YSB tumbling 10 s" + ps, *tumbled, runs, base.rate > 0);
      print_latency_summary("(f) YSB tumbling result latency" + ps, tumbled->latencies);
    }
    if (slid) {
      print_rate_summary("(f) YSB sliding 10 s / 1 s" + ps, *slid, runs, base.rate > 0);
      print_latency_summary("(f) YSB sliding result latency" + ps, slid->latencies);
    }
    if (tumbled && slid && base.rate == 0) {
      const double ratio = slid->throughput.engine_rate() / tumbled->throughput.engine_rate();
      const double per_core_ratio = (slid->throughput.records / slid->cpu_seconds) /
                                    (tumbled->throughput.records / tumbled->cpu_seconds);
      char result[32], details[160];
      std::snprintf(result, sizeof result, "%.3f", ratio);
      std::snprintf(details, sizeof details,
                    "sliding %s events/s, tumbling %s events/s (wall); per CPU-second %.3f",
                    eddy::bench::human(slid->throughput.engine_rate()).c_str(),
                    eddy::bench::human(tumbled->throughput.engine_rate()).c_str(), per_core_ratio);
      eddy::bench::print_summary("(f) YSB sliding/tumbling" + ps, result, ">= 0.5",
                                 ratio >= kTargetSlidingRatio, details);
    }
  }
  return 0;
}
