// What every benchmark program needs: flags, a stopwatch, medians, /proc/self/status readings,
// number formatting, and the one-line summary that bench/run_all.sh collects.
//
// A benchmark prints its details for a reader, then exactly one "summary: | ... |" line per
// measurement: a Markdown table row of (benchmark, result, target, met?, details).
#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace eddy::bench {

using Clock = std::chrono::steady_clock;

// "--name value" or "--name=value"; counts take K/M/G suffixes (powers of ten): --records 10M.
class Flags {
 public:
  Flags(int argc, char** argv, std::string usage) : usage_(std::move(usage)) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::printf("usage: %s %s\n", argv[0], usage_.c_str());
        std::exit(0);
      }
      if (arg.rfind("--", 0) != 0) fail("unexpected argument '" + arg + "'");
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        values_[arg.substr(0, eq)] = arg.substr(eq + 1);
      } else if (i + 1 < argc) {
        values_[arg] = argv[++i];
      } else {
        fail("flag " + arg + " needs a value");
      }
    }
  }

  int64_t count(const std::string& name, int64_t fallback) {
    const std::string* given = take(name);
    if (given == nullptr) return fallback;
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(*given, &used);
    } catch (const std::exception&) {
      fail("flag " + name + " needs a number, not '" + *given + "'");
    }
    const std::string suffix = given->substr(used);
    if (!suffix.empty()) {
      const size_t power = std::string("KMG").find(static_cast<char>(std::toupper(suffix[0])));
      if (suffix.size() != 1 || power == std::string::npos) {
        fail("flag " + name + ": unknown suffix '" + suffix + "' (K, M or G)");
      }
      value *= std::pow(1e3, static_cast<double>(power + 1));
    }
    if (value < 1) fail("flag " + name + " must be at least 1");
    return static_cast<int64_t>(value);
  }

  std::string text(const std::string& name, const std::string& fallback) {
    const std::string* given = take(name);
    return given != nullptr ? *given : fallback;
  }

  // Call after reading every flag: rejects flags nobody asked for (typos).
  void finish() const {
    for (const auto& [name, value] : values_) {
      if (!asked_.count(name)) fail("unknown flag " + name);
    }
  }

 private:
  const std::string* take(const std::string& name) {
    asked_.insert(name);
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
  }
  [[noreturn]] void fail(const std::string& message) const {
    std::fprintf(stderr, "error: %s\nusage: %s\n", message.c_str(), usage_.c_str());
    std::exit(2);
  }

  std::string usage_;
  std::map<std::string, std::string> values_;
  std::set<std::string> asked_;
};

