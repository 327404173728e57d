// Implements run_search(), make_snippet() and find_byte_pair() of src/query/search.hpp:
// evaluates a Query against a SearchIndex and the specs, ranks the matches and cuts snippets.
#include "query/search.hpp"

#include "core/snapshot.hpp"
#include "query/query_ast.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <leanspec/error.hpp>
#include <optional>

namespace leanspec::detail {
namespace {

// Ranking: a field's weight times the term's inverse document frequency. The body counts by a
// saturating BM25 term frequency (at most k1 + 1 = 2.2), so title and tag matches stay above.
constexpr float title_weight = 10.0F;
constexpr float tag_weight = 5.0F;
constexpr float id_weight = 5.0F;
constexpr float bm25_k1 = 1.2F;
constexpr float bm25_b = 0.75F;
constexpr float prefix_factor = 0.7F;                 // a token the word is only a prefix of
constexpr float fuzzy_factor[3] = {1.0F, 0.6F, 0.4F}; // by edit distance

struct Scored {
  std::uint32_t spec = 0;
  float score = 0;
  bool body = false; // some of the score comes from the body (snippet looks there)
};
using Matches = std::vector<Scored>; // by ascending spec

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u; }

// --- Edit distance --------------------------------------------------------------------------

// Code points of `text`; a byte that starts no valid sequence stands for itself.
void decode_utf8(std::string_view text, std::u32string &out) {
  out.clear();
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (p[i + k] & 0xC0u) == 0x80u;
    if (!ok) {
      out.push_back(0x110000u + c); // outside Unicode: never equal to a real code point
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    out.push_back(cp);
    i += len;
  }
}

// The bytes of `text`'s first `count` code points as decode_utf8() reads them, or npos when
// one of them is a byte that starts no valid sequence (it decodes by what follows, so the bytes
// alone do not determine it).
std::size_t utf8_prefix_bytes(std::string_view text, std::size_t count) noexcept {
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  for (std::size_t k = 0; k < count; ++k) {
    if (i >= n)
      return std::string_view::npos;
    const unsigned char c = p[i];
    const std::size_t len = c < 0x80           ? 1
                            : (c >> 5) == 0x6  ? 2
                            : (c >> 4) == 0xE  ? 3
                            : (c >> 3) == 0x1E ? 4
                                               : 0;
    bool ok = len != 0 && i + len <= n;
    for (std::size_t b = 1; ok && b < len; ++b)
      ok = (p[i + b] & 0xC0u) == 0x80u;
    if (!ok)
      return std::string_view::npos;
    i += len;
  }
  return i;
}

// --- Text scanning --------------------------------------------------------------------------
//
// Phrases (to verify a candidate, to place a snippet) and word prefixes (snippets) are found by
// scanning the text for two bytes of one token at their distance apart, ASCII case-insensitively,
// 16 or 32 positions per step (find_byte_pair), and comparing in full only where both match. One
// byte alone stops the scan too often (even `x` of "index" is in "export", "example", "context",
// ...); the token's two rarest bytes at their distance rule out nearly every other position.

// How rare a byte is in English technical text (higher: rarer).
int byte_rarity(unsigned char c) noexcept {
  static constexpr std::string_view common = "etaoinsrhldcumfpgwybvkxjqz"; // most common first
  if (c >= 0x80)
    return 40;
  if (c >= '0' && c <= '9')
    return 30;
  const std::size_t at = common.find(static_cast<char>(c));
  return at == std::string_view::npos ? 0 : static_cast<int>(at);
}

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
std::size_t find_prefix(std::string_view text, std::string_view prefix) {
  const std::size_t n = text.size(), m = prefix.size();
  if (m == 0 || n < m)
    return std::string_view::npos;
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const BytePair pair = BytePair::of(prefix);
  for (std::size_t hit = pair.find(text, pair.offset); hit != std::string_view::npos;
       hit = pair.find(text, hit + 1)) {
    const std::size_t pos = hit - pair.offset;
    if (pos + m <= n && equals_folded(text.substr(pos, m), prefix) &&
        (pos == 0 || !is_token_byte(p[pos - 1])))
      return pos;
  }
  return std::string_view::npos;
}

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
  std::size_t find(std::string_view text) const noexcept {
    const std::vector<std::string> &tokens = *tokens_;
    const std::string &a = tokens[anchor_];
    const std::size_t n = text.size(), m = a.size();
    if (n < m)
      return std::string_view::npos;
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    for (std::size_t hit = pair_.find(text, pair_.offset); hit != std::string_view::npos;
         hit = pair_.find(text, hit + 1)) {
      const std::size_t pos = hit - pair_.offset;
      if (pos + m > n || !equals_folded(text.substr(pos, m), a))
        continue;
      if ((pos > 0 && is_token_byte(p[pos - 1])) || (pos + m < n && is_token_byte(p[pos + m])))
        continue; // inside a longer token
      // Tokens before the anchor, walking back.
      std::size_t start = pos;
      bool ok = true;
      for (std::size_t t = anchor_; ok && t-- > 0;) {
        std::size_t end = start;
        while (end > 0 && !is_token_byte(p[end - 1]))
          --end;
        std::size_t begin = end;
        while (begin > 0 && is_token_byte(p[begin - 1]))
          --begin;
        ok = begin < end && equals_folded(text.substr(begin, end - begin), tokens[t]);
        start = begin;
      }
      // Tokens after it, walking forward.
      std::size_t end = pos + m;
      for (std::size_t t = anchor_ + 1; ok && t < tokens.size(); ++t) {
        std::size_t begin = end;
        while (begin < n && !is_token_byte(p[begin]))
          ++begin;
        end = begin;
        while (end < n && is_token_byte(p[end]))
          ++end;
        ok = begin < end && equals_folded(text.substr(begin, end - begin), tokens[t]);
      }
      if (ok)
        return start;
    }
    return std::string_view::npos;
  }

private:
  const std::vector<std::string> *tokens_;
  std::size_t anchor_ = 0; // the token holding the rarest pair
  BytePair pair_;          // and that pair
};

