// A fresh directory under the system's temporary directory, named after the test (`prefix`) and
// made unique by mkdtemp, removed with all its contents when the object goes.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace eddy::testing {

struct TempDir {
  explicit TempDir(const std::string& prefix) {
    std::string pattern = std::filesystem::temp_directory_path() / (prefix + "-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
    }
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;  // a leftover temp directory must not fail the test
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path;
};

}  // namespace eddy::testing
