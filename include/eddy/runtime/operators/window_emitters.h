// How a firing window's result reaches the output: as it is (reduce, aggregate), or through a
// user ProcessWindowFunction / ProcessAllWindowFunction, which gets all elements or the one
// pre-aggregated value. An emitter is copied into each subtask's operator.
#pragma once

#include <utility>
#include <vector>

#include "eddy/api/functions.h"
#include "eddy/windowing/window_functions.h"

namespace eddy::runtime {

struct PassThroughEmitter {
  void open(RuntimeContext&) {}
  void close() {}
  template <class K, class W, class R, class Out>
  void operator()(const K&, WindowContext<W>&, R&& result, Collector<Out>& out) {
    out.collect(std::forward<R>(result));
  }
  template <class W>
  void clear(WindowContext<W>&) {}
};

// F is a ProcessWindowFunction (keyed) or, with kAll, a ProcessAllWindowFunction.
template <class F, bool kAll>
class ProcessWindowEmitter {
 public:
  explicit ProcessWindowEmitter(F fn) : fn_(std::move(fn)) {}
  void open(RuntimeContext& ctx) { function_detail::open_if_rich(fn_, ctx); }
  void close() { function_detail::close_if_rich(fn_); }

  template <class K, class W, class R, class Out>
  void operator()(const K& key, WindowContext<W>& ctx, R&& result, Collector<Out>& out) {
    using In = typename F::InputType;
    if constexpr (std::is_same_v<std::remove_cvref_t<R>, std::vector<In>>) {
      call(key, ctx, result, out);
    } else {
      const std::vector<In> one{std::forward<R>(result)};
      call(key, ctx, one, out);
    }
  }
  template <class W>
  void clear(WindowContext<W>& ctx) {
    fn_.clear(ctx);
  }

 private:
  template <class K, class W, class In, class Out>
  void call(const K& key, WindowContext<W>& ctx, const std::vector<In>& elements,
            Collector<Out>& out) {
    if constexpr (kAll) {
      fn_.process(ctx, elements, out);
    } else {
      fn_.process(key, ctx, elements, out);
    }
  }

  F fn_;
};

}  // namespace eddy::runtime
