// RocksDB states holding one value per (key, namespace): ValueState, ReducingState (the value is
// the running reduction) and AggregatingState (the value is the accumulator). One stored entry
// per (key, namespace) in the layout of rocksdb_key_codec.h, its value encoded by StampedCodec.
// Reads and writes follow the TTL rules of heap_ttl.h exactly; a read that refreshes a timestamp
// (OnReadAndWrite) writes the value back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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

// One stamped value per (key, namespace) under the TTL rules of heap_ttl.h.
template <Serializable N, Serializable V>
class RocksDbStampedValues {
 public:
  RocksDbStampedValues(RocksDbStateContext& context, const StateDescriptorBase& descriptor)
      : table_(context, descriptor.name()),
        ttl_(descriptor.ttl_config(), context.key_context()),
        codec_(ttl_.enabled()),
        clean_snapshots_(ttl_cleans_snapshots(descriptor.ttl_config())) {
    ttl_.on_incremental_cleanup(
        table_, [this](int64_t now, size_t& removed) { return sweeper(now, removed); });
  }

  // The value a read sees: refreshed with OnReadAndWrite; an expired value is removed.
  std::optional<V> read(std::string_view ns) {
    if (!table_.get(ns, &bytes_)) return std::nullopt;
    Stamped<V> entry = codec_.read_all(bytes_);
    if (ttl_.enabled()) {
      const int64_t now = ttl_.now();
      if (ttl_.expired(entry.timestamp, now)) {
        std::optional<V> seen;
        if (ttl_.return_expired()) seen = std::move(entry.value);
        table_.erase(ns);
        return seen;
      }
      if (ttl_.refresh_on_read()) store(ns, entry.value, now);
    }
    return std::move(entry.value);
  }

  void write(std::string_view ns, const V& value) { store(ns, value, ttl_.now()); }

  // Replaces the live value with next(current), where current is nullptr when there is no
  // live value. An expired value counts as absent.
  template <class F>
  void modify(std::string_view ns, F&& next) {
    const int64_t now = ttl_.now();
    std::optional<V> current;
    if (table_.get(ns, &bytes_)) {
      Stamped<V> entry = codec_.read_all(bytes_);
      if (!ttl_.expired(entry.timestamp, now)) current = std::move(entry.value);
    }
    store(ns, current ? next(&*current) : next(static_cast<V*>(nullptr)), now);
  }

  // Folds the live values of `sources` into `target` with combine(V accumulated, const V& next),
  // removing the sources.
  template <class F>
  void merge(const N& target, const std::vector<N>& sources, F&& combine) {
    const int64_t now = ttl_.now();
    std::optional<V> merged;
    for (const N& source : sources) {
      const std::string ns = serialize_to_string(source);
      if (!table_.get(ns, &bytes_)) continue;
      Stamped<V> entry = codec_.read_all(bytes_);
      if (!ttl_.expired(entry.timestamp, now)) {
        merged = merged ? combine(std::move(*merged), entry.value) : std::move(entry.value);
      }
      table_.erase(ns);
    }
    if (!merged) return;
    modify(serialize_to_string(target), [&](V* current) {
      return current ? combine(std::move(*current), *merged) : std::move(*merged);
    });
  }

  void erase(std::string_view ns) { table_.erase(ns); }
  size_t size() const { return table_.count_entries(); }
  std::vector<std::string> keys() const { return table_.keys(); }

  size_t remove_expired() {
    if (!ttl_.enabled()) return 0;
    size_t removed = 0;
    table_.erase_if(sweeper(ttl_.now(), removed));
    return removed;
  }

  // The heap's format: count, then (key bytes, namespace, Stamped<V>) per entry.
  void write_key_group(int index, DataOutputView& out) const {
    const int64_t now = ttl_.now();
    DataOutputView entries;
    uint64_t count = 0;
    for (RocksDbCursor c = table_.scan_key_group(index); c.valid(); c.next()) {
      const Stamped<V> entry = codec_.read_all(c.value());
      if (clean_snapshots_ && ttl_.expired(entry.timestamp, now)) continue;
      rocksdb_key::write_snapshot_key(rocksdb_key::decode(c.key()), entries);
      TypeSerializer<Stamped<V>>::serialize(entry, entries);
      ++count;
    }
    out.write_varint(count);
    out.write_bytes(entries.data().data(), entries.size());
  }

  // Adds the entries written by write_key_group (of either backend), replacing equal keys.
  void read_key_group(int index, DataInputView& in) {
    const int key_group = table_.context().first_key_group() + index;
    const uint64_t count = in.read_varint();
    for (uint64_t i = 0; i < count; ++i) {
      const std::string key = TypeSerializer<std::string>::deserialize(in);
      const N ns = TypeSerializer<N>::deserialize(in);
      const Stamped<V> entry = TypeSerializer<Stamped<V>>::deserialize(in);
      table_.column().put(rocksdb_key::restored_entry_prefix(key_group, key, ns),
                          codec_.encode(entry.value, entry.timestamp));
    }
  }

