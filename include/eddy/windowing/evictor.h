// Evictors remove elements from a window's contents when its trigger fires, before the window
// function runs (evict_before) or after it (evict_after), as Flink's Evictor. The evicting
// window operator hands them the window's elements in insertion order and keeps what remains.
//
// Every evictor has, for any element type T and window type W:
//   void evict_before(std::vector<TimestampedValue<T>>& elements, const W& window,
//                     int64_t current_watermark) const;
//   void evict_after(...same...) const;
// and evicts in exactly one of the two, chosen by do_evict_after (default: before).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "eddy/core/exceptions.h"
#include "eddy/core/time.h"
#include "eddy/windowing/timestamped_value.h"

namespace eddy {

// Keeps the last max_count elements (the most recently added ones).
class CountEvictor {
 public:
  static CountEvictor of(int64_t max_count, bool do_evict_after = false) {
    return CountEvictor(max_count, do_evict_after);
  }

  template <class T, class W>
  void evict_before(std::vector<TimestampedValue<T>>& elements, const W&, int64_t) const {
    if (!do_evict_after_) evict(elements);
  }
  template <class T, class W>
  void evict_after(std::vector<TimestampedValue<T>>& elements, const W&, int64_t) const {
    if (do_evict_after_) evict(elements);
  }

  int64_t get_max_count() const { return max_count_; }
  bool is_evict_after() const { return do_evict_after_; }
  std::string to_string() const { return "CountEvictor(" + std::to_string(max_count_) + ")"; }

 private:
  CountEvictor(int64_t max_count, bool do_evict_after)
      : max_count_(max_count), do_evict_after_(do_evict_after) {}

  // As Flink, a max_count <= 0 evicts everything.
  template <class T>
  void evict(std::vector<TimestampedValue<T>>& elements) const {
    const auto size = static_cast<int64_t>(elements.size());
    if (size <= max_count_) return;
    const int64_t to_evict = max_count_ <= 0 ? size : size - max_count_;
    elements.erase(elements.begin(), elements.begin() + to_evict);
  }

  int64_t max_count_;
  bool do_evict_after_;
};

// Keeps the elements within window_size of the newest one: evicts every element whose
// timestamp is <= max_timestamp - window_size. Does nothing when the first element has no
// timestamp (a processing-time stream); a later element without one is an error, as in Flink.
class TimeEvictor {
 public:
  static TimeEvictor of(Time window_size, bool do_evict_after = false) {
    return TimeEvictor(window_size.to_milliseconds(), do_evict_after);
  }

  template <class T, class W>
  void evict_before(std::vector<TimestampedValue<T>>& elements, const W&, int64_t) const {
    if (!do_evict_after_) evict(elements);
  }
  template <class T, class W>
  void evict_after(std::vector<TimestampedValue<T>>& elements, const W&, int64_t) const {
    if (do_evict_after_) evict(elements);
  }

  int64_t get_window_size() const { return window_size_; }
  bool is_evict_after() const { return do_evict_after_; }
  std::string to_string() const { return "TimeEvictor(" + std::to_string(window_size_) + ")"; }

 private:
  TimeEvictor(int64_t window_size, bool do_evict_after)
      : window_size_(window_size), do_evict_after_(do_evict_after) {}

  template <class T>
  void evict(std::vector<TimestampedValue<T>>& elements) const {
    if (elements.empty() || !elements.front().has_timestamp()) return;
    int64_t max_timestamp = elements.front().timestamp;
    for (const auto& element : elements) {
      if (!element.has_timestamp()) {
        throw EddyException(
            "TimeEvictor: a window element has no timestamp while the first one has one. Did "
            "you forget to call 'assign_timestamps_and_watermarks(...)' on every input?");
      }
      max_timestamp = std::max(max_timestamp, element.timestamp);
    }
    const int64_t evict_cutoff = max_timestamp - window_size_;
    std::erase_if(elements, [&](const auto& element) { return element.timestamp <= evict_cutoff; });
  }

  int64_t window_size_;
  bool do_evict_after_;
};

template <class T>
using DeltaFunction = std::function<double(const T& old_point, const T& new_point)>;

// Evicts every element whose delta to the last (newest) element is >= threshold. The last
// element is compared with itself too, so a threshold <= its self-delta evicts it as well.
template <class T>
class DeltaEvictor {
 public:
  // Throws std::invalid_argument for an empty delta function.
  static DeltaEvictor of(double threshold, DeltaFunction<T> delta, bool do_evict_after = false) {
    return DeltaEvictor(threshold, std::move(delta), do_evict_after);
  }

  template <class W>
  void evict_before(std::vector<TimestampedValue<T>>& elements, const W&, int64_t) const {
    if (!do_evict_after_) evict(elements);
  }
  template <class W>
  void evict_after(std::vector<TimestampedValue<T>>& elements, const W&, int64_t) const {
    if (do_evict_after_) evict(elements);
  }

  double get_threshold() const { return threshold_; }
  bool is_evict_after() const { return do_evict_after_; }
  std::string to_string() const { return "DeltaEvictor(" + std::to_string(threshold_) + ")"; }

 private:
  DeltaEvictor(double threshold, DeltaFunction<T> delta, bool do_evict_after)
      : threshold_(threshold), delta_(std::move(delta)), do_evict_after_(do_evict_after) {
    if (!delta_) throw std::invalid_argument("DeltaEvictor: the delta function must not be empty");
  }

  // Decides every element against the last one before removing any, so the comparison point
  // stays the newest element even when it is evicted itself.
  void evict(std::vector<TimestampedValue<T>>& elements) const {
    if (elements.empty()) return;
    const T& last = elements.back().value;
    std::vector<bool> evicted(elements.size());
    for (size_t i = 0; i < elements.size(); ++i) {
      evicted[i] = delta_(elements[i].value, last) >= threshold_;
    }
    size_t kept = 0;
    for (size_t i = 0; i < elements.size(); ++i) {
      if (evicted[i]) continue;
      if (kept != i) elements[kept] = std::move(elements[i]);
      ++kept;
    }
    elements.erase(elements.begin() + static_cast<std::ptrdiff_t>(kept), elements.end());
  }

  double threshold_;
  DeltaFunction<T> delta_;
  bool do_evict_after_;
};

}  // namespace eddy
