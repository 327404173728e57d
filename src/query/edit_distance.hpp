#pragma once
// Internal: fuzzy matching, the terms of a SearchIndex's vocabulary within an edit distance of a
// word, counted in code points (UTF-8 decoded; a byte that starts no valid sequence stands for
// itself). Used by the evaluator's fuzzy terms (evaluator.cpp). Single-thread: a FuzzyTerms
// reuses its buffers from call to call.

#include "query/search_index.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

/// A term of the vocabulary and its edit distance from the word.
struct FuzzyTerm {
  std::size_t term = 0;
  int distance = 0;
};

/// The edit distance between `a` and `b` in code points (as FuzzyTerms counts it), or
/// `bound` + 1 when it exceeds `bound` (0 <= bound <= 2). For vocabularies not held in a
/// SearchIndex (the database's).
int edit_distance(std::string_view a, std::string_view b, int bound);

class FuzzyTerms {
public:
  /// The terms of `index` within `bound` edits of `word` (0 <= bound <= 2), in vocabulary
  /// order. Valid until the next call.
  const std::vector<FuzzyTerm> &find(const SearchIndex &index, std::string_view word, int bound);

private:
  std::u32string query_points_, term_points_, next_points_;
  std::vector<int> rows_; // the walk's dynamic-programming rows
  std::vector<FuzzyTerm> found_;
};

} // namespace leanspec::detail
