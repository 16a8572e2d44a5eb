// CRC-32C (Castagnoli), as the WAL, chunk files, block index and the
// Alertmanager state files checksum their records. Uses the SSE4.2
// instruction when the CPU has it.
#pragma once

#include <cstdint>
#include <string_view>

namespace pharos {

// CRC-32C of `data`, continuing from `crc` (0 for a fresh checksum).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace pharos
