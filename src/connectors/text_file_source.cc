// read_text_file(path): a non-parallel source emitting the lines of one local text file.
#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "eddy/api/stream_execution_environment.h"
#include "eddy/core/exceptions.h"

namespace eddy {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
// The buffer getline() grows as needed; it must be released with free().
struct LineBuffer {
  char* data = nullptr;
  size_t capacity = 0;
  LineBuffer() = default;
  LineBuffer(const LineBuffer&) = delete;
  LineBuffer& operator=(const LineBuffer&) = delete;
  ~LineBuffer() { std::free(data); }
};

// Emits each line without its line ending ("\n" or "\r\n"); a last line without one is emitted
// too, and an empty file emits nothing. The file is opened in open(), so a missing or
// unreadable file fails the job before the first record.
//
// Its read position is the byte offset of the next line, kept in operator state: a checkpoint
// is taken between two lines (in is_running()), so a restored source seeks there and emits the
// lines after the checkpoint, each once. A file that has become shorter than that offset is an
// error, not an empty input.
class TextFileSourceOperator final : public runtime::SourceOperator {
 public:
  TextFileSourceOperator(std::string path, runtime::Output<std::string>* out)
      : path_(std::move(path)), out_(out) {}

  void open(RuntimeContext& ctx) override {
    offset_state_ = &ctx.get_operator_state_store().get_list_state(
        ListStateDescriptor<int64_t>("text-file-source-offset"));
    for (int64_t offset : offset_state_->get()) offset_ = offset;
    file_.reset(std::fopen(path_.c_str(), "re"));  // 'e': close-on-exec
    if (file_ == nullptr) throw_os_error("open");
    if (offset_ > 0) seek_to_restored_offset();
  }

  void run(runtime::SourceRunContext& ctx) override {
    LineBuffer line;
    while (ctx.is_running()) {
      const ssize_t n = ::getline(&line.data, &line.capacity, file_.get());
      if (n < 0) break;
      offset_ += n;  // before the record leaves: no checkpoint can come between the two
      size_t length = static_cast<size_t>(n);
      if (length > 0 && line.data[length - 1] == '\n') --length;
      if (length > 0 && line.data[length - 1] == '\r') --length;
      out_->push(std::string(line.data, length));
    }
    // errno was set by the failed getline(), the last call before.
    if (std::ferror(file_.get())) throw_os_error("read");
  }

  void snapshot_state(runtime::StateSnapshotContext&) override { offset_state_->update({offset_}); }

  void close() override { file_.reset(); }

 private:
  // "cannot <action> text file '<path>': <OS error>", from errno.
  [[noreturn]] void throw_os_error(const char* action) const {
    const int error = errno;
    throw EddyException(
        fmt::format("cannot {} text file '{}': {}", action, path_, std::strerror(error)));
  }

  void seek_to_restored_offset() {
    struct stat st {};
    if (::fstat(::fileno(file_.get()), &st) != 0) throw_os_error("stat");
    if (offset_ > static_cast<int64_t>(st.st_size)) {
      throw EddyException(fmt::format(
          "cannot resume text file '{}' at its checkpointed offset {}: the file has only {} bytes",
          path_, offset_, static_cast<int64_t>(st.st_size)));
    }
    if (::fseeko(file_.get(), static_cast<off_t>(offset_), SEEK_SET) != 0) {
      throw_os_error("seek in");
    }
  }

  std::string path_;
  runtime::Output<std::string>* out_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  ListState<int64_t>* offset_state_ = nullptr;
  int64_t offset_ = 0;  // bytes of the file before the next line to read
};

}  // namespace

DataStream<std::string> StreamExecutionEnvironment::read_text_file(const std::string& path) const {
  if (path.empty()) throw InvalidProgramException("read_text_file: the path is empty");
  return non_parallel_source<std::string>(
      "Source: " + path, [path](const runtime::OperatorOutputs& outputs) {
        return std::make_unique<TextFileSourceOperator>(path, outputs.main_as<std::string>());
      });
}

}  // namespace eddy
