// How the typed front end of KeyedStateBackend reaches a backend that is not a template.
// get_partitioned_state<N>(descriptor) knows N and the value types; the backend knows its
// storage. TypedStateFactory<N, Descriptor> carries the types across the virtual call: the
// backend calls the create_* hook for its own storage (double dispatch), and the factory
// instantiates that storage's state template. A new backend adds one hook here and implements it
// in TypedStateFactory with its own state templates.
#pragma once

#include <memory>

#include "eddy/state/heap_list_state.h"
#include "eddy/state/heap_map_state.h"
#include "eddy/state/heap_value_states.h"
#include "eddy/state/internal_kv_state.h"
#include "eddy/state/key_context.h"
#include "eddy/state/state_descriptor.h"

namespace eddy::state {

class StateFactory {
 public:
  virtual ~StateFactory() = default;
  virtual std::unique_ptr<InternalKvStateBase> create_heap_state(
      const KeyContext& context) const = 0;
};

// StateTypes<N, Descriptor>::Internal is what get_partitioned_state returns; Heap implements it.
template <class N, class Descriptor>
struct StateTypes;

template <class N, class V>
struct StateTypes<N, ValueStateDescriptor<V>> {
  using Internal = InternalValueState<N, V>;
  using Heap = HeapValueState<N, V>;
};

template <class N, class V>
struct StateTypes<N, ListStateDescriptor<V>> {
  using Internal = InternalListState<N, V>;
  using Heap = HeapListState<N, V>;
};

template <class N, class UK, class UV>
struct StateTypes<N, MapStateDescriptor<UK, UV>> {
  using Internal = InternalMapState<N, UK, UV>;
  using Heap = HeapMapState<N, UK, UV>;
};

template <class N, class V>
struct StateTypes<N, ReducingStateDescriptor<V>> {
  using Internal = InternalReducingState<N, V>;
  using Heap = HeapReducingState<N, V>;
};

template <class N, class In, class Acc, class Out>
struct StateTypes<N, AggregatingStateDescriptor<In, Acc, Out>> {
  using Internal = InternalAggregatingState<N, In, Acc, Out>;
  using Heap = HeapAggregatingState<N, In, Acc, Out>;
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

 private:
  const Descriptor& descriptor_;
};

}  // namespace eddy::state
