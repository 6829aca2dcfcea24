// The RocksDB backend's byte-level storage, as its state templates see it: one RocksDbColumn (a
// column family) per state, and cursors over key ranges. RocksDB's own headers stay in
// src/state/rocksdb_column.cc, so this public header (and every user of the state layer) compiles
// without them.
// Errors: a failed RocksDB call throws StateException with RocksDB's status message.
// Threading: a column, its cursors and the context belong to the backend's (subtask's) thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "eddy/state/key_context.h"

namespace rocksdb {
class Iterator;
struct ReadOptions;
}  // namespace rocksdb

namespace eddy::state {

// Forward iteration over the entries of a column whose keys start with a prefix, or over all
// entries from a start key. A cursor reads a consistent view taken when it was opened: writes
// made while it is open (e.g. removing what it just returned) do not disturb it.
class RocksDbCursor {
 public:
  struct Impl;
  explicit RocksDbCursor(std::unique_ptr<Impl> impl);
  RocksDbCursor(RocksDbCursor&&) noexcept;
  RocksDbCursor& operator=(RocksDbCursor&&) noexcept;
  ~RocksDbCursor();

  bool valid() const;
  // REQUIRES: valid(). The views are invalidated by next().
  std::string_view key() const;
  std::string_view value() const;
  void next();

 private:
  std::unique_ptr<Impl> impl_;
};

class RocksDbColumn {
 public:
  struct Handle;
  explicit RocksDbColumn(std::unique_ptr<Handle> handle);
  RocksDbColumn(const RocksDbColumn&) = delete;
  RocksDbColumn& operator=(const RocksDbColumn&) = delete;
  ~RocksDbColumn();

  // Reads `key`'s value into *value; false (and *value untouched) if there is none.
  [[nodiscard]] bool get(std::string_view key, std::string* value) const;
  void put(std::string_view key, std::string_view value);
  // Appends `bytes` to `key`'s value (or stores them if there is none) without reading it: list
  // state keeps its elements' encodings concatenated, so adding an element is one blind write.
  void append(std::string_view key, std::string_view bytes);
  void erase(std::string_view key);

  // The entries whose keys start with `prefix` (every entry for an empty prefix), in key order.
  RocksDbCursor scan(std::string_view prefix) const;
  // The entries from `start` (inclusive) to the end of the column, in key order.
  RocksDbCursor scan_from(std::string_view start) const;

 private:
  // An iterator reading what this thread's ScopedReadView (if any) shows.
  std::unique_ptr<rocksdb::Iterator> iterator(rocksdb::ReadOptions options) const;

  std::unique_ptr<Handle> handle_;
};

// What a RocksDB state gets from its backend (the argument of StateFactory's
// create_rocksdb_state hook).
class RocksDbStateContext {
 public:
  virtual ~RocksDbStateContext() = default;
  virtual const KeyContext& key_context() const = 0;
  // The column family holding state `state_name`, created empty on first request.
  virtual RocksDbColumn& column(const std::string& state_name) = 0;
};

}  // namespace eddy::state
