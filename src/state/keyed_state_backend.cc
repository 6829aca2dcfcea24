#include "eddy/state/keyed_state_backend.h"

#include <string>
#include <utility>

#include "eddy/state/state_exception.h"

namespace eddy {

KeyedStateBackend::KeyedStateBackend(int first_key_group, int last_key_group, int max_parallelism)
    : context_(first_key_group, last_key_group, max_parallelism) {}

KeyedStateBackend::~KeyedStateBackend() = default;

namespace {

// Flink's wording (StateMigrationException), with both serializers named.
[[noreturn]] void throw_incompatible(const std::string& name, const char* which,
                                     const SerializerIdentity& old_serializer,
                                     const SerializerIdentity& new_serializer) {
  throw StateException("The new " + std::string(which) + " serializer for state '" + name +
                       "' must not be incompatible with the old " + which + " serializer: old " +
                       old_serializer.describe() + ", new " + new_serializer.describe() +
                       " (state is never read as another type: restore it with the old type, "
                       "or give the state of the new type another name)");
}

}  // namespace

void KeyedStateBackend::check_restored_serializers(const std::string& name,
                                                   const StateSerializers& now,
                                                   const StateSerializers& restored) const {
  if (!restored.kind.empty() && !now.kind.empty() && restored.kind != now.kind) {
    throw StateException("state '" + name + "' was restored as " + restored.kind +
                         " and cannot be used as " + now.kind);
  }
  if (!now.namespace_serializer.can_read(restored.namespace_serializer)) {
    throw_incompatible(name, "namespace", restored.namespace_serializer, now.namespace_serializer);
  }
  if (!now.value_serializer.can_read(restored.value_serializer)) {
    throw_incompatible(name, "state", restored.value_serializer, now.value_serializer);
  }
  if (!key_serializer_.can_read(restored.key_serializer)) {
    throw_incompatible(name, "key", restored.key_serializer, key_serializer_);
  }
}

void KeyedStateBackend::set_key_serializer(KeySerializerFn key_serializer) {
  SerializerIdentity identity = key_serializer();
  for (const auto& [name, restored] : restored_serializers_) {
    if (!identity.can_read(restored.key_serializer)) {
      throw_incompatible(name, "key", restored.key_serializer, identity);
    }
  }
  // Declared only once accepted: a refused key type is refused again on the next key.
  key_serializer_fn_ = key_serializer;
  key_serializer_ = std::move(identity);
}

std::map<std::string, StateSerializers> KeyedStateBackend::state_serializers() const {
  std::map<std::string, StateSerializers> result = restored_serializers_;
  for (const auto& [name, registered] : states_) {
    StateSerializers& serializers = result[name];
    const SerializerIdentity restored_key = serializers.key_serializer;
    serializers = registered.serializers;
    // No key set since the restore: the keys are still the restored ones.
    serializers.key_serializer = key_serializer_.known() ? key_serializer_ : restored_key;
  }
  return result;
}

state::InternalKvStateBase& KeyedStateBackend::get_or_create_state(
    const StateDescriptorBase& descriptor, std::type_index type, DescribeType describe,
    SerializersFn serializers, const state::StateFactory& factory) {
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
  StateSerializers now = serializers(descriptor);
  if (auto restored = restored_serializers_.find(descriptor.name());
      restored != restored_serializers_.end()) {
    check_restored_serializers(descriptor.name(), now, restored->second);
  }
  std::unique_ptr<state::InternalKvStateBase> created = create_state(factory);
  state::InternalKvStateBase& result = *created;
  if (auto pending = pending_restore_.find(descriptor.name()); pending != pending_restore_.end()) {
    restore_state(descriptor.name(), result, *pending->second);
    pending_restore_.erase(pending);
  }
  states_.emplace(descriptor.name(), RegisteredState{descriptor.kind(), type, describe,
                                                     std::move(created), std::move(now)});
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
  snapshot.serializers = state_serializers();
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
  // Checked before anything is restored: a state already registered must read what the
  // snapshot's serializers wrote.
  for (const auto& [name, restored] : snapshot.serializers) {
    if (auto it = states_.find(name); it != states_.end()) {
      check_restored_serializers(name, it->second.serializers, restored);
    }
  }
  for (const auto& [name, restored] : snapshot.serializers) {
    restored_serializers_.try_emplace(name, restored);  // every old subtask records the same
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
