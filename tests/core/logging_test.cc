// Logging: Flink-shaped lines (timestamp, level, component), one level for every logger, set
// from log.level unless EDDY_LOG_LEVEL is set.
#include "eddy/core/logging.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "core/internal/log_capture.h"
#include "eddy/core/configuration.h"
#include "eddy/core/exceptions.h"

namespace eddy {
namespace {

// Restores the process-wide level after each test.
class LoggingTest : public ::testing::Test {
 protected:
  void TearDown() override { set_log_level(saved_); }
  LogLevel saved_ = get_log_level();
};

TEST_F(LoggingTest, LinesLookLikeFlinks) {
  set_log_level(LogLevel::kInfo);
  logging_internal::LogCapture capture;
  const Logger logger = get_logger("eddy.test");
  EXPECT_EQ(logger.name(), "eddy.test");
  logger.info("restarting job {} ({} of {})", "wordcount", 2, 3);
  logger.warn("checkpoint {} skipped", 7);
  logger.error("failed");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 3u);
  const std::regex shape(
      R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (INFO |WARN |ERROR) eddy\.test - .*)");
  for (const auto& line : lines) EXPECT_TRUE(std::regex_match(line, shape)) << line;
  EXPECT_NE(lines[0].find("INFO  eddy.test - restarting job wordcount (2 of 3)"),
            std::string::npos);
  EXPECT_NE(lines[1].find("WARN  eddy.test - checkpoint 7 skipped"), std::string::npos);
  EXPECT_NE(lines[2].find("ERROR eddy.test - failed"), std::string::npos);
}

TEST_F(LoggingTest, LevelFiltersEveryLogger) {
  logging_internal::LogCapture capture;
  set_log_level(LogLevel::kWarn);
  const Logger a = get_logger("eddy.a");
  const Logger b = get_logger("eddy.b");
  EXPECT_FALSE(a.is_enabled(LogLevel::kInfo));
  EXPECT_TRUE(b.is_enabled(LogLevel::kError));
  a.info("hidden");
  b.debug("hidden");
  b.warn("shown");
  set_log_level(LogLevel::kOff);
  a.error("hidden");
  set_log_level(LogLevel::kTrace);
  a.trace("traced");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("WARN  eddy.b - shown"), std::string::npos);
  EXPECT_NE(lines[1].find("TRACE eddy.a - traced"), std::string::npos);
}

TEST_F(LoggingTest, LevelNames) {
  EXPECT_EQ(parse_log_level("INFO"), LogLevel::kInfo);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::kWarn);
  EXPECT_EQ(parse_log_level("Debug"), LogLevel::kDebug);
  EXPECT_EQ(parse_log_level("off"), LogLevel::kOff);
  EXPECT_FALSE(parse_log_level("loud"));
  EXPECT_EQ(log_level_name(LogLevel::kError), "ERROR");
}

TEST_F(LoggingTest, LevelFromConfigurationUnlessTheEnvironmentSetsIt) {
  const bool from_environment = std::getenv("EDDY_LOG_LEVEL") != nullptr;
  set_log_level(LogLevel::kInfo);
  configure_logging(Configuration::from_yaml("log.level: error"));
  EXPECT_EQ(get_log_level(), from_environment ? LogLevel::kInfo : LogLevel::kError);
  try {
    configure_logging(Configuration::from_yaml("log.level: loud", "conf/config.yaml"));
    FAIL() << "expected ConfigurationException";
  } catch (const ConfigurationException& e) {
    EXPECT_STREQ(e.what(),
                 "Invalid value for key 'log.level' (in conf/config.yaml, line 1): 'loud', "
                 "expected trace, debug, info, warn, error or off");
  }
}

}  // namespace
}  // namespace eddy
