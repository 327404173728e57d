// Implements SearchIndex of src/query/search_index.hpp: vocabulary lookups and memory use.
#include "query/search_index.hpp"

namespace leanspec::detail {

std::pair<std::size_t, std::size_t>
SearchIndex::prefix_range(std::string_view prefix) const noexcept {
  std::size_t lo = 0, hi = term_count();
  // First term >= prefix.
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (term(mid) < prefix)
      lo = mid + 1;
    else
      hi = mid;
  }
  const std::size_t first = lo;
  hi = term_count();
  // First term not starting with prefix (all terms in [first, end) are >= prefix).
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (term(mid).substr(0, prefix.size()) == prefix)
      lo = mid + 1;
    else
      hi = mid;
  }
  return {first, lo};
}

std::size_t SearchIndex::find(std::string_view token) const noexcept {
  const auto [first, last] = prefix_range(token);
  return first < last && term(first) == token ? first : term_count();
}

std::size_t SearchIndex::memory_usage() const noexcept {
  return sizeof(*this) + terms_.capacity() + term_offsets_.capacity() * sizeof(std::uint32_t) +
         postings_size_ + posting_offsets_.capacity() * sizeof(std::uint32_t) +
         body_lengths_.capacity() * sizeof(std::uint32_t);
}

} // namespace leanspec::detail
