#include "eddy/state/state_descriptor.h"

#include <string>

namespace eddy {

std::string_view state_kind_name(StateKind kind) {
  switch (kind) {
    case StateKind::kValue:
      return "ValueState";
    case StateKind::kList:
      return "ListState";
    case StateKind::kMap:
      return "MapState";
    case StateKind::kReducing:
      return "ReducingState";
    case StateKind::kAggregating:
      return "AggregatingState";
  }
  return "unknown state kind";
}

StateDescriptorBase::StateDescriptorBase(std::string name, StateKind kind)
    : name_(std::move(name)), kind_(kind) {
  if (name_.empty()) {
    throw StateException(std::string(state_kind_name(kind)) + " descriptor needs a non-empty name");
  }
}

void StateDescriptorBase::enable_time_to_live(const StateTtlConfig& config) {
  if (!config.is_enabled()) {
    throw StateException("state '" + name_ +
                         "': enable_time_to_live needs an update type other than Disabled");
  }
  ttl_config_ = config;
}

}  // namespace eddy
