// DataGeneratorSource: emits generator(i) for i = 0, 1, 2, ... — a bounded count or without end —
// optionally rate-limited. Parallel: subtask s of n emits the indices i with i % n == s, each at
// its share of the rate, so the job as a whole emits `records_per_second`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <thread>

#include "eddy/api/stream_execution_environment.h"

namespace eddy {

template <class T>
class DataGeneratorSource {
 public:
  static constexpr int64_t kUnbounded = -1;

  // count: number of records, or kUnbounded. records_per_second: 0 means as fast as possible.
  DataGeneratorSource(std::function<T(int64_t)> generator, int64_t count,
                      double records_per_second = 0)
      : generator_(std::move(generator)), count_(count), records_per_second_(records_per_second) {
    if (count < kUnbounded) {
      throw InvalidProgramException("DataGeneratorSource: count must be >= 0 or kUnbounded, not " +
                                    std::to_string(count));
    }
    if (records_per_second < 0) {
      throw InvalidProgramException("DataGeneratorSource: records_per_second must be >= 0");
    }
  }

  DataStream<T> create_stream(const StreamExecutionEnvironment& env,
                              const std::string& name) const {
    return env.source<T>("Source: " + name, [*this](const runtime::OperatorOutputs& o) {
      return std::make_unique<Operator>(*this, o.main_as<T>());
    });
  }

 private:
  class Operator final : public runtime::SourceOperator {
   public:
    Operator(DataGeneratorSource source, runtime::Output<T>* out)
        : source_(std::move(source)), out_(out) {}
    void open(RuntimeContext& ctx) override {
      subtask_ = ctx.get_index_of_this_subtask();
      parallelism_ = ctx.get_number_of_parallel_subtasks();
    }
    void run(runtime::SourceRunContext& ctx) override {
      using Clock = std::chrono::steady_clock;
      const auto start = Clock::now();
      const double rate = source_.records_per_second_ / parallelism_;  // this subtask's share
      const int64_t end =
          source_.count_ == kUnbounded ? std::numeric_limits<int64_t>::max() : source_.count_;
      int64_t emitted = 0;
      for (int64_t i = subtask_; i < end && ctx.is_running(); i += parallelism_, ++emitted) {
        if (rate > 0) {
          const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(emitted / rate));
          // Sleep in short steps so that cancellation is noticed promptly.
          while (ctx.is_running() && Clock::now() < due) {
            std::this_thread::sleep_until(
                std::min(due, Clock::now() + std::chrono::milliseconds(20)));
          }
          if (!ctx.is_running()) return;
        }
        out_->push(source_.generator_(i));
      }
    }

   private:
    DataGeneratorSource source_;
    runtime::Output<T>* out_;
    int subtask_ = 0;
    int parallelism_ = 1;
  };

  std::function<T(int64_t)> generator_;
  int64_t count_;
  double records_per_second_;
};

}  // namespace eddy
