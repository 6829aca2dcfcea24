// How the typed front end of KeyedStateBackend reaches a backend that is not a template.
// get_partitioned_state<N>(descriptor) knows N and the value types; the backend knows its
// storage. TypedStateFactory<N, Descriptor> carries the types across the virtual call: the
// backend calls the create_* hook for its own storage (double dispatch), and the factory
// instantiates that storage's state template. A new backend adds one hook here and implements it
// in TypedStateFactory with its own state templates.
// RocksDB stores bytes, so its states exist only for serializable types: StateTypes::kStorable
// says whether they are, and create_rocksdb_state throws StateException naming the state (not a
// compile error: the same job code may run on the heap backend, which needs no serializer).
#pragma once

#include <memory>
#include <string>

#include "eddy/core/serializer.h"
#include "eddy/core/type_name.h"
#include "eddy/state/heap_list_state.h"
#include "eddy/state/heap_map_state.h"
#include "eddy/state/heap_value_states.h"
#include "eddy/state/internal_kv_state.h"
#include "eddy/state/key_context.h"
#include "eddy/state/rocksdb_column.h"
#include "eddy/state/rocksdb_list_state.h"
#include "eddy/state/rocksdb_map_state.h"
#include "eddy/state/rocksdb_value_states.h"
#include "eddy/state/state_descriptor.h"
#include "eddy/state/state_exception.h"

namespace eddy::state {

class StateFactory {
 public:
  virtual ~StateFactory() = default;
  virtual std::unique_ptr<InternalKvStateBase> create_heap_state(
      const KeyContext& context) const = 0;
  // Throws StateException when the state's namespace or stored types are not serializable.
  virtual std::unique_ptr<InternalKvStateBase> create_rocksdb_state(
      RocksDbStateContext& context) const = 0;
};

// StateTypes<N, Descriptor>::Internal is what get_partitioned_state returns; Heap and Rocks
// implement it. kStorable: the namespace and the stored types are serializable (Rocks may be
// instantiated); stored_types() names the stored types for messages.
template <class N, class Descriptor>
struct StateTypes;

// The identity a snapshot records for type T: its serializer's, or for a type without one
// (heap-only state, never written) its C++ name with version 0.
template <class T>
SerializerIdentity identity_of() {
  if constexpr (Serializable<T>) {
    return serializer_identity<T>();
  } else {
    return {type_name<T>(), 0, 0};
  }
}

template <class N, class V>
struct StateTypes<N, ValueStateDescriptor<V>> {
  using Internal = InternalValueState<N, V>;
  using Heap = HeapValueState<N, V>;
  using Rocks = RocksDbValueState<N, V>;
  static constexpr bool kStorable = Serializable<N> && Serializable<V>;
  static std::string stored_types() { return "value type " + type_name<V>(); }
  static SerializerIdentity value_serializer() { return identity_of<V>(); }
};

template <class N, class V>
struct StateTypes<N, ListStateDescriptor<V>> {
  using Internal = InternalListState<N, V>;
  using Heap = HeapListState<N, V>;
  using Rocks = RocksDbListState<N, V>;
  static constexpr bool kStorable = Serializable<N> && Serializable<V>;
  static std::string stored_types() { return "element type " + type_name<V>(); }
  static SerializerIdentity value_serializer() { return identity_of<V>(); }
};

template <class N, class UK, class UV>
struct StateTypes<N, MapStateDescriptor<UK, UV>> {
  using Internal = InternalMapState<N, UK, UV>;
  using Heap = HeapMapState<N, UK, UV>;
  using Rocks = RocksDbMapState<N, UK, UV>;
  static constexpr bool kStorable = Serializable<N> && Serializable<UK> && Serializable<UV>;
  static std::string stored_types() {
    return "key type " + type_name<UK>() + " and value type " + type_name<UV>();
  }
  static SerializerIdentity value_serializer() {
    const SerializerIdentity key = identity_of<UK>();
    const SerializerIdentity value = identity_of<UV>();
    auto nested = [](const SerializerIdentity& identity) {
      return identity.version == 1 ? identity.name
                                   : identity.name + "@" + std::to_string(identity.version);
    };
    return {"map state<" + nested(key) + ", " + nested(value) + ">", 1, 1};
  }
};

template <class N, class V>
struct StateTypes<N, ReducingStateDescriptor<V>> {
  using Internal = InternalReducingState<N, V>;
  using Heap = HeapReducingState<N, V>;
  using Rocks = RocksDbReducingState<N, V>;
  static constexpr bool kStorable = Serializable<N> && Serializable<V>;
  static std::string stored_types() { return "value type " + type_name<V>(); }
  static SerializerIdentity value_serializer() { return identity_of<V>(); }
};

template <class N, class In, class Acc, class Out>
struct StateTypes<N, AggregatingStateDescriptor<In, Acc, Out>> {
  using Internal = InternalAggregatingState<N, In, Acc, Out>;
  using Heap = HeapAggregatingState<N, In, Acc, Out>;
  using Rocks = RocksDbAggregatingState<N, In, Acc, Out>;
  static constexpr bool kStorable = Serializable<N> && Serializable<Acc>;
  static std::string stored_types() { return "accumulator type " + type_name<Acc>(); }
  static SerializerIdentity value_serializer() { return identity_of<Acc>(); }
};

template <class N, class Descriptor>
class TypedStateFactory final : public StateFactory {
 public:
  using Internal = typename StateTypes<N, Descriptor>::Internal;

  // The descriptor must outlive this factory (the factory lives for one get_*state call).
  explicit TypedStateFactory(const Descriptor& descriptor) : descriptor_(descriptor) {}

  std::unique_ptr<InternalKvStateBase> create_heap_state(const KeyContext& context) const override {
    return std::make_unique<typename StateTypes<N, Descriptor>::Heap>(context, descriptor_);
  }

  std::unique_ptr<InternalKvStateBase> create_rocksdb_state(
      RocksDbStateContext& context) const override {
    using Types = StateTypes<N, Descriptor>;
    if constexpr (Types::kStorable) {
      return std::make_unique<typename Types::Rocks>(context, descriptor_);
    } else {
      throw StateException("state '" + descriptor_.name() +
                           "' cannot live in the RocksDB backend, which stores state as bytes: " +
                           Types::stored_types() + " in namespace " + type_name<N>() +
                           " is not serializable (declare a TypeSerializer, e.g. with "
                           "EDDY_SERIALIZABLE)");
    }
  }

 private:
  const Descriptor& descriptor_;
};

}  // namespace eddy::state
