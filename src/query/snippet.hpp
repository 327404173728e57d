#pragma once
// Internal: where a hit's snippet starts. The evaluator (evaluator.cpp) collects the query's
// positive body terms as Highlights; first_highlight() finds the first of them in a body, and
// make_snippet() (search.hpp) cuts the text around it. Implemented in snippet.cpp.

#include "query/text_finder.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

// Positive body terms of the query, to place the snippet.
struct Highlights {
  std::vector<std::string> prefixes;   // words: a token starting with one
  std::vector<std::string_view> exact; // fuzzy expansions (index vocabulary), sorted
  std::vector<PhraseMatcher> phrases;
};

/// The offset of the first place in `body` where one of `h` matches, or npos.
std::size_t first_highlight(std::string_view body, const Highlights &h);

} // namespace leanspec::detail
