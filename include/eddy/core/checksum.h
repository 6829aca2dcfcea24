// CRC-32 (zlib's) of a byte string: what checkpoint files carry to detect corruption.
#pragma once

#include <cstdint>
#include <string_view>

namespace eddy {

uint32_t crc32_of(std::string_view bytes);

}  // namespace eddy
