#include "eddy/state/rocksdb_keyed_state_backend.h"

#include <rocksdb/cache.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "eddy/core/serializer.h"
#include "eddy/state/rocksdb_key_codec.h"
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

// RocksDB's info log, to stderr and for errors only. RocksDB's own LOG file would live in the
// database's directory: on a full disk its first failed append leaves its writer in an error
// state, and RocksDB's next log line (the flush job reporting that very failure) trips an
// assertion in WritableFileWriter and aborts the process.
class ErrorLogger final : public rocksdb::Logger {
 public:
  explicit ErrorLogger(std::string directory)
      : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL), directory_(std::move(directory)) {}

  void LogHeader(const char*, va_list) override {}
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < rocksdb::InfoLogLevel::ERROR_LEVEL || level == rocksdb::InfoLogLevel::HEADER_LEVEL)
      return;
    Logv(format, ap);
  }
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "RocksDB state backend %s: %s\n", directory_.c_str(), line);
  }

 private:
  std::string directory_;
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

std::string read_whole_file(const std::filesystem::path& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw StateException("RocksDB state backend: cannot read " + path.string() + ": " +
                         std::strerror(errno));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) {
    throw StateException("RocksDB state backend: cannot read " + path.string() + ": " +
                         std::strerror(errno));
  }
  return bytes.str();
}

void write_whole_file(const std::filesystem::path& path, std::string_view bytes) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) {
    // errno is that of the failed open or write (the stream sets it through the system call).
    const std::string reason = std::strerror(errno);
    out.close();
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw StateException("RocksDB state backend: cannot write " + path.string() + ": " + reason);
  }
}

// A hard link when the file system allows one (SST files never change), a copy otherwise.
void link_or_copy(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code error;
  std::filesystem::create_hard_link(from, to, error);
  if (!error) return;
  std::filesystem::copy_file(from, to, error);
  if (error) {
    throw StateException("RocksDB state backend: cannot restore checkpoint file " + from.string() +
                         ": " + error.message());
  }
}

bool is_sst(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".sst") == 0;
}

std::string local_checkpoint_name(int64_t checkpoint_id) {
  return fmt::format("eddy-checkpoint-{}", checkpoint_id);
}

// native_meta of an incremental snapshot:
//   magic | first key group | last key group | instance id
//   | n, then per SST file: its name in the snapshot and its name in the database
//   | m, then per small file inlined: name and bytes
constexpr std::string_view kNativeMagic = "EDDYRDB1";

struct NativeMeta {
  int first_key_group = 0;
  int last_key_group = 0;
  std::string instance_id;
  std::map<std::string, std::string> sst_names;  // snapshot file name -> database file name
  std::map<std::string, std::string> inlined;    // database file name -> bytes

  std::string encode() const {
    DataOutputView out;
    out.write_bytes(kNativeMagic.data(), kNativeMagic.size());
    out.write_varint(static_cast<uint64_t>(first_key_group));
    out.write_varint(static_cast<uint64_t>(last_key_group));
    TypeSerializer<std::string>::serialize(instance_id, out);
    out.write_varint(sst_names.size());
    for (const auto& [name, local] : sst_names) {
      TypeSerializer<std::string>::serialize(name, out);
      TypeSerializer<std::string>::serialize(local, out);
    }
    out.write_varint(inlined.size());
    for (const auto& [name, bytes] : inlined) {
      TypeSerializer<std::string>::serialize(name, out);
      TypeSerializer<std::string>::serialize(bytes, out);
    }
    return out.take();
  }

