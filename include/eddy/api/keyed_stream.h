// KeyedStream<T, K>: a stream partitioned by key. Aggregations and keyed process functions on it
// see every record of a key in one subtask, in order.
#pragma once

#include <functional>

#include "eddy/api/data_stream.h"

namespace eddy {

template <class L, class R, class K>
class IntervalJoin;

template <class K, class T1, class T2>
class KeyedBroadcastConnectedStream;

template <class T, class K>
class KeyedStream : public DataStream<T> {
 public:
  using KeyType = K;
  using KeySelector = std::function<K(const T&)>;

  KeyedStream(std::shared_ptr<api_detail::EnvironmentState> env, graph::TransformationPtr t,
              KeySelector key_selector)
      : DataStream<T>(std::move(env), std::move(t)), key_selector_(std::move(key_selector)) {}

  const KeySelector& get_key_selector() const { return key_selector_; }

  using DataStream<T>::connect;
  // Connects a broadcast stream: process() then takes a KeyedBroadcastProcessFunction. Defined
  // in eddy/api/broadcast_stream.h, included by eddy/eddy.h.
  template <class U>
  KeyedBroadcastConnectedStream<K, T, U> connect(const BroadcastStream<U>& broadcast_stream) const;

  // Rolling reduce: fn(const T& accumulated, const T& value) -> T, emitted after every record.
  template <class F>
  DataStream<T> reduce(F fn) const {
    return reduce_named("Keyed Reduce", std::move(fn));
  }

  // Rolling aggregations on a field: a tuple/pair position, or 0 for a plain number.
  DataStream<T> sum(int position) const {
    return aggregate(runtime::AggregationKind::kSum, position);
  }
  DataStream<T> min(int position) const {
    return aggregate(runtime::AggregationKind::kMin, position);
  }
  DataStream<T> max(int position) const {
    return aggregate(runtime::AggregationKind::kMax, position);
  }
  DataStream<T> min_by(int position) const {
    return aggregate(runtime::AggregationKind::kMinBy, position);
  }
  DataStream<T> max_by(int position) const {
    return aggregate(runtime::AggregationKind::kMaxBy, position);
  }

  // The same on a struct member: sum(&Order::amount).
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> sum(Member member)
  const { return aggregate_member(runtime::AggregationKind::kSum, member); }
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> min(Member member)
  const { return aggregate_member(runtime::AggregationKind::kMin, member); }
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> max(Member member)
  const { return aggregate_member(runtime::AggregationKind::kMax, member); }
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> min_by(Member member)
  const { return aggregate_member(runtime::AggregationKind::kMinBy, member); }
  template <class Member>
  requires std::is_member_object_pointer_v<Member> DataStream<T> max_by(Member member)
  const { return aggregate_member(runtime::AggregationKind::kMaxBy, member); }

  // Windows of each key: window(TumblingEventTimeWindows::of(Time::seconds(10))), ...
  template <class Assigner>
  WindowedStream<T, K, Assigner> window(Assigner assigner) const;
  // Windows of `size` elements per key; with `slide`, a window of the last `size` elements
  // fires every `slide` elements.
  WindowedStream<T, K, GlobalWindows> count_window(int64_t size) const;
  WindowedStream<T, K, GlobalWindows> count_window(int64_t size, int64_t slide) const;

  // F derives from KeyedProcessFunction<K, T, Out>.
  template <class F>
  DataStream<typename F::OutputType> process(F fn) const {
    using Out = typename F::OutputType;
    static_assert(std::is_base_of_v<KeyedProcessFunction<K, T, Out>, F>,
                  "process() on a KeyedStream takes a KeyedProcessFunction<Key, In, Out>");
    KeySelector ks = key_selector_;
    return this->template one_input<Out>("KeyedProcess", [fn,
                                                          ks](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::KeyedProcessOperator<K, T, Out, KeySelector, F>>(fn, ks, o);
    });
  }

  // Joins with `other` where other.ts lies in [ts + lower, ts + upper]; see interval_join.h.
  template <class U>
  IntervalJoin<T, U, K> interval_join(const KeyedStream<U, K>& other) const {
    return IntervalJoin<T, U, K>(*this, other);
  }

 private:
  template <class F>
  DataStream<T> reduce_named(const char* name, F fn) const {
    KeySelector ks = key_selector_;
    return this->template one_input<T>(name, [fn, ks](const runtime::OperatorOutputs& o) {
      return std::make_unique<runtime::KeyedReduceOperator<T, K, KeySelector, F>>(fn, ks,
                                                                                  o.main_as<T>());
    });
  }

  DataStream<T> aggregate(runtime::AggregationKind kind, int position) const {
    return reduce_named("Keyed Aggregation", runtime::field_reducer<T>(kind, position));
  }
  template <class Member>
  DataStream<T> aggregate_member(runtime::AggregationKind kind, Member member) const {
    return reduce_named("Keyed Aggregation", runtime::member_reducer<T>(kind, member));
  }

  KeySelector key_selector_;
};

}  // namespace eddy

#include "eddy/api/interval_join.h"
