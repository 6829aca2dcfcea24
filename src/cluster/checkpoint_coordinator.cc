#include "cluster/checkpoint_coordinator.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "eddy/core/clock.h"

namespace eddy::cluster {

CheckpointCoordinator::CheckpointCoordinator(const graph::JobGraph& job, CheckpointConfig config,
                                             JobHooks hooks)
    : job_(job),
      config_(std::move(config)),
      hooks_(std::move(hooks)),
      storage_(config_.get_checkpoint_storage_dir().empty()
                   ? std::filesystem::temp_directory_path() / "eddy-checkpoints"
                   : std::filesystem::path(config_.get_checkpoint_storage_dir()),
               job.job_id) {
  for (size_t v = 0; v < job.vertices.size(); ++v) {
    for (int i = 0; i < job.vertices[v].parallelism; ++i) {
      tasks_.push_back({static_cast<int>(v), i});
    }
  }
}

CheckpointCoordinator::~CheckpointCoordinator() {
  stop(false);
}

void CheckpointCoordinator::start() {
  std::lock_guard lock(mu_);
  next_trigger_ = config_.is_checkpointing_enabled()
                      ? Clock::now() + std::chrono::milliseconds(config_.get_checkpoint_interval())
                      : Clock::time_point::max();
  thread_ = std::thread([this] { run(); });
}

std::future<std::string> CheckpointCoordinator::trigger_savepoint(const std::string& target_dir,
                                                                  runtime::SourceStop stop) {
  Pending request;
  request.stop = stop;
  // Flink's name: savepoint-<first 6 characters of the job id>-<12 random hex digits>.
  std::random_device random;
  request.savepoint_dir = std::filesystem::path(target_dir) /
                          fmt::format("savepoint-{}-{:06x}{:06x}", job_.job_id.substr(0, 6),
                                      random() & 0xffffff, random() & 0xffffff);
  request.savepoint_result = std::make_shared<std::promise<std::string>>();
  std::future<std::string> result = request.savepoint_result->get_future();
  std::lock_guard lock(mu_);
  if (stopping_) {
    request.savepoint_result->set_exception(std::make_exception_ptr(
        std::runtime_error("cannot take a savepoint of job " + job_.job_id + ": it has ended")));
  } else {
    savepoint_requests_.push_back(std::move(request));
    changed_.notify_all();
  }
  return result;
}

void CheckpointCoordinator::restored_from(int64_t id) {
  std::lock_guard lock(mu_);
  next_id_ = std::max(next_id_, id + 1);
}

void CheckpointCoordinator::stop(bool discard_completed) {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  for (const auto& [id, pending] : pending_) discard_locked(id, pending, "the job ended");
  for (const auto& request : savepoint_requests_) {
    request.savepoint_result->set_exception(std::make_exception_ptr(
        std::runtime_error("savepoint of job " + job_.job_id + " not taken: the job ended")));
  }
  savepoint_requests_.clear();
  pending_.clear();
  if (discard_completed) {
    for (int64_t id : completed_) storage_.discard(id);
    completed_.clear();
  }
  storage_.remove_job_directory_if_empty();
}

void CheckpointCoordinator::run() {
  std::unique_lock lock(mu_);
  const auto interval = std::chrono::milliseconds(config_.get_checkpoint_interval());
  const auto timeout = std::chrono::milliseconds(config_.get_checkpoint_timeout());
  const auto min_pause = std::chrono::milliseconds(config_.get_min_pause_between_checkpoints());
  while (!stopping_) {
    const auto now = Clock::now();
    if (!ready_to_complete_.empty()) {
      const int64_t id = *ready_to_complete_.begin();
      ready_to_complete_.erase(ready_to_complete_.begin());
      if (pending_.contains(id)) complete_locked(id, lock);
      continue;
    }
    if (!savepoint_requests_.empty()) {
      Pending request = std::move(savepoint_requests_.front());
      savepoint_requests_.erase(savepoint_requests_.begin());
      trigger_locked(lock, std::move(request));
      continue;
    }
    if (!declined_.empty()) {
      auto [id, reason] = *declined_.begin();
      declined_.erase(declined_.begin());
      if (pending_.contains(id)) abort_locked(id, "declined by a task: " + reason, true, lock);
      continue;
    }
    auto expired = std::find_if(pending_.begin(), pending_.end(),
                                [&](const auto& p) { return now - p.second.started >= timeout; });
    if (expired != pending_.end()) {
      abort_locked(expired->first, "expired before completing", true, lock);
      continue;
    }
    auto wake = Clock::time_point::max();
    for (const auto& [id, pending] : pending_) wake = std::min(wake, pending.started + timeout);
    if (pending_.size() < static_cast<size_t>(config_.get_max_concurrent_checkpoints())) {
      const auto due = std::max(next_trigger_, last_end_ + min_pause);
      if (now >= due) {
        trigger_locked(lock, Pending{});
        next_trigger_ = Clock::now() + interval;
        continue;
      }
      wake = std::min(wake, due);
    }
    changed_.wait_until(lock, wake);
  }
}

bool CheckpointCoordinator::unaligned_by_config() const {
  return config_.is_unaligned_checkpoints_enabled() &&
         config_.get_checkpointing_mode() == CheckpointingMode::kExactlyOnce;
}

void CheckpointCoordinator::trigger_locked(std::unique_lock<std::mutex>& lock, Pending request) {
  runtime::CheckpointBarrier barrier{next_id_++, SystemClock().now_ms()};
  barrier.is_savepoint = request.savepoint_dir.has_value();
  barrier.unaligned = !barrier.is_savepoint && unaligned_by_config();
  Pending& pending = pending_[barrier.id];
  pending = std::move(request);
  pending.timestamp = barrier.timestamp;
  pending.unaligned = barrier.unaligned;
  pending.started = Clock::now();
  for (int t = 0; t < static_cast<int>(tasks_.size()); ++t) pending.awaiting.insert(t);
  // `pending` may be gone once the lock is released (a failover aborts what is pending).
  const runtime::SourceStop stop = pending.stop;
  lock.unlock();
  const bool sent = hooks_.trigger(barrier, stop);
  lock.lock();
  // Not all tasks running (deploying, restarting or finishing): not a failure, just skipped;
  // a savepoint asked for now fails.
  if (!sent) {
    auto it = pending_.find(barrier.id);
    if (it != pending_.end()) {
      discard_locked(it->first, it->second, "not all tasks of the job are running");
      pending_.erase(it);
    }
  }
}

void CheckpointCoordinator::discard_locked(int64_t id, const Pending& pending,
                                           const std::string& reason) {
  if (!pending.savepoint_dir) {
    storage_.discard(id);
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(*pending.savepoint_dir, ec);
  pending.savepoint_result->set_exception(std::make_exception_ptr(std::runtime_error(
      fmt::format("savepoint {} of job {} failed: {}", id, job_.job_id, reason))));
}

void CheckpointCoordinator::acknowledge(int task_index, int64_t checkpoint_id,
                                        runtime::TaskStateSnapshot state) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(checkpoint_id);
  if (it == pending_.end()) return;  // aborted meanwhile
  it->second.awaiting.erase(task_index);
  it->second.latest_ack_timestamp = SystemClock().now_ms();
  it->second.acknowledged[task_index] = std::move(state);
  if (it->second.awaiting.empty()) {
    ready_to_complete_.insert(checkpoint_id);
    changed_.notify_all();
  }
}

void CheckpointCoordinator::decline(int task_index, int64_t checkpoint_id,
                                    const std::string& reason) {
  std::lock_guard lock(mu_);
  if (!pending_.contains(checkpoint_id)) return;
  const TaskInfo& task = tasks_.at(task_index);
  declined_.emplace(checkpoint_id,
                    fmt::format("{} ({}/{}): {}", job_.vertices[task.vertex].name, task.subtask + 1,
                                job_.vertices[task.vertex].parallelism, reason));
  changed_.notify_all();
}

void CheckpointCoordinator::complete_locked(int64_t id, std::unique_lock<std::mutex>& lock) {
  Pending pending = std::move(pending_.at(id));
  pending_.erase(id);  // complete now, whatever happens to the other pending ones meanwhile
  // The snapshots' deferred phases run and the files are written without the lock:
  // acknowledgements of later checkpoints go on. A failover meanwhile (a new generation)
  // restores an older checkpoint, so this one must not complete after it: see below.
  const uint64_t generation = generation_;
  lock.unlock();
  CompletedCheckpointStats stats;
  stats.id = id;
  stats.is_savepoint = pending.savepoint_dir.has_value();
  stats.unaligned = pending.unaligned;
  stats.trigger_timestamp = pending.timestamp;
  stats.latest_ack_timestamp = pending.latest_ack_timestamp;
  CompletedCheckpoint checkpoint;
  checkpoint.id = id;
  checkpoint.timestamp = pending.timestamp;
  checkpoint.job_id = job_.job_id;
  std::string failure;
  try {
    for (auto& [task_index, snapshot] : pending.acknowledged) {
      const TaskInfo& task = tasks_[task_index];
      for (auto& [node_id, state] : snapshot) {
        const graph::StreamNode& node = job_.node(node_id);
        try {
          state.keyed.materialize();
        } catch (const std::exception& e) {
          throw std::runtime_error(fmt::format("{} ({}/{}): {}", node.name, task.subtask + 1,
                                               node.parallelism, e.what()));
        }
        for (const runtime::InFlightRecords& records : state.in_flight) {
          stats.persisted_data += static_cast<int64_t>(records.records.size());
        }
        OperatorCheckpointState& op = checkpoint.operators[node.operator_id()];
        op.parallelism = node.parallelism;
        op.max_parallelism = node.max_parallelism;
        op.subtasks[task.subtask] =
            std::make_shared<const runtime::OperatorSubtaskState>(std::move(state));
      }
    }
    if (pending.savepoint_dir) {
      storage_.write_to(*pending.savepoint_dir, checkpoint);
    } else {
      storage_.write(checkpoint);
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  lock.lock();
  if (failure.empty() && generation != generation_ && !pending.savepoint_dir) {
    // The job failed over while this checkpoint was written: the next attempt restores (or has
    // restored) an older one and replaces what this one holds. Completing it now would make it
    // the restore point of a later failover although the running attempt has already discarded
    // the files it refers to (e.g. a FileSink's in-progress parts).
    storage_.discard(id);
    return;
  }
  if (failure.empty()) {
    stats.end_to_end_duration = SystemClock().now_ms() - stats.trigger_timestamp;
    history_.push_back(stats);
    if (history_.size() > static_cast<size_t>(kCheckpointHistorySize)) history_.pop_front();
  }
  if (!failure.empty()) {
    pending_[id] = std::move(pending);  // abort_locked reports to a savepoint's waiter
    abort_locked(id, "cannot be written: " + failure, true, lock);
    return;
  }
  pending_.erase(id);
  if (pending.savepoint_dir) {
    // A savepoint belongs to the user: not retained, not subsuming, never deleted here.
    pending.savepoint_result->set_value(pending.savepoint_dir->string());
    if (generation != generation_) return;  // its tasks are gone
    lock.unlock();
    hooks_.notify_complete(id);
    lock.lock();
    return;
  }
  completed_.push_back(id);
  consecutive_failures_ = 0;
  last_end_ = Clock::now();
  // An older checkpoint still pending is subsumed by this one.
  std::vector<int64_t> subsumed;
  for (const auto& [pending_id, p] : pending_) {
    if (pending_id < id) subsumed.push_back(pending_id);
  }
  for (int64_t old : subsumed) {
    if (pending_.at(old).savepoint_dir) continue;  // a savepoint is never subsumed
    storage_.discard(old);
    pending_.erase(old);
  }
  while (completed_.size() > static_cast<size_t>(config_.get_num_retained_checkpoints())) {
    storage_.discard(completed_.front());
    completed_.erase(completed_.begin());
  }
  lock.unlock();
  hooks_.notify_complete(id);
  lock.lock();
}

void CheckpointCoordinator::abort_locked(int64_t id, const std::string& reason,
                                         bool counts_as_failure,
                                         std::unique_lock<std::mutex>& lock) {
  if (auto it = pending_.find(id); it != pending_.end()) {
    discard_locked(id, it->second, reason);
    pending_.erase(it);
  }
  last_end_ = Clock::now();
  bool fail = false;
  if (counts_as_failure &&
      ++consecutive_failures_ > config_.get_tolerable_checkpoint_failure_number()) {
    fail = true;
    consecutive_failures_ = 0;
  }
  lock.unlock();
  hooks_.notify_aborted(id);
  if (fail) {
    hooks_.fail_job(fmt::format(
        "Exceeded checkpoint tolerable failure threshold ({}): checkpoint {} of job {} {}",
        config_.get_tolerable_checkpoint_failure_number(), id, job_.job_id, reason));
  }
  lock.lock();
}

void CheckpointCoordinator::abort_pending(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++generation_;
  for (const auto& [id, pending] : pending_) discard_locked(id, pending, reason);
  pending_.clear();
  ready_to_complete_.clear();
  declined_.clear();
  // The next attempt starts its checkpoints a full interval after it was deployed. The thread
  // may be waiting for a pending checkpoint's timeout: wake it to plan anew.
  if (config_.is_checkpointing_enabled()) {
    next_trigger_ = Clock::now() + std::chrono::milliseconds(config_.get_checkpoint_interval());
  }
  changed_.notify_all();
}

std::optional<CompletedCheckpoint> CheckpointCoordinator::latest_restorable(
    std::vector<std::string>* skipped) {
  std::unique_lock lock(mu_);
  while (!completed_.empty()) {
    const int64_t id = completed_.back();
    try {
      return CheckpointStorage::read(storage_.checkpoint_directory(id));
    } catch (const CheckpointCorruptedException& e) {
      if (skipped != nullptr) skipped->push_back(e.what());
      completed_.pop_back();  // never again: a later restore must not find it either
    }
  }
  return std::nullopt;
}

int64_t CheckpointCoordinator::begin_final_checkpoint() {
  std::lock_guard lock(mu_);
  const int64_t id = next_id_++;
  Pending& pending = pending_[id];
  pending.timestamp = SystemClock().now_ms();
  pending.started = Clock::now();
  // Of the configured kind, although nothing is in flight any more at the end.
  pending.unaligned = unaligned_by_config();
  for (int t = 0; t < static_cast<int>(tasks_.size()); ++t) pending.awaiting.insert(t);
  changed_.notify_all();  // its timeout counts from now
  return id;
}

int64_t CheckpointCoordinator::next_checkpoint_id() {
  std::lock_guard lock(mu_);
  return next_id_++;
}

std::vector<CompletedCheckpointStats> CheckpointCoordinator::history() const {
  std::lock_guard lock(mu_);
  return {history_.begin(), history_.end()};
}

std::vector<int64_t> CheckpointCoordinator::retained_checkpoint_ids() const {
  std::lock_guard lock(mu_);
  return completed_;
}

}  // namespace eddy::cluster
