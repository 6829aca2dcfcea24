// RocksDbStateTable: one state's column family addressed by the backend's current key. It builds
// keys in the layout of rocksdb_key_codec.h from the KeyContext's key and a serialized namespace,
// and offers what every RocksDB state needs besides its value encoding: point reads and writes,
// prefix scans, counting, key listing and the TTL sweeps. The same interface as the heap's
// StateTable where TtlPolicy needs it (take_accessed, erase_some_if), so incremental cleanup
// works the same way on both backends.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eddy/state/key_context.h"
#include "eddy/state/rocksdb_column.h"
#include "eddy/state/rocksdb_key_codec.h"
#include "eddy/state/state_ttl_config.h"

namespace eddy::state {

// Whether expired entries are left out of snapshots (StateTtlConfig::cleanup_full_snapshot).
inline bool ttl_cleans_snapshots(const std::optional<StateTtlConfig>& config) {
  return config && config->is_enabled() && config->get_cleanup_strategies().in_full_snapshot();
}

// What a TTL sweep does with one stored entry.
enum class SweepAction { kKeep, kErase, kReplace };

class RocksDbStateTable {
 public:
  RocksDbStateTable(RocksDbStateContext& context, const std::string& state_name)
      : keys_(context.key_context()), column_(context.column(state_name)) {}

  const KeyContext& context() const { return keys_; }
  RocksDbColumn& column() { return column_; }
  const RocksDbColumn& column() const { return column_; }

  // The current key's key in namespace `ns` (serialized), followed by `user_key`. The result is
  // valid until the next call. Throws StateException before the first set_current_key.
  const std::string& current_key(std::string_view ns, std::string_view user_key = {}) {
    const int key_group = keys_.first_key_group() + keys_.key_group_index();
    accessed_ = true;
    scratch_.clear();
    rocksdb_key::append_entry_prefix(scratch_, key_group, keys_.key(), ns);
    scratch_.append(user_key);
    return scratch_;
  }

  [[nodiscard]] bool get(std::string_view ns, std::string* value, std::string_view user_key = {}) {
    return column_.get(current_key(ns, user_key), value);
  }
  void put(std::string_view ns, std::string_view value, std::string_view user_key = {}) {
    column_.put(current_key(ns, user_key), value);
  }
  void append(std::string_view ns, std::string_view bytes) {
    column_.append(current_key(ns), bytes);
  }
  void erase(std::string_view ns, std::string_view user_key = {}) {
    column_.erase(current_key(ns, user_key));
  }
  // The current key's entries in `ns`: map state's entries, whose user keys follow the prefix.
  RocksDbCursor scan(std::string_view ns) { return column_.scan(current_key(ns)); }

  // The entries of the backend's key group `index` (0 = its first key group).
  RocksDbCursor scan_key_group(int index) const {
    return column_.scan(rocksdb_key::key_group_prefix(keys_.first_key_group() + index));
  }

  // (key, namespace) entries: stored keys, except that one map's entries count once.
  size_t count_entries() const {
    size_t n = 0;
    std::string previous;
    for (RocksDbCursor c = column_.scan({}); c.valid(); c.next()) {
      const std::string_view prefix = rocksdb_key::decode(c.key()).entry_prefix;
      if (n > 0 && prefix == previous) continue;
      previous.assign(prefix);
      ++n;
    }
    return n;
  }

  // Serialized keys with an entry in any namespace, each once per key group.
  std::vector<std::string> keys() const {
    std::vector<std::string> result;
    std::string previous;
    for (RocksDbCursor c = column_.scan({}); c.valid(); c.next()) {
      const rocksdb_key::DecodedKey decoded = rocksdb_key::decode(c.key());
      if (!result.empty() && decoded.group_and_key == previous) continue;
      previous.assign(decoded.group_and_key);
      result.emplace_back(decoded.key);
    }
    return result;
  }

  // Calls sweep(value, &replacement) on every entry of the column and erases or replaces the
  // entry as it answers. Used for TTL cleanup, which must see all keys, not just the current one.
  template <class F>
  void erase_if(F&& sweep) {
    std::string replacement;
    for (RocksDbCursor c = column_.scan({}); c.valid(); c.next()) apply(c, sweep, replacement);
  }

  // As erase_if, but over at most `budget` entries, resuming after the last entry the previous
  // call looked at and wrapping around at the end: incremental TTL cleanup spreads a full sweep
  // over many calls.
  template <class F>
  void erase_some_if(size_t budget, F&& sweep) {
    std::string replacement;
    RocksDbCursor c = column_.scan_from(sweep_from_);
    bool wrapped = sweep_from_.empty();
    for (; budget > 0; --budget) {
      if (!c.valid()) {
        if (wrapped) break;  // the whole column is behind us
        c = column_.scan_from({});
        wrapped = true;
        if (!c.valid()) break;
      }
      apply(c, sweep, replacement);
      c.next();
    }
    sweep_from_ = c.valid() ? std::string(c.key()) : std::string();
  }

  // Whether the current key's entries were read or written since the last call.
  bool take_accessed() { return std::exchange(accessed_, false); }

 private:
  template <class F>
  void apply(RocksDbCursor& c, F& sweep, std::string& replacement) {
    switch (sweep(c.value(), &replacement)) {
      case SweepAction::kKeep:
        break;
      case SweepAction::kErase:
        column_.erase(c.key());
        break;
      case SweepAction::kReplace:
        column_.put(c.key(), replacement);
        break;
    }
  }

  const KeyContext& keys_;
  RocksDbColumn& column_;
  std::string scratch_;     // the last key built by current_key
  std::string sweep_from_;  // where erase_some_if resumes; empty: at the start
  bool accessed_ = false;
};

}  // namespace eddy::state
