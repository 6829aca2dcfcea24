// Barrier alignment on a real input gate: in EXACTLY_ONCE mode a channel that delivered the
// barrier is held back until every channel did; AT_LEAST_ONCE never holds one back; a newer
// barrier abandons an unfinished alignment; ended channels do not hold back a checkpoint.
#include "runtime/checkpoint_barrier_handler.h"

#include <gtest/gtest.h>

#include <vector>

#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {
namespace {

Envelope records(int value) {
  auto buffer = std::make_unique<RecordBuffer<int>>(1);
  buffer->records.push_back(value);
  return Envelope{EnvelopeKind::kRecords, std::move(buffer), 0, {}};
}

Envelope barrier(int64_t id) {
  return Envelope{EnvelopeKind::kBarrier, {}, 0, {id, 0}};
}

// Drains the gate like a task does: records are noted as (channel, value), barriers go to the
// handler, and each completed checkpoint is noted as (-1, id).
struct Harness {
  explicit Harness(CheckpointingMode mode) {
    for (int c = 0; c < 3; ++c) gate.add_channel();
    handler = std::make_unique<CheckpointBarrierHandler>(
        gate, mode, [this](const CheckpointBarrier& b) { seen.emplace_back(-1, b.id); });
  }
  void drain() {
    Envelope e;
    int channel;
    while (gate.try_poll(e, channel)) {
      if (e.kind == EnvelopeKind::kBarrier) {
        handler->on_barrier(channel, e.barrier);
      } else if (e.kind == EnvelopeKind::kEndOfPartition) {
        handler->on_end_of_partition(channel);
      } else {
        seen.emplace_back(channel, static_cast<RecordBuffer<int>&>(*e.buffer).records.at(0));
      }
    }
  }
  InputGate gate{8};
  std::unique_ptr<CheckpointBarrierHandler> handler;
  std::vector<std::pair<int, int64_t>> seen;
};

using Seen = std::vector<std::pair<int, int64_t>>;

TEST(CheckpointBarrierHandlerTest, ExactlyOnceHoldsBackChannelsPastTheBarrier) {
  Harness h(CheckpointingMode::kExactlyOnce);
  h.gate.push(0, barrier(1));
  h.gate.push(0, records(1));  // after the barrier: must wait for the checkpoint
  h.gate.push(1, records(2));
  h.gate.push(1, barrier(1));
  h.gate.push(2, records(3));
  h.drain();
  EXPECT_EQ(h.seen, (Seen{{1, 2}, {2, 3}}));
  h.gate.push(2, barrier(1));
  h.drain();
  EXPECT_EQ(h.seen, (Seen{{1, 2}, {2, 3}, {-1, 1}, {0, 1}}));
}

TEST(CheckpointBarrierHandlerTest, AtLeastOnceLetsRecordsOvertake) {
  Harness h(CheckpointingMode::kAtLeastOnce);
  h.gate.push(0, barrier(1));
  h.gate.push(0, records(1));  // after the barrier, yet processed before the checkpoint
  h.gate.push(1, barrier(1));
  h.drain();
  EXPECT_EQ(h.seen, (Seen{{0, 1}}));
  h.gate.push(2, barrier(1));
  h.drain();
  EXPECT_EQ(h.seen, (Seen{{0, 1}, {-1, 1}}));
}

TEST(CheckpointBarrierHandlerTest, NewerBarrierAbandonsTheOlderAlignment) {
  Harness h(CheckpointingMode::kExactlyOnce);
  h.gate.push(0, barrier(1));
  h.gate.push(1, barrier(2));
  h.gate.push(0, barrier(2));
  h.gate.push(2, barrier(1));  // late barrier of the abandoned checkpoint: ignored
  h.gate.push(2, barrier(2));
  h.drain();
  EXPECT_EQ(h.seen, (Seen{{-1, 2}}));
}

TEST(CheckpointBarrierHandlerTest, EndedChannelsDoNotHoldBackACheckpoint) {
  Harness h(CheckpointingMode::kExactlyOnce);
  h.gate.push(0, Envelope{EnvelopeKind::kEndOfPartition, {}, 0, {}});
  h.gate.push(1, barrier(1));
  h.drain();
  EXPECT_EQ(h.seen, Seen{});
  h.gate.push(2, Envelope{EnvelopeKind::kEndOfPartition, {}, 0, {}});
  h.drain();
  EXPECT_EQ(h.seen, (Seen{{-1, 1}}));
}

}  // namespace
}  // namespace eddy::runtime
