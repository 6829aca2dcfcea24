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

std::vector<std::string> OperatorStateStore::state_names() const {
  std::vector<std::string> names;
  for (const auto& [name, registered] : states_) names.push_back(name);
  return names;
}

}  // namespace eddy
