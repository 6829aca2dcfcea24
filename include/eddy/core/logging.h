// Logging: one named logger per component ("eddy.config", "eddy.runtime.task"), all writing to
// stderr in the shape of Flink's log lines:
//
//   2026-12-04 16:12:31,123 WARN  eddy.config - Configuration key 'paralelism.default' ...
//
// One level applies to every logger: EDDY_LOG_LEVEL in the environment if set, else the key
// `log.level` (applied by configure_logging, which StreamExecutionEnvironment::configure calls),
// else info. set_log_level() in code overrides both.
//
// Threads: loggers may be used from any thread; a line is written whole. Loggers live for the
// whole process, so a Logger handle never dangles. The implementation (spdlog) stays behind this
// header: including it costs a job's build only fmt, which Eddy's headers use anyway.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace eddy {

class Configuration;

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };

class Logger {
 public:
  bool is_enabled(LogLevel level) const;

  template <class... Args>
  void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
    if (is_enabled(level)) write(level, fmt::format(format, std::forward<Args>(args)...));
  }
  template <class... Args>
  void trace(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::kTrace, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::kDebug, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::kInfo, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::kWarn, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) const {
    log(LogLevel::kError, format, std::forward<Args>(args)...);
  }

  // Writes `message` as one line if `level` is enabled.
  void write(LogLevel level, std::string_view message) const;
  const std::string& name() const;

  struct State;  // defined by the implementation

 private:
  friend Logger get_logger(std::string_view component);
  explicit Logger(const State* state) : state_(state) {}
  const State* state_;  // owned by the process-wide registry, never freed
};

// The logger named `component`, created on first use. Names are dotted, starting with "eddy."
// and the layer: "eddy.config", "eddy.runtime.task", "eddy.checkpoint".
Logger get_logger(std::string_view component);

void set_log_level(LogLevel level);
LogLevel get_log_level();
// "trace", "debug", "info", "warn" (or "warning"), "error", "off", in any case.
std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);  // "TRACE", ..., "OFF"

// Applies `log.level` from `config` unless EDDY_LOG_LEVEL is set. Throws ConfigurationException
// naming the key and its file for an unknown level.
void configure_logging(const Configuration& config);

}  // namespace eddy
