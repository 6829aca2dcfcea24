// Window join and co-group of two DataStreams (Flink's JoinedStreams and CoGroupedStreams):
//
//   left.join(right).where(key_l).equal_to(key_r).window(assigner).apply(join_fn)
//   left.co_group(right).where(key_l).equal_to(key_r).window(assigner).apply(co_group_fn)
//
// with optional .trigger(...), .evictor(...) and .allowed_lateness(...) after window(). As in
// Flink, both inputs are mapped to one tagged type (TaggedUnion<L, R>), unioned, keyed by the
// key of either side, and windowed; a window function splits each firing window's elements back
// into the left and the right list and calls the co-group function once per key and window (also
// when one side is empty). A join is a co-group whose function calls the join function once for
// every pair of the two lists (an inner join: nothing when one side is empty). Results carry the
// window's max timestamp.
#pragma once

#include <functional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "eddy/api/callable_traits.h"
#include "eddy/api/data_stream.h"
#include "eddy/api/functions.h"
#include "eddy/api/keyed_stream.h"
#include "eddy/api/windowed_stream.h"
#include "eddy/core/serializer.h"
#include "eddy/core/time.h"
#include "eddy/windowing/window_functions.h"

namespace eddy {

// Called once per pair of a left and a right element of one key and window.
template <class In1, class In2, class Out>
class JoinFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  virtual Out join(const In1& left, const In2& right) = 0;
};

// The same, emitting any number of results per pair.
template <class In1, class In2, class Out>
class FlatJoinFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  virtual void join(const In1& left, const In2& right, Collector<Out>& out) = 0;
};

// Called once per key and window with all elements of both sides (one of them may be empty).
template <class In1, class In2, class Out>
class CoGroupFunction : public RichFunction {
 public:
  using Input1Type = In1;
  using Input2Type = In2;
  using OutputType = Out;
  virtual void co_group(const std::vector<In1>& left, const std::vector<In2>& right,
                        Collector<Out>& out) = 0;
};

namespace window_join_detail {

// An element of either input, as the one element type of the unioned stream.
template <class L, class R>
class TaggedUnion {
 public:
  TaggedUnion() = default;
  static TaggedUnion of_left(L value) {
    return TaggedUnion(std::variant<L, R>(std::in_place_index<0>, std::move(value)));
  }
  static TaggedUnion of_right(R value) {
    return TaggedUnion(std::variant<L, R>(std::in_place_index<1>, std::move(value)));
  }
  bool is_left() const { return value_.index() == 0; }
  bool is_right() const { return value_.index() == 1; }
  const L& left() const { return std::get<0>(value_); }
  const R& right() const { return std::get<1>(value_); }

 private:
  explicit TaggedUnion(std::variant<L, R> value) : value_(std::move(value)) {}
  std::variant<L, R> value_;
};

template <class F, class = void>
struct has_output_type : std::false_type {};
template <class F>
struct has_output_type<F, std::void_t<typename F::OutputType>> : std::true_type {};

// The element type the Collector<Out>& parameter at `index` of a callable collects.
template <class F, size_t index>
using collected_by = typename api_detail::collector_element<std::remove_cvref_t<
    std::tuple_element_t<index, typename api_detail::callable_traits<F>::args>>>::type;

// What a join function emits: F::OutputType for a JoinFunction / FlatJoinFunction class, the
// result of fn(const L&, const R&), or the Collector<Out>& of fn(const L&, const R&, Collector&).
template <class F, class L, class R, class Enable = void>
struct join_output {
  using type = collected_by<F, 2>;
};
template <class F, class L, class R>
struct join_output<F, L, R, std::enable_if_t<has_output_type<F>::value>> {
  using type = typename F::OutputType;
};
template <class F, class L, class R>
struct join_output<
    F, L, R,
    std::enable_if_t<!has_output_type<F>::value && std::is_invocable_v<F&, const L&, const R&>>> {
  using type = std::remove_cvref_t<std::invoke_result_t<F&, const L&, const R&>>;
};

// What a co-group function emits: F::OutputType for a CoGroupFunction class, or the
// Collector<Out>& of fn(const std::vector<L>&, const std::vector<R>&, Collector<Out>&).
template <class F, class Enable = void>
struct co_group_output {
  using type = collected_by<F, 2>;
};
template <class F>
struct co_group_output<F, std::enable_if_t<has_output_type<F>::value>> {
  using type = typename F::OutputType;
};

// Calls the join function for every pair of the cross product (Flink's JoinCoGroupFunction and
// FlatJoinCoGroupFunction).
template <class L, class R, class Out, class F>
class JoinCoGroupFunction final : public CoGroupFunction<L, R, Out> {
 public:
  explicit JoinCoGroupFunction(F fn) : fn_(std::move(fn)) {}
  void open(RuntimeContext& ctx) override { function_detail::open_if_rich(fn_, ctx); }
  void close() override { function_detail::close_if_rich(fn_); }
  void co_group(const std::vector<L>& left, const std::vector<R>& right,
                Collector<Out>& out) override {
    for (const L& l : left) {
      for (const R& r : right) join(l, r, out);
    }
  }

