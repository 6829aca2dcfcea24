#include "runtime/timer_scheduler.h"

#include <chrono>

namespace eddy::runtime {

TimerScheduler::TimerScheduler(std::shared_ptr<const Clock> clock) : clock_(std::move(clock)) {
  // A manual clock moves only when told: wake up to look at the new time.
  listener_id_ = const_cast<Clock&>(*clock_).add_listener([this] {
    std::lock_guard lock(mu_);
    changed_.notify_all();
  });
  thread_ = std::thread([this] { run(); });
}

TimerScheduler::~TimerScheduler() {
  const_cast<Clock&>(*clock_).remove_listener(listener_id_);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    changed_.notify_all();
  }
  thread_.join();
}

void TimerScheduler::schedule(int64_t time, Mailbox* mailbox, std::function<void()> fire) {
  std::lock_guard lock(mu_);
  const bool earliest = due_.empty() || time < due_.begin()->first;
  due_.emplace(time, std::make_pair(mailbox, std::move(fire)));
  if (earliest) changed_.notify_all();
}

void TimerScheduler::forget(Mailbox* mailbox) {
  std::lock_guard lock(mu_);
  std::erase_if(due_, [&](const auto& entry) { return entry.second.first == mailbox; });
}

void TimerScheduler::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    const int64_t now = clock_->now_ms();
    const int64_t next = due_.begin()->first;
    if (now >= next) {
      auto entry = due_.extract(due_.begin());
      // Posting under the lock: forget() must not return while a post to its mailbox is on the way.
      entry.mapped().first->post(std::move(entry.mapped().second));
      continue;
    }
    if (clock_->is_manual()) {
      changed_.wait(lock);
    } else {
      changed_.wait_for(lock, std::chrono::milliseconds(next - now));
    }
  }
}

}  // namespace eddy::runtime
