// Clock: where processing time comes from. Jobs read the system clock; tests give the
// environment a ManualClock and move time themselves, so processing-time timers and windows
// fire exactly when the test says, never by timing luck.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace eddy {

class Clock {
 public:
  virtual ~Clock() = default;
  // Epoch milliseconds. Never decreases.
  virtual int64_t now_ms() const = 0;
  // True when time moves only by explicit calls (then waiting for a deadline means waiting for
  // a change notification, not for the wall clock).
  virtual bool is_manual() const { return false; }
  // Registers `on_change`, called after every change of a manual clock; returns an id for
  // remove_listener. System clocks never call it.
  virtual int add_listener(std::function<void()>) { return 0; }
  virtual void remove_listener(int) {}
};

class SystemClock final : public Clock {
 public:
  int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that stands still until advanced. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_(start_ms) {}

  int64_t now_ms() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  bool is_manual() const override { return true; }

  // Moves time forward to `time_ms` (never back) and wakes whoever waits on this clock.
  void set(int64_t time_ms) {
    {
      std::lock_guard lock(mu_);
      now_ = std::max(now_, time_ms);
    }
    std::lock_guard lock(listeners_mu_);
    for (auto& [id, on_change] : listeners_) on_change();
  }
  void advance(int64_t delta_ms) { set(now_ms() + delta_ms); }

  int add_listener(std::function<void()> on_change) override {
    std::lock_guard lock(listeners_mu_);
    listeners_[next_id_] = std::move(on_change);
    return next_id_++;
  }
  // Once it returns, the listener is not running and will not run again.
  void remove_listener(int id) override {
    std::lock_guard lock(listeners_mu_);
    listeners_.erase(id);
  }

 private:
  mutable std::mutex mu_;
  int64_t now_;  // GUARDED_BY(mu_)
  // Held while listeners run, so that removal waits for a running listener.
  std::mutex listeners_mu_;
  std::map<int, std::function<void()>> listeners_;  // GUARDED_BY(listeners_mu_)
  int next_id_ = 1;                                 // GUARDED_BY(listeners_mu_)
};

}  // namespace eddy
