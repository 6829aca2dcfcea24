// CollectChannel: a bounded queue from the collect sink's subtask to the client thread that
// reads execute_and_collect() results. Bounded, so a slow reader backpressures the job.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>

namespace eddy::runtime {

template <class T>
class CollectChannel {
 public:
  explicit CollectChannel(size_t capacity = 4096) : capacity_(capacity) {}

  // Sink side. Blocks while full; drops the record once the reader has closed the channel.
  void put(T&& record) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_ || closed_; });
    if (closed_) return;
    queue_.push_back(std::move(record));
    not_empty_.notify_one();
  }

  // Job side: no more records will come; `error` is set when the job did not finish.
  void finish(std::exception_ptr error) {
    std::lock_guard lock(mu_);
    finished_ = true;
    error_ = error;
    not_empty_.notify_all();
  }

  // Reader side. Returns the next record, or nullopt at the end of a finished job.
  // Rethrows the job's failure once the records before it have been read.
  std::optional<T> take() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || finished_; });
    if (!queue_.empty()) {
      T record = std::move(queue_.front());
      queue_.pop_front();
      not_full_.notify_one();
      return record;
    }
    if (error_) std::rethrow_exception(error_);
    return std::nullopt;
  }

  // Reader side: stop receiving; a blocked sink is released.
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    queue_.clear();
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> queue_;       // GUARDED_BY(mu_)
  bool finished_ = false;     // GUARDED_BY(mu_)
  bool closed_ = false;       // GUARDED_BY(mu_)
  std::exception_ptr error_;  // GUARDED_BY(mu_)
};

}  // namespace eddy::runtime
