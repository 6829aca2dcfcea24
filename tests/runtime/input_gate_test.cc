// The input gate's credits: a sender blocks when its channel is full, and cancellation releases
// every waiter. Interleavings are forced with explicit hand-offs, never with sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "eddy/runtime/stream_operator.h"
#include "runtime/input_gate.h"

namespace eddy::runtime {
namespace {

Envelope records(int value) {
  auto buffer = std::make_unique<RecordBuffer<int>>(1);
  buffer->records.push_back(value);
  return Envelope{EnvelopeKind::kRecords, std::move(buffer), 0, {}};
}

int value_of(const Envelope& e) {
  return static_cast<RecordBuffer<int>&>(*e.buffer).records.at(0);
}

TEST(InputGateTest, DeliversPerChannelInOrder) {
  InputGate gate(4);
  int a = gate.add_channel();
  int b = gate.add_channel();
  gate.push(a, records(1));
  gate.push(b, records(10));
  gate.push(a, records(2));
  std::vector<std::pair<int, int>> got;
  Envelope e;
  int channel;
  while (gate.try_poll(e, channel)) got.emplace_back(channel, value_of(e));
  EXPECT_EQ(got, (std::vector<std::pair<int, int>>{{a, 1}, {b, 10}, {a, 2}}));
}

TEST(InputGateTest, SenderWithoutCreditWaitsUntilTheReceiverTakes) {
  InputGate gate(2);
  int c = gate.add_channel();
  gate.push(c, records(1));
  gate.push(c, records(2));  // the channel now holds its full credit
  std::atomic<bool> third_sent{false};
  std::thread sender([&] {
    gate.push(c, records(3));
    third_sent = true;
  });
  Envelope e;
  int channel;
  // The third push cannot complete before one buffer is taken, whatever the scheduling.
  EXPECT_FALSE(third_sent.load());
  ASSERT_TRUE(gate.poll(e, channel, std::chrono::milliseconds(1000)));
  EXPECT_EQ(value_of(e), 1);
  sender.join();
  EXPECT_TRUE(third_sent.load());
  ASSERT_TRUE(gate.try_poll(e, channel));
  EXPECT_EQ(value_of(e), 2);
  ASSERT_TRUE(gate.try_poll(e, channel));
  EXPECT_EQ(value_of(e), 3);
}

TEST(InputGateTest, PollTimesOutWhenNothingArrives) {
  InputGate gate(2);
  gate.add_channel();
  Envelope e;
  int channel;
  EXPECT_FALSE(gate.poll(e, channel, std::chrono::milliseconds(1)));
}

TEST(InputGateTest, CancelReleasesBlockedSenderAndReceiver) {
  InputGate gate(1);
  int c = gate.add_channel();
  gate.push(c, records(1));
  auto sender = std::async(std::launch::async, [&] { gate.push(c, records(2)); });
  InputGate empty(1);
  empty.add_channel();
  auto receiver = std::async(std::launch::async, [&] {
    Envelope e;
    int channel;
    while (!empty.poll(e, channel, std::chrono::milliseconds(10))) {
    }
  });
  gate.cancel();
  empty.cancel();
  EXPECT_THROW(sender.get(), TaskCancelled);
  EXPECT_THROW(receiver.get(), TaskCancelled);
}

}  // namespace
}  // namespace eddy::runtime
