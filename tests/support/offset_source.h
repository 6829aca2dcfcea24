// The common part of the checkpointed test sources: a source emitting 0..n-1 that keeps its
// read position in operator state ("offset"), so a restored job resumes where the checkpoint
// was taken, and stops when cancelled. A test source derives from it and writes run(); it emits
// and advances `offset` under the checkpoint lock.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "eddy/eddy.h"
#include "support/latch.h"

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

// Emits 0..n-1 like OffsetSource; at `pause_at` it stops emitting, opens `paused`, and waits
// until the job is cancelled or stopped.
struct PausingOffsetSource : OffsetSource {
  int64_t pause_at = -1;
  std::shared_ptr<Latch> paused = std::make_shared<Latch>();
  void run(SourceContext<int64_t>& ctx) override {
    while (*running && offset < n) {
      if (offset == pause_at) {
        paused->open();
        while (*running) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return;
      }
      emit_next(ctx);
    }
  }
};

}  // namespace eddy::testing
