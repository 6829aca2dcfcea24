// Session windows: each element opens the window [timestamp, timestamp + gap); windows that
// intersect (overlap or touch) merge, so a session ends once no element arrives for `gap`.
// The window operator keeps the merged windows in a MergingWindowSet.
//
// The fixed-gap assigners do not depend on the element type; the dynamic-gap ones are
// templated on it because their gap comes from the element. with_dynamic_gap() deduces the
// element type from the extractor's parameter, or takes it explicitly for generic lambdas:
//   EventTimeSessionWindows::with_dynamic_gap([](const Click& c) { return c.idle_ms; });
//   EventTimeSessionWindows::with_dynamic_gap<Click>([](const auto& c) { return c.idle_ms; });
//
// Unlike Flink, an event-time session assigner rejects a record without a timestamp instead of
// opening a window at Long.MIN_VALUE.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/core/time.h"
#include "eddy/windowing/time_window.h"
#include "eddy/windowing/window_assigner.h"

namespace eddy {

template <class T>
using SessionGapExtractor = std::function<int64_t(const T&)>;

namespace session_windows_detail {

inline void check_gap(const char* assigner, int64_t gap) {
  if (gap <= 0) {
    throw std::invalid_argument(std::string(assigner) + " gap must be positive, got " +
                                std::to_string(gap) + " ms");
  }
}

// The element type a gap extractor takes: the decayed parameter of its only operator() or of
// a function pointer. Instantiated lazily, so explicit element types never reach it.
template <class F>
struct ExtractorArgument : ExtractorArgument<decltype(&F::operator())> {};
template <class R, class A>
struct ExtractorArgument<R (*)(A)> : std::type_identity<std::remove_cvref_t<A>> {};
template <class R, class C, class A>
struct ExtractorArgument<R (C::*)(A)> : std::type_identity<std::remove_cvref_t<A>> {};
template <class R, class C, class A>
struct ExtractorArgument<R (C::*)(A) const> : std::type_identity<std::remove_cvref_t<A>> {};

template <class T, class F>
using ElementOf = typename std::conditional_t<std::is_void_v<T>, ExtractorArgument<std::decay_t<F>>,
                                              std::type_identity<T>>::type;

template <class T>
SessionGapExtractor<T> require_extractor(SessionGapExtractor<T> extractor) {
  if (!extractor) throw std::invalid_argument("session gap extractor must not be empty");
  return extractor;
}

// The window an element with the given gap opens. The gap is user data, so a bad one is
// reported with its value.
inline TimeWindow dynamic_session_window(int64_t timestamp, int64_t gap) {
  if (gap <= 0) {
    throw std::invalid_argument(
        "Dynamic session time gap must satisfy 0 < gap, but the gap extractor returned " +
        std::to_string(gap) + " ms");
  }
  return TimeWindow(timestamp, timestamp + gap);
}

}  // namespace session_windows_detail

// Event-time sessions whose gap the extractor computes per element.
template <class T>
class DynamicEventTimeSessionWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = true;

  explicit DynamicEventTimeSessionWindows(SessionGapExtractor<T> extractor)
      : extractor_(session_windows_detail::require_extractor<T>(std::move(extractor))) {}

  // Throws EddyException without a timestamp and std::invalid_argument for a gap <= 0.
  std::vector<TimeWindow> assign_windows(const T& element, int64_t timestamp,
                                         const WindowAssignerContext&) const {
    window_assigner_detail::require_timestamp(timestamp);
    return {session_windows_detail::dynamic_session_window(timestamp, extractor_(element))};
  }

  template <class Callback>
  static void merge_windows(const std::vector<TimeWindow>& windows, Callback&& callback) {
    TimeWindow::merge_windows(windows, std::forward<Callback>(callback));
  }

  bool is_event_time() const { return true; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kEventTime; }
  std::string to_string() const { return "DynamicEventTimeSessionWindows()"; }

 private:
  SessionGapExtractor<T> extractor_;
};

