// The RocksDB backend's key layout. An entry of a state (one column family per state) is stored
// under
//   key group (2 bytes, big-endian) | varint n | n key bytes | varint m | m namespace bytes
// followed, for map state only, by the serialized user key, which runs to the end.
// Invariants: big-endian key groups sort each key group's entries together, so a snapshot reads
// one key group with one prefix scan; the two lengths make every (key group, key) and (key group,
// key, namespace) an unambiguous prefix, so a key's namespaces and one map's entries are
// contiguous and found by one prefix scan. Key groups are absolute (not relative to the backend's
// range), so the layout does not depend on the range.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eddy/core/serializer.h"
#include "eddy/state/state_exception.h"

namespace eddy::state::rocksdb_key {

// Key groups are below kUpperBoundMaxParallelism (32768), so two bytes hold any of them.
inline void append_key_group(std::string& out, int key_group) {
  out.push_back(static_cast<char>((key_group >> 8) & 0xff));
  out.push_back(static_cast<char>(key_group & 0xff));
}

inline void append_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Appends the (key group, key, namespace) prefix of an entry's key.
inline void append_entry_prefix(std::string& out, int key_group, std::string_view key,
                                std::string_view ns) {
  append_key_group(out, key_group);
  append_varint(out, key.size());
  out.append(key);
  append_varint(out, ns.size());
  out.append(ns);
}

inline std::string key_group_prefix(int key_group) {
  std::string out;
  append_key_group(out, key_group);
  return out;
}

// A stored key taken apart; the views point into the stored key.
struct DecodedKey {
  int key_group = 0;
  std::string_view key;            // serialized key
  std::string_view ns;             // serialized namespace
  std::string_view user_key;       // serialized map key; empty for other states
  std::string_view group_and_key;  // the (key group, key) prefix
  std::string_view entry_prefix;   // the (key group, key, namespace) prefix
};

// Throws StateException for a key not written by append_entry_prefix.
inline DecodedKey decode(std::string_view stored) {
  try {
    DataInputView in(stored);
    DecodedKey decoded;
    decoded.key_group = in.read_u8() << 8;
    decoded.key_group |= in.read_u8();
    decoded.key = in.read_bytes(static_cast<size_t>(in.read_varint()));
    decoded.group_and_key = stored.substr(0, in.position());
    decoded.ns = in.read_bytes(static_cast<size_t>(in.read_varint()));
    decoded.entry_prefix = stored.substr(0, in.position());
    decoded.user_key = stored.substr(in.position());
    return decoded;
  } catch (const SerializationError& e) {
    throw StateException(std::string("malformed RocksDB state key: ") + e.what());
  }
}

// Writes a stored entry's (key, namespace) as a snapshot holds them (the heap's format): the key
// as a length-prefixed string, then the namespace's TypeSerializer bytes, which is how the stored
// key holds it.
inline void write_snapshot_key(const DecodedKey& key, DataOutputView& out) {
  out.write_varint(key.key.size());
  out.write_bytes(key.key.data(), key.key.size());
  out.write_bytes(key.ns.data(), key.ns.size());
}

// The stored (key group, key, namespace) prefix of an entry read from a snapshot.
template <Serializable N>
std::string restored_entry_prefix(int key_group, const std::string& key, const N& ns) {
  std::string stored;
  append_entry_prefix(stored, key_group, key, serialize_to_string(ns));
  return stored;
}

}  // namespace eddy::state::rocksdb_key
