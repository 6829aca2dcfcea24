// read_text_file(path): a non-parallel source emitting the lines of one local text file.
#include <sys/types.h>

#include <cerrno>
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
class TextFileSourceOperator final : public runtime::SourceOperator {
 public:
  TextFileSourceOperator(std::string path, runtime::Output<std::string>* out)
      : path_(std::move(path)), out_(out) {}

  void open(RuntimeContext&) override {
    file_.reset(std::fopen(path_.c_str(), "re"));  // 'e': close-on-exec
    if (file_ == nullptr) {
      const int error = errno;
      throw EddyException(
          fmt::format("cannot open text file '{}': {}", path_, std::strerror(error)));
    }
  }

  void run(runtime::SourceRunContext& ctx) override {
    LineBuffer line;
    while (ctx.is_running()) {
      const ssize_t n = ::getline(&line.data, &line.capacity, file_.get());
      if (n < 0) break;
      size_t length = static_cast<size_t>(n);
      if (length > 0 && line.data[length - 1] == '\n') --length;
      if (length > 0 && line.data[length - 1] == '\r') --length;
      out_->push(std::string(line.data, length));
    }
    if (std::ferror(file_.get())) {
      const int error = errno;  // set by the failed getline(), the last call before
      throw EddyException(
          fmt::format("cannot read text file '{}': {}", path_, std::strerror(error)));
    }
  }

  void close() override { file_.reset(); }

 private:
  std::string path_;
  runtime::Output<std::string>* out_;
  std::unique_ptr<std::FILE, FileCloser> file_;
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
