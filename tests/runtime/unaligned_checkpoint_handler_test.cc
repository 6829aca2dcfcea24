// Unaligned checkpoints on a real input gate: a priority barrier is taken before the data queued
// ahead of it and says how much it overtook; the handler stores exactly the records sent before
// each channel's barrier that were not processed when the checkpoint started, in order; a sender
// waiting for credit goes on once its task allows overdraft.
#include "runtime/unaligned_checkpoint_handler.h"

#include <gtest/gtest.h>

#include "cluster/state_assignment.h"

#include <atomic>
#include <thread>
#include <vector>

#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {
namespace {

Envelope records(std::vector<int64_t> values) {
  auto buffer = std::make_unique<RecordBuffer<int64_t>>(values.size());
  buffer->records = std::move(values);
  return Envelope{EnvelopeKind::kRecords, std::move(buffer), 0, {}};
}

Envelope unaligned_barrier(int64_t id) {
  CheckpointBarrier barrier{id, 0};
  barrier.unaligned = true;
  return Envelope{EnvelopeKind::kBarrier, {}, 0, barrier};
}

std::vector<int64_t> values_of(const RecordBufferBase& buffer) {
  return static_cast<const RecordBuffer<int64_t>&>(buffer).records;
}

// Drains the gate like a task does; notes processed records, started and completed checkpoints.
struct Harness {
  InputGate gate{8};
  std::vector<int64_t> processed;
  std::vector<int64_t> started;
  std::vector<int64_t> completed;
  std::vector<std::string> declined;
  std::vector<InFlightRecords> in_flight;
  std::unique_ptr<UnalignedCheckpointHandler> handler;

  Harness() {
    for (int c = 0; c < 2; ++c) gate.add_channel();
    std::vector<const TypeOpsBase*> types(2, type_ops_of<int64_t>().get());
    handler = std::make_unique<UnalignedCheckpointHandler>(
        gate, std::vector<int>{7, 8}, types,
        UnalignedCheckpointHandler::Actions{
            [this](const CheckpointBarrier& b) {
              started.push_back(b.id);
              return true;
            },
            [this](int64_t id, std::vector<InFlightRecords> records) {
              completed.push_back(id);
              in_flight = std::move(records);
            },
            [this](int64_t, const std::string& reason) { declined.push_back(reason); }});
  }

  // Takes and handles one envelope; returns false if none was queued.
  bool step() {
    Envelope e;
    int channel;
    if (!gate.try_poll(e, channel)) return false;
    if (e.kind == EnvelopeKind::kBarrier) {
      handler->on_barrier(channel, e.barrier, e.overtaken);
    } else if (e.kind == EnvelopeKind::kEndOfPartition) {
      handler->on_end_of_partition(channel);
    } else {
      if (handler->recording(channel)) handler->capture(channel, *e.buffer);
      for (int64_t v : values_of(*e.buffer)) processed.push_back(v);
    }
    return true;
  }
  void drain() {
    while (step()) {
    }
  }

  // The stored records of edge `edge`, decoded.
  std::vector<int64_t> stored(int edge) const {
    std::vector<int64_t> values;
    for (const InFlightRecords& r : in_flight) {
      if (r.edge != edge) continue;
      DataInputView in(r.records);
      while (!in.at_end()) {
        for (int64_t v : values_of(*type_ops_of<int64_t>()->deserialize_records(in))) {
          values.push_back(v);
        }
      }
    }
    return values;
  }
};

TEST(UnalignedCheckpointHandlerTest, BarrierOvertakesQueuedDataWhichIsStored) {
  Harness h;
  h.gate.push(0, records({1, 2}));
  h.gate.push(0, records({3}));
  h.gate.push(1, records({10}));
  h.gate.push_priority(0, unaligned_barrier(1));
  h.gate.push(0, records({4}));  // after the barrier: not part of the checkpoint

  ASSERT_TRUE(h.step());  // the barrier comes first
  EXPECT_EQ(h.started, std::vector<int64_t>{1});
  EXPECT_TRUE(h.processed.empty());
  EXPECT_FALSE(h.handler->recording(0));
  EXPECT_TRUE(h.handler->recording(1));

  h.drain();  // channel 1's record is taken while it records
  h.gate.push(1, records({11, 12}));
  h.drain();
  h.gate.push(1, records({13}));
  h.gate.push_priority(1, unaligned_barrier(1));
  h.gate.push(1, records({14}));
  h.drain();

  EXPECT_EQ(h.completed, std::vector<int64_t>{1});
  EXPECT_EQ(h.stored(7), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(h.stored(8), (std::vector<int64_t>{10, 11, 12, 13}));
  // Everything is still processed, each record once.
  std::vector<int64_t> all = h.processed;
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<int64_t>{1, 2, 3, 4, 10, 11, 12, 13, 14}));
  EXPECT_TRUE(h.declined.empty());
}

TEST(UnalignedCheckpointHandlerTest, TheRestOfAnInterruptedBufferIsStoredFirst) {
  Harness h;
  h.gate.push(1, records({23}));
  h.gate.push_priority(0, unaligned_barrier(2));
  // The task was processing a buffer of channel 1 and had pushed its first record (20).
  RecordBuffer<int64_t> interrupted(3);
  interrupted.records = {20, 21, 22};
  const UnalignedCheckpointHandler::Unprocessed rest{1, &interrupted, 1};
  Envelope e;
  int channel;
  ASSERT_TRUE(h.gate.try_poll_priority(e, channel));
  h.handler->on_barrier(channel, e.barrier, e.overtaken, &rest);
  h.drain();  // 23 is taken while channel 1 records
  h.gate.push_priority(1, unaligned_barrier(2));
  h.drain();
  EXPECT_EQ(h.completed, std::vector<int64_t>{2});
  EXPECT_EQ(h.stored(8), (std::vector<int64_t>{21, 22, 23}));
}

