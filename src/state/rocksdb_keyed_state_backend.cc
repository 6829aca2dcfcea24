#include "eddy/state/rocksdb_keyed_state_backend.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "eddy/state/state_exception.h"
#include "state/rocksdb_handles.h"

namespace eddy {
namespace state {
namespace {

// Concatenates merge operands: list state appends its elements' encodings this way.
class ConcatenateOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* merged, rocksdb::Logger*) const override {
    merged->clear();
    if (existing != nullptr) merged->assign(existing->data(), existing->size());
    merged->append(value.data(), value.size());
    return true;
  }
  const char* Name() const override { return "eddy.ConcatenateOperator"; }
};

std::filesystem::path make_directory(const std::filesystem::path& base) {
  std::error_code error;
  const std::filesystem::path parent =
      base.empty() ? std::filesystem::temp_directory_path(error) : base;
  if (error)
    throw StateException("RocksDB state backend: no temporary directory: " + error.message());
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw StateException("RocksDB state backend: cannot create " + parent.string() + ": " +
                         error.message());
  }
  std::string pattern = (parent / "eddy-rocksdb-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw StateException("RocksDB state backend: cannot create a directory under " +
                         parent.string() + ": " + std::strerror(errno));
  }
  return pattern;
}

}  // namespace

// One RocksDB database and its column families (one per state), in a directory of its own.
class RocksDbInstance final : public RocksDbStateContext {
 public:
  RocksDbInstance(const KeyContext& keys, const RocksDbStateOptions& options)
      : keys_(keys), directory_(make_directory(options.base_directory)) {
    try {
      open(options);
    } catch (...) {
      close();
      throw;
    }
  }

  ~RocksDbInstance() override { close(); }

  const KeyContext& key_context() const override { return keys_; }

  RocksDbColumn& column(const std::string& state_name) override {
    auto it = columns_.find(state_name);
    if (it != columns_.end()) return *it->second.column;
    // RocksDB opens every database with a column family named "default": a state of that name
    // uses it (its options are family_options_ too).
    rocksdb::ColumnFamilyHandle* family = nullptr;
    if (state_name == rocksdb::kDefaultColumnFamilyName) {
      family = db_->DefaultColumnFamily();
    } else {
      check_rocksdb(db_->CreateColumnFamily(family_options_, state_name, &family),
                    "create column family for state '" + state_name + "'");
    }
    auto handle = std::make_unique<RocksDbColumn::Handle>();
    handle->db = db_;
    handle->family = family;
    handle->write.disableWAL = true;
    Column& created = columns_[state_name];
    created.family = family;
    created.column = std::make_unique<RocksDbColumn>(std::move(handle));
    return *created.column;
  }

  const std::filesystem::path& directory() const { return directory_; }

 private:
  struct Column {
    rocksdb::ColumnFamilyHandle* family = nullptr;
    std::unique_ptr<RocksDbColumn> column;
  };

  void open(const RocksDbStateOptions& options) {
    // Index and filter blocks count against the cache too, so it bounds all read memory. They
    // are partitioned (two-level index, partitioned filters) and kept in the cache's
    // high-priority pool: a point read then loads a few small partitions, not a whole file's
    // filter, and data blocks cannot evict them when the state is much larger than the cache.
    rocksdb::LRUCacheOptions cache_options;
    cache_options.capacity = options.block_cache_bytes;
    cache_options.high_pri_pool_ratio = 0.1;
    cache_ = rocksdb::NewLRUCache(cache_options);
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache_;
    table.cache_index_and_filter_blocks = true;
    table.cache_index_and_filter_blocks_with_high_priority = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    table.pin_top_level_index_and_filter = true;
    table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
    table.partition_filters = true;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    family_options_.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    family_options_.write_buffer_size = options.write_buffer_bytes;
    family_options_.max_write_buffer_number = options.max_write_buffers;
    family_options_.merge_operator = std::make_shared<ConcatenateOperator>();
    // A whole-key bloom filter per memtable: a point read skips the memtables (skip lists, cache
    // misses all the way down) that do not hold its key, which is most of them for many keys.
    family_options_.memtable_prefix_bloom_size_ratio = 0.1;
    family_options_.memtable_whole_key_filtering = true;

    rocksdb::DBOptions db_options;
    db_options.create_if_missing = true;
    db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
        options.write_buffer_bytes * static_cast<size_t>(options.max_write_buffers));
    rocksdb::Options all(db_options, family_options_);
    check_rocksdb(rocksdb::DB::Open(all, directory_.string(), &db_), "open");
  }

  // Closes the database and removes its directory; never throws.
  void close() {
    if (db_ != nullptr) {
      for (auto& [name, column] : columns_) {
        if (column.family != db_->DefaultColumnFamily()) {
          db_->DestroyColumnFamilyHandle(column.family).PermitUncheckedError();
        }
      }
      db_->Close().PermitUncheckedError();
      delete db_;
      db_ = nullptr;
    }
    columns_.clear();
    std::error_code ignored;  // a directory left behind is only disk space
    std::filesystem::remove_all(directory_, ignored);
  }

  const KeyContext& keys_;
  std::filesystem::path directory_;
  std::shared_ptr<rocksdb::Cache> cache_;
  rocksdb::ColumnFamilyOptions family_options_;
  rocksdb::DB* db_ = nullptr;
  std::map<std::string, Column> columns_;
};

}  // namespace state

RocksDbKeyedStateBackend::RocksDbKeyedStateBackend(int first_key_group, int last_key_group,
                                                   int max_parallelism, RocksDbStateOptions options)
    : KeyedStateBackend(first_key_group, last_key_group, max_parallelism),
      instance_(std::make_unique<state::RocksDbInstance>(key_context(), options)) {}

// The states (owned by the base class) outlive the instance; their destructors do not touch the
// database.
RocksDbKeyedStateBackend::~RocksDbKeyedStateBackend() = default;

const std::filesystem::path& RocksDbKeyedStateBackend::directory() const {
  return instance_->directory();
}

size_t RocksDbKeyedStateBackend::cleanup_expired() {
  size_t removed = 0;
  for_each_state([&](state::InternalKvStateBase& state) { removed += state.remove_expired(); });
  return removed;
}

std::unique_ptr<state::InternalKvStateBase> RocksDbKeyedStateBackend::create_state(
    const state::StateFactory& factory) {
  return factory.create_rocksdb_state(*instance_);
}

}  // namespace eddy
