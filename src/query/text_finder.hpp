#pragma once
// Internal: finding a word prefix or a phrase in text by the rarest byte pair of its tokens
// (find_byte_pair() of byte_pair_scan.hpp does the scanning). Used to verify phrase candidates
// (evaluator.cpp) and to place snippets (snippet.cpp). Implemented in text_finder.cpp.
//
// Phrases (to verify a candidate, to place a snippet) and word prefixes (snippets) are found by
// scanning the text for two bytes of one token at their distance apart, ASCII case-insensitively,
// 16 or 32 positions per step (find_byte_pair), and comparing in full only where both match. One
// byte alone stops the scan too often (even `x` of "index" is in "export", "example", "context",
// ...); the token's two rarest bytes at their distance rule out nearly every other position.

#include "query/byte_pair_scan.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

// How rare a byte is in English technical text (higher: rarer).
int byte_rarity(unsigned char c) noexcept;

// Two bytes of a lower-case token to look for: `first` at `offset` and `second` at
// `offset + gap` (the same byte when the token has one).
struct BytePair {
  std::size_t offset = 0, gap = 0;
  char first = 0, second = 0;

  /// The rarest two bytes of `token`, which is not empty.
  static BytePair of(std::string_view token) noexcept {
    const auto rarity = [&](std::size_t i) {
      return byte_rarity(static_cast<unsigned char>(token[i]));
    };
    std::size_t a = 0;
    for (std::size_t i = 1; i < token.size(); ++i)
      if (rarity(i) > rarity(a))
        a = i;
    std::size_t b = a;
    for (std::size_t i = 0; i < token.size(); ++i)
      if (i != a && (b == a || rarity(i) > rarity(b)))
        b = i;
    const std::size_t lo = std::min(a, b), hi = std::max(a, b);
    return {lo, hi - lo, token[lo], token[hi]};
  }
  /// How rare the pair is (higher: rarer), to choose among tokens.
  int rarity() const noexcept {
    const int r = byte_rarity(static_cast<unsigned char>(first));
    return gap == 0 ? r : r + byte_rarity(static_cast<unsigned char>(second));
  }
  /// The first position >= `from` where the pair's first byte can be, or npos.
  std::size_t find(std::string_view text, std::size_t from) const noexcept {
    return find_byte_pair(text, from, first, second, gap);
  }
};

// The offset of the first token of `text` that starts with `prefix` (lower-case), or npos.
std::size_t find_prefix(std::string_view text, std::string_view prefix);

// Finds a phrase's tokens as adjacent tokens of a text, ASCII case-insensitively: looks for the
// rarest byte pair of one of its tokens (the anchor), then checks the token it stands in and the
// tokens around it.
class PhraseMatcher {
public:
  explicit PhraseMatcher(const std::vector<std::string> &tokens) : tokens_(&tokens) {
    for (std::size_t t = 0; t < tokens.size(); ++t) {
      const BytePair pair = BytePair::of(tokens[t]);
      if (t == 0 || pair.rarity() > pair_.rarity()) {
        anchor_ = t;
        pair_ = pair;
      }
    }
  }

  const std::vector<std::string> &tokens() const noexcept { return *tokens_; }
  /// The offset of the phrase's first token in `text`, or npos.
  std::size_t find(std::string_view text) const noexcept;

private:
  const std::vector<std::string> *tokens_;
  std::size_t anchor_ = 0; // the token holding the rarest pair
  BytePair pair_;          // and that pair
};

} // namespace leanspec::detail
