// JobEndBarrier: where the tasks of a job attempt wait, after finishing their chains, until every
// task has. Then the job's final checkpoint is taken (Flink's final checkpoint of a finished job):
// each operator snapshots and is told the checkpoint completed, so a two-phase-commit sink
// commits its last transaction only once no task can fail any more and replay it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace eddy::runtime {

class JobEndBarrier {
 public:
  // `final_checkpoint_id` runs once, when the last task arrives.
  JobEndBarrier(int parties, std::function<int64_t()> final_checkpoint_id)
      : remaining_(parties), final_checkpoint_id_(std::move(final_checkpoint_id)) {}

  // The final checkpoint's id once every task arrived; nothing if the attempt was cancelled.
  std::optional<int64_t> arrive_and_wait() {
    std::unique_lock lock(mu_);
    if (--remaining_ == 0 && !cancelled_) {
      id_ = final_checkpoint_id_();
      all_arrived_.notify_all();
    }
    all_arrived_.wait(lock, [&] { return id_.has_value() || cancelled_; });
    return id_;
  }

  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    all_arrived_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable all_arrived_;
  int remaining_;              // GUARDED_BY(mu_)
  bool cancelled_ = false;     // GUARDED_BY(mu_)
  std::optional<int64_t> id_;  // GUARDED_BY(mu_)
  std::function<int64_t()> final_checkpoint_id_;
};

}  // namespace eddy::runtime
