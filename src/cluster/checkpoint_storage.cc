#include "cluster/checkpoint_storage.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "eddy/core/checksum.h"
#include "eddy/core/serializer.h"

namespace eddy::cluster {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "EDDYCHK1";
constexpr const char* kMetadataName = "_metadata";

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw std::runtime_error("cannot write checkpoint file " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointCorruptedException("checkpoint file " + path.string() + " is missing");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A file name safe on any file system for an operator id (uids may hold any character).
std::string file_name_of(const std::string& operator_id, int subtask) {
  std::string name;
  for (char c : operator_id) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return fmt::format("op-{:08x}-{}-{}", crc32_of(operator_id), name.substr(0, 40), subtask);
}

void write_string(const std::string& s, DataOutputView& out) {
  TypeSerializer<std::string>::serialize(s, out);
}
std::string read_string(DataInputView& in) {
  return TypeSerializer<std::string>::deserialize(in);
}

}  // namespace

CheckpointStorage::CheckpointStorage(fs::path base_dir, std::string job_id)
    : job_dir_(std::move(base_dir) / job_id), job_id_(std::move(job_id)) {}

fs::path CheckpointStorage::checkpoint_directory(int64_t id) const {
  return job_dir_ / fmt::format("chk-{}", id);
}

fs::path CheckpointStorage::write(const CompletedCheckpoint& checkpoint) {
  const fs::path dir = checkpoint_directory(checkpoint.id);
  write_to(dir, checkpoint);
  return dir;
}

void CheckpointStorage::write_to(const fs::path& dir, const CompletedCheckpoint& checkpoint) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create checkpoint directory " + dir.string());
  DataOutputView meta;
  meta.write_bytes(kMagic.data(), kMagic.size());
  write_string(job_id_, meta);
  meta.write_fixed<int64_t>(checkpoint.id);
  meta.write_fixed<int64_t>(checkpoint.timestamp);
  meta.write_varint(checkpoint.operators.size());
  for (const auto& [operator_id, op] : checkpoint.operators) {
    write_string(operator_id, meta);
    meta.write_varint(static_cast<uint64_t>(op.parallelism));
    meta.write_varint(static_cast<uint64_t>(op.max_parallelism));
    meta.write_varint(op.subtasks.size());
    for (const auto& [subtask, state] : op.subtasks) {
      const std::string bytes = runtime::serialize_subtask_state(*state);
      const std::string name = file_name_of(operator_id, subtask);
      write_file(dir / name, bytes);
      meta.write_varint(static_cast<uint64_t>(subtask));
      write_string(name, meta);
      meta.write_varint(bytes.size());
      meta.write_fixed<uint32_t>(crc32_of(bytes));
    }
  }
  meta.write_fixed<uint32_t>(crc32_of(meta.data()));
  const fs::path temporary = dir / "_metadata.inprogress";
  write_file(temporary, meta.data());
  fs::rename(temporary, dir / kMetadataName, ec);
  if (ec) throw std::runtime_error("cannot complete checkpoint metadata in " + dir.string());
}

CompletedCheckpoint CheckpointStorage::read(const fs::path& path) {
  const fs::path dir = path.filename() == kMetadataName ? path.parent_path() : path;
  const fs::path meta_path = dir / kMetadataName;
  const std::string meta = read_file(meta_path);
  auto corrupted = [&](const fs::path& file, const std::string& what) {
    return CheckpointCorruptedException("checkpoint file " + file.string() +
                                        " is corrupted: " + what);
  };
  if (meta.size() < kMagic.size() + 4 || meta.compare(0, kMagic.size(), kMagic) != 0) {
    throw corrupted(meta_path, "not a checkpoint metadata file");
  }
  const std::string_view body(meta.data(), meta.size() - 4);
  if (DataInputView tail(std::string_view(meta).substr(body.size()));
      tail.read_fixed<uint32_t>() != crc32_of(body)) {
    throw corrupted(meta_path, "checksum mismatch");
  }
  CompletedCheckpoint checkpoint;
  checkpoint.directory = dir;
  try {
    DataInputView in(body.substr(kMagic.size()));
    checkpoint.job_id = read_string(in);
    checkpoint.id = in.read_fixed<int64_t>();
    checkpoint.timestamp = in.read_fixed<int64_t>();
    for (uint64_t n = in.read_varint(); n > 0; --n) {
      OperatorCheckpointState& op = checkpoint.operators[read_string(in)];
      op.parallelism = static_cast<int>(in.read_varint());
      op.max_parallelism = static_cast<int>(in.read_varint());
      for (uint64_t s = in.read_varint(); s > 0; --s) {
        const int subtask = static_cast<int>(in.read_varint());
        const fs::path file = dir / read_string(in);
        const uint64_t size = in.read_varint();
        const uint32_t crc = in.read_fixed<uint32_t>();
        const std::string bytes = read_file(file);
        if (bytes.size() != size) {
          throw corrupted(file, fmt::format("{} bytes instead of {}", bytes.size(), size));
        }
        if (crc32_of(bytes) != crc) throw corrupted(file, "checksum mismatch");
        try {
          op.subtasks[subtask] = std::make_shared<const runtime::OperatorSubtaskState>(
              runtime::deserialize_subtask_state(bytes));
        } catch (const SerializationError& e) {
          throw corrupted(file, e.what());
        }
      }
    }
  } catch (const SerializationError& e) {
    throw corrupted(meta_path, e.what());
  }
  return checkpoint;
}

void CheckpointStorage::discard(int64_t id) const {
  std::error_code ec;
  fs::remove_all(checkpoint_directory(id), ec);
}

void CheckpointStorage::remove_job_directory_if_empty() const {
  std::error_code ec;
  if (fs::is_empty(job_dir_, ec) && !ec) fs::remove(job_dir_, ec);
}

}  // namespace eddy::cluster
