// StateTable: the heap backend's storage for one state. One hash map per key group of the
// backend's range (index = key group - first key group), each keyed by (serialized key,
// namespace). Keeping key groups apart lets a snapshot or a rescale take whole key groups without
// scanning other keys. An access looks up the current key of the KeyContext: one hash lookup.
// Invariant: a stored entry is never "empty" (the states erase a list or map that becomes
// empty), so num_entries() counts keys that hold something and cleared keys use no memory.
//
// Copy-on-write: each key group's map is held through a shared_ptr. capture() (the synchronous
// phase of a snapshot) shares them with a view, which counts itself as a reader of each until
// it lets go of it; every path that can change a map, or hand out a mutable pointer into it,
// first goes through writable_map(), which replaces a map that has readers by a clone. So a
// captured map never changes again, and the task never writes into a map that another thread
// may be reading. A pointer from find() is valid until the next capture(): the states keep
// none across calls.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "eddy/core/dcheck.h"
#include "eddy/core/key_hash.h"
#include "eddy/core/serializer.h"
#include "eddy/core/type_name.h"
#include "eddy/state/heap_snapshot.h"
#include "eddy/state/internal_kv_state.h"
#include "eddy/state/key_context.h"
#include "eddy/state/state_exception.h"

namespace eddy::state {

// Hash for namespaces and map-state keys: std::hash when the type has one, else eddy::KeyHash
// (pairs, tuples, vectors of hashable fields).
template <class T>
struct StateHash {
  size_t operator()(const T& value) const {
    if constexpr (std::is_default_constructible_v<std::hash<T>>) {
      return std::hash<T>{}(value);
    } else {
      return KeyHasher{}(value);
    }
  }
};

template <class N>
struct StateKey {
  std::string key;
  N ns;
};

// A lookup key that borrows the current key's bytes, so a lookup copies nothing.
template <class N>
struct StateKeyRef {
  std::string_view key;
  const N& ns;
};

template <class N>
struct StateKeyHash {
  using is_transparent = void;
  static size_t hash(std::string_view key, const N& ns) {
    const uint64_t h = murmur_hash_bytes(key);
    return static_cast<size_t>(h ^
                               (StateHash<N>{}(ns) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
  }
  size_t operator()(const StateKey<N>& k) const { return hash(k.key, k.ns); }
  size_t operator()(const StateKeyRef<N>& k) const { return hash(k.key, k.ns); }
};

template <class N>
struct StateKeyEqual {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::string_view(a.key) == std::string_view(b.key) && a.ns == b.ns;
  }
};

template <class N, class Entry>
class StateTable {
 public:
  using Map = std::unordered_map<StateKey<N>, Entry, StateKeyHash<N>, StateKeyEqual<N>>;

  explicit StateTable(const KeyContext& context) : context_(context) {
    groups_.reserve(static_cast<size_t>(context.num_key_groups()));
    for (int i = 0; i < context.num_key_groups(); ++i) {
      groups_.push_back(std::make_shared<KeyGroup>());
    }
  }

  // The current key's entry in `ns`, or nullptr, to read or change.
  Entry* find(const N& ns) {
    Map& map = current_map();
    auto it = map.find(StateKeyRef<N>{context_.key(), ns});
    return it == map.end() ? nullptr : &it->second;
  }

  // The current key's entry in `ns`, or nullptr, only to read: never clones a shared map.
  const Entry* peek(const N& ns) {
    accessed_ = true;
    const Map& map = groups_[static_cast<size_t>(context_.key_group_index())]->map;
    auto it = map.find(StateKeyRef<N>{context_.key(), ns});
    return it == map.end() ? nullptr : &it->second;
  }

  // Stores `entry` for the current key in `ns`, replacing any previous one.
  Entry& put(const N& ns, Entry entry) {
    if (Entry* existing = find(ns)) {
      *existing = std::move(entry);
      return *existing;
    }
    return current_map().emplace(StateKey<N>{context_.key(), ns}, std::move(entry)).first->second;
  }

