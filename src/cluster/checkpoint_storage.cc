#include "cluster/checkpoint_storage.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "eddy/core/checksum.h"
#include "eddy/core/serializer.h"

namespace eddy::cluster {
namespace fs = std::filesystem;
namespace {

// Version 2 adds the shared files section; version 3 records the paths of files in this job's
// directory relative to the checkpoint's directory (version 2 recorded them as written, so a
// relative checkpoint directory made them relative to the writer's working directory). Versions
// 1 and 2 still read.
constexpr std::string_view kMagic = "EDDYCHK3";
constexpr std::string_view kMagicV2 = "EDDYCHK2";
constexpr std::string_view kMagicV1 = "EDDYCHK1";
constexpr const char* kMetadataName = "_metadata";

// Throws std::runtime_error: "cannot <what> <path>: <OS error>".
[[noreturn]] void throw_io_error(const std::string& what, const fs::path& path, int error) {
  throw std::runtime_error("cannot " + what + " " + path.string() + ": " + std::strerror(error));
}

// A file being written. Unless close() succeeded, the destructor removes it: a failed write
// (a full disk) leaves nothing behind.
class OutputFile {
 public:
  explicit OutputFile(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_io_error("create checkpoint file", path_, errno);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!closed_) ::unlink(path_.c_str());
  }

  void write(const char* data, size_t n) {
    while (n > 0) {
      const ssize_t written = ::write(fd_, data, n);
      if (written < 0) {
        if (errno == EINTR) continue;
        throw_io_error("write checkpoint file", path_, errno);
      }
      data += written;
      n -= static_cast<size_t>(written);
    }
  }

  // Some file systems report a full disk only when the file is closed.
  void close() {
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) throw_io_error("write checkpoint file", path_, errno);
    closed_ = true;
  }

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  int fd_ = -1;
  bool closed_ = false;
};

void write_file(const fs::path& path, std::string_view bytes) {
  OutputFile out(path);
  out.write(bytes.data(), bytes.size());
  out.close();
}

// Renames `from` to `to`; on failure removes `from` and throws naming both and the OS error.
void rename_into_place(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (!ec) return;
  std::error_code ignored;
  fs::remove(from, ignored);
  throw std::runtime_error("cannot rename checkpoint file " + from.string() + " to " + to.string() +
                           ": " + ec.message());
}

std::string read_file(const fs::path& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw CheckpointCorruptedException(
        "checkpoint file " + path.string() +
        (errno == ENOENT || errno == 0 ? " is missing" : " cannot be read: ") +
        (errno == ENOENT || errno == 0 ? "" : std::strerror(errno)));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// True if `path` names something inside directory `base` (both absolute and normal).
bool is_within(const fs::path& path, const fs::path& base) {
  const fs::path relative = path.lexically_relative(base);
  return !relative.empty() && *relative.begin() != ".." && *relative.begin() != ".";
}

// The path of a shared file as a read of `dir` finds it: relative paths of version 3 are
// relative to the checkpoint's directory; older ones are used as they were written.
fs::path resolve_recorded(const std::string& recorded, const fs::path& dir,
                          bool relative_to_checkpoint) {
  const fs::path path(recorded);
  if (path.is_relative() && relative_to_checkpoint) return (dir / path).lexically_normal();
  return path;
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
FileDigest read_with_digest(std::istream& in, OutputFile* copy) {
  FileDigest digest;
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::vector<char> buffer(size_t{1} << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), static_cast<uInt>(n));
    if (copy != nullptr) copy->write(buffer.data(), static_cast<size_t>(n));
    digest.size += static_cast<uint64_t>(n);
  }
  digest.crc = static_cast<uint32_t>(crc);
  return digest;
}

