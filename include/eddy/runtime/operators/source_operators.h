// Built-in sources: a collection, a number sequence, and the adapter for user SourceFunctions.
// Checkpoints take each source's read position (in its operator state), and a restored source
// resumes from it: the collection at its next index, the sequence with its unread ranges.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "eddy/api/functions.h"
#include "eddy/runtime/operators/function_operator.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

// Emits the elements of a collection in order. Non-parallel: runs as one subtask.
template <class T>
class CollectionSourceOperator final : public SourceOperator {
 public:
  CollectionSourceOperator(std::shared_ptr<const std::vector<T>> elements, Output<T>* out)
      : elements_(std::move(elements)), out_(out) {}
  void open(RuntimeContext& ctx) override {
    offset_state_ = &ctx.get_operator_state_store().get_list_state(
        ListStateDescriptor<int64_t>("collection-source-offset"));
    for (int64_t offset : offset_state_->get()) next_ = static_cast<size_t>(offset);
  }
  void run(SourceRunContext& ctx) override {
    for (; next_ < elements_->size(); ++next_) {
      if (!ctx.is_running()) return;
      out_->collect((*elements_)[next_]);
    }
  }
  void snapshot_state(StateSnapshotContext&) override {
    offset_state_->update({static_cast<int64_t>(next_)});
  }

 private:
  std::shared_ptr<const std::vector<T>> elements_;
  Output<T>* out_;
  ListState<int64_t>* offset_state_ = nullptr;
  size_t next_ = 0;  // the index of the next element to emit
};

// Emits [from, to] split into one contiguous slice per subtask. Its unread ranges are its
// checkpointed position; on a restore at another parallelism they are split among the subtasks.
class SequenceSourceOperator final : public SourceOperator {
 public:
  using Range = std::pair<int64_t, int64_t>;  // [first, end)

  SequenceSourceOperator(int64_t from, int64_t to, Output<int64_t>* out)
      : from_(from), to_(to), out_(out) {}
  void open(RuntimeContext& ctx) override {
    ranges_state_ = &ctx.get_operator_state_store().get_list_state(
        ListStateDescriptor<Range>("sequence-source-ranges"));
    if (ctx.get_restore() != nullptr) {
      ranges_ = ranges_state_->get();
      return;
    }
    const uint64_t count = to_ < from_ ? 0 : static_cast<uint64_t>(to_ - from_) + 1;
    const uint64_t n = static_cast<uint64_t>(ctx.get_number_of_parallel_subtasks());
    const uint64_t i = static_cast<uint64_t>(ctx.get_index_of_this_subtask());
    ranges_.emplace_back(from_ + static_cast<int64_t>(count * i / n),
                         from_ + static_cast<int64_t>(count * (i + 1) / n));
  }
  void run(SourceRunContext& ctx) override {
    for (; current_ < ranges_.size(); ++current_) {
      for (int64_t& v = ranges_[current_].first; v != ranges_[current_].second; ++v) {
        if (!ctx.is_running()) return;
        out_->push(int64_t{v});
      }
    }
  }
  void snapshot_state(StateSnapshotContext&) override {
    ranges_state_->update({ranges_.begin() + static_cast<std::ptrdiff_t>(current_), ranges_.end()});
  }

 private:
  int64_t from_, to_;
  std::vector<Range> ranges_;  // ranges_[current_].first is the next value to emit
  size_t current_ = 0;
  ListState<Range>* ranges_state_ = nullptr;
  Output<int64_t>* out_;
};

// Runs a user SourceFunction. A user source may block anywhere (waiting for an external system),
// so it runs on a thread of its own; the task's thread meanwhile runs the mail (timers, flushes)
// under the lock that every emission takes, as Flink runs legacy sources.
template <class T, class F>
class FunctionSourceOperator final : public FunctionOperator<SourceOperator, F> {
 public:
  FunctionSourceOperator(F fn, const OperatorOutputs& outputs)
      : FunctionSourceOperator::FunctionOperator(std::move(fn)),
        mailbox_(*outputs.mailbox),
        ctx_(outputs.main_as<T>(), outputs.record_context, &lock_) {
    lock_.set_task_mail(&mailbox_.mail_flag());
  }
  void cancel() override { fn_.cancel(); }
  // Runs in mail, under the emission lock: no record gets out after this.
  void stop() override {
    ctx_.stop();
    fn_.cancel();
  }

  void run(SourceRunContext&) override {
    std::atomic<bool> done{false};
    std::exception_ptr failure;
    std::thread source([&] {
      try {
        fn_.run(ctx_);
      } catch (...) {
        failure = std::current_exception();
      }
      done = true;
      mailbox_.wake_waiter();
    });
    try {
      while (!done) {
        mailbox_.wait_for_mail(std::chrono::milliseconds(100));
        if (!mailbox_.has_mail()) continue;
        lock_.lock_for_task();
        std::lock_guard guard(lock_, std::adopt_lock);
        mailbox_.run_all();
      }
    } catch (...) {
      // Mail failed (a timer threw, or the job was cancelled while a barrier was sent): the
      // source thread must end before this frame does, and it must not wait for that mail.
      lock_.release_to_source();
      fn_.cancel();
      source.join();
      throw;
    }
    source.join();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  using FunctionSourceOperator::FunctionOperator::fn_;
  Mailbox& mailbox_;
  CheckpointLock lock_;
  SourceContext<T> ctx_;
};

}  // namespace eddy::runtime
