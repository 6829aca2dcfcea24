#include "eddy/core/checkpoint_config.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "eddy/core/configuration.h"
#include "eddy/core/exceptions.h"

namespace eddy {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw InvalidProgramException(what);
}

}  // namespace

CheckpointConfig& CheckpointConfig::set_checkpoint_interval(int64_t interval_ms) {
  require(interval_ms >= 10 || interval_ms == -1,
          "the checkpoint interval must be at least 10 ms (or -1 to disable), not " +
              std::to_string(interval_ms));
  interval_ms_ = interval_ms;
  return *this;
}

CheckpointConfig& CheckpointConfig::set_checkpointing_mode(CheckpointingMode mode) {
  mode_ = mode;
  return *this;
}

CheckpointConfig& CheckpointConfig::set_checkpoint_timeout(int64_t timeout_ms) {
  require(timeout_ms >= 1,
          "the checkpoint timeout must be positive, not " + std::to_string(timeout_ms));
  timeout_ms_ = timeout_ms;
  return *this;
}

CheckpointConfig& CheckpointConfig::set_min_pause_between_checkpoints(int64_t pause_ms) {
  require(pause_ms >= 0, "the minimum pause between checkpoints must not be negative, not " +
                             std::to_string(pause_ms));
  min_pause_ms_ = pause_ms;
  return *this;
}

CheckpointConfig& CheckpointConfig::set_max_concurrent_checkpoints(int max) {
  require(max >= 1,
          "the maximum of concurrent checkpoints must be at least 1, not " + std::to_string(max));
  max_concurrent_ = max;
  return *this;
}

CheckpointConfig& CheckpointConfig::set_tolerable_checkpoint_failure_number(int number) {
  require(number >= 0, "the tolerable checkpoint failure number must not be negative, not " +
                           std::to_string(number));
  tolerable_failures_ = number;
  return *this;
}

CheckpointConfig& CheckpointConfig::enable_unaligned_checkpoints(bool enabled) {
  unaligned_ = enabled;
  return *this;
}

CheckpointConfig& CheckpointConfig::set_externalized_checkpoint_cleanup(
    ExternalizedCheckpointCleanup cleanup) {
  cleanup_ = cleanup;
  return *this;
}

CheckpointConfig& CheckpointConfig::set_checkpoint_storage_dir(std::string dir) {
  storage_dir_ = std::move(dir);
  return *this;
}

CheckpointConfig& CheckpointConfig::set_num_retained_checkpoints(int number) {
  require(number >= 1,
          "the number of retained checkpoints must be at least 1, not " + std::to_string(number));
  num_retained_ = number;
  return *this;
}

void CheckpointConfig::configure(const Configuration& config) {
  const std::string p = "execution.checkpointing.";
  auto apply = [&](const std::string& key, auto&& set) {
    if (!config.contains(key)) return;
    try {
      set(key);
    } catch (const InvalidProgramException& e) {
      throw config.invalid_value(key, e.what());
    }
  };
  auto one_of = [&](const std::string& key, std::initializer_list<const char*> names) {
    const std::string value = upper(*config.get_string(key));
    for (const char* name : names) {
      if (value == name) return value;
    }
    std::string expected;
    for (const char* name : names) expected += (expected.empty() ? "" : " or ") + std::string(name);
    throw config.invalid_value(key, "'" + *config.get_string(key) + "', expected " + expected);
  };
  apply(p + "interval",
        [&](const std::string& k) { set_checkpoint_interval(config.get_duration_ms(k, -1)); });
  apply(p + "mode", [&](const std::string& k) {
    set_checkpointing_mode(one_of(k, {"EXACTLY_ONCE", "AT_LEAST_ONCE"}) == "EXACTLY_ONCE"
                               ? CheckpointingMode::kExactlyOnce
                               : CheckpointingMode::kAtLeastOnce);
  });
  apply(p + "timeout",
        [&](const std::string& k) { set_checkpoint_timeout(config.get_duration_ms(k, 0)); });
  apply(p + "min-pause", [&](const std::string& k) {
    set_min_pause_between_checkpoints(config.get_duration_ms(k, 0));
  });
  apply(p + "max-concurrent-checkpoints",
        [&](const std::string& k) { set_max_concurrent_checkpoints(config.get_integer(k, 1)); });
  apply(p + "tolerable-failed-checkpoints", [&](const std::string& k) {
    set_tolerable_checkpoint_failure_number(config.get_integer(k, 0));
  });
  for (const char* key :
       {"execution.checkpointing.unaligned", "execution.checkpointing.unaligned.enabled"}) {
    apply(key, [&](const std::string& k) {
      enable_unaligned_checkpoints(config.get_boolean(k, false));
    });
  }
  apply(p + "externalized-checkpoint-retention", [&](const std::string& k) {
    set_externalized_checkpoint_cleanup(
        one_of(k, {"DELETE_ON_CANCELLATION", "RETAIN_ON_CANCELLATION"}) == "RETAIN_ON_CANCELLATION"
            ? ExternalizedCheckpointCleanup::kRetainOnCancellation
            : ExternalizedCheckpointCleanup::kDeleteOnCancellation);
  });
  for (const char* key : {"state.checkpoints.dir", "execution.checkpointing.dir"}) {
    apply(key, [&](const std::string& k) { set_checkpoint_storage_dir(*config.get_string(k)); });
  }
  for (const char* key :
       {"state.checkpoints.num-retained", "execution.checkpointing.num-retained"}) {
    apply(key,
          [&](const std::string& k) { set_num_retained_checkpoints(config.get_integer(k, 1)); });
  }
}

