// Implements best_scan_level() and find_byte_pair() of src/query/byte_pair_scan.hpp: the scan for
// two bytes at a fixed distance, a byte at a time or 16 (SSE2) or 32 (AVX2) positions a step.
#include "query/byte_pair_scan.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace leanspec::detail {

namespace {

// What find_byte_pair() compares: a text byte c matches `first` when (c | first_fold) == first,
// where first_fold is 0x20 for a letter (so either case matches) and 0 for any other byte.
struct PairNeedle {
  unsigned char first, second, first_fold, second_fold;
  std::size_t gap;

  PairNeedle(char a, char b, std::size_t distance) noexcept
      : first(static_cast<unsigned char>(a)), second(static_cast<unsigned char>(b)),
        first_fold(fold_mask(a)), second_fold(fold_mask(b)), gap(distance) {}
  static unsigned char fold_mask(char c) noexcept { return c >= 'a' && c <= 'z' ? 0x20 : 0; }

  bool matches_at(const unsigned char *p, std::size_t i) const noexcept {
    return (p[i] | first_fold) == first && (p[i + gap] | second_fold) == second;
  }
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LEANSPEC_SCAN_X86 1

// The first i in [i, end) where the needle matches, when it is in a 16-position step that fits
// before `end`; else where the steps stopped (the caller tests the rest a byte at a time).
std::size_t scan_sse2(const unsigned char *p, std::size_t i, std::size_t end,
                      const PairNeedle &needle) noexcept {
  const __m128i first = _mm_set1_epi8(static_cast<char>(needle.first));
  const __m128i second = _mm_set1_epi8(static_cast<char>(needle.second));
  const __m128i first_fold = _mm_set1_epi8(static_cast<char>(needle.first_fold));
  const __m128i second_fold = _mm_set1_epi8(static_cast<char>(needle.second_fold));
  for (; i + 16 <= end; i += 16) {
    const __m128i x =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i)), first_fold);
    const __m128i y = _mm_or_si128(
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i + needle.gap)), second_fold);
    const auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, first), _mm_cmpeq_epi8(y, second))));
    if (mask != 0)
      return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return i;
}

// The same, 32 positions a step, on a CPU with AVX2.
__attribute__((target("avx2"))) std::size_t scan_avx2(const unsigned char *p, std::size_t i,
                                                      std::size_t end,
                                                      const PairNeedle &needle) noexcept {
  const __m256i first = _mm256_set1_epi8(static_cast<char>(needle.first));
  const __m256i second = _mm256_set1_epi8(static_cast<char>(needle.second));
  const __m256i first_fold = _mm256_set1_epi8(static_cast<char>(needle.first_fold));
  const __m256i second_fold = _mm256_set1_epi8(static_cast<char>(needle.second_fold));
  for (; i + 32 <= end; i += 32) {
    const __m256i x =
        _mm256_or_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + i)), first_fold);
    const __m256i y = _mm256_or_si256(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + i + needle.gap)), second_fold);
    const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(
        _mm256_and_si256(_mm256_cmpeq_epi8(x, first), _mm256_cmpeq_epi8(y, second))));
    if (mask != 0)
      return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return i;
}
#endif

} // namespace

ScanLevel best_scan_level() noexcept {
#ifdef LEANSPEC_SCAN_X86
  static const ScanLevel best =
      __builtin_cpu_supports("avx2") ? ScanLevel::avx2 : ScanLevel::sse2; // x86-64 has SSE2
  return best;
#else
  return ScanLevel::scalar;
#endif
}

std::size_t find_byte_pair(std::string_view text, std::size_t from, char first, char second,
                           std::size_t gap, ScanLevel level) noexcept {
  if (text.size() <= gap)
    return std::string_view::npos;
  const PairNeedle needle(first, second, gap);
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t end = text.size() - gap; // the first byte is before it
  std::size_t i = from;
#ifdef LEANSPEC_SCAN_X86
  if (level == ScanLevel::avx2)
    i = scan_avx2(p, i, end, needle);
  else if (level == ScanLevel::sse2)
    i = scan_sse2(p, i, end, needle);
#else
  (void)level;
#endif
  for (; i < end; ++i)
    if (needle.matches_at(p, i))
      return i;
  return std::string_view::npos;
}

} // namespace leanspec::detail
