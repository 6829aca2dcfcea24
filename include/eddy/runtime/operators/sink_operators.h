// Built-in sinks: user SinkFunctions and print(); the sink behind execute_and_collect() is in
// collect_sink_operator.h.
#pragma once

#include <cstdio>
#include <string>
#include <utility>

#include "eddy/api/functions.h"
#include "eddy/core/value_format.h"
#include "eddy/runtime/operators/one_input_operator.h"

namespace eddy::runtime {

template <class T, class F>
class SinkFunctionOperator final : public UdfOperator<T, F, SinkFunctionOperator<T, F>> {
 public:
  explicit SinkFunctionOperator(F fn) : SinkFunctionOperator::FunctionOperator(std::move(fn)) {}
  void process_element(T&& record) {
    context_.timestamp = this->record_context().optional_timestamp();
    this->fn_.invoke(record, context_);
  }

 private:
  typename SinkFunction<T>::Context context_;
};

// Calls a plain callable once per record.
template <class T, class F>
class CallbackSinkOperator final : public UdfOperator<T, F, CallbackSinkOperator<T, F>> {
 public:
  explicit CallbackSinkOperator(F fn) : CallbackSinkOperator::FunctionOperator(std::move(fn)) {}
  void process_element(T&& record) { this->fn_(static_cast<const T&>(record)); }
};

// Writes one line per record to stdout (or stderr). As in Flink, the line is prefixed with
// "identifier:N> " / "N> " (N = subtask index + 1) when the sink runs in parallel, and with
// "identifier> " otherwise. Each line is written and flushed with one call, so lines of parallel
// subtasks interleave but never mix, and appear while the job runs.
template <class T>
class PrintSinkOperator final : public OneInputOperator<T, PrintSinkOperator<T>> {
 public:
  PrintSinkOperator(std::string identifier, bool to_stderr)
      : identifier_(std::move(identifier)), stream_(to_stderr ? stderr : stdout) {}

  void open(RuntimeContext& ctx) override {
    const bool parallel = ctx.get_number_of_parallel_subtasks() > 1;
    const std::string subtask = std::to_string(ctx.get_index_of_this_subtask() + 1);
    if (!identifier_.empty()) {
      prefix_ = identifier_ + (parallel ? ":" + subtask : "") + "> ";
    } else if (parallel) {
      prefix_ = subtask + "> ";
    }
  }

  void process_element(T&& record) {
    line_.assign(prefix_);
    format_value_to(line_, record);
    line_ += '\n';
    std::fwrite(line_.data(), 1, line_.size(), stream_);
    std::fflush(stream_);
  }

  void close() override { std::fflush(stream_); }

 private:
  std::string identifier_;
  std::FILE* stream_;
  std::string prefix_;
  std::string line_;
};

}  // namespace eddy::runtime
