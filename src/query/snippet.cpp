// Implements first_highlight() of src/query/snippet.hpp and make_snippet() of
// src/query/search.hpp: where a hit's snippet starts, and the snippet itself.
#include "query/snippet.hpp"

#include "query/search.hpp"
#include "query/tokens.hpp"

#include <algorithm>

namespace leanspec::detail {
namespace {

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u; }

} // namespace

std::size_t first_highlight(std::string_view body, const Highlights &h) {
  std::size_t found = std::string_view::npos;
  for (const auto &prefix : h.prefixes)
    found = std::min(
        found, find_prefix(body.substr(0, found == std::string_view::npos ? body.size()
                                                                          : found + prefix.size()),
                           prefix));
  if (!h.exact.empty()) {
    std::string folded;
    for_each_token(body, [&](std::size_t offset, std::size_t size) {
      if (offset >= found)
        return false;
      folded.assign(body.substr(offset, size));
      for (char &c : folded)
        c = fold_byte(c);
      if (std::binary_search(h.exact.begin(), h.exact.end(), std::string_view(folded))) {
        found = offset;
        return false;
      }
      return true;
    });
  }
  for (const auto &phrase : h.phrases)
    found = std::min(found, phrase.find(body));
  return found;
}

std::string make_snippet(std::string_view body, std::size_t offset) {
  constexpr std::size_t width = 160; // bytes of text, before the ellipses
  constexpr std::size_t lead = 40;   // bytes of context before the match
  constexpr std::size_t word_slack = 24;
  static constexpr std::string_view ellipsis = "\xE2\x80\xA6"; // …
  offset = std::min(offset, body.size());

  std::size_t start = offset > lead ? offset - lead : 0;
  if (start > 0) {
    // Start at a word: after the first blank before the match, else at a UTF-8 boundary.
    std::size_t blank = start;
    while (blank < offset && !is_blank(body[blank]))
      ++blank;
    start = blank < offset ? blank : start;
    while (start < offset && is_continuation(body[start]))
      ++start;
  }

  std::string out;
  out.reserve(width + 8);
  bool pending_space = false, cut = false;
  std::size_t i = start;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (is_blank(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (out.size() + (pending_space ? 1 : 0) >= width && !is_continuation(c)) {
      cut = true;
      break;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
  }
  if (cut) {
    // Prefer ending at a word boundary when one is near.
    const std::size_t space = out.rfind(' ');
    if (space != std::string::npos && space + word_slack >= out.size() && space > 0)
      out.resize(space);
    out += ellipsis;
  }
  bool text_before = false;
  for (std::size_t k = 0; k < start && !text_before; ++k)
    text_before = !is_blank(body[k]);
  if (text_before && !out.empty())
    out.insert(0, ellipsis);
  return out;
}

} // namespace leanspec::detail
