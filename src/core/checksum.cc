#include "eddy/core/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace eddy {

uint32_t crc32_of(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!bytes.empty()) {
    // zlib takes a uInt length: feed larger inputs in pieces.
    const size_t n = std::min<size_t>(bytes.size(), UINT_MAX);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace eddy
