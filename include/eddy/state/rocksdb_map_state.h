// RocksDB MapState: one stored entry per map entry, keyed by the (key, namespace) prefix followed
// by the serialized user key (rocksdb_key_codec.h), so one map is one prefix scan and a point
// access is one lookup. Values are encoded by StampedCodec. With TTL every map entry carries its
// own timestamp and expires on its own, as in Flink; a map with no entries stores nothing.
// User keys are equal when their serialized bytes are (e.g. 0.0 and -0.0 are distinct keys here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eddy/state/heap_ttl.h"
#include "eddy/state/internal_kv_state.h"
#include "eddy/state/rocksdb_state_table.h"
#include "eddy/state/rocksdb_value_codec.h"
#include "eddy/state/state_descriptor.h"

namespace eddy::state {

template <class N, class UK, class UV>
class RocksDbMapState final : public InternalMapState<N, UK, UV> {
 public:
  RocksDbMapState(RocksDbStateContext& context, const MapStateDescriptor<UK, UV>& descriptor)
      : table_(context, descriptor.name()),
        ttl_(descriptor.ttl_config(), context.key_context()),
        codec_(ttl_.enabled()),
        clean_snapshots_(ttl_cleans_snapshots(descriptor.ttl_config())),
        ns_bytes_(serialize_to_string(N{})) {
    ttl_.on_incremental_cleanup(
        table_, [this](int64_t now, size_t& removed) { return sweeper(now, removed); });
  }

  void set_current_namespace(const N& ns) override { ns_bytes_ = serialize_to_string(ns); }

  std::optional<UV> get(const UK& key) override {
    std::optional<UV> result;
    read_one(key, [&](UV& value) { result = std::move(value); });
    return result;
  }

  bool contains(const UK& key) override {
    return read_one(key, [](UV&) {});
  }

  void put(UK key, UV value) override { store(serialize_to_string(key), value, ttl_.now()); }

  void put_all(std::vector<std::pair<UK, UV>> entries) override {
    const int64_t now = ttl_.now();
    for (const auto& [key, value] : entries) store(serialize_to_string(key), value, now);
  }

  void remove(const UK& key) override { table_.erase(ns_bytes_, serialize_to_string(key)); }

  std::vector<std::pair<UK, UV>> items() override {
    std::vector<std::pair<UK, UV>> result;
    read_all([&](UK key, UV value) { result.emplace_back(std::move(key), std::move(value)); });
    return result;
  }

  std::vector<UK> keys() override {
    std::vector<UK> result;
    read_all([&](UK key, UV) { result.push_back(std::move(key)); });
    return result;
  }

  std::vector<UV> values() override {
    std::vector<UV> result;
    read_all([&](UK, UV value) { result.push_back(std::move(value)); });
    return result;
  }

  bool is_empty() override {
    if (!ttl_.enabled()) return !table_.scan(ns_bytes_).valid();
    bool any = false;
    read_all([&](UK, UV) { any = true; });
    return !any;
  }

  void clear() override {
    for (RocksDbCursor c = table_.scan(ns_bytes_); c.valid(); c.next()) {
      table_.column().erase(c.key());
    }
  }

  size_t num_entries() const override { return table_.count_entries(); }
  std::vector<std::string> serialized_keys() const override { return table_.keys(); }

  // The heap's format: count, then (key bytes, namespace, map) per (key, namespace), the map as
  // TypeSerializer<std::unordered_map<UK, Stamped<UV>>> writes it (count, then key and value
  // pairs).
  void snapshot_key_group(int index, DataOutputView& out) const override {
    const int64_t now = ttl_.now();
    DataOutputView entries;
    uint64_t count = 0;
    DataOutputView map;  // the current (key, namespace)'s entries
    uint64_t map_size = 0;
    std::string prefix;  // the current (key, namespace)
    std::string map_key;
    auto flush = [&] {
      if (map_size == 0) return;
      entries.write_bytes(map_key.data(), map_key.size());
      entries.write_varint(map_size);
      entries.write_bytes(map.data().data(), map.size());
      ++count;
      map.clear();
      map_size = 0;
    };
    for (RocksDbCursor c = table_.scan_key_group(index); c.valid(); c.next()) {
      const rocksdb_key::DecodedKey key = rocksdb_key::decode(c.key());
      if (key.entry_prefix != prefix) {
        flush();
        prefix.assign(key.entry_prefix);
        DataOutputView key_bytes;
        rocksdb_key::write_snapshot_key(key, key_bytes);
        map_key = key_bytes.take();
      }
      const Stamped<UV> entry = codec_.read_all(c.value());
      if (clean_snapshots_ && ttl_.expired(entry.timestamp, now)) continue;
      map.write_bytes(key.user_key.data(), key.user_key.size());
      TypeSerializer<Stamped<UV>>::serialize(entry, map);
      ++map_size;
    }
    flush();
    out.write_varint(count);
    out.write_bytes(entries.data().data(), entries.size());
  }

