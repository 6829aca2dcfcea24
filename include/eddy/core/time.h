// Time: a length of time for windows and state TTL, written as Flink writes it:
// Time::seconds(10), Time::minutes(30). Millisecond resolution, like event timestamps.
#pragma once

#include <chrono>
#include <cstdint>

namespace eddy {

class Time {
 public:
  static constexpr Time milliseconds(int64_t n) { return Time(n); }
  static constexpr Time seconds(int64_t n) { return Time(n * 1000); }
  static constexpr Time minutes(int64_t n) { return Time(n * 60 * 1000); }
  static constexpr Time hours(int64_t n) { return Time(n * 60 * 60 * 1000); }
  static constexpr Time days(int64_t n) { return Time(n * 24 * 60 * 60 * 1000); }
  static constexpr Time of(std::chrono::milliseconds d) { return Time(d.count()); }

  constexpr int64_t to_milliseconds() const { return millis_; }
  friend constexpr bool operator==(Time, Time) = default;

 private:
  explicit constexpr Time(int64_t millis) : millis_(millis) {}
  int64_t millis_;
};

}  // namespace eddy
