// TimerScheduler: the one thread per job that watches the processing-time clock and, when a
// task's timer is due, posts the firing to that task's mailbox. Tasks never sleep on the clock
// themselves, so a task waiting for input and a source between records both see their timers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "eddy/core/clock.h"
#include "eddy/runtime/mailbox.h"

namespace eddy::runtime {

class TimerScheduler {
 public:
  explicit TimerScheduler(std::shared_ptr<const Clock> clock);
  // Stops the thread; nothing is posted afterwards.
  ~TimerScheduler();
  TimerScheduler(const TimerScheduler&) = delete;
  TimerScheduler& operator=(const TimerScheduler&) = delete;

  const Clock& clock() const { return *clock_; }
  // Posts `fire` to `mailbox` once the clock reaches `time`.
  void schedule(int64_t time, Mailbox* mailbox, std::function<void()> fire);
  // Forgets every pending firing for `mailbox`; once it returns nothing more is posted to it.
  void forget(Mailbox* mailbox);

 private:
  void run();

  std::shared_ptr<const Clock> clock_;
  int listener_id_ = 0;
  std::mutex mu_;
  std::condition_variable changed_;
  std::multimap<int64_t, std::pair<Mailbox*, std::function<void()>>> due_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                                                   // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace eddy::runtime