// Processing-time sessions whose gap the extractor computes per element.
template <class T>
class DynamicProcessingTimeSessionWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = true;

  explicit DynamicProcessingTimeSessionWindows(SessionGapExtractor<T> extractor)
      : extractor_(session_windows_detail::require_extractor<T>(std::move(extractor))) {}

  // Throws std::invalid_argument for a gap <= 0.
  std::vector<TimeWindow> assign_windows(const T& element, int64_t,
                                         const WindowAssignerContext& ctx) const {
    return {session_windows_detail::dynamic_session_window(ctx.get_current_processing_time(),
                                                           extractor_(element))};
  }

  template <class Callback>
  static void merge_windows(const std::vector<TimeWindow>& windows, Callback&& callback) {
    TimeWindow::merge_windows(windows, std::forward<Callback>(callback));
  }

  bool is_event_time() const { return false; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kProcessingTime; }
  std::string to_string() const { return "DynamicProcessingTimeSessionWindows()"; }

 private:
  SessionGapExtractor<T> extractor_;
};

// Event-time sessions with a fixed gap; fire on the watermark.
class EventTimeSessionWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = true;

  // Throws std::invalid_argument unless gap > 0.
  static EventTimeSessionWindows with_gap(Time gap) {
    return EventTimeSessionWindows(gap.to_milliseconds());
  }

  template <class T = void, class F>
  static DynamicEventTimeSessionWindows<session_windows_detail::ElementOf<T, F>> with_dynamic_gap(
      F extractor) {
    using Element = session_windows_detail::ElementOf<T, F>;
    return DynamicEventTimeSessionWindows<Element>(
        SessionGapExtractor<Element>(std::move(extractor)));
  }

  // Throws EddyException when the record has no timestamp.
  std::vector<TimeWindow> assign_windows(int64_t timestamp, const WindowAssignerContext&) const {
    window_assigner_detail::require_timestamp(timestamp);
    return {TimeWindow(timestamp, timestamp + gap_)};
  }

  template <class Callback>
  static void merge_windows(const std::vector<TimeWindow>& windows, Callback&& callback) {
    TimeWindow::merge_windows(windows, std::forward<Callback>(callback));
  }

  int64_t get_gap() const { return gap_; }
  bool is_event_time() const { return true; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kEventTime; }
  std::string to_string() const { return "EventTimeSessionWindows(" + std::to_string(gap_) + ")"; }

 private:
  explicit EventTimeSessionWindows(int64_t gap) : gap_(gap) {
    session_windows_detail::check_gap("EventTimeSessionWindows", gap);
  }

  int64_t gap_;
};

// Processing-time sessions with a fixed gap; the element's timestamp is ignored.
class ProcessingTimeSessionWindows {
 public:
  using WindowType = TimeWindow;
  static constexpr bool kIsMerging = true;

  // Throws std::invalid_argument unless gap > 0.
  static ProcessingTimeSessionWindows with_gap(Time gap) {
    return ProcessingTimeSessionWindows(gap.to_milliseconds());
  }

  template <class T = void, class F>
  static DynamicProcessingTimeSessionWindows<session_windows_detail::ElementOf<T, F>>
  with_dynamic_gap(F extractor) {
    using Element = session_windows_detail::ElementOf<T, F>;
    return DynamicProcessingTimeSessionWindows<Element>(
        SessionGapExtractor<Element>(std::move(extractor)));
  }

  std::vector<TimeWindow> assign_windows(int64_t, const WindowAssignerContext& ctx) const {
    const int64_t now = ctx.get_current_processing_time();
    return {TimeWindow(now, now + gap_)};
  }

  template <class Callback>
  static void merge_windows(const std::vector<TimeWindow>& windows, Callback&& callback) {
    TimeWindow::merge_windows(windows, std::forward<Callback>(callback));
  }

  int64_t get_gap() const { return gap_; }
  bool is_event_time() const { return false; }
  DefaultTrigger default_trigger() const { return DefaultTrigger::kProcessingTime; }
  std::string to_string() const {
    return "ProcessingTimeSessionWindows(" + std::to_string(gap_) + ")";
  }

 private:
  explicit ProcessingTimeSessionWindows(int64_t gap) : gap_(gap) {
    session_windows_detail::check_gap("ProcessingTimeSessionWindows", gap);
  }

  int64_t gap_;
};

}  // namespace eddy
