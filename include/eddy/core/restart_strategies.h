// Restart strategies: what the job master does when a task fails, with PyFlink's factory names.
//   env.set_restart_strategy(RestartStrategies::fixed_delay_restart(3, 10'000));
// A strategy is plain configuration; RestartBackoff (below) is its running state for one job.
// Durations are milliseconds.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>

namespace eddy {

class Configuration;

struct RestartStrategyConfiguration {
  enum class Kind { kNone, kFixedDelay, kFailureRate, kExponentialDelay };
  Kind kind = Kind::kNone;
  // fixed-delay
  int restart_attempts = 0;
  // fixed-delay and failure-rate
  int64_t delay_ms = 0;
  // failure-rate
  int max_failures_per_interval = 0;
  int64_t failure_interval_ms = 0;
  // exponential-delay
  int64_t initial_backoff_ms = 0;
  int64_t max_backoff_ms = 0;
  double backoff_multiplier = 2.0;
  int64_t reset_backoff_threshold_ms = 0;
  double jitter_factor = 0.0;

  // "FixedDelayRestartStrategy(maxNumberRestartAttempts=3, backoffTimeMS=10000)" and the like.
  std::string describe() const;
};

class RestartStrategies {
 public:
  // A failed task fails the job.
  static RestartStrategyConfiguration no_restart();
  // Restarts up to `restart_attempts` times, waiting `delay_ms` before each restart.
  static RestartStrategyConfiguration fixed_delay_restart(int restart_attempts, int64_t delay_ms);
  // Restarts unless more than `failure_rate` failures happened within `failure_interval_ms`;
  // waits `delay_ms` before each restart.
  static RestartStrategyConfiguration failure_rate_restart(int failure_rate,
                                                           int64_t failure_interval_ms,
                                                           int64_t delay_ms);
  // Restarts forever, waiting initial_backoff_ms, then multiplier times longer after each
  // failure up to max_backoff_ms; a job that ran reset_backoff_threshold_ms without failing
  // starts again from initial_backoff_ms. Each wait varies by ± jitter_factor of itself.
  static RestartStrategyConfiguration exponential_delay_restart(int64_t initial_backoff_ms,
                                                                int64_t max_backoff_ms,
                                                                double backoff_multiplier,
                                                                int64_t reset_backoff_threshold_ms,
                                                                double jitter_factor);
  // The strategy that Flink's keys describe ("restart-strategy.type": none | fixed-delay |
  // failure-rate | exponential-delay, with their "restart-strategy.<type>.*" parameters and
  // Flink's defaults); nothing when the type is not set. Throws ConfigurationException for an
  // unknown type or a bad parameter.
  static std::optional<RestartStrategyConfiguration> from_configuration(
      const Configuration& config);
};

// The restart decisions of one job under a strategy. Not thread-safe.
class RestartBackoff {
 public:
  explicit RestartBackoff(RestartStrategyConfiguration config);

  // Records a failure at `now_ms` (a monotonic time); then can_restart() and backoff_ms() say
  // what to do about it.
  void notify_failure(int64_t now_ms);
  bool can_restart() const;
  int64_t backoff_ms() const { return backoff_ms_; }

 private:
  RestartStrategyConfiguration config_;
  int failures_ = 0;
  std::deque<int64_t> recent_failures_;  // failure-rate: failure times within the interval
  int64_t last_failure_ms_ = 0;
  int64_t next_backoff_ms_ = 0;  // exponential-delay: before jitter
  int64_t backoff_ms_ = 0;
  std::mt19937_64 jitter_rng_{0x5eed};
};

}  // namespace eddy
