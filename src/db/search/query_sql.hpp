#pragma once
// Internal: a parsed query (query_ast.hpp) and a Filter as SQL over one row `s` of `specs`,
// for Store::search. The tree becomes a WHERE condition with the same boolean logic; each word,
// phrase and fuzzy word becomes a full-text expression of the backend's syntax (FTS5 MATCH /
// tsquery), bound as a parameter and built only from the query's tokens (runs of ASCII letters,
// digits and non-ASCII bytes, so no quote or operator); phrases are then verified in the text;
// field filters test the denormalized columns. A backend says how through SqlDialect.
// Implemented in query_sql.cpp. Single-thread: one QuerySql per search.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <leanspec/query.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace leanspec::detail {

struct Query;
struct QueryNode;

/// A bound parameter: text, or an integer.
struct SqlParam {
  std::string text;
  std::optional<std::int64_t> integer;
};

/// A positive word, phrase or fuzzy word, as its score is computed.
struct ScoredTerm {
  enum class Kind { prefix, exact, fuzzy, phrase } kind = Kind::prefix;
  bool title_only = false;
  std::vector<std::string> tokens;                ///< prefix, exact: one; phrase: several
  std::vector<std::pair<std::string, int>> fuzzy; ///< fuzzy: the terms and their distances
};

class QuerySql;

/// How a backend writes what QuerySql needs. Every method returns SQL text; `p` is the
/// placeholder of a bound parameter (placeholder()).
class SqlDialect {
public:
  virtual ~SqlDialect() = default;
  /// The placeholder of the parameter numbered `n` (1-based): "?1", "$1".
  virtual std::string placeholder(std::size_t n) const = 0;
  /// One token in full-text syntax: exact, or as a prefix; in the title only or any field.
  /// Empty when no stored term can equal it (the expression then matches nothing).
  virtual std::string token(std::string_view token, bool prefix, bool title_only) const = 0;
  /// The full-text operators: " AND " / " & ", " OR " / " | ".
  virtual std::string_view and_op() const = 0;
  virtual std::string_view or_op() const = 0;
  /// Parameter `p` (a full-text expression) as a value of the backend's full-text query type,
  /// as SQL: PostgreSQL's CAST(p AS tsquery). Empty when the backend has no such type (FTS5
  /// queries are text): then no tree_text() either.
  virtual std::string text_value(const std::string &p) const = 0;
  /// Such values combined, as SQL: `op` '&' (all of `values`), '|' (any) or '!' (not the one).
  virtual std::string text_combined(char op, const std::vector<std::string> &values) const = 0;
  /// True when the spec row matches full-text expression `p`.
  virtual std::string text_match(const std::string &p) const = 0;
  /// True when the spec row holds phrase `p` (its tokens joined by single spaces), adjacent
  /// and exact, within one field (the title only when `title_only`).
  virtual std::string phrase_match(const std::string &p, bool title_only) const = 0;
  /// A phrase's parameter text (the dialect's own form of its tokens).
  virtual std::string phrase_param(const std::vector<std::string> &tokens) const = 0;
  /// `column` with ASCII letters lower-cased.
  virtual std::string folded(std::string_view column) const = 0;
  /// True when one of the row's tags equals `p` (ASCII case folded when `folded`).
  virtual std::string has_tag(const std::string &p, bool folded) const = 0;
  /// The unix ms `column` names (parse_timestamp), NULL when it is no date.
  virtual std::string time_of(std::string_view column) const = 0;
  /// The condition that `s.archived` is `value`.
  virtual std::string archived_is(bool value) const = 0;
  /// How well the row matches a term, as the in-memory ranker weighs fields (ranking.hpp):
  /// title 10, tags 5, id 5, body 1 (a body match scores as one occurrence in a body of
  /// average length), times 0.7 where a word is only a prefix of the token, or the fuzzy
  /// factor of the edit distance; 0 when it does not match. `term` says what is matched.
  virtual std::string field_score(const ScoredTerm &term, QuerySql &query) const = 0;
  /// field_score() without the body: a lower bound the body can raise by at most 1 (its
  /// weight times a factor of at most 1), cheap where the body is large. Empty when the
  /// backend has no cheaper form.
  virtual std::string field_score_without_body(const ScoredTerm &term, QuerySql &query) const = 0;
};