 private:
  void store(std::string_view ns, const V& value, int64_t now) {
    out_.clear();
    codec_.write(value, now, out_);
    table_.put(ns, out_.data());
  }

  // Whether a stored value is expired at `now` (and so erased), counting those in `removed`.
  auto sweeper(int64_t now, size_t& removed) const {
    return [this, now, &removed](std::string_view bytes, std::string*) {
      if (!ttl_.expired(StampedCodec<V>::timestamp_of(bytes), now)) return SweepAction::kKeep;
      ++removed;
      return SweepAction::kErase;
    };
  }

  RocksDbStateTable table_;
  TtlPolicy ttl_;
  StampedCodec<V> codec_;
  bool clean_snapshots_;
  std::string bytes_;   // the last value read
  DataOutputView out_;  // the last value written
};

// The InternalKvStateBase and namespace part shared by the single-value states.
template <class N, class V, class Interface>
class RocksDbSingleValueState : public Interface {
 public:
  RocksDbSingleValueState(RocksDbStateContext& context, const StateDescriptorBase& descriptor)
      : values_(context, descriptor), ns_bytes_(serialize_to_string(N{})) {}

  void set_current_namespace(const N& ns) override { ns_bytes_ = serialize_to_string(ns); }
  void clear() override { values_.erase(ns_bytes_); }
  size_t num_entries() const override { return values_.size(); }
  std::vector<std::string> serialized_keys() const override { return values_.keys(); }
  size_t remove_expired() override { return values_.remove_expired(); }
  void snapshot_key_group(int index, DataOutputView& out) const override {
    values_.write_key_group(index, out);
  }
  void restore_key_group(int index, DataInputView& in) override {
    values_.read_key_group(index, in);
  }

 protected:
  RocksDbStampedValues<N, V> values_;
  std::string ns_bytes_;  // the current namespace, serialized
};

template <class N, class V>
class RocksDbValueState final : public RocksDbSingleValueState<N, V, InternalValueState<N, V>> {
 public:
  RocksDbValueState(RocksDbStateContext& context, const ValueStateDescriptor<V>& descriptor)
      : RocksDbSingleValueState<N, V, InternalValueState<N, V>>(context, descriptor),
        default_value_(descriptor.default_value()) {}

  std::optional<V> value() override {
    std::optional<V> v = this->values_.read(this->ns_bytes_);
    return v ? v : default_value_;
  }
  void update(V value) override { this->values_.write(this->ns_bytes_, value); }

 private:
  std::optional<V> default_value_;
};

template <class N, class V>
class RocksDbReducingState final
    : public RocksDbSingleValueState<N, V, InternalReducingState<N, V>> {
 public:
  RocksDbReducingState(RocksDbStateContext& context, const ReducingStateDescriptor<V>& descriptor)
      : RocksDbSingleValueState<N, V, InternalReducingState<N, V>>(context, descriptor),
        reduce_(descriptor.reduce_function()) {}

  std::optional<V> get() override { return this->values_.read(this->ns_bytes_); }
  void add(V value) override {
    this->values_.modify(this->ns_bytes_,
                         [&](V* current) { return current ? reduce_(*current, value) : value; });
  }
  void merge_namespaces(const N& target, const std::vector<N>& sources) override {
    this->values_.merge(target, sources, [&](V a, const V& b) { return reduce_(a, b); });
  }

 private:
  typename ReducingStateDescriptor<V>::ReduceFunction reduce_;
};

template <class N, class In, class Acc, class Out>
class RocksDbAggregatingState final
    : public RocksDbSingleValueState<N, Acc, InternalAggregatingState<N, In, Acc, Out>> {
 public:
  RocksDbAggregatingState(RocksDbStateContext& context,
                          const AggregatingStateDescriptor<In, Acc, Out>& descriptor)
      : RocksDbSingleValueState<N, Acc, InternalAggregatingState<N, In, Acc, Out>>(context,
                                                                                   descriptor),
        function_(descriptor.aggregate_function()) {}

  std::optional<Out> get() override {
    std::optional<Acc> accumulator = this->values_.read(this->ns_bytes_);
    if (!accumulator) return std::nullopt;
    return function_->get_result(*accumulator);
  }
  std::optional<Acc> get_accumulator() override { return this->values_.read(this->ns_bytes_); }
  void add(const In& value) override {
    this->values_.modify(this->ns_bytes_, [&](Acc* current) {
      return function_->add(value, current ? std::move(*current) : function_->create_accumulator());
    });
  }
  void merge_namespaces(const N& target, const std::vector<N>& sources) override {
    this->values_.merge(target, sources,
                        [&](Acc a, const Acc& b) { return function_->merge(std::move(a), b); });
  }

 private:
  std::shared_ptr<AggregateFunction<In, Acc, Out>> function_;
};

}  // namespace eddy::state
