// The built-in aggregations of a keyed stream — sum, min, max, min_by, max_by — on one field of
// the record: a tuple/pair position, position 0 of a plain number, or a struct member pointer.
// As in Flink, sum/min/max keep the other fields of the first record of the key; min_by/max_by
// keep the whole record holding the extreme value (the earlier one on ties).
#pragma once

#include <array>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "eddy/core/exceptions.h"
#include "eddy/core/type_name.h"

namespace eddy::runtime {

enum class AggregationKind { kSum, kMin, kMax, kMinBy, kMaxBy };

inline const char* aggregation_name(AggregationKind kind) {
  switch (kind) {
    case AggregationKind::kSum:
      return "sum";
    case AggregationKind::kMin:
      return "min";
    case AggregationKind::kMax:
      return "max";
    case AggregationKind::kMinBy:
      return "min_by";
    case AggregationKind::kMaxBy:
      return "max_by";
  }
  return "?";
}

template <class T>
using Reducer = T (*)(const T&, const T&);

namespace field_aggregation_detail {

// Aggregates a field reached through Get (an lvalue accessor on T).
template <class T, AggregationKind Kind, class Get>
T aggregate(const T& acc, const T& value, Get get) {
  const auto& a = get(acc);
  const auto& b = get(value);
  if constexpr (Kind == AggregationKind::kMinBy) {
    return b < a ? value : acc;
  } else if constexpr (Kind == AggregationKind::kMaxBy) {
    return a < b ? value : acc;
  } else {
    T result = acc;
    auto& field = get(result);
    if constexpr (Kind == AggregationKind::kSum) field = a + b;
    if constexpr (Kind == AggregationKind::kMin) field = b < a ? b : a;
    if constexpr (Kind == AggregationKind::kMax) field = a < b ? b : a;
    return result;
  }
}

template <class T>
struct is_tuple_like : std::false_type {};
template <class A, class B>
struct is_tuple_like<std::pair<A, B>> : std::true_type {};
template <class... Ts>
struct is_tuple_like<std::tuple<Ts...>> : std::true_type {};

template <class T, AggregationKind Kind, size_t I>
constexpr Reducer<T> tuple_reducer() {
  using Field = std::remove_cvref_t<std::tuple_element_t<I, T>>;
  if constexpr (std::is_arithmetic_v<Field> && !std::is_same_v<Field, bool>) {
    return [](const T& acc, const T& value) {
      return aggregate<T, Kind>(
          acc, value, [](auto& t) -> auto& { return std::get<I>(t); });
    };
  } else {
    return nullptr;  // not numeric: rejected when the job is built
  }
}

template <class T, AggregationKind Kind, size_t... I>
constexpr auto tuple_reducers(std::index_sequence<I...>) {
  return std::array<Reducer<T>, sizeof...(I)>{tuple_reducer<T, Kind, I>()...};
}

template <class T, AggregationKind Kind>
Reducer<T> reducer_for_position(int position) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (position == 0) {
      return [](const T& acc, const T& value) {
        return aggregate<T, Kind>(
            acc, value, [](auto& v) -> auto& { return v; });
      };
    }
    return nullptr;
  } else if constexpr (is_tuple_like<T>::value) {
    constexpr size_t n = std::tuple_size_v<T>;
    static constexpr auto reducers = tuple_reducers<T, Kind>(std::make_index_sequence<n>{});
    if (position < 0 || position >= static_cast<int>(n)) return nullptr;
    return reducers[position];
  } else {
    return nullptr;
  }
}

template <class T>
Reducer<T> reducer_for(AggregationKind kind, int position) {
  switch (kind) {
    case AggregationKind::kSum:
      return reducer_for_position<T, AggregationKind::kSum>(position);
    case AggregationKind::kMin:
      return reducer_for_position<T, AggregationKind::kMin>(position);
    case AggregationKind::kMax:
      return reducer_for_position<T, AggregationKind::kMax>(position);
    case AggregationKind::kMinBy:
      return reducer_for_position<T, AggregationKind::kMinBy>(position);
    case AggregationKind::kMaxBy:
      return reducer_for_position<T, AggregationKind::kMaxBy>(position);
  }
  return nullptr;
}

}  // namespace field_aggregation_detail

// The reduce function for aggregating position `position` of T.
// Throws InvalidProgramException if T has no numeric field at that position.
template <class T>
Reducer<T> field_reducer(AggregationKind kind, int position) {
  Reducer<T> r = field_aggregation_detail::reducer_for<T>(kind, position);
  if (!r) {
    throw InvalidProgramException(std::string(aggregation_name(kind)) + "(" +
                                  std::to_string(position) + "): " + type_name<T>() +
                                  " has no numeric field at position " + std::to_string(position));
  }
  return r;
}

// The reduce function for aggregating a numeric member of a struct T (member: &T::field).
template <class T, class Member>
auto member_reducer(AggregationKind kind, Member member) {
  using Field = std::remove_cvref_t<decltype(std::declval<const T&>().*member)>;
  static_assert(std::is_arithmetic_v<Field>, "aggregations need a numeric member");
  return [kind, member](const T& acc, const T& value) -> T {
    auto get = [member](auto& t) -> auto& {
      return t.*member;
    };
    using field_aggregation_detail::aggregate;
    switch (kind) {
      case AggregationKind::kSum:
        return aggregate<T, AggregationKind::kSum>(acc, value, get);
      case AggregationKind::kMin:
        return aggregate<T, AggregationKind::kMin>(acc, value, get);
      case AggregationKind::kMax:
        return aggregate<T, AggregationKind::kMax>(acc, value, get);
      case AggregationKind::kMinBy:
        return aggregate<T, AggregationKind::kMinBy>(acc, value, get);
      case AggregationKind::kMaxBy:
        return aggregate<T, AggregationKind::kMaxBy>(acc, value, get);
    }
    return acc;
  };
}

}  // namespace eddy::runtime
