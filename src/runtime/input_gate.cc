#include "runtime/input_gate.h"

#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

InputGate::InputGate(int credits_per_channel)
    : credits_per_channel_(static_cast<size_t>(credits_per_channel)),
      resume_below_(static_cast<size_t>(credits_per_channel) / 2) {}

int InputGate::add_channel() {
  channels_.push_back(std::make_unique<Channel>());
  return static_cast<int>(channels_.size()) - 1;
}

void InputGate::push(int channel, Envelope&& envelope) {
  std::unique_lock lock(mu_);
  Channel& c = *channels_[channel];
  if (c.queue.size() >= credits_per_channel_ && !cancelled_) {
    c.sender_waiting = true;
    c.credit_returned.wait(lock, [&] { return c.queue.size() <= resume_below_ || cancelled_; });
    c.sender_waiting = false;
  }
  if (cancelled_) throw TaskCancelled();
  if (c.queue.empty() && !c.blocked) available_.push_back(channel);
  c.queue.push_back(std::move(envelope));
  if (available_.size() == 1) data_available_.notify_one();
}

bool InputGate::take_locked(Envelope& envelope, int& channel) {
  if (cancelled_) throw TaskCancelled();
  if (available_.empty()) return false;
  channel = available_.front();
  available_.pop_front();
  Channel& c = *channels_[channel];
  envelope = std::move(c.queue.front());
  c.queue.pop_front();
  if (!c.queue.empty()) available_.push_back(channel);
  if (c.sender_waiting && c.queue.size() <= resume_below_) c.credit_returned.notify_one();
  return true;
}

bool InputGate::poll(Envelope& envelope, int& channel, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  data_available_.wait_for(lock, timeout,
                           [&] { return !available_.empty() || cancelled_ || woken_; });
  woken_ = false;
  return take_locked(envelope, channel);
}

bool InputGate::try_poll(Envelope& envelope, int& channel) {
  std::lock_guard lock(mu_);
  return take_locked(envelope, channel);
}

void InputGate::block(int channel) {
  std::lock_guard lock(mu_);
  Channel& c = *channels_[channel];
  if (c.blocked) return;
  c.blocked = true;
  std::erase(available_, channel);
}

void InputGate::unblock_all() {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < channels_.size(); ++i) {
    Channel& c = *channels_[i];
    if (!c.blocked) continue;
    c.blocked = false;
    if (!c.queue.empty()) available_.push_back(static_cast<int>(i));
  }
  if (!available_.empty()) data_available_.notify_one();
}

void InputGate::wake() {
  std::lock_guard lock(mu_);
  woken_ = true;
  data_available_.notify_one();
}

void InputGate::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  data_available_.notify_all();
  for (auto& c : channels_) c->credit_returned.notify_all();
}

}  // namespace eddy::runtime
