// Sliding windows: windows of `size` that start every `slide`, aligned to `offset`. With
// slide < size they overlap and an element belongs to about size / slide windows; with
// slide > size some elements belong to none. Windows come in Flink's order: the latest start
// first, then backwards one slide at a time.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "eddy/core/time.h"
#include "eddy/windowing/time_window.h"
#include "eddy/windowing/window_assigner.h"

namespace eddy {

namespace sliding_windows_detail {

inline void check_parameters(const char* assigner, int64_t size, int64_t slide, int64_t offset) {
  if (size <= 0 || slide <= 0) {
    throw std::invalid_argument(
        std::string(assigner) + " size and slide must be positive, got size " +
        std::to_string(size) + " ms and slide " + std::to_string(slide) + " ms");
  }
  if (offset <= -slide || offset >= slide) {
    throw std::invalid_argument(
        std::string(assigner) + " parameters must satisfy abs(offset) < slide, got slide " +
        std::to_string(slide) + " ms and offset " + std::to_string(offset) + " ms");
  }
}

// Every window [s, s + size) with s aligned to the slide that contains timestamp, latest first.
inline std::vector<TimeWindow> windows_containing(int64_t timestamp, int64_t size, int64_t slide,
                                                  int64_t offset) {
  std::vector<TimeWindow> windows;
  windows.reserve(static_cast<size_t>(size / slide + 1));
  const int64_t last_start = TimeWindow::get_window_start_with_offset(timestamp, offset, slide);
  for (int64_t start = last_start; start > timestamp - size; start -= slide) {
    windows.emplace_back(start, start + size);
  }
  return windows;
}

}  // namespace sliding_windows_detail

// Assigns by the element's event timestamp; fires on the watermark.
class SlidingEventTimeWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = false;

  // Throws std::invalid_argument unless size > 0, slide > 0 and |offset| < slide.
  static SlidingEventTimeWindows of(Time size, Time slide, Time offset = Time::milliseconds(0)) {
    return SlidingEventTimeWindows(size.to_milliseconds(), slide.to_milliseconds(),
                                   offset.to_milliseconds());
  }

  // Throws EddyException when the record has no timestamp.
  std::vector<TimeWindow> assign_windows(int64_t timestamp, const WindowAssignerContext&) const {
    window_assigner_detail::require_timestamp(timestamp);
    return sliding_windows_detail::windows_containing(timestamp, size_, slide_, offset_);
  }

  int64_t get_size() const { return size_; }
  int64_t get_slide() const { return slide_; }
  int64_t get_offset() const { return offset_; }
  bool is_event_time() const { return true; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kEventTime; }
  std::string to_string() const {
    return "SlidingEventTimeWindows(" + std::to_string(size_) + ", " + std::to_string(slide_) + ")";
  }

 private:
  SlidingEventTimeWindows(int64_t size, int64_t slide, int64_t offset)
      : size_(size), slide_(slide), offset_(offset) {
    sliding_windows_detail::check_parameters("SlidingEventTimeWindows", size, slide, offset);
  }

  int64_t size_;
  int64_t slide_;
  int64_t offset_;
};

// Assigns by the operator's processing time when the element arrives; fires on
// processing-time timers.
class SlidingProcessingTimeWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = false;

  // Throws std::invalid_argument unless size > 0, slide > 0 and |offset| < slide.
  static SlidingProcessingTimeWindows of(Time size, Time slide,
                                         Time offset = Time::milliseconds(0)) {
    return SlidingProcessingTimeWindows(size.to_milliseconds(), slide.to_milliseconds(),
                                        offset.to_milliseconds());
  }

  std::vector<TimeWindow> assign_windows(int64_t, const WindowAssignerContext& ctx) const {
    return sliding_windows_detail::windows_containing(ctx.get_current_processing_time(), size_,
                                                      slide_, offset_);
  }

  int64_t get_size() const { return size_; }
  int64_t get_slide() const { return slide_; }
  int64_t get_offset() const { return offset_; }
  bool is_event_time() const { return false; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kProcessingTime; }
  std::string to_string() const {
    return "SlidingProcessingTimeWindows(" + std::to_string(size_) + ", " + std::to_string(slide_) +
           ")";
  }

 private:
  SlidingProcessingTimeWindows(int64_t size, int64_t slide, int64_t offset)
      : size_(size), slide_(slide), offset_(offset) {
    sliding_windows_detail::check_parameters("SlidingProcessingTimeWindows", size, slide, offset);
  }

  int64_t size_;
  int64_t slide_;
  int64_t offset_;
};

}  // namespace eddy
