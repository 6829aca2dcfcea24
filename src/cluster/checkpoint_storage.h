// CheckpointStorage: checkpoints of one job as files, Flink's layout:
//   <dir>/<job-id>/chk-<n>/_metadata      what the checkpoint holds, with a checksum per file
//   <dir>/<job-id>/chk-<n>/<operator>-<subtask>   one operator subtask's state
// A checkpoint exists once its _metadata exists: it is written last, to a temporary name that is
// renamed into place. Every read verifies sizes and CRC-32 checksums, so a truncated or corrupted
// file is reported (with its path) instead of restored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
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

  // Writes the checkpoint's state files and then its _metadata; returns its directory.
  // Throws std::runtime_error (naming the path) if a file cannot be written.
  std::filesystem::path write(const CompletedCheckpoint& checkpoint);
  // The same into `dir` (a savepoint's own directory).
  void write_to(const std::filesystem::path& dir, const CompletedCheckpoint& checkpoint) const;
  // Reads a checkpoint from its directory or its _metadata file. Throws
  // CheckpointCorruptedException for a missing, truncated or corrupted file.
  static CompletedCheckpoint read(const std::filesystem::path& path);
  // Deletes a checkpoint's directory; errors are ignored (it may be gone already).
  void discard(int64_t id) const;
  // Deletes the job's directory if nothing is left in it.
  void remove_job_directory_if_empty() const;

 private:
  std::filesystem::path job_dir_;
  std::string job_id_;
};

}  // namespace eddy::cluster
