// What travels between subtasks: buffers of many records, or in-band events. A buffer holds
// records of exactly one type, the type of the edge it travels on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "eddy/core/dcheck.h"

namespace eddy::runtime {

class RecordBufferBase {
 public:
  virtual ~RecordBufferBase() = default;
  virtual size_t size() const = 0;
};

template <class T>
class RecordBuffer final : public RecordBufferBase {
 public:
  explicit RecordBuffer(size_t capacity) { records.reserve(capacity); }
  size_t size() const override { return records.size(); }
  std::vector<T> records;
  // Empty while no record of the buffer has a timestamp; otherwise one per record
  // (kNoTimestamp for those without).
  std::vector<int64_t> timestamps;

  // The invariant of `timestamps`, for EDDY_DCHECK.
  bool timestamps_match_records() const {
    return timestamps.empty() || timestamps.size() == records.size();
  }
};

// Records per buffer for a type: about 32 KiB of in-memory records, at least 64.
template <class T>
constexpr size_t default_buffer_records() {
  constexpr size_t n = 32 * 1024 / sizeof(T);
  return n < 64 ? 64 : n;
}

enum class EnvelopeKind : unsigned char {
  kRecords,         // `buffer` holds records
  kWatermark,       // `watermark`: the sender's event time has advanced
  kEndOfPartition,  // the sending subtask has emitted its last record on this channel
  kBarrier,         // `barrier`: what the sender emitted before belongs to that checkpoint
};

// Separates the records of checkpoint `id` (before it) from those after it, on every channel.
struct CheckpointBarrier {
  int64_t id = 0;
  int64_t timestamp = 0;      // when the checkpoint was triggered, epoch milliseconds
  bool is_savepoint = false;  // savepoints are always aligned and in the canonical state format
  bool unaligned = false;     // overtakes queued records, which the checkpoint then stores
};

// What sources do at a savepoint's barrier: go on, or stop emitting (stop-with-savepoint) —
// with kStopAndDrain after first advancing event time to its end, which fires every event-time
// timer and window, so their results precede the barrier.
enum class SourceStop : unsigned char { kNone, kStop, kStopAndDrain };

struct Envelope {
  EnvelopeKind kind = EnvelopeKind::kRecords;
  std::unique_ptr<RecordBufferBase> buffer;
  int64_t watermark = 0;
  CheckpointBarrier barrier;
  // An unaligned barrier as the receiver takes it: how many envelopes it overtook, which are
  // the first ones now queued on its channel.
  size_t overtaken = 0;
};

}  // namespace eddy::runtime
