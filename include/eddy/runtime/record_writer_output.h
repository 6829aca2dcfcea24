// RecordWriterOutput: the Output at the end of a chain that sends records to downstream subtasks.
// It batches records per target channel and ships a buffer when it is full, or when its task
// flushes it (before waiting for input, and every buffer timeout).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "eddy/core/dcheck.h"
#include "eddy/runtime/buffer.h"
#include "eddy/runtime/channel_selector.h"
#include "eddy/runtime/output.h"
#include "eddy/runtime/record_context.h"
#include "eddy/runtime/result_partition.h"

namespace eddy::runtime {

template <class T>
class RecordWriterOutput final : public Output<T>, public NetworkOutput {
 public:
  RecordWriterOutput(ResultPartition* partition, std::unique_ptr<ChannelSelector<T>> selector,
                     FlushPolicy flush_policy, const RecordContext* record_context)
      : record_context_(record_context),
        partition_(partition),
        selector_(std::move(selector)),
        broadcast_(selector_->is_broadcast()),
        flush_policy_(flush_policy),
        buffers_(partition->num_targets()) {
    for (auto& b : buffers_) b = new_buffer();
  }

  void push(T&& record) override {
    if (broadcast_) {
      for (int t = 0; t + 1 < num_targets(); ++t) append(t, T(record));
      append(num_targets() - 1, std::move(record));
    } else {
      append(num_targets() == 1 ? 0 : selector_->select(record), std::move(record));
    }
    if (flush_policy_.flush_every_record) flush_all();
  }

  void flush_all() override {
    for (int t = 0; t < num_targets(); ++t) {
      if (!buffers_[t]->records.empty()) ship(t);
    }
  }

  void end_of_partition() override {
    flush_all();
    partition_->send_end_of_partition();
  }

  void emit_barrier(const CheckpointBarrier& barrier) override {
    if (barrier.unaligned) {
      // What was emitted before the barrier must precede it on the channel, where the
      // receiver stores it with the checkpoint; waiting for credit here could wait forever.
      for (int t = 0; t < num_targets(); ++t) {
        if (!buffers_[t]->records.empty()) ship(t, /*force=*/true);
      }
    } else {
      flush_all();
    }
    partition_->send_barrier(barrier);
  }
  // Records emitted before the watermark leave before it.
  void emit_watermark(int64_t watermark) override {
    flush_all();
    partition_->send_watermark(watermark);
  }

 private:
  int num_targets() const { return static_cast<int>(buffers_.size()); }

  static std::unique_ptr<RecordBuffer<T>> new_buffer() {
    return std::make_unique<RecordBuffer<T>>(default_buffer_records<T>());
  }

  void append(int target, T&& record) {
    RecordBuffer<T>& buffer = *buffers_[target];
    const int64_t timestamp = record_context_->timestamp;
    if (timestamp != kNoTimestamp || !buffer.timestamps.empty()) {
      buffer.timestamps.resize(buffer.records.size(), kNoTimestamp);
      buffer.timestamps.push_back(timestamp);
    }
    buffer.records.push_back(std::move(record));
    if (buffer.records.size() >= default_buffer_records<T>()) ship(target);
  }

  void ship(int target, bool force = false) {
    EDDY_DCHECK(buffers_[target]->timestamps_match_records(),
                "a buffer holds one timestamp per record, or none");
    Envelope envelope{EnvelopeKind::kRecords, std::move(buffers_[target]), 0, {}};
    buffers_[target] = new_buffer();
    partition_->send(target, std::move(envelope), force);
  }

  const RecordContext* record_context_;
  ResultPartition* partition_;
  std::unique_ptr<ChannelSelector<T>> selector_;
  bool broadcast_;
  FlushPolicy flush_policy_;
  std::vector<std::unique_ptr<RecordBuffer<T>>> buffers_;  // one being filled per target
};

}  // namespace eddy::runtime