TEST(UnalignedCheckpointHandlerTest, EndedChannelsCompleteTheCheckpoint) {
  Harness h;
  h.gate.push(1, records({5}));
  h.gate.push_priority(0, unaligned_barrier(3));
  h.gate.push(1, Envelope{EnvelopeKind::kEndOfPartition, {}, 0, {}});
  h.drain();
  EXPECT_EQ(h.completed, std::vector<int64_t>{3});
  EXPECT_EQ(h.stored(8), std::vector<int64_t>{5});
  EXPECT_TRUE(h.stored(7).empty());
}

TEST(UnalignedCheckpointHandlerTest, NewerBarrierGivesUpTheOlderCheckpoint) {
  Harness h;
  h.gate.push_priority(0, unaligned_barrier(1));
  h.drain();
  h.gate.push_priority(0, unaligned_barrier(2));
  h.drain();
  EXPECT_EQ(h.started, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(h.declined.size(), 1u);
  EXPECT_NE(h.declined[0].find("checkpoint 2 overtook it"), std::string::npos);
  h.gate.push_priority(1, unaligned_barrier(1));  // late barrier of the abandoned one: ignored
  h.gate.push_priority(1, unaligned_barrier(2));
  h.drain();
  EXPECT_EQ(h.completed, std::vector<int64_t>{2});
}

struct Opaque {
  int v = 0;
};

TEST(UnalignedCheckpointHandlerTest, RecordsThatCannotBeSerializedDeclineTheCheckpoint) {
  InputGate gate(4);
  gate.add_channel();
  std::vector<std::string> declined;
  bool completed = false;
  UnalignedCheckpointHandler handler(
      gate, {0}, {type_ops_of<Opaque>().get()},
      {[](const CheckpointBarrier&) { return true; },
       [&](int64_t, std::vector<InFlightRecords>) { completed = true; },
       [&](int64_t, const std::string& reason) { declined.push_back(reason); }});
  auto buffer = std::make_unique<RecordBuffer<Opaque>>(1);
  buffer->records.push_back(Opaque{1});
  gate.push(0, Envelope{EnvelopeKind::kRecords, std::move(buffer), 0, {}});
  gate.push_priority(0, unaligned_barrier(1));
  Envelope e;
  int channel;
  ASSERT_TRUE(gate.try_poll(e, channel));
  handler.on_barrier(channel, e.barrier, e.overtaken);
  EXPECT_FALSE(completed);
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_NE(declined[0].find("cannot be serialized"), std::string::npos) << declined[0];
}

TEST(UnalignedCheckpointHandlerTest, OverdraftReleasesASenderWaitingForCredit) {
  InputGate gate(2);
  gate.add_channel();
  gate.add_channel();
  int listened = 0;
  gate.set_priority_listener([&] { ++listened; });
  std::atomic<bool> overdraft{false};
  gate.push(0, records({1}), &overdraft);
  gate.push(0, records({2}), &overdraft);
  std::atomic<bool> sent{false};
  std::thread sender([&] {
    gate.push(0, records({3}), &overdraft);  // no credit: waits until overdraft is allowed
    sent = true;
  });
  gate.push_priority(1, unaligned_barrier(1));
  EXPECT_EQ(listened, 1);
  overdraft = true;
  gate.wake_senders();
  sender.join();
  EXPECT_TRUE(sent);
  Envelope e;
  int channel;
  ASSERT_TRUE(gate.try_poll(e, channel));
  EXPECT_EQ(e.kind, EnvelopeKind::kBarrier);
  EXPECT_EQ(e.overtaken, 0u);
  int queued = 0;
  while (gate.try_poll(e, channel)) ++queued;
  EXPECT_EQ(queued, 3);
}

TEST(UnalignedCheckpointHandlerTest, RecordsInFlightRestoreOnlyAtTheSameParallelism) {
  cluster::OperatorCheckpointState old;
  old.parallelism = 2;
  auto with_records = std::make_shared<OperatorSubtaskState>();
  with_records->in_flight.push_back(InFlightRecords{3, "bytes"});
  old.subtasks[1] = with_records;
  old.subtasks[0] = std::make_shared<OperatorSubtaskState>();
  graph::StreamNode node;
  node.name = "Slow Map";
  node.parallelism = 2;
  EXPECT_TRUE(cluster::in_flight_of(old, node, 0, 7).empty());
  const auto restored = cluster::in_flight_of(old, node, 1, 7);
  ASSERT_EQ(restored.size(), 1u);
  EXPECT_EQ(restored[0].edge, 3);
  EXPECT_EQ(restored[0].records, "bytes");
  node.parallelism = 3;
  try {
    cluster::in_flight_of(old, node, 0, 7);
    FAIL() << "a rescaled restore of records in flight must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "checkpoint 7 holds records in flight to 'Slow Map' (an unaligned checkpoint) at "
                 "parallelism 2; it cannot be restored at parallelism 3: rescale from a savepoint");
  }
}

}  // namespace
}  // namespace eddy::runtime
