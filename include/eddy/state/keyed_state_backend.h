// KeyedStateBackend: the keyed state of one operator subtask, for the key groups it owns.
//
// Keys are type-erased: the keyed operator serializes the current key with TypeSerializer<K>,
// computes its key group (assign_to_key_group) and calls set_current_key() before each record
// or timer. The backend is not a template on K, so user functions can ask for state by
// descriptor in open() without knowing the key type, and a byte-keyed store (RocksDB) fits the
// same interface.
//
// States are created on first request and cached by name: asking twice for the same name
// returns the same object; asking for an existing name with another kind, value type or
// namespace type throws StateException naming the state. The typed get_* templates reach the
// virtual create_state() hook through a StateFactory (see state_factory.h).
//
// Serializers: a snapshot records, for each state, the identities of its key, namespace and
// value serializers and its kind (StateSerializers). A restored state is checked when it is
// next requested (kind, namespace and value serializers) and when the first key is set
// (set_current_key_of: the key serializer); one whose serializers cannot read what the old
// ones wrote throws StateException ("The new state serializer for state 'x' must not be
// incompatible with the old state serializer: old int64, new double") instead of reading
// its bytes as another type. Snapshots without identities (older formats) are not checked.
//
// Threading: a backend and its states belong to the subtask's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/core/type_name.h"
#include "eddy/state/internal_kv_state.h"
#include "eddy/state/key_context.h"
#include "eddy/state/state_descriptor.h"
#include "eddy/state/state_factory.h"

namespace eddy {

// A snapshot of a keyed backend: for each state, the serialized entries of each key group that
// holds any. Key groups make it restorable into backends of any key-group range (rescaling).
//
// A snapshot may be taken in two phases: the synchronous phase, on the task's thread, keeps a
// consistent view of the state and sets `deferred`; materialize(), called off the task's thread,
// then serializes that view into `key_groups`. Readers of `key_groups` call materialize() first.
//
// A backend may also snapshot in a native form that only a backend of its kind restores (RocksDB's
// incremental checkpoints): `native_meta` describes it and `native_files` are the files it refers
// to, which the checkpoint storage keeps (and shares between checkpoints) instead of inlining.
struct SnapshotFile {
  std::string name;         // the file's name within the snapshot, e.g. "000012.sst"
  std::string local_path;   // set while only the backend has the file: storage copies it
  std::string shared_path;  // set once the checkpoint storage holds the file
};

enum class SnapshotType { kCheckpoint, kSavepoint };

// What a snapshot records of the serializers of one keyed state (see serializer.h's identity
// section). Empty identities are unknown: not checked.
struct StateSerializers {
  std::string kind;  // "ValueState", "ListState", ...
  SerializerIdentity key_serializer;
  SerializerIdentity namespace_serializer;
  SerializerIdentity value_serializer;  // a map state's: "map state<UK, UV>"
};

struct KeyedStateSnapshot {
  int max_parallelism = 0;
  std::map<std::string, std::map<int, std::string>> key_groups;  // state name -> key group
  std::function<void(KeyedStateSnapshot&)> deferred;             // empty once materialized
  std::string native_meta;
  std::vector<SnapshotFile> native_files;
  // The serializers of every state in the snapshot (and of states restored but not requested
  // since), by state name.
  std::map<std::string, StateSerializers> serializers;

  bool empty() const { return key_groups.empty() && !deferred && native_meta.empty(); }
  // Runs the deferred phase, if any; the view it held is released. Throws StateException.
  void materialize() {
    if (!deferred) return;
    auto complete = std::move(deferred);
    deferred = nullptr;
    complete(*this);
  }
};

class KeyedStateBackend {
 public:
  // Restored key groups (key group -> bytes) of states not requested since the restore, by
  // state name. Each per-state map is immutable once stored (a restore replaces it), so a
  // snapshot may share it.
  using PendingRestore = std::map<std::string, std::shared_ptr<const std::map<int, std::string>>>;