  static NativeMeta decode(std::string_view bytes) {
    try {
      DataInputView in(bytes);
      if (in.read_bytes(kNativeMagic.size()) != kNativeMagic) {
        throw SerializationError("not a RocksDB incremental snapshot");
      }
      NativeMeta meta;
      meta.first_key_group = static_cast<int>(in.read_varint());
      meta.last_key_group = static_cast<int>(in.read_varint());
      meta.instance_id = TypeSerializer<std::string>::deserialize(in);
      for (uint64_t n = in.read_varint(); n > 0; --n) {
        std::string name = TypeSerializer<std::string>::deserialize(in);
        meta.sst_names[name] = TypeSerializer<std::string>::deserialize(in);
      }
      for (uint64_t n = in.read_varint(); n > 0; --n) {
        std::string name = TypeSerializer<std::string>::deserialize(in);
        meta.inlined[name] = TypeSerializer<std::string>::deserialize(in);
      }
      return meta;
    } catch (const SerializationError& e) {
      throw StateException(std::string("malformed RocksDB incremental snapshot: ") + e.what());
    }
  }
};

int key_group_of_stored(const rocksdb::Slice& key) {
  if (key.size() < 2) throw StateException("malformed RocksDB state key (shorter than 2 bytes)");
  return (static_cast<unsigned char>(key[0]) << 8) | static_cast<unsigned char>(key[1]);
}

// Where a snapshot's files are placed to be opened: the inlined small files written, the SST
// files linked or copied from where the checkpoint storage keeps them (local_path when the
// storage resolved them for reading, shared_path otherwise).
void place_snapshot_files(const NativeMeta& meta, const KeyedStateSnapshot& snapshot,
                          const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, bytes] : meta.inlined) write_whole_file(dir / name, bytes);
  for (const SnapshotFile& file : snapshot.native_files) {
    auto local = meta.sst_names.find(file.name);
    if (local == meta.sst_names.end()) {
      throw StateException("RocksDB incremental snapshot: file " + file.name +
                           " is not listed in its metadata");
    }
    const std::filesystem::path from = file.local_path.empty() ? file.shared_path : file.local_path;
    if (!std::filesystem::exists(from)) {
      throw StateException("RocksDB incremental snapshot: checkpoint file " + from.string() +
                           " is missing");
    }
    link_or_copy(from, dir / local->second);
  }
}

std::string random_instance_id() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

}  // namespace

// A RocksDB snapshot held for a deferred snapshot phase. Released by whoever is last: the
// deferred phase when done, or the backend's destructor (the database closes then).
struct HeldSnapshots {
  std::mutex mu;
  rocksdb::DB* db = nullptr;                // GUARDED_BY(mu): null once the database closed
  std::set<const rocksdb::Snapshot*> open;  // GUARDED_BY(mu)

  void release(const rocksdb::Snapshot* snapshot) {
    std::lock_guard lock(mu);
    if (db != nullptr && open.erase(snapshot) > 0) db->ReleaseSnapshot(snapshot);
  }
};

// The deferred phase of one asynchronous full snapshot. Its work reads the backend's state
// objects, so it runs either on the coordinator (materialize) or, if the backend closes first,
// in the backend's destructor; `mu` makes the two exclusive and `done` makes it run once.
struct DeferredFullSnapshot {
  std::mutex mu;
  bool done = false;                                         // GUARDED_BY(mu)
  std::map<std::string, std::map<int, std::string>> result;  // GUARDED_BY(mu)
  std::function<void(std::map<std::string, std::map<int, std::string>>&)> work;
  std::shared_ptr<HeldSnapshots> held;
  const rocksdb::Snapshot* snapshot = nullptr;

  // Throws StateException if the work failed, now or when it ran before.
  void run_locked() {
    if (!done) {
      done = true;
      try {
        work(result);
      } catch (const std::exception& e) {
        error = e.what();
      }
      held->release(snapshot);
      work = nullptr;
    }
    if (!error.empty()) throw StateException(error);
  }
  std::string error;  // GUARDED_BY(mu): why the work failed
  ~DeferredFullSnapshot() {
    if (!done) held->release(snapshot);
  }
};

// One RocksDB database and its column families (one per state), in a directory of its own.
class RocksDbInstance final : public RocksDbStateContext {
 public:
  RocksDbInstance(const KeyContext& keys, const RocksDbStateOptions& options)
      : keys_(keys),
        directory_(make_directory(options.base_directory)),
        instance_id_(random_instance_id()),
        held_(std::make_shared<HeldSnapshots>()) {
    try {
      configure(options);
      open({});
    } catch (...) {
      close();
      throw;
    }
  }