// Wall-clock seconds taken by fn().
template <class F>
double seconds_of(F&& fn) {
  const auto start = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// "123.4 M", "1.23 G": a rate or count for people.
inline std::string human(double value) {
  char text[32];
  if (value >= 1e9) {
    std::snprintf(text, sizeof text, "%.2f G", value / 1e9);
  } else if (value >= 1e6) {
    std::snprintf(text, sizeof text, "%.1f M", value / 1e6);
  } else if (value >= 1e3) {
    std::snprintf(text, sizeof text, "%.1f K", value / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.0f", value);
  }
  return text;
}

// Named totals a run computed (accumulator name -> value), to compare engine and plain loop.
using Totals = std::map<std::string, int64_t>;

// Aborts the benchmark when the engine computed something else than the plain loop: a fast
// wrong answer is not a result.
inline void check_totals(const std::string& benchmark, const Totals& engine, const Totals& plain) {
  for (const auto& [name, expected] : plain) {
    auto it = engine.find(name);
    if (it == engine.end() || it->second != expected) {
      std::fprintf(stderr, "error: %s: '%s' is %s in the engine, %lld in the plain loop\n",
                   benchmark.c_str(), name.c_str(),
                   it == engine.end() ? "missing" : std::to_string(it->second).c_str(),
                   static_cast<long long>(expected));
      std::exit(1);
    }
  }
}

// One row for run_all.sh's summary table; `met` is empty for a figure without a target.
inline void print_summary(const std::string& benchmark, const std::string& result,
                          const std::string& target, std::optional<bool> met,
                          const std::string& details) {
  std::printf("summary: | %s | %s | %s | %s | %s |\n", benchmark.c_str(), result.c_str(),
              target.c_str(),
              !met   ? "-"
              : *met ? "yes"
                     : "NO",
              details.c_str());
  std::fflush(stdout);
}

// A throughput measurement of the engine against the plain loop doing the same work.
struct ThroughputResult {
  std::string name;
  int64_t records = 0;
  double engine_seconds = 0;  // median of the runs
  double plain_seconds = 0;   // median of the runs
  double engine_rate() const { return records / engine_seconds; }
  double plain_rate() const { return records / plain_seconds; }
};

inline void print_throughput_header() {
  std::printf("%-28s %12s %10s %14s %14s %13s\n", "benchmark", "records", "engine_s",
              "engine_rec/s", "plain_rec/s", "engine/plain");
}

inline void print_throughput_row(const ThroughputResult& r) {
  std::printf("%-28s %12lld %10.3f %14s %14s %13.3f\n", r.name.c_str(),
              static_cast<long long>(r.records), r.engine_seconds, human(r.engine_rate()).c_str(),
              human(r.plain_rate()).c_str(), r.engine_rate() / r.plain_rate());
  std::fflush(stdout);
}

inline void print_throughput_summary(const std::string& benchmark, const ThroughputResult& r,
                                     double target_rate, int runs) {
  char details[200];
  std::snprintf(details, sizeof details,
                "%s records, engine %.3f s; plain loop %s rec/s; engine/plain %.3f; median of %d",
                human(static_cast<double>(r.records)).c_str(), r.engine_seconds,
                human(r.plain_rate()).c_str(), r.engine_rate() / r.plain_rate(), runs);
  print_summary(benchmark, human(r.engine_rate()) + " rec/s", ">= " + human(target_rate) + " rec/s",
                r.engine_rate() >= target_rate, details);
}

struct EngineRun {
  double seconds = 0;  // wall time around env.execute()
  Totals totals;       // the job's accumulators
};

// Runs the engine job and the plain loop `runs` times each, alternating so that both see the
// same machine, checks that they agree every time, and returns the medians.
// engine() -> EngineRun; plain() -> Totals.
template <class Engine, class Plain>
ThroughputResult measure_throughput(const std::string& name, int64_t records, int runs,
                                    Engine&& engine, Plain&& plain) {
  std::vector<double> engine_seconds, plain_seconds;
  for (int i = 0; i < runs; ++i) {
    EngineRun run = engine();
    Totals expected;
    plain_seconds.push_back(seconds_of([&] { expected = plain(); }));
    engine_seconds.push_back(run.seconds);
    check_totals(name, run.totals, expected);
    std::printf("  %s run %d/%d: engine %.3f s (%s rec/s), plain loop %.3f s (%s rec/s)\n",
                name.c_str(), i + 1, runs, run.seconds, human(records / run.seconds).c_str(),
                plain_seconds.back(), human(records / plain_seconds.back()).c_str());
    std::fflush(stdout);
  }
  return {name, records, median(engine_seconds), median(plain_seconds)};
}

// ---- memory ----

struct MemoryStatus {
  int64_t rss_kib = 0;   // VmRSS: resident now
  int64_t peak_kib = 0;  // VmHWM: the highest VmRSS of the process so far
};

inline MemoryStatus read_memory_status() {
  MemoryStatus status;
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> status.rss_kib;
    } else if (key == "VmHWM:") {
      in >> status.peak_kib;
    }
    in.ignore(1 << 20, '\n');
  }
  return status;
}

inline double mib(int64_t kib) {
  return kib / 1024.0;
}

// How far a job got: records done, and records produced but not yet done.
struct Progress {
  int64_t done = 0;
  int64_t in_flight = 0;
};

// Samples memory and the job's progress every `period` on a side thread until stop().
class MemorySampler {
 public:
  struct Sample {
    double seconds;  // since the sampler started
    Progress progress;
    MemoryStatus memory;
  };

  MemorySampler(std::function<Progress()> progress, std::chrono::milliseconds period)
      : progress_(std::move(progress)), period_(period), start_(Clock::now()) {
    thread_ = std::thread([this] { run(); });
  }
  ~MemorySampler() { stop(); }

  void stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  // REQUIRES: stop() was called.
  const std::vector<Sample>& samples() const { return samples_; }

  // The first sample with at least `done` records done; the last sample if none has.
  // REQUIRES: stop() was called (so there is at least one sample).
  const Sample& first_reaching(int64_t done) const {
    for (const Sample& s : samples_) {
      if (s.progress.done >= done) return s;
    }
    return samples_.back();
  }

 private:
  void run() {
    do {
      take_sample();
      std::this_thread::sleep_for(period_);
    } while (!stopping_.load());
    take_sample();
  }
  void take_sample() {
    samples_.push_back({std::chrono::duration<double>(Clock::now() - start_).count(), progress_(),
                        read_memory_status()});
  }

  std::function<Progress()> progress_;
  std::chrono::milliseconds period_;
  Clock::time_point start_;
  std::atomic<bool> stopping_{false};
  std::vector<Sample> samples_;  // written by thread_ only until stop() joins it
  std::thread thread_;
};

}  // namespace eddy::bench
