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
};

struct RocksDbCursor::Impl {
  std::string upper_bound;  // the exclusive end of the scanned range; empty: none
  rocksdb::Slice upper_bound_slice;
  std::unique_ptr<rocksdb::Iterator> iterator;
};

// Throws StateException for a status that is not ok; `what` names the operation.
void check_rocksdb(const rocksdb::Status& status, const std::string& what);

}  // namespace eddy::state