/// The query as SQL. Expands each fuzzy word through `expand` (word, edit distance) into the
/// vocabulary terms within that distance, in the tree's pre-order.
class QuerySql {
public:
  /// The vocabulary terms within `distance` edits of `word`, with their distances.
  using Expand = std::function<std::vector<std::pair<std::string, int>>(const std::string &word,
                                                                        int distance)>;
  QuerySql(const SqlDialect &dialect, const Query &query, const Filter *filter,
           const Expand &expand);

  /// The condition on `s` (with the query's parameters, numbered from 1).
  const std::string &where() const noexcept { return where_; }
  /// The positive words, phrases and fuzzy words as one full-text expression, OR'ed: when the
  /// query requires_text(), the index finds the candidates with it; empty when there is none.
  const std::string &candidates_text() const noexcept { return candidates_text_; }
  /// Whether every match matches candidates_text() (so the full-text index drives the search).
  bool requires_text() const noexcept { return requires_text_; }
  /// The whole query tree as one full-text query value (SQL over where()'s parameters, see
  /// SqlDialect::text_value), when every leaf is a word or fuzzy word: a spec matches the query
  /// exactly when it matches this, so the index alone finds the matches. Empty otherwise
  /// (phrases, fields, a leaf without a stored term, a backend without such values).
  const std::string &tree_text() const noexcept { return tree_text_; }
  /// Whether the query is one word or fuzzy word alone (with a tree_text()): its matches are
  /// exactly the specs its document frequency counts, when no Filter narrows them.
  bool one_term() const noexcept { return one_term_; }
  /// The condition of the Filter alone ("TRUE" without one): with tree_text(), the rest of
  /// where().
  const std::string &filter_where() const noexcept { return filter_where_; }
  /// The positive words, phrases and fuzzy words: each one's full-text expressions whose
  /// document frequencies make its inverse document frequency (a phrase: one per token, summed
  /// as the in-memory ranker does) and its field score's SQL.
  struct RankedTerm {
    std::vector<std::string> frequency_texts;
    std::string field_score;
    std::string field_score_without_body; ///< empty: the dialect has none
  };
  const std::vector<RankedTerm> &ranked_terms() const noexcept { return ranked_; }
  /// The score: each ranked term's inverse document frequency (`idf`, parallel to
  /// ranked_terms()) times its field score, summed; "0.0" without ranked terms.
  std::string score(const std::vector<double> &idf) const;
  /// The score without the body (from each term's field_score_without_body): at most
  /// body_bound(idf) below score(). Empty when a term has no such form.
  std::string score_without_body(const std::vector<double> &idf) const;
  /// How much the body can add to score_without_body(): the sum of `idf`.
  static double body_bound(const std::vector<double> &idf);
  /// Adds a parameter and returns its placeholder (for SqlDialect::field_score); a value
  /// added before gets its placeholder again.
  std::string param(SqlParam value);

  /// The parameters where() uses, in order.
  const std::vector<SqlParam> &params() const noexcept { return params_; }
  /// What each fuzzy word expanded to, in the tree's pre-order.
  std::vector<std::vector<std::string>> take_fuzzy_terms() noexcept {
    return std::move(fuzzy_terms_);
  }

private:
  std::string node(const QueryNode &n, bool positive);
  std::optional<std::string> tree(const QueryNode &n) const;
  std::string text_leaf(const QueryNode &n, bool positive);
  std::string field(const QueryNode &n);
  std::string filter(const Filter &f);

  const SqlDialect &dialect_;
  const Expand &expand_;
  std::string where_, candidates_text_, tree_text_, filter_where_ = "TRUE";
  std::unordered_map<const QueryNode *, std::string> word_values_; // a word leaf's text_value
  bool requires_text_ = false, one_term_ = false;
  std::vector<SqlParam> params_;
  std::vector<std::vector<std::string>> fuzzy_terms_;
  std::vector<RankedTerm> ranked_;
};

/// The in-memory ranker's inverse document frequency of a term in `document_frequency` of
/// `specs` specs.
double inverse_document_frequency(std::size_t specs, std::size_t document_frequency) noexcept;

/// Whether every spec matching `node` must match one of its positive text terms.
bool requires_text(const QueryNode &node) noexcept;

} // namespace leanspec::detail
