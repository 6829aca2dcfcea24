// CheckpointedFunction: a function that keeps operator state of its own (a source's read
// position, a sink's pending writes), as PyFlink's CheckpointedFunction. initialize_state() runs
// once per subtask before open(): the function registers its states in the operator state store
// there (and, after a restore, finds them filled). snapshot_state() runs when a checkpoint is
// taken: the function writes what it holds in plain members into those states.
// CheckpointListener::notify_checkpoint_complete() tells a function that a checkpoint it took
// part in is complete (a two-phase-commit sink commits then).
#pragma once

#include <cstdint>
#include <optional>

#include "eddy/runtime/runtime_context.h"

namespace eddy {

class FunctionInitializationContext {
 public:
  FunctionInitializationContext(runtime::RuntimeContext& runtime_context,
                                std::optional<int64_t> restored_checkpoint_id)
      : runtime_context_(runtime_context), restored_checkpoint_id_(restored_checkpoint_id) {}

  // True when the job was restored from a checkpoint or savepoint: the states hold what the
  // last snapshot wrote (redistributed if the parallelism changed).
  bool is_restored() const { return restored_checkpoint_id_.has_value(); }
  std::optional<int64_t> get_restored_checkpoint_id() const { return restored_checkpoint_id_; }
  OperatorStateStore& get_operator_state_store() {
    return runtime_context_.get_operator_state_store();
  }

 private:
  runtime::RuntimeContext& runtime_context_;
  std::optional<int64_t> restored_checkpoint_id_;
};

class FunctionSnapshotContext {
 public:
  FunctionSnapshotContext(int64_t checkpoint_id, int64_t checkpoint_timestamp)
      : checkpoint_id_(checkpoint_id), checkpoint_timestamp_(checkpoint_timestamp) {}
  int64_t get_checkpoint_id() const { return checkpoint_id_; }
  // When the checkpoint was triggered, in epoch milliseconds.
  int64_t get_checkpoint_timestamp() const { return checkpoint_timestamp_; }

 private:
  int64_t checkpoint_id_;
  int64_t checkpoint_timestamp_;
};

class CheckpointedFunction {
 public:
  virtual ~CheckpointedFunction() = default;
  virtual void initialize_state(FunctionInitializationContext& context) = 0;
  virtual void snapshot_state(FunctionSnapshotContext& context) = 0;
};

class CheckpointListener {
 public:
  virtual ~CheckpointListener() = default;
  virtual void notify_checkpoint_complete(int64_t checkpoint_id) = 0;
  virtual void notify_checkpoint_aborted(int64_t /*checkpoint_id*/) {}
};

}  // namespace eddy