  ~RocksDbInstance() override { close(); }

  const KeyContext& key_context() const override { return keys_; }

  RocksDbColumn& column(const std::string& state_name) override {
    last_requested_ = state_name;
    auto it = columns_.find(state_name);
    if (it != columns_.end()) return *it->second.column;
    // RocksDB opens every database with a column family named "default": a state of that name
    // uses it (its options are family_options_ too). A restored database opened the families
    // of its states already.
    rocksdb::ColumnFamilyHandle* family = nullptr;
    if (auto opened = opened_families_.find(state_name); opened != opened_families_.end()) {
      family = opened->second;
      opened_families_.erase(opened);
    } else if (state_name == rocksdb::kDefaultColumnFamilyName) {
      family = db_->DefaultColumnFamily();
    } else {
      check_rocksdb(
          db_->CreateColumnFamily(family_options_, state_name, &family),
          "create column family for state '" + state_name + "' in " + directory_.string());
    }
    auto handle = std::make_unique<RocksDbColumn::Handle>();
    handle->db = db_;
    handle->family = family;
    handle->write.disableWAL = true;
    handle->directory = directory_.string();
    Column& created = columns_[state_name];
    created.family = family;
    created.column = std::make_unique<RocksDbColumn>(std::move(handle));
    return *created.column;
  }

  const std::filesystem::path& directory() const { return directory_; }
  const std::string& instance_id() const { return instance_id_; }
  const std::string& last_requested_column() const { return last_requested_; }
  rocksdb::DB* db() const { return db_; }
  const std::shared_ptr<HeldSnapshots>& held_snapshots() const { return held_; }
  bool untouched() const { return columns_.empty() && !restored_; }

  const rocksdb::Snapshot* take_snapshot() {
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    std::lock_guard lock(held_->mu);
    held_->open.insert(snapshot);
    return snapshot;
  }

  // Flushes every memtable and hard-links the live files into a new directory (RocksDB's
  // Checkpoint); returns it.
  std::filesystem::path create_local_checkpoint(int64_t checkpoint_id) {
    const std::filesystem::path dir = directory_ / local_checkpoint_name(checkpoint_id);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    std::vector<rocksdb::ColumnFamilyHandle*> families{db_->DefaultColumnFamily()};
    for (auto& [name, column] : columns_) {
      if (column.family != db_->DefaultColumnFamily()) families.push_back(column.family);
    }
    for (auto& [name, family] : opened_families_) families.push_back(family);
    // The write-ahead log is off: what is only in memtables would be missing from the files.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    check_rocksdb(db_->Flush(flush, families), "flush for checkpoint", directory_.string());
    rocksdb::Checkpoint* raw = nullptr;
    check_rocksdb(rocksdb::Checkpoint::Create(db_, &raw), "create checkpoint", directory_.string());
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    const rocksdb::Status created = checkpoint->CreateCheckpoint(dir.string(), 0);
    if (!created.ok()) {
      // RocksDB builds the checkpoint in <dir>.tmp and renames it: neither may stay behind.
      std::filesystem::remove_all(dir, ignored);
      std::filesystem::remove_all(dir.string() + ".tmp", ignored);
      check_rocksdb(created, "checkpoint into " + dir.string());
    }
    return dir;
  }

  void remove_local_checkpoints_up_to(int64_t checkpoint_id) {
    std::error_code error;
    for (auto it = local_checkpoints_.begin();
         it != local_checkpoints_.end() && *it <= checkpoint_id;) {
      std::filesystem::remove_all(directory_ / local_checkpoint_name(*it), error);
      it = local_checkpoints_.erase(it);
    }
  }
  void remove_local_checkpoint(int64_t checkpoint_id) {
    std::error_code error;
    std::filesystem::remove_all(directory_ / local_checkpoint_name(checkpoint_id), error);
    local_checkpoints_.erase(checkpoint_id);
  }
  void add_local_checkpoint(int64_t checkpoint_id) { local_checkpoints_.insert(checkpoint_id); }

