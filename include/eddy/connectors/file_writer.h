// Local-file output for the file sinks: a buffered writer and the directory and rename steps of
// the part-file protocol. Every error is an EddyException naming the file and the OS error, so a
// failing sink says which path it could not write and why.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eddy::connectors {

// Creates `path` and its missing parents, like `mkdir -p`. Several subtasks may create the same
// directory at once: a directory that appears meanwhile is not an error.
void make_directories(const std::string& path);

// Replaces `to` by `from` in one atomic step (rename(2)); readers see the old file or the
// complete new one, never a mix. Both paths must be on one file system.
void rename_file(const std::string& from, const std::string& to);

// A file created (or truncated) for writing and filled through a buffer. Owned by one subtask;
// not thread-safe. Until close() returns, data may still sit in the buffer.
class FileWriter {
 public:
  explicit FileWriter(std::string path);
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  // Abandons the file if it is still open: a writer that was not closed belongs to a failed or
  // cancelled job, whose output is incomplete anyway.
  ~FileWriter();

  void write(std::string_view data);
  // Writes out the buffer and closes the file. With `sync`, also forces the data to disk first
  // (fsync), so that a file published after close (renamed) is complete even after a crash.
  void close(bool sync = false);
  // Closes without writing out the buffer and without reporting errors, for a file that will
  // never be published.
  void abandon() noexcept;

  const std::string& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }
  // Bytes written so far, including those still in the buffer.
  int64_t size() const { return size_; }

 private:
  void write_out_buffer();

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  int64_t size_ = 0;
};

}  // namespace eddy::connectors
