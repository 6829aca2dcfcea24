// State assignment: what each operator subtask of a job restores from a checkpoint, also when
// parallelisms changed. Keyed state goes whole to every subtask, which keeps the key groups it
// owns; operator list state is split evenly, union list state given whole to each, broadcast
// state copied from one old subtask (Flink's rules).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "cluster/checkpoint_storage.h"
#include "eddy/runtime/checkpoint.h"
#include "graph/job_graph.h"

namespace eddy::cluster {

// The records an unaligned checkpoint stored in flight to subtask `subtask` of `node`, whose
// old state is `old`. At another parallelism they would have to be partitioned anew, which Eddy
// does not do: throws std::runtime_error naming the operator (savepoints, aligned, hold none).
std::vector<runtime::InFlightRecords> in_flight_of(const OperatorCheckpointState& old,
                                                   const graph::StreamNode& node, int subtask,
                                                   int64_t checkpoint_id);

// The restore of every operator in `vertex`'s chain for subtask `subtask`, by stream node id.
// Operators the checkpoint holds nothing for are absent.
std::map<int, std::shared_ptr<const runtime::OperatorRestore>> assign_state(
    const CompletedCheckpoint& checkpoint, const graph::JobGraph& job,
    const graph::JobVertex& vertex, int subtask);

}  // namespace eddy::cluster
