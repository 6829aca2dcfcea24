// Broadcast state: a map that every parallel instance of an operator holds in full. The
// broadcast side of a BroadcastProcessFunction reads and writes it (BroadcastState); the keyed
// or non-broadcast side only reads it (ReadOnlyBroadcastState), so all instances stay equal as
// long as the broadcast side updates them the same way. Its descriptor is a MapStateDescriptor.
// Iteration order (items) is unspecified.
#pragma once

#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eddy/state/heap_state_table.h"
#include "eddy/state/state.h"

namespace eddy {

// A read-only view; a BroadcastState is one, so `const ReadOnlyBroadcastState<K, V>& view =
// broadcast_state;` sees every later write.
template <class K, class V>
class ReadOnlyBroadcastState {
 public:
  virtual ~ReadOnlyBroadcastState() = default;

  std::optional<V> get(const K& key) const {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  bool contains(const K& key) const { return map_.contains(key); }
  std::vector<std::pair<K, V>> items() const { return {map_.begin(), map_.end()}; }
  bool is_empty() const { return map_.empty(); }

 protected:
  std::unordered_map<K, V, state::StateHash<K>> map_;
};

template <class K, class V>
class BroadcastState final : public ReadOnlyBroadcastState<K, V>, public State {
 public:
  void put(K key, V value) { this->map_.insert_or_assign(std::move(key), std::move(value)); }
  // Puts every pair; a key given twice keeps its last value.
  void put_all(std::vector<std::pair<K, V>> entries) {
    for (auto& [key, value] : entries) put(std::move(key), std::move(value));
  }
  void remove(const K& key) { this->map_.erase(key); }
  void clear() override { this->map_.clear(); }
};

}  // namespace eddy
