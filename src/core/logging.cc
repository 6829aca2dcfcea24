#include "eddy/core/logging.h"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "core/internal/log_capture.h"
#include "eddy/core/configuration.h"

namespace eddy {

struct Logger::State {
  std::string name;
  std::shared_ptr<spdlog::logger> logger;
};

namespace {

constexpr const char* kLevelKey = "log.level";
constexpr const char* kLevelVariable = "EDDY_LOG_LEVEL";

// Flink's level names, padded to five characters as log4j's %-5p does.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name = "INFO ";
    switch (msg.level) {
      case spdlog::level::trace:
        name = "TRACE";
        break;
      case spdlog::level::debug:
        name = "DEBUG";
        break;
      case spdlog::level::warn:
        name = "WARN ";
        break;
      case spdlog::level::err:
      case spdlog::level::critical:
        name = "ERROR";
        break;
      default:
        break;
    }
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S,%e %* %n - %v");
  return formatter;
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      break;
  }
  return spdlog::level::off;
}

// The process-wide registry. Loggers are never removed, so Logger handles stay valid.
class Registry {
 public:
  static Registry& instance() {
    static Registry* registry = new Registry();  // never destroyed: loggers outlive statics
    return *registry;
  }

  const Logger::State* get(std::string_view name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = loggers_.find(name);
    if (it != loggers_.end()) return it->second.get();
    auto state = std::make_unique<Logger::State>();
    state->name = std::string(name);
    state->logger = std::make_shared<spdlog::logger>(state->name, sinks_);
    state->logger->set_level(spdlog::level::trace);  // the level check is ours, see is_enabled
    const Logger::State* result = state.get();
    loggers_.emplace(state->name, std::move(state));
    return result;
  }

  void add_sink(std::shared_ptr<spdlog::sinks::sink> sink) {
    sink->set_formatter(make_formatter());
    sinks_->add_sink(std::move(sink));
  }
  void remove_sink(const std::shared_ptr<spdlog::sinks::sink>& sink) { sinks_->remove_sink(sink); }

  std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  bool level_from_environment = false;  // written by the constructor only

 private:
  Registry() : sinks_(std::make_shared<spdlog::sinks::dist_sink_mt>()) {
    add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    const char* variable = std::getenv(kLevelVariable);
    if (variable == nullptr || *variable == '\0') return;
    if (auto parsed = parse_log_level(variable)) {
      level = static_cast<int>(*parsed);
      level_from_environment = true;
    } else {
      get("eddy.config")
          ->logger->warn(
              "{} '{}' is not a log level (trace, debug, info, warn, error, off); "
              "using info",
              kLevelVariable, variable);
    }
  }

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Logger::State>, std::less<>> loggers_;  // GUARDED_BY(mu_)
  std::shared_ptr<spdlog::sinks::dist_sink_mt> sinks_;
};

Registry& registry() {
  return Registry::instance();
}

}  // namespace

bool Logger::is_enabled(LogLevel level) const {
  return level != LogLevel::kOff &&
         static_cast<int>(level) >= registry().level.load(std::memory_order_relaxed);
}

void Logger::write(LogLevel level, std::string_view message) const {
  if (!is_enabled(level)) return;
  state_->logger->log(to_spdlog(level), message);
}

const std::string& Logger::name() const {
  return state_->name;
}

Logger get_logger(std::string_view component) {
  return Logger(Registry::instance().get(component));
}

void set_log_level(LogLevel level) {
  registry().level.store(static_cast<int>(level));
}

LogLevel get_log_level() {
  return static_cast<LogLevel>(registry().level.load());
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (n == "trace") return LogLevel::kTrace;
  if (n == "debug") return LogLevel::kDebug;
  if (n == "info") return LogLevel::kInfo;
  if (n == "warn" || n == "warning") return LogLevel::kWarn;
  if (n == "error") return LogLevel::kError;
  if (n == "off") return LogLevel::kOff;
  return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "TRACE";
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kOff:
      break;
  }
  return "OFF";
}

void configure_logging(const Configuration& config) {
  auto value = config.get_string(kLevelKey);
  if (!value) return;
  auto level = parse_log_level(*value);
  if (!level) {
    throw config.invalid_value(kLevelKey,
                               "'" + *value + "', expected trace, debug, info, warn, error or off");
  }
  if (registry().level_from_environment) {
    get_logger("eddy.config")
        .debug("{} {} is not applied: {} is set", kLevelKey, *value, kLevelVariable);
    return;
  }
  set_log_level(*level);
}

namespace logging_internal {

struct LogCapture::Sink final : spdlog::sinks::base_sink<std::mutex> {
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line(formatted.data(), formatted.size());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    lines.push_back(std::move(line));
  }
  void flush_() override {}
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines;
  }
  std::vector<std::string> lines;  // GUARDED_BY(mutex_)
};

LogCapture::LogCapture() : sink_(std::make_shared<Sink>()) {
  registry().add_sink(sink_);
}

LogCapture::~LogCapture() {
  registry().remove_sink(sink_);
}

std::vector<std::string> LogCapture::lines() const {
  return sink_->snapshot();
}

}  // namespace logging_internal
}  // namespace eddy