  void erase(const N& ns) {
    Map& map = current_map();
    auto it = map.find(StateKeyRef<N>{context_.key(), ns});
    if (it != map.end()) map.erase(it);
  }

  size_t size() const {
    size_t n = 0;
    for (const auto& group : groups_) n += group->map.size();
    return n;
  }

  // Serialized keys with an entry in any namespace, each once.
  std::vector<std::string> keys() const {
    std::vector<std::string> result;
    for (const auto& group : groups_) {
      const Map& map = group->map;
      if constexpr (std::is_same_v<N, VoidNamespace>) {
        for (const auto& [k, entry] : map) result.push_back(k.key);
      } else {
        std::unordered_set<std::string_view> seen;
        for (const auto& [k, entry] : map) {
          if (seen.insert(k.key).second) result.push_back(k.key);
        }
      }
    }
    return result;
  }

  // Calls `erase(Entry&)` on every entry of every key group; an entry is erased when it returns
  // true. Used for TTL cleanup, which must see all keys, not just the current one.
  template <class F>
  void erase_if(F&& erase) {
    for (size_t index = 0; index < groups_.size(); ++index) {
      if (groups_[index]->map.empty()) continue;
      Map& map = writable_map(index);
      for (auto it = map.begin(); it != map.end();) {
        it = erase(it->second) ? map.erase(it) : std::next(it);
      }
    }
  }

  // As erase_if, but over at most about `budget` entries, resuming where the previous call
  // stopped and wrapping around: incremental TTL cleanup spreads a full sweep over many calls.
  // A rehash between calls may make the walk skip or revisit some entries once.
  template <class F>
  void erase_some_if(size_t budget, F&& erase) {
    std::vector<StateKey<N>> doomed;
    // Empty buckets cost a step too, so a sparse table still ends the call.
    for (size_t steps = 0; budget > 0 && steps < budget * 4; ++steps) {
      const Map& current = groups_[cursor_map_]->map;
      if (cursor_bucket_ < current.bucket_count() && !current.empty()) {
        // A clone keeps the bucket count, so the cursor stays meaningful.
        Map& map = writable_map(cursor_map_);
        for (auto it = map.begin(cursor_bucket_); it != map.end(cursor_bucket_); ++it) {
          if (erase(it->second)) doomed.push_back(it->first);
          if (budget > 0) --budget;
        }
        for (const StateKey<N>& key : doomed) map.erase(key);
        doomed.clear();
      }
      if (++cursor_bucket_ >= groups_[cursor_map_]->map.bucket_count()) {
        cursor_bucket_ = 0;
        cursor_map_ = (cursor_map_ + 1) % groups_.size();
      }
    }
  }

  const KeyContext& context() const { return context_; }

  // Writes key group `index`'s entries: their count, then (key bytes, namespace, entry) each.
  void write_key_group(int index, DataOutputView& out) const {
    check_serializable();
    write_map(groups_.at(static_cast<size_t>(index))->map, out);
  }

  // An immutable view of every key group as it is now (O(key groups); copies no entry): later
  // changes to this table clone the maps the view shares instead of changing them.
  // REQUIRES: the task's thread (the only one that changes the table or takes views).
  std::unique_ptr<HeapKeyGroupsView> capture() const {
    EDDY_DCHECK(owner_.claim(), "a state table is captured on its task's thread");
    check_serializable();
    return std::make_unique<CapturedMaps>(
        std::vector<std::shared_ptr<const KeyGroup>>(groups_.begin(), groups_.end()));
  }

  // Adds entries written by write_key_group to key group `index`, replacing equal keys.
  void read_key_group(int index, DataInputView& in) {
    if constexpr (Serializable<N> && Serializable<Entry>) {
      Map& map = writable_map(static_cast<size_t>(index));
      const uint64_t count = in.read_varint();
      for (uint64_t i = 0; i < count; ++i) {
        std::string key = TypeSerializer<std::string>::deserialize(in);
        N ns = TypeSerializer<N>::deserialize(in);
        Entry entry = TypeSerializer<Entry>::deserialize(in);
        map.insert_or_assign(StateKey<N>{std::move(key), std::move(ns)}, std::move(entry));
      }
    } else {
      throw StateException("cannot restore entries of type " + type_name<Entry>() +
                           " in namespace " + type_name<N>() + ": not serializable");
    }
  }

