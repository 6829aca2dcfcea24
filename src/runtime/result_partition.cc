#include "eddy/runtime/result_partition.h"

#include "eddy/core/dcheck.h"
#include "runtime/input_gate.h"

namespace eddy::runtime {

void ResultPartition::send(int target, Envelope&& envelope, bool force) {
  EDDY_DCHECK(target >= 0 && target < num_targets(), "the target is one of the partition's");
  EDDY_DCHECK((envelope.kind == EnvelopeKind::kRecords) == (envelope.buffer != nullptr),
              "an envelope holds a buffer exactly when it carries records");
  const Target& t = targets_[target];
  t.gate->push(t.channel, std::move(envelope), overdraft_, force);
}

void ResultPartition::wake_sender() {
  for (const Target& t : targets_) t.gate->wake_senders();
}

void ResultPartition::send_watermark(int64_t watermark) {
  for (const Target& t : targets_) {
    Envelope e{EnvelopeKind::kWatermark, {}, watermark, {}};
    t.gate->push(t.channel, std::move(e));
  }
}

void ResultPartition::send_barrier(const CheckpointBarrier& barrier) {
  for (const Target& t : targets_) {
    Envelope e{EnvelopeKind::kBarrier, {}, 0, barrier};
    if (barrier.unaligned) {
      t.gate->push_priority(t.channel, std::move(e));
    } else {
      t.gate->push(t.channel, std::move(e));
    }
  }
}

void ResultPartition::send_end_of_partition() {
  for (const Target& t : targets_)
    t.gate->push(t.channel, Envelope{EnvelopeKind::kEndOfPartition, {}, 0, {}});
}

}  // namespace eddy::runtime
