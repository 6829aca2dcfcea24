// Checkpoint files: what is written reads back equal; a missing, truncated or corrupted file is
// reported with its path and never restored.
#include "cluster/checkpoint_storage.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace eddy::cluster {
namespace {

namespace fs = std::filesystem;

struct CheckpointStorageTest : ::testing::Test {
  fs::path base = fs::temp_directory_path() /
                  ("eddy-storage-test-" +
                   std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  CheckpointStorage storage{base, "0123456789abcdef0123456789abcdef"};

  ~CheckpointStorageTest() override { fs::remove_all(base); }

  static CompletedCheckpoint sample() {
    CompletedCheckpoint checkpoint;
    checkpoint.id = 7;
    checkpoint.timestamp = 1'700'000'000'000;
    for (int subtask = 0; subtask < 2; ++subtask) {
      auto state = std::make_shared<runtime::OperatorSubtaskState>();
      state->keyed.max_parallelism = 128;
      state->keyed.key_groups["count"][subtask * 64] = "value-bytes-" + std::to_string(subtask);
      state->raw_keyed.max_parallelism = 128;
      state->raw_keyed.key_groups["event-time-timers"][subtask * 64 + 1] =
          std::string("\x01\x02", 2);
      state->operator_state["offset"] = {OperatorStateMode::kSplitDistribute,
                                         {std::to_string(subtask * 100)}};
      OperatorCheckpointState& op = checkpoint.operators["my uid/with:odd chars"];
      op.parallelism = 2;
      op.max_parallelism = 128;
      op.subtasks[subtask] = state;
    }
    return checkpoint;
  }

  fs::path state_file(const fs::path& dir) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().filename() != "_metadata") return entry.path();
    }
    return {};
  }

  static void overwrite(const fs::path& file, std::string bytes) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  }

  static std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static std::string error_reading(const fs::path& dir) {
    try {
      CheckpointStorage::read(dir);
    } catch (const CheckpointCorruptedException& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(CheckpointStorageTest, WritesFlinksLayoutAndReadsItBack) {
  const fs::path dir = storage.write(sample());
  EXPECT_EQ(dir, base / "0123456789abcdef0123456789abcdef" / "chk-7");
  EXPECT_TRUE(fs::exists(dir / "_metadata"));
  const CompletedCheckpoint read = CheckpointStorage::read(dir / "_metadata");
  EXPECT_EQ(read.id, 7);
  EXPECT_EQ(read.timestamp, 1'700'000'000'000);
  EXPECT_EQ(read.job_id, "0123456789abcdef0123456789abcdef");
  const CompletedCheckpoint expected = sample();
  ASSERT_EQ(read.operators.size(), 1u);
  const OperatorCheckpointState& op = read.operators.at("my uid/with:odd chars");
  EXPECT_EQ(op.parallelism, 2);
  ASSERT_EQ(op.subtasks.size(), 2u);
  for (int s = 0; s < 2; ++s) {
    const auto& want = *expected.operators.at("my uid/with:odd chars").subtasks.at(s);
    const auto& got = *op.subtasks.at(s);
    EXPECT_EQ(got.keyed.key_groups, want.keyed.key_groups);
    EXPECT_EQ(got.raw_keyed.key_groups, want.raw_keyed.key_groups);
    EXPECT_EQ(got.operator_state.at("offset").elements, want.operator_state.at("offset").elements);
  }
}

TEST_F(CheckpointStorageTest, DetectsAFlippedByteInAStateFile) {
  const fs::path dir = storage.write(sample());
  const fs::path file = state_file(dir);
  std::string bytes = read(file);
  bytes[bytes.size() / 2] ^= 0x40;
  overwrite(file, bytes);
  const std::string error = error_reading(dir);
  EXPECT_NE(error.find(file.string()), std::string::npos) << error;
  EXPECT_NE(error.find("checksum mismatch"), std::string::npos) << error;
}

TEST_F(CheckpointStorageTest, DetectsATruncatedStateFile) {
  const fs::path dir = storage.write(sample());
  const fs::path file = state_file(dir);
  overwrite(file, read(file).substr(0, 5));
  const std::string error = error_reading(dir);
  EXPECT_NE(error.find(file.string()), std::string::npos) << error;
  EXPECT_NE(error.find("5 bytes instead of"), std::string::npos) << error;
}

TEST_F(CheckpointStorageTest, DetectsCorruptedOrMissingMetadata) {
  const fs::path dir = storage.write(sample());
  std::string meta = read(dir / "_metadata");
  meta[meta.size() - 9] ^= 0x01;
  overwrite(dir / "_metadata", meta);
  EXPECT_NE(error_reading(dir).find("_metadata is corrupted: checksum mismatch"),
            std::string::npos);
  overwrite(dir / "_metadata", "garbage");
  EXPECT_NE(error_reading(dir).find("not a checkpoint metadata file"), std::string::npos);
  fs::remove(dir / "_metadata");
  EXPECT_NE(error_reading(dir).find("is missing"), std::string::npos);
}

TEST_F(CheckpointStorageTest, DetectsAMissingStateFile) {
  const fs::path dir = storage.write(sample());
  const fs::path file = state_file(dir);
  fs::remove(file);
  const std::string error = error_reading(dir);
  EXPECT_NE(error.find(file.string() + " is missing"), std::string::npos) << error;
}

TEST_F(CheckpointStorageTest, DiscardRemovesTheCheckpointAndThenTheEmptyJobDirectory) {
  storage.write(sample());
  storage.discard(7);
  EXPECT_FALSE(fs::exists(storage.checkpoint_directory(7)));
  storage.remove_job_directory_if_empty();
  EXPECT_FALSE(fs::exists(storage.job_directory()));
}

// ---- Shared files of native (incremental) snapshots.

struct SharedFilesTest : CheckpointStorageTest {
  fs::path local = base / "backend-local";

  // A file the backend hands over for copying.
  // (The storage removes the backend's directory once it copied everything from it.)
  SnapshotFile new_file(const std::string& name, const std::string& bytes) {
    fs::create_directories(local);
    const fs::path path = local / name;
    overwrite(path, bytes);
    return {name, path.string(), ""};
  }
  // A file an earlier checkpoint stored, referred to by name.
  static SnapshotFile reference(const std::string& name) { return {name, "", ""}; }

  static CompletedCheckpoint native(int64_t id, std::vector<SnapshotFile> files) {
    CompletedCheckpoint checkpoint;
    checkpoint.id = id;
    auto state = std::make_shared<runtime::OperatorSubtaskState>();
    state->keyed.max_parallelism = 128;
    state->keyed.native_meta = "meta of checkpoint " + std::to_string(id);
    state->keyed.native_files = std::move(files);
    OperatorCheckpointState& op = checkpoint.operators["keyed"];
    op.parallelism = 1;
    op.max_parallelism = 128;
    op.subtasks[0] = state;
    return checkpoint;
  }

  static std::vector<SnapshotFile> files_of(const CompletedCheckpoint& checkpoint) {
    return checkpoint.operators.at("keyed").subtasks.at(0)->keyed.native_files;
  }

  std::set<std::string> shared_listing() const {
    std::set<std::string> names;
    if (!fs::exists(storage.shared_directory())) return names;
    for (const auto& entry : fs::directory_iterator(storage.shared_directory())) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }
};

TEST_F(SharedFilesTest, NewFilesAreCopiedSharedAndReferenceCounted) {
  const fs::path one =
      storage.write(native(1, {new_file("a.sst", "aaaa"), new_file("b.sst", "bbbbbb")}));
  EXPECT_EQ(shared_listing(), (std::set<std::string>{"a.sst", "b.sst"}));
  EXPECT_FALSE(fs::exists(local / "a.sst"));  // the backend's copy is removed
  EXPECT_EQ(read(storage.shared_directory() / "b.sst"), "bbbbbb");
  const CompletedCheckpoint read_one = CheckpointStorage::read(one);
  const std::vector<SnapshotFile> files = files_of(read_one);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].name, "a.sst");
  EXPECT_EQ(files[0].shared_path, (storage.shared_directory() / "a.sst").string());
  EXPECT_EQ(read_one.operators.at("keyed").subtasks.at(0)->keyed.native_meta,
            "meta of checkpoint 1");

  // The second refers to a.sst, adds c.sst; b.sst is no longer live.
  storage.write(native(2, {reference("a.sst"), new_file("c.sst", "cc")}));
  EXPECT_EQ(storage.shared_file_references(),
            (std::map<std::string, int>{{"a.sst", 2}, {"b.sst", 1}, {"c.sst", 1}}));
  EXPECT_EQ(files_of(CheckpointStorage::read(storage.checkpoint_directory(2)))[0].shared_path,
            (storage.shared_directory() / "a.sst").string());

  storage.discard(1);  // subsumed: b.sst is referred to by no checkpoint
  EXPECT_EQ(shared_listing(), (std::set<std::string>{"a.sst", "c.sst"}));
  EXPECT_EQ(storage.shared_file_references(),
            (std::map<std::string, int>{{"a.sst", 1}, {"c.sst", 1}}));
  EXPECT_NO_THROW(CheckpointStorage::read(storage.checkpoint_directory(2)));

  storage.discard(2);
  EXPECT_TRUE(shared_listing().empty());
  EXPECT_TRUE(storage.shared_file_references().empty());
  EXPECT_FALSE(fs::exists(local));
  storage.remove_job_directory_if_empty();
  EXPECT_FALSE(fs::exists(storage.job_directory()));
}

