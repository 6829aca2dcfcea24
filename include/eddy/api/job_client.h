// JobClient: a handle on a submitted job — its status, its result, and a way to cancel it.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eddy/core/checkpoint_stats.h"

namespace eddy {

namespace cluster {
class JobMaster;
}

// Flink's job states. A job ends in exactly one of FINISHED, FAILED or CANCELED. RESTARTING:
// a task failed and the restart strategy allows another attempt; the job runs again after the
// strategy's delay.
enum class JobStatus {
  kCreated,
  kRunning,
  kFailing,
  kFailed,
  kCancelling,
  kCanceled,
  kFinished,
  kRestarting
};

const char* to_string(JobStatus status);
inline bool is_globally_terminal(JobStatus s) {
  return s == JobStatus::kFinished || s == JobStatus::kFailed || s == JobStatus::kCanceled;
}

class JobExecutionResult {
 public:
  JobExecutionResult() = default;
  JobExecutionResult(std::string job_id, int64_t net_runtime_ms,
                     std::map<std::string, int64_t> accumulators)
      : job_id_(std::move(job_id)),
        net_runtime_ms_(net_runtime_ms),
        accumulators_(std::move(accumulators)) {}

  const std::string& get_job_id() const { return job_id_; }
  // Wall time from the start of the job to its end, in milliseconds.
  int64_t get_net_runtime() const { return net_runtime_ms_; }
  // The sum of a LongCounter accumulator over all subtasks; throws if no operator created it.
  int64_t get_accumulator_result(const std::string& name) const;
  const std::map<std::string, int64_t>& get_all_accumulator_results() const {
    return accumulators_;
  }

 private:
  std::string job_id_;
  int64_t net_runtime_ms_ = 0;
  std::map<std::string, int64_t> accumulators_;
};

class JobClient {
 public:
  explicit JobClient(std::shared_ptr<cluster::JobMaster> master);

  const std::string& get_job_id() const;
  const std::string& get_job_name() const;
  JobStatus get_job_status() const;
  // Asks the job to stop; returns at once. get_job_execution_result() then reports CANCELED.
  void cancel();
  // Waits for the job's end. Throws JobExecutionException if it failed or was cancelled.
  JobExecutionResult get_job_execution_result();
  // Runs `listener` once when the job ends (at once, if it has ended). `error` is null when
  // the job finished; otherwise it holds a JobExecutionException.
  void add_completion_listener(std::function<void(JobStatus, std::exception_ptr error)> listener);
  // The job's latest completed checkpoints and savepoints (up to 10, oldest first): when each
  // was triggered, how long it took, the records in flight an unaligned one stored.
  std::vector<CompletedCheckpointStats> get_checkpoint_stats() const;
  // Takes a savepoint of the running job into a new directory under `target_dir`
  // (savepoint-<job>-<random>); the future gives its path, or throws why it failed.
  std::future<std::string> trigger_savepoint(const std::string& target_dir);
  // Takes a savepoint and stops the job at it: the sources emit nothing after the savepoint, the
  // job drains what is in flight and ends FINISHED, so a job restored from the savepoint goes on
  // exactly where this one stopped. With `drain`, event time first advances to its end (every
  // event-time window and timer fires; use it to end a job for good, not to upgrade it). If the
  // savepoint fails, the sources have stopped all the same and the job still finishes.
  std::future<std::string> stop_with_savepoint(const std::string& target_dir, bool drain = false);

 private:
  std::shared_ptr<cluster::JobMaster> master_;
};

}  // namespace eddy
