// Heap MapState: an unordered_map per (key, namespace). With TTL every map entry carries its own
// timestamp and expires on its own, as in Flink; a map whose last entry goes is erased.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eddy/state/heap_snapshot.h"
#include "eddy/state/heap_state_table.h"
#include "eddy/state/heap_ttl.h"
#include "eddy/state/internal_kv_state.h"
#include "eddy/state/state_descriptor.h"

namespace eddy::state {

template <class N, class UK, class UV>
class HeapMapState final : public InternalMapState<N, UK, UV>, public HeapSnapshotSource {
 public:
  using UserMap = std::unordered_map<UK, Stamped<UV>, StateHash<UK>>;

  HeapMapState(const KeyContext& context, const MapStateDescriptor<UK, UV>& descriptor)
      : table_(context), ttl_(descriptor.ttl_config(), context) {
    ttl_.on_incremental_cleanup(
        table_, [this](int64_t now, size_t& removed) { return sweeper(now, removed); });
  }

  void set_current_namespace(const N& ns) override { ns_ = ns; }

  std::optional<UV> get(const UK& key) override {
    std::optional<UV> result;
    read_one(key, [&](const UV& value) { result = value; });
    return result;
  }

  bool contains(const UK& key) override {
    return read_one(key, [](const UV&) {});
  }

  void put(UK key, UV value) override {
    user_map().insert_or_assign(std::move(key), Stamped<UV>{std::move(value), ttl_.now()});
  }

  void put_all(std::vector<std::pair<UK, UV>> entries) override {
    if (entries.empty()) return;
    const int64_t now = ttl_.now();
    UserMap& map = user_map();
    for (auto& [key, value] : entries) {
      map.insert_or_assign(std::move(key), Stamped<UV>{std::move(value), now});
    }
  }

  void remove(const UK& key) override {
    if (table_.peek(ns_) == nullptr) return;  // nothing to change: no clone
    UserMap* map = table_.find(ns_);
    if (map == nullptr) return;
    map->erase(key);
    if (map->empty()) table_.erase(ns_);
  }

  std::vector<std::pair<UK, UV>> items() override {
    std::vector<std::pair<UK, UV>> result;
    read_all([&](const UK& key, const UV& value) { result.emplace_back(key, value); });
    return result;
  }

  std::vector<UK> keys() override {
    std::vector<UK> result;
    read_all([&](const UK& key, const UV&) { result.push_back(key); });
    return result;
  }

  std::vector<UV> values() override {
    std::vector<UV> result;
    read_all([&](const UK&, const UV& value) { result.push_back(value); });
    return result;
  }

  bool is_empty() override {
    if (table_.peek(ns_) == nullptr) return true;
    if (!ttl_.enabled()) return false;  // stored maps are never empty
    bool any = false;
    read_all([&](const UK&, const UV&) { any = true; });
    return !any;
  }

  void clear() override { table_.erase(ns_); }

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
  // Drops a map's entries expired at `now`, counting them in `removed`; true (erase the map) if
  // none is left.
  auto sweeper(int64_t now, size_t& removed) const {
    return [this, now, &removed](UserMap& map) {
      removed += std::erase_if(
          map, [&](const auto& entry) { return ttl_.expired(entry.second.timestamp, now); });
      return map.empty();
    };
  }

  // The current (key, namespace)'s map, created empty if absent; the caller must put into it.
  UserMap& user_map() {
    if (UserMap* map = table_.find(ns_)) return *map;
    return table_.put(ns_, UserMap());
  }

  // Calls visit(value) when `key` has a value a read may see; applies TTL refresh and removal.
  template <class F>
  bool read_one(const UK& key, F&& visit) {
    if (!ttl_.enabled()) {
      // Only reads: must not clone a key group a snapshot shares.
      const UserMap* map = table_.peek(ns_);
      if (map == nullptr) return false;
      auto it = map->find(key);
      if (it == map->end()) return false;
      visit(it->second.value);
      return true;
    }
    UserMap* map = table_.find(ns_);
    if (map == nullptr) return false;
    auto it = map->find(key);
    if (it == map->end()) return false;
    if (ttl_.enabled()) {
      const int64_t now = ttl_.now();
      if (ttl_.expired(it->second.timestamp, now)) {
        const bool visible = ttl_.return_expired();
        if (visible) visit(it->second.value);
        map->erase(it);
        if (map->empty()) table_.erase(ns_);
        return visible;
      }
      if (ttl_.refresh_on_read()) it->second.timestamp = now;
    }
    visit(it->second.value);
    return true;
  }

  // Calls visit(key, value) for every entry a read may see; applies TTL refresh and removal.
  template <class F>
  void read_all(F&& visit) {
    if (!ttl_.enabled()) {
      // Only reads: must not clone a key group a snapshot shares.
      const UserMap* map = table_.peek(ns_);
      if (map == nullptr) return;
      for (const auto& [key, stamped] : *map) visit(key, stamped.value);
      return;
    }
    UserMap* map = table_.find(ns_);
    if (map == nullptr) return;
    const int64_t now = ttl_.now();
    for (auto it = map->begin(); it != map->end();) {
      Stamped<UV>& stamped = it->second;
      if (ttl_.expired(stamped.timestamp, now)) {
        if (ttl_.return_expired()) visit(it->first, stamped.value);
        it = map->erase(it);
        continue;
      }
      if (ttl_.refresh_on_read()) stamped.timestamp = now;
      visit(it->first, stamped.value);
      ++it;
    }
    if (map->empty()) table_.erase(ns_);
  }

  StateTable<N, UserMap> table_;
  TtlPolicy ttl_;
  N ns_{};
};

}  // namespace eddy::state
