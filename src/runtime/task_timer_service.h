// TaskTimerService: the processing-time service of one task. Its timers live on the task's
// thread; the job's TimerScheduler only wakes the task for the earliest of them.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "eddy/core/dcheck.h"
#include "eddy/runtime/mailbox.h"
#include "eddy/runtime/processing_time_service.h"
#include "runtime/timer_scheduler.h"

namespace eddy::runtime {

class TaskTimerService final : public ProcessingTimeService {
 public:
  TaskTimerService(TimerScheduler& scheduler, Mailbox& mailbox)
      : scheduler_(scheduler), mailbox_(mailbox) {}
  ~TaskTimerService() override { quiesce(); }

  // The task has ended: pending timers are dropped and never fire.
  void quiesce() {
    scheduler_.forget(&mailbox_);
    timers_.clear();
    wakeups_.clear();
  }

  int64_t current_processing_time() const override { return scheduler_.clock().now_ms(); }

  void register_timer(int64_t time, std::function<void(int64_t)> callback) override {
    EDDY_DCHECK(owner_.claim(), "timers are registered on the task's thread");
    timers_.emplace(time, std::move(callback));
    schedule_earliest();
  }

 private:
  // Runs on the task thread: every timer due by now, earliest first (also those that the
  // callbacks register for a time already passed).
  void fire_due() {
    EDDY_DCHECK(owner_.claim(), "timers fire on the task's thread");
    const int64_t now = current_processing_time();
    wakeups_.erase(wakeups_.begin(), wakeups_.upper_bound(now));
    while (!timers_.empty() && timers_.begin()->first <= now) {
      auto timer = timers_.extract(timers_.begin());
      timer.mapped()(timer.key());
    }
    schedule_earliest();
  }

  // INVARIANT: a wake-up is pending at or before the earliest timer.
  void schedule_earliest() {
    if (timers_.empty()) return;
    const int64_t earliest = timers_.begin()->first;
    if (!wakeups_.empty() && *wakeups_.begin() <= earliest) return;
    wakeups_.insert(earliest);
    scheduler_.schedule(earliest, &mailbox_, [this] { fire_due(); });
    EDDY_DCHECK(*wakeups_.begin() <= timers_.begin()->first,
                "a wake-up is pending at or before the earliest timer");
  }

  TimerScheduler& scheduler_;
  Mailbox& mailbox_;
  std::multimap<int64_t, std::function<void(int64_t)>> timers_;
  std::set<int64_t> wakeups_;                // times the scheduler will wake this task
  [[no_unique_address]] ThreadOwner owner_;  // the task's thread
};

}  // namespace eddy::runtime
