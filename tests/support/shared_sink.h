// SharedSink: the records a job's sink received, readable by the test while the job runs.
// wait_for_size() lets the test step in lockstep with the job instead of sleeping.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace eddy::testing {

template <class T>
class SharedSink {
 public:
  void add(T value) {
    std::lock_guard lock(mu_);
    values_.push_back(std::move(value));
    cv_.notify_all();
  }
  // Blocks until at least `n` records arrived; returns all of them.
  std::vector<T> wait_for_size(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return values_.size() >= n; });
    return values_;
  }
  std::vector<T> values() {
    std::lock_guard lock(mu_);
    return values_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> values_;
};

}  // namespace eddy::testing