  // Owns key groups [first_key_group, last_key_group] (inclusive) of `max_parallelism`.
  KeyedStateBackend(int first_key_group, int last_key_group, int max_parallelism);
  virtual ~KeyedStateBackend();
  KeyedStateBackend(const KeyedStateBackend&) = delete;
  KeyedStateBackend& operator=(const KeyedStateBackend&) = delete;

  // REQUIRES: key_group is within the backend's range (throws StateException otherwise).
  void set_current_key(std::string key_bytes, int key_group) {
    context_.set(std::move(key_bytes), key_group);
  }
  const std::string& current_key() const { return context_.key(); }
  int current_key_group() const { return context_.key_group(); }

  int first_key_group() const { return context_.first_key_group(); }
  int last_key_group() const { return context_.last_key_group(); }
  int max_parallelism() const { return context_.max_parallelism(); }

  template <class V>
  ValueState<V>& get_state(const ValueStateDescriptor<V>& descriptor) {
    return get_partitioned_state<state::VoidNamespace>(descriptor);
  }
  template <class V>
  ListState<V>& get_list_state(const ListStateDescriptor<V>& descriptor) {
    return get_partitioned_state<state::VoidNamespace>(descriptor);
  }
  template <class UK, class UV>
  MapState<UK, UV>& get_map_state(const MapStateDescriptor<UK, UV>& descriptor) {
    return get_partitioned_state<state::VoidNamespace>(descriptor);
  }
  template <class V>
  ReducingState<V>& get_reducing_state(const ReducingStateDescriptor<V>& descriptor) {
    return get_partitioned_state<state::VoidNamespace>(descriptor);
  }
  template <class In, class Acc, class Out>
  AggregatingState<In, Out>& get_aggregating_state(
      const AggregatingStateDescriptor<In, Acc, Out>& descriptor) {
    return get_partitioned_state<state::VoidNamespace>(descriptor);
  }

  // The state for any descriptor, scoped to namespaces of type N (windows): the returned object
  // is both the user interface and InternalKvState<N> (set_current_namespace, and
  // merge_namespaces for list, reducing and aggregating state).
  template <class N, class Descriptor>
  typename state::StateTypes<N, Descriptor>::Internal& get_partitioned_state(
      const Descriptor& descriptor) {
    using Factory = state::TypedStateFactory<N, Descriptor>;
    state::InternalKvStateBase& created =
        get_or_create_state(descriptor, typeid(Factory), &describe_state_type<N, Descriptor>,
                            &state_serializers_of<N, Descriptor>, Factory(descriptor));
    // get_or_create_state checked that the state was created by this very Factory type.
    return static_cast<typename Factory::Internal&>(created);
  }

  // The serialized keys with a value in state `state_name` (in any namespace), each once; empty
  // for a state never created.
  std::vector<std::string> keys(const std::string& state_name) const;
  // (key, namespace) entries over all states and key groups.
  size_t num_entries() const;

  // Every state's entries, by key group. Throws StateException naming a state whose values
  // cannot be serialized.
  KeyedStateSnapshot snapshot() const;
  // The snapshot of a checkpoint or savepoint: may leave work for
  // KeyedStateSnapshot::materialize(), off the task's thread, while the task goes on changing
  // state. A savepoint's is always in the canonical (key-group) format. By default snapshot().
  virtual KeyedStateSnapshot snapshot_for_checkpoint(int64_t checkpoint_id,
                                                     SnapshotType type) const;
  // How a checkpoint this backend took part in ended (a backend may keep files of completed
  // checkpoints to share with later ones). By default nothing.
  virtual void notify_checkpoint_complete(int64_t /*checkpoint_id*/) {}
  virtual void notify_checkpoint_aborted(int64_t /*checkpoint_id*/) {}
  // Adds the snapshot's key groups that lie in this backend's range. States not registered yet
  // receive theirs when they are first requested. Throws StateException for another max
  // parallelism or malformed bytes (naming the state and key group).
  void restore(const KeyedStateSnapshot& snapshot);

  void set_ttl_time_provider(TtlTimeProvider provider) {
    context_.set_time_provider(std::move(provider));
  }

