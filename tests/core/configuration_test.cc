// Configuration: YAML files shaped like Flink's conf/config.yaml, typed getters, durations, and
// errors that name the key, the value and the file.
#include "eddy/core/configuration.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "eddy/core/exceptions.h"
#include "eddy/core/restart_strategies.h"

namespace eddy {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigurationException& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigurationTest, NestedMapsAndDottedKeysFlattenAlike) {
  const Configuration config = Configuration::from_yaml(R"(
parallelism.default: 4
restart-strategy:
  type: fixed-delay
  fixed-delay:
    attempts: 3
    delay: 10 s
pipeline:
  auto-watermark-interval: 50 ms
  operator-chaining.enabled: false
)");
  EXPECT_EQ(config.get_integer("parallelism.default", 1), 4);
  EXPECT_EQ(config.get_string("restart-strategy.type"), "fixed-delay");
  EXPECT_EQ(config.get_integer("restart-strategy.fixed-delay.attempts", 0), 3);
  EXPECT_EQ(config.get_duration_ms("restart-strategy.fixed-delay.delay", 0), 10'000);
  EXPECT_EQ(config.get_duration_ms("pipeline.auto-watermark-interval", 0), 50);
  EXPECT_FALSE(config.get_boolean("pipeline.operator-chaining.enabled", true));
  EXPECT_EQ(config.get_integer("absent", 7), 7);
  auto strategy = RestartStrategies::from_configuration(config);
  ASSERT_TRUE(strategy);
  EXPECT_EQ(strategy->describe(), RestartStrategies::fixed_delay_restart(3, 10'000).describe());
}

TEST(ConfigurationTest, DurationsInFlinkNotation) {
  EXPECT_EQ(parse_duration_ms("250"), 250);
  EXPECT_EQ(parse_duration_ms("250 ms"), 250);
  EXPECT_EQ(parse_duration_ms("10s"), 10'000);
  EXPECT_EQ(parse_duration_ms("1 min"), 60'000);
  EXPECT_EQ(parse_duration_ms("2 h"), 7'200'000);
  EXPECT_EQ(parse_duration_ms("1 d"), 86'400'000);
  EXPECT_EQ(parse_duration_ms("3 Seconds"), 3'000);
  EXPECT_FALSE(parse_duration_ms("ten s"));
  EXPECT_FALSE(parse_duration_ms("10 parsecs"));
  EXPECT_FALSE(parse_duration_ms("-5 s"));
}

TEST(ConfigurationTest, BadValuesNameKeyValueAndSource) {
  const Configuration config = Configuration::from_yaml(
      "parallelism.default: four\nrestart-strategy.type: sometimes\n", "conf/config.yaml");
  EXPECT_EQ(error_of([&] { config.get_integer("parallelism.default", 1); }),
            "Could not parse value 'four' for key 'parallelism.default' (in conf/config.yaml): "
            "expected an integer");
  EXPECT_EQ(error_of([&] { RestartStrategies::from_configuration(config); }),
            "Unknown restart-strategy.type 'sometimes': expected none, fixed-delay, "
            "failure-rate or exponential-delay");
  const Configuration negative = Configuration::from_yaml(
      "restart-strategy.type: fixed-delay\nrestart-strategy.fixed-delay.attempts: -2\n");
  EXPECT_NE(error_of([&] {
              RestartStrategies::from_configuration(negative);
            }).find("restart attempts must be >= 0, got -2"),
            std::string::npos);
}

TEST(ConfigurationTest, MalformedYamlAndMissingFilesAreReportedWithTheirPlace) {
  const std::string malformed =
      error_of([] { Configuration::from_yaml("a: 1\nb: [unclosed\n", "conf/config.yaml"); });
  EXPECT_EQ(malformed.rfind("conf/config.yaml: line ", 0), 0u) << malformed;
  EXPECT_EQ(error_of([] { Configuration::from_yaml("- just\n- a list\n", "x.yaml"); }),
            "x.yaml: expected a map of settings at the top level");
  EXPECT_EQ(error_of([] { Configuration::from_yaml_file("/nonexistent/config.yaml"); }),
            "Cannot read the configuration file /nonexistent/config.yaml");
}

TEST(ConfigurationTest, ReadsAFile) {
  const std::string path = ::testing::TempDir() + "/eddy-config-test.yaml";
  std::ofstream(path) << "restart-strategy:\n  type: exponential-delay\n";
  const Configuration config = Configuration::from_yaml_file(path);
  std::remove(path.c_str());
  auto strategy = RestartStrategies::from_configuration(config);
  ASSERT_TRUE(strategy);
  EXPECT_EQ(strategy->kind, RestartStrategyConfiguration::Kind::kExponentialDelay);
  EXPECT_EQ(strategy->initial_backoff_ms, 1000);
  EXPECT_EQ(strategy->max_backoff_ms, 300'000);
}

}  // namespace
}  // namespace eddy
