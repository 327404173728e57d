#pragma once
// Internal: how a match scores. A field's weight times the term's inverse document frequency;
// the body counts by a saturating BM25 term frequency (at most k1 + 1 = 2.2), so title and tag
// matches stay above body matches. Used by the evaluator (evaluator.cpp); the body lengths'
// norms are computed in ranking.cpp. Single-thread: a Scorer caches them for one search.

#include "query/search_index.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace leanspec::detail {

constexpr float title_weight = 10.0F;
constexpr float tag_weight = 5.0F;
constexpr float id_weight = 5.0F;
constexpr float bm25_k1 = 1.2F;
constexpr float bm25_b = 0.75F;
constexpr float prefix_factor = 0.7F;                 // a token the word is only a prefix of
constexpr float fuzzy_factor[3] = {1.0F, 0.6F, 0.4F}; // by edit distance

/// Scores matches against one index (which must outlive it).
class Scorer {
public:
  explicit Scorer(const SearchIndex &index) noexcept : index_(index) {}

  /// The inverse document frequency of term `term`.
  float idf(std::size_t term) const noexcept {
    const auto n = static_cast<float>(index_.spec_count());
    const auto df = static_cast<float>(index_.document_frequency(term));
    return std::log(1.0F + (n - df + 0.5F) / (df + 0.5F));
  }

  /// The weight of a match in `fields` of spec `spec` (the body by saturated BM25 tf).
  float field_score(std::uint8_t fields, std::uint8_t body_tf, std::uint32_t spec) {
    static constexpr std::array<float, 8> weights = [] {
      std::array<float, 8> w{};
      for (std::size_t f = 0; f < w.size(); ++f)
        w[f] = ((f & SearchIndex::in_title) ? title_weight : 0.0F) +
               ((f & SearchIndex::in_tags) ? tag_weight : 0.0F) +
               ((f & SearchIndex::in_id) ? id_weight : 0.0F);
      return w;
    }();
    float score = weights[fields & 7u];
    if ((fields & SearchIndex::in_body) && body_tf > 0) {
      if (body_norms_.empty())
        compute_body_norms();
      const float tf = body_tf;
      score += tf * (bm25_k1 + 1.0F) / (tf + body_norms_[spec]);
    }
    return score;
  }

private:
  /// k1 * (1 - b + b * length / average length), per spec, computed once per search.
  void compute_body_norms();

  const SearchIndex &index_;
  std::vector<float> body_norms_;
};

} // namespace leanspec::detail
