// Window assigners decide which windows an element belongs to, as Flink's WindowAssigner does.
//
// Two shapes of assigner exist, and the window operator is templated on the assigner type so
// that assignment costs no virtual call per record:
//  - The built-in assigners whose windows depend only on the timestamp (tumbling, sliding,
//    fixed-gap sessions, global) are NOT templated on the element type. They implement
//      std::vector<W> assign_windows(int64_t timestamp, const WindowAssignerContext&) const;
//    so one assigner value works for any stream.
//  - Assigners that look at the element (dynamic-gap sessions, user assigners deriving from
//    WindowAssigner<T, W>) implement
//      std::vector<W> assign_windows(const T& element, int64_t timestamp, ctx) const;
//    windows_for_element() calls whichever of the two an assigner has.
// Every assigner also declares `using WindowType`, `static constexpr bool kIsMerging`,
// is_event_time(), default_trigger() and to_string(); merging ones add merge_windows().
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "eddy/core/exceptions.h"
#include "eddy/runtime/record_context.h"

namespace eddy {

// What an assigner may ask the operator while assigning one element.
class WindowAssignerContext {
 public:
  virtual ~WindowAssignerContext() = default;
  virtual int64_t get_current_processing_time() const = 0;
};

// The trigger an assigner's windows fire with unless the user sets one; the window operator
// turns it into a trigger object (EventTimeTrigger, ProcessingTimeTrigger, NeverTrigger).
enum class DefaultTrigger { kEventTime, kProcessingTime, kNever };

inline std::string to_string(DefaultTrigger trigger) {
  switch (trigger) {
    case DefaultTrigger::kEventTime:
      return "EventTimeTrigger";
    case DefaultTrigger::kProcessingTime:
      return "ProcessingTimeTrigger";
    case DefaultTrigger::kNever:
      return "NeverTrigger";
  }
  return "DefaultTrigger(" + std::to_string(static_cast<int>(trigger)) + ")";
}

// Base for user-defined assigners that need the element. Built-in assigners do not derive from
// it (see the header comment); the operator accepts both.
template <class T, class W>
class WindowAssigner {
 public:
  using WindowType = W;
  static constexpr bool kIsMerging = false;

  virtual ~WindowAssigner() = default;
  virtual std::vector<W> assign_windows(const T& element, int64_t timestamp,
                                        const WindowAssignerContext& ctx) const = 0;
  virtual bool is_event_time() const = 0;
  virtual DefaultTrigger default_trigger() const = 0;
  virtual std::string to_string() const = 0;
};

// Receives (to_be_merged, merge_result) for each group of windows that merge into one.
template <class W>
using MergeCallback = std::function<void(std::vector<W> to_be_merged, W merge_result)>;

// An assigner whose windows may merge (sessions). merge_windows() reports every group of two or
// more of the given windows that become one window; windows in no group stay as they are.
template <class T, class W>
class MergingWindowAssigner : public WindowAssigner<T, W> {
 public:
  static constexpr bool kIsMerging = true;

  virtual void merge_windows(const std::vector<W>& windows,
                             const MergeCallback<W>& callback) const = 0;
};

// The members the window operator uses on any assigner type A.
template <class A>
concept WindowAssignerType = requires(const A& assigner) {
  typename A::WindowType;
  { A::kIsMerging } -> std::convertible_to<bool>;
  { assigner.is_event_time() } -> std::same_as<bool>;
  { assigner.default_trigger() } -> std::same_as<DefaultTrigger>;
  { assigner.to_string() } -> std::convertible_to<std::string>;
};

// The windows `element` (with `timestamp`) belongs to, whichever assign_windows shape A has.
template <WindowAssignerType A, class T>
std::vector<typename A::WindowType> windows_for_element(const A& assigner, const T& element,
                                                        int64_t timestamp,
                                                        const WindowAssignerContext& ctx) {
  if constexpr (requires { assigner.assign_windows(element, timestamp, ctx); }) {
    return assigner.assign_windows(element, timestamp, ctx);
  } else {
    return assigner.assign_windows(timestamp, ctx);
  }
}

namespace window_assigner_detail {

// Event-time assigners cannot place a record without a timestamp; the usual cause is a job
// that never assigned timestamps.
inline void require_timestamp(int64_t timestamp) {
  if (timestamp == runtime::kNoTimestamp) {
    throw EddyException(
        "Record has no timestamp. Is the time characteristic set to 'ProcessingTime', or did "
        "you forget to call 'assign_timestamps_and_watermarks(...)'?");
  }
}

// Tumbling windows: size > 0 and |offset| < size, so every window start is well defined.
inline void check_size_and_offset(const char* assigner, int64_t size, int64_t offset) {
  if (size <= 0) {
    throw std::invalid_argument(std::string(assigner) + " size must be positive, got " +
                                std::to_string(size) + " ms");
  }
  if (offset <= -size || offset >= size) {
    throw std::invalid_argument(
        std::string(assigner) + " parameters must satisfy abs(offset) < size, got size " +
        std::to_string(size) + " ms and offset " + std::to_string(offset) + " ms");
  }
}

}  // namespace window_assigner_detail

}  // namespace eddy
