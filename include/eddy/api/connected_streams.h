// ConnectedStreams<T1, T2>: two streams, possibly of different types, processed by one
// operator that keeps shared state between them (a CoMap, CoFlatMap or CoProcess function).
#pragma once

#include <functional>

#include "eddy/api/data_stream.h"

namespace eddy {

template <class T1, class T2>
class ConnectedStreams {
  using Kind = graph::TransformationKind;

 public:
  ConnectedStreams(std::shared_ptr<api_detail::EnvironmentState> env,
                   graph::TransformationPtr first, graph::TransformationPtr second)
      : env_(std::move(env)), first_(std::move(first)), second_(std::move(second)) {}

  // F derives from CoMapFunction<T1, T2, Out>.
  template <class F>
  DataStream<typename F::OutputType> map(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<CoMapFunction<T1, T2, Out>, F>,
                  "map() on connected streams takes a CoMapFunction<In1, In2, Out>");
    return two_input<Out>("Co-Map", [fn](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::CoMapOperator<T1, T2, Out, F>>(fn, o.main_as<Out>());
    });
  }

  // F derives from CoFlatMapFunction<T1, T2, Out>.
  template <class F>
  DataStream<typename F::OutputType> flat_map(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<CoFlatMapFunction<T1, T2, Out>, F>,
                  "flat_map() on connected streams takes a CoFlatMapFunction<In1, In2, Out>");
    return two_input<Out>("Co-Flat Map", [fn](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::CoFlatMapOperator<T1, T2, Out, F>>(fn, o.main_as<Out>());
    });
  }

  // F derives from CoProcessFunction<T1, T2, Out>.
  template <class F>
  DataStream<typename F::OutputType> process(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<CoProcessFunction<T1, T2, Out>, F>,
                  "process() on connected streams takes a CoProcessFunction<In1, In2, Out>; key "
                  "both inputs with key_by() for a KeyedCoProcessFunction");
    return two_input<Out>("Co-Process", [fn](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::CoProcessOperator<T1, T2, Out, F>>(fn, o);
    });
  }

  // Keys both inputs with selectors that return the same key type.
  template <class KS1, class KS2>
  auto key_by(KS1 key1, KS2 key2) const;

 protected:
  template <class Out, class Make>
  DataStream<Out> two_input(std::string name, Make make) const {
    auto t =
        env_->make(Kind::kTwoInput, std::move(name), {first_, second_}, runtime::type_ops_of<Out>(),
                   runtime::make_operator_factory(std::move(make)));
    return DataStream<Out>(env_, std::move(t));
  }

  std::shared_ptr<api_detail::EnvironmentState> env_;
  graph::TransformationPtr first_;
  graph::TransformationPtr second_;
};

template <class T1, class T2, class K>
class KeyedConnectedStreams : public ConnectedStreams<T1, T2> {
 public:
  KeyedConnectedStreams(const KeyedStream<T1, K>& first, const KeyedStream<T2, K>& second)
      : ConnectedStreams<T1, T2>(first.environment_state(), first.transformation(),
                                 second.transformation()),
        key1_(first.get_key_selector()),
        key2_(second.get_key_selector()) {}

  using ConnectedStreams<T1, T2>::map;
  using ConnectedStreams<T1, T2>::flat_map;

  // F derives from KeyedCoProcessFunction<K, T1, T2, Out>.
  template <class F>
  DataStream<typename F::OutputType> process(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<KeyedCoProcessFunction<K, T1, T2, Out>, F>,
                  "process() on keyed connected streams takes a KeyedCoProcessFunction");
    auto k1 = key1_;
    auto k2 = key2_;
    return this->template two_input<Out>(
        "Co-Keyed-Process", [fn, k1, k2](const runtime::OperatorOutputs& o) {
          return std::make_unique<
              runtime::KeyedCoProcessOperator<K, T1, T2, Out, decltype(k1), decltype(k2), F>>(
              fn, k1, k2, o);
        });
  }

 private:
  std::function<K(const T1&)> key1_;
  std::function<K(const T2&)> key2_;
};

template <class T1, class T2>
template <class KS1, class KS2>
auto ConnectedStreams<T1, T2>::key_by(KS1 key1, KS2 key2) const {
  using K = std::remove_cvref_t<std::invoke_result_t<KS1&, const T1&>>;
  static_assert(std::is_same_v<K, std::remove_cvref_t<std::invoke_result_t<KS2&, const T2&>>>,
                "both key selectors of connected streams must return the same key type");
  return KeyedConnectedStreams<T1, T2, K>(DataStream<T1>(env_, first_).key_by(key1),
                                          DataStream<T2>(env_, second_).key_by(key2));
}

}  // namespace eddy
