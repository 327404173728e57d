#pragma once
// Internal: tokens, the unit the search index and the query language share. A token is a
// maximal run of ASCII letters and digits and of non-ASCII bytes (so a UTF-8 sequence is never
// split); it is compared ASCII-lower-cased. Everything else separates. Implemented in
// tokens.cpp. Thread-safe: pure functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace leanspec::detail {

/// True for a byte that belongs to a token.
constexpr bool is_token_byte(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
/// ASCII lower-casing of one byte; other bytes are unchanged.
constexpr char fold_byte(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// The ASCII lower-case copy of `text`.
std::string fold(std::string_view text);
/// True when `raw` lower-cased equals `folded` (which is already lower-case).
bool equals_folded(std::string_view raw, std::string_view folded) noexcept;
/// True when `raw` lower-cased starts with `folded`.
bool starts_with_folded(std::string_view raw, std::string_view folded) noexcept;

/// Calls `f(offset, size)` for each token of `text`, in order. When `f` returns bool, false stops
/// the walk (and for_each_token returns false).
template <class F> bool for_each_token(std::string_view text, F &&f) {
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    while (i < n && !is_token_byte(p[i]))
      ++i;
    if (i == n)
      break;
    const std::size_t begin = i;
    while (i < n && is_token_byte(p[i]))
      ++i;
    if constexpr (std::is_same_v<std::invoke_result_t<F &, std::size_t, std::size_t>, bool>) {
      if (!f(begin, i - begin))
        return false;
    } else {
      f(begin, i - begin);
    }
  }
  return true;
}
/// The lower-cased tokens of `text`.
std::vector<std::string> tokenize(std::string_view text);

} // namespace leanspec::detail
