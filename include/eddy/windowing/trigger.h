// Trigger: decides when a window's contents are emitted (FIRE) and/or discarded (PURGE), as
// Flink's Trigger. The window operator calls it for each element added to a window, for each
// timer the trigger registered, when windows merge, and when a window is cleaned up.
//
// One trigger object serves every key, window and parallel subtask, so a trigger keeps no
// mutable members: what it must remember per key and window goes into the context's partitioned
// state (a count, the next firing time). Timers it registers belong to the current key and window.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "eddy/state/keyed_state_backend.h"

namespace eddy {

enum class TriggerResult { CONTINUE, FIRE, PURGE, FIRE_AND_PURGE };

inline bool is_fire(TriggerResult r) {
  return r == TriggerResult::FIRE || r == TriggerResult::FIRE_AND_PURGE;
}
inline bool is_purge(TriggerResult r) {
  return r == TriggerResult::PURGE || r == TriggerResult::FIRE_AND_PURGE;
}

// What a trigger may do for the current key and window.
template <class W>
class TriggerContext {
 public:
  virtual ~TriggerContext() = default;
  virtual int64_t get_current_processing_time() const = 0;
  virtual int64_t get_current_watermark() const = 0;
  virtual void register_processing_time_timer(int64_t time) = 0;
  virtual void register_event_time_timer(int64_t time) = 0;
  virtual void delete_processing_time_timer(int64_t time) = 0;
  virtual void delete_event_time_timer(int64_t time) = 0;

  // State of the current key scoped to the current window (the window being merged into, in
  // on_merge). Descriptor: a ValueStateDescriptor, ReducingStateDescriptor, ...
  template <class Descriptor>
  auto& get_partitioned_state(const Descriptor& descriptor) {
    auto& state = state_backend().template get_partitioned_state<W>(descriptor);
    state.set_current_namespace(window());
    return state;
  }

 protected:
  virtual KeyedStateBackend& state_backend() = 0;
  virtual const W& window() const = 0;
};

// On merge, a trigger folds the state of the merged windows into the new one.
template <class W>
class OnMergeContext : public TriggerContext<W> {
 public:
  // Merges the descriptor's state of every merged window into the current window's.
  template <class Descriptor>
  void merge_partitioned_state(const Descriptor& descriptor) {
    auto& state = this->state_backend().template get_partitioned_state<W>(descriptor);
    state.merge_namespaces(this->window(), merged_windows());
  }

 protected:
  virtual const std::vector<W>& merged_windows() const = 0;
};

template <class T, class W>
class Trigger {
 public:
  using ElementType = T;
  using WindowType = W;
  virtual ~Trigger() = default;
  virtual TriggerResult on_element(const T& element, int64_t timestamp, const W& window,
                                   TriggerContext<W>& ctx) const = 0;
  virtual TriggerResult on_processing_time(int64_t time, const W& window,
                                           TriggerContext<W>& ctx) const = 0;
  virtual TriggerResult on_event_time(int64_t time, const W& window,
                                      TriggerContext<W>& ctx) const = 0;
  // Whether windows of merging assigners (sessions) may use this trigger.
  virtual bool can_merge() const { return false; }
  virtual void on_merge(const W&, OnMergeContext<W>&) const {}
  // The window is gone: delete its timers and state.
  virtual void clear(const W& window, TriggerContext<W>& ctx) const = 0;
  virtual std::string to_string() const = 0;
};

}  // namespace eddy
