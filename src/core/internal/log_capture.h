// LogCapture: keeps a copy of every log line written while it lives, formatted as on stderr
// (without the newline). Lets tests check what was logged without redirecting stderr.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace eddy::logging_internal {

class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> lines() const;

 private:
  struct Sink;
  std::shared_ptr<Sink> sink_;
};

}  // namespace eddy::logging_internal
