// Configuration: YAML files shaped like Flink's conf/config.yaml, typed getters, durations, and
// errors that name the key, the value and the file.
#include "eddy/core/configuration.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <set>

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
            "Could not parse value 'four' for key 'parallelism.default' (in conf/config.yaml, "
            "line 1): expected an integer");
  EXPECT_EQ(error_of([&] { RestartStrategies::from_configuration(config); }),
            "Invalid value for key 'restart-strategy.type' (in conf/config.yaml, line 2): "
            "'sometimes', expected none, fixed-delay, failure-rate or exponential-delay");
}

TEST(ConfigurationTest, BadRestartValuesNameKeyAndFile) {
  const Configuration negative = Configuration::from_yaml(
      "restart-strategy:\n  type: fixed-delay\n  fixed-delay:\n    attempts: -2\n",
      "conf/config.yaml");
  EXPECT_EQ(error_of([&] { RestartStrategies::from_configuration(negative); }),
            "Invalid value for key 'restart-strategy.fixed-delay.attempts' (in conf/config.yaml, "
            "line 4): restart attempts must be >= 0, got -2");
  const Configuration jitter = Configuration::from_yaml(
      "restart-strategy.type: exponential-delay\n"
      "restart-strategy.exponential-delay.jitter-factor: 1.5\n",
      "job.yaml");
  EXPECT_EQ(error_of([&] { RestartStrategies::from_configuration(jitter); }),
            "Invalid value for key 'restart-strategy.exponential-delay.jitter-factor' (in "
            "job.yaml, line 2): jitter factor must be within [0, 1], got 1.5");
  // Set in code, a key has no file to name.
  Configuration in_code;
  in_code.set_string("restart-strategy.type", "failure-rate")
      .set_integer("restart-strategy.failure-rate.max-failures-per-interval", 0);
  EXPECT_EQ(error_of([&] { RestartStrategies::from_configuration(in_code); }),
            "Invalid value for key 'restart-strategy.failure-rate.max-failures-per-interval': "
            "failure rate must be >= 1, got 0");
}

TEST(ConfigurationTest, TypedSettersAndGettersAsPyFlinks) {
  Configuration config;
  config.set_integer("parallelism.default", 4)
      .set_long("big", int64_t{1} << 40)
      .set_boolean("flag", true)
      .set_float("ratio", 0.1f)
      .set_double("factor", 1e-5)
      .set_string("name", "job");
  EXPECT_EQ(config.get_integer("parallelism.default", 1), 4);
  EXPECT_EQ(config.get_long("big", 0), int64_t{1} << 40);
  EXPECT_TRUE(config.get_boolean("flag", false));
  EXPECT_EQ(config.get_float("ratio", 0), 0.1f);
  EXPECT_EQ(config.get_double("factor", 0), 1e-5);
  EXPECT_EQ(config.get_string("name", "x"), "job");
  // Values are kept as text, in Java's notation.
  EXPECT_EQ(config.to_map().at("ratio"), "0.1");
  EXPECT_EQ(config.to_map().at("factor"), "1.0E-5");
  EXPECT_EQ(config.to_map().at("flag"), "true");
  // Absent keys give the defaults.
  EXPECT_EQ(config.get_string("absent", "fallback"), "fallback");
  EXPECT_EQ(config.get_integer("absent", -3), -3);
  EXPECT_EQ(config.get_long("absent", 7), 7);
  EXPECT_EQ(config.get_float("absent", 2.5f), 2.5f);
  EXPECT_EQ(config.get_double("absent", 0.25), 0.25);
  EXPECT_FALSE(config.get_boolean("absent", false));

  EXPECT_TRUE(config.contains_key("name"));
  EXPECT_TRUE(config.remove_config("name"));
  EXPECT_FALSE(config.contains_key("name"));
  EXPECT_FALSE(config.remove_config("name"));
  EXPECT_EQ(config.key_set(),
            (std::set<std::string>{"big", "factor", "flag", "parallelism.default", "ratio"}));

  // add_all copies values and origins; a later set_* in code drops the origin.
  Configuration merged = Configuration::from_yaml("a: 1\nb: 2\n", "base.yaml");
  merged.add_all(config);
  EXPECT_EQ(merged.key_set().size(), 7u);
  EXPECT_EQ(merged.origin("b"), "base.yaml, line 2");
  EXPECT_EQ(merged.origin("flag"), "");
  merged.set_integer("b", 3);
  EXPECT_EQ(merged.origin("b"), "");
  EXPECT_EQ(merged.get_integer("b", 0), 3);
}

