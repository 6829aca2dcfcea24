// RuntimeContext tells a user function where it runs (task, subtask, parallelism) and gives it
// accumulators, whose per-subtask values are summed into the job's result.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace eddy::runtime {

// A counter accumulator. Only the owning subtask's thread touches it while the job runs.
class LongCounter {
 public:
  void add(int64_t delta) { value_ += delta; }
  int64_t get_local_value() const { return value_; }

 private:
  int64_t value_ = 0;
};

// The job-wide settings a function may read (Flink's ExecutionConfig).
class ExecutionConfig {
 public:
  explicit ExecutionConfig(int64_t auto_watermark_interval_ms = 200)
      : auto_watermark_interval_ms_(auto_watermark_interval_ms) {}
  int64_t get_auto_watermark_interval() const { return auto_watermark_interval_ms_; }

 private:
  int64_t auto_watermark_interval_ms_;
};

class RuntimeContext {
 public:
  RuntimeContext(std::string task_name, int subtask_index, int parallelism, int max_parallelism,
                 int attempt_number = 0, ExecutionConfig config = ExecutionConfig())
      : task_name_(std::move(task_name)),
        subtask_index_(subtask_index),
        parallelism_(parallelism),
        max_parallelism_(max_parallelism),
        attempt_number_(attempt_number),
        config_(config) {}

  const std::string& get_task_name() const { return task_name_; }
  int get_index_of_this_subtask() const { return subtask_index_; }
  int get_number_of_parallel_subtasks() const { return parallelism_; }
  int get_max_number_of_parallel_subtasks() const { return max_parallelism_; }
  int get_attempt_number() const { return attempt_number_; }
  const ExecutionConfig& get_execution_config() const { return config_; }
  // "Map (1/2)": the name Flink shows for a subtask.
  std::string get_task_name_with_subtasks() const {
    return task_name_ + " (" + std::to_string(subtask_index_ + 1) + "/" +
           std::to_string(parallelism_) + ")";
  }

  LongCounter& get_long_counter(const std::string& name) { return counters_[name]; }
  const std::map<std::string, LongCounter>& counters() const { return counters_; }

 private:
  std::string task_name_;
  int subtask_index_;
  int parallelism_;
  int max_parallelism_;
  int attempt_number_;
  ExecutionConfig config_;
  std::map<std::string, LongCounter> counters_;
};

}  // namespace eddy::runtime