  // Replaces the (empty) database by the snapshot's files. REQUIRES: untouched().
  void open_snapshot_as_database(const NativeMeta& meta, const KeyedStateSnapshot& snapshot) {
    close_database();
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    place_snapshot_files(meta, snapshot, directory_);
    std::vector<std::string> families;
    check_rocksdb(rocksdb::DB::ListColumnFamilies(db_options_, directory_.string(), &families),
                  "list the column families of the restored checkpoint in " + directory_.string());
    open(families);
    restored_ = true;
  }

  // Copies the entries of key groups [first, last] of every column family of the snapshot
  // (opened as a temporary database) into this database.
  void copy_key_groups(const NativeMeta& meta, const KeyedStateSnapshot& snapshot, int first,
                       int last) {
    const std::filesystem::path temporary =
        directory_ / fmt::format("eddy-restore-{}", restore_count_++);
    std::error_code ignored;
    std::filesystem::remove_all(temporary, ignored);
    rocksdb::DB* source = nullptr;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    auto close_source = [&] {
      if (source == nullptr) return;
      for (auto* handle : handles) source->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
      source->Close().PermitUncheckedError();
      delete source;
      source = nullptr;
      std::filesystem::remove_all(temporary, ignored);
    };
    try {
      place_snapshot_files(meta, snapshot, temporary);
      std::vector<std::string> names;
      check_rocksdb(rocksdb::DB::ListColumnFamilies(db_options_, temporary.string(), &names),
                    "list the column families of checkpoint files in " + temporary.string());
      std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
      for (const std::string& name : names) descriptors.emplace_back(name, family_options_);
      rocksdb::Options options(db_options_, family_options_);
      options.create_if_missing = false;
      check_rocksdb(rocksdb::DB::Open(options, temporary.string(), descriptors, &handles, &source),
                    "open checkpoint files in " + temporary.string());
      const std::string start = rocksdb_key::key_group_prefix(first);
      for (size_t i = 0; i < names.size(); ++i) {
        std::unique_ptr<rocksdb::Iterator> it(
            source->NewIterator(rocksdb::ReadOptions(), handles[i]));
        it->Seek(start);
        if (!it->Valid()) {
          check_rocksdb(it->status(), "read checkpoint files");
          if (names[i] == rocksdb::kDefaultColumnFamilyName) continue;
        }
        column(names[i]);  // the state's column family, created if it has none yet
        rocksdb::ColumnFamilyHandle* family = columns_.at(names[i]).family;
        rocksdb::WriteBatch batch;
        rocksdb::WriteOptions write;
        write.disableWAL = true;
        for (; it->Valid() && key_group_of_stored(it->key()) <= last; it->Next()) {
          check_rocksdb(batch.Put(family, it->key(), it->value()), "restore", directory_.string());
          if (batch.GetDataSize() > (size_t{4} << 20)) {
            check_rocksdb(db_->Write(write, &batch), "restore", directory_.string());
            batch.Clear();
          }
        }
        check_rocksdb(it->status(), "read checkpoint files");
        check_rocksdb(db_->Write(write, &batch), "restore", directory_.string());
      }
    } catch (...) {
      close_source();
      throw;
    }
    close_source();
  }

 private:
  struct Column {
    rocksdb::ColumnFamilyHandle* family = nullptr;
    std::unique_ptr<RocksDbColumn> column;
  };

