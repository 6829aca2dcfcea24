// CheckpointCoordinator: takes a job's periodic checkpoints. Its thread triggers checkpoint n
// every interval (respecting the minimum pause and the maximum of concurrent checkpoints) by
// asking the job master to send the barrier through the sources; each task acknowledges its
// state; once all have, the checkpoint is written to storage (CheckpointStorage), becomes the
// latest completed one, older ones beyond the retained number are deleted, and the tasks are
// told (notify_checkpoint_complete). A checkpoint that a task declines or that times out is
// aborted and deleted; more failures in a row than tolerated fail the job.
//
// Locking: the coordinator never calls the job master while holding its own lock, so the job
// master may call it while holding its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/checkpoint_storage.h"
#include "eddy/core/checkpoint_config.h"
#include "eddy/core/checkpoint_stats.h"
#include "eddy/runtime/checkpoint.h"
#include "graph/job_graph.h"

namespace eddy::cluster {

class CheckpointCoordinator final : public runtime::CheckpointResponder {
 public:
  struct JobHooks {
    // Sends `barrier` through every source task (which then stop as `stop` says); returns false
    // (nothing sent) unless every task of the job runs and none has finished.
    std::function<bool(const runtime::CheckpointBarrier&, runtime::SourceStop stop)> trigger;
    std::function<void(int64_t)> notify_complete;
    std::function<void(int64_t)> notify_aborted;
    // More checkpoint failures in a row than tolerated: the job fails over.
    std::function<void(const std::string&)> fail_job;
  };

  CheckpointCoordinator(const graph::JobGraph& job, CheckpointConfig config, JobHooks hooks);
  ~CheckpointCoordinator() override;

  // Starts the coordinator's thread: periodic checkpoints if the config enables them, and
  // savepoints when asked.
  void start();
  // Takes a savepoint now into a new directory under `target_dir`; the future gives its path,
  // or the reason it failed. Savepoints are neither retained nor deleted by the coordinator.
  // With `stop`, the sources stop right after the savepoint's barrier (stop-with-savepoint).
  std::future<std::string> trigger_savepoint(const std::string& target_dir,
                                             runtime::SourceStop stop = runtime::SourceStop::kNone);
  // The job started from checkpoint or savepoint `id`: later ones are numbered after it.
  void restored_from(int64_t id);
  // Stops the thread; aborts what is pending. With `discard_completed`, deletes the retained
  // checkpoints too. REQUIRES: not called while the job master holds its lock.
  void stop(bool discard_completed);

  // The job failed: pending checkpoints are aborted (their late acknowledgements are ignored),
  // and so is a checkpoint being written now.
  void abort_pending(const std::string& reason);
  // The latest completed checkpoint that reads back intact; a corrupted one is skipped (and
  // reported through `skipped`). Nothing if there is none.
  std::optional<CompletedCheckpoint> latest_restorable(std::vector<std::string>* skipped);
  // An id for a job's final checkpoint that is not written (the job takes no periodic
  // checkpoints, so nothing restores it to its end).
  int64_t next_checkpoint_id();
  // Every task has finished: starts the job's final checkpoint, which each task acknowledges
  // with its state like a periodic one; it is written, and its completion notified, as theirs.
  // Returns its id.
  int64_t begin_final_checkpoint();

  void acknowledge(int task_index, int64_t checkpoint_id,
                   runtime::TaskStateSnapshot state) override;
  void decline(int task_index, int64_t checkpoint_id, const std::string& reason) override;

  // The latest completed checkpoints and savepoints (at most kCheckpointHistorySize), oldest
  // first.
  std::vector<CompletedCheckpointStats> history() const;
  // Completed checkpoints retained, oldest first (ids).
  std::vector<int64_t> retained_checkpoint_ids() const;
  const CheckpointStorage& storage() const { return storage_; }

 private:
  using Clock = std::chrono::steady_clock;

  struct Pending {
    int64_t timestamp = 0;
    bool unaligned = false;
    int64_t latest_ack_timestamp = 0;
    Clock::time_point started;
    // Savepoints only: where it goes and who waits for it.
    std::optional<std::filesystem::path> savepoint_dir;
    std::shared_ptr<std::promise<std::string>> savepoint_result;
    runtime::SourceStop stop = runtime::SourceStop::kNone;
    std::set<int> awaiting;  // task indices that have not acknowledged
    std::map<int, runtime::TaskStateSnapshot> acknowledged;
  };
  struct TaskInfo {
    int vertex = 0;
    int subtask = 0;
  };

  void run();
  // Checkpoints (not savepoints) are unaligned: enabled, and EXACTLY_ONCE.
  bool unaligned_by_config() const;
  // Each may release `lock` while it calls the job master.
  void trigger_locked(std::unique_lock<std::mutex>& lock, Pending pending);
  void complete_locked(int64_t id, std::unique_lock<std::mutex>& lock);
  void abort_locked(int64_t id, const std::string& reason, bool counts_as_failure,
                    std::unique_lock<std::mutex>& lock);
  // Deletes what a pending checkpoint wrote; a savepoint's waiter learns why it failed.
  void discard_locked(int64_t id, const Pending& pending, const std::string& reason);

  const graph::JobGraph& job_;
  const CheckpointConfig config_;
  JobHooks hooks_;
  CheckpointStorage storage_;
  std::vector<TaskInfo> tasks_;  // by task index, as the job master deploys them

  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  int64_t next_id_ = 1;                      // GUARDED_BY(mu_)
  std::map<int64_t, Pending> pending_;       // GUARDED_BY(mu_)
  std::vector<int64_t> completed_;           // GUARDED_BY(mu_): retained, oldest first
  std::set<int64_t> ready_to_complete_;      // GUARDED_BY(mu_): all acknowledged, to be written
  std::map<int64_t, std::string> declined_;  // GUARDED_BY(mu_): to be aborted, with the reason
  std::vector<Pending> savepoint_requests_;  // GUARDED_BY(mu_): to be triggered
  int consecutive_failures_ = 0;             // GUARDED_BY(mu_)
  // Counts failovers (abort_pending): a checkpoint whose writing began in an earlier generation
  // is discarded instead of completed.
  uint64_t generation_ = 0;                       // GUARDED_BY(mu_)
  std::deque<CompletedCheckpointStats> history_;  // GUARDED_BY(mu_)
  Clock::time_point last_end_;                    // GUARDED_BY(mu_): when the last checkpoint ended
  Clock::time_point next_trigger_;                // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace eddy::cluster
