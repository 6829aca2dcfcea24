// Checkpoint files: what is written reads back equal; a missing, truncated or corrupted file is
// reported with its path and never restored.
#include "cluster/checkpoint_storage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

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

}  // namespace
}  // namespace eddy::cluster
