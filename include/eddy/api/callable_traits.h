// Deduces what a user's callable takes and returns, so that the API can name a stream's element
// type without the user spelling it out (flat_map's Collector<Out>, key_by's key type, ...).
#pragma once

#include <iterator>
#include <tuple>
#include <type_traits>

#include "eddy/runtime/output.h"

namespace eddy::api_detail {

template <class F>
struct callable_traits : callable_traits<decltype(&std::remove_cvref_t<F>::operator())> {};

template <class R, class... A>
struct callable_traits<R (*)(A...)> {
  using result = R;
  using args = std::tuple<A...>;
};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...)> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) noexcept> : callable_traits<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const noexcept> : callable_traits<R (*)(A...)> {};

template <class C>
struct collector_element;
template <class T>
struct collector_element<runtime::Collector<T>> {
  using type = T;
};

// The element type a flat_map function emits: from its Collector<Out>& parameter, or from the
// range it returns.
template <class F, class In, class Enable = void>
struct flat_map_output {
  using range = std::remove_cvref_t<std::invoke_result_t<F&, In&>>;
  using type = std::remove_cvref_t<decltype(*std::begin(std::declval<range&>()))>;
};
template <class F, class In>
struct flat_map_output<
    F, In, std::enable_if_t<std::tuple_size_v<typename callable_traits<F>::args> == 2>> {
  using type = typename collector_element<
      std::remove_cvref_t<std::tuple_element_t<1, typename callable_traits<F>::args>>>::type;
};

}  // namespace eddy::api_detail
