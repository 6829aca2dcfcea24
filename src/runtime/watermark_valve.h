// WatermarkValve: the event time of one logical input of a task, the minimum of the watermarks
// of its active channels. A finished channel no longer holds it back, nor does an idle one (it
// sent kIdleWatermark) until its next watermark. Watermarks per channel only grow: a smaller one
// than seen before is ignored, as Flink does. When every open channel is idle, the input is idle
// and the valve says so once; the first watermark after that re-activates it (and is passed on
// even if it does not advance, so that receivers downstream re-activate too).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "eddy/runtime/record_context.h"

namespace eddy::runtime {

class WatermarkValve {
 public:
  explicit WatermarkValve(int num_channels)
      : channel_watermarks_(num_channels, kMinWatermark), idle_(num_channels, false) {}

  // Returns what the input must pass on: its new watermark, or kIdleWatermark.
  std::optional<int64_t> on_watermark(int channel, int64_t watermark) {
    if (watermark == kIdleWatermark) {
      idle_[channel] = true;
    } else {
      idle_[channel] = false;
      channel_watermarks_[channel] = std::max(channel_watermarks_[channel], watermark);
    }
    if (!any_open_channel_active()) {
      if (all_finished()) return advance_to(kMaxWatermark);
      if (input_idle_) return std::nullopt;
      input_idle_ = true;
      return kIdleWatermark;
    }
    std::optional<int64_t> advanced = advance_to(minimum_of_active());
    if (input_idle_) {
      input_idle_ = false;
      if (!advanced) return combined_;  // re-activates the receivers downstream
    }
    return advanced;
  }

  std::optional<int64_t> on_channel_finished(int channel) {
    return on_watermark(channel, kMaxWatermark);
  }

 private:
  bool finished(size_t c) const { return channel_watermarks_[c] == kMaxWatermark; }
  bool all_finished() const {
    for (size_t c = 0; c < idle_.size(); ++c) {
      if (!finished(c)) return false;
    }
    return true;
  }
  bool any_open_channel_active() const {
    for (size_t c = 0; c < idle_.size(); ++c) {
      if (!idle_[c] && !finished(c)) return true;
    }
    return false;
  }
  // REQUIRES: any_open_channel_active().
  int64_t minimum_of_active() const {
    int64_t minimum = kMaxWatermark;
    for (size_t c = 0; c < idle_.size(); ++c) {
      if (!idle_[c] && !finished(c)) minimum = std::min(minimum, channel_watermarks_[c]);
    }
    return minimum;
  }
  std::optional<int64_t> advance_to(int64_t minimum) {
    if (minimum <= combined_) return std::nullopt;
    combined_ = minimum;
    return combined_;
  }

  std::vector<int64_t> channel_watermarks_;
  std::vector<bool> idle_;
  bool input_idle_ = false;  // said kIdleWatermark, and no watermark since
  int64_t combined_ = kMinWatermark;
};

}  // namespace eddy::runtime
