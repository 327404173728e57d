// Implements src/query/edit_distance.hpp: decoding UTF-8 into the code points fuzzy matching
// compares.
#include "query/edit_distance.hpp"

namespace leanspec::detail {

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

} // namespace leanspec::detail
