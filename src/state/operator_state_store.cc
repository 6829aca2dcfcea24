#include <string>
#include <string_view>

#include "eddy/state/operator_state.h"

namespace eddy {

namespace state {

void check_new_parallelism(int new_parallelism) {
  if (new_parallelism < 1) {
    throw StateException("operator state redistribution: new parallelism must be at least 1, got " +
                         std::to_string(new_parallelism));
  }
}

}  // namespace state

namespace {

std::string_view mode_name(OperatorStateMode mode) {
  switch (mode) {
    case OperatorStateMode::kSplitDistribute:
      return "list state (even-split redistribution)";
    case OperatorStateMode::kUnion:
      return "union list state";
    case OperatorStateMode::kBroadcast:
      return "broadcast state";
  }
  return "unknown operator state mode";
}

}  // namespace

State* OperatorStateStore::find(const std::string& name, OperatorStateMode mode,
                                std::type_index type, DescribeType describe) const {
  auto it = states_.find(name);
  if (it == states_.end()) return nullptr;
  const Registered& existing = it->second;
  if (existing.mode != mode || existing.type != type) {
    throw StateException("operator state '" + name + "' exists as " +
                         std::string(mode_name(existing.mode)) + " (" + existing.describe() +
                         ") and cannot be used as " + std::string(mode_name(mode)) + " (" +
                         describe() + ")");
  }
  return existing.state.get();
}

OperatorStateSnapshot OperatorStateStore::snapshot() const {
  OperatorStateSnapshot snapshot = pending_restore_;  // restored, not requested: kept as they are
  for (const auto& [name, registered] : states_) {
    snapshot[name] = {registered.mode, registered.snapshot(name, *registered.state),
                      registered.element_serializer()};
  }
  return snapshot;
}

void OperatorStateStore::restore(OperatorStateSnapshot snapshot) {
  for (auto& [name, entries] : snapshot) pending_restore_[name] = std::move(entries);
}

std::optional<std::vector<std::string>> OperatorStateStore::take_pending(
    const std::string& name, OperatorStateMode mode, const SerializerIdentity& serializer) {
  auto it = pending_restore_.find(name);
  if (it == pending_restore_.end()) return std::nullopt;
  if (it->second.mode != mode) {
    throw StateException("operator state '" + name + "' was restored as " +
                         std::string(mode_name(it->second.mode)) + " and cannot be used as " +
                         std::string(mode_name(mode)));
  }
  if (!serializer.can_read(it->second.serializer)) {
    throw StateException("The new state serializer for operator state '" + name +
                         "' must not be incompatible with the old state serializer: old " +
                         it->second.serializer.describe() + ", new " + serializer.describe() +
                         " (state is never read as another type: restore it with the old type, "
                         "or give the state of the new type another name)");
  }
  std::vector<std::string> elements = std::move(it->second.elements);
  pending_restore_.erase(it);
  return elements;
}

void OperatorStateStore::throw_not_serializable(const std::string& name, const std::string& type) {
  throw StateException("cannot snapshot operator state '" + name + "': its element type " + type +
                       " has no TypeSerializer");
}

std::vector<std::string> OperatorStateStore::state_names() const {
  std::vector<std::string> names;
  for (const auto& [name, registered] : states_) names.push_back(name);
  return names;
}

}  // namespace eddy
