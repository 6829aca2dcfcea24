#include "eddy/core/java_number_format.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace eddy {
namespace {

// A decimal d1.d2...dn x 10^exponent; digits has no trailing zeros (except the single "0").
struct Decimal {
  std::string digits;
  int exponent = 0;
};

// Splits std::to_chars' scientific form ("-1.2345e+07", "5e-324") into digits and exponent.
Decimal parse_scientific(const char* begin, const char* end) {
  Decimal d;
  const char* p = begin;
  if (*p == '-') ++p;
  for (; p != end && *p != 'e'; ++p) {
    if (*p != '.') d.digits += *p;
  }
  // The exponent: 'e', a sign, digits (from_chars takes no '+').
  if (p != end) {
    ++p;
    const bool negative = *p == '-';
    std::from_chars(p + 1, end, d.exponent);
    if (negative) d.exponent = -d.exponent;
  }
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  return d;
}

template <class T>
T read_back(const char* begin, const char* end) {
  T value{};
  std::from_chars(begin, end, value);
  return value;
}

template <class T>
Decimal shortest_decimal(T value) {
  char buf[64];
  auto shortest = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  Decimal d = parse_scientific(buf, shortest.ptr);
  if (d.digits.size() == 1) {
    // Java's rule when one digit suffices: among the decimals of one or two digits that read
    // back as `value`, take the closest (Double.MIN_VALUE is 4.9E-324, not 5.0E-324). The
    // correctly rounded two-digit decimal is the closest; keep it if it reads back.
    char two[64];
    auto r = std::to_chars(two, two + sizeof two, value, std::chars_format::scientific, 1);
    if (read_back<T>(two, r.ptr) == value) d = parse_scientific(two, r.ptr);
  }
  return d;
}

template <class T>
void append_java(std::string& out, T value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::signbit(value)) out += '-';
  if (std::isinf(value)) {
    out += "Infinity";
    return;
  }
  if (value == 0) {
    out += "0.0";
    return;
  }
  const Decimal d = shortest_decimal(std::fabs(value));
  const int n = static_cast<int>(d.digits.size());
  const int e = d.exponent;
  if (e >= -3 && e < 7) {
    if (e >= 0) {
      // Integer part: the first e + 1 digits, padded with zeros.
      if (n <= e + 1) {
        out += d.digits;
        out.append(static_cast<size_t>(e + 1 - n), '0');
        out += ".0";
      } else {
        out.append(d.digits, 0, static_cast<size_t>(e + 1));
        out += '.';
        out.append(d.digits, static_cast<size_t>(e + 1));
      }
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-e - 1), '0');
      out += d.digits;
    }
    return;
  }
  out += d.digits[0];
  out += '.';
  if (n > 1) {
    out.append(d.digits, 1);
  } else {
    out += '0';
  }
  out += 'E';
  out += std::to_string(e);
}

}  // namespace

void append_java_double(std::string& out, double value) {
  append_java(out, value);
}

void append_java_float(std::string& out, float value) {
  append_java(out, value);
}

}  // namespace eddy
