#include "runtime/input_gate.h"

#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

InputGate::InputGate(int credits_per_channel)
    : credits_per_channel_(static_cast<size_t>(credits_per_channel)) {}

int InputGate::add_channel() {
  channels_.emplace_back();
  return static_cast<int>(channels_.size()) - 1;
}

void InputGate::push(int channel, Envelope&& envelope) {
  std::unique_lock lock(mu_);
  auto& queue = channels_[channel];
  if (queue.size() >= credits_per_channel_ && !cancelled_) {
    ++waiting_senders_;
    credit_available_.wait(lock,
                           [&] { return queue.size() < credits_per_channel_ || cancelled_; });
    --waiting_senders_;
  }
  if (cancelled_) throw TaskCancelled();
  if (queue.empty()) available_.push_back(channel);
  queue.push_back(std::move(envelope));
  if (available_.size() == 1) data_available_.notify_one();
}

bool InputGate::take_locked(Envelope& envelope, int& channel) {
  if (cancelled_) throw TaskCancelled();
  if (available_.empty()) return false;
  channel = available_.front();
  available_.pop_front();
  auto& queue = channels_[channel];
  envelope = std::move(queue.front());
  queue.pop_front();
  if (!queue.empty()) available_.push_back(channel);
  if (waiting_senders_ > 0) credit_available_.notify_all();
  return true;
}

bool InputGate::poll(Envelope& envelope, int& channel, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  data_available_.wait_for(lock, timeout, [&] { return !available_.empty() || cancelled_; });
  return take_locked(envelope, channel);
}

bool InputGate::try_poll(Envelope& envelope, int& channel) {
  std::lock_guard lock(mu_);
  return take_locked(envelope, channel);
}

void InputGate::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  data_available_.notify_all();
  credit_available_.notify_all();
}

}  // namespace eddy::runtime
