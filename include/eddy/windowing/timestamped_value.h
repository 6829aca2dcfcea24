// TimestampedValue: a window element together with its event timestamp, the unit evictors
// work on (Flink's TimestampedValue).
#pragma once

#include <cstdint>
#include <utility>

#include "eddy/runtime/record_context.h"

namespace eddy {

template <class T>
struct TimestampedValue {
  T value;
  int64_t timestamp = runtime::kNoTimestamp;  // kNoTimestamp when the record had none

  TimestampedValue() = default;
  explicit TimestampedValue(T v, int64_t ts = runtime::kNoTimestamp)
      : value(std::move(v)), timestamp(ts) {}

  bool has_timestamp() const { return timestamp != runtime::kNoTimestamp; }

  friend bool operator==(const TimestampedValue&, const TimestampedValue&) = default;
};

}  // namespace eddy
