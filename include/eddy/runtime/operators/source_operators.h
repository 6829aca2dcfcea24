// Built-in sources: a collection, a number sequence, and the adapter for user SourceFunctions.
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
#include "eddy/runtime/output.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

// Emits the elements of a collection in order. Non-parallel: runs as one subtask.
template <class T>
class CollectionSourceOperator final : public SourceOperator {
 public:
  CollectionSourceOperator(std::shared_ptr<const std::vector<T>> elements, Output<T>* out)
      : elements_(std::move(elements)), out_(out) {}
  void run(SourceRunContext& ctx) override {
    for (const T& e : *elements_) {
      if (!ctx.is_running()) return;
      out_->collect(e);
    }
  }

 private:
  std::shared_ptr<const std::vector<T>> elements_;
  Output<T>* out_;
};

// Emits [from, to] split into one contiguous slice per subtask.
class SequenceSourceOperator final : public SourceOperator {
 public:
  SequenceSourceOperator(int64_t from, int64_t to, Output<int64_t>* out)
      : from_(from), to_(to), out_(out) {}
  void open(RuntimeContext& ctx) override {
    const uint64_t count = to_ < from_ ? 0 : static_cast<uint64_t>(to_ - from_) + 1;
    const uint64_t n = static_cast<uint64_t>(ctx.get_number_of_parallel_subtasks());
    const uint64_t i = static_cast<uint64_t>(ctx.get_index_of_this_subtask());
    begin_ = from_ + static_cast<int64_t>(count * i / n);
    end_ = from_ + static_cast<int64_t>(count * (i + 1) / n);  // exclusive
  }
  void run(SourceRunContext& ctx) override {
    for (int64_t v = begin_; v != end_; ++v) {
      if (!ctx.is_running()) return;
      out_->push(int64_t{v});
    }
  }

 private:
  int64_t from_, to_;
  int64_t begin_ = 0, end_ = 0;
  Output<int64_t>* out_;
};

// Runs a user SourceFunction. A user source may block anywhere (waiting for an external system),
// so it runs on a thread of its own; the task's thread meanwhile runs the mail (timers, flushes)
// under the lock that every emission takes, as Flink runs legacy sources.
template <class T, class F>
class FunctionSourceOperator final : public SourceOperator {
 public:
  FunctionSourceOperator(F fn, const OperatorOutputs& outputs)
      : fn_(std::move(fn)),
        mailbox_(*outputs.mailbox),
        ctx_(outputs.main_as<T>(), outputs.record_context, &lock_) {}
  void open(RuntimeContext& ctx) override { function_detail::open_if_rich(fn_, ctx); }
  void close() override { function_detail::close_if_rich(fn_); }
  void cancel() override { fn_.cancel(); }

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
    while (!done) {
      mailbox_.wait_for_mail(std::chrono::milliseconds(100));
      if (!mailbox_.has_mail()) continue;
      std::lock_guard guard(lock_);
      mailbox_.run_all();
    }
    source.join();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  F fn_;
  Mailbox& mailbox_;
  std::recursive_mutex lock_;
  SourceContext<T> ctx_;
};

}  // namespace eddy::runtime
