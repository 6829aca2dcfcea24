// ResultPartition: the sending side of one edge for one producing subtask. It owns no buffers;
// it hands full buffers to the receivers' input gates, blocking while a receiver has no credit.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "eddy/runtime/buffer.h"
#include "eddy/runtime/stream_operator.h"

namespace eddy::runtime {

class InputGate;

// When a partially filled buffer leaves. Shared by all network outputs of a job.
struct FlushPolicy {
  // Buffer timeout 0. Otherwise buffers leave when full, when the task is about to wait, and
  // when the task runs its periodic flush mail (every buffer timeout).
  bool flush_every_record = false;
};

class ResultPartition {
 public:
  struct Target {
    InputGate* gate;
    int channel;
  };

  explicit ResultPartition(std::vector<Target> targets) : targets_(std::move(targets)) {}

  int num_targets() const { return static_cast<int>(targets_.size()); }

  // Blocks while the receiver holds its full quota of buffers from this channel (no credit),
  // unless the producing task allows overdraft or `force`. Throws TaskCancelled if the job is
  // cancelled meanwhile.
  void send(int target, Envelope&& envelope, bool force = false);
  // The producing task's flag: while set, sends overdraw credit instead of waiting.
  void set_overdraft_flag(const std::atomic<bool>* overdraft) { overdraft_ = overdraft; }
  // A sender waiting for credit checks the overdraft flag again.
  void wake_sender();

  // Sends a watermark to every receiver.
  void send_watermark(int64_t watermark);
  // Tells every receiver that this subtask has sent its last record.
  void send_end_of_partition();
  // Sends a checkpoint barrier to every receiver; an unaligned one overtakes what is queued.
  void send_barrier(const CheckpointBarrier& barrier);

 private:
  std::vector<Target> targets_;
  const std::atomic<bool>* overdraft_ = nullptr;
};

// The non-typed face of a network output, which the task flushes and closes.
class NetworkOutput {
 public:
  virtual ~NetworkOutput() = default;
  virtual void flush_all() = 0;
  // Flushes what is buffered and sends end-of-partition on every channel.
  virtual void end_of_partition() = 0;
  // Flushes what is buffered (overdrawing credit for an unaligned barrier), then sends the
  // barrier on every channel.
  virtual void emit_barrier(const CheckpointBarrier& barrier) = 0;
};

}  // namespace eddy::runtime
