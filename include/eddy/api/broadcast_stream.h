// BroadcastStream<T>: a stream sent to every parallel instance of the operator it is connected
// to, with the descriptors of the broadcast states those instances keep (Flink's Broadcast State
// Pattern; functions in broadcast_functions.h, guide in docs/broadcast-state.md):
//   MapStateDescriptor<std::string, Rule> rules_desc("rules");
//   BroadcastStream<Rule> rules = rule_stream.broadcast(rules_desc);
//   events.key_by(key_fn).connect(rules).process(MyKeyedBroadcastFunction());
//   events.connect(rules).process(MyBroadcastFunction());
// This header also defines DataStream::broadcast(descriptors...) and the connect() overloads of
// DataStream and KeyedStream that take a BroadcastStream.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "eddy/api/broadcast_functions.h"
#include "eddy/api/data_stream.h"
#include "eddy/api/keyed_stream.h"
#include "eddy/core/exceptions.h"
#include "eddy/runtime/operators/broadcast_operators.h"

namespace eddy {

template <class T>
class BroadcastStream {
 public:
  using ElementType = T;
  using StateSpecs = broadcast_detail::BroadcastStateSpecs;

  // `t` is the stream after a BROADCAST partitioning.
  BroadcastStream(std::shared_ptr<api_detail::EnvironmentState> env, graph::TransformationPtr t,
                  std::shared_ptr<const StateSpecs> specs)
      : env_(std::move(env)), t_(std::move(t)), specs_(std::move(specs)) {}

  const graph::TransformationPtr& transformation() const { return t_; }
  const std::shared_ptr<api_detail::EnvironmentState>& environment_state() const { return env_; }
  // The broadcast states every connected instance keeps, one per descriptor given to broadcast().
  const std::shared_ptr<const StateSpecs>& state_specs() const { return specs_; }

 private:
  std::shared_ptr<api_detail::EnvironmentState> env_;
  graph::TransformationPtr t_;
  std::shared_ptr<const StateSpecs> specs_;
};

namespace broadcast_detail {

template <class>
struct IsMapStateDescriptor : std::false_type {};
template <class UK, class UV>
struct IsMapStateDescriptor<MapStateDescriptor<UK, UV>> : std::true_type {};

template <class Out, class Make>
DataStream<Out> broadcast_process(const std::shared_ptr<api_detail::EnvironmentState>& env,
                                  std::string name, graph::TransformationPtr first,
                                  graph::TransformationPtr broadcast, Make make) {
  auto t = env->make(graph::TransformationKind::kTwoInput, std::move(name),
                     {std::move(first), std::move(broadcast)}, runtime::type_ops_of<Out>(),
                     runtime::make_operator_factory(std::move(make)));
  return DataStream<Out>(env, std::move(t));
}

}  // namespace broadcast_detail

// A non-keyed stream connected to a broadcast stream.
template <class In1, class In2>
class BroadcastConnectedStream {
 public:
  BroadcastConnectedStream(const DataStream<In1>& first, const BroadcastStream<In2>& broadcast)
      : first_(first), broadcast_(broadcast) {}

  // F derives from BroadcastProcessFunction<In1, In2, Out>.
  template <class F>
  DataStream<typename F::OutputType> process(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<BroadcastProcessFunction<In1, In2, Out>, F>,
                  "process() on a stream connected to a broadcast stream takes a "
                  "BroadcastProcessFunction<In, BroadcastIn, Out>; key the stream first for a "
                  "KeyedBroadcastProcessFunction");
    auto specs = broadcast_.state_specs();
    return broadcast_detail::broadcast_process<Out>(
        first_.environment_state(), "Co-Process-Broadcast", first_.transformation(),
        broadcast_.transformation(), [fn, specs](const runtime::OperatorOutputs& o) {
          return std::make_unique<runtime::BroadcastProcessOperator<In1, In2, Out, F>>(fn, *specs,
                                                                                       o);
        });
  }

 private:
  DataStream<In1> first_;
  BroadcastStream<In2> broadcast_;
};

// A keyed stream connected to a broadcast stream.
template <class K, class In1, class In2>
class KeyedBroadcastConnectedStream {
 public:
  KeyedBroadcastConnectedStream(const KeyedStream<In1, K>& first,
                                const BroadcastStream<In2>& broadcast)
      : first_(first), broadcast_(broadcast) {}

  // F derives from KeyedBroadcastProcessFunction<K, In1, In2, Out>.
  template <class F>
  DataStream<typename F::OutputType> process(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<KeyedBroadcastProcessFunction<K, In1, In2, Out>, F>,
                  "process() on a keyed stream connected to a broadcast stream takes a "
                  "KeyedBroadcastProcessFunction<Key, In, BroadcastIn, Out>");
    using KeySelector = typename KeyedStream<In1, K>::KeySelector;
    KeySelector ks = first_.get_key_selector();
    auto specs = broadcast_.state_specs();
    return broadcast_detail::broadcast_process<Out>(
        first_.environment_state(), "Co-Process-Broadcast-Keyed", first_.transformation(),
        broadcast_.transformation(), [fn, ks, specs](const runtime::OperatorOutputs& o) {
          return std::make_unique<
              runtime::KeyedBroadcastProcessOperator<K, In1, In2, Out, KeySelector, F>>(fn, ks,
                                                                                        *specs, o);
        });
  }

 private:
  KeyedStream<In1, K> first_;
  BroadcastStream<In2> broadcast_;
};

template <class T>
template <class UK, class UV, class... More>
BroadcastStream<T> DataStream<T>::broadcast(const MapStateDescriptor<UK, UV>& descriptor,
                                            const More&... more) const {
  static_assert((broadcast_detail::IsMapStateDescriptor<More>::value && ...),
                "broadcast(descriptors...) takes MapStateDescriptors");
  auto specs = std::make_shared<broadcast_detail::BroadcastStateSpecs>();
  std::set<std::string> names;
  for (auto& spec : {broadcast_detail::spec_of(descriptor), broadcast_detail::spec_of(more)...}) {
    if (!names.insert(spec.name).second) {
      throw InvalidProgramException("broadcast(): the broadcast state '" + spec.name +
                                    "' is described twice; give each descriptor its own name");
    }
    specs->push_back(spec);
  }
  return BroadcastStream<T>(this->env_, broadcast().transformation(), std::move(specs));
}

template <class T>
template <class U>
BroadcastConnectedStream<T, U> DataStream<T>::connect(const BroadcastStream<U>& broadcast) const {
  return BroadcastConnectedStream<T, U>(*this, broadcast);
}

template <class T, class K>
template <class U>
KeyedBroadcastConnectedStream<K, T, U> KeyedStream<T, K>::connect(
    const BroadcastStream<U>& broadcast) const {
  return KeyedBroadcastConnectedStream<K, T, U>(*this, broadcast);
}

}  // namespace eddy