  void configure(const RocksDbStateOptions& options) {
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

    db_options_.create_if_missing = true;
    env_ = options.env;
    if (env_ != nullptr) db_options_.env = env_.get();
    db_options_.info_log = std::make_shared<ErrorLogger>(directory_.string());
    // The directory is deleted after closing: flushing memtables then is wasted work, and on a
    // full disk one more failure while closing.
    db_options_.avoid_flush_during_shutdown = true;
    db_options_.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
        options.write_buffer_bytes * static_cast<size_t>(options.max_write_buffers));
    // Incremental checkpoints inline the MANIFEST: keep it short.
    db_options_.max_manifest_file_size = size_t{4} << 20;
  }

  // Opens the database in directory_ with column families `families` (besides "default").
  void open(const std::vector<std::string>& families) {
    rocksdb::Options all(db_options_, family_options_);
    if (families.empty()) {
      check_rocksdb(rocksdb::DB::Open(all, directory_.string(), &db_), "open", directory_.string());
    } else {
      std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
      for (const std::string& name : families) descriptors.emplace_back(name, family_options_);
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      all.create_if_missing = false;
      check_rocksdb(rocksdb::DB::Open(all, directory_.string(), descriptors, &handles, &db_),
                    "open restored checkpoint", directory_.string());
      for (size_t i = 0; i < families.size(); ++i) {
        if (families[i] == rocksdb::kDefaultColumnFamilyName) {
          db_->DestroyColumnFamilyHandle(handles[i]).PermitUncheckedError();
        } else {
          opened_families_[families[i]] = handles[i];
        }
      }
    }
    std::lock_guard lock(held_->mu);
    held_->db = db_;
  }

  // Closes the database; never throws. Snapshots still held are released first.
  void close_database() {
    {
      std::lock_guard lock(held_->mu);
      if (held_->db != nullptr) {
        for (const rocksdb::Snapshot* snapshot : held_->open) held_->db->ReleaseSnapshot(snapshot);
      }
      held_->open.clear();
      held_->db = nullptr;
    }
    if (db_ != nullptr) {
      for (auto& [name, column] : columns_) {
        if (column.family != db_->DefaultColumnFamily()) {
          db_->DestroyColumnFamilyHandle(column.family).PermitUncheckedError();
        }
      }
      for (auto& [name, family] : opened_families_) {
        db_->DestroyColumnFamilyHandle(family).PermitUncheckedError();
      }
      db_->Close().PermitUncheckedError();
      delete db_;
      db_ = nullptr;
    }
    columns_.clear();
    opened_families_.clear();
  }

  // Closes the database and removes its directory; never throws.
  void close() {
    close_database();
    std::error_code ignored;  // a directory left behind is only disk space
    std::filesystem::remove_all(directory_, ignored);
  }

  const KeyContext& keys_;
  std::filesystem::path directory_;
  std::string instance_id_;  // makes the names of this database's files unique in a job
  std::shared_ptr<HeldSnapshots> held_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::Env> env_;  // null: RocksDB's default; outlives the database
  rocksdb::ColumnFamilyOptions family_options_;
  rocksdb::DBOptions db_options_;
  rocksdb::DB* db_ = nullptr;
  std::map<std::string, Column> columns_;
  // Families of a restored database that no state has asked for yet.
  std::map<std::string, rocksdb::ColumnFamilyHandle*> opened_families_;
  std::string last_requested_;
  std::set<int64_t> local_checkpoints_;  // directories of incremental checkpoints not ended
  bool restored_ = false;
  int restore_count_ = 0;

 public:
  // Incremental checkpoints: the SST files (by database file name) as the last completed
  // checkpoint referred to them, and as each checkpoint still pending refers to them.
  std::map<std::string, SnapshotFile> stored_files;
  std::map<int64_t, std::map<std::string, SnapshotFile>> pending_files;
  // Deferred full snapshots not yet run (completed by the destructor).
  std::vector<std::weak_ptr<DeferredFullSnapshot>> deferred;
};

