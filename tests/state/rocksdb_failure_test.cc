// The RocksDB backend on a full disk: a write that fails throws StateException naming the
// backend's directory and the OS error, later operations fail the same way, and closing the
// backend afterwards neither aborts the process nor leaves files behind. The disk is either a
// RocksDB file system whose appends fail with ENOSPC from the moment the test says so (no root
// needed), or a real 1 MiB tmpfs (root only; skipped otherwise), where RocksDB's own info log
// fills up too: that is what aborted the process.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <sys/mount.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "eddy/state/rocksdb_keyed_state_backend.h"
#include "support/temp_dir.h"

namespace eddy {
namespace {

constexpr const char* kNoSpace = "No space left on device";

// A file system that becomes full when told to: every append after that fails as an append to
// a full disk does (RocksDB's own POSIX file system reports ENOSPC as IOStatus::NoSpace).
class FullDiskFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FullDiskFileSystem"; }

  void fill() { full_ = true; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, debug);
    if (status.ok()) *result = std::make_unique<File>(std::move(*result), name, full_);
    return status;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name,
         const std::atomic<bool>& full)
        : FSWritableFileOwnerWrapper(std::move(file)), name_(std::move(name)), full_(full) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (full_) return no_space();
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (full_) return no_space();
      return target()->Append(data, options, info, debug);
    }

   private:
    rocksdb::IOStatus no_space() const {
      return rocksdb::IOStatus::NoSpace("While appending to file: " + name_, kNoSpace);
    }
    std::string name_;
    const std::atomic<bool>& full_;
  };

  std::atomic<bool> full_{false};
};

struct RocksDbFailureTest : ::testing::Test {
  testing::TempDir dir{"eddy-rocksdb-failure"};
  std::shared_ptr<FullDiskFileSystem> disk = std::make_shared<FullDiskFileSystem>();

  RocksDbStateOptions options(bool incremental = false) {
    RocksDbStateOptions result;
    result.base_directory = dir.path;
    result.block_cache_bytes = size_t{1} << 20;
    result.write_buffer_bytes = size_t{64} << 10;  // memtables flush after a few hundred values
    result.incremental_checkpoints = incremental;
    result.env = std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(disk));
    return result;
  }
};

// Writes 1 KiB values under keys 0, 1, ... until a write throws; returns its message ("" if
// none of `count` did).
std::string write_until_failure(KeyedStateBackend& backend, ValueState<std::string>& state,
                                int count) {
  const std::string value(1024, 'v');
  for (int key = 0; key < count; ++key) {
    try {
      set_current_key_of(backend, int64_t{key});
      state.update(value + std::to_string(key));
    } catch (const StateException& e) {
      return e.what();
    }
  }
  return "";
}

TEST_F(RocksDbFailureTest, FullDiskFailsTheWriteWithDirectoryAndOsErrorAndClosesCleanly) {
  std::filesystem::path directory;
  {
    auto backend = std::make_unique<RocksDbKeyedStateBackend>(0, 127, 128, options());
    directory = backend->directory();
    auto& state = backend->get_state(ValueStateDescriptor<std::string>("values"));
    ASSERT_EQ(write_until_failure(*backend, state, 100), "") << "the disk is not full yet";
    disk->fill();
    // The memtable fills, its flush fails, and the database refuses writes from then on.
    const std::string message = write_until_failure(*backend, state, 100'000);
    ASSERT_NE(message, "") << "no write failed on a full disk";
    EXPECT_NE(message.find(directory.string()), std::string::npos) << message;
    EXPECT_NE(message.find(kNoSpace), std::string::npos) << message;
    // The database stays failed: later writes throw too, with the same reason.
    const std::string again = write_until_failure(*backend, state, 1);
    EXPECT_NE(again.find(kNoSpace), std::string::npos) << again;
    // The destructor closes the failed database: before RocksDB's info log left the directory,
    // this aborted the process inside RocksDB.
  }
  EXPECT_FALSE(std::filesystem::exists(directory)) << "the backend's directory stays behind";
}

TEST_F(RocksDbFailureTest, IncrementalCheckpointOnAFullDiskFailsAndLeavesNoLocalCheckpoint) {
  auto backend = std::make_unique<RocksDbKeyedStateBackend>(0, 127, 128, options(true));
  auto& state = backend->get_state(ValueStateDescriptor<std::string>("values"));
  ASSERT_EQ(write_until_failure(*backend, state, 20), "");
  disk->fill();
  std::string message;
  try {
    backend->snapshot_for_checkpoint(1, SnapshotType::kCheckpoint);
  } catch (const StateException& e) {
    message = e.what();
  }
  ASSERT_NE(message, "") << "a checkpoint on a full disk succeeded";
  EXPECT_NE(message.find(backend->directory().string()), std::string::npos) << message;
  EXPECT_NE(message.find(kNoSpace), std::string::npos) << message;
  for (const auto& entry : std::filesystem::directory_iterator(backend->directory())) {
    EXPECT_EQ(entry.path().filename().string().rfind("eddy-checkpoint-", 0), std::string::npos)
        << "left behind: " << entry.path();
  }
  backend.reset();  // closing after the failure must not abort either
}

TEST_F(RocksDbFailureTest, AFullTmpfsFailsTheTaskInsteadOfAbortingTheProcess) {
  const std::filesystem::path disk = dir.path / "disk";
  std::filesystem::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=1M") != 0) {
    GTEST_SKIP() << "cannot mount a 1 MiB tmpfs at " << disk << " (" << std::strerror(errno)
                 << "): this test needs root; the FullDiskFileSystem tests cover the rest";
  }
  struct Unmount {
    std::filesystem::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{disk};
  RocksDbStateOptions options = this->options();
  options.env = nullptr;  // the real file system
  options.base_directory = disk;
  {
    auto backend = std::make_unique<RocksDbKeyedStateBackend>(0, 127, 128, options);
    auto& state = backend->get_state(ValueStateDescriptor<std::string>("values"));
    const std::string message = write_until_failure(*backend, state, 100'000);
    ASSERT_NE(message, "") << "100 MB were written to a 1 MiB disk";
    EXPECT_NE(message.find(backend->directory().string()), std::string::npos) << message;
    EXPECT_NE(message.find(kNoSpace), std::string::npos) << message;
  }
  EXPECT_TRUE(std::filesystem::is_empty(disk)) << "the backend's directory stays behind";
}

}  // namespace
}  // namespace eddy