// Positive body terms of the query, to place the snippet.
struct Highlights {
  std::vector<std::string> prefixes;   // words: a token starting with one
  std::vector<std::string_view> exact; // fuzzy expansions (index vocabulary), sorted
  std::vector<PhraseMatcher> phrases;
};

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

// --- Set algebra on Matches -----------------------------------------------------------------

Matches intersect(const Matches &a, const Matches &b) {
  Matches out;
  out.reserve(std::min(a.size(), b.size()));
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i].spec < b[j].spec) {
      ++i;
    } else if (b[j].spec < a[i].spec) {
      ++j;
    } else {
      out.push_back({a[i].spec, a[i].score + b[j].score, a[i].body || b[j].body});
      ++i;
      ++j;
    }
  }
  return out;
}

Matches unite(const Matches &a, const Matches &b) {
  Matches out;
  out.reserve(a.size() + b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].spec < b[j].spec)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].spec < a[i].spec) {
      out.push_back(b[j++]);
    } else {
      out.push_back({a[i].spec, a[i].score + b[j].score, a[i].body || b[j].body});
      ++i;
      ++j;
    }
  }
  return out;
}

Matches subtract(const Matches &a, const Matches &b) {
  Matches out;
  out.reserve(a.size());
  std::size_t j = 0;
  for (const Scored &s : a) {
    while (j < b.size() && b[j].spec < s.spec)
      ++j;
    if (j == b.size() || b[j].spec != s.spec)
      out.push_back(s);
  }
  return out;
}

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
      : specs_(specs), index_(index), score_(specs.size()), state_(specs.size()) {}

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
  float idf(std::size_t term) const noexcept {
    const auto n = static_cast<float>(index_.spec_count());
    const auto df = static_cast<float>(index_.document_frequency(term));
    return std::log(1.0F + (n - df + 0.5F) / (df + 0.5F));
  }

  // The weight of a match in `fields` of spec `spec` (the body by saturated BM25 tf).
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
      if (body_norms_.empty()) {
        // k1 * (1 - b + b * length / average length), per spec, computed once per search.
        const float average = std::max(1.0F, static_cast<float>(index_.average_body_length()));
        body_norms_.resize(index_.spec_count());
        for (std::size_t i = 0; i < body_norms_.size(); ++i)
          body_norms_[i] = bm25_k1 * (1.0F - bm25_b +
                                      bm25_b * static_cast<float>(index_.body_length(i)) / average);
      }
      const float tf = body_tf;
      score += tf * (bm25_k1 + 1.0F) / (tf + body_norms_[spec]);
    }
    return score;
  }

  // Adds every posting of `term` (masked to `mask`) with `factor`, keeping each spec's best.
  void accumulate(std::size_t term, std::uint8_t mask, float factor) {
    const float weight = factor * idf(term);
    index_.for_each_posting(term, [&](const SearchIndex::Posting &p) {
      const auto fields = static_cast<std::uint8_t>(p.fields & mask);
      if (!fields)
        return;
      const float score = weight * field_score(fields, p.body_tf, p.spec);
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
    // Edit distance counts code points. The sorted vocabulary is walked as a trie: a term reuses
    // the dynamic-programming rows of the prefix it shares with the previous term, and when
    // every cell of a row exceeds the bound, no term with that prefix can match, so the walk
    // jumps past all of them (a binary search). Only a few thousand prefixes are ever visited.
    decode_utf8(node.text, query_points_);
    const std::size_t m = query_points_.size();
    const int bound = node.distance;
    const int over = bound + 1;
    const std::size_t width = m + 1;
    // rows_[i * width + j]: distance between the term's first i code points and the query's
    // first j, capped at `over`. Row i exists only while some cell is <= bound, so i <= m + bound
    // + 1.
    const std::size_t max_rows = m + static_cast<std::size_t>(bound) + 2;
    rows_.assign(max_rows * width, over);
    for (std::size_t j = 0; j < width; ++j)
      rows_[j] = std::min(static_cast<int>(j), over);
    term_points_.clear();
    std::size_t valid_rows = 1; // rows_ 0 .. valid_rows - 1 hold term_points_'s prefixes
    const std::size_t count = index_.term_count();
    for (std::size_t term = 0; term < count;) {
      const std::string_view text = index_.term(term);
      decode_utf8(text, next_points_);
      // Rows shared with the previous term.
      std::size_t common = 0;
      const std::size_t limit =
          std::min({next_points_.size(), term_points_.size(), valid_rows - 1});
      while (common < limit && next_points_[common] == term_points_[common])
        ++common;
      term_points_.swap(next_points_);
      valid_rows = common + 1;
      bool dead = false;
      std::size_t i = common;
      while (i < term_points_.size()) {
        const char32_t c = term_points_[i];
        const int *previous = &rows_[i * width];
        int *current = &rows_[(i + 1) * width];
        current[0] = std::min(static_cast<int>(i + 1), over);
        int best = current[0];
        for (std::size_t j = 1; j < width; ++j) {
          const int value = std::min({previous[j - 1] + (query_points_[j - 1] == c ? 0 : 1),
                                      previous[j] + 1, current[j - 1] + 1});
          current[j] = std::min(value, over);
          best = std::min(best, current[j]);
        }
        ++i;
        valid_rows = i + 1;
        if (best > bound) {
          dead = true;
          break;
        }
      }
      if (dead) {
        // No term starting with the first i code points matches: skip them all, when those
        // code points are exactly the text's first bytes (a byte that starts no valid
        // sequence decodes by what follows it, so its prefix proves nothing).
        const std::size_t bytes = utf8_prefix_bytes(text, i);
        valid_rows = i; // row i proved nothing further
        term = bytes != npos ? skip_prefix(term, text.substr(0, bytes)) : term + 1;
        continue;
      }
      const int distance = rows_[term_points_.size() * width + m];
      if (distance <= bound) {
        accumulate(term, mask_of(node), fuzzy_factor[distance]);
        if (positive && !node.title_only)
          highlights.exact.push_back(text);
      }
      ++term;
    }
    return collect();
  }

  // The first term after `term` that does not start with `prefix` (a prefix of term `term`).
  std::size_t skip_prefix(std::size_t term, std::string_view prefix) const noexcept {
    std::size_t lo = term + 1, hi = index_.term_count();
    // Gallop: most skipped runs are short.
    std::size_t step = 1;
    while (lo < hi) {
      const std::size_t probe = std::min(hi, lo + step) - 1;
      if (!index_.term(probe).starts_with(prefix)) {
        hi = probe;
        break;
      }
      lo = probe + 1;
      step *= 2;
    }
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (index_.term(mid).starts_with(prefix))
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
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
      weight += idf(term);
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
        out.push_back({c.spec, weight * field_score(verified, c.body_tf, c.spec),
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
  std::vector<float> score_;
  std::vector<float> body_norms_;   // see field_score()
  std::vector<std::uint8_t> state_; // bit 0: touched, bit 1: body
  std::vector<std::uint32_t> touched_;
  std::u32string query_points_, term_points_, next_points_;
  std::vector<int> rows_; // fuzzy(): the walk's dynamic-programming rows
};

} // namespace

// --- Byte-pair scanning ---------------------------------------------------------------------

namespace {

// What find_byte_pair() compares: a text byte c matches `first` when (c | first_fold) == first,
// where first_fold is 0x20 for a letter (so either case matches) and 0 for any other byte.
struct PairNeedle {
  unsigned char first, second, first_fold, second_fold;
  std::size_t gap;

  PairNeedle(char a, char b, std::size_t distance) noexcept
      : first(static_cast<unsigned char>(a)), second(static_cast<unsigned char>(b)),
        first_fold(fold_mask(a)), second_fold(fold_mask(b)), gap(distance) {}
  static unsigned char fold_mask(char c) noexcept { return c >= 'a' && c <= 'z' ? 0x20 : 0; }

  bool matches_at(const unsigned char *p, std::size_t i) const noexcept {
    return (p[i] | first_fold) == first && (p[i + gap] | second_fold) == second;
  }
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LEANSPEC_SCAN_X86 1

// The first i in [i, end) where the needle matches, when it is in a 16-position step that fits
// before `end`; else where the steps stopped (the caller tests the rest a byte at a time).
std::size_t scan_sse2(const unsigned char *p, std::size_t i, std::size_t end,
                      const PairNeedle &needle) noexcept {
  const __m128i first = _mm_set1_epi8(static_cast<char>(needle.first));
  const __m128i second = _mm_set1_epi8(static_cast<char>(needle.second));
  const __m128i first_fold = _mm_set1_epi8(static_cast<char>(needle.first_fold));
  const __m128i second_fold = _mm_set1_epi8(static_cast<char>(needle.second_fold));
  for (; i + 16 <= end; i += 16) {
    const __m128i x =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i)), first_fold);
    const __m128i y = _mm_or_si128(
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i + needle.gap)), second_fold);
    const auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, first), _mm_cmpeq_epi8(y, second))));
    if (mask != 0)
      return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return i;
}

