// Operator (non-keyed) state: state of one operator subtask, not scoped to a key. A source keeps
// its offsets in it, a sink its pending transactions. List state is redistributed on rescaling
// by even split (get_list_state) or union (get_union_list_state), see
// operator_state_redistribution.h; broadcast state is the same map on every subtask.
// An OperatorStateStore belongs to its subtask's thread. States are created on first request
// and cached by name; a name used again with another mode or type throws StateException.
// Checkpoints take snapshot(): each state's elements serialized one by one (a broadcast state's
// entries as (key, value) pairs), so they can be redistributed without knowing their types,
// and the identity of the element serializer: a state restored with another element type
// throws StateException when it is requested ("The new state serializer for operator state 'x'
// must not be incompatible with the old state serializer: old int64, new string").
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

#include "eddy/core/serializer.h"
#include "eddy/core/type_name.h"
#include "eddy/state/broadcast_state.h"
#include "eddy/state/operator_state_redistribution.h"
#include "eddy/state/state.h"
#include "eddy/state/state_descriptor.h"

namespace eddy {

enum class OperatorStateMode { kSplitDistribute, kUnion, kBroadcast };

// One operator state of one subtask in a snapshot: its elements, each serialized on its own.
struct OperatorStateEntries {
  OperatorStateMode mode = OperatorStateMode::kSplitDistribute;
  std::vector<std::string> elements;
  // The element serializer (a broadcast state's: pair<K, V>); unknown in older snapshots.
  SerializerIdentity serializer;
};
using OperatorStateSnapshot = std::map<std::string, OperatorStateEntries>;

namespace state {

// An operator list state: one in-memory list for the whole subtask.
template <class V>
class PartitionableListState final : public ListState<V> {
 public:
  std::vector<V> get() override { return elements_; }
  void add(V value) override { elements_.push_back(std::move(value)); }
  void add_all(std::vector<V> values) override {
    elements_.insert(elements_.end(), std::make_move_iterator(values.begin()),
                     std::make_move_iterator(values.end()));
  }
  void update(std::vector<V> values) override { elements_ = std::move(values); }
  void clear() override { elements_.clear(); }

  template <class Visit>
  void for_each_element(Visit&& visit) const {
    for (const V& e : elements_) visit(e);
  }

 private:
  std::vector<V> elements_;
};

// How the store serializes and restores the elements of a state of type S.
template <class S>
struct OperatorStateCodec;

template <class V>
struct OperatorStateCodec<PartitionableListState<V>> {
  using Element = V;
  static void add(PartitionableListState<V>& state, V element) { state.add(std::move(element)); }
  template <class Visit>
  static void visit(const PartitionableListState<V>& state, Visit&& visit) {
    state.for_each_element(visit);
  }
};

template <class K, class V>
struct OperatorStateCodec<BroadcastState<K, V>> {
  using Element = std::pair<K, V>;
  static void add(BroadcastState<K, V>& state, std::pair<K, V> entry) {
    state.put(std::move(entry.first), std::move(entry.second));
  }
  template <class Visit>
  static void visit(const BroadcastState<K, V>& state, Visit&& visit) {
    for (const auto& entry : state.items()) visit(entry);
  }
};

}  // namespace state

class OperatorStateStore {
 public:
  template <class V>
  ListState<V>& get_list_state(const ListStateDescriptor<V>& descriptor) {
    return get_or_create<state::PartitionableListState<V>>(descriptor.name(),
                                                           OperatorStateMode::kSplitDistribute);
  }
  template <class V>
  ListState<V>& get_union_list_state(const ListStateDescriptor<V>& descriptor) {
    return get_or_create<state::PartitionableListState<V>>(descriptor.name(),
                                                           OperatorStateMode::kUnion);
  }
  template <class K, class V>
  BroadcastState<K, V>& get_broadcast_state(const MapStateDescriptor<K, V>& descriptor) {
    return get_or_create<BroadcastState<K, V>>(descriptor.name(), OperatorStateMode::kBroadcast);
  }

  // Names of the registered states, sorted.
  std::vector<std::string> state_names() const;

  // Every state's elements. Throws StateException naming a state whose elements cannot be
  // serialized.
  OperatorStateSnapshot snapshot() const;
  // Takes this subtask's share of a snapshot (already redistributed). States not registered yet
  // receive their elements when first requested; one requested with another mode than it was
  // snapshotted with, or whose bytes do not parse, throws StateException naming it.
  void restore(OperatorStateSnapshot snapshot);

 private:
  using DescribeType = std::string (*)();
  using SnapshotFn = std::vector<std::string> (*)(const std::string& name, const State&);
  using IdentityFn = SerializerIdentity (*)();

  struct Registered {
    OperatorStateMode mode;
    std::type_index type;
    DescribeType describe;
    SnapshotFn snapshot;
    IdentityFn element_serializer;
    std::unique_ptr<State> state;
  };

  template <class S>
  static SerializerIdentity element_serializer_of() {
    using Element = typename state::OperatorStateCodec<S>::Element;
    if constexpr (Serializable<Element>) {
      return serializer_identity<Element>();
    } else {
      return {type_name<Element>(), 0, 0};
    }
  }

  template <class S>
  S& get_or_create(const std::string& name, OperatorStateMode mode) {
    if (State* existing = find(name, mode, typeid(S), &type_name<S>)) {
      // find() checked that the state was created as an S.
      return static_cast<S&>(*existing);
    }
    auto created = std::make_unique<S>();
    S& result = *created;
    if (auto pending = take_pending(name, mode, element_serializer_of<S>())) {
      restore_elements(name, result, *pending);
    }
    states_.emplace(name, Registered{mode, typeid(S), &type_name<S>, &snapshot_elements<S>,
                                     &element_serializer_of<S>, std::move(created)});
    return result;
  }

  template <class S>
  static std::vector<std::string> snapshot_elements(const std::string& name, const State& state) {
    using Codec = state::OperatorStateCodec<S>;
    using Element = typename Codec::Element;
    if constexpr (Serializable<Element>) {
      std::vector<std::string> elements;
      Codec::visit(static_cast<const S&>(state),
                   [&](const Element& e) { elements.push_back(serialize_to_string(e)); });
      return elements;
    } else {
      throw_not_serializable(name, type_name<Element>());
    }
  }

  template <class S>
  static void restore_elements(const std::string& name, S& state,
                               const std::vector<std::string>& elements) {
    using Codec = state::OperatorStateCodec<S>;
    using Element = typename Codec::Element;
    if constexpr (Serializable<Element>) {
      try {
        for (const std::string& bytes : elements) {
          Codec::add(state, deserialize_from_string<Element>(bytes));
        }
      } catch (const EddyException& e) {
        throw StateException("cannot restore operator state '" + name + "': " + e.what());
      }
    } else {
      throw_not_serializable(name, type_name<Element>());
    }
  }

  [[noreturn]] static void throw_not_serializable(const std::string& name, const std::string& type);
  // The restored elements of `name`, removed from the pending ones; nothing if none. Throws
  // StateException if they were restored with another mode, or written by a serializer that
  // `serializer` cannot read.
  std::optional<std::vector<std::string>> take_pending(const std::string& name,
                                                       OperatorStateMode mode,
                                                       const SerializerIdentity& serializer);

  // The state registered as `name`, nullptr if none; throws StateException if it was registered
  // with another mode or type.
  State* find(const std::string& name, OperatorStateMode mode, std::type_index type,
              DescribeType describe) const;

  std::map<std::string, Registered> states_;
  OperatorStateSnapshot pending_restore_;  // restored states not requested yet
};

}  // namespace eddy
