// The key a keyed state backend is positioned on. The backend sets it before each record (and
// timer); every state of the backend reads it on each access, so states need no key argument.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "eddy/state/state_ttl_config.h"

namespace eddy::state {

class KeyContext {
 public:
  // Owns key groups [first_key_group, last_key_group] of `max_parallelism`. Throws
  // StateException for an empty or out-of-bounds range.
  KeyContext(int first_key_group, int last_key_group, int max_parallelism);

  int first_key_group() const { return first_key_group_; }
  int last_key_group() const { return last_key_group_; }
  int max_parallelism() const { return max_parallelism_; }
  int num_key_groups() const { return last_key_group_ - first_key_group_ + 1; }

  // REQUIRES: first_key_group() <= key_group <= last_key_group(); throws StateException
  // otherwise (the key was routed to the wrong subtask).
  void set(std::string key_bytes, int key_group);

  bool has_key() const { return key_group_ != kNoKey; }
  const std::string& key() const { return key_; }
  int key_group() const { return key_group_; }
  // Position of the current key group in the range. Throws StateException before the first set().
  int key_group_index() const {
    if (key_group_ == kNoKey) throw_no_current_key();
    return key_group_ - first_key_group_;
  }

  const TtlTimeProvider& time_provider() const { return time_provider_; }

  // Runs `listener` after every set(), before the new key's state is accessed: states with
  // incremental TTL cleanup sweep a few entries there, when no entry of theirs is in use.
  // Listeners are part of how the backend's states were configured, not of the key position,
  // hence callable on a const context.
  void add_key_change_listener(std::function<void()> listener) const {
    key_change_listeners_.push_back(std::move(listener));
  }
  void set_time_provider(TtlTimeProvider provider);

 private:
  static constexpr int kNoKey = -1;
  [[noreturn]] static void throw_no_current_key();

  int first_key_group_;
  int last_key_group_;
  int max_parallelism_;
  std::string key_;
  int key_group_ = kNoKey;
  TtlTimeProvider time_provider_;
  mutable std::vector<std::function<void()>> key_change_listeners_;
};

}  // namespace eddy::state
