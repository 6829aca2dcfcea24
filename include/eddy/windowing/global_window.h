// GlobalWindow: the one window that holds every element of a key (GlobalWindows assigns it).
// It never ends, so only a custom or count trigger ever fires it.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"

namespace eddy {

// Every GlobalWindow equals every other; get() is the idiomatic way to name it.
class GlobalWindow {
 public:
  static GlobalWindow get() { return GlobalWindow(); }

  int64_t max_timestamp() const { return std::numeric_limits<int64_t>::max(); }
  std::string to_string() const { return "GlobalWindow"; }

  friend bool operator==(const GlobalWindow&, const GlobalWindow&) { return true; }
  friend bool operator<(const GlobalWindow&, const GlobalWindow&) { return false; }
};

// Flink's GlobalWindow.hashCode is 0: every instance is the same window.
template <>
struct KeyHash<GlobalWindow> {
  uint32_t operator()(const GlobalWindow&) const { return 0; }
};

// One zero byte, as Flink's GlobalWindow.Serializer writes: a window namespace is never empty.
template <>
struct TypeSerializer<GlobalWindow> {
  static void serialize(const GlobalWindow&, DataOutputView& out) { out.write_u8(0); }
  static GlobalWindow deserialize(DataInputView& in) {
    const uint8_t marker = in.read_u8();
    if (marker != 0) {
      throw SerializationError("invalid GlobalWindow byte " + std::to_string(marker) +
                               " (expected 0)");
    }
    return GlobalWindow::get();
  }
};

}  // namespace eddy

template <>
struct std::hash<eddy::GlobalWindow> {
  size_t operator()(const eddy::GlobalWindow&) const { return 0; }
};
