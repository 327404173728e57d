#pragma once
// Internal: evaluation of a parsed Query against a SearchIndex and the specs it was built
// over: which specs match, with what score (ranking.hpp), and the query's body terms to place
// snippets by. run_search() (search.cpp) filters, orders and cuts the result. Implemented in
// evaluator.cpp.

#include "query/match_set.hpp"
#include "query/search_index.hpp"
#include "query/snippet.hpp"

#include <leanspec/spec.hpp>
#include <vector>

namespace leanspec::detail {

struct Query;

/// What evaluate() found.
struct Evaluation {
  Matches matches;       ///< by ascending spec index
  Highlights highlights; ///< `exact` not yet sorted
};

/// The specs of `specs` matching `query` (all of them for an empty query) with their scores.
/// `index` was built over `specs`; the result refers to `query` and `index`, which must outlive it.
Evaluation evaluate(const std::vector<SpecPtr> &specs, const SearchIndex &index,
                    const Query &query);

} // namespace leanspec::detail
