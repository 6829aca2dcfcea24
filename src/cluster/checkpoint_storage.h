// CheckpointStorage: checkpoints of one job as files, Flink's layout:
//   <dir>/<job-id>/chk-<n>/_metadata      what the checkpoint holds, with a checksum per file
//   <dir>/<job-id>/chk-<n>/<operator>-<subtask>   one operator subtask's state
//   <dir>/<job-id>/shared/<file>      files of incremental (native) snapshots, shared by
//   checkpoints
// A checkpoint exists once its _metadata exists: it is written last, to a temporary name that is
// renamed into place. Every read verifies sizes and CRC-32 checksums (of the shared files the
// checkpoint refers to as well), so a missing, truncated or corrupted file is reported (with its
// path) instead of restored.
//
// Shared files: a keyed snapshot in native form lists its files (SnapshotFile). One with a
// local_path is new: write() copies it to shared/<name> (the backend makes names unique in the
// job), removes the local copy and sets shared_path. One with neither path refers by name to a
// file an earlier checkpoint of this job stored. One with a shared_path is kept where it is.
// Each file in shared/ is counted once per checkpoint that refers to it; discard(id) drops the
// checkpoint's references and deletes the files no checkpoint refers to any more. Files outside
// this job's shared/ (those of the checkpoint another job started from) are never deleted.
// Paths: the storage works with absolute paths (a relative base directory is made absolute
// against the working directory when the storage is created). _metadata and the state files
// record the paths of shared files in this job's directory relative to the checkpoint's
// directory, and read() resolves them against the directory it reads from.
// Errors writing: std::runtime_error naming the path and the OS error ("No space left on
// device"); a file whose write failed is removed (no *.inprogress stays behind).
// Threading: write() runs on one thread at a time; discard() may run concurrently with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "eddy/runtime/checkpoint.h"

namespace eddy::cluster {

// One operator's state in a checkpoint: the state of each of its old subtasks.
struct OperatorCheckpointState {
  int parallelism = 0;
  int max_parallelism = 0;
  std::map<int, std::shared_ptr<const runtime::OperatorSubtaskState>> subtasks;  // by index
};

struct CompletedCheckpoint {
  int64_t id = 0;
  int64_t timestamp = 0;
  std::string job_id;
  std::filesystem::path directory;
  std::map<std::string, OperatorCheckpointState> operators;  // by operator id
};

// Thrown for a checkpoint that cannot be read; the message names the file.
class CheckpointCorruptedException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CheckpointStorage {
 public:
  // Checkpoints of job `job_id` go under `base_dir`/`job_id`.
  CheckpointStorage(std::filesystem::path base_dir, std::string job_id);

  const std::filesystem::path& job_directory() const { return job_dir_; }
  std::filesystem::path checkpoint_directory(int64_t id) const;

  std::filesystem::path shared_directory() const { return job_dir_ / "shared"; }

  // Writes the checkpoint's state files and then its _metadata; returns its directory. Stores
  // the new shared files first and counts the checkpoint's references to shared files (a
  // discard(id) releases them, also after a failed write). Throws std::runtime_error (naming the
  // path or the file) if a file cannot be written or a referenced shared file is unknown.
  std::filesystem::path write(const CompletedCheckpoint& checkpoint);
  // The same into `dir` (a savepoint's own directory; its shared files are never released).
  void write_to(const std::filesystem::path& dir, const CompletedCheckpoint& checkpoint);
  // Reads a checkpoint from its directory or its _metadata file. Throws
  // CheckpointCorruptedException for a missing, truncated or corrupted file, shared files
  // included.
  static CompletedCheckpoint read(const std::filesystem::path& path);
  // Deletes a checkpoint's directory (errors are ignored: it may be gone already) and releases
  // its references to shared files, deleting those no checkpoint refers to any more.
  void discard(int64_t id);
  // Deletes the job's directory (and its shared/) if nothing is left in it.
  void remove_job_directory_if_empty() const;

  // Shared files stored and still referred to, and how many checkpoints refer to each.
  std::map<std::string, int> shared_file_references() const;

 private:
  struct SharedFile {
    std::filesystem::path path;
    uint64_t size = 0;
    uint32_t crc = 0;
    int references = 0;
    bool owned = false;  // in this job's shared/: deleted when no longer referred to
  };
  struct SharedFileEntry {  // what _metadata records of a shared file
    std::string path;
    uint64_t size = 0;
    uint32_t crc = 0;
  };

  // How _metadata and state files record the shared file at `path` (absolute) for the checkpoint
  // in `dir` (absolute): relative to `dir` when both lie in this job's directory, so that the
  // checkpoint reads from any working directory and wherever its job directory is moved;
  // absolute otherwise (another job's files).
  std::string recorded_path(const std::filesystem::path& path,
                            const std::filesystem::path& dir) const;

  // Stores or resolves the native files of `keyed` for checkpoint `id` (see above) and adds
  // what it refers to to `used`.
  void store_shared_files(int64_t id, KeyedStateSnapshot& keyed,
                          std::map<std::string, SharedFileEntry>& used);

  std::filesystem::path job_dir_;
  std::string job_id_;
  mutable std::mutex mu_;
  std::map<std::string, SharedFile> shared_;                // GUARDED_BY(mu_): by file name
  std::map<int64_t, std::vector<std::string>> references_;  // GUARDED_BY(mu_): by checkpoint
};

}  // namespace eddy::cluster
