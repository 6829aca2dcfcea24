// A one-shot latch for tests: wait() returns once open() was called. Used to force an order
// between a job's threads and the test's, instead of sleeping.
#pragma once

#include <condition_variable>
#include <mutex>

namespace eddy::testing {

class Latch {
 public:
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace eddy::testing