int64_t parse_memory_size(const std::string& key, const std::string& value) {
  auto bad = [&] {
    return ConfigurationException("Invalid value for key '" + key + "': '" + value +
                                  "', expected a memory size such as 64mb, 1 gb or 1048576");
  };
  size_t digits = 0;
  while (digits < value.size() && std::isdigit(static_cast<unsigned char>(value[digits]))) {
    ++digits;
  }
  if (digits == 0 || digits > 15) throw bad();
  const int64_t number = std::stoll(value.substr(0, digits));
  std::string unit;
  for (char c : value.substr(digits)) {
    if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  int shift = 0;
  if (unit.empty() || unit == "b" || unit == "bytes") {
    shift = 0;
  } else if (unit == "k" || unit == "kb" || unit == "kibibytes") {
    shift = 10;
  } else if (unit == "m" || unit == "mb" || unit == "mebibytes") {
    shift = 20;
  } else if (unit == "g" || unit == "gb" || unit == "gibibytes") {
    shift = 30;
  } else {
    throw bad();
  }
  if (number > (std::numeric_limits<int64_t>::max() >> shift)) throw bad();
  return number << shift;
}

void StateBackendType::configure(const Configuration& config) {
  if (auto backend = config.get_string("state.backend.type")) {
    try {
      kind_ = parse_state_backend_type(*backend).kind();
    } catch (const ConfigurationException&) {
      throw config.invalid_value("state.backend.type",
                                 "'" + *backend + "', expected hashmap or rocksdb");
    }
  }
  const std::string p = "state.backend.";
  if (config.contains(p + "incremental")) {
    incremental_checkpoints = config.get_boolean(p + "incremental", false);
  }
  auto size = [&](const std::string& key, int64_t minimum, int64_t& target) {
    auto value = config.get_string(key);
    if (!value) return;
    int64_t bytes = 0;
    try {
      bytes = parse_memory_size(key, *value);
    } catch (const ConfigurationException&) {
      throw config.invalid_value(
          key, "'" + *value + "', expected a memory size such as 64mb, 1 gb or 1048576");
    }
    if (bytes < minimum) {
      throw config.invalid_value(
          key, "'" + *value + "', at least " + std::to_string(minimum) + " bytes");
    }
    target = bytes;
  };
  size(p + "rocksdb.block.cache-size", 0, rocksdb_block_cache_bytes);
  size(p + "rocksdb.writebuffer.size", int64_t{64} << 10, rocksdb_write_buffer_bytes);
  if (config.contains(p + "rocksdb.writebuffer.count")) {
    const int64_t count = config.get_integer(p + "rocksdb.writebuffer.count", 2);
    if (count < 1 || count > 64) {
      throw config.invalid_value(p + "rocksdb.writebuffer.count",
                                 std::to_string(count) + ", expected 1 to 64");
    }
    rocksdb_max_write_buffers = static_cast<int>(count);
  }
  if (auto dir = config.get_string(p + "rocksdb.localdir")) rocksdb_local_directory = *dir;
}

StateBackendType parse_state_backend_type(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (n == "hashmap" || n == "filesystem" || n == "jobmanager") return StateBackendType::kHashMap;
  if (n == "rocksdb") return StateBackendType::kRocksDb;
  throw ConfigurationException("Unknown state backend '" + name +
                               "' (key 'state.backend.type'): expected hashmap or rocksdb");
}

}  // namespace eddy
