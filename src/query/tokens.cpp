// Implements src/query/tokens.hpp: folding, comparing and splitting text
// into the lower-cased tokens the index and the query language share.
#include "query/tokens.hpp"

namespace leanspec::detail {

std::string fold(std::string_view text) {
  std::string out(text);
  for (char &c : out)
    c = fold_byte(c);
  return out;
}

bool equals_folded(std::string_view raw, std::string_view folded) noexcept {
  if (raw.size() != folded.size())
    return false;
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (fold_byte(raw[i]) != folded[i])
      return false;
  return true;
}

bool starts_with_folded(std::string_view raw, std::string_view folded) noexcept {
  return raw.size() >= folded.size() && equals_folded(raw.substr(0, folded.size()), folded);
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  for_each_token(text, [&](std::size_t begin, std::size_t size) {
    out.push_back(fold(text.substr(begin, size)));
  });
  return out;
}

} // namespace leanspec::detail