 private:
  void join(const L& l, const R& r, Collector<Out>& out) {
    if constexpr (std::is_base_of_v<FlatJoinFunction<L, R, Out>, F>) {
      fn_.join(l, r, out);
    } else if constexpr (std::is_base_of_v<JoinFunction<L, R, Out>, F>) {
      out.collect(fn_.join(l, r));
    } else if constexpr (std::is_invocable_v<F&, const L&, const R&, Collector<Out>&>) {
      fn_(l, r, out);
    } else {
      static_assert(std::is_invocable_v<F&, const L&, const R&>,
                    "join(...).apply(fn): fn must be a JoinFunction<L, R, Out>, a "
                    "FlatJoinFunction<L, R, Out>, a callable fn(const L&, const R&) -> Out or a "
                    "callable fn(const L&, const R&, Collector<Out>&)");
      out.collect(fn_(l, r));
    }
  }

  F fn_;
};

// The window function of a co-group (Flink's CoGroupWindowFunction): splits the window's
// elements into the two sides and calls the co-group function once.
template <class L, class R, class K, class W, class Out, class F>
class CoGroupWindowFunction final : public ProcessWindowFunction<TaggedUnion<L, R>, Out, K, W> {
  using Base = ProcessWindowFunction<TaggedUnion<L, R>, Out, K, W>;

 public:
  explicit CoGroupWindowFunction(F fn) : fn_(std::move(fn)) {}
  void open(RuntimeContext& ctx) override { function_detail::open_if_rich(fn_, ctx); }
  void close() override { function_detail::close_if_rich(fn_); }
  void process(const K&, typename Base::Context&, const std::vector<TaggedUnion<L, R>>& elements,
               Collector<Out>& out) override {
    std::vector<L> left;
    std::vector<R> right;
    for (const auto& e : elements) {
      if (e.is_left()) {
        left.push_back(e.left());
      } else {
        right.push_back(e.right());
      }
    }
    if constexpr (std::is_base_of_v<CoGroupFunction<L, R, Out>, F>) {
      fn_.co_group(left, right, out);
    } else {
      static_assert(
          std::is_invocable_v<F&, const std::vector<L>&, const std::vector<R>&, Collector<Out>&>,
          "co_group(...).apply(fn): fn must be a CoGroupFunction<L, R, Out> or a callable "
          "fn(const std::vector<L>&, const std::vector<R>&, Collector<Out>&)");
      fn_(left, right, out);
    }
  }

 private:
  F fn_;
};

struct JoinMode {};
struct CoGroupMode {};

// The two inputs and their key selectors.
template <class L, class R, class K>
struct Inputs {
  DataStream<L> left;
  DataStream<R> right;
  std::function<K(const L&)> left_key;
  std::function<K(const R&)> right_key;
};

}  // namespace window_join_detail

// After window(): the optional trigger, evictor and allowed lateness, then apply().
template <class Mode, class L, class R, class K, class Assigner>
class WindowJoinWithWindow {
 public:
  using TaggedUnion = window_join_detail::TaggedUnion<L, R>;
  using W = typename Assigner::WindowType;
  using Windowed = WindowedStream<TaggedUnion, K, Assigner>;

  WindowJoinWithWindow(window_join_detail::Inputs<L, R, K> inputs, Assigner assigner)
      : inputs_(std::move(inputs)), assigner_(std::move(assigner)) {}

