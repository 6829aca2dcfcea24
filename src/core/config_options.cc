#include "eddy/core/config_options.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>

#include "eddy/core/configuration.h"
#include "eddy/core/logging.h"

namespace eddy {
namespace {

// Sorted by key (checked by a test). Defaults are written as a user would write them in YAML.
constexpr ConfigOption kOptions[] = {
    {"execution.buffer-timeout.enabled", "true",
     "false: send only full network buffers (buffer timeout -1)"},
    {"execution.buffer-timeout.interval", "100 ms",
     "how long a partly filled network buffer may wait"},
    {"execution.checkpointing.dir", "", "checkpoint directory (Flink 2 name)"},
    {"execution.checkpointing.externalized-checkpoint-retention", "DELETE_ON_CANCELLATION",
     "whether a cancelled job keeps its checkpoints"},
    {"execution.checkpointing.interval", "",
     "checkpoint interval; setting it turns checkpointing on"},
    {"execution.checkpointing.max-concurrent-checkpoints", "1", "checkpoints in flight at once"},
    {"execution.checkpointing.min-pause", "0 ms", "minimum pause between checkpoints"},
    {"execution.checkpointing.mode", "EXACTLY_ONCE", "EXACTLY_ONCE or AT_LEAST_ONCE"},
    {"execution.checkpointing.num-retained", "1", "completed checkpoints kept (Flink 2 name)"},
    {"execution.checkpointing.timeout", "10 min", "a checkpoint still running after this fails"},
    {"execution.checkpointing.tolerable-failed-checkpoints", "0",
     "failed checkpoints in a row a job tolerates"},
    {"execution.checkpointing.unaligned", "false", "unaligned checkpoints"},
    {"execution.checkpointing.unaligned.enabled", "false", "unaligned checkpoints (Flink 2 name)"},
    {"execution.savepoint.ignore-unclaimed-state", "false",
     "restore even if some savepoint state has no operator"},
    {"execution.savepoint.path", "", "savepoint or checkpoint the next job starts from"},
    {"execution.state-recovery.ignore-unclaimed-state", "false",
     "restore even if some savepoint state has no operator (Flink 2 name)"},
    {"execution.state-recovery.path", "",
     "savepoint or checkpoint the next job starts from (Flink 2 name)"},
    {"execution.target", "local", "where jobs run: local or embedded (the embedded mini-cluster)"},
    {"log.level", "info", "trace, debug, info, warn, error or off (EDDY_LOG_LEVEL wins)"},
    {"parallelism.default", "number of CPU cores", "parallelism of every operator, 1 to 32768"},
    {"pipeline.auto-watermark-interval", "200 ms", "how often periodic watermarks are emitted"},
    {"pipeline.max-parallelism", "", "number of key groups, 1 to 32768"},
    {"pipeline.operator-chaining.enabled", "true", "whether operators are chained"},
    {"restart-strategy.exponential-delay.backoff-multiplier", "2.0", "growth of the delay"},
    {"restart-strategy.exponential-delay.initial-backoff", "1 s", "first delay"},
    {"restart-strategy.exponential-delay.jitter-factor", "0.1", "random spread of the delay"},
    {"restart-strategy.exponential-delay.max-backoff", "5 min", "longest delay"},
    {"restart-strategy.exponential-delay.reset-backoff-threshold", "1 h",
     "a run this long resets the delay"},
    {"restart-strategy.failure-rate.delay", "1 s", "delay between restarts"},
    {"restart-strategy.failure-rate.failure-rate-interval", "1 min",
     "interval in which failures are counted"},
    {"restart-strategy.failure-rate.max-failures-per-interval", "1",
     "failures per interval before the job fails"},
    {"restart-strategy.fixed-delay.attempts", "1", "restarts before the job fails"},
    {"restart-strategy.fixed-delay.delay", "1 s", "delay between restarts"},
    {"restart-strategy.type", "none",
     "none (off, disable), fixed-delay, failure-rate or exponential-delay"},
    {"state.backend.incremental", "false", "RocksDB: incremental checkpoints"},
    {"state.backend.rocksdb.block.cache-size", "64mb", "RocksDB: block cache per keyed subtask"},
    {"state.backend.rocksdb.localdir", "", "RocksDB: where instances keep their files"},
    {"state.backend.rocksdb.writebuffer.count", "2", "RocksDB: memtables per state, 1 to 64"},
    {"state.backend.rocksdb.writebuffer.size", "16mb", "RocksDB: size of one memtable"},
    {"state.backend.type", "hashmap", "hashmap (filesystem, jobmanager) or rocksdb"},
    {"state.checkpoints.dir", "", "checkpoint directory"},
    {"state.checkpoints.num-retained", "1", "completed checkpoints kept"},
    {"task.cancellation.timeout", "180 s",
     "a cancelled task that has not ended by then is fatal to its process; 0 disables"},
};

// Flink settings Eddy knows of but does not act on yet: cluster deployment, processes, memory,
// job parameters, the Table API (registered here until their readers exist).
constexpr std::string_view kUnsupportedPrefixes[] = {
    "akka.",
    "blob.",
    "classloader.",
    "cluster.",
    "env.",
    "execution.runtime-mode",
    "heartbeat.",
    "high-availability",
    "io.tmp.dirs",
    "jobmanager.",
    "kubernetes.",
    "metrics.",
    "pekko.",
    "pipeline.classpaths",
    "pipeline.global-job-parameters",
    "pipeline.jars",
    "pipeline.name",
    "python.",
    "resourcemanager.",
    "rest.",
    "security.",
    "slotmanager.",
    "table.",
    "taskmanager.",
    "web.",
    "yarn.",
};

bool is_unsupported_flink_key(std::string_view key) {
  return std::any_of(
      std::begin(kUnsupportedPrefixes), std::end(kUnsupportedPrefixes),
      [&](std::string_view prefix) { return key.substr(0, prefix.size()) == prefix; });
}

// A YAML section whose entries are all commented out reads as an empty key ("state.checkpoints").
bool is_empty_section(std::string_view key, std::string_view value) {
  if (!value.empty()) return false;
  const std::string prefix = std::string(key) + ".";
  return std::any_of(std::begin(kOptions), std::end(kOptions), [&](const ConfigOption& option) {
    return option.key.substr(0, prefix.size()) == prefix;
  });
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The known key closest to a misspelled one ("paralelism.default"), or one that a bare section
// name stands for ("parallelism" -> "parallelism.default"); "" if none is close.
std::string_view suggestion_for(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, key.size() / 8) + 1;
  for (const ConfigOption& option : kOptions) {
    const size_t distance = edit_distance(lower, option.key);
    if (distance < best_distance) {
      best_distance = distance;
      best = option.key;
    }
  }
  if (!best.empty()) return best;
  const std::string prefix = std::string(key) + ".";
  for (const ConfigOption& option : kOptions) {
    if (option.key.substr(0, prefix.size()) == prefix) return option.key;
  }
  return {};
}

}  // namespace

std::span<const ConfigOption> config_options() {
  return kOptions;
}

const ConfigOption* find_config_option(std::string_view key) {
  auto it = std::lower_bound(
      std::begin(kOptions), std::end(kOptions), key,
      [](const ConfigOption& option, std::string_view k) { return option.key < k; });
  return it != std::end(kOptions) && it->key == key ? &*it : nullptr;
}

std::vector<std::string> check_config_keys(const Configuration& config) {
  std::vector<std::string> warnings;
  for (const auto& [key, value] : config.to_map()) {
    const std::string where = "Configuration key " + config.describe_key(key);
    if (find_config_option(key) != nullptr) {
      if (key == "execution.target") {
        std::string target = value;
        std::transform(target.begin(), target.end(), target.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (target != "local" && target != "embedded") {
          warnings.push_back(where + ": execution.target '" + value +
                             "' is not supported yet; the job runs on the embedded "
                             "mini-cluster in this process (local)");
        }
      }
      continue;
    }
    if (is_empty_section(key, value)) continue;
    if (is_unsupported_flink_key(key)) {
      warnings.push_back(where +
                         " is a Flink setting that Eddy does not support yet; it is ignored");
      continue;
    }
    std::string warning = where + " is not a setting Eddy knows; it is ignored";
    if (std::string_view hint = suggestion_for(key); !hint.empty()) {
      warning += ". Did you mean '" + std::string(hint) + "'?";
    }
    warnings.push_back(std::move(warning));
  }
  return warnings;
}

void warn_about_ignored_config_keys(const Configuration& config) {
  const Logger logger = get_logger("eddy.config");
  for (const std::string& warning : check_config_keys(config)) logger.warn("{}", warning);
}

}  // namespace eddy