TEST(ConfigurationTest, NumbersOutOfRangeAreErrorsNamingKeyAndFile) {
  const Configuration config = Configuration::from_yaml(
      "parallelism.default: 99999999999\n"
      "a: 4294967297\n"
      "b: -2147483649\n"
      "c: 2147483647\n"
      "d: 99999999999999999999\n"
      "e: +12\n"
      "f: 1e39\n"
      "g: 1e400\n",
      "conf/config.yaml");
  EXPECT_EQ(error_of([&] { config.get_integer("parallelism.default", 1); }),
            "Could not parse value '99999999999' for key 'parallelism.default' (in "
            "conf/config.yaml, line 1): expected an integer from -2147483648 to 2147483647");
  EXPECT_NE(error_of([&] { config.get_integer("a", 1); })
                .find("'4294967297' for key 'a' (in conf/config.yaml, line 2): expected an "
                      "integer from"),
            std::string::npos);
  EXPECT_NE(error_of([&] { config.get_integer("b", 1); }).find("key 'b'"), std::string::npos);
  EXPECT_EQ(config.get_integer("c", 1), 2147483647);
  EXPECT_EQ(config.get_long("a", 1), 4294967297);
  EXPECT_NE(error_of([&] {
              config.get_integer("d", 1);
            }).find("key 'd' (in conf/config.yaml, line 5): expected an integer from"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              config.get_long("d", 1);
            }).find("expected an integer from -9223372036854775808 to 9223372036854775807"),
            std::string::npos);
  EXPECT_EQ(config.get_integer("e", 0), 12);
  EXPECT_NE(error_of([&] { config.get_float("f", 0); }).find("key 'f'"), std::string::npos);
  EXPECT_EQ(config.get_double("f", 0), 1e39);
  EXPECT_NE(error_of([&] { config.get_double("g", 0); }).find("key 'g'"), std::string::npos);
}

TEST(ConfigurationTest, DurationsNeverWrap) {
  const Configuration config = Configuration::from_yaml(
      "execution.checkpointing.interval: 213503982335 d\n"
      "a: 106751991167 d\n"
      "b: 106751991168 d\n"
      "c: 99999999999999999999 ms\n",
      "conf/config.yaml");
  EXPECT_EQ(error_of([&] { config.get_duration_ms("execution.checkpointing.interval", 0); }),
            "Could not parse value '213503982335 d' for key 'execution.checkpointing.interval' "
            "(in conf/config.yaml, line 1): expected a duration of at most "
            "9223372036854775807 ms (about 106751991167 d)");
  // The largest number of days that fits in int64 milliseconds, and one more.
  EXPECT_EQ(config.get_duration_ms("a", 0), int64_t{106751991167} * 86'400'000);
  EXPECT_NE(error_of([&] { config.get_duration_ms("b", 0); }).find("key 'b'"), std::string::npos);
  EXPECT_NE(error_of([&] { config.get_duration_ms("c", 0); }).find("at most"), std::string::npos);
  EXPECT_FALSE(parse_duration_ms("213503982335 d"));
}

TEST(ConfigurationTest, MalformedYamlAndMissingFilesAreReportedWithTheirPlace) {
  const std::string malformed =
      error_of([] { Configuration::from_yaml("a: 1\nb: [unclosed\n", "conf/config.yaml"); });
  EXPECT_EQ(malformed.rfind("conf/config.yaml: line ", 0), 0u) << malformed;
  EXPECT_EQ(error_of([] { Configuration::from_yaml("- just\n- a list\n", "x.yaml"); }),
            "x.yaml: expected a map of settings at the top level");
  EXPECT_EQ(error_of([] { Configuration::from_yaml_file("/nonexistent/config.yaml"); }),
            "Cannot read the configuration file /nonexistent/config.yaml: No such file or "
            "directory");
  const std::string directory = ::testing::TempDir();
  EXPECT_EQ(error_of([&] { Configuration::from_yaml_file(directory); }),
            "Cannot read the configuration file " + directory + ": it is a directory");
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
