// UnalignedCheckpointHandler: what a task with inputs does with unaligned checkpoint barriers.
// They arrive by priority, ahead of the data queued before them, and the first one of a
// checkpoint starts it at once: the task snapshots its chain and forwards the barrier, without
// waiting for data on any channel. The records that were sent before the barrier on a channel
// but not processed yet then belong to the checkpoint ("in flight"):
//  - on a channel whose barrier has arrived, the envelopes that barrier overtook;
//  - on a channel whose barrier has not arrived yet, every buffer taken from it until then,
//    and then the envelopes its barrier overtook.
// Once every channel has delivered its barrier or ended, the task's part is complete.
// Only records are stored: watermarks in flight are not (a restored job derives them anew).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eddy/core/serializer.h"
#include "eddy/runtime/buffer.h"
#include "eddy/runtime/checkpoint.h"
#include "eddy/runtime/type_ops.h"
#include "runtime/input_gate.h"

namespace eddy::runtime {

class UnalignedCheckpointHandler {
 public:
  struct Actions {
    // Snapshots the chain and forwards the barrier; false if the snapshot failed (and was
    // declined).
    std::function<bool(const CheckpointBarrier&)> start;
    // The task's part is complete: acknowledge the snapshot with these records in flight.
    std::function<void(int64_t id, std::vector<InFlightRecords>)> complete;
    // The task's part failed or was given up: decline it.
    std::function<void(int64_t id, const std::string& reason)> abort;
  };

  // Per gate channel: the stream edge it carries and that edge's record type.
  UnalignedCheckpointHandler(InputGate& gate, std::vector<int> channel_edge,
                             std::vector<const TypeOpsBase*> channel_type, Actions actions);

  // A buffer the task was processing when the barrier came: records [from, size) of `buffer`,
  // taken from `channel`, are not processed yet.
  struct Unprocessed {
    int channel = 0;
    const RecordBufferBase* buffer = nullptr;
    size_t from = 0;
  };

  // `unprocessed`: what is left of the buffer being processed, if the task interrupted it for
  // this barrier (if the barrier starts a checkpoint, those records belong to it).
  void on_barrier(int channel, const CheckpointBarrier& barrier, size_t overtaken,
                  const Unprocessed* unprocessed = nullptr);
  // True while buffers taken from `channel` belong to the pending checkpoint: pass each to
  // capture() before processing it.
  bool recording(int channel) const { return recording_[channel]; }
  void capture(int channel, const RecordBufferBase& buffer);
  void on_end_of_partition(int channel);

 private:
  void finish_channel(int channel);
  void give_up(const std::string& reason);

  InputGate& gate_;
  const std::vector<int> channel_edge_;
  const std::vector<const TypeOpsBase*> channel_type_;
  Actions actions_;
  std::vector<bool> ended_;
  std::vector<bool> recording_;           // for current_: neither barrier nor end seen yet
  std::vector<DataOutputView> captured_;  // for current_, per channel
  std::vector<InFlightRecords> in_flight_;
  int pending_ = 0;  // channels still recording
  bool active_ = false;
  int64_t current_ = -1;  // the checkpoint being taken, or the last one started
};

}  // namespace eddy::runtime
