#include "eddy/connectors/file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "eddy/core/exceptions.h"

namespace eddy::connectors {
namespace {

// Large enough that a write(2) per buffer is cheap next to formatting the records in it.
constexpr size_t kBufferBytes = 64 * 1024;

[[noreturn]] void throw_io_error(std::string_view action, const std::string& path, int error) {
  throw EddyException(fmt::format("cannot {} '{}': {}", action, path, std::strerror(error)));
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Creates one directory whose parent exists; one that already exists is fine.
void make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0777) == 0) return;
  const int error = errno;
  if (error == EEXIST) {
    if (is_directory(path)) return;
    throw EddyException(
        fmt::format("cannot create directory '{}': it exists and is not a directory", path));
  }
  throw_io_error("create directory", path, error);
}

void write_all(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io_error("write to", path, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

void make_directories(const std::string& path) {
  if (path.empty()) throw EddyException("cannot create a directory with an empty path");
  if (is_directory(path)) return;
  // Each proper prefix ending before a '/' is a parent to create first ("/" itself exists).
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    if (path[slash - 1] == '/') continue;  // "a//b": the prefix "a/" was already handled
    make_directory(path.substr(0, slash));
  }
  if (path.back() != '/') make_directory(path);
}

void rename_file(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    const int error = errno;
    throw EddyException(
        fmt::format("cannot rename '{}' to '{}': {}", from, to, std::strerror(error)));
  }
}

FileWriter::FileWriter(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) throw_io_error("open for writing", path_, errno);
  buffer_.reserve(kBufferBytes);
}

FileWriter::~FileWriter() {
  abandon();
}

void FileWriter::write(std::string_view data) {
  if (fd_ < 0) throw EddyException(fmt::format("cannot write to '{}': it was closed", path_));
  size_ += static_cast<int64_t>(data.size());
  if (buffer_.size() + data.size() > kBufferBytes) write_out_buffer();
  if (data.size() >= kBufferBytes) {
    write_all(fd_, data.data(), data.size(), path_);
  } else {
    buffer_.append(data);
  }
}

void FileWriter::write_out_buffer() {
  write_all(fd_, buffer_.data(), buffer_.size(), path_);
  buffer_.clear();
}

void FileWriter::close(bool sync) {
  if (fd_ < 0) return;
  try {
    write_out_buffer();
    if (sync && ::fsync(fd_) != 0) throw_io_error("sync", path_, errno);
  } catch (...) {
    abandon();
    throw;
  }
  const int fd = fd_;
  fd_ = -1;
  // After close(2) fails the descriptor is released anyway (Linux); EINTR must not be retried.
  if (::close(fd) != 0 && errno != EINTR) throw_io_error("close", path_, errno);
}

void FileWriter::abandon() noexcept {
  if (fd_ < 0) return;
  // The file's content no longer matters, so neither does an error closing it.
  (void)::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

}  // namespace eddy::connectors
