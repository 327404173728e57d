// Implements Scorer::compute_body_norms() of src/query/ranking.hpp.
#include "query/ranking.hpp"

namespace leanspec::detail {

void Scorer::compute_body_norms() {
  const float average = std::max(1.0F, static_cast<float>(index_.average_body_length()));
  body_norms_.resize(index_.spec_count());
  for (std::size_t i = 0; i < body_norms_.size(); ++i)
    body_norms_[i] =
        bm25_k1 * (1.0F - bm25_b + bm25_b * static_cast<float>(index_.body_length(i)) / average);
}

} // namespace leanspec::detail
