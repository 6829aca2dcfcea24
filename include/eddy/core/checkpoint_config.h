// Checkpointing settings of a job, with PyFlink's names:
//   env.enable_checkpointing(1000);  // every second, exactly-once
//   env.get_checkpoint_config().set_min_pause_between_checkpoints(500);
// Plain configuration: the job master's checkpoint coordinator reads it when the job starts.
// Durations are milliseconds. Setters throw InvalidProgramException for a value out of range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace eddy {

class Configuration;

// EXACTLY_ONCE aligns barriers: a channel that delivered checkpoint n's barrier waits until all
// have, so no record after the barrier reaches the snapshot. AT_LEAST_ONCE does not wait: after a
// restore, records that passed early barriers are processed again.
enum class CheckpointingMode { kExactlyOnce, kAtLeastOnce };

// What happens to the retained checkpoints of a job that is cancelled (a failed job always
// keeps them, a finished one never does).
enum class ExternalizedCheckpointCleanup { kDeleteOnCancellation, kRetainOnCancellation };

// The state backend that keyed state lives in — "hashmap" (objects on the heap) or "rocksdb" —
// with the RocksDB backend's settings (ignored by the heap backend). Compares equal to its kind:
//   if (backend == StateBackendType::kRocksDb) ...
// Flink's keys: state.backend.type, state.backend.incremental,
// state.backend.rocksdb.block.cache-size, state.backend.rocksdb.writebuffer.size,
// state.backend.rocksdb.writebuffer.count and state.backend.rocksdb.localdir.
class StateBackendType {
 public:
  enum Kind { kHashMap, kRocksDb };

  // Implicit: a kind is a backend with default settings.
  constexpr StateBackendType(Kind kind = kHashMap) : kind_(kind) {}  // NOLINT

  constexpr Kind kind() const { return kind_; }
  // Another kind, the settings kept.
  StateBackendType& set_kind(Kind kind) {
    kind_ = kind;
    return *this;
  }
  constexpr bool operator==(Kind kind) const { return kind_ == kind; }

  // RocksDB only: checkpoints upload only the files created since the last completed one
  // (default false: every checkpoint is a full, asynchronously written snapshot). Savepoints are
  // always full.
  bool incremental_checkpoints = false;
  // RocksDB's memory per state backend instance (one per keyed operator subtask): the block
  // cache (data, index and filter blocks) and the write buffers (memtables) of all its states.
  int64_t rocksdb_block_cache_bytes = int64_t{64} << 20;
  int64_t rocksdb_write_buffer_bytes = int64_t{16} << 20;
  int rocksdb_max_write_buffers = 2;
  // Where RocksDB instances keep their files; empty: the system's temporary directory.
  std::string rocksdb_local_directory;

  // Applies the state.backend.* keys found in `config`. Throws ConfigurationException naming the
  // key for a bad value.
  void configure(const Configuration& config);

 private:
  Kind kind_;
};

class CheckpointConfig {
 public:
  static constexpr int64_t kDefaultTimeoutMs = 10 * 60 * 1000;

  // Periodic checkpointing is on when the interval is positive (default: off, -1).
  bool is_checkpointing_enabled() const { return interval_ms_ > 0; }
  CheckpointConfig& set_checkpoint_interval(int64_t interval_ms);
  int64_t get_checkpoint_interval() const { return interval_ms_; }

  CheckpointConfig& set_checkpointing_mode(CheckpointingMode mode);
  CheckpointingMode get_checkpointing_mode() const { return mode_; }

  // A checkpoint not complete after this long is aborted (default 10 minutes).
  CheckpointConfig& set_checkpoint_timeout(int64_t timeout_ms);
  int64_t get_checkpoint_timeout() const { return timeout_ms_; }

  // The least time between the end of one checkpoint and the start of the next (default 0).
  CheckpointConfig& set_min_pause_between_checkpoints(int64_t pause_ms);
  int64_t get_min_pause_between_checkpoints() const { return min_pause_ms_; }

  // How many checkpoints may be in progress at once (default 1).
  CheckpointConfig& set_max_concurrent_checkpoints(int max);
  int get_max_concurrent_checkpoints() const { return max_concurrent_; }

  // How many checkpoint failures in a row the job tolerates before it fails (default 0).
  CheckpointConfig& set_tolerable_checkpoint_failure_number(int number);
  int get_tolerable_checkpoint_failure_number() const { return tolerable_failures_; }

