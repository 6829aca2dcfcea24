#include "runtime/unaligned_checkpoint_handler.h"

#include <exception>
#include <utility>

namespace eddy::runtime {

UnalignedCheckpointHandler::UnalignedCheckpointHandler(InputGate& gate,
                                                       std::vector<int> channel_edge,
                                                       std::vector<const TypeOpsBase*> channel_type,
                                                       Actions actions)
    : gate_(gate),
      channel_edge_(std::move(channel_edge)),
      channel_type_(std::move(channel_type)),
      actions_(std::move(actions)),
      ended_(channel_edge_.size(), false),
      recording_(channel_edge_.size(), false),
      captured_(channel_edge_.size()) {}

void UnalignedCheckpointHandler::on_barrier(int channel, const CheckpointBarrier& barrier,
                                            size_t overtaken, const Unprocessed* unprocessed) {
  if (barrier.id < current_ || (barrier.id == current_ && !active_)) return;  // an older one
  if (active_ && barrier.id > current_) {
    give_up("checkpoint " + std::to_string(barrier.id) + " overtook it at this task");
  }
  if (!active_) {
    current_ = barrier.id;
    pending_ = 0;
    for (size_t c = 0; c < ended_.size(); ++c) {
      recording_[c] = !ended_[c];
      pending_ += recording_[c] ? 1 : 0;
      captured_[c] = DataOutputView();
    }
    in_flight_.clear();
    active_ = true;
    if (!actions_.start(barrier)) {
      active_ = false;
      recording_.assign(recording_.size(), false);
      return;
    }
    // The rest of the interrupted buffer precedes everything else of its channel. (A buffer
    // taken while a checkpoint was active was captured whole when it was taken.)
    if (unprocessed != nullptr) {
      try {
        channel_type_[unprocessed->channel]->serialize_records(
            *unprocessed->buffer, captured_[unprocessed->channel], unprocessed->from);
      } catch (const std::exception& e) {
        give_up(e.what());
        return;
      }
    }
  }
  if (!recording_[channel]) return;
  try {
    gate_.visit_queued(channel, overtaken, [&](const Envelope& envelope) {
      if (envelope.kind == EnvelopeKind::kRecords) {
        channel_type_[channel]->serialize_records(*envelope.buffer, captured_[channel]);
      }
    });
  } catch (const std::exception& e) {
    give_up(e.what());
    return;
  }
  finish_channel(channel);
}

void UnalignedCheckpointHandler::capture(int channel, const RecordBufferBase& buffer) {
  try {
    channel_type_[channel]->serialize_records(buffer, captured_[channel]);
  } catch (const std::exception& e) {
    give_up(e.what());
  }
}

void UnalignedCheckpointHandler::on_end_of_partition(int channel) {
  ended_[channel] = true;
  if (active_ && recording_[channel]) finish_channel(channel);
}

void UnalignedCheckpointHandler::finish_channel(int channel) {
  recording_[channel] = false;
  if (captured_[channel].size() > 0) {
    in_flight_.push_back(InFlightRecords{channel_edge_[channel], captured_[channel].take()});
  }
  if (--pending_ > 0) return;
  active_ = false;
  actions_.complete(current_, std::move(in_flight_));
  in_flight_.clear();
}

void UnalignedCheckpointHandler::give_up(const std::string& reason) {
  active_ = false;
  recording_.assign(recording_.size(), false);
  in_flight_.clear();
  actions_.abort(current_, reason);
}

}  // namespace eddy::runtime
