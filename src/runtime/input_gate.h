// InputGate: the receiving side of a subtask — one bounded queue per input channel (one channel
// per upstream subtask and edge). A channel holds at most `credits` buffers: that quota is the
// credit a sender needs, so a slow receiver blocks its senders instead of buffering without end.
// A blocked sender is woken once half of its channel's credit is back, not after every buffer:
// that halves the thread hand-offs of a saturated channel.
// A blocked channel (barrier alignment) keeps its data until unblocked; its sender keeps sending
// until the channel's credit is used up, then waits.
// Unaligned checkpoints: a priority barrier needs no credit and is taken before all queued data,
// overtaking it. A sender may overdraw its credit (by a bounded number of buffers) while its task
// has a checkpoint to take (its `overdraft` flag is set), so that backpressure does not keep the
// task from reaching the barrier.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "eddy/core/dcheck.h"
#include "eddy/runtime/buffer.h"

namespace eddy::runtime {

class InputGate {
 public:
  explicit InputGate(int credits_per_channel);

  // Adds a channel and returns its index. REQUIRES: the gate is not in use yet.
  int add_channel();

  int num_channels() const { return static_cast<int>(channels_.size()); }

  // Sender side. Blocks while `channel` has no credit, unless `force` or `*overdraft` (checked
  // again when wake_senders() is called). Throws TaskCancelled after cancel().
  void push(int channel, Envelope&& envelope, const std::atomic<bool>* overdraft = nullptr,
            bool force = false);
  // Sender side: an unaligned barrier, taken by the receiver before anything queued. Never
  // blocks. Calls the priority listener (outside the gate's lock).
  void push_priority(int channel, Envelope&& barrier);
  // Any thread: waiting senders check their overdraft flag again.
  void wake_senders();

  // Receiver side: `listener` runs on the pushing thread after each priority barrier arrived.
  // REQUIRES: the gate is not in use yet.
  void set_priority_listener(std::function<void()> listener);
  // Receiver side: calls visit(envelope) for the first `count` envelopes queued on `channel`.
  void visit_queued(int channel, size_t count, const std::function<void(const Envelope&)>& visit);

  // Receiver side. Takes the next envelope, channels served in arrival order. Returns false if
  // nothing arrived within `timeout` or wake() was called. Throws TaskCancelled after cancel().
  bool poll(Envelope& envelope, int& channel, std::chrono::milliseconds timeout);
  // Like poll(), without waiting.
  bool try_poll(Envelope& envelope, int& channel);
  // Takes the next priority barrier, if one is queued.
  bool try_poll_priority(Envelope& envelope, int& channel);

  // Receiver side: poll() skips `channel` until unblock_all(); its data stays queued.
  void block(int channel);
  void unblock_all();

  // Any thread: makes the receiver's current (or next) poll() return, e.g. to read its mail.
  void wake();

  // Wakes every waiting sender and the receiver; they throw TaskCancelled.
  void cancel();

 private:
  struct Channel {
    std::deque<Envelope> queue;   // GUARDED_BY(mu_)
    bool sender_waiting = false;  // GUARDED_BY(mu_)
    bool blocked = false;         // GUARDED_BY(mu_)
    std::condition_variable credit_returned;
  };

  // REQUIRES: `lock` holds mu_.
  bool take_locked(const std::unique_lock<std::mutex>& lock, Envelope& envelope, int& channel);

  const size_t credits_per_channel_;
  const size_t resume_below_;  // a waiting sender resumes once its queue is this short
  std::mutex mu_;
  std::condition_variable data_available_;
  std::vector<std::unique_ptr<Channel>> channels_;  // GUARDED_BY(mu_)
  // Unblocked channels with data, each once, in arrival order. GUARDED_BY(mu_)
  std::deque<int> available_;
  // Priority barriers not yet taken, with their channel, in arrival order. GUARDED_BY(mu_)
  std::deque<std::pair<int, Envelope>> priority_;
  std::function<void()> priority_listener_;
  bool cancelled_ = false;  // GUARDED_BY(mu_)
  bool woken_ = false;      // GUARDED_BY(mu_)
  // The receiving task's thread: the first to take from the gate.
  [[no_unique_address]] ThreadOwner receiver_;
};

}  // namespace eddy::runtime