  // A built-in trigger (CountTrigger::of(3), PurgingTrigger::of(...)) or a
  // Trigger<TaggedUnion<L, R>, W>.
  template <class X>
  WindowJoinWithWindow trigger(const X& trigger) const {
    return with_step([trigger](const Windowed& w) { return w.trigger(trigger); });
  }
  // CountEvictor, TimeEvictor, ...: evicts from the window's elements of both sides together.
  template <class E>
  WindowJoinWithWindow evictor(const E& evictor) const {
    return with_step([evictor](const Windowed& w) { return w.evictor(evictor); });
  }
  WindowJoinWithWindow allowed_lateness(Time lateness) const {
    if (lateness.to_milliseconds() < 0) {
      throw std::invalid_argument("The allowed lateness cannot be negative");
    }
    return with_step([lateness](const Windowed& w) { return w.allowed_lateness(lateness); });
  }

  // join: a JoinFunction<L, R, Out> or FlatJoinFunction<L, R, Out>, or a callable
  // fn(const L&, const R&) -> Out or fn(const L&, const R&, Collector<Out>&); called once per
  // pair of the key's left and right elements in a window.
  // co_group: a CoGroupFunction<L, R, Out> or a callable
  // fn(const std::vector<L>&, const std::vector<R>&, Collector<Out>&); called once per key and
  // window.
  template <class F>
  auto apply(F fn) const {
    if constexpr (std::is_same_v<Mode, window_join_detail::JoinMode>) {
      return apply<typename window_join_detail::join_output<F, L, R>::type>(std::move(fn));
    } else {
      return apply<typename window_join_detail::co_group_output<F>::type>(std::move(fn));
    }
  }
  // The same with the output type given (for generic lambdas).
  template <class Out, class F>
  DataStream<Out> apply(F fn) const {
    if constexpr (std::is_same_v<Mode, window_join_detail::JoinMode>) {
      return co_group_with<Out>(
          window_join_detail::JoinCoGroupFunction<L, R, Out, F>(std::move(fn)));
    } else {
      return co_group_with<Out>(std::move(fn));
    }
  }

 private:
  using Step = std::function<Windowed(const Windowed&)>;

  WindowJoinWithWindow with_step(Step step) const {
    WindowJoinWithWindow copy = *this;
    copy.steps_.push_back(std::move(step));
    return copy;
  }

  template <class Out, class F>
  DataStream<Out> co_group_with(F fn) const {
    auto left_key = inputs_.left_key;
    auto right_key = inputs_.right_key;
    DataStream<TaggedUnion> left =
        inputs_.left.map([](const L& l) { return TaggedUnion::of_left(l); });
    DataStream<TaggedUnion> right =
        inputs_.right.map([](const R& r) { return TaggedUnion::of_right(r); });
    Windowed windowed = left.union_(right)
                            .key_by([left_key, right_key](const TaggedUnion& e) -> K {
                              return e.is_left() ? left_key(e.left()) : right_key(e.right());
                            })
                            .window(assigner_);
    for (const Step& step : steps_) windowed = step(windowed);
    return windowed.process(
        window_join_detail::CoGroupWindowFunction<L, R, K, W, Out, F>(std::move(fn)));
  }

  window_join_detail::Inputs<L, R, K> inputs_;
  Assigner assigner_;
  std::vector<Step> steps_;
};

// After equal_to(): the window assigner.
template <class Mode, class L, class R, class K>
class WindowJoinEqualTo {
 public:
  explicit WindowJoinEqualTo(window_join_detail::Inputs<L, R, K> inputs)
      : inputs_(std::move(inputs)) {}

  // TumblingEventTimeWindows::of(...), SlidingEventTimeWindows::of(...), ...
  template <class Assigner>
  WindowJoinWithWindow<Mode, L, R, K, Assigner> window(Assigner assigner) const {
    return WindowJoinWithWindow<Mode, L, R, K, Assigner>(inputs_, std::move(assigner));
  }

 private:
  window_join_detail::Inputs<L, R, K> inputs_;
};