// The same, 32 positions a step, on a CPU with AVX2.
__attribute__((target("avx2"))) std::size_t scan_avx2(const unsigned char *p, std::size_t i,
                                                      std::size_t end,
                                                      const PairNeedle &needle) noexcept {
  const __m256i first = _mm256_set1_epi8(static_cast<char>(needle.first));
  const __m256i second = _mm256_set1_epi8(static_cast<char>(needle.second));
  const __m256i first_fold = _mm256_set1_epi8(static_cast<char>(needle.first_fold));
  const __m256i second_fold = _mm256_set1_epi8(static_cast<char>(needle.second_fold));
  for (; i + 32 <= end; i += 32) {
    const __m256i x =
        _mm256_or_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + i)), first_fold);
    const __m256i y = _mm256_or_si256(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + i + needle.gap)), second_fold);
    const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(
        _mm256_and_si256(_mm256_cmpeq_epi8(x, first), _mm256_cmpeq_epi8(y, second))));
    if (mask != 0)
      return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return i;
}
#endif

} // namespace

ScanLevel best_scan_level() noexcept {
#ifdef LEANSPEC_SCAN_X86
  static const ScanLevel best =
      __builtin_cpu_supports("avx2") ? ScanLevel::avx2 : ScanLevel::sse2; // x86-64 has SSE2
  return best;
#else
  return ScanLevel::scalar;
#endif
}