  // Whether the current key's entries were looked up, stored or erased since the last call.
  bool take_accessed() { return std::exchange(accessed_, false); }

 private:
  // One key group's map and the views that read it.
  struct KeyGroup {
    KeyGroup() = default;
    explicit KeyGroup(const Map& from) : map(from) {}
    Map map;
    // Views that may still read `map`. Only the task's thread adds readers (capture()); a view
    // drops out with a release decrement after its last read, so the task's acquire load of 0
    // orders all those reads before its writes. A stale count > 0 only costs a needless clone.
    mutable std::atomic<int> readers{0};
  };

  class CapturedMaps final : public HeapKeyGroupsView {
   public:
    // REQUIRES: the task's thread.
    explicit CapturedMaps(std::vector<std::shared_ptr<const KeyGroup>> groups)
        : groups_(std::move(groups)) {
      for (const auto& group : groups_) group->readers.fetch_add(1, std::memory_order_relaxed);
    }
    ~CapturedMaps() override {
      for (size_t index = 0; index < groups_.size(); ++index) release_key_group(index);
    }
    CapturedMaps(const CapturedMaps&) = delete;
    CapturedMaps& operator=(const CapturedMaps&) = delete;

    void write_key_group(int index, DataOutputView& out) const override {
      write_map(groups_.at(static_cast<size_t>(index))->map, out);
    }
    void release_key_group(int index) override { release_key_group(static_cast<size_t>(index)); }

   private:
    void release_key_group(size_t index) {
      if (!groups_.at(index)) return;
      groups_[index]->readers.fetch_sub(1, std::memory_order_release);
      groups_[index].reset();
    }

    std::vector<std::shared_ptr<const KeyGroup>> groups_;  // null once released
  };

  static void check_serializable() {
    if constexpr (!(Serializable<N> && Serializable<Entry>)) {
      throw StateException("cannot snapshot entries of type " + type_name<Entry>() +
                           " in namespace " + type_name<N>() +
                           ": the state's value type must be serializable");
    }
  }

  static void write_map([[maybe_unused]] const Map& map, [[maybe_unused]] DataOutputView& out) {
    if constexpr (Serializable<N> && Serializable<Entry>) {
      out.write_varint(map.size());
      for (const auto& [k, entry] : map) {
        TypeSerializer<std::string>::serialize(k.key, out);
        TypeSerializer<N>::serialize(k.ns, out);
        TypeSerializer<Entry>::serialize(entry, out);
      }
    }
  }

  // Key group `index`'s map, exclusively this table's: replaced by a clone first if a view may
  // still read it (the views keep the original alive).
  Map& writable_map(size_t index) {
    EDDY_DCHECK(owner_.claim(), "a state table is changed on its task's thread only");
    std::shared_ptr<KeyGroup>& group = groups_[index];
    if (group->readers.load(std::memory_order_acquire) != 0) {
      group = std::make_shared<KeyGroup>(group->map);
    }
    return group->map;
  }

  Map& current_map() {
    accessed_ = true;
    return writable_map(static_cast<size_t>(context_.key_group_index()));
  }

  const KeyContext& context_;
  std::vector<std::shared_ptr<KeyGroup>> groups_;  // one per key group, never null
  // The task's thread: the only one that changes the table or captures it.
  [[no_unique_address]] mutable ThreadOwner owner_;
  // Where erase_some_if resumes: a key group's map and one of its buckets.
  size_t cursor_map_ = 0;
  size_t cursor_bucket_ = 0;
  bool accessed_ = false;
};

}  // namespace eddy::state
