// RecordContext: what a task knows about the record it is processing besides its value — its
// event timestamp. One per task, read and written on the task's thread only: the network input
// sets it per received record, a timestamp assigner or a timer sets it, and every operator's
// output keeps it, so a record's timestamp follows it through chains and across the network.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace eddy::runtime {

inline constexpr int64_t kNoTimestamp = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMinWatermark = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxWatermark = std::numeric_limits<int64_t>::max();
// Sent in place of a watermark: "this input is idle" (Flink's WatermarkStatus.IDLE). Receivers
// leave an idle input out of their minimum until it sends a watermark again, which makes it
// active. Never an operator's event time.
inline constexpr int64_t kIdleWatermark = std::numeric_limits<int64_t>::min() + 1;

struct RecordContext {
  int64_t timestamp = kNoTimestamp;  // event time of the current record, or kNoTimestamp

  std::optional<int64_t> optional_timestamp() const {
    return timestamp == kNoTimestamp ? std::nullopt : std::optional<int64_t>(timestamp);
  }
};

}  // namespace eddy::runtime
