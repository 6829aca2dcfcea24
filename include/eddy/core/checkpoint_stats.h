// What a job reports of its completed checkpoints and savepoints (Flink's checkpoint history,
// /jobs/:id/checkpoints): when each was triggered, how long it took, and how many bytes of
// records in flight an unaligned one stored.
#pragma once

#include <cstdint>

namespace eddy {

struct CompletedCheckpointStats {
  int64_t id = 0;
  bool is_savepoint = false;
  bool unaligned = false;
  int64_t trigger_timestamp = 0;     // epoch milliseconds
  int64_t latest_ack_timestamp = 0;  // when the last task acknowledged, epoch milliseconds
  // From the trigger until the checkpoint was complete (its files written), in milliseconds.
  int64_t end_to_end_duration = 0;
  int64_t persisted_data = 0;  // bytes of records in flight stored (unaligned checkpoints)
};

// How many completed checkpoints a job remembers (Flink's web.checkpoints.history).
inline constexpr int kCheckpointHistorySize = 10;

}  // namespace eddy
