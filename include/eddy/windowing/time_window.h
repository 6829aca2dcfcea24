// TimeWindow: the interval [start, end) of event or processing time that tumbling, sliding and
// session assigners produce, with Flink's arithmetic (window starts, intersection, merging).
// Windows that assigners produce satisfy start < end; the last timestamp inside is end - 1.
// This header also brings in GlobalWindow, the other built-in window type.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/windowing/global_window.h"

namespace eddy {

class TimeWindow {
 public:
  // The empty window [0, 0): lets containers and state values hold windows by value.
  constexpr TimeWindow() = default;
  constexpr TimeWindow(int64_t start, int64_t end) : start_(start), end_(end) {}

  constexpr int64_t get_start() const { return start_; }
  constexpr int64_t get_end() const { return end_; }
  // The largest timestamp inside the window; timers for the window fire at this time.
  constexpr int64_t max_timestamp() const { return end_ - 1; }

  // True when the windows overlap or touch ([0, 5) and [5, 10) intersect), so that sessions
  // whose gaps meet are merged, as in Flink.
  constexpr bool intersects(const TimeWindow& other) const {
    return start_ <= other.end_ && end_ >= other.start_;
  }

  // The smallest window that contains both.
  constexpr TimeWindow cover(const TimeWindow& other) const {
    return TimeWindow(std::min(start_, other.start_), std::max(end_, other.end_));
  }

  // The start of the window of length window_size, aligned to offset, that contains timestamp.
  // Correct for negative timestamps: the result is always <= timestamp (floor, not truncation).
  // REQUIRES: window_size > 0; timestamp - offset does not overflow.
  static constexpr int64_t get_window_start_with_offset(int64_t timestamp, int64_t offset,
                                                        int64_t window_size) {
    const int64_t remainder = (timestamp - offset) % window_size;
    // C++ (like Java) truncates toward zero, so a negative remainder needs one more window back.
    return remainder < 0 ? timestamp - (remainder + window_size) : timestamp - remainder;
  }

  // Flink's TimeWindow.mergeWindows: sorts the windows by start, folds each run of intersecting
  // windows into their cover, and calls callback(to_be_merged, merge_result) for every run of
  // more than one distinct window. to_be_merged is sorted (start, then end) without duplicates.
  template <class Callback>
  static void merge_windows(const std::vector<TimeWindow>& windows, Callback&& callback) {
    std::vector<TimeWindow> sorted = windows;
    std::sort(sorted.begin(), sorted.end());
    size_t run_begin = 0;
    while (run_begin < sorted.size()) {
      TimeWindow merged = sorted[run_begin];
      std::vector<TimeWindow> run{sorted[run_begin]};
      size_t next = run_begin + 1;
      for (; next < sorted.size() && merged.intersects(sorted[next]); ++next) {
        merged = merged.cover(sorted[next]);
        if (sorted[next] != run.back()) run.push_back(sorted[next]);
      }
      if (run.size() > 1) callback(std::move(run), merged);
      run_begin = next;
    }
  }

  std::string to_string() const {
    return "TimeWindow{start=" + std::to_string(start_) + ", end=" + std::to_string(end_) + "}";
  }

  friend constexpr bool operator==(const TimeWindow&, const TimeWindow&) = default;
  // Orders by start, then end: the order merge_windows and MergingWindowSet walk windows in.
  friend constexpr bool operator<(const TimeWindow& a, const TimeWindow& b) {
    return a.start_ != b.start_ ? a.start_ < b.start_ : a.end_ < b.end_;
  }

 private:
  int64_t start_ = 0;
  int64_t end_ = 0;
};

namespace time_window_detail {

// Flink's MathUtils.longToIntWithBitMixing (the finalizer of MurmurHash3's 64-bit variant).
// Unsigned arithmetic wraps like Java's long instead of overflowing.
inline uint32_t long_to_int_with_bit_mixing(uint64_t in) {
  in = (in ^ (in >> 33)) * 0xff51afd7ed558ccdULL;
  in = (in ^ (in >> 33)) * 0xc4ceb9fe1a85ec53ULL;
  in = in ^ (in >> 33);
  return static_cast<uint32_t>(in);
}

}  // namespace time_window_detail

// Flink's TimeWindow.hashCode: bit-mixed start + end.
template <>
struct KeyHash<TimeWindow> {
  uint32_t operator()(const TimeWindow& window) const {
    return time_window_detail::long_to_int_with_bit_mixing(
        static_cast<uint64_t>(window.get_start()) + static_cast<uint64_t>(window.get_end()));
  }
};

// start then end, each a fixed little-endian int64 (16 bytes), like Flink's TimeWindow.Serializer.
template <>
struct TypeSerializer<TimeWindow> {
  static void serialize(const TimeWindow& window, DataOutputView& out) {
    out.write_fixed<int64_t>(window.get_start());
    out.write_fixed<int64_t>(window.get_end());
  }
  static TimeWindow deserialize(DataInputView& in) {
    const auto start = in.read_fixed<int64_t>();
    const auto end = in.read_fixed<int64_t>();
    return TimeWindow(start, end);
  }
};

}  // namespace eddy

template <>
struct std::hash<eddy::TimeWindow> {
  size_t operator()(const eddy::TimeWindow& window) const {
    return eddy::KeyHash<eddy::TimeWindow>{}(window);
  }
};
