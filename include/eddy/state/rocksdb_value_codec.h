// How the RocksDB backend stores one value (a value state's value, a list element, a map entry's
// value): its TypeSerializer bytes, followed by the TTL timestamp (int64, little-endian) only when
// the state has TTL. A state without TTL reads timestamp 0, as the heap backend stores, so
// snapshots write the same bytes either way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "eddy/core/serializer.h"
#include "eddy/state/heap_ttl.h"

namespace eddy::state {

template <Serializable V>
class StampedCodec {
 public:
  explicit StampedCodec(bool with_timestamp) : with_timestamp_(with_timestamp) {}

  void write(const V& value, int64_t timestamp, DataOutputView& out) const {
    TypeSerializer<V>::serialize(value, out);
    if (with_timestamp_) out.write_fixed(timestamp);
  }

  Stamped<V> read(DataInputView& in) const {
    V value = TypeSerializer<V>::deserialize(in);
    return {std::move(value), with_timestamp_ ? in.read_fixed<int64_t>() : int64_t{0}};
  }

  // Reads exactly one stored value; bytes left over are an error.
  Stamped<V> read_all(std::string_view bytes) const {
    DataInputView in(bytes);
    Stamped<V> stamped = read(in);
    if (!in.at_end()) {
      throw SerializationError(std::to_string(in.remaining()) + " trailing bytes after a value");
    }
    return stamped;
  }

  // The timestamp of a stored value without decoding the value: its last 8 bytes.
  // REQUIRES: the codec writes timestamps.
  static int64_t timestamp_of(std::string_view bytes) {
    DataInputView in(bytes.substr(bytes.size() - sizeof(int64_t)));
    return in.read_fixed<int64_t>();
  }

  std::string encode(const V& value, int64_t timestamp) const {
    DataOutputView out;
    write(value, timestamp, out);
    return out.take();
  }

 private:
  bool with_timestamp_;
};

}  // namespace eddy::state
