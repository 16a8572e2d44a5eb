// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected), the checksum of WAL
// records and block files. Uses the SSE4.2 crc32 instruction when the CPU has
// it and a slicing-by-8 table otherwise; both give the same values.
#pragma once

#include <cstdint>
#include <string_view>

namespace pharos::disk {

// The CRC of `data` continuing from `crc` (0 to start): Crc32c(a+b) ==
// Crc32c(b, Crc32c(a)).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace pharos::disk
