// Heap ListState: a vector per (key, namespace). With TTL every element carries its own
// timestamp and expires on its own, as in Flink; a list whose last element goes is erased.
#pragma once

#include <algorithm>
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

template <class N, class V>
class HeapListState final : public InternalListState<N, V>, public HeapSnapshotSource {
 public:
  using Elements = std::vector<Stamped<V>>;

  HeapListState(const KeyContext& context, const ListStateDescriptor<V>& descriptor)
      : table_(context), ttl_(descriptor.ttl_config(), context) {
    ttl_.on_incremental_cleanup(
        table_, [this](int64_t now, size_t& removed) { return sweeper(now, removed); });
  }

  void set_current_namespace(const N& ns) override { ns_ = ns; }

  std::vector<V> get() override {
    std::vector<V> result;
    if (!ttl_.enabled()) {
      // Only reads: must not clone a key group a snapshot shares.
      const Elements* elements = table_.peek(ns_);
      if (elements == nullptr) return result;
      result.reserve(elements->size());
      for (const Stamped<V>& e : *elements) result.push_back(e.value);
      return result;
    }
    Elements* elements = table_.find(ns_);
    if (elements == nullptr) return result;
    result.reserve(elements->size());
    const int64_t now = ttl_.now();
    bool any_expired = false;
    for (Stamped<V>& e : *elements) {
      if (ttl_.expired(e.timestamp, now)) {
        any_expired = true;
        if (ttl_.return_expired()) result.push_back(e.value);
      } else {
        result.push_back(e.value);
        if (ttl_.refresh_on_read()) e.timestamp = now;
      }
    }
    if (any_expired) remove_expired_elements(*elements, now);
    return result;
  }

  void add(V value) override {
    const int64_t now = ttl_.now();
    if (Elements* elements = table_.find(ns_)) {
      elements->push_back(Stamped<V>{std::move(value), now});
    } else {
      Elements fresh;
      fresh.push_back(Stamped<V>{std::move(value), now});
      table_.put(ns_, std::move(fresh));
    }
  }

  void add_all(std::vector<V> values) override {
    if (values.empty()) return;
    const int64_t now = ttl_.now();
    Elements* elements = table_.find(ns_);
    if (elements == nullptr) elements = &table_.put(ns_, Elements());
    elements->reserve(elements->size() + values.size());
    for (V& v : values) elements->push_back(Stamped<V>{std::move(v), now});
  }

  void update(std::vector<V> values) override {
    if (values.empty()) {
      table_.erase(ns_);
      return;
    }
    table_.put(ns_, stamp(std::move(values), ttl_.now()));
  }

  void clear() override { table_.erase(ns_); }

  void merge_namespaces(const N& target, const std::vector<N>& sources) override {
    const int64_t now = ttl_.now();
    Elements merged;
    for (const N& source : sources) {
      Elements* elements = table_.find(source);
      if (elements == nullptr) continue;
      for (Stamped<V>& e : *elements) {
        if (!ttl_.expired(e.timestamp, now)) merged.push_back(std::move(e));
      }
      table_.erase(source);
    }
    if (merged.empty()) return;
    Elements* elements = table_.find(target);
    if (elements == nullptr) {
      table_.put(target, std::move(merged));
      return;
    }
    elements->insert(elements->end(), std::make_move_iterator(merged.begin()),
                     std::make_move_iterator(merged.end()));
  }

  size_t num_entries() const override { return table_.size(); }
  std::vector<std::string> serialized_keys() const override { return table_.keys(); }
  void snapshot_key_group(int index, DataOutputView& out) const override {
    table_.write_key_group(index, out);
  }
  void restore_key_group(int index, DataInputView& in) override {
    table_.read_key_group(index, in);
  }
  std::unique_ptr<HeapKeyGroupsView> capture_key_groups() const override {
    return table_.capture();
  }

  size_t remove_expired() override {
    if (!ttl_.enabled()) return 0;
    size_t removed = 0;
    table_.erase_if(sweeper(ttl_.now(), removed));
    return removed;
  }

 private:
  // Drops a list's elements expired at `now`, counting them in `removed`; true (erase the
  // list) if none is left.
  auto sweeper(int64_t now, size_t& removed) const {
    return [this, now, &removed](Elements& elements) {
      const size_t before = elements.size();
      drop_expired(elements, now);
      removed += before - elements.size();
      return elements.empty();
    };
  }

  static Elements stamp(std::vector<V> values, int64_t now) {
    Elements elements;
    elements.reserve(values.size());
    for (V& v : values) elements.push_back(Stamped<V>{std::move(v), now});
    return elements;
  }

  void drop_expired(Elements& elements, int64_t now) const {
    std::erase_if(elements, [&](const Stamped<V>& e) { return ttl_.expired(e.timestamp, now); });
  }

  // Drops expired elements of the current namespace's list, erasing the list if none is left.
  void remove_expired_elements(Elements& elements, int64_t now) {
    drop_expired(elements, now);
    if (elements.empty()) table_.erase(ns_);
  }

  StateTable<N, Elements> table_;
  TtlPolicy ttl_;
  N ns_{};
};

}  // namespace eddy::state
