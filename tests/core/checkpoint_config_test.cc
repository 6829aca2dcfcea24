// CheckpointConfig: PyFlink's setters with their range checks, and Flink's configuration keys
// with errors that name the key.
#include "eddy/core/checkpoint_config.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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
                .find("'execution.checkpointing.mode' (in YAML, line 1): 'SOMETIMES', expected "
                      "EXACTLY_ONCE or "
                      "AT_LEAST_ONCE"),
            std::string::npos);
  EXPECT_NE(
      error_of("execution.checkpointing.interval: 5 ms")
          .find("'execution.checkpointing.interval' (in YAML, line 1): the checkpoint interval "
                "must be at least 10 ms"),
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

TEST(CheckpointConfigTest, StateBackendSettingsDefaultsAndFlinksKeys) {
  StateBackendType defaults;
  EXPECT_EQ(defaults, StateBackendType::kHashMap);
  EXPECT_FALSE(defaults.incremental_checkpoints);
  EXPECT_EQ(defaults.rocksdb_block_cache_bytes, 64 << 20);
  EXPECT_EQ(defaults.rocksdb_write_buffer_bytes, 16 << 20);
  EXPECT_EQ(defaults.rocksdb_max_write_buffers, 2);

  Configuration config;
  config.set_string("state.backend.type", "rocksdb");
  config.set_string("state.backend.incremental", "true");
  config.set_string("state.backend.rocksdb.block.cache-size", "256mb");
  config.set_string("state.backend.rocksdb.writebuffer.size", "32 mb");
  config.set_string("state.backend.rocksdb.writebuffer.count", "3");
  config.set_string("state.backend.rocksdb.localdir", "/var/tmp/eddy");
  StateBackendType backend;
  backend.configure(config);
  EXPECT_EQ(backend, StateBackendType::kRocksDb);
  EXPECT_TRUE(backend.incremental_checkpoints);
  EXPECT_EQ(backend.rocksdb_block_cache_bytes, int64_t{256} << 20);
  EXPECT_EQ(backend.rocksdb_write_buffer_bytes, int64_t{32} << 20);
  EXPECT_EQ(backend.rocksdb_max_write_buffers, 3);
  EXPECT_EQ(backend.rocksdb_local_directory, "/var/tmp/eddy");
  // Another kind keeps the settings.
  backend.set_kind(StateBackendType::kHashMap);
  EXPECT_EQ(backend, StateBackendType::kHashMap);
  EXPECT_TRUE(backend.incremental_checkpoints);
  EXPECT_TRUE(EmbeddedRocksDBStateBackend(true).incremental);
  EXPECT_FALSE(EmbeddedRocksDBStateBackend().incremental);
}

TEST(CheckpointConfigTest, MemorySizesAndBadStateBackendValuesNameTheKey) {
  EXPECT_EQ(parse_memory_size("k", "1048576"), 1 << 20);
  EXPECT_EQ(parse_memory_size("k", "512kb"), 512 << 10);
  EXPECT_EQ(parse_memory_size("k", "1 GB"), int64_t{1} << 30);
  EXPECT_EQ(parse_memory_size("k", "64m"), 64 << 20);
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"state.backend.rocksdb.block.cache-size", "lots"},
           {"state.backend.rocksdb.block.cache-size", "12 parsecs"},
           {"state.backend.rocksdb.writebuffer.size", "1kb"},
           {"state.backend.rocksdb.writebuffer.count", "0"},
           {"state.backend.incremental", "perhaps"}}) {
    Configuration config;
    config.set_string(key, value);
    StateBackendType backend;
    try {
      backend.configure(config);
      ADD_FAILURE() << key << ": " << value << " accepted";
    } catch (const ConfigurationException& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace eddy
