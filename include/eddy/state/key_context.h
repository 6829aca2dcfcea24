// The key a keyed state backend is positioned on. The backend sets it before each record (and
// timer); every state of the backend reads it on each access, so states need no key argument.
#pragma once

#include <string>
#include <utility>

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
};

}  // namespace eddy::state