TEST_F(SharedFilesTest, AFailedOrAbortedCheckpointReleasesWhatItStored) {
  storage.write(native(1, {new_file("a.sst", "aaaa")}));
  // Checkpoint 2 stores d.sst, then fails on a reference nothing holds.
  try {
    storage.write(native(2, {new_file("d.sst", "dd"), reference("unknown.sst")}));
    ADD_FAILURE() << "a reference to an unknown shared file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown.sst"), std::string::npos) << e.what();
  }
  storage.discard(2);  // the coordinator aborts it
  EXPECT_EQ(shared_listing(), (std::set<std::string>{"a.sst"}));
}

TEST_F(SharedFilesTest, FilesOfAnotherJobAreReferredToButNeverDeleted) {
  const fs::path elsewhere = base / "other-job-shared.sst";
  fs::create_directories(base);
  overwrite(elsewhere, "restored");
  storage.write(native(1, {{"x-000007.sst", "", elsewhere.string()}}));
  EXPECT_EQ(files_of(CheckpointStorage::read(storage.checkpoint_directory(1)))[0].shared_path,
            elsewhere.string());
  storage.discard(1);
  EXPECT_TRUE(fs::exists(elsewhere));
}

TEST_F(SharedFilesTest, AMissingOrDamagedSharedFileIsReportedWithItsPath) {
  const fs::path dir =
      storage.write(native(1, {new_file("a.sst", "aaaa"), new_file("b.sst", "bb")}));
  const fs::path a = storage.shared_directory() / "a.sst";
  const fs::path b = storage.shared_directory() / "b.sst";
  overwrite(a, "abaa");
  std::string error = error_reading(dir);
  EXPECT_NE(error.find(a.string() + " is corrupted: checksum mismatch"), std::string::npos)
      << error;
  overwrite(a, "aaaa");
  overwrite(b, "b");
  error = error_reading(dir);
  EXPECT_NE(error.find(b.string() + " is corrupted: 1 bytes instead of 2"), std::string::npos)
      << error;
  fs::remove(b);
  error = error_reading(dir);
  EXPECT_NE(error.find(b.string() + " is missing"), std::string::npos) << error;
}

