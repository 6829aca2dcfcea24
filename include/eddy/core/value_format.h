// How records are shown by print() and write_as_text(): the shapes Flink users know from Java's
// toString() — tuples as (a,b), lists as [a, b], booleans as true/false, a missing value as null,
// doubles and floats as Double.toString / Float.toString (1.0, 1.185942626E7, NaN; see
// java_number_format.h).
// A user type is shown by an ADL-visible `to_string(const T&)` or else by `operator<<`.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "eddy/core/java_number_format.h"

namespace eddy {

template <class T>
void format_value_to(std::string& out, const T& value);

namespace value_format_detail {

template <class T>
concept HasAdlToString = requires(const T& v) {
  { to_string(v) } -> std::convertible_to<std::string>;
};

template <class T>
concept Streamable = requires(std::ostream& os, const T& v) {
  os << v;
};

template <class Seq>
void format_sequence(std::string& out, const Seq& seq) {
  out += '[';
  bool first = true;
  for (const auto& e : seq) {
    if (!first) out += ", ";
    first = false;
    format_value_to(out, e);
  }
  out += ']';
}

template <class T>
struct is_pair_or_tuple : std::false_type {};
template <class A, class B>
struct is_pair_or_tuple<std::pair<A, B>> : std::true_type {};
template <class... Ts>
struct is_pair_or_tuple<std::tuple<Ts...>> : std::true_type {};

template <class T>
struct is_sequence : std::false_type {};
template <class T, class A>
struct is_sequence<std::vector<T, A>> : std::true_type {};
template <class T, size_t N>
struct is_sequence<std::array<T, N>> : std::true_type {};

template <class T>
struct is_map : std::false_type {};
template <class K, class V, class C, class A>
struct is_map<std::map<K, V, C, A>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

}  // namespace value_format_detail

// Appends the display form of `value` to `out`.
template <class T>
void format_value_to(std::string& out, const T& value) {
  using namespace value_format_detail;
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char>) {
    out += value;
  } else if constexpr (std::is_same_v<T, float>) {
    append_java_float(out, value);
  } else if constexpr (std::is_floating_point_v<T>) {
    append_java_double(out, static_cast<double>(value));
  } else if constexpr (std::is_arithmetic_v<T>) {
    fmt::format_to(std::back_inserter(out), "{}", value);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out += std::string_view(value);
  } else if constexpr (is_pair_or_tuple<T>::value) {
    out += '(';
    std::apply(
        [&](const auto&... fields) {
          bool first = true;
          ((out += first ? "" : ",", first = false, format_value_to(out, fields)), ...);
        },
        value);
    out += ')';
  } else if constexpr (is_optional<T>::value) {
    if (value) {
      format_value_to(out, *value);
    } else {
      out += "null";
    }
  } else if constexpr (is_map<T>::value) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : value) {
      if (!first) out += ", ";
      first = false;
      format_value_to(out, k);
      out += '=';
      format_value_to(out, v);
    }
    out += '}';
  } else if constexpr (is_sequence<T>::value) {
    format_sequence(out, value);
  } else if constexpr (HasAdlToString<T>) {
    out += to_string(value);
  } else if constexpr (Streamable<T>) {
    std::ostringstream os;
    os << value;
    out += os.str();
  } else {
    static_assert(sizeof(T) == 0,
                  "eddy cannot show this type: give it a to_string(const T&) found by ADL or an "
                  "operator<<");
  }
}

template <class T>
std::string format_value(const T& value) {
  std::string out;
  format_value_to(out, value);
  return out;
}

}  // namespace eddy
