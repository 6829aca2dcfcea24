// The RocksDB objects behind RocksDbColumn and RocksDbCursor (private to the state layer: only
// these .cc files include RocksDB's headers).
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include <memory>
#include <string>

#include "eddy/state/rocksdb_column.h"

namespace eddy::state {

// Borrowed pointers: the RocksDbInstance that created the column owns the database and the
// column family handle, and outlives the column.
struct RocksDbColumn::Handle {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* family = nullptr;
  rocksdb::ReadOptions read;
  rocksdb::WriteOptions write;
  std::string directory;  // the database's, for error messages
};

struct RocksDbCursor::Impl {
  std::string upper_bound;  // the exclusive end of the scanned range; empty: none
  rocksdb::Slice upper_bound_slice;
  std::unique_ptr<rocksdb::Iterator> iterator;
  const std::string* directory = nullptr;  // the column's Handle::directory (outlives cursors)
};

// What reads on the current thread see of database `db` while a ScopedReadView is alive, instead
// of its latest state: a snapshot (the asynchronous phase of a full snapshot reads the states as
// they were in its synchronous phase, while the task goes on writing), or nothing at all.
// Views nest; a view of another database is not applied.
class ScopedReadView {
 public:
  // `snapshot` null: scans find nothing.
  ScopedReadView(rocksdb::DB* db, const rocksdb::Snapshot* snapshot);
  ~ScopedReadView();
  ScopedReadView(const ScopedReadView&) = delete;
  ScopedReadView& operator=(const ScopedReadView&) = delete;

  // The innermost view of `db` on this thread, or null.
  static const ScopedReadView* current(const rocksdb::DB* db);
  const rocksdb::Snapshot* snapshot() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  const ScopedReadView* previous_;
};

// Throws StateException for a status that is not ok; `what` names the operation (and the
// directory or file it concerns), the message ends with RocksDB's status text.
void check_rocksdb(const rocksdb::Status& status, const std::string& what);
// The same for an operation on the database in `directory`.
void check_rocksdb(const rocksdb::Status& status, const char* what, const std::string& directory);

}  // namespace eddy::state