  // Adds the maps written by snapshot_key_group (of either backend); a restored map replaces
  // the (key, namespace)'s map, as on the heap.
  void restore_key_group(int index, DataInputView& in) override {
    const int key_group = table_.context().first_key_group() + index;
    const uint64_t count = in.read_varint();
    for (uint64_t i = 0; i < count; ++i) {
      const std::string key = TypeSerializer<std::string>::deserialize(in);
      const N ns = TypeSerializer<N>::deserialize(in);
      const std::string prefix = rocksdb_key::restored_entry_prefix(key_group, key, ns);
      for (RocksDbCursor c = table_.column().scan(prefix); c.valid(); c.next()) {
        table_.column().erase(c.key());
      }
      const uint64_t size = in.read_varint();
      for (uint64_t j = 0; j < size; ++j) {
        const UK user_key = TypeSerializer<UK>::deserialize(in);
        const Stamped<UV> entry = TypeSerializer<Stamped<UV>>::deserialize(in);
        table_.column().put(prefix + serialize_to_string(user_key),
                            codec_.encode(entry.value, entry.timestamp));
      }
    }
  }

  size_t remove_expired() override {
    if (!ttl_.enabled()) return 0;
    size_t removed = 0;
    table_.erase_if(sweeper(ttl_.now(), removed));
    return removed;
  }

 private:
  void store(std::string_view user_key, const UV& value, int64_t now) {
    out_.clear();
    codec_.write(value, now, out_);
    table_.put(ns_bytes_, out_.data(), user_key);
  }

  // Calls visit(value) when `key` has a value a read may see; applies TTL refresh and removal.
  template <class F>
  bool read_one(const UK& key, F&& visit) {
    const std::string user_key = serialize_to_string(key);
    if (!table_.get(ns_bytes_, &bytes_, user_key)) return false;
    Stamped<UV> entry = codec_.read_all(bytes_);
    if (ttl_.enabled()) {
      const int64_t now = ttl_.now();
      if (ttl_.expired(entry.timestamp, now)) {
        table_.erase(ns_bytes_, user_key);
        if (!ttl_.return_expired()) return false;
        visit(entry.value);
        return true;
      }
      if (ttl_.refresh_on_read()) store(user_key, entry.value, now);
    }
    visit(entry.value);
    return true;
  }

  // Calls visit(key, value) for every entry a read may see; applies TTL refresh and removal.
  template <class F>
  void read_all(F&& visit) {
    const int64_t now = ttl_.now();
    RocksDbCursor c = table_.scan(ns_bytes_);
    for (; c.valid(); c.next()) {
      const std::string_view user_key = rocksdb_key::decode(c.key()).user_key;
      Stamped<UV> entry = codec_.read_all(c.value());
      if (ttl_.expired(entry.timestamp, now)) {
        if (ttl_.return_expired()) {
          visit(deserialize_from_string<UK>(user_key), std::move(entry.value));
        }
        table_.column().erase(c.key());
        continue;
      }
      if (ttl_.refresh_on_read()) table_.column().put(c.key(), codec_.encode(entry.value, now));
      visit(deserialize_from_string<UK>(user_key), std::move(entry.value));
    }
  }

  // Whether a map entry is expired at `now` (and so erased), counting those in `removed`.
  auto sweeper(int64_t now, size_t& removed) const {
    return [this, now, &removed](std::string_view bytes, std::string*) {
      if (!ttl_.expired(StampedCodec<UV>::timestamp_of(bytes), now)) return SweepAction::kKeep;
      ++removed;
      return SweepAction::kErase;
    };
  }

  RocksDbStateTable table_;
  TtlPolicy ttl_;
  StampedCodec<UV> codec_;
  bool clean_snapshots_;
  std::string ns_bytes_;  // the current namespace, serialized
  std::string bytes_;     // the last value read
  DataOutputView out_;    // the last value written
};

}  // namespace eddy::state