  // Unaligned checkpoints (EXACTLY_ONCE mode only): barriers overtake the records queued in
  // front of them, which are stored with the checkpoint, so checkpoints complete quickly under
  // backpressure. Savepoints stay aligned. In AT_LEAST_ONCE mode, which never aligns, no effect.
  CheckpointConfig& enable_unaligned_checkpoints(bool enabled = true);
  bool is_unaligned_checkpoints_enabled() const { return unaligned_; }

  CheckpointConfig& set_externalized_checkpoint_cleanup(ExternalizedCheckpointCleanup cleanup);
  ExternalizedCheckpointCleanup get_externalized_checkpoint_cleanup() const { return cleanup_; }

  // The directory checkpoints are written under: <dir>/<job-id>/chk-<n>/. Empty (the default):
  // a fresh directory under the system's temporary directory, deleted with the job's checkpoints.
  CheckpointConfig& set_checkpoint_storage_dir(std::string dir);
  const std::string& get_checkpoint_storage_dir() const { return storage_dir_; }

  // How many completed checkpoints are kept (default 1); older ones are deleted.
  CheckpointConfig& set_num_retained_checkpoints(int number);
  int get_num_retained_checkpoints() const { return num_retained_; }

  // Applies Flink's keys found in `config`: execution.checkpointing.interval, .mode
  // (EXACTLY_ONCE | AT_LEAST_ONCE), .timeout, .min-pause, .max-concurrent-checkpoints,
  // .tolerable-failed-checkpoints, .unaligned(.enabled), .externalized-checkpoint-retention
  // (DELETE_ON_CANCELLATION | RETAIN_ON_CANCELLATION), state.checkpoints.dir (or
  // execution.checkpointing.dir) and state.checkpoints.num-retained. Throws
  // ConfigurationException naming the key for a bad value.
  void configure(const Configuration& config);

 private:
  int64_t interval_ms_ = -1;
  CheckpointingMode mode_ = CheckpointingMode::kExactlyOnce;
  int64_t timeout_ms_ = kDefaultTimeoutMs;
  int64_t min_pause_ms_ = 0;
  int max_concurrent_ = 1;
  int tolerable_failures_ = 0;
  bool unaligned_ = false;
  ExternalizedCheckpointCleanup cleanup_ = ExternalizedCheckpointCleanup::kDeleteOnCancellation;
  std::string storage_dir_;
  int num_retained_ = 1;
};

// env.set_state_backend(HashMapStateBackend()) or (EmbeddedRocksDBStateBackend()), PyFlink's
// names for the two backends.
struct HashMapStateBackend {
  static constexpr StateBackendType::Kind kType = StateBackendType::kHashMap;
};
// EmbeddedRocksDBStateBackend(true) enables incremental checkpoints (Flink's constructor
// argument; PyFlink's enable_incremental_checkpointing).
struct EmbeddedRocksDBStateBackend {
  static constexpr StateBackendType::Kind kType = StateBackendType::kRocksDb;
  EmbeddedRocksDBStateBackend() = default;
  explicit EmbeddedRocksDBStateBackend(bool enable_incremental_checkpointing)
      : incremental(enable_incremental_checkpointing) {}
  bool incremental = false;
};

// Where a job starts from: nothing (empty path), or a savepoint or retained checkpoint (its
// directory or its _metadata file). With allow_non_restored_state, state of operators that the
// job no longer has is skipped instead of failing the job (Flink's --allowNonRestoredState).
struct SavepointRestoreSettings {
  std::string path;
  bool allow_non_restored_state = false;

  static SavepointRestoreSettings none() { return {}; }
  static SavepointRestoreSettings for_path(std::string path,
                                           bool allow_non_restored_state = false) {
    return {std::move(path), allow_non_restored_state};
  }
  bool restore_savepoint() const { return !path.empty(); }
};

// Sizes as Flink writes them: "64mb", "64 mb", "1 gb", "512kb"; a plain number is bytes. Throws
// ConfigurationException naming the key.
int64_t parse_memory_size(const std::string& key, const std::string& value);

// "hashmap" or "rocksdb" (Flink's state.backend.type values; "filesystem" and "jobmanager" are
// Flink's old names of the heap backend and mean hashmap). Throws ConfigurationException.
StateBackendType parse_state_backend_type(const std::string& name);

}  // namespace eddy
