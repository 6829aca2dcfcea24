#include "cluster/job_master.h"

#include <fmt/format.h>

#include "cluster/state_assignment.h"
#include "eddy/core/exceptions.h"

namespace eddy::cluster {
namespace {

// Buffers a channel may hold before its sender waits: the credit of the channel.
constexpr int kCreditsPerChannel = 4;

// The downstream subtasks that upstream subtask `j` of `up` subtasks sends to over an edge.
std::vector<int> downstream_targets(runtime::PartitionKind kind, int j, int up, int down) {
  std::vector<int> targets;
  if (!runtime::is_pointwise(kind)) {
    for (int k = 0; k < down; ++k) targets.push_back(k);
  } else if (up >= down) {
    targets.push_back(static_cast<int>(int64_t{j} * down / up));
  } else {
    for (int k = 0; k < down; ++k) {
      if (static_cast<int>(int64_t{k} * up / down) == j) targets.push_back(k);
    }
  }
  return targets;
}

std::string failure_message(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

JobMaster::JobMaster(graph::JobGraph job, std::function<void()> on_end)
    : job_(std::move(job)),
      on_end_(std::move(on_end)),
      restart_backoff_(job_.stream_graph.config.restart_strategy) {}

JobMaster::~JobMaster() {
  cancel();
  {
    // After cancel() every task stops, and a RESTARTING job ends without another attempt.
    std::unique_lock lock(mu_);
    changed_.wait(lock,
                  [&] { return is_globally_terminal(status_) || status_ == JobStatus::kCreated; });
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  {
    std::lock_guard lock(mu_);
    changed_.notify_all();
  }
  if (supervisor_.joinable()) supervisor_.join();
  if (coordinator_) coordinator_->stop(false);
}

void JobMaster::start() {
  const auto& config = job_.stream_graph.config;
  timer_scheduler_ = std::make_unique<runtime::TimerScheduler>(
      config.clock ? config.clock : std::make_shared<const SystemClock>());
  start_time_ = std::chrono::steady_clock::now();
  // Every job has a coordinator: it takes savepoints, and periodic checkpoints if enabled.
  coordinator_ =
      std::make_unique<CheckpointCoordinator>(job_, config.checkpoint, checkpoint_hooks());
  std::unique_lock lock(mu_);
  if (config.savepoint_restore.restore_savepoint()) {
    try {
      restore_ = load_savepoint(config.savepoint_restore);
      coordinator_->restored_from(restore_->id);
    } catch (const std::exception& e) {
      failure_ = std::make_exception_ptr(std::runtime_error(e.what()));
      status_ = JobStatus::kFailing;
      end_job(std::move(lock));
      return;
    }
  }
  deploy_locked();
  status_ = JobStatus::kRunning;
  supervisor_ = std::thread([this] { run_supervisor(); });
  coordinator_->start();
}

CompletedCheckpoint JobMaster::load_savepoint(const SavepointRestoreSettings& settings) const {
  CompletedCheckpoint savepoint = CheckpointStorage::read(settings.path);
  for (const auto& [operator_id, state] : savepoint.operators) {
    const graph::StreamNode* match = nullptr;
    for (const auto& [id, node] : job_.stream_graph.nodes) {
      if (node.operator_id() == operator_id) match = &node;
    }
    if (match == nullptr) {
      if (settings.allow_non_restored_state) continue;
      throw std::runtime_error(fmt::format(
          "Failed to rollback to checkpoint/savepoint {}. Cannot map checkpoint/savepoint state "
          "for operator '{}' to the new program, because the operator is not available in the "
          "new program. To skip this state, allow non-restored state "
          "(SavepointRestoreSettings::for_path(path, true); --allowNonRestoredState in the CLI).",
          settings.path, operator_id));
    }
    bool keyed = false;
    for (const auto& [subtask, s] : state.subtasks) {
      keyed = keyed || !s->keyed.empty() || !s->raw_keyed.empty();
    }
    if (keyed && match->max_parallelism != state.max_parallelism) {
      throw std::runtime_error(fmt::format(
          "Failed to rollback to checkpoint/savepoint {}: the max parallelism of operator '{}' "
          "is {}, but its keyed state was taken with max parallelism {}; keyed state can only "
          "be redistributed among the same key groups",
          settings.path, match->name, match->max_parallelism, state.max_parallelism));
    }
    in_flight_of(state, *match, 0, savepoint.id);  // throws if it cannot be restored
  }
  return savepoint;
}

std::vector<CompletedCheckpointStats> JobMaster::checkpoint_history() const {
  return coordinator_->history();
}

std::future<std::string> JobMaster::trigger_savepoint(const std::string& target_dir) {
  return coordinator_->trigger_savepoint(target_dir);
}

std::future<std::string> JobMaster::stop_with_savepoint(const std::string& target_dir, bool drain) {
  return coordinator_->trigger_savepoint(
      target_dir, drain ? runtime::SourceStop::kStopAndDrain : runtime::SourceStop::kStop);
}

CheckpointCoordinator::JobHooks JobMaster::checkpoint_hooks() {
  CheckpointCoordinator::JobHooks hooks;
  hooks.trigger = [this](const runtime::CheckpointBarrier& barrier, runtime::SourceStop stop) {
    std::lock_guard lock(mu_);
    if (status_ != JobStatus::kRunning || remaining_tasks_ != tasks_.size()) return false;
    for (const auto& task : tasks_) {
      if (task->has_finished_chain()) return false;
    }
    for (auto& task : tasks_) {
      if (task->is_source()) task->trigger_checkpoint(barrier, stop);
    }
    if (stop == runtime::SourceStop::kStop) drain_at_end_ = false;
    return true;
  };
  hooks.notify_complete = [this](int64_t id) {
    std::lock_guard lock(mu_);
    for (auto& task : tasks_) task->notify_checkpoint_complete(id);
  };
  hooks.notify_aborted = [this](int64_t id) {
    std::lock_guard lock(mu_);
    for (auto& task : tasks_) task->notify_checkpoint_aborted(id);
  };
  hooks.fail_job = [this](const std::string& reason) {
    std::lock_guard lock(mu_);
    if (status_ == JobStatus::kRunning) {
      fail_over_locked(std::make_exception_ptr(std::runtime_error(reason)));
    }
  };
  return hooks;
}

void JobMaster::deploy_locked() {
  const auto& vertices = job_.vertices;
  // gates and wirings per (vertex, subtask)
  std::vector<std::vector<runtime::TaskWiring>> wirings(vertices.size());
  std::vector<std::vector<runtime::InputGate*>> gates(vertices.size());
  for (size_t v = 0; v < vertices.size(); ++v) {
    wirings[v].resize(vertices[v].parallelism);
    for (int i = 0; i < vertices[v].parallelism; ++i) {
      if (vertices[v].in_edges.empty()) {
        gates[v].push_back(nullptr);
        continue;
      }
      gates_.push_back(std::make_unique<runtime::InputGate>(kCreditsPerChannel));
      gates[v].push_back(gates_.back().get());
      wirings[v][i].gate = gates_.back().get();
    }
  }
  for (size_t v = 0; v < vertices.size(); ++v) {
    for (int e : vertices[v].out_edges) {
      const graph::StreamEdge& edge = job_.edge(e);
      const int target_vertex = job_.vertex_index_of_node.at(edge.target_id);
      const int up = vertices[v].parallelism;
      const int down = vertices[target_vertex].parallelism;
      for (int j = 0; j < up; ++j) {
        std::vector<runtime::ResultPartition::Target> targets;
        for (int k : downstream_targets(edge.partitioner.kind, j, up, down)) {
          runtime::InputGate* gate = gates[target_vertex][k];
          targets.push_back({gate, gate->add_channel()});
          wirings[target_vertex][k].channel_edge.push_back(e);
        }
        partitions_.push_back(std::make_unique<runtime::ResultPartition>(std::move(targets)));
        wirings[v][j].partitions[e] = partitions_.back().get();
      }
    }
  }
  runtime::FlushPolicy flush;
  flush.flush_every_record = job_.stream_graph.config.buffer_timeout_ms == 0;
  int total_tasks = 0;
  for (const auto& vertex : vertices) total_tasks += vertex.parallelism;
  const bool periodic = job_.stream_graph.config.checkpoint.is_checkpointing_enabled();
  end_barrier_ = std::make_unique<runtime::JobEndBarrier>(total_tasks, [this, periodic] {
    return periodic ? coordinator_->begin_final_checkpoint() : coordinator_->next_checkpoint_id();
  });
  for (size_t v = 0; v < vertices.size(); ++v) {
    for (int i = 0; i < vertices[v].parallelism; ++i) {
      runtime::TaskCheckpointing checkpointing;
      checkpointing.task_index = static_cast<int>(tasks_.size());
      checkpointing.mode = job_.stream_graph.config.checkpoint.get_checkpointing_mode();
      checkpointing.responder = coordinator_.get();
      checkpointing.end_barrier = end_barrier_.get();
      checkpointing.coordinated_final_checkpoint = periodic;
      checkpointing.drain_at_end = &drain_at_end_;
      if (restore_) checkpointing.restore = assign_state(*restore_, job_, vertices[v], i);
      tasks_.push_back(std::make_unique<runtime::Task>(
          job_, static_cast<int>(v), i, attempt_, std::move(wirings[v][i]), flush,
          *timer_scheduler_, running_, std::move(checkpointing)));
    }
  }
  remaining_tasks_ = tasks_.size();
  for (size_t i = 0; i < tasks_.size(); ++i) {
    threads_.emplace_back([this, i] {
      tasks_[i]->run();
      on_task_done(i);
    });
  }
}

void JobMaster::on_task_done(size_t task_index) {
  std::unique_lock lock(mu_);
  const runtime::Task& task = *tasks_[task_index];
  // Failures while RESTARTING or cancelling are consequences of cancelling the other tasks.
  if (task.outcome() == runtime::TaskOutcome::kFailed && status_ == JobStatus::kRunning) {
    fail_over_locked(task.failure());
  }
  if (--remaining_tasks_ > 0) return;
  if (status_ == JobStatus::kRestarting) {
    restart_time_ =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(restart_backoff_.backoff_ms());
    changed_.notify_all();  // the supervisor restarts the job
    return;
  }
  end_job(std::move(lock));
}

void JobMaster::fail_over_locked(std::exception_ptr cause) {
  restart_backoff_.notify_failure(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - start_time_)
                                      .count());
  if (restart_backoff_.can_restart()) {
    status_ = JobStatus::kRestarting;
  } else {
    failure_ = cause;
    status_ = JobStatus::kFailing;
  }
  coordinator_->abort_pending("the job is failing over");
  cancel_tasks_locked();
}

void JobMaster::end_job(std::unique_lock<std::mutex> lock) {
  if (coordinator_) {
    // Checkpointing stops before the status turns final: who sees it final may look at the
    // files. A failed job keeps its checkpoints (to restore by hand), a finished one never needs
    // them, a cancelled one keeps them if the config says so. The coordinator may be waiting
    // for our lock: release it meanwhile.
    const bool retain =
        failure_ != nullptr ||
        (status_ == JobStatus::kCancelling &&
         job_.stream_graph.config.checkpoint.get_externalized_checkpoint_cleanup() ==
             ExternalizedCheckpointCleanup::kRetainOnCancellation);
    lock.unlock();
    coordinator_->stop(!retain);
    lock.lock();
  }
  const auto runtime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start_time_)
                              .count();
  std::exception_ptr error;
  if (failure_) {
    status_ = JobStatus::kFailed;
    error = std::make_exception_ptr(JobExecutionException(fmt::format(
        "Job '{}' ({}) failed: {}", job_.job_name, job_.job_id, failure_message(failure_))));
  } else if (status_ == JobStatus::kCancelling) {
    status_ = JobStatus::kCanceled;
    error = std::make_exception_ptr(JobExecutionException(
        fmt::format("Job '{}' ({}) was cancelled", job_.job_name, job_.job_id)));
  } else {
    status_ = JobStatus::kFinished;
    std::map<std::string, int64_t> accumulators;
    for (const auto& t : tasks_) {
      for (const auto& [name, value] : t->accumulators()) accumulators[name] += value;
    }
    result_ = JobExecutionResult(job_.job_id, runtime_ms, std::move(accumulators));
  }
  if (error) failure_ = error;
  const JobStatus final_status = status_;
  std::vector<Listener> listeners;
  listeners.swap(listeners_);
  running_ = false;
  changed_.notify_all();
  lock.unlock();
  for (auto& listener : listeners) listener(final_status, error);
  if (on_end_) on_end_();
}

void JobMaster::cancel_tasks_locked() {
  running_ = false;
  if (end_barrier_) end_barrier_->cancel();
  for (auto& t : tasks_) t->cancel();
  for (auto& g : gates_) g->cancel();
}

void JobMaster::cancel() {
  std::unique_lock lock(mu_);
  if (status_ != JobStatus::kRunning && status_ != JobStatus::kRestarting) return;
  const bool waiting_to_restart = status_ == JobStatus::kRestarting && remaining_tasks_ == 0;
  status_ = JobStatus::kCancelling;
  cancel_tasks_locked();
  if (waiting_to_restart) end_job(std::move(lock));  // no task is left to end it
}

JobStatus JobMaster::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

JobExecutionResult JobMaster::wait() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return is_globally_terminal(status_); });
  if (status_ != JobStatus::kFinished) std::rethrow_exception(failure_);
  return result_;
}

