// CheckpointConfig: PyFlink's setters with their range checks, and Flink's configuration keys
// with errors that name the key.
#include "eddy/core/checkpoint_config.h"

#include <gtest/gtest.h>

#include "eddy/core/configuration.h"
#include "eddy/core/exceptions.h"

namespace eddy {
namespace {

TEST(CheckpointConfigTest, DefaultsAreFlinks) {
  CheckpointConfig config;
  EXPECT_FALSE(config.is_checkpointing_enabled());
  EXPECT_EQ(config.get_checkpointing_mode(), CheckpointingMode::kExactlyOnce);
  EXPECT_EQ(config.get_checkpoint_timeout(), 600'000);
  EXPECT_EQ(config.get_min_pause_between_checkpoints(), 0);
  EXPECT_EQ(config.get_max_concurrent_checkpoints(), 1);
  EXPECT_EQ(config.get_tolerable_checkpoint_failure_number(), 0);
  EXPECT_EQ(config.get_num_retained_checkpoints(), 1);
  EXPECT_FALSE(config.is_unaligned_checkpoints_enabled());
  EXPECT_EQ(config.get_externalized_checkpoint_cleanup(),
            ExternalizedCheckpointCleanup::kDeleteOnCancellation);
}

TEST(CheckpointConfigTest, ReadsFlinksKeys) {
  CheckpointConfig config;
  config.configure(Configuration::from_yaml(R"(
execution.checkpointing:
  interval: 30 s
  mode: AT_LEAST_ONCE
  timeout: 2 min
  min-pause: 500 ms
  max-concurrent-checkpoints: 2
  tolerable-failed-checkpoints: 3
  externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
  unaligned.enabled: true
state.checkpoints.dir: /tmp/checkpoints
state.checkpoints.num-retained: 4
)"));
  EXPECT_TRUE(config.is_checkpointing_enabled());
  EXPECT_TRUE(config.is_unaligned_checkpoints_enabled());
  EXPECT_EQ(config.get_checkpoint_interval(), 30'000);
  EXPECT_EQ(config.get_checkpointing_mode(), CheckpointingMode::kAtLeastOnce);
  EXPECT_EQ(config.get_checkpoint_timeout(), 120'000);
  EXPECT_EQ(config.get_min_pause_between_checkpoints(), 500);
  EXPECT_EQ(config.get_max_concurrent_checkpoints(), 2);
  EXPECT_EQ(config.get_tolerable_checkpoint_failure_number(), 3);
  EXPECT_EQ(config.get_externalized_checkpoint_cleanup(),
            ExternalizedCheckpointCleanup::kRetainOnCancellation);
  EXPECT_EQ(config.get_checkpoint_storage_dir(), "/tmp/checkpoints");
  EXPECT_EQ(config.get_num_retained_checkpoints(), 4);
}

std::string error_of(const std::string& yaml) {
  try {
    CheckpointConfig().configure(Configuration::from_yaml(yaml));
  } catch (const ConfigurationException& e) {
    return e.what();
  }
  return "no error";
}

TEST(CheckpointConfigTest, BadValuesNameTheKey) {
  EXPECT_NE(error_of("execution.checkpointing.mode: SOMETIMES")
                .find("'execution.checkpointing.mode': 'SOMETIMES', expected EXACTLY_ONCE or "
                      "AT_LEAST_ONCE"),
            std::string::npos);
  EXPECT_NE(error_of("execution.checkpointing.interval: 5 ms")
                .find("'execution.checkpointing.interval': the checkpoint interval must be at "
                      "least 10 ms"),
            std::string::npos);
  EXPECT_NE(error_of("execution.checkpointing.max-concurrent-checkpoints: 0")
                .find("execution.checkpointing.max-concurrent-checkpoints"),
            std::string::npos);
  EXPECT_NE(error_of("execution.checkpointing.unaligned.enabled: maybe")
                .find("execution.checkpointing.unaligned.enabled"),
            std::string::npos);
}

TEST(CheckpointConfigTest, SettersRejectValuesOutOfRange) {
  CheckpointConfig config;
  EXPECT_THROW(config.set_checkpoint_interval(0), InvalidProgramException);
  EXPECT_NO_THROW(config.set_checkpoint_interval(-1));
  EXPECT_THROW(config.set_checkpoint_timeout(0), InvalidProgramException);
  EXPECT_THROW(config.set_min_pause_between_checkpoints(-1), InvalidProgramException);
  EXPECT_THROW(config.set_tolerable_checkpoint_failure_number(-1), InvalidProgramException);
  EXPECT_THROW(config.set_num_retained_checkpoints(0), InvalidProgramException);
}

TEST(CheckpointConfigTest, StateBackendNames) {
  EXPECT_EQ(parse_state_backend_type("hashmap"), StateBackendType::kHashMap);
  EXPECT_EQ(parse_state_backend_type("RocksDB"), StateBackendType::kRocksDb);
  EXPECT_EQ(parse_state_backend_type("filesystem"), StateBackendType::kHashMap);
  EXPECT_THROW(parse_state_backend_type("memory-mapped"), ConfigurationException);
}

}  // namespace
}  // namespace eddy