namespace {

// Sorts the files of a local checkpoint: small ones inlined into `meta`, SST files stored by an
// earlier checkpoint referred to, new ones left for the checkpoint storage to copy.
void list_local_checkpoint(const std::filesystem::path& dir, RocksDbInstance& instance,
                           NativeMeta& meta, std::map<std::string, SnapshotFile>& files,
                           KeyedStateSnapshot& result) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string local = entry.path().filename().string();
    if (!state::is_sst(local)) {
      meta.inlined[local] = state::read_whole_file(entry.path());
      continue;
    }
    SnapshotFile file;
    if (auto stored = instance.stored_files.find(local); stored != instance.stored_files.end()) {
      // Stored by an earlier completed checkpoint: referred to, not copied again.
      file = stored->second;
      std::error_code ignored;
      std::filesystem::remove(entry.path(), ignored);
    } else {
      file.name = instance.instance_id() + "-" + local;
      file.local_path = entry.path().string();
    }
    meta.sst_names[file.name] = local;
    result.native_files.push_back(file);
    // Once this checkpoint completes, the storage holds the file under its name.
    file.local_path.clear();
    files.emplace(local, std::move(file));
  }
  // Only the new SST files remain for the storage to copy (it removes them as it does).
  for (const auto& [name, bytes] : meta.inlined) {
    std::error_code ignored;
    std::filesystem::remove(dir / name, ignored);
  }
}

}  // namespace

}  // namespace state

RocksDbKeyedStateBackend::RocksDbKeyedStateBackend(int first_key_group, int last_key_group,
                                                   int max_parallelism, RocksDbStateOptions options)
    : KeyedStateBackend(first_key_group, last_key_group, max_parallelism),
      options_(options),
      instance_(std::make_unique<state::RocksDbInstance>(key_context(), options)) {}

// The states (owned by the base class) outlive the instance; their destructors do not touch the
// database. A deferred snapshot phase not run yet runs now, while the states exist.
RocksDbKeyedStateBackend::~RocksDbKeyedStateBackend() {
  for (const auto& weak : instance_->deferred) {
    if (auto deferred = weak.lock()) {
      std::lock_guard lock(deferred->mu);
      try {
        deferred->run_locked();
      } catch (const StateException&) {
        // Kept in the deferred phase: materialize() reports it, and the checkpoint fails.
      }
    }
  }
}

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
  std::unique_ptr<state::InternalKvStateBase> created = factory.create_rocksdb_state(*instance_);
  // A state asks for its one column family, named after it, when it is constructed.
  states_by_name_.emplace_back(instance_->last_requested_column(), created.get());
  return created;
}

KeyedStateSnapshot RocksDbKeyedStateBackend::entries_outside_database() const {
  // snapshot() with every read of the database finding nothing leaves exactly the entries kept
  // outside it.
  state::ScopedReadView nothing(instance_->db(), nullptr);
  return snapshot();
}

KeyedStateSnapshot RocksDbKeyedStateBackend::snapshot_for_checkpoint(int64_t checkpoint_id,
                                                                     SnapshotType type) const {
  if (type == SnapshotType::kSavepoint) return snapshot();
  if (options_.incremental_checkpoints) return incremental_snapshot(checkpoint_id);
  return asynchronous_full_snapshot();
}

KeyedStateSnapshot RocksDbKeyedStateBackend::asynchronous_full_snapshot() const {
  KeyedStateSnapshot result = entries_outside_database();
  auto deferred = std::make_shared<state::DeferredFullSnapshot>();
  deferred->held = instance_->held_snapshots();
  deferred->snapshot = instance_->take_snapshot();
  const int first = first_key_group();
  const int count = last_key_group() - first + 1;
  rocksdb::DB* db = instance_->db();
  const rocksdb::Snapshot* snapshot = deferred->snapshot;
  // The states are those existing now: one created later has nothing in the snapshot.
  deferred->work = [states = states_by_name_, first, count, db,
                    snapshot](std::map<std::string, std::map<int, std::string>>& out) {
    state::ScopedReadView view(db, snapshot);
    for (const auto& [name, state] : states) {
      for (int index = 0; index < count; ++index) {
        DataOutputView bytes;
        try {
          state->snapshot_key_group(index, bytes);
        } catch (const StateException& e) {
          throw StateException("cannot snapshot state '" + name + "': " + e.what());
        }
        if (bytes.size() == 1 && bytes.data()[0] == 0) continue;  // no entries
        out[name][first + index] = bytes.take();
      }
    }
  };
  auto& registry = instance_->deferred;
  std::erase_if(registry, [](const auto& weak) { return weak.expired(); });
  registry.push_back(deferred);
  result.deferred = [deferred](KeyedStateSnapshot& snapshot) {
    std::lock_guard lock(deferred->mu);
    deferred->run_locked();
    for (auto& [name, groups] : deferred->result) {
      for (auto& [key_group, bytes] : groups) {
        snapshot.key_groups[name].emplace(key_group, std::move(bytes));
      }
    }
    deferred->result.clear();
  };
  return result;
}

