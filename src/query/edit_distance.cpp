// Implements src/query/edit_distance.hpp: the vocabulary walked as a trie of code points,
// with the dynamic-programming rows of the edit distance shared along each prefix.
#include "query/edit_distance.hpp"

#include <algorithm>

namespace leanspec::detail {
namespace {

// Code points of `text`; a byte that starts no valid sequence stands for itself.
void decode_utf8(std::string_view text, std::u32string &out) {
  out.clear();
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (p[i + k] & 0xC0u) == 0x80u;
    if (!ok) {
      out.push_back(0x110000u + c); // outside Unicode: never equal to a real code point
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    out.push_back(cp);
    i += len;
  }
}

// The bytes of `text`'s first `count` code points as decode_utf8() reads them, or npos when
// one of them is a byte that starts no valid sequence (it decodes by what follows, so the bytes
// alone do not determine it).
std::size_t utf8_prefix_bytes(std::string_view text, std::size_t count) noexcept {
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  for (std::size_t k = 0; k < count; ++k) {
    if (i >= n)
      return std::string_view::npos;
    const unsigned char c = p[i];
    const std::size_t len = c < 0x80           ? 1
                            : (c >> 5) == 0x6  ? 2
                            : (c >> 4) == 0xE  ? 3
                            : (c >> 3) == 0x1E ? 4
                                               : 0;
    bool ok = len != 0 && i + len <= n;
    for (std::size_t b = 1; ok && b < len; ++b)
      ok = (p[i + b] & 0xC0u) == 0x80u;
    if (!ok)
      return std::string_view::npos;
    i += len;
  }
  return i;
}

// The first term after `term` that does not start with `prefix` (a prefix of term `term`).
std::size_t skip_prefix(const SearchIndex &index, std::size_t term,
                        std::string_view prefix) noexcept {
  std::size_t lo = term + 1, hi = index.term_count();
  // Gallop: most skipped runs are short.
  std::size_t step = 1;
  while (lo < hi) {
    const std::size_t probe = std::min(hi, lo + step) - 1;
    if (!index.term(probe).starts_with(prefix)) {
      hi = probe;
      break;
    }
    lo = probe + 1;
    step *= 2;
  }
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (index.term(mid).starts_with(prefix))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

} // namespace

int edit_distance(std::string_view a, std::string_view b, int bound) {
  std::u32string x, y;
  decode_utf8(a, x);
  decode_utf8(b, y);
  const auto gap = x.size() > y.size() ? x.size() - y.size() : y.size() - x.size();
  if (gap > static_cast<std::size_t>(bound))
    return bound + 1;
  std::vector<int> row(y.size() + 1), next(y.size() + 1);
  for (std::size_t j = 0; j <= y.size(); ++j)
    row[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= x.size(); ++i) {
    next[0] = static_cast<int>(i);
    int best = next[0];
    for (std::size_t j = 1; j <= y.size(); ++j) {
      next[j] = std::min({row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] != y[j - 1])});
      best = std::min(best, next[j]);
    }
    if (best > bound)
      return bound + 1;
    row.swap(next);
  }
  return std::min(row[y.size()], bound + 1);
}

const std::vector<FuzzyTerm> &FuzzyTerms::find(const SearchIndex &index, std::string_view word,
                                               int bound) {
  // Edit distance counts code points. The sorted vocabulary is walked as a trie: a term reuses
  // the dynamic-programming rows of the prefix it shares with the previous term, and when
  // every cell of a row exceeds the bound, no term with that prefix can match, so the walk
  // jumps past all of them (a binary search). Only a few thousand prefixes are ever visited.
  found_.clear();
  decode_utf8(word, query_points_);
  const std::size_t m = query_points_.size();
  const int over = bound + 1;
  const std::size_t width = m + 1;
  // rows_[i * width + j]: distance between the term's first i code points and the query's
  // first j, capped at `over`. Row i exists only while some cell is <= bound, so i <= m + bound
  // + 1.
  const std::size_t max_rows = m + static_cast<std::size_t>(bound) + 2;
  rows_.assign(max_rows * width, over);
  for (std::size_t j = 0; j < width; ++j)
    rows_[j] = std::min(static_cast<int>(j), over);
  term_points_.clear();
  std::size_t valid_rows = 1; // rows_ 0 .. valid_rows - 1 hold term_points_'s prefixes
  const std::size_t count = index.term_count();
  for (std::size_t term = 0; term < count;) {
    const std::string_view text = index.term(term);
    decode_utf8(text, next_points_);
    // Rows shared with the previous term.
    std::size_t common = 0;
    const std::size_t limit = std::min({next_points_.size(), term_points_.size(), valid_rows - 1});
    while (common < limit && next_points_[common] == term_points_[common])
      ++common;
    term_points_.swap(next_points_);
    valid_rows = common + 1;
    bool dead = false;
    std::size_t i = common;
    while (i < term_points_.size()) {
      const char32_t c = term_points_[i];
      const int *previous = &rows_[i * width];
      int *current = &rows_[(i + 1) * width];
      current[0] = std::min(static_cast<int>(i + 1), over);
      int best = current[0];
      for (std::size_t j = 1; j < width; ++j) {
        const int value = std::min({previous[j - 1] + (query_points_[j - 1] == c ? 0 : 1),
                                    previous[j] + 1, current[j - 1] + 1});
        current[j] = std::min(value, over);
        best = std::min(best, current[j]);
      }
      ++i;
      valid_rows = i + 1;
      if (best > bound) {
        dead = true;
        break;
      }
    }
    if (dead) {
      // No term starting with the first i code points matches: skip them all, when those
      // code points are exactly the text's first bytes (a byte that starts no valid
      // sequence decodes by what follows it, so its prefix proves nothing).
      const std::size_t bytes = utf8_prefix_bytes(text, i);
      valid_rows = i; // row i proved nothing further
      term = bytes != std::string_view::npos ? skip_prefix(index, term, text.substr(0, bytes))
                                             : term + 1;
      continue;
    }
    const int distance = rows_[term_points_.size() * width + m];
    if (distance <= bound)
      found_.push_back({term, distance});
    ++term;
  }
  return found_;
}

} // namespace leanspec::detail
