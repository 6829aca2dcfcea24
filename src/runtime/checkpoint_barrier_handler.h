// CheckpointBarrierHandler: what a task with inputs does with the barriers arriving on its
// channels. A checkpoint's snapshot is taken once its barrier has arrived on every channel that
// has not ended. In EXACTLY_ONCE mode a channel that delivered the barrier is blocked until then
// (alignment), so no record after the barrier reaches the snapshot; in AT_LEAST_ONCE mode
// channels keep flowing. A barrier of a newer checkpoint abandons an unfinished alignment (that
// checkpoint is aborted by the coordinator); barriers of older ones are ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "eddy/core/checkpoint_config.h"
#include "eddy/runtime/buffer.h"
#include "runtime/input_gate.h"

namespace eddy::runtime {

class CheckpointBarrierHandler {
 public:
  // `on_aligned` takes the snapshot and forwards the barrier; it runs on the task's thread.
  CheckpointBarrierHandler(InputGate& gate, CheckpointingMode mode,
                           std::function<void(const CheckpointBarrier&)> on_aligned);

  void on_barrier(int channel, const CheckpointBarrier& barrier);
  // A channel that ended no longer holds back alignment.
  void on_end_of_partition(int channel);

 private:
  void complete_if_aligned();
  void reset();

  InputGate& gate_;
  const bool blocking_;
  std::function<void(const CheckpointBarrier&)> on_aligned_;
  std::vector<bool> ended_;
  std::vector<bool> received_;  // for current_
  int pending_ = 0;             // channels neither ended nor received, while aligning
  bool aligning_ = false;
  CheckpointBarrier current_;
  int64_t last_completed_ = -1;
};

}  // namespace eddy::runtime