KeyedStateSnapshot RocksDbKeyedStateBackend::incremental_snapshot(int64_t checkpoint_id) const {
  KeyedStateSnapshot result = entries_outside_database();
  result.max_parallelism = max_parallelism();
  state::RocksDbInstance& instance = *instance_;
  const std::filesystem::path dir = instance.create_local_checkpoint(checkpoint_id);
  instance.add_local_checkpoint(checkpoint_id);
  state::NativeMeta meta;
  meta.first_key_group = first_key_group();
  meta.last_key_group = last_key_group();
  meta.instance_id = instance.instance_id();
  std::map<std::string, SnapshotFile> files;
  try {
    state::list_local_checkpoint(dir, instance, meta, files, result);
  } catch (const std::exception& e) {
    // Nothing of a failed snapshot stays on disk: the checkpoint storage never sees its files.
    instance.remove_local_checkpoint(checkpoint_id);
    if (dynamic_cast<const StateException*>(&e) != nullptr) throw;
    throw StateException("RocksDB incremental snapshot in " + dir.string() + ": " + e.what());
  }
  instance.pending_files[checkpoint_id] = std::move(files);
  result.native_meta = meta.encode();
  return result;
}

void RocksDbKeyedStateBackend::notify_checkpoint_complete(int64_t checkpoint_id) {
  state::RocksDbInstance& instance = *instance_;
  auto it = instance.pending_files.find(checkpoint_id);
  if (it != instance.pending_files.end()) instance.stored_files = std::move(it->second);
  // Older pending ones were subsumed.
  instance.pending_files.erase(instance.pending_files.begin(),
                               instance.pending_files.upper_bound(checkpoint_id));
  instance.remove_local_checkpoints_up_to(checkpoint_id);
}

void RocksDbKeyedStateBackend::notify_checkpoint_aborted(int64_t checkpoint_id) {
  // The files of the last completed checkpoint stay stored (it is retained until a later one
  // completes), so later checkpoints still refer to them.
  instance_->pending_files.erase(checkpoint_id);
  instance_->remove_local_checkpoint(checkpoint_id);
}

void RocksDbKeyedStateBackend::restore_native(const KeyedStateSnapshot& snapshot) {
  const state::NativeMeta meta = state::NativeMeta::decode(snapshot.native_meta);
  const int first = std::max(meta.first_key_group, first_key_group());
  const int last = std::min(meta.last_key_group, last_key_group());
  if (first <= last) {
    state::RocksDbInstance& instance = *instance_;
    if (instance.untouched() && meta.first_key_group == first_key_group() &&
        meta.last_key_group == last_key_group()) {
      instance.open_snapshot_as_database(meta, snapshot);
      // The restored files are stored already: the next checkpoint refers to them.
      instance.stored_files.clear();
      for (const SnapshotFile& file : snapshot.native_files) {
        instance.stored_files[meta.sst_names.at(file.name)] = {file.name, "", file.shared_path};
      }
    } else {
      instance.copy_key_groups(meta, snapshot, first, last);
    }
  }
  if (!snapshot.key_groups.empty()) {
    KeyedStateSnapshot outside;
    outside.max_parallelism = snapshot.max_parallelism;
    outside.key_groups = snapshot.key_groups;
    restore(outside);
  }
}

}  // namespace eddy
