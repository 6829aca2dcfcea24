#include "eddy/core/restart_strategies.h"

#include "eddy/core/configuration.h"
#include "eddy/core/exceptions.h"
#include "eddy/core/java_number_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace eddy {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("Invalid restart strategy: " + what);
}

}  // namespace

std::string RestartStrategyConfiguration::describe() const {
  switch (kind) {
    case Kind::kNone:
      return "NoRestartBackoffTimeStrategy";
    case Kind::kFixedDelay:
      return fmt::format(
          "FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts={}, "
          "backoffTimeMS={})",
          restart_attempts, delay_ms);
    case Kind::kFailureRate:
      return fmt::format(
          "FailureRateRestartBackoffTimeStrategy(failuresIntervalMS={}, "
          "backoffTimeMS={}, maxFailuresPerInterval={})",
          failure_interval_ms, delay_ms, max_failures_per_interval);
    case Kind::kExponentialDelay:
      return fmt::format(
          "ExponentialDelayRestartBackoffTimeStrategy(initialBackoffMS={}, "
          "maxBackoffMS={}, backoffMultiplier={}, resetBackoffThresholdMS={}, "
          "jitterFactor={})",
          initial_backoff_ms, max_backoff_ms, java_double_to_string(backoff_multiplier),
          reset_backoff_threshold_ms, java_double_to_string(jitter_factor));
  }
  return "unknown restart strategy";
}

RestartStrategyConfiguration RestartStrategies::no_restart() {
  return {};
}

RestartStrategyConfiguration RestartStrategies::fixed_delay_restart(int restart_attempts,
                                                                    int64_t delay_ms) {
  require(restart_attempts >= 0,
          fmt::format("restart attempts must be >= 0, got {}", restart_attempts));
  require(delay_ms >= 0, fmt::format("delay must be >= 0 ms, got {}", delay_ms));
  RestartStrategyConfiguration c;
  c.kind = RestartStrategyConfiguration::Kind::kFixedDelay;
  c.restart_attempts = restart_attempts;
  c.delay_ms = delay_ms;
  return c;
}

RestartStrategyConfiguration RestartStrategies::failure_rate_restart(int failure_rate,
                                                                     int64_t failure_interval_ms,
                                                                     int64_t delay_ms) {
  require(failure_rate >= 1, fmt::format("failure rate must be >= 1, got {}", failure_rate));
  require(failure_interval_ms > 0,
          fmt::format("failure interval must be > 0 ms, got {}", failure_interval_ms));
  require(delay_ms >= 0, fmt::format("delay must be >= 0 ms, got {}", delay_ms));
  RestartStrategyConfiguration c;
  c.kind = RestartStrategyConfiguration::Kind::kFailureRate;
  c.max_failures_per_interval = failure_rate;
  c.failure_interval_ms = failure_interval_ms;
  c.delay_ms = delay_ms;
  return c;
}

RestartStrategyConfiguration RestartStrategies::exponential_delay_restart(
    int64_t initial_backoff_ms, int64_t max_backoff_ms, double backoff_multiplier,
    int64_t reset_backoff_threshold_ms, double jitter_factor) {
  require(initial_backoff_ms >= 1,
          fmt::format("initial backoff must be >= 1 ms, got {}", initial_backoff_ms));
  require(max_backoff_ms >= initial_backoff_ms,
          fmt::format("max backoff ({} ms) must be >= initial backoff ({} ms)", max_backoff_ms,
                      initial_backoff_ms));
  require(backoff_multiplier >= 1.0,
          fmt::format("backoff multiplier must be >= 1, got {}", backoff_multiplier));
  require(
      reset_backoff_threshold_ms >= 1,
      fmt::format("reset backoff threshold must be >= 1 ms, got {}", reset_backoff_threshold_ms));
  require(jitter_factor >= 0.0 && jitter_factor <= 1.0,
          fmt::format("jitter factor must be within [0, 1], got {}", jitter_factor));
  RestartStrategyConfiguration c;
  c.kind = RestartStrategyConfiguration::Kind::kExponentialDelay;
  c.initial_backoff_ms = initial_backoff_ms;
  c.max_backoff_ms = max_backoff_ms;
  c.backoff_multiplier = backoff_multiplier;
  c.reset_backoff_threshold_ms = reset_backoff_threshold_ms;
  c.jitter_factor = jitter_factor;
  return c;
}

