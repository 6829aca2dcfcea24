// WatermarkValve: the event time of one logical input of a task, the minimum of the watermarks
// of its channels. A finished channel no longer holds it back. Watermarks per channel only grow:
// a smaller one than seen before is ignored, as Flink does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "eddy/runtime/record_context.h"

namespace eddy::runtime {

class WatermarkValve {
 public:
  explicit WatermarkValve(int num_channels) : channel_watermarks_(num_channels, kMinWatermark) {}

  // Returns the input's new watermark if this one advanced it.
  std::optional<int64_t> on_watermark(int channel, int64_t watermark) {
    if (watermark <= channel_watermarks_[channel]) return std::nullopt;
    channel_watermarks_[channel] = watermark;
    return advance();
  }

  std::optional<int64_t> on_channel_finished(int channel) {
    return on_watermark(channel, kMaxWatermark);
  }

 private:
  std::optional<int64_t> advance() {
    const int64_t minimum =
        *std::min_element(channel_watermarks_.begin(), channel_watermarks_.end());
    if (minimum <= combined_) return std::nullopt;
    combined_ = minimum;
    return combined_;
  }

  std::vector<int64_t> channel_watermarks_;
  int64_t combined_ = kMinWatermark;
};

}  // namespace eddy::runtime
