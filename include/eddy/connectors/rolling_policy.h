// Rolling policies of the FileSink: when a subtask closes its part file and starts the next one.
// Whatever the policy, the sink also closes the open part at every checkpoint (Eddy has no
// resumable in-progress files), and a closed part is committed only once a checkpoint holding
// it completes.
#pragma once

#include <cstdint>
#include <limits>

#include "eddy/core/time.h"

namespace eddy {

// Flink's DefaultRollingPolicy. The open part is closed
//   - before a record is written to it, if it is already larger than max_part_size_bytes (so a
//     part ends with the first record that takes it over the limit);
//   - once it has been open for rollover_interval_ms or longer;
//   - once no record was written to it for inactivity_interval_ms or longer.
// Time is the job's processing time; the two intervals are checked before each write and by a
// processing-time timer at the part's deadline, so an idle part closes without further input.
// Every field must be at least 1 (FileSink's build() checks). Defaults as in Flink: 128 MiB,
// 60 s, 60 s.
struct DefaultRollingPolicy {
  // An interval or size that never triggers a roll (see OnCheckpointRollingPolicy).
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

  int64_t max_part_size_bytes = int64_t{128} * 1024 * 1024;
  int64_t rollover_interval_ms = 60 * 1000;
  int64_t inactivity_interval_ms = 60 * 1000;

  // Flink's DefaultRollingPolicy.builder(): starts from the defaults.
  class PolicyBuilder;
  static PolicyBuilder builder();

  bool rolls_on_time() const {
    return rollover_interval_ms != kNever || inactivity_interval_ms != kNever;
  }
};

class DefaultRollingPolicy::PolicyBuilder {
 public:
  PolicyBuilder& with_max_part_size(int64_t bytes) {
    policy_.max_part_size_bytes = bytes;
    return *this;
  }
  PolicyBuilder& with_rollover_interval(Time interval) {
    policy_.rollover_interval_ms = interval.to_milliseconds();
    return *this;
  }
  PolicyBuilder& with_inactivity_interval(Time interval) {
    policy_.inactivity_interval_ms = interval.to_milliseconds();
    return *this;
  }
  DefaultRollingPolicy build() const { return policy_; }

 private:
  DefaultRollingPolicy policy_;
};

inline DefaultRollingPolicy::PolicyBuilder DefaultRollingPolicy::builder() {
  return PolicyBuilder();
}

// Flink's OnCheckpointRollingPolicy: a part is closed only at checkpoints (and at the end of the
// input), never by size or time.
struct OnCheckpointRollingPolicy {
  static OnCheckpointRollingPolicy build() { return {}; }
  operator DefaultRollingPolicy() const {
    return DefaultRollingPolicy{DefaultRollingPolicy::kNever, DefaultRollingPolicy::kNever,
                                DefaultRollingPolicy::kNever};
  }
};

}  // namespace eddy
