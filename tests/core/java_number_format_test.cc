// Doubles and floats are shown as Java's Double.toString / Float.toString show them. The table's
// expected strings were worked out by hand from the Java rules (shortest round-tripping digits;
// decimal notation for 1e-3 <= |x| < 1e7; else d.dddE±n); the random checks compare with an
// oracle built on printf's correctly rounded %.*e.
#include "eddy/core/java_number_format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <utility>

#include "eddy/core/value_format.h"

namespace eddy {
namespace {

TEST(JavaNumberFormatTest, DoublesAsDoubleToString) {
  const std::pair<double, const char*> cases[] = {
      {11859426.26, "1.185942626E7"},
      {1e-5, "1.0E-5"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {1.0, "1.0"},
      {100.0, "100.0"},
      {0.001, "0.001"},
      {1234567.0, "1234567.0"},
      {1e7, "1.0E7"},
      {9999999.0, "9999999.0"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {0.1, "0.1"},
      {1.0 / 3, "0.3333333333333333"},
      {2.0 / 3, "0.6666666666666666"},
      {-2.5, "-2.5"},
      {0.00099, "9.9E-4"},
      {123456789.0, "1.23456789E8"},
      {-1.5e-10, "-1.5E-10"},
      {1e21, "1.0E21"},
      {1e23, "1.0E23"},
      {std::numeric_limits<double>::max(), "1.7976931348623157E308"},
      {std::numeric_limits<double>::min(), "2.2250738585072014E-308"},
      // One digit would do (5E-324), but Java takes the closer of the one- and two-digit forms.
      {std::numeric_limits<double>::denorm_min(), "4.9E-324"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(java_double_to_string(value), expected) << "for " << value;
  }
}

TEST(JavaNumberFormatTest, FloatsAsFloatToString) {
  const std::pair<float, const char*> cases[] = {
      {0.1f, "0.1"},
      {1.0e10f, "1.0E10"},
      {3.14f, "3.14"},
      {1.0f / 3, "0.33333334"},
      {100.0f, "100.0"},
      {1e7f, "1.0E7"},
      {16777216.0f, "1.6777216E7"},
      {-0.0f, "-0.0"},
      {std::numeric_limits<float>::infinity(), "Infinity"},
      {std::numeric_limits<float>::quiet_NaN(), "NaN"},
      {std::numeric_limits<float>::max(), "3.4028235E38"},
      {std::numeric_limits<float>::denorm_min(), "1.4E-45"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(java_float_to_string(value), expected) << "for " << value;
  }
}

TEST(JavaNumberFormatTest, PrintedValuesUseTheJavaForm) {
  EXPECT_EQ(format_value(std::make_pair(std::string("Apparel"), 11859426.26)),
            "(Apparel,1.185942626E7)");
  EXPECT_EQ(format_value(std::vector<double>{1e-5, 2.0, -0.0}), "[1.0E-5, 2.0, -0.0]");
  EXPECT_EQ(format_value(0.1f), "0.1");
  EXPECT_EQ(format_value(std::optional<double>(1e300)), "1.0E300");
}

// The oracle: the fewest significant digits (printf, correctly rounded) that read back as x, and
// Java's notation chosen from the decimal exponent. Skips the one-digit case, where Java may
// prefer two digits (checked in the table above).
std::string oracle(double x) {
  char buf[64];
  int digits = 1;
  for (; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  // buf: "-d.ddde+XX"
  std::string text = buf;
  const bool negative = text[0] == '-';
  if (negative) text.erase(0, 1);
  const size_t e_at = text.find('e');
  const int exponent = std::atoi(text.c_str() + e_at + 1);
  std::string mantissa = text.substr(0, e_at);
  mantissa.erase(std::remove(mantissa.begin(), mantissa.end(), '.'), mantissa.end());
  while (mantissa.size() > 1 && mantissa.back() == '0') mantissa.pop_back();
  std::string out = negative ? "-" : "";
  if (exponent >= -3 && exponent < 7) {
    if (exponent >= 0) {
      std::string integer = mantissa.substr(0, std::min<size_t>(mantissa.size(), exponent + 1));
      integer.resize(static_cast<size_t>(exponent + 1), '0');
      std::string fraction =
          mantissa.size() > static_cast<size_t>(exponent + 1) ? mantissa.substr(exponent + 1) : "0";
      out += integer + "." + fraction;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + mantissa;
    }
  } else {
    out += mantissa.substr(0, 1) + "." + (mantissa.size() > 1 ? mantissa.substr(1) : "0") + "E" +
           std::to_string(exponent);
  }
  return out;
}

TEST(JavaNumberFormatTest, RandomDoublesMatchTheOracleAndReadBack) {
  std::mt19937_64 random(20261204);
  std::uniform_real_distribution<double> exponent(-12, 12);
  std::uniform_real_distribution<double> mantissa(-10, 10);
  int compared = 0;
  for (int i = 0; i < 20000; ++i) {
    // Values of every magnitude around the notation boundaries, and short decimals.
    double x = mantissa(random) * std::pow(10.0, exponent(random));
    if (i % 4 == 0) x = std::round(x * 1000) / 1000;
    const std::string shown = java_double_to_string(x);
    EXPECT_EQ(std::strtod(shown.c_str(), nullptr), x) << shown;
    EXPECT_NE(shown.find('.'), std::string::npos) << shown;
    const std::string expected = oracle(x);
    if (expected.find_first_of("123456789") == expected.find_last_of("123456789")) continue;
    EXPECT_EQ(shown, expected);
    ++compared;
  }
  EXPECT_GT(compared, 15000);
}

}  // namespace
}  // namespace eddy
