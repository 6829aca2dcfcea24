// Tumbling windows: fixed-size, non-overlapping windows [start, start + size) whose starts are
// aligned to `offset` (so with offset 0 every window starts at a multiple of the size from the
// epoch). Each element belongs to exactly one window.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eddy/core/time.h"
#include "eddy/windowing/time_window.h"
#include "eddy/windowing/window_assigner.h"

namespace eddy {

// Assigns by the element's event timestamp; fires on the watermark.
class TumblingEventTimeWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = false;

  // Throws std::invalid_argument unless size > 0 and |offset| < size.
  static TumblingEventTimeWindows of(Time size, Time offset = Time::milliseconds(0)) {
    return TumblingEventTimeWindows(size.to_milliseconds(), offset.to_milliseconds());
  }

  // Throws EddyException when the record has no timestamp.
  std::vector<TimeWindow> assign_windows(int64_t timestamp, const WindowAssignerContext&) const {
    window_assigner_detail::require_timestamp(timestamp);
    const int64_t start = TimeWindow::get_window_start_with_offset(timestamp, offset_, size_);
    return {TimeWindow(start, start + size_)};
  }

  int64_t get_size() const { return size_; }
  int64_t get_offset() const { return offset_; }
  bool is_event_time() const { return true; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kEventTime; }
  std::string to_string() const {
    return "TumblingEventTimeWindows(" + std::to_string(size_) + ")";
  }

 private:
  TumblingEventTimeWindows(int64_t size, int64_t offset) : size_(size), offset_(offset) {
    window_assigner_detail::check_size_and_offset("TumblingEventTimeWindows", size, offset);
  }

  int64_t size_;
  int64_t offset_;
};

// Assigns by the operator's processing time when the element arrives; the element's own
// timestamp is ignored. Fires on processing-time timers.
class TumblingProcessingTimeWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = false;

  // Throws std::invalid_argument unless size > 0 and |offset| < size.
  static TumblingProcessingTimeWindows of(Time size, Time offset = Time::milliseconds(0)) {
    return TumblingProcessingTimeWindows(size.to_milliseconds(), offset.to_milliseconds());
  }

  std::vector<TimeWindow> assign_windows(int64_t, const WindowAssignerContext& ctx) const {
    const int64_t now = ctx.get_current_processing_time();
    const int64_t start = TimeWindow::get_window_start_with_offset(now, offset_, size_);
    return {TimeWindow(start, start + size_)};
  }

  int64_t get_size() const { return size_; }
  int64_t get_offset() const { return offset_; }
  bool is_event_time() const { return false; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kProcessingTime; }
  std::string to_string() const {
    return "TumblingProcessingTimeWindows(" + std::to_string(size_) + ")";
  }

 private:
  TumblingProcessingTimeWindows(int64_t size, int64_t offset) : size_(size), offset_(offset) {
    window_assigner_detail::check_size_and_offset("TumblingProcessingTimeWindows", size, offset);
  }

  int64_t size_;
  int64_t offset_;
};

}  // namespace eddy
