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
  if (auto pending = pending_restore_.find(descriptor.name()); pending != pending_restore_.end()) {
    restore_state(descriptor.name(), result, *pending->second);
    pending_restore_.erase(pending);
  }
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

KeyedStateSnapshot KeyedStateBackend::snapshot() const {
  KeyedStateSnapshot snapshot;
  snapshot.max_parallelism = context_.max_parallelism();
  for (const auto& [name, registered] : states_) {
    for (int index = 0; index < context_.num_key_groups(); ++index) {
      DataOutputView out;
      try {
        registered.state->snapshot_key_group(index, out);
      } catch (const StateException& e) {
        throw StateException("cannot snapshot state '" + name + "': " + e.what());
      }
      // A key group without entries writes just its zero count.
      if (out.size() == 1 && out.data()[0] == 0) continue;
      snapshot.key_groups[name][context_.first_key_group() + index] = out.take();
    }
  }
  // States restored but never requested since keep their entries in the next snapshot.
  for (const auto& [name, per_key_group] : pending_restore_) {
    for (const auto& [key_group, bytes] : *per_key_group) {
      snapshot.key_groups[name][key_group] = bytes;
    }
  }
  return snapshot;
}

KeyedStateSnapshot KeyedStateBackend::snapshot_for_checkpoint(int64_t, SnapshotType) const {
  return snapshot();
}

void KeyedStateBackend::restore_native(const KeyedStateSnapshot&) {
  throw StateException(
      "cannot restore a native (incremental) RocksDB snapshot into this state backend: restore "
      "it with the RocksDB backend, or take a savepoint, whose format every backend restores");
}

void KeyedStateBackend::restore(const KeyedStateSnapshot& snapshot) {
  if (snapshot.max_parallelism != context_.max_parallelism()) {
    throw StateException("cannot restore keyed state taken with max parallelism " +
                         std::to_string(snapshot.max_parallelism) + " into a backend with max " +
                         "parallelism " + std::to_string(context_.max_parallelism()) +
                         ": key groups would not match");
  }
  if (!snapshot.native_meta.empty()) {
    restore_native(snapshot);
    return;
  }
  for (const auto& [name, per_key_group] : snapshot.key_groups) {
    std::map<int, std::string> in_range(per_key_group.lower_bound(context_.first_key_group()),
                                        per_key_group.upper_bound(context_.last_key_group()));
    if (in_range.empty()) continue;
    if (auto it = states_.find(name); it != states_.end()) {
      restore_state(name, *it->second.state, in_range);
    } else {
      // Replaced, not changed in place: an earlier snapshot may share the previous map.
      auto& pending = pending_restore_[name];
      auto merged = pending ? std::make_shared<std::map<int, std::string>>(*pending)
                            : std::make_shared<std::map<int, std::string>>();
      for (auto& [key_group, bytes] : in_range) (*merged)[key_group] = std::move(bytes);
      pending = std::move(merged);
    }
  }
}

void KeyedStateBackend::restore_state(const std::string& name, state::InternalKvStateBase& state,
                                      const std::map<int, std::string>& per_key_group) const {
  for (const auto& [key_group, bytes] : per_key_group) {
    try {
      DataInputView in(bytes);
      state.restore_key_group(key_group - context_.first_key_group(), in);
      if (!in.at_end()) {
        throw SerializationError(std::to_string(in.remaining()) + " trailing bytes");
      }
    } catch (const EddyException& e) {
      throw StateException("cannot restore state '" + name + "', key group " +
                           std::to_string(key_group) + ": " + e.what());
    }
  }
}

}  // namespace eddy