// Copies `from` to `to` (replaced if it exists) through `to`.inprogress, removed if the copy
// fails; returns the copy's size and CRC-32.
FileDigest copy_with_digest(const fs::path& from, const fs::path& to) {
  errno = 0;
  std::ifstream in(from, std::ios::binary);
  if (!in) throw_io_error("read snapshot file", from, errno);
  FileDigest digest;
  {
    OutputFile out(to.string() + ".inprogress");
    errno = 0;
    digest = read_with_digest(in, &out);
    if (in.bad()) throw_io_error("read snapshot file", from, errno);
    out.close();
    rename_into_place(out.path(), to);
  }
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
        std::error_code ec;
        fs::create_directories(shared_directory(), ec);
        if (ec) {
          throw std::runtime_error("cannot create checkpoint directory " +
                                   shared_directory().string() + ": " + ec.message());
        }
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

// Absolute: the paths of shared files are kept and compared as absolute paths, whatever the
// working directory is when a checkpoint is read.
CheckpointStorage::CheckpointStorage(fs::path base_dir, std::string job_id)
    : job_dir_((fs::absolute(base_dir) / job_id).lexically_normal()), job_id_(std::move(job_id)) {}

std::string CheckpointStorage::recorded_path(const fs::path& path, const fs::path& dir) const {
  if (is_within(path, job_dir_) && is_within(dir, job_dir_)) {
    return path.lexically_relative(dir).string();
  }
  return path.string();
}

fs::path CheckpointStorage::checkpoint_directory(int64_t id) const {
  return job_dir_ / fmt::format("chk-{}", id);
}

fs::path CheckpointStorage::write(const CompletedCheckpoint& checkpoint) {
  const fs::path dir = checkpoint_directory(checkpoint.id);
  write_to(dir, checkpoint);
  return dir;
}

void CheckpointStorage::write_to(const fs::path& directory, const CompletedCheckpoint& checkpoint) {
  const fs::path dir = fs::absolute(directory).lexically_normal();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error("cannot create checkpoint directory " + dir.string() + ": " +
                             ec.message());
  }
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
        for (KeyedStateSnapshot* keyed : {&stored.keyed, &stored.raw_keyed}) {
          for (SnapshotFile& file : keyed->native_files) {
            file.shared_path = recorded_path(file.shared_path, dir);
          }
        }
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
    write_string(recorded_path(entry.path, dir), meta);
    meta.write_varint(entry.size);
    meta.write_fixed<uint32_t>(entry.crc);
  }
  meta.write_fixed<uint32_t>(crc32_of(meta.data()));
  const fs::path temporary = dir / "_metadata.inprogress";
  write_file(temporary, meta.data());
  rename_into_place(temporary, dir / kMetadataName);
}

CompletedCheckpoint CheckpointStorage::read(const fs::path& path) {
  const fs::path given = fs::absolute(path).lexically_normal();
  const fs::path dir = given.filename() == kMetadataName ? given.parent_path() : given;
  const fs::path meta_path = dir / kMetadataName;
  const std::string meta = read_file(meta_path);
  auto corrupted = [&](const fs::path& file, const std::string& what) {
    return CheckpointCorruptedException("checkpoint file " + file.string() +
                                        " is corrupted: " + what);
  };
  const auto has_magic = [&](std::string_view magic) {
    return meta.size() >= magic.size() + 4 && meta.compare(0, magic.size(), magic) == 0;
  };
  if (!has_magic(kMagic) && !has_magic(kMagicV2) && !has_magic(kMagicV1)) {
    throw corrupted(meta_path, "not a checkpoint metadata file");
  }
  const bool relative_to_checkpoint = has_magic(kMagic);
  const bool has_shared_files = relative_to_checkpoint || has_magic(kMagicV2);
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
          runtime::OperatorSubtaskState state = runtime::deserialize_subtask_state(bytes);
          for (KeyedStateSnapshot* keyed : {&state.keyed, &state.raw_keyed}) {
            for (SnapshotFile& file : keyed->native_files) {
              file.shared_path =
                  resolve_recorded(file.shared_path, dir, relative_to_checkpoint).string();
            }
          }
          op.subtasks[subtask] =
              std::make_shared<const runtime::OperatorSubtaskState>(std::move(state));
        } catch (const SerializationError& e) {
          throw corrupted(file, e.what());
        }
      }
    }
    for (uint64_t n = has_shared_files ? in.read_varint() : 0; n > 0; --n) {
      const fs::path file = resolve_recorded(read_string(in), dir, relative_to_checkpoint);
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
