// The common part of the checkpointed test sources: a source emitting 0..n-1 that keeps its
// read position in operator state ("offset"), so a restored job resumes where the checkpoint
// was taken, and stops when cancelled. A test source derives from it and writes run(); it emits
// and advances `offset` under the checkpoint lock.
#pragma once

#include <atomic>
#include <memory>

#include "eddy/eddy.h"

namespace eddy::testing {

struct OffsetSource : SourceFunction<int64_t>, CheckpointedFunction {
  int64_t n = 0;
  std::shared_ptr<std::atomic<bool>> running;  // per subtask, made in initialize_state
  ListState<int64_t>* state = nullptr;
  int64_t offset = 0;

  void initialize_state(FunctionInitializationContext& ctx) override {
    running = std::make_shared<std::atomic<bool>>(true);
    state = &ctx.get_operator_state_store().get_list_state(ListStateDescriptor<int64_t>("offset"));
    for (int64_t o : state->get()) offset = o;
  }
  void snapshot_state(FunctionSnapshotContext&) override { state->update({offset}); }
  void cancel() override { *running = false; }

 protected:
  // Emits `offset` with itself as timestamp and watermark, then advances it.
  void emit_next(SourceContext<int64_t>& ctx) {
    std::lock_guard lock(ctx.get_checkpoint_lock());
    ctx.collect_with_timestamp(offset, offset);
    ctx.emit_watermark(offset);
    ++offset;
  }
};

}  // namespace eddy::testing
