// Mailbox: actions other threads hand to a task, run by the task's own thread between buffers
// (or, in a source, between records). This keeps an operator single-threaded: a processing-time
// timer (and, later, a checkpoint trigger) runs on the thread that owns the operator's state.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "eddy/core/dcheck.h"

namespace eddy::runtime {

class Mailbox {
 public:
  // `wake` makes the owning task stop waiting for input so that it sees new mail; it may be
  // called from any thread.
  void set_waker(std::function<void()> wake) { wake_ = std::move(wake); }

  // Any thread. The mail runs once, on the owning task's thread, unless the task ends first.
  void post(std::function<void()> mail) {
    {
      std::lock_guard lock(mu_);
      mails_.push_back(std::move(mail));
      pending_.store(true, std::memory_order_release);
      posted_.notify_all();
    }
    if (wake_) wake_();
  }

  // Owner thread: waits until mail is pending, `timeout` passed, or wake_waiter() was called.
  void wait_for_mail(std::chrono::milliseconds timeout) {
    EDDY_DCHECK(owner_.claim(), "Mailbox::wait_for_mail() called off the owning task's thread");
    std::unique_lock lock(mu_);
    posted_.wait_for(lock, timeout, [&] { return !mails_.empty() || woken_; });
    woken_ = false;
  }
  // Any thread: ends the owner's current (or next) wait_for_mail().
  void wake_waiter() {
    std::lock_guard lock(mu_);
    woken_ = true;
    posted_.notify_all();
  }

  // Cheap enough to ask once per record.
  bool has_mail() const { return pending_.load(std::memory_order_relaxed); }
  // The flag behind has_mail(), for another thread to watch.
  const std::atomic<bool>& mail_flag() const { return pending_; }

  // Owner thread: runs all mail posted so far, in posting order.
  void run_all() {
    EDDY_DCHECK(owner_.claim(), "Mailbox::run_all() called off the owning task's thread");
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(mails_);
      pending_.store(false, std::memory_order_relaxed);
    }
    for (auto& mail : batch) mail();
  }

 private:
  std::function<void()> wake_;  // set before the task runs; read-only afterwards
  std::mutex mu_;
  std::condition_variable posted_;
  std::vector<std::function<void()>> mails_;  // GUARDED_BY(mu_)
  bool woken_ = false;                        // GUARDED_BY(mu_)
  std::atomic<bool> pending_{false};
  // The owning task's thread: the first to wait for or run mail.
  [[no_unique_address]] ThreadOwner owner_;
};

}  // namespace eddy::runtime
