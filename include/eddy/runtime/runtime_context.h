// RuntimeContext tells a user function where it runs (task, subtask, parallelism) and gives it
// accumulators, whose per-subtask values are summed into the job's result, and — on a keyed
// stream — keyed state, scoped to the key of the record (or timer) being processed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "eddy/core/checkpoint_config.h"
#include "eddy/runtime/checkpoint.h"
#include "eddy/state/keyed_state_backend.h"
#include "eddy/state/operator_state.h"

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
  explicit ExecutionConfig(int64_t auto_watermark_interval_ms = 200,
                           StateBackendType state_backend = StateBackendType::kHashMap)
      : auto_watermark_interval_ms_(auto_watermark_interval_ms), state_backend_(state_backend) {}
  int64_t get_auto_watermark_interval() const { return auto_watermark_interval_ms_; }
  // Where keyed operators keep their state, with the backend's settings.
  const StateBackendType& get_state_backend() const { return state_backend_; }

 private:
  int64_t auto_watermark_interval_ms_;
  StateBackendType state_backend_;
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

  // Keyed state of the current key. Usually fetched once in open(); the object returned stays
  // valid for the subtask's life and always reads and writes the current key's value.
  template <class V>
  ValueState<V>& get_state(const ValueStateDescriptor<V>& descriptor) {
    return used(keyed_state(descriptor).get_state(descriptor));
  }
  template <class V>
  ListState<V>& get_list_state(const ListStateDescriptor<V>& descriptor) {
    return used(keyed_state(descriptor).get_list_state(descriptor));
  }
  template <class UK, class UV>
  MapState<UK, UV>& get_map_state(const MapStateDescriptor<UK, UV>& descriptor) {
    return used(keyed_state(descriptor).get_map_state(descriptor));
  }
  template <class V>
  ReducingState<V>& get_reducing_state(const ReducingStateDescriptor<V>& descriptor) {
    return used(keyed_state(descriptor).get_reducing_state(descriptor));
  }
  template <class In, class Acc, class Out>
  AggregatingState<In, Out>& get_aggregating_state(
      const AggregatingStateDescriptor<In, Acc, Out>& descriptor) {
    return used(keyed_state(descriptor).get_aggregating_state(descriptor));
  }

  // Set by a keyed operator before it opens its function. `sync_key` positions the backend on
  // the key being processed; the operator keeps it positioned once keyed state is in use.
  void set_keyed_state(KeyedStateBackend* backend, std::function<void()> sync_key) {
    keyed_state_ = backend;
    sync_key_ = std::move(sync_key);
  }
  bool uses_keyed_state() const { return uses_keyed_state_; }

  // The subtask's operator state (sources, sinks, any non-keyed function), created on first use.
  OperatorStateStore& get_operator_state_store() {
    if (!operator_state_) operator_state_ = std::make_unique<OperatorStateStore>();
    return *operator_state_;
  }

  // Set by the task before open() when the job restores from a checkpoint: the operator state
  // store receives this subtask's share at once, the keyed backend when the operator creates it.
  void set_restore(std::shared_ptr<const OperatorRestore> restore) {
    restore_ = std::move(restore);
    get_operator_state_store().restore(restore_->operator_state);
  }
  const OperatorRestore* get_restore() const { return restore_.get(); }
  std::optional<int64_t> get_restored_checkpoint_id() const {
    return restore_ ? std::optional<int64_t>(restore_->checkpoint_id) : std::nullopt;
  }
  // What a checkpoint takes: null where the operator has none.
  KeyedStateBackend* keyed_state_backend() const { return keyed_state_; }
  const OperatorStateStore* operator_state_store() const { return operator_state_.get(); }

  LongCounter& get_long_counter(const std::string& name) { return counters_[name]; }
  const std::map<std::string, LongCounter>& counters() const { return counters_; }

 private:
  std::string task_name_;
  int subtask_index_;
  int parallelism_;
  int max_parallelism_;
  int attempt_number_;
  KeyedStateBackend& keyed_state(const StateDescriptorBase& descriptor) {
    if (keyed_state_ == nullptr) {
      throw std::logic_error("State '" + descriptor.name() + "' in " + task_name_ +
                             ": keyed state is only available on a keyed stream (after key_by) "
                             "whose key type is serializable");
    }
    return *keyed_state_;
  }
  template <class S>
  S& used(S& state) {
    if (!uses_keyed_state_) {
      uses_keyed_state_ = true;
      if (sync_key_) sync_key_();  // state fetched while a record is processed
    }
    return state;
  }

  ExecutionConfig config_;
  std::map<std::string, LongCounter> counters_;
  KeyedStateBackend* keyed_state_ = nullptr;
  std::function<void()> sync_key_;
  bool uses_keyed_state_ = false;
  std::unique_ptr<OperatorStateStore> operator_state_;
  std::shared_ptr<const OperatorRestore> restore_;
};

}  // namespace eddy::runtime
