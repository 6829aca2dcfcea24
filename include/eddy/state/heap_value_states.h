// Heap states holding one value per (key, namespace): ValueState, ReducingState (the value is
// the running reduction) and AggregatingState (the value is the accumulator).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eddy/state/heap_snapshot.h"
#include "eddy/state/heap_state_table.h"
#include "eddy/state/heap_ttl.h"
#include "eddy/state/internal_kv_state.h"
#include "eddy/state/state_descriptor.h"

namespace eddy::state {

// One stamped value per (key, namespace) under the TTL rules of heap_ttl.h.
template <class N, class V>
class StampedValueTable {
 public:
  StampedValueTable(const KeyContext& context, const std::optional<StateTtlConfig>& ttl)
      : table_(context), ttl_(ttl, context) {
    ttl_.on_incremental_cleanup(
        table_, [this](int64_t now, size_t& removed) { return sweeper(now, removed); });
  }

  // The value a read sees: refreshed with OnReadAndWrite; an expired value is removed.
  std::optional<V> read(const N& ns) {
    // A read that changes nothing must not clone a key group a snapshot shares.
    const Stamped<V>* seen = table_.peek(ns);
    if (seen == nullptr) return std::nullopt;
    if (!ttl_.enabled()) return seen->value;
    const int64_t now = ttl_.now();
    if (!ttl_.refresh_on_read() && !ttl_.expired(seen->timestamp, now)) return seen->value;
    Stamped<V>* entry = table_.find(ns);
    if (ttl_.expired(entry->timestamp, now)) {
      std::optional<V> expired;
      if (ttl_.return_expired()) expired = std::move(entry->value);
      table_.erase(ns);
      return expired;
    }
    entry->timestamp = now;  // refresh_on_read
    return entry->value;
  }

  void write(const N& ns, V value) { table_.put(ns, Stamped<V>{std::move(value), ttl_.now()}); }

  // Replaces the live value with next(current), where current is nullptr when there is no
  // live value. An expired value counts as absent.
  template <class F>
  void modify(const N& ns, F&& next) {
    const int64_t now = ttl_.now();
    Stamped<V>* entry = table_.find(ns);
    if (entry != nullptr && !ttl_.expired(entry->timestamp, now)) {
      entry->value = next(&entry->value);
      entry->timestamp = now;
    } else {
      table_.put(ns, Stamped<V>{next(static_cast<V*>(nullptr)), now});
    }
  }

  // Folds the live values of `sources` into `target` with combine(V accumulated, const V& next),
  // removing the sources.
  template <class F>
  void merge(const N& target, const std::vector<N>& sources, F&& combine) {
    const int64_t now = ttl_.now();
    std::optional<V> merged;
    for (const N& source : sources) {
      Stamped<V>* entry = table_.find(source);
      if (entry == nullptr) continue;
      if (!ttl_.expired(entry->timestamp, now)) {
        merged = merged ? combine(std::move(*merged), entry->value) : std::move(entry->value);
      }
      table_.erase(source);
    }
    if (!merged) return;
    modify(target, [&](V* current) {
      return current ? combine(std::move(*current), *merged) : std::move(*merged);
    });
  }

  void erase(const N& ns) { table_.erase(ns); }
  size_t size() const { return table_.size(); }
  void write_key_group(int index, DataOutputView& out) const { table_.write_key_group(index, out); }
  void read_key_group(int index, DataInputView& in) { table_.read_key_group(index, in); }
  std::vector<std::string> keys() const { return table_.keys(); }
  std::unique_ptr<HeapKeyGroupsView> capture() const { return table_.capture(); }

  size_t remove_expired() {
    if (!ttl_.enabled()) return 0;
    size_t removed = 0;
    table_.erase_if(sweeper(ttl_.now(), removed));
    return removed;
  }

