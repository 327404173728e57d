#pragma once
// Internal: the scan behind phrase and prefix finding (text_finder.hpp): the first place two
// bytes stand at a fixed distance in a text, a byte at a time or 16 (SSE2) or 32 (AVX2)
// positions a step. Implemented in byte_pair_scan.cpp. Thread-safe: pure functions.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace leanspec::detail {

/// How find_byte_pair() steps through text: a byte at a time, or 16 or 32 positions (x86-64).
enum class ScanLevel : std::uint8_t { scalar, sse2, avx2 };
/// The widest ScanLevel this CPU runs.
ScanLevel best_scan_level() noexcept;
/// The first i >= `from` where text[i] is `first` and text[i + gap] is `second`, both compared
/// ASCII case-insensitively (`first` and `second` are lower-case), or npos. `level` is at most
/// best_scan_level(); every level gives the same answer.
std::size_t find_byte_pair(std::string_view text, std::size_t from, char first, char second,
                           std::size_t gap, ScanLevel level = best_scan_level()) noexcept;

} // namespace leanspec::detail
