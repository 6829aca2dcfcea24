#include "cluster/checkpoint_storage.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "eddy/core/checksum.h"
#include "eddy/core/serializer.h"

namespace eddy::cluster {
namespace fs = std::filesystem;
namespace {

// Version 2 adds the shared files section; version 1 files (without it) still read.
constexpr std::string_view kMagic = "EDDYCHK2";
constexpr std::string_view kMagicV1 = "EDDYCHK1";
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

struct FileDigest {
  uint64_t size = 0;
  uint32_t crc = 0;
};

// Reads `in` to its end (also writing it to `copy`, if given): its size and CRC-32.
FileDigest read_with_digest(std::istream& in, std::ostream* copy) {
  FileDigest digest;
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::vector<char> buffer(size_t{1} << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(n));
    if (copy != nullptr) copy->write(buffer.data(), n);
    digest.size += static_cast<uint64_t>(n);
  }
  digest.crc = static_cast<uint32_t>(crc);
  return digest;
}

// Copies `from` to `to` (replaced if it exists), returning the copy's size and CRC-32.
FileDigest copy_with_digest(const fs::path& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read snapshot file " + from.string());
  const fs::path temporary = to.string() + ".inprogress";
  std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write shared checkpoint file " + temporary.string());
  FileDigest digest = read_with_digest(in, &out);
  if (in.bad()) throw std::runtime_error("cannot read snapshot file " + from.string());
  out.flush();
  if (!out) throw std::runtime_error("cannot write shared checkpoint file " + temporary.string());
  out.close();
  std::error_code ec;
  fs::rename(temporary, to, ec);
  if (ec) throw std::runtime_error("cannot write shared checkpoint file " + to.string());
  return digest;
}

// The size and CRC-32 of a file; throws CheckpointCorruptedException if it cannot be read.
FileDigest digest_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw CheckpointCorruptedException("shared checkpoint file " + path.string() + " is missing");
  }
  const FileDigest digest = read_with_digest(in, nullptr);
  if (in.bad()) {
    throw CheckpointCorruptedException("shared checkpoint file " + path.string() +
                                       " cannot be read");
  }
  return digest;
}

}  // namespace

void CheckpointStorage::store_shared_files(int64_t id, KeyedStateSnapshot& keyed,
                                           std::map<std::string, SharedFileEntry>& used) {
  for (SnapshotFile& file : keyed.native_files) {
    if (file.name.empty() || file.name.find('/') != std::string::npos || file.name == "." ||
        file.name == "..") {
      throw std::runtime_error("snapshot file name '" + file.name + "' is not a plain file name");
    }
    SharedFile stored;
    bool known = false;
    {
      std::lock_guard lock(mu_);
      if (auto it = shared_.find(file.name); it != shared_.end()) {
        stored = it->second;
        known = true;
      }
    }
    if (!file.local_path.empty()) {
      if (!known) {
        fs::create_directories(shared_directory());
        stored.path = shared_directory() / file.name;
        const FileDigest digest = copy_with_digest(file.local_path, stored.path);
        stored.size = digest.size;
        stored.crc = digest.crc;
        stored.owned = true;
      }
      // The backend's hard link is not needed any more, nor its directory once empty.
      std::error_code ignored;
      const fs::path local(file.local_path);
      fs::remove(local, ignored);
      if (fs::is_empty(local.parent_path(), ignored)) fs::remove(local.parent_path(), ignored);
      file.local_path.clear();
    } else if (file.shared_path.empty()) {
      if (!known) {
        throw std::runtime_error("snapshot file " + file.name +
                                 " refers to a shared checkpoint file that no checkpoint of job " +
                                 job_id_ + " holds");
      }
    } else if (!known) {
      // Kept where it is (another job's checkpoint this one started from): never deleted.
      const FileDigest digest = digest_of(file.shared_path);
      stored.path = file.shared_path;
      stored.size = digest.size;
      stored.crc = digest.crc;
      stored.owned = false;
    }
    file.shared_path = stored.path.string();
    used[file.shared_path] = {file.shared_path, stored.size, stored.crc};
    std::lock_guard lock(mu_);
    std::vector<std::string>& refs = references_[id];
    auto [it, inserted] = shared_.try_emplace(file.name, stored);
    if (inserted) it->second.references = 0;
    SharedFile& entry = it->second;
    if (std::find(refs.begin(), refs.end(), file.name) == refs.end()) {
      refs.push_back(file.name);
      ++entry.references;
    }
  }
}