TEST_F(CheckpointStorageTest, SerializerIdentitiesReadBack) {
  CompletedCheckpoint checkpoint = sample();
  auto state = std::make_shared<runtime::OperatorSubtaskState>(
      *checkpoint.operators.at("my uid/with:odd chars").subtasks.at(0));
  state->keyed.serializers["count"] = {
      "ValueState", {"int64", 1}, {"eddy::state::VoidNamespace", 1}, {"double", 3}};
  state->operator_state.at("offset").serializer = {"int64", 1};
  checkpoint.operators.at("my uid/with:odd chars").subtasks[0] = state;
  const CompletedCheckpoint read = CheckpointStorage::read(storage.write(checkpoint));
  const runtime::OperatorSubtaskState& back =
      *read.operators.at("my uid/with:odd chars").subtasks.at(0);
  const StateSerializers& count = back.keyed.serializers.at("count");
  EXPECT_EQ(count.kind, "ValueState");
  EXPECT_EQ(count.key_serializer, (SerializerIdentity{"int64", 1}));
  EXPECT_EQ(count.namespace_serializer, (SerializerIdentity{"eddy::state::VoidNamespace", 1}));
  EXPECT_EQ(count.value_serializer, (SerializerIdentity{"double", 3}));
  EXPECT_EQ(back.operator_state.at("offset").serializer, (SerializerIdentity{"int64", 1}));
}

