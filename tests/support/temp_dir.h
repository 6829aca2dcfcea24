// A fresh directory under the system's temporary directory, named after the test (`prefix`),
// the process, the time and a counter, and removed with all its contents when the object goes.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

namespace eddy::testing {

struct TempDir {
  explicit TempDir(const std::string& prefix)
      : path(std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-" +
              std::to_string(next_number()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path;

 private:
  static int next_number() {
    static std::atomic<int> counter{0};
    return counter++;
  }
};

}  // namespace eddy::testing
