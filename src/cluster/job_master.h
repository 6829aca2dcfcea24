// JobMaster: runs one job. It deploys one Task per subtask of every vertex onto the slots it was
// given, wires their gates and partitions, watches them, and turns their outcomes into the
// job's status: the first failure cancels every other task; the last task to stop ends the job,
// unless the restart strategy allows another attempt: then the job is RESTARTING until, after
// the strategy's delay, the supervisor thread deploys every task afresh.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "cluster/checkpoint_coordinator.h"
#include "eddy/api/job_client.h"
#include "graph/job_graph.h"
#include "runtime/input_gate.h"
#include "runtime/job_end_barrier.h"
#include "runtime/task.h"
#include "runtime/timer_scheduler.h"

namespace eddy::cluster {

class JobMaster {
 public:
  using Listener = std::function<void(JobStatus, std::exception_ptr)>;

  // `on_end` runs once, after the job has ended (e.g. to free its slots).
  JobMaster(graph::JobGraph job, std::function<void()> on_end = {});
  // Cancels the job if it still runs and waits for its threads.
  ~JobMaster();

  // Deploys and starts every task; returns at once. REQUIRES: called once.
  void start();
  void cancel();
  JobStatus status() const;
  // Waits for the end; throws JobExecutionException unless the job finished.
  JobExecutionResult wait();
  void add_listener(Listener listener);

  const graph::JobGraph& job() const { return job_; }
  // Takes a savepoint into a new directory under `target_dir`; the future gives its path.
  std::future<std::string> trigger_savepoint(const std::string& target_dir);
  std::vector<CompletedCheckpointStats> checkpoint_history() const;
  // The same, then the sources stop and the job finishes (see JobClient).
  std::future<std::string> stop_with_savepoint(const std::string& target_dir, bool drain);

 private:
  // Builds the gates, partitions and tasks of the current attempt and starts their threads.
  void deploy_locked();
  void on_task_done(size_t task_index);
  // A task failed or checkpoints failed too often: restart if the strategy allows, else fail.
  void fail_over_locked(std::exception_ptr cause);
  void cancel_tasks_locked();
  CheckpointCoordinator::JobHooks checkpoint_hooks();
  // Reads a savepoint and checks that this job can restore it. Throws with the reason.
  CompletedCheckpoint load_savepoint(const SavepointRestoreSettings& settings) const;
  // Joins the ended attempt's threads, drops its tasks and deploys the next attempt.
  void restart_locked();
  // Sets the final status and tells the listeners; `lock` is released.
  void end_job(std::unique_lock<std::mutex> lock);
  // The supervisor thread: asks every task to flush its network outputs every buffer timeout
  // and restarts the job when its backoff has passed, until the job ends.
  void run_supervisor();
  // When the cancelled tasks of the current attempt must have ended (task.cancellation.timeout),
  // if some are still running and the watchdog is on.
  std::optional<std::chrono::steady_clock::time_point> cancellation_deadline_locked() const;
  // The watchdog: names the tasks that ignore cancellation and ends the process.
  [[noreturn]] void give_up_on_stuck_tasks_locked();

  graph::JobGraph job_;
  std::function<void()> on_end_;
  std::atomic<bool> running_{true};  // false once the job is cancelled or failing
  // Outlives the tasks (declared before them): they unregister from it when destroyed.
  std::unique_ptr<runtime::TimerScheduler> timer_scheduler_;

  std::vector<std::unique_ptr<runtime::InputGate>> gates_;
  std::vector<std::unique_ptr<runtime::ResultPartition>> partitions_;
  std::vector<std::unique_ptr<runtime::Task>> tasks_;
  std::vector<std::thread> threads_;
  std::thread supervisor_;
  std::unique_ptr<CheckpointCoordinator> coordinator_;
  std::unique_ptr<runtime::JobEndBarrier> end_barrier_;  // of the current attempt
  std::atomic<bool> drain_at_end_{true};  // false once stopping with a savepoint, no drain
  // What the next attempt restores: the savepoint the job started from, later the latest
  // completed checkpoint. GUARDED_BY(mu_)
  std::optional<CompletedCheckpoint> restore_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  JobStatus status_ = JobStatus::kCreated;  // GUARDED_BY(mu_)
  size_t remaining_tasks_ = 0;              // GUARDED_BY(mu_)
  std::exception_ptr failure_;              // GUARDED_BY(mu_): the first task failure
  std::vector<Listener> listeners_;         // GUARDED_BY(mu_)
  JobExecutionResult result_;               // GUARDED_BY(mu_): valid once FINISHED
  std::chrono::steady_clock::time_point start_time_;
  RestartBackoff restart_backoff_;                      // GUARDED_BY(mu_)
  int attempt_ = 0;                                     // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point restart_time_;  // GUARDED_BY(mu_): when RESTARTING
  // GUARDED_BY(mu_): when the current attempt's tasks were first told to cancel.
  std::optional<std::chrono::steady_clock::time_point> cancel_started_;
};

}  // namespace eddy::cluster
