#include "runtime/checkpoint_barrier_handler.h"

namespace eddy::runtime {

CheckpointBarrierHandler::CheckpointBarrierHandler(
    InputGate& gate, CheckpointingMode mode,
    std::function<void(const CheckpointBarrier&)> on_aligned)
    : gate_(gate),
      blocking_(mode == CheckpointingMode::kExactlyOnce),
      on_aligned_(std::move(on_aligned)),
      ended_(static_cast<size_t>(gate.num_channels()), false),
      received_(static_cast<size_t>(gate.num_channels()), false) {}

void CheckpointBarrierHandler::on_barrier(int channel, const CheckpointBarrier& barrier) {
  if (barrier.id <= last_completed_ || (aligning_ && barrier.id < current_.id)) return;
  if (aligning_ && barrier.id > current_.id) reset();  // abandons the older checkpoint
  if (!aligning_) {
    aligning_ = true;
    current_ = barrier;
    pending_ = 0;
    for (size_t c = 0; c < ended_.size(); ++c) pending_ += ended_[c] ? 0 : 1;
  }
  if (received_[channel]) return;
  received_[channel] = true;
  --pending_;
  if (blocking_) gate_.block(channel);
  complete_if_aligned();
}

void CheckpointBarrierHandler::on_end_of_partition(int channel) {
  ended_[channel] = true;
  if (!aligning_ || received_[channel]) return;
  --pending_;
  complete_if_aligned();
}

void CheckpointBarrierHandler::complete_if_aligned() {
  if (pending_ > 0) return;
  const CheckpointBarrier barrier = current_;
  last_completed_ = barrier.id;
  on_aligned_(barrier);
  reset();
}

void CheckpointBarrierHandler::reset() {
  aligning_ = false;
  received_.assign(received_.size(), false);
  if (blocking_) gate_.unblock_all();
}

}  // namespace eddy::runtime
