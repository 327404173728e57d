#pragma once
// Internal: the set of specs a query node matches, each with its score (Matches, by ascending
// spec index), and the set algebra that combines them: AND intersects, OR unites, NOT
// subtracts. Implemented in match_set.cpp; used by the evaluator (evaluator.cpp).

#include <cstdint>
#include <vector>

namespace leanspec::detail {

struct Scored {
  std::uint32_t spec = 0;
  float score = 0;
  bool body = false; // some of the score comes from the body (snippet looks there)
};
using Matches = std::vector<Scored>; // by ascending spec

/// The specs in both, their scores added.
Matches intersect(const Matches &a, const Matches &b);
/// The specs in either, the scores of those in both added.
Matches unite(const Matches &a, const Matches &b);
/// The specs of `a` not in `b`, with their scores from `a`.
Matches subtract(const Matches &a, const Matches &b);

} // namespace leanspec::detail