 private:
  // Whether an entry is expired at `now` (and so erased), counting those in `removed`.
  auto sweeper(int64_t now, size_t& removed) const {
    return [this, now, &removed](Stamped<V>& entry) {
      const bool expired = ttl_.expired(entry.timestamp, now);
      removed += expired ? 1 : 0;
      return expired;
    };
  }

  StateTable<N, Stamped<V>> table_;
  TtlPolicy ttl_;
};

// The InternalKvStateBase and namespace part shared by the single-value states.
template <class N, class V, class Interface>
class HeapSingleValueState : public Interface, public HeapSnapshotSource {
 public:
  HeapSingleValueState(const KeyContext& context, const StateDescriptorBase& descriptor)
      : values_(context, descriptor.ttl_config()) {}

  void set_current_namespace(const N& ns) override { ns_ = ns; }
  void clear() override { values_.erase(ns_); }
  size_t num_entries() const override { return values_.size(); }
  std::vector<std::string> serialized_keys() const override { return values_.keys(); }
  size_t remove_expired() override { return values_.remove_expired(); }
  void snapshot_key_group(int index, DataOutputView& out) const override {
    values_.write_key_group(index, out);
  }
  void restore_key_group(int index, DataInputView& in) override {
    values_.read_key_group(index, in);
  }
  std::unique_ptr<HeapKeyGroupsView> capture_key_groups() const override {
    return values_.capture();
  }

 protected:
  StampedValueTable<N, V> values_;
  N ns_{};
};

template <class N, class V>
class HeapValueState final : public HeapSingleValueState<N, V, InternalValueState<N, V>> {
 public:
  HeapValueState(const KeyContext& context, const ValueStateDescriptor<V>& descriptor)
      : HeapSingleValueState<N, V, InternalValueState<N, V>>(context, descriptor),
        default_value_(descriptor.default_value()) {}

  std::optional<V> value() override {
    std::optional<V> v = this->values_.read(this->ns_);
    return v ? v : default_value_;
  }
  void update(V value) override { this->values_.write(this->ns_, std::move(value)); }

 private:
  std::optional<V> default_value_;
};

template <class N, class V>
class HeapReducingState final : public HeapSingleValueState<N, V, InternalReducingState<N, V>> {
 public:
  HeapReducingState(const KeyContext& context, const ReducingStateDescriptor<V>& descriptor)
      : HeapSingleValueState<N, V, InternalReducingState<N, V>>(context, descriptor),
        reduce_(descriptor.reduce_function()) {}

  std::optional<V> get() override { return this->values_.read(this->ns_); }
  void add(V value) override {
    this->values_.modify(this->ns_,
                         [&](V* current) { return current ? reduce_(*current, value) : value; });
  }
  void merge_namespaces(const N& target, const std::vector<N>& sources) override {
    this->values_.merge(target, sources, [&](V a, const V& b) { return reduce_(a, b); });
  }

 private:
  typename ReducingStateDescriptor<V>::ReduceFunction reduce_;
};

template <class N, class In, class Acc, class Out>
class HeapAggregatingState final
    : public HeapSingleValueState<N, Acc, InternalAggregatingState<N, In, Acc, Out>> {
 public:
  HeapAggregatingState(const KeyContext& context,
                       const AggregatingStateDescriptor<In, Acc, Out>& descriptor)
      : HeapSingleValueState<N, Acc, InternalAggregatingState<N, In, Acc, Out>>(context,
                                                                                descriptor),
        function_(descriptor.aggregate_function()) {}

  std::optional<Out> get() override {
    std::optional<Acc> accumulator = this->values_.read(this->ns_);
    if (!accumulator) return std::nullopt;
    return function_->get_result(*accumulator);
  }
  std::optional<Acc> get_accumulator() override { return this->values_.read(this->ns_); }
  // The accumulator is moved into AggregateFunction::add; if add throws, the key's accumulator
  // is lost (the task fails and restarts from its last checkpoint anyway).
  void add(const In& value) override {
    this->values_.modify(this->ns_, [&](Acc* current) {
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
