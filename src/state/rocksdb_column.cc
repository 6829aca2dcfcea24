#include "eddy/state/rocksdb_column.h"

#include <string>
#include <utility>

#include "eddy/state/state_exception.h"
#include "state/rocksdb_handles.h"

namespace eddy::state {
namespace {

rocksdb::Slice slice(std::string_view bytes) {
  return {bytes.data(), bytes.size()};
}

// The smallest string greater than every string that starts with `prefix`; empty if there is
// none (the prefix is all 0xff bytes), meaning "to the end".
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

thread_local const ScopedReadView* innermost_view = nullptr;

}  // namespace

ScopedReadView::ScopedReadView(rocksdb::DB* db, const rocksdb::Snapshot* snapshot)
    : db_(db), snapshot_(snapshot), previous_(innermost_view) {
  innermost_view = this;
}

ScopedReadView::~ScopedReadView() {
  innermost_view = previous_;
}

const ScopedReadView* ScopedReadView::current(const rocksdb::DB* db) {
  for (const ScopedReadView* view = innermost_view; view != nullptr; view = view->previous_) {
    if (view->db_ == db) return view;
  }
  return nullptr;
}

void check_rocksdb(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw StateException("RocksDB " + what + ": " + status.ToString());
}

void check_rocksdb(const rocksdb::Status& status, const char* what, const std::string& directory) {
  if (!status.ok()) {
    throw StateException("RocksDB " + std::string(what) + " in state backend directory " +
                         directory + ": " + status.ToString());
  }
}

RocksDbCursor::RocksDbCursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbCursor::RocksDbCursor(RocksDbCursor&&) noexcept = default;
RocksDbCursor& RocksDbCursor::operator=(RocksDbCursor&&) noexcept = default;
RocksDbCursor::~RocksDbCursor() = default;

bool RocksDbCursor::valid() const {
  if (impl_->iterator->Valid()) return true;
  check_rocksdb(impl_->iterator->status(), "scan", *impl_->directory);
  return false;
}

std::string_view RocksDbCursor::key() const {
  const rocksdb::Slice key = impl_->iterator->key();
  return {key.data(), key.size()};
}

std::string_view RocksDbCursor::value() const {
  const rocksdb::Slice value = impl_->iterator->value();
  return {value.data(), value.size()};
}

void RocksDbCursor::next() {
  impl_->iterator->Next();
}

RocksDbColumn::RocksDbColumn(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
RocksDbColumn::~RocksDbColumn() = default;

bool RocksDbColumn::get(std::string_view key, std::string* value) const {
  rocksdb::ReadOptions options = handle_->read;
  if (const ScopedReadView* view = ScopedReadView::current(handle_->db)) {
    if (view->snapshot() == nullptr) return false;
    options.snapshot = view->snapshot();
  }
  const rocksdb::Status status = handle_->db->Get(options, handle_->family, slice(key), value);
  if (status.IsNotFound()) return false;
  check_rocksdb(status, "get", handle_->directory);
  return true;
}

void RocksDbColumn::put(std::string_view key, std::string_view value) {
  check_rocksdb(handle_->db->Put(handle_->write, handle_->family, slice(key), slice(value)), "put",
                handle_->directory);
}

void RocksDbColumn::append(std::string_view key, std::string_view bytes) {
  check_rocksdb(handle_->db->Merge(handle_->write, handle_->family, slice(key), slice(bytes)),
                "merge", handle_->directory);
}

void RocksDbColumn::erase(std::string_view key) {
  check_rocksdb(handle_->db->Delete(handle_->write, handle_->family, slice(key)), "delete",
                handle_->directory);
}

RocksDbCursor RocksDbColumn::scan(std::string_view prefix) const {
  auto impl = std::make_unique<RocksDbCursor::Impl>();
  rocksdb::ReadOptions options = handle_->read;
  impl->upper_bound = prefix_end(prefix);
  if (!impl->upper_bound.empty()) {
    impl->upper_bound_slice = slice(impl->upper_bound);
    options.iterate_upper_bound = &impl->upper_bound_slice;
  }
  impl->directory = &handle_->directory;
  impl->iterator = iterator(options);
  impl->iterator->Seek(slice(prefix));
  return RocksDbCursor(std::move(impl));
}

RocksDbCursor RocksDbColumn::scan_from(std::string_view start) const {
  auto impl = std::make_unique<RocksDbCursor::Impl>();
  impl->directory = &handle_->directory;
  impl->iterator = iterator(handle_->read);
  impl->iterator->Seek(slice(start));
  return RocksDbCursor(std::move(impl));
}

std::unique_ptr<rocksdb::Iterator> RocksDbColumn::iterator(rocksdb::ReadOptions options) const {
  if (const ScopedReadView* view = ScopedReadView::current(handle_->db)) {
    if (view->snapshot() == nullptr)
      return std::unique_ptr<rocksdb::Iterator>(rocksdb::NewEmptyIterator());
    options.snapshot = view->snapshot();
  }
  return std::unique_ptr<rocksdb::Iterator>(handle_->db->NewIterator(options, handle_->family));
}

}  // namespace eddy::state
