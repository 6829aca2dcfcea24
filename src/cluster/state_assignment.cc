#include "cluster/state_assignment.h"

#include <stdexcept>

#include <fmt/format.h>

#include "eddy/state/operator_state_redistribution.h"

namespace eddy::cluster {
namespace {

// This subtask's share of every operator state of the old subtasks.
OperatorStateSnapshot redistribute(const OperatorCheckpointState& old, int parallelism,
                                   int subtask) {
  std::map<std::string, std::vector<std::vector<std::string>>> per_old_subtask;
  std::map<std::string, OperatorStateMode> modes;
  std::map<std::string, SerializerIdentity> serializers;  // of the elements, checked on restore
  for (const auto& [index, state] : old.subtasks) {
    for (const auto& [name, entries] : state->operator_state) {
      auto& parts = per_old_subtask[name];
      parts.resize(static_cast<size_t>(old.parallelism));
      parts[static_cast<size_t>(index)] = entries.elements;
      modes[name] = entries.mode;
      serializers[name] = entries.serializer;
    }
  }
  OperatorStateSnapshot share;
  for (auto& [name, parts] : per_old_subtask) {
    OperatorStateEntries& entries = share[name];
    entries.mode = modes[name];
    entries.serializer = serializers[name];
    switch (entries.mode) {
      case OperatorStateMode::kSplitDistribute:
        entries.elements =
            redistribute_even_split(parts, parallelism)[static_cast<size_t>(subtask)];
        break;
      case OperatorStateMode::kUnion:
        entries.elements = redistribute_union(parts, parallelism)[static_cast<size_t>(subtask)];
        break;
      case OperatorStateMode::kBroadcast:
        entries.elements = parts[static_cast<size_t>(subtask % old.parallelism)];
        break;
    }
  }
  return share;
}

}  // namespace

std::vector<runtime::InFlightRecords> in_flight_of(const OperatorCheckpointState& old,
                                                   const graph::StreamNode& node, int subtask,
                                                   int64_t checkpoint_id) {
  if (old.parallelism == node.parallelism) {
    auto it = old.subtasks.find(subtask);
    return it == old.subtasks.end() ? std::vector<runtime::InFlightRecords>{}
                                    : it->second->in_flight;
  }
  for (const auto& [index, state] : old.subtasks) {
    if (!state->in_flight.empty()) {
      throw std::runtime_error(fmt::format(
          "checkpoint {} holds records in flight to '{}' (an unaligned checkpoint) at "
          "parallelism {}; it cannot be restored at parallelism {}: rescale from a savepoint",
          checkpoint_id, node.name, old.parallelism, node.parallelism));
    }
  }
  return {};
}

std::map<int, std::shared_ptr<const runtime::OperatorRestore>> assign_state(
    const CompletedCheckpoint& checkpoint, const graph::JobGraph& job,
    const graph::JobVertex& vertex, int subtask) {
  std::map<int, std::shared_ptr<const runtime::OperatorRestore>> result;
  for (int node_id : vertex.node_ids) {
    const graph::StreamNode& node = job.node(node_id);
    auto it = checkpoint.operators.find(node.operator_id());
    if (it == checkpoint.operators.end()) continue;
    auto restore = std::make_shared<runtime::OperatorRestore>();
    restore->checkpoint_id = checkpoint.id;
    for (const auto& [index, state] : it->second.subtasks) restore->old_subtasks.push_back(state);
    restore->operator_state = redistribute(it->second, node.parallelism, subtask);
    restore->in_flight = in_flight_of(it->second, node, subtask, checkpoint.id);
    result.emplace(node_id, std::move(restore));
  }
  return result;
}

}  // namespace eddy::cluster