std::map<std::string, int> CheckpointStorage::shared_file_references() const {
  std::lock_guard lock(mu_);
  std::map<std::string, int> result;
  for (const auto& [name, file] : shared_) result[name] = file.references;
  return result;
}

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

void CheckpointStorage::write_to(const fs::path& dir, const CompletedCheckpoint& checkpoint) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create checkpoint directory " + dir.string());
  std::map<std::string, SharedFileEntry> used;  // shared files referred to, by path
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
      std::string bytes;
      if (state->keyed.native_files.empty() && state->raw_keyed.native_files.empty()) {
        bytes = runtime::serialize_subtask_state(*state);
      } else {
        runtime::OperatorSubtaskState stored = *state;
        store_shared_files(checkpoint.id, stored.keyed, used);
        store_shared_files(checkpoint.id, stored.raw_keyed, used);
        bytes = runtime::serialize_subtask_state(stored);
      }
      const std::string name = file_name_of(operator_id, subtask);
      write_file(dir / name, bytes);
      meta.write_varint(static_cast<uint64_t>(subtask));
      write_string(name, meta);
      meta.write_varint(bytes.size());
      meta.write_fixed<uint32_t>(crc32_of(bytes));
    }
  }
  meta.write_varint(used.size());
  for (const auto& [path, entry] : used) {
    write_string(entry.path, meta);
    meta.write_varint(entry.size);
    meta.write_fixed<uint32_t>(entry.crc);
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
  if (meta.size() < kMagic.size() + 4 || (meta.compare(0, kMagic.size(), kMagic) != 0 &&
                                          meta.compare(0, kMagicV1.size(), kMagicV1) != 0)) {
    throw corrupted(meta_path, "not a checkpoint metadata file");
  }
  const bool has_shared_files = meta.compare(0, kMagic.size(), kMagic) == 0;
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
    for (uint64_t n = has_shared_files ? in.read_varint() : 0; n > 0; --n) {
      const fs::path file = read_string(in);
      const uint64_t size = in.read_varint();
      const uint32_t crc = in.read_fixed<uint32_t>();
      const FileDigest digest = digest_of(file);
      if (digest.size != size) {
        throw CheckpointCorruptedException(
            fmt::format("shared checkpoint file {} is corrupted: {} bytes instead of {}",
                        file.string(), digest.size, size));
      }
      if (digest.crc != crc) {
        throw CheckpointCorruptedException("shared checkpoint file " + file.string() +
                                           " is corrupted: checksum mismatch");
      }
    }
  } catch (const SerializationError& e) {
    throw corrupted(meta_path, e.what());
  }
  return checkpoint;
}

void CheckpointStorage::discard(int64_t id) {
  std::error_code ec;
  fs::remove_all(checkpoint_directory(id), ec);
  std::vector<fs::path> unreferenced;
  {
    std::lock_guard lock(mu_);
    auto refs = references_.find(id);
    if (refs == references_.end()) return;
    for (const std::string& name : refs->second) {
      auto it = shared_.find(name);
      if (it == shared_.end() || --it->second.references > 0) continue;
      if (it->second.owned) unreferenced.push_back(it->second.path);
      shared_.erase(it);
    }
    references_.erase(refs);
  }
  for (const fs::path& path : unreferenced) fs::remove(path, ec);
}

void CheckpointStorage::remove_job_directory_if_empty() const {
  std::error_code ec;
  if (fs::is_empty(shared_directory(), ec) && !ec) fs::remove(shared_directory(), ec);
  if (fs::is_empty(job_dir_, ec) && !ec) fs::remove(job_dir_, ec);
}

}  // namespace eddy::cluster
