#include "eddy/state/keyed_state_backend.h"

#include <string>
#include <utility>

#include "eddy/state/state_exception.h"

namespace eddy {

KeyedStateBackend::KeyedStateBackend(int first_key_group, int last_key_group, int max_parallelism)
    : context_(first_key_group, last_key_group, max_parallelism) {}

KeyedStateBackend::~KeyedStateBackend() = default;

state::InternalKvStateBase& KeyedStateBackend::get_or_create_state(
    const StateDescriptorBase& descriptor, std::type_index type, DescribeType describe,
    const state::StateFactory& factory) {
  auto it = states_.find(descriptor.name());
  if (it != states_.end()) {
    const RegisteredState& existing = it->second;
    if (existing.kind != descriptor.kind() || existing.type != type) {
      throw StateException("state '" + descriptor.name() + "' exists as " +
                           std::string(state_kind_name(existing.kind)) + " (" +
                           existing.describe() + ") and cannot be used as " +
                           std::string(state_kind_name(descriptor.kind())) + " (" + describe() +
                           ")");
    }
    return *existing.state;
  }
  std::unique_ptr<state::InternalKvStateBase> created = create_state(factory);
  state::InternalKvStateBase& result = *created;
  states_.emplace(descriptor.name(),
                  RegisteredState{descriptor.kind(), type, describe, std::move(created)});
  return result;
}

std::vector<std::string> KeyedStateBackend::keys(const std::string& state_name) const {
  auto it = states_.find(state_name);
  if (it == states_.end()) return {};
  return it->second.state->serialized_keys();
}

size_t KeyedStateBackend::num_entries() const {
  size_t n = 0;
  for (const auto& [name, registered] : states_) n += registered.state->num_entries();
  return n;
}

}  // namespace eddy
