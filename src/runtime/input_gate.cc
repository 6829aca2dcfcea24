#include "runtime/input_gate.h"

#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {
namespace {

constexpr size_t kMaxOverdraftBuffers = 16;  // per channel, beyond its credit

}  // namespace

InputGate::InputGate(int credits_per_channel)
    : credits_per_channel_(static_cast<size_t>(credits_per_channel)),
      resume_below_(static_cast<size_t>(credits_per_channel) / 2) {}

int InputGate::add_channel() {
  channels_.push_back(std::make_unique<Channel>());
  return static_cast<int>(channels_.size()) - 1;
}

void InputGate::push(int channel, Envelope&& envelope, const std::atomic<bool>* overdraft,
                     bool force) {
  EDDY_DCHECK(channel >= 0 && channel < num_channels(), "push() to one of the gate's channels");
  EDDY_DCHECK((envelope.kind == EnvelopeKind::kRecords) == (envelope.buffer != nullptr),
              "an envelope holds a buffer exactly when it carries records");
  std::unique_lock lock(mu_);
  Channel& c = *channels_[channel];
  // Overdraft is bounded: a task that emits a lot for one buffer of input (or a source that
  // keeps winning its emission lock) then waits for credit again, and the barrier waits longer.
  auto may_overdraw = [&] {
    return force || (overdraft != nullptr && overdraft->load() &&
                     c.queue.size() < credits_per_channel_ + kMaxOverdraftBuffers);
  };
  if (c.queue.size() >= credits_per_channel_ && !cancelled_ && !may_overdraw()) {
    c.sender_waiting = true;
    c.credit_returned.wait(
        lock, [&] { return c.queue.size() <= resume_below_ || cancelled_ || may_overdraw(); });
    c.sender_waiting = false;
  }
  if (cancelled_) throw TaskCancelled();
  if (c.queue.empty() && !c.blocked) available_.push_back(channel);
  c.queue.push_back(std::move(envelope));
  if (available_.size() == 1) data_available_.notify_one();
}

void InputGate::push_priority(int channel, Envelope&& barrier) {
  {
    std::lock_guard lock(mu_);
    if (cancelled_) throw TaskCancelled();
    barrier.overtaken = channels_[channel]->queue.size();
    priority_.emplace_back(channel, std::move(barrier));
    data_available_.notify_one();
  }
  if (priority_listener_) priority_listener_();
}

void InputGate::wake_senders() {
  std::lock_guard lock(mu_);
  for (auto& c : channels_) {
    if (c->sender_waiting) c->credit_returned.notify_all();
  }
}

void InputGate::set_priority_listener(std::function<void()> listener) {
  priority_listener_ = std::move(listener);
}

void InputGate::visit_queued(int channel, size_t count,
                             const std::function<void(const Envelope&)>& visit) {
  std::lock_guard lock(mu_);
  const std::deque<Envelope>& queue = channels_[channel]->queue;
  for (size_t i = 0; i < count && i < queue.size(); ++i) visit(queue[i]);
}

bool InputGate::take_locked(const std::unique_lock<std::mutex>& lock, Envelope& envelope,
                            int& channel) {
  EDDY_DCHECK(lock.owns_lock() && lock.mutex() == &mu_, "take_locked() holds the gate's lock");
  EDDY_DCHECK(receiver_.claim(), "only the receiving task's thread takes from the gate");
  if (cancelled_) throw TaskCancelled();
  if (!priority_.empty()) {
    channel = priority_.front().first;
    envelope = std::move(priority_.front().second);
    priority_.pop_front();
    return true;
  }
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
  data_available_.wait_for(lock, timeout, [&] {
    return !available_.empty() || !priority_.empty() || cancelled_ || woken_;
  });
  woken_ = false;
  return take_locked(lock, envelope, channel);
}

bool InputGate::try_poll(Envelope& envelope, int& channel) {
  std::unique_lock lock(mu_);
  return take_locked(lock, envelope, channel);
}

bool InputGate::try_poll_priority(Envelope& envelope, int& channel) {
  std::lock_guard lock(mu_);
  if (cancelled_) throw TaskCancelled();
  if (priority_.empty()) return false;
  channel = priority_.front().first;
  envelope = std::move(priority_.front().second);
  priority_.pop_front();
  return true;
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