  using KeySerializerFn = SerializerIdentity (*)();
  // Declares the serializer of the keys set from now on (set_current_key_of does, with
  // &serializer_identity<K>). Throws StateException if it cannot read the keys of a restored
  // state.
  void set_key_serializer(KeySerializerFn key_serializer);
  KeySerializerFn key_serializer_fn() const { return key_serializer_fn_; }

 protected:
  // Creates a state of this backend's storage for the factory's types.
  virtual std::unique_ptr<state::InternalKvStateBase> create_state(
      const state::StateFactory& factory) = 0;
  // Restores a snapshot in native form (non-empty native_meta). This default refuses it: only
  // the backend kind that wrote it can read it.
  virtual void restore_native(const KeyedStateSnapshot& snapshot);

  const state::KeyContext& key_context() const { return context_; }

  template <class F>
  void for_each_state(F&& visit) {
    for (auto& [name, registered] : states_) visit(*registered.state);
  }
  // Calls visit(name, state) for every registered state.
  template <class F>
  void for_each_named_state(F&& visit) const {
    for (const auto& [name, registered] : states_) visit(name, *registered.state);
  }

  // Restored key groups of states not requested since the restore.
  const PendingRestore& pending_restore() const { return pending_restore_; }

  // The serializers a snapshot taken now records: those of every registered state, and the
  // restored ones of states not requested since.
  std::map<std::string, StateSerializers> state_serializers() const;

 private:
  using DescribeType = std::string (*)();
  using SerializersFn = StateSerializers (*)(const StateDescriptorBase&);

  struct RegisteredState {
    StateKind kind;
    std::type_index type;
    DescribeType describe;
    std::unique_ptr<state::InternalKvStateBase> state;
    StateSerializers serializers;  // key_serializer empty: see key_serializer_
  };

  template <class N, class Descriptor>
  static std::string describe_state_type() {
    return type_name<Descriptor>() + " in namespace " + type_name<N>();
  }

  template <class N, class Descriptor>
  static StateSerializers state_serializers_of(const StateDescriptorBase& descriptor) {
    using Types = state::StateTypes<N, Descriptor>;
    StateSerializers serializers;
    serializers.kind = std::string(state_kind_name(descriptor.kind()));
    serializers.namespace_serializer = state::identity_of<N>();
    serializers.value_serializer = Types::value_serializer();
    // TTL stores a timestamp with each value: other bytes than the same state without it.
    if (descriptor.ttl_config()) {
      serializers.value_serializer.name = "ttl<" + serializers.value_serializer.name + ">";
    }
    return serializers;
  }

  state::InternalKvStateBase& get_or_create_state(const StateDescriptorBase& descriptor,
                                                  std::type_index type, DescribeType describe,
                                                  SerializersFn serializers,
                                                  const state::StateFactory& factory);

  // Throws StateException unless state `name`'s serializers `now` read what `restored` records.
  void check_restored_serializers(const std::string& name, const StateSerializers& now,
                                  const StateSerializers& restored) const;

  // Restores `state`'s key groups from `per_key_group` that lie in this backend's range.
  void restore_state(const std::string& name, state::InternalKvStateBase& state,
                     const std::map<int, std::string>& per_key_group) const;

  state::KeyContext context_;
  std::unordered_map<std::string, RegisteredState> states_;
  PendingRestore pending_restore_;
  // The serializers restored snapshots recorded, by state name.
  std::map<std::string, StateSerializers> restored_serializers_;
  KeySerializerFn key_serializer_fn_ = nullptr;  // null until the first key is set
  SerializerIdentity key_serializer_;
};

// Positions `backend` on a typed key: serializes it and computes its key group, as the keyed
// operator does before each record.
// The first call (and a call with another key type) declares the key serializer, checked
// against the restored states'.
template <Serializable K>
void set_current_key_of(KeyedStateBackend& backend, const K& key) {
  if (backend.key_serializer_fn() != &serializer_identity<K>) {
    backend.set_key_serializer(&serializer_identity<K>);
  }
  backend.set_current_key(serialize_to_string(key),
                          assign_to_key_group(key, backend.max_parallelism()));
}

}  // namespace eddy
