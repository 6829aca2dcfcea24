// Slices of sliding (and tumbling: slide = size) windows. Windows of `size` that start every
// `slide` (aligned to `offset`) are unions of consecutive slices of gcd(size, slide): an element
// belongs to exactly one slice, and each window is the size / slice slices from its start to its
// end. Keeping one accumulator per slice instead of one per window is what lets overlapping
// windows share state.
#pragma once

#include <cstdint>
#include <numeric>
#include <optional>

#include "eddy/windowing/time_window.h"

namespace eddy {

class WindowSlices {
 public:
  // Beyond this many slices per window, merging slices at each firing costs more than keeping
  // one accumulator per window.
  static constexpr int64_t kMaxSlicesPerWindow = 1024;

  // The slicing of windows that leave no gaps (slide <= size), or nothing when there are gaps
  // between windows or a window would need more than kMaxSlicesPerWindow slices.
  static std::optional<WindowSlices> of(int64_t size, int64_t slide, int64_t offset) {
    if (slide <= 0 || slide > size) return std::nullopt;
    const int64_t slice = std::gcd(size, slide);
    if (size / slice > kMaxSlicesPerWindow) return std::nullopt;
    return WindowSlices(size, slide, offset, slice);
  }

  int64_t size() const { return size_; }
  int64_t slide() const { return slide_; }
  int64_t slice() const { return slice_; }

  // The start of the slice holding `timestamp`.
  int64_t slice_start(int64_t timestamp) const {
    return TimeWindow::get_window_start_with_offset(timestamp, offset_, slice_);
  }
  // The end of the earliest window that holds the slice starting at `slice_start`.
  int64_t first_window_end(int64_t slice_start) const {
    return TimeWindow::get_window_start_with_offset(slice_start - size_, offset_, slide_) + slide_ +
           size_;
  }
  // The end of the latest window that holds the slice starting at `slice_start`.
  int64_t last_window_end(int64_t slice_start) const {
    return TimeWindow::get_window_start_with_offset(slice_start, offset_, slide_) + size_;
  }
  // The end of the earliest window holding the slice whose last timestamp is after `time`
  // (the first window that has not fired yet when the watermark is at `time`); nothing when
  // every window of the slice has.
  std::optional<int64_t> first_window_end_after(int64_t slice_start, int64_t time) const {
    if (last_window_end(slice_start) - 1 <= time) return std::nullopt;
    int64_t end = first_window_end(slice_start);
    if (end - 1 <= time) end += ((time - (end - 1)) / slide_ + 1) * slide_;
    return end;
  }

 private:
  WindowSlices(int64_t size, int64_t slide, int64_t offset, int64_t slice)
      : size_(size), slide_(slide), offset_(offset), slice_(slice) {}

  int64_t size_;
  int64_t slide_;
  int64_t offset_;  // windows start at offset + k * slide, slices at offset + k * slice
  int64_t slice_;
};

}  // namespace eddy
