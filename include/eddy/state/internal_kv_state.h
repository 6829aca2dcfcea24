// The runtime's view of keyed state: the user interfaces of state.h plus a namespace. Window
// operators keep one namespace per window (the window object) and call set_current_namespace()
// before handing the state to a window function; plain keyed state lives in VoidNamespace.
// Each state object remembers its own current namespace; it starts as N{}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/state/state.h"

namespace eddy::state {

// The namespace of state that is not scoped to a window.
struct VoidNamespace {
  friend constexpr bool operator==(VoidNamespace, VoidNamespace) { return true; }
};

// What a backend needs of every state it created, whatever its kind and types.
class InternalKvStateBase {
 public:
  virtual ~InternalKvStateBase() = default;
  // Stored (key, namespace) entries, across all key groups of the backend.
  virtual size_t num_entries() const = 0;
  // The serialized keys with a value in any namespace, each once, in no particular order.
  virtual std::vector<std::string> serialized_keys() const = 0;
  // Removes every expired value (list elements and map entries one by one) and returns how many
  // were removed; 0 for a state without TTL.
  virtual size_t remove_expired() = 0;
  // Writes the entries of the backend's key group `index` (0 = its first key group): each
  // entry's key bytes, namespace, value and TTL timestamp. Throws StateException if the state's
  // namespace or value type cannot be serialized.
  virtual void snapshot_key_group(int index, DataOutputView& out) const = 0;
  // Adds the entries written by snapshot_key_group (of any backend) to key group `index`.
  // Throws SerializationError for malformed bytes.
  virtual void restore_key_group(int index, DataInputView& in) = 0;
};

template <class N>
class InternalKvState : public InternalKvStateBase {
 public:
  using NamespaceType = N;
  virtual void set_current_namespace(const N& ns) = 0;
};

// A state whose namespaces can be merged: session windows fold the state of merged windows into
// the surviving one.
template <class N>
class InternalMergingState : public InternalKvState<N> {
 public:
  // Folds the current key's values in `sources` into `target`, then clears the sources. A
  // source equal to target is allowed. List elements keep target-first, then source order.
  virtual void merge_namespaces(const N& target, const std::vector<N>& sources) = 0;
};

template <class N, class V>
class InternalValueState : public ValueState<V>, public InternalKvState<N> {};

template <class N, class V>
class InternalListState : public ListState<V>, public InternalMergingState<N> {};

template <class N, class UK, class UV>
class InternalMapState : public MapState<UK, UV>, public InternalKvState<N> {};

template <class N, class V>
class InternalReducingState : public ReducingState<V>, public InternalMergingState<N> {};

template <class N, class In, class Acc, class Out>
class InternalAggregatingState : public AggregatingState<In, Out>, public InternalMergingState<N> {
 public:
  // The current namespace's live accumulator, if any: window slices are merged from these
  // without changing them.
  virtual std::optional<Acc> get_accumulator() = 0;
};

}  // namespace eddy::state

// State without a window namespace writes nothing for it.
template <>
struct eddy::TypeSerializer<eddy::state::VoidNamespace> {
  static void serialize(eddy::state::VoidNamespace, DataOutputView&) {}
  static eddy::state::VoidNamespace deserialize(DataInputView&) { return {}; }
};

template <>
struct eddy::KeyHash<eddy::state::VoidNamespace> {
  uint32_t operator()(eddy::state::VoidNamespace) const { return 0; }
};

template <>
struct std::hash<eddy::state::VoidNamespace> {
  size_t operator()(eddy::state::VoidNamespace) const { return 0; }
};
