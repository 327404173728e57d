// Implements src/query/text_finder.hpp: byte rarity, word prefixes and phrases in text.
#include "query/text_finder.hpp"

#include "query/tokens.hpp"

namespace leanspec::detail {

int byte_rarity(unsigned char c) noexcept {
  static constexpr std::string_view common = "etaoinsrhldcumfpgwybvkxjqz"; // most common first
  if (c >= 0x80)
    return 40;
  if (c >= '0' && c <= '9')
    return 30;
  const std::size_t at = common.find(static_cast<char>(c));
  return at == std::string_view::npos ? 0 : static_cast<int>(at);
}

std::size_t find_prefix(std::string_view text, std::string_view prefix) {
  const std::size_t n = text.size(), m = prefix.size();
  if (m == 0 || n < m)
    return std::string_view::npos;
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const BytePair pair = BytePair::of(prefix);
  for (std::size_t hit = pair.find(text, pair.offset); hit != std::string_view::npos;
       hit = pair.find(text, hit + 1)) {
    const std::size_t pos = hit - pair.offset;
    if (pos + m <= n && equals_folded(text.substr(pos, m), prefix) &&
        (pos == 0 || !is_token_byte(p[pos - 1])))
      return pos;
  }
  return std::string_view::npos;
}

std::size_t PhraseMatcher::find(std::string_view text) const noexcept {
  const std::vector<std::string> &tokens = *tokens_;
  const std::string &a = tokens[anchor_];
  const std::size_t n = text.size(), m = a.size();
  if (n < m)
    return std::string_view::npos;
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  for (std::size_t hit = pair_.find(text, pair_.offset); hit != std::string_view::npos;
       hit = pair_.find(text, hit + 1)) {
    const std::size_t pos = hit - pair_.offset;
    if (pos + m > n || !equals_folded(text.substr(pos, m), a))
      continue;
    if ((pos > 0 && is_token_byte(p[pos - 1])) || (pos + m < n && is_token_byte(p[pos + m])))
      continue; // inside a longer token
    // Tokens before the anchor, walking back.
    std::size_t start = pos;
    bool ok = true;
    for (std::size_t t = anchor_; ok && t-- > 0;) {
      std::size_t end = start;
      while (end > 0 && !is_token_byte(p[end - 1]))
        --end;
      std::size_t begin = end;
      while (begin > 0 && is_token_byte(p[begin - 1]))
        --begin;
      ok = begin < end && equals_folded(text.substr(begin, end - begin), tokens[t]);
      start = begin;
    }
    // Tokens after it, walking forward.
    std::size_t end = pos + m;
    for (std::size_t t = anchor_ + 1; ok && t < tokens.size(); ++t) {
      std::size_t begin = end;
      while (begin < n && !is_token_byte(p[begin]))
        ++begin;
      end = begin;
      while (end < n && is_token_byte(p[end]))
        ++end;
      ok = begin < end && equals_folded(text.substr(begin, end - begin), tokens[t]);
    }
    if (ok)
      return start;
  }
  return std::string_view::npos;
}

} // namespace leanspec::detail
