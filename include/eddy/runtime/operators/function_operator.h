// FunctionOperator<Base, F>: an operator that holds a user function and forwards the function's
// life cycle to it — open/close for a RichFunction, snapshot_state for a CheckpointedFunction,
// checkpoint notifications for a CheckpointListener. Functions without those pay nothing.
#pragma once

#include <utility>

#include "eddy/api/functions.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

template <class Base, class F>
class FunctionOperator : public Base {
 public:
  explicit FunctionOperator(F fn) : fn_(std::move(fn)) {}
  void open(RuntimeContext& ctx) override { function_detail::open_if_rich(fn_, ctx); }
  void close() override { function_detail::close_if_rich(fn_); }
  void snapshot_state(StateSnapshotContext& ctx) override {
    function_detail::snapshot_if_checkpointed(fn_, ctx);
  }
  void notify_checkpoint_complete(int64_t checkpoint_id) override {
    function_detail::notify_complete_if_listener(fn_, checkpoint_id);
  }
  void notify_checkpoint_aborted(int64_t checkpoint_id) override {
    function_detail::notify_aborted_if_listener(fn_, checkpoint_id);
  }

 protected:
  F fn_;
};

}  // namespace eddy::runtime
