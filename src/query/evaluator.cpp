// Implements src/query/evaluator.hpp: the Evaluator walks a query tree bottom-up over the
// index's postings, verifies phrases in the text, tests field filters on the specs, and scores.
#include "query/evaluator.hpp"

#include "query/edit_distance.hpp"
#include "query/query_ast.hpp"
#include "query/ranking.hpp"
#include "query/tokens.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace leanspec::detail {
namespace {

bool all_digits(std::string_view text) noexcept {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool date_matches(const std::optional<Timestamp> &t, const QueryNode &node) noexcept {
  if (!t)
    return false;
  switch (node.op) {
  case DateOp::eq:
    return *t >= node.from.at && *t < node.from.end();
  case DateOp::lt:
    return *t < node.from.at;
  case DateOp::le:
    return *t < node.from.end();
  case DateOp::gt:
    return *t >= node.from.end();
  case DateOp::ge:
    return *t >= node.from.at;
  case DateOp::range:
    return *t >= node.from.at && *t < node.to.end();
  }
  return false;
}

// True when a field filter node holds for `spec`.
bool field_matches(const Spec &spec, const QueryNode &node) noexcept {
  switch (node.kind) {
  case NodeKind::status:
    return spec.status == node.status;
  case NodeKind::priority:
    return spec.priority == node.priority;
  case NodeKind::tag:
    return std::any_of(spec.tags.begin(), spec.tags.end(),
                       [&](const std::string &tag) { return equals_folded(tag, node.text); });
  case NodeKind::assignee:
    return equals_folded(spec.assignee, node.text);
  case NodeKind::id: {
    if (equals_folded(spec.id, node.text) || equals_folded(spec.slug, node.text))
      return true;
    if (!all_digits(node.text) || spec.number < 0)
      return false;
    int number = 0;
    const auto [end, error] =
        std::from_chars(node.text.data(), node.text.data() + node.text.size(), number);
    return error == std::errc() && end == node.text.data() + node.text.size() &&
           number == spec.number;
  }
  case NodeKind::created:
    return date_matches(spec.created_time(), node);
  case NodeKind::updated:
    return date_matches(spec.updated_time(), node);
  default:
    return false;
  }
}

// --- Evaluation -----------------------------------------------------------------------------

class Evaluator {
public:
  Evaluator(const std::vector<SpecPtr> &specs, const SearchIndex &index)
      : specs_(specs), index_(index), scorer_(index), score_(specs.size()), state_(specs.size()) {}

  Highlights highlights;

  // The specs matching `node` with their scores. Specs outside `within` (when given) may be
  // left out: the caller intersects with it. `positive`: not under an odd number of NOTs.
  Matches eval(const QueryNode &node, bool positive, const Matches *within) {
    switch (node.kind) {
    case NodeKind::word:
    case NodeKind::phrase:
      if (node.tokens.empty())
        return everything(within);
      if (node.tokens.size() > 1)
        return phrase(node, positive, within);
      return word(node, positive);
    case NodeKind::fuzzy:
      return fuzzy(node, positive);
    case NodeKind::not_op:
      return subtract(everything(within), eval(node.children.front(), !positive, within));
    case NodeKind::and_op:
      return conjunction(node, positive, within);
    case NodeKind::or_op: {
      Matches out;
      for (const auto &child : node.children)
        out = unite(out, eval(child, positive, within));
      return out;
    }
    default:
      return fields(node, within);
    }
  }

  Matches everything(const Matches *within) const {
    Matches out;
    if (within) {
      out.reserve(within->size());
      for (const Scored &s : *within)
        out.push_back({s.spec, 0, false});
      return out;
    }
    out.resize(specs_.size());
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i].spec = static_cast<std::uint32_t>(i);
    return out;
  }

private:
  // Adds every posting of `term` (masked to `mask`) with `factor`, keeping each spec's best.
  void accumulate(std::size_t term, std::uint8_t mask, float factor) {
    const float weight = factor * scorer_.idf(term);
    index_.for_each_posting(term, [&](const SearchIndex::Posting &p) {
      const auto fields = static_cast<std::uint8_t>(p.fields & mask);
      if (!fields)
        return;
      const float score = weight * scorer_.field_score(fields, p.body_tf, p.spec);
      std::uint8_t &state = state_[p.spec];
      if (!state) {
        touched_.push_back(p.spec);
        score_[p.spec] = score;
      } else {
        score_[p.spec] = std::max(score_[p.spec], score);
      }
      state = static_cast<std::uint8_t>(state | 1u | ((fields & SearchIndex::in_body) ? 2u : 0u));
    });
  }

  Matches collect() {
    std::sort(touched_.begin(), touched_.end());
    Matches out;
    out.reserve(touched_.size());
    for (const std::uint32_t spec : touched_) {
      out.push_back({spec, score_[spec], (state_[spec] & 2u) != 0});
      state_[spec] = 0;
    }
    touched_.clear();
    return out;
  }

  static std::uint8_t mask_of(const QueryNode &node) noexcept {
    return node.title_only ? SearchIndex::in_title : 0x0f;
  }

  Matches word(const QueryNode &node, bool positive) {
    const std::string &token = node.tokens.front();
    if (node.kind == NodeKind::phrase) { // a quoted single word matches exactly
      const std::size_t term = index_.find(token);
      if (term != index_.term_count())
        accumulate(term, mask_of(node), 1.0F);
      if (positive && !node.title_only)
        highlights.phrases.emplace_back(node.tokens);
      return collect();
    }
    const auto [first, last] = index_.prefix_range(token);
    for (std::size_t term = first; term < last; ++term)
      accumulate(term, mask_of(node),
                 index_.term(term).size() == token.size() ? 1.0F : prefix_factor);
    if (positive && !node.title_only)
      highlights.prefixes.push_back(token);
    return collect();
  }

  Matches fuzzy(const QueryNode &node, bool positive) {
    for (const FuzzyTerm &match : fuzzy_terms_.find(index_, node.text, node.distance)) {
      accumulate(match.term, mask_of(node), fuzzy_factor[match.distance]);
      if (positive && !node.title_only)
        highlights.exact.push_back(index_.term(match.term));
    }
    return collect();
  }

  struct Candidate {
    std::uint32_t spec;
    std::uint8_t fields;
    std::uint8_t body_tf;
  };

  Matches phrase(const QueryNode &node, bool positive, const Matches *within) {
    // Candidates: specs holding every token in a common field, then verified in the text.
    std::vector<std::size_t> terms;
    float weight = 0;
    for (const auto &token : node.tokens) {
      const std::size_t term = index_.find(token);
      if (term == index_.term_count())
        return {};
      terms.push_back(term);
      weight += scorer_.idf(term);
    }
    std::sort(terms.begin(), terms.end(), [&](std::size_t a, std::size_t b) {
      return index_.document_frequency(a) < index_.document_frequency(b);
    });
    std::vector<Candidate> candidates, next;
    const std::uint8_t mask = mask_of(node);
    std::size_t w = 0;
    index_.for_each_posting(terms.front(), [&](const SearchIndex::Posting &p) {
      if (within) {
        while (w < within->size() && (*within)[w].spec < p.spec)
          ++w;
        if (w == within->size() || (*within)[w].spec != p.spec)
          return;
      }
      if (p.fields & mask)
        candidates.push_back({p.spec, static_cast<std::uint8_t>(p.fields & mask), p.body_tf});
    });
    for (std::size_t t = 1; t < terms.size() && !candidates.empty(); ++t) {
      next.clear();
      std::size_t i = 0;
      index_.for_each_posting(terms[t], [&](const SearchIndex::Posting &p) {
        while (i < candidates.size() && candidates[i].spec < p.spec)
          ++i;
        if (i == candidates.size() || candidates[i].spec != p.spec)
          return;
        const auto fields = static_cast<std::uint8_t>(candidates[i].fields & p.fields);
        if (fields)
          next.push_back({p.spec, fields, std::min(candidates[i].body_tf, p.body_tf)});
      });
      candidates.swap(next);
    }

    Matches out;
    const PhraseMatcher matcher(node.tokens);
    // The specs are scattered in memory: fetch the candidates' Spec objects, then their bodies'
    // first bytes, a few candidates ahead, so the misses overlap the scanning.
    constexpr std::size_t spec_ahead = 8, body_ahead = 4;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      if (k + spec_ahead < candidates.size())
        __builtin_prefetch(&specs_[candidates[k + spec_ahead].spec]->body);
      if (k + body_ahead < candidates.size())
        __builtin_prefetch(specs_[candidates[k + body_ahead].spec]->body.data());
      const Candidate &c = candidates[k];
      const Spec &spec = *specs_[c.spec];
      std::uint8_t verified = 0;
      if ((c.fields & SearchIndex::in_title) && matcher.find(spec.title) != npos)
        verified |= SearchIndex::in_title;
      if (c.fields & SearchIndex::in_tags)
        for (const auto &tag : spec.tags)
          if (matcher.find(tag) != npos) {
            verified |= SearchIndex::in_tags;
            break;
          }
      if ((c.fields & SearchIndex::in_id) && matcher.find(spec.id) != npos)
        verified |= SearchIndex::in_id;
      if ((c.fields & SearchIndex::in_body) && matcher.find(spec.body) != npos)
        verified |= SearchIndex::in_body;
      if (verified)
        out.push_back({c.spec, weight * scorer_.field_score(verified, c.body_tf, c.spec),
                       (verified & SearchIndex::in_body) != 0});
    }
    if (positive && !node.title_only)
      highlights.phrases.push_back(matcher);
    return out;
  }

