// RocksDbKeyedStateBackend: keyed state in an embedded RocksDB instance, for state larger than
// memory. Same interface and semantics as HeapKeyedStateBackend (every state kind, namespaces,
// TTL, snapshots in the same byte format, so a snapshot of either backend restores into the
// other); values live serialized on local disk, with a bounded block cache and bounded write
// buffers in memory. Every state's namespace and stored types must be serializable; asking for
// one that is not throws StateException naming the state.
//
// Storage: one RocksDB instance per backend, in a fresh directory created under
// RocksDbStateOptions::base_directory and removed with everything in it by the destructor; one
// column family per state name; keys as in rocksdb_key_codec.h. The instance is scratch space:
// durability comes from snapshots (the write-ahead log is off).
// TTL: expired values are removed when read, by cleanup_expired(), by incremental cleanup
// (cleanup_incrementally, as on the heap: a few entries per key change) and are left out of
// snapshots with cleanup_full_snapshot. There is no compaction-time filter.
// Snapshots: snapshot() reads every state on the calling thread. A checkpoint's snapshot is
// asynchronous: the synchronous phase takes a RocksDB snapshot (a sequence number) and the
// deferred phase, run off the task's thread, iterates under it and produces exactly the bytes
// snapshot() would have produced then, while the task goes on writing. Savepoints are taken by
// snapshot(): a finished job's backend may be gone before a deferred phase could run.
// Incremental checkpoints (RocksDbStateOptions::incremental_checkpoints): the synchronous phase
// flushes the memtables and hard-links the live SST files into a local directory (RocksDB's
// Checkpoint); the snapshot is native (native_meta, native_files): SST files that the last
// completed checkpoint already stored are referred to, new ones are handed to the checkpoint
// storage to copy (local_path), and the small files (MANIFEST, CURRENT, OPTIONS) travel inline.
// Restoring a native snapshot: for the same key-group range into a fresh backend, its files
// become the backend's database; otherwise (rescaling, several old subtasks) each is opened as a
// temporary database and its key groups in range are copied.
// Failures: a failed RocksDB operation (a full disk, an I/O error) throws StateException naming
// the operation, the backend's directory and RocksDB's status (with the OS error); the database
// is then in an error state and every later write fails the same way, so the task fails and the
// job restarts or fails. Closing after a failure never aborts: RocksDB's info log goes to
// stderr (errors only) instead of a LOG file in the directory, whose failed writes would trip an
// assertion in RocksDB, and nothing is flushed on close (the directory is deleted anyway).
// Threading: like every backend, owned by its subtask's thread; RocksDB's own background
// threads flush and compact; the deferred phase of a snapshot runs on any one thread. The
// destructor completes a deferred phase still outstanding (so the snapshot stays valid after
// the backend is gone) and waits for one that is running.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "eddy/state/keyed_state_backend.h"

namespace rocksdb {
class Env;
}

namespace eddy {

namespace state {
class RocksDbInstance;
}

struct RocksDbStateOptions {
  // Where the backend creates its own directory (eddy-rocksdb-XXXXXX). Empty: the system's
  // temporary directory.
  std::filesystem::path base_directory;
  // LRU cache of uncompressed data blocks, index and filter blocks, shared by all states.
  size_t block_cache_bytes = size_t{64} << 20;
  // Size of one memtable; a state's memtable is flushed to disk when full.
  size_t write_buffer_bytes = size_t{16} << 20;
  // Memtables per state (one being written, the others being flushed). The memtables of all
  // states together are held under max_write_buffers * write_buffer_bytes.
  int max_write_buffers = 2;
  // Checkpoints (not savepoints) in RocksDB's native form, sharing unchanged SST files with the
  // previous checkpoint.
  bool incremental_checkpoints = false;
  // The RocksDB environment (file system, threads) the database uses; null: RocksDB's default.
  // Tests pass one whose file system fails (a full disk) to check how failures surface.
  std::shared_ptr<rocksdb::Env> env;
};

class RocksDbKeyedStateBackend final : public KeyedStateBackend {
 public:
  // Owns key groups [first_key_group, last_key_group] of `max_parallelism`. Throws
  // StateException if the directory or the database cannot be created.
  RocksDbKeyedStateBackend(int first_key_group, int last_key_group, int max_parallelism,
                           RocksDbStateOptions options = {});
  ~RocksDbKeyedStateBackend() override;

  // The backend's own directory (removed by the destructor).
  const std::filesystem::path& directory() const;

  // Removes every expired value of every state with TTL, for all keys; returns how many values
  // (list elements and map entries counted one by one) were removed.
  size_t cleanup_expired();

  KeyedStateSnapshot snapshot_for_checkpoint(int64_t checkpoint_id,
                                             SnapshotType type) const override;
  void notify_checkpoint_complete(int64_t checkpoint_id) override;
  void notify_checkpoint_aborted(int64_t checkpoint_id) override;

 protected:
  std::unique_ptr<state::InternalKvStateBase> create_state(
      const state::StateFactory& factory) override;
  void restore_native(const KeyedStateSnapshot& snapshot) override;

 private:
  // snapshot()'s entries that do not live in the database: states restored from a key-group
  // snapshot but not requested since.
  KeyedStateSnapshot entries_outside_database() const;
  KeyedStateSnapshot asynchronous_full_snapshot() const;
  KeyedStateSnapshot incremental_snapshot(int64_t checkpoint_id) const;

  RocksDbStateOptions options_;
  std::unique_ptr<state::RocksDbInstance> instance_;
  // Every state created, by name (the base class owns them).
  std::vector<std::pair<std::string, const state::InternalKvStateBase*>> states_by_name_;
};

}  // namespace eddy
