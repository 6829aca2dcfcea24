// The functions of Flink's Broadcast State Pattern: one stream (the broadcast side, e.g. rules)
// reaches every parallel instance of an operator, which keeps it in broadcast state; the other
// stream (keyed or not) is processed against that state. Built with
//   stream.connect(rules.broadcast(descriptors...)).process(fn)
//   stream.key_by(f).connect(rules.broadcast(descriptors...)).process(keyed_fn)
// with a BroadcastProcessFunction and a KeyedBroadcastProcessFunction respectively (see
// broadcast_stream.h and docs/broadcast-state.md).
//
// Every instance holds its own copy of each broadcast state. Only the broadcast side writes it
// (Context::get_broadcast_state returns a BroadcastState), the other side reads it
// (ReadOnlyContext returns a ReadOnlyBroadcastState, which has no put): the copies stay equal as
// long as process_broadcast_element updates them the same way for the same element, whatever
// the instance. The order in which an instance sees the records of its two inputs is not
// defined: a record of the non-broadcast side may arrive before a broadcast element emitted
// earlier.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "eddy/api/functions.h"
#include "eddy/core/serializer.h"
#include "eddy/state/operator_state.h"
#include "eddy/state/state_exception.h"

namespace eddy {

namespace broadcast_detail {

// One descriptor given to broadcast(): its name and how to create its state in a store.
struct BroadcastStateSpec {
  std::string name;
  std::function<void(OperatorStateStore&)> create;
};
using BroadcastStateSpecs = std::vector<BroadcastStateSpec>;

template <class UK, class UV>
BroadcastStateSpec spec_of(const MapStateDescriptor<UK, UV>& descriptor) {
  return {descriptor.name(), [name = descriptor.name()](OperatorStateStore& store) {
            static_cast<void>(store.get_broadcast_state(MapStateDescriptor<UK, UV>(name)));
          }};
}

// The broadcast states of one operator subtask, one per descriptor given to broadcast(). All
// are created up front, so asking for a broadcast name with other types throws StateException.
class BroadcastStates {
 public:
  explicit BroadcastStates(BroadcastStateSpecs specs) : specs_(std::move(specs)) {
    for (const BroadcastStateSpec& spec : specs_) names_.insert(spec.name);
  }

  // The states live in the operator subtask's operator state store, so checkpoints take them
  // (and a restore fills them). REQUIRES: called in the operator's open(), before any get().
  void open(OperatorStateStore& store) {
    store_ = &store;
    for (const BroadcastStateSpec& spec : specs_) spec.create(store);
  }

  // Throws StateException, naming the descriptor, for a descriptor that was not broadcast.
  template <class UK, class UV>
  BroadcastState<UK, UV>& get(const MapStateDescriptor<UK, UV>& descriptor) {
    if (!names_.contains(descriptor.name())) throw not_broadcast(descriptor.name());
    return store_->get_broadcast_state(descriptor);
  }

 private:
  StateException not_broadcast(const std::string& name) const {
    std::string known;
    for (const std::string& n : names_) known += (known.empty() ? "'" : ", '") + n + "'";
    return StateException("Broadcast state '" + name +
                          "' does not exist: pass its MapStateDescriptor to broadcast(...) of the "
                          "stream connected here (broadcast states: " +
                          known + ")");
  }

  BroadcastStateSpecs specs_;
  OperatorStateStore* store_ = nullptr;
  std::set<std::string> names_;
};

// A context's access to the subtask's broadcast states and to time. The operator attaches the
// states before the function's first call.
template <class Base>
class WithBroadcastStates : public Base {
 public:
  using Base::Base;
  void attach_broadcast_states(BroadcastStates* states) { states_ = states; }
  // The operator's event time: the last (combined) watermark it received, kMinWatermark before.
  int64_t current_watermark() const {
    return ProcessContextBase::timer_service().current_watermark();
  }
  // The job's processing time in epoch milliseconds.
  int64_t current_processing_time() const {
    return ProcessContextBase::timer_service().current_processing_time();
  }

 protected:
  BroadcastStates& broadcast_states() const { return *states_; }

 private:
  BroadcastStates* states_ = nullptr;
};

// The non-broadcast side's view: broadcast states can be read, not written.
template <class Base>
class ReadOnlyBroadcastContext : public WithBroadcastStates<Base> {
 public:
  using WithBroadcastStates<Base>::WithBroadcastStates;
  template <class UK, class UV>
  ReadOnlyBroadcastState<UK, UV>& get_broadcast_state(
      const MapStateDescriptor<UK, UV>& descriptor) {
    return this->broadcast_states().get(descriptor);
  }
};

// The broadcast side's view: broadcast states can be written.
template <class Base>
class WritableBroadcastContext : public WithBroadcastStates<Base> {
 public:
  using WithBroadcastStates<Base>::WithBroadcastStates;
  template <class UK, class UV>
  BroadcastState<UK, UV>& get_broadcast_state(const MapStateDescriptor<UK, UV>& descriptor) {
    return this->broadcast_states().get(descriptor);
  }
};

// The keyed state a descriptor names, typed as the user sees it.
template <class V>
ValueState<V>& keyed_state(KeyedStateBackend& backend, const ValueStateDescriptor<V>& d) {
  return backend.get_state(d);
}
template <class V>
ListState<V>& keyed_state(KeyedStateBackend& backend, const ListStateDescriptor<V>& d) {
  return backend.get_list_state(d);
}
template <class UK, class UV>
MapState<UK, UV>& keyed_state(KeyedStateBackend& backend, const MapStateDescriptor<UK, UV>& d) {
  return backend.get_map_state(d);
}
template <class V>
ReducingState<V>& keyed_state(KeyedStateBackend& backend, const ReducingStateDescriptor<V>& d) {
  return backend.get_reducing_state(d);
}
template <class In, class Acc, class Out>
AggregatingState<In, Out>& keyed_state(KeyedStateBackend& backend,
                                       const AggregatingStateDescriptor<In, Acc, Out>& d) {
  return backend.get_aggregating_state(d);
}

template <class>
inline constexpr bool kAlwaysFalse = false;

}  // namespace broadcast_detail

// Processes a non-keyed stream against broadcast state. One copy per parallel subtask.
template <class In1, class In2, class Out>
class BroadcastProcessFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;

