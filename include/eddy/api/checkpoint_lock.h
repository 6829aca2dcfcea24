// CheckpointLock: the lock a user source holds to emit records and change its state as one step
// (Flink's checkpoint lock). Recursive, so collect() may be called while holding it. Fair to the
// task: while the task has mail to run under it (a checkpoint to take, timers to fire, a flush)
// or waits for it, the source's thread does not take it again, so a source emitting in a tight
// loop cannot starve checkpoints. A BasicLockable: use it with std::lock_guard or
// std::unique_lock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "eddy/core/dcheck.h"

namespace eddy {

class CheckpointLock {
 public:
  void lock() {
    if (owner_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
      ++depth_;  // recursive: the owner never waits
      return;
    }
    // Checked again every millisecond: the task takes the lock soon after its mail arrived.
    while (task_wants_lock()) {
      std::unique_lock guard(wait_mu_);
      yielded_.wait_for(guard, std::chrono::milliseconds(1), [&] { return !task_wants_lock(); });
    }
    take();
  }
  void unlock() {
    EDDY_DCHECK(held_by_current_thread(), "CheckpointLock::unlock() by the thread holding it");
    if (--depth_ > 0) return;
    owner_.store(std::thread::id(), std::memory_order_relaxed);
    mu_.unlock();
  }
  // For EDDY_DCHECK: whether the calling thread holds the lock.
  bool held_by_current_thread() const {
    return owner_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
  // The task's side. `has_mail` tells whether the task has mail to run under the lock.
  // REQUIRES: the lock is not in use yet.
  void set_task_mail(const std::atomic<bool>* has_mail) { task_mail_ = has_mail; }
  // The task's side: it runs no more mail (it is ending, e.g. after a failure), so the source's
  // thread stops leaving the lock to it. Without this, a source waiting in lock() for mail that
  // will never run and a task joining the source's thread would wait for each other forever.
  void release_to_source() {
    task_gone_.store(true);
    std::lock_guard guard(wait_mu_);
    yielded_.notify_all();
  }
  // The task's side: takes the lock ahead of the source's next lock().
  void lock_for_task() {
    task_waiting_.fetch_add(1);
    take();
    if (task_waiting_.fetch_sub(1) == 1) {
      std::lock_guard guard(wait_mu_);
      yielded_.notify_all();
    }
  }

 private:
  bool task_wants_lock() const {
    if (task_gone_.load()) return false;
    return task_waiting_.load() > 0 ||
           (task_mail_ != nullptr && task_mail_->load(std::memory_order_relaxed));
  }
  void take() {
    mu_.lock();
    owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    depth_ = 1;
  }

  std::mutex mu_;
  std::atomic<std::thread::id> owner_{};
  int depth_ = 0;  // GUARDED_BY(mu_)
  std::atomic<int> task_waiting_{0};
  std::atomic<bool> task_gone_{false};
  const std::atomic<bool>* task_mail_ = nullptr;
  std::mutex wait_mu_;
  std::condition_variable yielded_;
};

}  // namespace eddy
