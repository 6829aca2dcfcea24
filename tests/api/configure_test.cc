// StreamExecutionEnvironment::configure with Flink's keys: typed values set in code, numbers out
// of range refused with the key and the file (never truncated, wrapped or left to hang the job),
// keys nothing reads reported through the log, and from_sequence's bounds checked at the call.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <numeric>

#include "core/internal/log_capture.h"
#include "eddy/core/config_options.h"
#include "eddy/eddy.h"
#include "support/temp_dir.h"

namespace eddy {
namespace {

std::string configure_error(const std::string& yaml) {
  try {
    StreamExecutionEnvironment::get_execution_environment().configure(
        Configuration::from_yaml(yaml, "conf/config.yaml"));
  } catch (const ConfigurationException& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigureTest, TypedSettersConfigureTheEnvironment) {
  Configuration config;
  config.set_integer("parallelism.default", 3)
      .set_boolean("pipeline.operator-chaining.enabled", false)
      .set_long("pipeline.max-parallelism", 256);
  auto env = StreamExecutionEnvironment::get_execution_environment(config);
  EXPECT_EQ(env.get_parallelism(), 3);
  EXPECT_EQ(env.get_max_parallelism(), 256);
  EXPECT_FALSE(env.is_chaining_enabled());
}

TEST(ConfigureTest, ParallelismOutOfRangeNamesKeyAndFile) {
  EXPECT_EQ(configure_error("parallelism.default: 99999999999"),
            "Could not parse value '99999999999' for key 'parallelism.default' (in "
            "conf/config.yaml, line 1): expected an integer from -2147483648 to 2147483647");
  EXPECT_NE(configure_error("parallelism.default: 4294967297")
                .find("'4294967297' for key 'parallelism.default' (in conf/config.yaml, line 1)"),
            std::string::npos);
  EXPECT_EQ(configure_error("parallelism.default: 40000"),
            "Invalid value for key 'parallelism.default' (in conf/config.yaml, line 1): the "
            "parallelism must be in [1, 32768], not 40000");
  EXPECT_EQ(configure_error("pipeline.max-parallelism: 65536"),
            "Invalid value for key 'pipeline.max-parallelism' (in conf/config.yaml, line 1): the "
            "max parallelism must be in [1, 32768], not 65536");
  EXPECT_EQ(configure_error("execution.checkpointing.interval: 213503982335 d"),
            "Could not parse value '213503982335 d' for key 'execution.checkpointing.interval' "
            "(in conf/config.yaml, line 1): expected a duration of at most "
            "9223372036854775807 ms (about 106751991167 d)");
}

TEST(ConfigureTest, ParallelismOutOfRangeInCodeFailsAtOnce) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  EXPECT_THROW(env.set_parallelism(800000000), InvalidProgramException);
  EXPECT_THROW(env.set_parallelism(32769), InvalidProgramException);
  env.set_parallelism(32768);
  EXPECT_EQ(env.get_parallelism(), 32768);
  // An operator's own parallelism beyond the highest max parallelism is refused when the graph
  // is built (it used to loop forever computing the default max parallelism).
  env.set_parallelism(1);
  env.from_sequence(1, 10).map([](int64_t x) { return x; }).set_parallelism(800000000).print();
  try {
    env.get_execution_plan();
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_NE(std::string(e.what()).find("800000000"), std::string::npos) << e.what();
  }
}

TEST(ConfigureTest, DefaultMaxParallelismNeverOverflows) {
  for (int parallelism : {1, 85, 86, 21845, 21846, 800000000, std::numeric_limits<int>::max()}) {
    // Independent computation: the smallest power of two >= 1.5 x parallelism, in [128, 32768].
    const int64_t target = int64_t{parallelism} + parallelism / 2;
    int64_t expected = 1;
    while (expected < target) expected *= 2;
    expected = std::clamp<int64_t>(expected, 128, 32768);
    EXPECT_EQ(compute_default_max_parallelism(parallelism), expected) << parallelism;
  }
}

TEST(ConfigureTest, ADirectoryIsNotAConfigurationFile) {
  testing::TempDir dir("configure-test");
  try {
    Configuration::from_yaml_file(dir.path.string());
    FAIL() << "expected ConfigurationException";
  } catch (const ConfigurationException& e) {
    EXPECT_EQ(std::string(e.what()),
              "Cannot read the configuration file " + dir.path.string() + ": it is a directory");
  }
}

TEST(ConfigureTest, NegativeRestartAttemptsNameKeyAndFile) {
  testing::TempDir dir("configure-test");
  const std::string path = (dir.path / "config.yaml").string();
  std::ofstream(path) << "restart-strategy:\n  type: fixed-delay\n  fixed-delay:\n"
                         "    attempts: -1\n";
  auto env = StreamExecutionEnvironment::get_execution_environment();
  try {
    env.configure(Configuration::from_yaml_file(path));
    FAIL() << "expected ConfigurationException";
  } catch (const ConfigurationException& e) {
    EXPECT_EQ(std::string(e.what()),
              "Invalid value for key 'restart-strategy.fixed-delay.attempts' (in " + path +
                  ", line 4): restart attempts must be >= 0, got -1");
  }
}

TEST(ConfigureTest, FromSequenceWithStartAfterEndIsRefused) {
  auto env = StreamExecutionEnvironment::get_execution_environment();
  try {
    env.from_sequence(10, 1);
    FAIL() << "expected InvalidProgramException";
  } catch (const InvalidProgramException& e) {
    EXPECT_STREQ(e.what(),
                 "from_sequence(10, 1): the start of the sequence must not be greater than its "
                 "end");
  }
  // One element is fine.
  env.set_parallelism(2);
  EXPECT_EQ(env.from_sequence(5, 5).execute_and_collect("one", 10), std::vector<int64_t>{5});
}

TEST(ConfigureTest, RemoteTargetIsReportedAndTheJobRunsEmbedded) {
  logging_internal::LogCapture capture;
  auto env = StreamExecutionEnvironment::get_execution_environment(Configuration::from_yaml(
      "execution.target: remote\nrest.address: jobmanager.example\nparallelism.default: 2\n",
      "conf/config.yaml"));
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("WARN  eddy.config - Configuration key 'execution.target' (in "
                          "conf/config.yaml, line 1): execution.target 'remote' is not "
                          "supported yet; the job runs on the embedded mini-cluster"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("'rest.address' (in conf/config.yaml, line 2) is a Flink setting that "
                          "Eddy does not support yet"),
            std::string::npos)
      << lines[1];
  auto out = env.from_sequence(1, 100).execute_and_collect("embedded", 1000);
  std::sort(out.begin(), out.end());
  std::vector<int64_t> expected(100);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(out, expected);
}

TEST(ConfigureTest, EveryRegisteredDefaultIsAcceptedWithoutWarnings) {
  Configuration config;
  int set = 0;
  for (const ConfigOption& option : config_options()) {
    // Skip keys without a default, and defaults that describe rather than state a value.
    const std::string_view value = option.default_value;
    if (value.empty() || (value.find(' ') != std::string_view::npos &&
                          !std::isdigit(static_cast<unsigned char>(value[0])))) {
      continue;
    }
    config.set_string(std::string(option.key), std::string(option.default_value));
    ++set;
  }
  EXPECT_GT(set, 25);
  logging_internal::LogCapture capture;
  auto env = StreamExecutionEnvironment::get_execution_environment(config);
  EXPECT_EQ(capture.lines(), std::vector<std::string>{});
  EXPECT_EQ(env.get_buffer_timeout(), 100);
  EXPECT_EQ(env.get_auto_watermark_interval(), 200);
}

}  // namespace
}  // namespace eddy