  Matches fields(const QueryNode &node, const Matches *within) const {
    Matches out;
    if (within) {
      for (const Scored &s : *within)
        if (field_matches(*specs_[s.spec], node))
          out.push_back({s.spec, 0, false});
      return out;
    }
    for (std::size_t i = 0; i < specs_.size(); ++i)
      if (field_matches(*specs_[i], node))
        out.push_back({static_cast<std::uint32_t>(i), 0, false});
    return out;
  }

  // AND: index terms first, then field filters and groups (tested only on what is left), then
  // phrases (verified only on what is left), then negated children subtracted.
  Matches conjunction(const QueryNode &node, bool positive, const Matches *within) {
    std::vector<const QueryNode *> order;
    for (const auto &child : node.children)
      order.push_back(&child);
    const auto rank = [](const QueryNode *n) {
      switch (n->kind) {
      case NodeKind::not_op:
        return 3;
      case NodeKind::word:
      case NodeKind::phrase:
        return n->tokens.size() > 1 ? 2 : 0;
      case NodeKind::fuzzy:
        return 0;
      default:
        return 1;
      }
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](const QueryNode *a, const QueryNode *b) { return rank(a) < rank(b); });
    std::optional<Matches> current;
    for (const QueryNode *child : order) {
      const Matches *scope = current ? &*current : within;
      if (child->kind == NodeKind::not_op) {
        Matches base = current ? std::move(*current) : everything(within);
        current = subtract(base, eval(child->children.front(), !positive, &base));
      } else {
        Matches result = eval(*child, positive, scope);
        current = current ? intersect(*current, result) : std::move(result);
      }
      if (current->empty())
        break;
    }
    return current ? std::move(*current) : Matches{};
  }

  static constexpr std::size_t npos = std::string_view::npos;

  const std::vector<SpecPtr> &specs_;
  const SearchIndex &index_;
  Scorer scorer_;
  std::vector<float> score_;
  std::vector<std::uint8_t> state_; // bit 0: touched, bit 1: body
  std::vector<std::uint32_t> touched_;
  FuzzyTerms fuzzy_terms_;
};

} // namespace

Evaluation evaluate(const std::vector<SpecPtr> &specs, const SearchIndex &index,
                    const Query &query) {
  Evaluator evaluator(specs, index);
  Matches found =
      query.root ? evaluator.eval(*query.root, true, nullptr) : evaluator.everything(nullptr);
  return {std::move(found), std::move(evaluator.highlights)};
}

} // namespace leanspec::detail
