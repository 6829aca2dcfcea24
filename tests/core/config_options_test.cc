// The registry of configuration keys: keys nothing reads are reported (with the file and line,
// and a hint for near misses); the repository's conf/config.yaml and docs agree with it.
#include "eddy/core/config_options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/internal/log_capture.h"
#include "eddy/core/configuration.h"

namespace eddy {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(EDDY_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigOptionsTest, RegistryIsSortedUniqueAndSearchable) {
  const auto options = config_options();
  ASSERT_GT(options.size(), 30u);
  for (size_t i = 1; i < options.size(); ++i) {
    EXPECT_LT(options[i - 1].key, options[i].key);
  }
  for (const ConfigOption& option : options) {
    const ConfigOption* found = find_config_option(option.key);
    ASSERT_NE(found, nullptr) << option.key;
    EXPECT_EQ(found->key, option.key);
    EXPECT_FALSE(option.description.empty()) << option.key;
  }
  EXPECT_EQ(find_config_option("parallelism"), nullptr);
  EXPECT_EQ(find_config_option("zzz"), nullptr);
  EXPECT_EQ(find_config_option("parallelism.default")->default_value, "number of CPU cores");
}

TEST(ConfigOptionsTest, KnownKeysGiveNoWarning) {
  const Configuration config = Configuration::from_yaml(R"(
parallelism.default: 4
execution.target: local
restart-strategy:
  type: fixed-delay
  fixed-delay: {attempts: 3, delay: 10 s}
state:
  checkpoints:
    # dir: /tmp/checkpoints
log.level: warn
)");
  EXPECT_EQ(check_config_keys(config), std::vector<std::string>{});
  EXPECT_EQ(check_config_keys(Configuration::from_yaml("execution.target: EMBEDDED")),
            std::vector<std::string>{});
}

TEST(ConfigOptionsTest, UnknownKeysAreNamedWithFileLineAndAHint) {
  const Configuration config = Configuration::from_yaml(
      "paralelism.default: 4\n"
      "parallelism: 2\n"
      "restart-strategy.fixed-delay.attemps: 3\n"
      "something.else.entirely: 1\n",
      "conf/config.yaml");
  EXPECT_EQ(check_config_keys(config),
            (std::vector<std::string>{
                "Configuration key 'paralelism.default' (in conf/config.yaml, line 1) is not a "
                "setting Eddy knows; it is ignored. Did you mean 'parallelism.default'?",
                "Configuration key 'parallelism' (in conf/config.yaml, line 2) is not a setting "
                "Eddy knows; it is ignored. Did you mean 'parallelism.default'?",
                "Configuration key 'restart-strategy.fixed-delay.attemps' (in conf/config.yaml, "
                "line 3) is not a setting Eddy knows; it is ignored. Did you mean "
                "'restart-strategy.fixed-delay.attempts'?",
                "Configuration key 'something.else.entirely' (in conf/config.yaml, line 4) is "
                "not a setting Eddy knows; it is ignored",
            }));
  Configuration in_code;
  in_code.set_integer("paralelism.default", 4);
  EXPECT_EQ(check_config_keys(in_code),
            std::vector<std::string>{
                "Configuration key 'paralelism.default' is not a setting Eddy knows; it is "
                "ignored. Did you mean 'parallelism.default'?"});
}

TEST(ConfigOptionsTest, RemoteTargetAndClusterKeysAreReportedAsUnsupported) {
  const Configuration config = Configuration::from_yaml(
      "execution.target: remote\n"
      "rest.address: flink-jobmanager\n"
      "rest.port: 8081\n"
      "taskmanager.numberOfTaskSlots: 4\n"
      "pipeline.global-job-parameters.log.level: INFO\n",
      "flink-conf.yaml");
  EXPECT_EQ(check_config_keys(config),
            (std::vector<std::string>{
                "Configuration key 'execution.target' (in flink-conf.yaml, line 1): "
                "execution.target 'remote' is not supported yet; the job runs on the embedded "
                "mini-cluster in this process (local)",
                "Configuration key 'pipeline.global-job-parameters.log.level' (in "
                "flink-conf.yaml, line 5) is a Flink setting that Eddy does not support yet; it "
                "is ignored",
                "Configuration key 'rest.address' (in flink-conf.yaml, line 2) is a Flink "
                "setting that Eddy does not support yet; it is ignored",
                "Configuration key 'rest.port' (in flink-conf.yaml, line 3) is a Flink setting "
                "that Eddy does not support yet; it is ignored",
                "Configuration key 'taskmanager.numberOfTaskSlots' (in flink-conf.yaml, line 4) "
                "is a Flink setting that Eddy does not support yet; it is ignored",
            }));
}

TEST(ConfigOptionsTest, WarningsGoThroughTheLogger) {
  logging_internal::LogCapture capture;
  warn_about_ignored_config_keys(
      Configuration::from_yaml("execution.target: yarn-per-job\n", "conf/config.yaml"));
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" WARN  eddy.config - Configuration key 'execution.target' (in "
                          "conf/config.yaml, line 1): execution.target 'yarn-per-job' is not "
                          "supported yet; the job runs on the embedded mini-cluster"),
            std::string::npos)
      << lines[0];
}

TEST(ConfigOptionsTest, RepositoryConfigFileUsesOnlyKnownKeys) {
  const Configuration config =
      Configuration::from_yaml(read_source_file("conf/config.yaml"), "conf/config.yaml");
  EXPECT_FALSE(config.to_map().empty());
  EXPECT_EQ(check_config_keys(config), std::vector<std::string>{});
}

TEST(ConfigOptionsTest, EveryKeyIsDocumented) {
  const std::string docs = read_source_file("docs/configuration.md");
  for (const ConfigOption& option : config_options()) {
    EXPECT_NE(docs.find("`" + std::string(option.key) + "`"), std::string::npos)
        << option.key << " is missing from docs/configuration.md";
  }
}

}  // namespace
}  // namespace eddy
