// RocksDB ListState: one stored entry per (key, namespace) whose value is its elements' encodings
// (StampedCodec) concatenated, with no count. Adding elements is a blind append (a RocksDB merge,
// as Flink's RocksDB list state does), so add() never reads the list. With TTL every element
// carries its own timestamp and expires on its own; a list whose last element goes is erased.
// Invariant: a stored list is never empty.
#pragma once

#include <cstddef>
#include <cstdint>
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

template <class N, class V>
class RocksDbListState final : public InternalListState<N, V> {
 public:
  using Elements = std::vector<Stamped<V>>;

  RocksDbListState(RocksDbStateContext& context, const ListStateDescriptor<V>& descriptor)
      : table_(context, descriptor.name()),
        ttl_(descriptor.ttl_config(), context.key_context()),
        codec_(ttl_.enabled()),
        clean_snapshots_(ttl_cleans_snapshots(descriptor.ttl_config())),
        ns_bytes_(serialize_to_string(N{})) {
    ttl_.on_incremental_cleanup(
        table_, [this](int64_t now, size_t& removed) { return sweeper(now, removed); });
  }

  void set_current_namespace(const N& ns) override { ns_bytes_ = serialize_to_string(ns); }

  std::vector<V> get() override {
    std::vector<V> result;
    if (!table_.get(ns_bytes_, &bytes_)) return result;
    Elements elements = decode(bytes_);
    result.reserve(elements.size());
    if (!ttl_.enabled()) {
      for (Stamped<V>& e : elements) result.push_back(std::move(e.value));
      return result;
    }
    const int64_t now = ttl_.now();
    Elements alive;
    for (Stamped<V>& e : elements) {
      if (ttl_.expired(e.timestamp, now)) {
        if (ttl_.return_expired()) result.push_back(e.value);
        continue;
      }
      if (ttl_.refresh_on_read()) e.timestamp = now;
      result.push_back(e.value);
      alive.push_back(std::move(e));
    }
    // Write back what the read changed: dropped elements or refreshed timestamps.
    if (alive.size() != elements.size() || (ttl_.refresh_on_read() && !alive.empty())) {
      store(ns_bytes_, alive);
    }
    return result;
  }

  void add(V value) override {
    out_.clear();
    codec_.write(value, ttl_.now(), out_);
    table_.append(ns_bytes_, out_.data());
  }

  void add_all(std::vector<V> values) override {
    if (values.empty()) return;
    const int64_t now = ttl_.now();
    out_.clear();
    for (const V& v : values) codec_.write(v, now, out_);
    table_.append(ns_bytes_, out_.data());
  }

  void update(std::vector<V> values) override {
    if (values.empty()) {
      table_.erase(ns_bytes_);
      return;
    }
    const int64_t now = ttl_.now();
    out_.clear();
    for (const V& v : values) codec_.write(v, now, out_);
    table_.put(ns_bytes_, out_.data());
  }

  void clear() override { table_.erase(ns_bytes_); }

  void merge_namespaces(const N& target, const std::vector<N>& sources) override {
    const int64_t now = ttl_.now();
    Elements merged;
    for (const N& source : sources) {
      const std::string ns = serialize_to_string(source);
      if (!table_.get(ns, &bytes_)) continue;
      for (Stamped<V>& e : decode(bytes_)) {
        if (!ttl_.expired(e.timestamp, now)) merged.push_back(std::move(e));
      }
      table_.erase(ns);
    }
    if (merged.empty()) return;
    out_.clear();
    for (const Stamped<V>& e : merged) codec_.write(e.value, e.timestamp, out_);
    table_.append(serialize_to_string(target), out_.data());
  }

  size_t num_entries() const override { return table_.count_entries(); }
  std::vector<std::string> serialized_keys() const override { return table_.keys(); }

  // The heap's format: count, then (key bytes, namespace, std::vector<Stamped<V>>) per entry.
  void snapshot_key_group(int index, DataOutputView& out) const override {
    const int64_t now = ttl_.now();
    DataOutputView entries;
    uint64_t count = 0;
    for (RocksDbCursor c = table_.scan_key_group(index); c.valid(); c.next()) {
      Elements elements = decode(c.value());
      if (clean_snapshots_) drop_expired(elements, now);
      if (elements.empty()) continue;
      rocksdb_key::write_snapshot_key(rocksdb_key::decode(c.key()), entries);
      TypeSerializer<Elements>::serialize(elements, entries);
      ++count;
    }
    out.write_varint(count);
    out.write_bytes(entries.data().data(), entries.size());
  }

  // Adds the entries written by snapshot_key_group (of either backend), replacing equal keys.
  void restore_key_group(int index, DataInputView& in) override {
    const int key_group = table_.context().first_key_group() + index;
    const uint64_t count = in.read_varint();
    for (uint64_t i = 0; i < count; ++i) {
      const std::string key = TypeSerializer<std::string>::deserialize(in);
      const N ns = TypeSerializer<N>::deserialize(in);
      const Elements elements = TypeSerializer<Elements>::deserialize(in);
      const std::string stored = rocksdb_key::restored_entry_prefix(key_group, key, ns);
      if (elements.empty()) {
        table_.column().erase(stored);
        continue;
      }
      out_.clear();
      for (const Stamped<V>& e : elements) codec_.write(e.value, e.timestamp, out_);
      table_.column().put(stored, out_.data());
    }
  }

  size_t remove_expired() override {
    if (!ttl_.enabled()) return 0;
    size_t removed = 0;
    table_.erase_if(sweeper(ttl_.now(), removed));
    return removed;
  }

 private:
  Elements decode(std::string_view bytes) const {
    Elements elements;
    DataInputView in(bytes);
    while (!in.at_end()) elements.push_back(codec_.read(in));
    return elements;
  }

  void drop_expired(Elements& elements, int64_t now) const {
    std::erase_if(elements, [&](const Stamped<V>& e) { return ttl_.expired(e.timestamp, now); });
  }

  // Stores `elements` as the list in `ns`, erasing the list when they are none.
  void store(std::string_view ns, const Elements& elements) {
    if (elements.empty()) {
      table_.erase(ns);
      return;
    }
    out_.clear();
    for (const Stamped<V>& e : elements) codec_.write(e.value, e.timestamp, out_);
    table_.put(ns, out_.data());
  }

  // Drops a list's elements expired at `now`, counting them in `removed`: erases the list if
  // none is left, rewrites it if some went.
  auto sweeper(int64_t now, size_t& removed) const {
    return [this, now, &removed](std::string_view bytes, std::string* replacement) {
      Elements elements = decode(bytes);
      const size_t before = elements.size();
      drop_expired(elements, now);
      removed += before - elements.size();
      if (elements.empty()) return SweepAction::kErase;
      if (elements.size() == before) return SweepAction::kKeep;
      DataOutputView out;
      for (const Stamped<V>& e : elements) codec_.write(e.value, e.timestamp, out);
      *replacement = out.take();
      return SweepAction::kReplace;
    };
  }

  RocksDbStateTable table_;
  TtlPolicy ttl_;
  StampedCodec<V> codec_;
  bool clean_snapshots_;
  std::string ns_bytes_;  // the current namespace, serialized
  std::string bytes_;     // the last list read
  DataOutputView out_;    // the last encoding written
};

}  // namespace eddy::state
