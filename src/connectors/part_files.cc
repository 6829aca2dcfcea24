#include "eddy/connectors/part_files.h"

#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "eddy/core/exceptions.h"

namespace eddy::connectors {

std::string random_uuid() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  uint64_t high = random();
  uint64_t low = random();
  high = (high & ~uint64_t{0xF000}) | uint64_t{0x4000};          // version 4
  low = (low & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 10xx
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFull);
}

void check_bucket_id(const std::string& bucket_id) {
  if (bucket_id.find("..") != std::string::npos || bucket_id.starts_with("/")) {
    throw EddyException(fmt::format(
        "FileSink: bucket id '{}' must not contain '..' or start with '/' (a bucket is a "
        "directory under the base directory)",
        bucket_id));
  }
}

int64_t remove_abandoned_parts(const std::string& base_dir, const std::string& prefix,
                               const std::string& suffix,
                               const std::vector<AbandonedParts>& parts) {
  if (parts.empty()) return 0;
  const std::string tail = suffix + ".inprogress";
  std::vector<std::string> heads;
  for (const AbandonedParts& writer : parts) {
    heads.push_back(fmt::format(".{}-{}-{}-", prefix, writer.uuid, writer.subtask));
  }
  std::error_code ec;
  std::vector<std::filesystem::path> doomed;
  for (auto it = std::filesystem::recursive_directory_iterator(base_dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string file = it->path().filename().string();
    if (!file.ends_with(tail)) continue;
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string& head = heads[i];
      if (file.size() <= head.size() + tail.size() || !file.starts_with(head)) continue;
      const std::string digits = file.substr(head.size(), file.size() - head.size() - tail.size());
      if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 18) {
        continue;
      }
      if (std::stoll(digits) >= parts[i].from) doomed.push_back(it->path());
    }
  }
  if (ec) {
    throw EddyException(
        fmt::format("FileSink: cannot list the parts under '{}': {}", base_dir, ec.message()));
  }
  for (const std::filesystem::path& path : doomed) {
    if (!std::filesystem::remove(path, ec) && ec) {
      throw EddyException(fmt::format("FileSink: cannot delete the abandoned part '{}': {}",
                                      path.string(), ec.message()));
    }
  }
  return static_cast<int64_t>(doomed.size());
}

}  // namespace eddy::connectors