std::size_t find_byte_pair(std::string_view text, std::size_t from, char first, char second,
                           std::size_t gap, ScanLevel level) noexcept {
  if (text.size() <= gap)
    return std::string_view::npos;
  const PairNeedle needle(first, second, gap);
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t end = text.size() - gap; // the first byte is before it
  std::size_t i = from;
#ifdef LEANSPEC_SCAN_X86
  if (level == ScanLevel::avx2)
    i = scan_avx2(p, i, end, needle);
  else if (level == ScanLevel::sse2)
    i = scan_sse2(p, i, end, needle);
#else
  (void)level;
#endif
  for (; i < end; ++i)
    if (needle.matches_at(p, i))
      return i;
  return std::string_view::npos;
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

SearchResult run_search(const std::vector<SpecPtr> &specs, const SearchIndex &index,
                        const Query &query, const Filter &filter, std::size_t limit) {
  if (index.spec_count() != specs.size())
    throw Error(ErrorCode::internal, "search: the index was built over other specs");
  Evaluator evaluator(specs, index);
  Matches found =
      query.root ? evaluator.eval(*query.root, true, nullptr) : evaluator.everything(nullptr);
  std::erase_if(found, [&](const Scored &s) { return !matches(*specs[s.spec], filter); });

  SearchResult result;
  result.total = found.size();
  const std::size_t count = limit == 0 ? found.size() : std::min(limit, found.size());
  const auto better = [&](const Scored &a, const Scored &b) {
    if (a.score != b.score)
      return a.score > b.score;
    const Spec &x = *specs[a.spec], &y = *specs[b.spec];
    if (x.number != y.number)
      return x.number < y.number;
    if (x.id != y.id)
      return x.id < y.id;
    return a.spec < b.spec;
  };
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(count), found.end(),
                    better);

  Highlights &highlights = evaluator.highlights;
  std::sort(highlights.exact.begin(), highlights.exact.end());
  result.hits.reserve(count);
  for (std::size_t k = 0; k < count; ++k) {
    const Scored &s = found[k];
    const SpecPtr &spec = specs[s.spec];
    std::size_t offset = 0;
    if (s.body) {
      const std::size_t first = first_highlight(spec->body, highlights);
      offset = first == std::string_view::npos ? 0 : first;
    }
    result.hits.push_back({spec, static_cast<double>(s.score), make_snippet(spec->body, offset)});
  }
  return result;
}

} // namespace leanspec::detail