void JobMaster::add_listener(Listener listener) {
  std::unique_lock lock(mu_);
  if (!is_globally_terminal(status_)) {
    listeners_.push_back(std::move(listener));
    return;
  }
  JobStatus status = status_;
  std::exception_ptr error = status == JobStatus::kFinished ? nullptr : failure_;
  lock.unlock();
  listener(status, error);
}

void JobMaster::restart_locked() {
  // Every task has called on_task_done, so its thread touches nothing of ours any more.
  for (auto& t : threads_) t.join();
  threads_.clear();
  tasks_.clear();
  partitions_.clear();
  gates_.clear();
  ++attempt_;
  drain_at_end_ = true;  // a stop-with-savepoint does not carry over to a restarted attempt
  {
    std::vector<std::string> skipped;
    if (auto latest = coordinator_->latest_restorable(&skipped)) {
      restore_ = std::move(latest);
    } else if (!skipped.empty()) {
      // Every retained checkpoint is damaged: restoring none would silently lose state.
      std::string message = "cannot restore job '" + job_.job_name + "' (" + job_.job_id +
                            "): no retained checkpoint is intact";
      for (const auto& s : skipped) message += "; " + s;
      failure_ = std::make_exception_ptr(std::runtime_error(message));
      status_ = JobStatus::kFailing;
      return;
    }
  }
  running_ = true;
  status_ = JobStatus::kRunning;
  deploy_locked();
}

void JobMaster::run_supervisor() {
  using Clock = std::chrono::steady_clock;
  const auto& config = job_.stream_graph.config;
  const auto flush_period = std::chrono::milliseconds(config.buffer_timeout_ms);
  auto next_flush = Clock::now() + flush_period;
  std::unique_lock lock(mu_);
  while (!is_globally_terminal(status_)) {
    const bool restart_due = status_ == JobStatus::kRestarting && remaining_tasks_ == 0;
    auto next = Clock::time_point::max();
    if (config.buffer_timeout_ms > 0) next = std::min(next, next_flush);
    if (restart_due) next = std::min(next, restart_time_);
    if (next == Clock::time_point::max()) {
      changed_.wait(lock);
      continue;
    }
    changed_.wait_until(lock, next);
    const auto now = Clock::now();
    if (status_ == JobStatus::kRestarting && remaining_tasks_ == 0 && now >= restart_time_) {
      restart_locked();
      if (status_ == JobStatus::kFailing) {
        end_job(std::move(lock));
        return;
      }
    }
    if (config.buffer_timeout_ms > 0 && now >= next_flush) {
      for (auto& task : tasks_) task->request_flush();
      next_flush = now + flush_period;
    }
  }
}

}  // namespace eddy::cluster
