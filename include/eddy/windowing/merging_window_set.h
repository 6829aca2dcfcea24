// MergingWindowSet: the in-flight windows of one key for a merging assigner (sessions), as
// Flink's MergingWindowSet. Each in-flight window maps to a *state window*: the window whose
// namespace holds the window's contents in keyed state. When windows merge, the merged window
// keeps the state window of one of the windows it swallowed, so the operator merges only the
// other state windows into it instead of moving all contents to a new namespace.
//
// Invariants, kept when every window is added through add_window():
//  - No two in-flight windows merge with each other (the assigner would have merged them).
//  - Every state window belongs to exactly one in-flight window.
// The operator persists mapping() in keyed state and rebuilds the set from it per key.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace eddy {

// REQUIRES: Assigner::kIsMerging and Assigner::WindowType has operator< and operator==.
template <class Assigner>
class MergingWindowSet {
 public:
  using Window = typename Assigner::WindowType;
  static_assert(Assigner::kIsMerging, "MergingWindowSet needs a merging window assigner");

  // REQUIRES: assigner outlives the set.
  explicit MergingWindowSet(const Assigner& assigner) : assigner_(&assigner) {}

  // Restores the set from a mapping() taken earlier. Throws std::invalid_argument if a window
  // appears twice (corrupt state).
  MergingWindowSet(const Assigner& assigner, const std::vector<std::pair<Window, Window>>& mapping)
      : assigner_(&assigner) {
    for (const auto& [window, state_window] : mapping) {
      if (!mapping_.emplace(window, state_window).second) {
        throw std::invalid_argument("MergingWindowSet: window " + window.to_string() +
                                    " appears twice in the restored mapping");
      }
    }
  }

  // (in-flight window, state window) pairs ordered by window.
  std::vector<std::pair<Window, Window>> mapping() const {
    return std::vector<std::pair<Window, Window>>(mapping_.begin(), mapping_.end());
  }

  bool empty() const { return mapping_.empty(); }
  size_t size() const { return mapping_.size(); }

  // The state window of an in-flight window, or nullopt if the window is not in flight.
  std::optional<Window> get_state_window(const Window& window) const {
    auto it = mapping_.find(window);
    if (it == mapping_.end()) return std::nullopt;
    return it->second;
  }

  // Removes an in-flight window (its contents were emitted and purged). Throws
  // std::logic_error if it is not in flight: the operator lost track of its windows.
  void retire_window(const Window& window) {
    if (mapping_.erase(window) == 0) {
      throw std::logic_error("Window " + window.to_string() + " is not in in-flight window set.");
    }
  }

  // Adds new_window and merges it with the in-flight windows it touches. Returns the window the
  // new one ended up in: new_window itself, or the merged window that swallowed it. The
  // operator must add the element and run triggers on the returned window only.
  //
  // For every merge that changes the in-flight windows, calls
  //   merge_function(merge_result, merged_windows, state_window_result, merged_state_windows)
  // where merged_windows are the previously in-flight windows that became merge_result (never
  // new_window, which had no state), state_window_result is the state window merge_result now
  // has (the state window of the first of merged_windows), and merged_state_windows are the
  // other merged windows' state windows, whose contents the operator must merge into
  // state_window_result. No call happens when new_window falls inside an in-flight window.
  template <class MergeFunction>
  Window add_window(const Window& new_window, MergeFunction&& merge_function) {
    std::vector<Window> windows;
    windows.reserve(mapping_.size() + 1);
    for (const auto& entry : mapping_) windows.push_back(entry.first);
    windows.push_back(new_window);

    std::vector<std::pair<Window, std::vector<Window>>> merge_results;
    assigner_->merge_windows(windows, [&](std::vector<Window> to_be_merged, Window merge_result) {
      merge_results.emplace_back(std::move(merge_result), std::move(to_be_merged));
    });

    Window result_window = new_window;
    bool merged_new_window = false;
    for (auto& [merge_result, merged_windows] : merge_results) {
      if (std::erase(merged_windows, new_window) > 0) {
        merged_new_window = true;
        result_window = merge_result;
      }
      const Window state_window = state_window_of_first(merged_windows, merge_result);

      std::vector<Window> merged_state_windows;
      for (const Window& merged : merged_windows) {
        auto it = mapping_.find(merged);
        if (it == mapping_.end()) continue;
        merged_state_windows.push_back(it->second);
        mapping_.erase(it);
      }
      mapping_.insert_or_assign(merge_result, state_window);

      // The kept state window already holds its contents; it is not merged into itself.
      auto kept = std::find(merged_state_windows.begin(), merged_state_windows.end(), state_window);
      if (kept != merged_state_windows.end()) merged_state_windows.erase(kept);

      // An in-flight window that only swallowed new_window without growing changed nothing.
      const bool unchanged = merged_windows.size() == 1 && merged_windows.front() == merge_result;
      if (!unchanged) {
        merge_function(merge_result, merged_windows, state_window, merged_state_windows);
      }
    }

    // new_window merged with nothing: it is its own state window. Flink overwrites an identical
    // in-flight window's entry here; keeping the existing entry preserves its state window.
    if (merge_results.empty() || (result_window == new_window && !merged_new_window)) {
      mapping_.try_emplace(result_window, result_window);
    }
    return result_window;
  }

  std::string to_string() const {
    std::string out = "MergingWindowSet{windows={";
    bool first = true;
    for (const auto& [window, state_window] : mapping_) {
      if (!first) out += ", ";
      first = false;
      out += window.to_string() + "=" + state_window.to_string();
    }
    return out + "}}";
  }

 private:
  // The state window a merge result keeps. A well-behaved assigner merges new_window with at
  // least one in-flight window, so merged_windows is non-empty and its windows are in flight.
  Window state_window_of_first(const std::vector<Window>& merged_windows,
                               const Window& merge_result) const {
    if (merged_windows.empty()) {
      throw std::logic_error("merging window assigner merged " + merge_result.to_string() +
                             " from the new window alone");
    }
    auto it = mapping_.find(merged_windows.front());
    if (it == mapping_.end()) {
      throw std::logic_error("merging window assigner merged " +
                             merged_windows.front().to_string() +
                             ", which is neither in flight nor the new window");
    }
    return it->second;
  }

  const Assigner* assigner_;
  std::map<Window, Window> mapping_;  // in-flight window -> state window
};

}  // namespace eddy