TEST_F(CheckpointStorageTest, StateFilesWithoutSerializerIdentitiesStillRead) {
  // A state file of an older format ends after the in-flight records; a state without operator
  // state and identities writes them as three empty sections (three zero counts) after that.
  runtime::OperatorSubtaskState state = *sample().operators.begin()->second.subtasks.at(0);
  state.operator_state.clear();
  const std::string bytes = runtime::serialize_subtask_state(state);
  ASSERT_EQ(bytes.substr(bytes.size() - 3), std::string(3, '\0'));
  const runtime::OperatorSubtaskState read =
      runtime::deserialize_subtask_state(bytes.substr(0, bytes.size() - 3));
  EXPECT_EQ(read.keyed.key_groups, state.keyed.key_groups);
  EXPECT_EQ(read.raw_keyed.key_groups, state.raw_keyed.key_groups);
  EXPECT_TRUE(read.keyed.serializers.empty());
}

// ---- Paths: a relative checkpoint directory, a checkpoint read from elsewhere.

// Changes the working directory for the test's duration.
struct WorkingDirectory {
  explicit WorkingDirectory(const fs::path& dir) : previous(fs::current_path()) {
    fs::current_path(dir);
  }
  ~WorkingDirectory() { fs::current_path(previous); }
  fs::path previous;
};

TEST_F(SharedFilesTest, ARelativeCheckpointDirectoryReadsFromAnyWorkingDirectory) {
  const fs::path source = new_file("a.sst", "aaaa").local_path;
  fs::path dir;
  {
    WorkingDirectory inside(base);
    CheckpointStorage relative(fs::path("ckpts"), "job");
    dir = relative.write(native(1, {{"a.sst", source.string(), ""}}));
  }
  EXPECT_EQ(dir, base / "ckpts" / "job" / "chk-1");
  const fs::path shared = base / "ckpts" / "job" / "shared" / "a.sst";
  ASSERT_EQ(read(shared), "aaaa");
  {
    // From another working directory the checkpoint reads whole, its shared file included.
    WorkingDirectory elsewhere(fs::temp_directory_path());
    const CompletedCheckpoint checkpoint = CheckpointStorage::read(dir);
    ASSERT_EQ(files_of(checkpoint).size(), 1u);
    EXPECT_EQ(files_of(checkpoint)[0].shared_path, shared.string());
  }
  // A job directory moved elsewhere reads too: the paths are relative to the checkpoint.
  fs::rename(base / "ckpts", base / "moved");
  const CompletedCheckpoint moved = CheckpointStorage::read(base / "moved/job/chk-1/_metadata");
  EXPECT_EQ(files_of(moved)[0].shared_path, (base / "moved/job/shared/a.sst").string());
  EXPECT_EQ(read(files_of(moved)[0].shared_path), "aaaa");
}

