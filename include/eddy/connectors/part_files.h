// Names and housekeeping of the FileSink's part files (the protocol is described at the top of
// file_sink.h): the random id that makes a subtask's names unique, the check of bucket ids, and
// the removal of the in-progress parts a failed attempt left behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace eddy::connectors {

// A random (version 4) UUID in its 36-character text form, e.g.
// "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b".
std::string random_uuid();

// Throws EddyException naming `bucket_id` if it contains ".." or starts with '/', i.e. could
// leave the sink's base directory.
void check_bucket_id(const std::string& bucket_id);

// The parts of one writer (uuid, subtask) numbered `from` or higher.
struct AbandonedParts {
  std::string uuid;
  int subtask = 0;
  int64_t from = 0;
};

// Deletes, anywhere under `base_dir` (every bucket), the in-progress files
// `.<prefix>-<uuid>-<subtask>-<counter><suffix>.inprogress` of `parts`. Committed files and
// other writers' files are left alone. Returns how many files it deleted.
int64_t remove_abandoned_parts(const std::string& base_dir, const std::string& prefix,
                               const std::string& suffix, const std::vector<AbandonedParts>& parts);

}  // namespace eddy::connectors