// After where(): the key selector of the right input, which must return the same type K.
template <class Mode, class L, class R, class K>
class WindowJoinWhere {
 public:
  WindowJoinWhere(DataStream<L> left, DataStream<R> right, std::function<K(const L&)> left_key)
      : left_(std::move(left)), right_(std::move(right)), left_key_(std::move(left_key)) {}

  // key_selector(const R&) -> K, with K the type where()'s key selector returns.
  template <class F>
  WindowJoinEqualTo<Mode, L, R, K> equal_to(F key_selector) const {
    static_assert(std::is_invocable_v<F&, const R&>,
                  "equal_to(key_selector): key_selector must be callable with the second "
                  "(right) input's element type");
    using K2 = std::remove_cvref_t<std::invoke_result_t<F&, const R&>>;
    static_assert(std::is_same_v<K, K2>,
                  "join/co_group: the key selectors of where() and equal_to() must return the "
                  "same key type (convert one of them in its lambda)");
    if constexpr (std::is_same_v<K, K2>) {
      return WindowJoinEqualTo<Mode, L, R, K>(
          window_join_detail::Inputs<L, R, K>{left_, right_, left_key_, std::move(key_selector)});
    } else {
      return WindowJoinEqualTo<Mode, L, R, K>(
          window_join_detail::Inputs<L, R, K>{left_, right_, left_key_, {}});
    }
  }

 private:
  DataStream<L> left_;
  DataStream<R> right_;
  std::function<K(const L&)> left_key_;
};

template <class Mode, class L, class R>
class TwoInputWindowStreams {
 public:
  TwoInputWindowStreams(DataStream<L> left, DataStream<R> right)
      : left_(std::move(left)), right_(std::move(right)) {}

  // key_selector(const L&) -> K: the key of the first (left) input.
  template <class F>
  auto where(F key_selector) const {
    static_assert(std::is_invocable_v<F&, const L&>,
                  "where(key_selector): key_selector must be callable with the first (left) "
                  "input's element type");
    using K = std::remove_cvref_t<std::invoke_result_t<F&, const L&>>;
    return WindowJoinWhere<Mode, L, R, K>(left_, right_, std::move(key_selector));
  }

 private:
  DataStream<L> left_;
  DataStream<R> right_;
};

// left.join(right) (Flink's JoinedStreams) and left.co_group(right) (CoGroupedStreams).
template <class L, class R>
class JoinedStreams : public TwoInputWindowStreams<window_join_detail::JoinMode, L, R> {
  using TwoInputWindowStreams<window_join_detail::JoinMode, L, R>::TwoInputWindowStreams;
};
template <class L, class R>
class CoGroupedStreams : public TwoInputWindowStreams<window_join_detail::CoGroupMode, L, R> {
  using TwoInputWindowStreams<window_join_detail::CoGroupMode, L, R>::TwoInputWindowStreams;
};

template <class T>
template <class U>
JoinedStreams<T, U> DataStream<T>::join(const DataStream<U>& other) const {
  return JoinedStreams<T, U>(*this, other);
}

template <class T>
template <class U>
CoGroupedStreams<T, U> DataStream<T>::co_group(const DataStream<U>& other) const {
  return CoGroupedStreams<T, U>(*this, other);
}

// The unioned stream's element type is serializable when both inputs are: a 0/1 tag, then the
// element.
template <Serializable L, Serializable R>
struct TypeSerializer<window_join_detail::TaggedUnion<L, R>> {
  static void serialize(const window_join_detail::TaggedUnion<L, R>& value, DataOutputView& out) {
    out.write_fixed<uint8_t>(value.is_left() ? 0 : 1);
    if (value.is_left()) {
      TypeSerializer<L>::serialize(value.left(), out);
    } else {
      TypeSerializer<R>::serialize(value.right(), out);
    }
  }
  static window_join_detail::TaggedUnion<L, R> deserialize(DataInputView& in) {
    const auto tag = in.read_fixed<uint8_t>();
    if (tag == 0) {
      return window_join_detail::TaggedUnion<L, R>::of_left(TypeSerializer<L>::deserialize(in));
    }
    if (tag == 1) {
      return window_join_detail::TaggedUnion<L, R>::of_right(TypeSerializer<R>::deserialize(in));
    }
    throw SerializationError("invalid tagged union tag " + std::to_string(tag));
  }
};

}  // namespace eddy