std::optional<RestartStrategyConfiguration> RestartStrategies::from_configuration(
    const Configuration& config) {
  const std::string type_key = "restart-strategy.type";
  const std::optional<std::string> type = config.get_string(type_key);
  if (!type) return std::nullopt;
  std::string t = *type;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Each value is checked here, where its key is known, so that the error names key and file;
  // the builders below check the same bounds for programs.
  auto require_key = [&](bool ok, const std::string& key, const std::string& what) {
    if (!ok) throw config.invalid_value(key, what);
  };
  if (t == "none" || t == "off" || t == "disable") return no_restart();
  if (t == "fixed-delay" || t == "fixeddelay") {
    const std::string p = "restart-strategy.fixed-delay.";
    const int attempts = config.get_integer(p + "attempts", 1);
    require_key(attempts >= 0, p + "attempts",
                fmt::format("restart attempts must be >= 0, got {}", attempts));
    return fixed_delay_restart(attempts, config.get_duration_ms(p + "delay", 1000));
  }
  if (t == "failure-rate" || t == "failurerate") {
    const std::string p = "restart-strategy.failure-rate.";
    const int failures = config.get_integer(p + "max-failures-per-interval", 1);
    require_key(failures >= 1, p + "max-failures-per-interval",
                fmt::format("failure rate must be >= 1, got {}", failures));
    const int64_t interval = config.get_duration_ms(p + "failure-rate-interval", 60'000);
    require_key(interval > 0, p + "failure-rate-interval",
                fmt::format("failure interval must be > 0 ms, got {}", interval));
    return failure_rate_restart(failures, interval, config.get_duration_ms(p + "delay", 1000));
  }
  if (t == "exponential-delay" || t == "exponentialdelay") {
    const std::string p = "restart-strategy.exponential-delay.";
    const int64_t initial = config.get_duration_ms(p + "initial-backoff", 1000);
    require_key(initial >= 1, p + "initial-backoff",
                fmt::format("initial backoff must be >= 1 ms, got {}", initial));
    const int64_t max = config.get_duration_ms(p + "max-backoff", 300'000);
    require_key(
        max >= initial, p + "max-backoff",
        fmt::format("max backoff ({} ms) must be >= initial backoff ({} ms)", max, initial));
    const double multiplier = config.get_double(p + "backoff-multiplier", 2.0);
    require_key(multiplier >= 1.0, p + "backoff-multiplier",
                "backoff multiplier must be >= 1, got " + java_double_to_string(multiplier));
    const int64_t reset = config.get_duration_ms(p + "reset-backoff-threshold", 3'600'000);
    require_key(reset >= 1, p + "reset-backoff-threshold",
                fmt::format("reset backoff threshold must be >= 1 ms, got {}", reset));
    const double jitter = config.get_double(p + "jitter-factor", 0.1);
    require_key(jitter >= 0.0 && jitter <= 1.0, p + "jitter-factor",
                "jitter factor must be within [0, 1], got " + java_double_to_string(jitter));
    return exponential_delay_restart(initial, max, multiplier, reset, jitter);
  }
  throw config.invalid_value(type_key, "'" + *type +
                                           "', expected none, fixed-delay, failure-rate or "
                                           "exponential-delay");
}

RestartBackoff::RestartBackoff(RestartStrategyConfiguration config)
    : config_(config), next_backoff_ms_(config.initial_backoff_ms) {}

void RestartBackoff::notify_failure(int64_t now_ms) {
  using Kind = RestartStrategyConfiguration::Kind;
  ++failures_;
  switch (config_.kind) {
    case Kind::kNone:
      break;
    case Kind::kFixedDelay:
      backoff_ms_ = config_.delay_ms;
      break;
    case Kind::kFailureRate:
      recent_failures_.push_back(now_ms);
      while (now_ms - recent_failures_.front() >= config_.failure_interval_ms) {
        recent_failures_.pop_front();
      }
      backoff_ms_ = config_.delay_ms;
      break;
    case Kind::kExponentialDelay: {
      // A job that ran long enough since its last failure starts from the initial backoff.
      if (failures_ > 1 && now_ms - last_failure_ms_ >= config_.reset_backoff_threshold_ms) {
        next_backoff_ms_ = config_.initial_backoff_ms;
      }
      const int64_t base = next_backoff_ms_;
      const auto jitter = static_cast<int64_t>(
          std::llround(static_cast<double>(base) * config_.jitter_factor *
                       std::uniform_real_distribution<double>(-1.0, 1.0)(jitter_rng_)));
      backoff_ms_ = std::max<int64_t>(0, base + jitter);
      next_backoff_ms_ = std::min<int64_t>(
          config_.max_backoff_ms,
          static_cast<int64_t>(static_cast<double>(base) * config_.backoff_multiplier));
      break;
    }
  }
  last_failure_ms_ = now_ms;
}

bool RestartBackoff::can_restart() const {
  using Kind = RestartStrategyConfiguration::Kind;
  switch (config_.kind) {
    case Kind::kNone:
      return false;
    case Kind::kFixedDelay:
      return failures_ <= config_.restart_attempts;
    case Kind::kFailureRate:
      return static_cast<int>(recent_failures_.size()) <= config_.max_failures_per_interval;
    case Kind::kExponentialDelay:
      return true;
  }
  return false;
}

}  // namespace eddy