TEST_F(SharedFilesTest, RelativeDirectoryOfTheWorkingDirectoryIsResolvedOnce) {
  // A checkpoint written relative to one working directory and continued by a storage of the
  // same relative base after a chdir: the storage resolved its base when it was created.
  fs::create_directories(base);
  WorkingDirectory inside(base);
  CheckpointStorage relative(fs::path("ckpts"), "job");
  const fs::path source = new_file("a.sst", "aaaa").local_path;
  relative.write(native(1, {{"a.sst", source.string(), ""}}));
  WorkingDirectory elsewhere(fs::temp_directory_path());
  relative.write(native(2, {reference("a.sst")}));
  EXPECT_EQ(files_of(CheckpointStorage::read(relative.checkpoint_directory(2)))[0].shared_path,
            (base / "ckpts/job/shared/a.sst").string());
}

// ---- A full disk: a 1 MiB tmpfs mounted for the test (root only; skipped otherwise).

struct FullDiskTest : SharedFilesTest {
  fs::path disk = base / "disk";
  bool mounted = false;

  void SetUp() override {
    fs::create_directories(disk);
    if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=1M") != 0) {
      GTEST_SKIP() << "cannot mount a 1 MiB tmpfs at " << disk << " (" << std::strerror(errno)
                   << "): the full-disk tests need root";
    }
    mounted = true;
  }
  void TearDown() override {
    if (mounted) ::umount2(disk.c_str(), MNT_DETACH);
  }

  // Every file under `dir`, relative to it.
  static std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) names.insert(entry.path().lexically_relative(dir).string());
    }
    return names;
  }

  static std::string write_error(CheckpointStorage& storage, const CompletedCheckpoint& c) {
    try {
      storage.write(c);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(FullDiskTest, ASharedFileThatDoesNotFitFailsWithTheOsErrorAndLeavesNothing) {
  CheckpointStorage full(disk, "job");
  const std::string error =
      write_error(full, native(1, {new_file("big.sst", std::string(size_t{2} << 20, 'x'))}));
  ASSERT_NE(error, "") << "2 MiB were written to a 1 MiB disk";
  EXPECT_NE(error.find("No space left on device"), std::string::npos) << error;
  EXPECT_NE(error.find((full.shared_directory() / "big.sst.inprogress").string()),
            std::string::npos)
      << error;
  EXPECT_EQ(listing(disk), std::set<std::string>{}) << "a partial shared file stays behind";
  full.discard(1);  // the coordinator aborts the checkpoint
  full.remove_job_directory_if_empty();
  EXPECT_TRUE(fs::is_empty(disk));
}

TEST_F(FullDiskTest, AStateFileThatDoesNotFitFailsWithTheOsErrorAndLeavesNothing) {
  CheckpointStorage full(disk, "job");
  CompletedCheckpoint checkpoint = sample();
  auto state = std::make_shared<runtime::OperatorSubtaskState>();
  state->keyed.max_parallelism = 128;
  state->keyed.key_groups["big"][0] = std::string(size_t{2} << 20, 'x');
  checkpoint.operators["big"].subtasks[0] = state;
  const std::string error = write_error(full, checkpoint);
  ASSERT_NE(error, "");
  EXPECT_NE(error.find("No space left on device"), std::string::npos) << error;
  EXPECT_NE(error.find(full.checkpoint_directory(7).string()), std::string::npos) << error;
  for (const std::string& name : listing(disk)) {
    EXPECT_EQ(name.find("_metadata"), std::string::npos) << "a failed checkpoint has " << name;
    EXPECT_EQ(name.find("op-") != std::string::npos && name.find("big") != std::string::npos, false)
        << "the partial state file stays behind: " << name;
  }
  full.discard(7);
  full.remove_job_directory_if_empty();
  EXPECT_TRUE(fs::is_empty(disk));
}

}  // namespace
}  // namespace eddy::cluster