  // For process_element: timestamp(), output(tag, v), current_watermark(),
  // current_processing_time(), and get_broadcast_state(d) → ReadOnlyBroadcastState<UK, UV>&.
  class ReadOnlyContext : public broadcast_detail::ReadOnlyBroadcastContext<ProcessContextBase> {
   public:
    using broadcast_detail::ReadOnlyBroadcastContext<ProcessContextBase>::ReadOnlyBroadcastContext;
  };
  // For process_broadcast_element: the same, with get_broadcast_state(d) → BroadcastState<UK, UV>&.
  class Context : public broadcast_detail::WritableBroadcastContext<ProcessContextBase> {
   public:
    using broadcast_detail::WritableBroadcastContext<ProcessContextBase>::WritableBroadcastContext;
  };

  // A record of the non-broadcast stream.
  virtual void process_element(const In1& value, ReadOnlyContext& ctx, Collector<Out>& out) = 0;
  // An element of the broadcast stream; every parallel instance receives each one.
  virtual void process_broadcast_element(const In2& value, Context& ctx, Collector<Out>& out) = 0;
};

// Processes a keyed stream against broadcast state: process_element sees the record's key, its
// keyed state (fetched through the RuntimeContext given to open()) and its timers; on_timer the
// same for a firing timer. process_broadcast_element has no current key: it reaches keyed state
// through Context::apply_to_keyed_state only.
template <class K, class In1, class In2, class Out>
class KeyedBroadcastProcessFunction : public RichFunction {
 public:
  using KeyType = K;
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;

  // For process_element and on_timer: get_current_key(), timer_service() (timers of the current
  // key), timestamp(), output(tag, v), current_watermark(), current_processing_time(), and
  // get_broadcast_state(d) → ReadOnlyBroadcastState<UK, UV>&.
  class ReadOnlyContext : public broadcast_detail::ReadOnlyBroadcastContext<KeyedContext<K>> {
   public:
    using broadcast_detail::ReadOnlyBroadcastContext<KeyedContext<K>>::ReadOnlyBroadcastContext;
  };
  // Also tells which kind of timer fired: time_domain().
  using OnTimerContext = OnTimerContextOf<ReadOnlyContext>;

  // For process_broadcast_element: timestamp(), output(tag, v), current_watermark(),
  // current_processing_time(), get_broadcast_state(d) → BroadcastState<UK, UV>&, and
  // apply_to_keyed_state.
  class Context : public broadcast_detail::WritableBroadcastContext<ProcessContextBase> {
   public:
    using broadcast_detail::WritableBroadcastContext<ProcessContextBase>::WritableBroadcastContext;

    // Calls fn(const K& key, State& state) once for every key that has a value in the keyed
    // state `descriptor` names, on this subtask (the keys this instance owns), in unspecified
    // order. `state` is that key's state (ValueState<V>&, ListState<V>&, MapState<UK, UV>&, ...):
    // fn may read, update or clear it, and keyed state fetched in open() follows the key too.
    // REQUIRES: K is serializable (core/serializer.h).
    template <class Descriptor, class Fn>
    void apply_to_keyed_state(const Descriptor& descriptor, Fn&& fn) {
      if constexpr (Serializable<K>) {
        if (backend_ == nullptr) {
          throw StateException("apply_to_keyed_state('" + descriptor.name() +
                               "'): the operator has no keyed state backend");
        }
        auto& state = broadcast_detail::keyed_state(*backend_, descriptor);
        for (const std::string& key_bytes : backend_->keys(descriptor.name())) {
          const K& key = select_key_(deserialize_from_string<K>(key_bytes));
          fn(key, state);
        }
      } else {
        static_assert(broadcast_detail::kAlwaysFalse<Descriptor>,
                      "apply_to_keyed_state needs a key type with a TypeSerializer");
      }
    }

    // Set by the operator when it opens. `select_key(key)` positions keyed state (and the
    // function's RuntimeContext) on `key` and returns the operator's copy of it.
    void attach_keyed_state(KeyedStateBackend* backend, std::function<const K&(K)> select_key) {
      backend_ = backend;
      select_key_ = std::move(select_key);
    }

   private:
    KeyedStateBackend* backend_ = nullptr;
    std::function<const K&(K)> select_key_;
  };

  // A record of the keyed stream.
  virtual void process_element(const In1& value, ReadOnlyContext& ctx, Collector<Out>& out) = 0;
  // An element of the broadcast stream; every parallel instance receives each one.
  virtual void process_broadcast_element(const In2& value, Context& ctx, Collector<Out>& out) = 0;
  // A timer of the current key fired at `timestamp` (output records carry it as timestamp).
  virtual void on_timer(int64_t timestamp, OnTimerContext& ctx, Collector<Out>& out) {}
};

}  // namespace eddy
