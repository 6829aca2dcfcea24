// Floating-point numbers shown as Java's Double.toString / Float.toString show them (JDK 19 and
// later), so that printed output matches what Flink users see: the shortest digits that read back
// as the same value; decimal notation for 1e-3 <= |x| < 1e7 with at least one digit after the point
// ("100.0", "0.001", "1234567.0"); otherwise computerized scientific notation ("1.0E7",
// "1.185942626E7", "1.0E-5"); "NaN", "Infinity", "-Infinity", "-0.0".
#pragma once

#include <string>

namespace eddy {

void append_java_double(std::string& out, double value);
void append_java_float(std::string& out, float value);

inline std::string java_double_to_string(double value) {
  std::string out;
  append_java_double(out, value);
  return out;
}
inline std::string java_float_to_string(float value) {
  std::string out;
  append_java_float(out, value);
  return out;
}

}  // namespace eddy
