// Implements src/db/postgres/search_statements.hpp.
#include "db/postgres/search_statements.hpp"

#include "model/frontmatter.hpp"
#include "query/ranking.hpp"

namespace leanspec::detail::postgres {
namespace {

// The longest lexeme a tsvector or tsquery holds (search_vector.hpp skips longer terms).
constexpr std::size_t max_lexeme = 2047;

// An ASCII byte that is not a letter or digit: what separates tokens (search_tokens' rule).
constexpr const char *separator = R"([\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f])";

constexpr const char *upper = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
constexpr const char *lower = "'abcdefghijklmnopqrstuvwxyz'";

} // namespace

std::string PostgresDialect::placeholder(std::size_t n) const { return "$" + std::to_string(n); }

std::string PostgresDialect::token(std::string_view token, bool prefix, bool title_only) const {
  // No stored term is longer or invalid UTF-8 (search_vector.hpp), and such a lexeme is a
  // tsquery error: nothing matches it. Tokens hold no quote or backslash.
  if (token.size() > max_lexeme || find_invalid_utf8(token) != std::string_view::npos)
    return {};
  std::string out = "'" + std::string(token) + "'";
  if (prefix || title_only)
    out += std::string(":") + (prefix ? "*" : "") + (title_only ? "A" : "");
  return out;
}

std::string PostgresDialect::text_match(const std::string &p) const {
  return "s.vector @@ CAST(" + p + " AS tsquery)";
}

std::string PostgresDialect::text_value(const std::string &p) const {
  return "CAST(" + p + " AS tsquery)";
}

std::string PostgresDialect::text_combined(char op, const std::vector<std::string> &values) const {
  if (op == '!')
    return "(!! " + values.front() + ")";
  std::string out = "(";
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i ? op == '&' ? " && " : " || " : "") + values[i];
  return out + ")";
}

std::string PostgresDialect::phrase_match(const std::string &p, bool title_only) const {
  std::string out = "(" + folded("s.title") + " ~ " + p;
  if (!title_only)
    for (const char *column : {"s.tags", "s.id", "s.body"})
      out += " OR " + folded(column) + " ~ " + p;
  return out + ")";
}

std::string PostgresDialect::phrase_param(const std::vector<std::string> &tokens) const {
  // Tokens are ASCII letters, digits and non-ASCII characters: none is a regex operator.
  std::string out = std::string("(^|") + separator + ")";
  for (std::size_t i = 0; i < tokens.size(); ++i)
    out += (i ? std::string(separator) + "+" : "") + tokens[i];
  return out + "($|" + separator + ")";
}

std::string PostgresDialect::folded(std::string_view column) const {
  return "translate(" + std::string(column) + ", " + upper + ", " + lower + ")";
}

std::string PostgresDialect::has_tag(const std::string &p, bool folded) const {
  return "EXISTS (SELECT 1 FROM json_array_elements_text(CAST(s.tags AS json)) AS t (v) WHERE " +
         (folded ? this->folded("t.v") : std::string("t.v")) + " = " + p + ")";
}

std::string PostgresDialect::time_of(std::string_view column) const {
  return "leanspec_time(" + std::string(column) + ")";
}

std::string PostgresDialect::archived_is(bool value) const {
  return value ? "s.archived" : "NOT s.archived";
}

namespace {

// A weight as a float8 constant. Left to itself PostgreSQL types 0.7 as numeric, and numeric
// arithmetic on every match's flags cost a fifth of a search across every project ("api":
// 68,000 matches, 195 -> 157 ms).
std::string real(double weight) { return std::to_string(weight) + "::float8"; }

// How well the row matches `term` (see PostgresDialect::field_score), from the vector with the
// body's label, or from search_head without it.
std::string score_of(const PostgresDialect &dialect, const ScoredTerm &term, QuerySql &query,
                     bool body) {
  if (term.kind == ScoredTerm::Kind::phrase) {
    const std::string p = query.param({dialect.phrase_param(term.tokens), {}});
    std::string out =
        "(" + real(title_weight) + " * (" + dialect.folded("s.title") + " ~ " + p + ")::int";
    if (!term.title_only) {
      out += " + " + real(tag_weight) + " * (" + dialect.folded("s.tags") + " ~ " + p + " OR " +
             dialect.folded("s.id") + " ~ " + p + ")::int";
      if (body)
        out += " + (" + dialect.folded("s.body") + " ~ " + p + ")::int";
    }
    return out + ")";
  }
  // A word, or a fuzzy word (no vocabulary here: the word itself, exactly).
  const std::string &word =
      term.kind == ScoredTerm::Kind::fuzzy ? term.fuzzy.front().first : term.tokens.front();
  const std::string vector = body ? "s.vector" : "s.search_head";
  const auto match = [&](bool prefix, char label) {
    std::string t = dialect.token(word, prefix, false);
    if (t.empty())
      return std::string("0");
    t += prefix ? std::string(1, label) : std::string(":") + label;
    return "(" + vector + " @@ CAST(" + query.param({t, {}}) + " AS tsquery))::int";
  };
  std::string out = "(";
  const std::pair<char, double> labels[] = {{'A', title_weight}, {'B', tag_weight}, {'D', 1.0}};
  for (const auto &[label, weight] : labels) {
    if ((term.title_only && label != 'A') || (!body && label == 'D'))
      break;
    out += (label == 'A' ? "" : " + ") + real(weight) + " * ";
    out += term.kind == ScoredTerm::Kind::prefix
               ? "(" + real(prefix_factor) + " * " + match(true, label) + " + " +
                     real(1 - prefix_factor) + " * " + match(false, label) + ")"
               : match(false, label);
  }
  return out + ")";
}

} // namespace

std::string PostgresDialect::field_score(const ScoredTerm &term, QuerySql &query) const {
  return score_of(*this, term, query, true);
}

std::string PostgresDialect::field_score_without_body(const ScoredTerm &term,
                                                      QuerySql &query) const {
  return score_of(*this, term, query, false);
}

namespace {

// " IN ($first, ...)" for `count` parameters numbered from `first`.
std::string in_list(std::size_t first, std::size_t count) {
  std::string out = " IN (";
  for (std::size_t i = 0; i < count; ++i)
    out += (i ? ", $" : "$") + std::to_string(first + i);
  return out + ")";
}

} // namespace

std::string search_statement(const QuerySql &query, const std::string &score,
                             std::size_t projects) {
  std::size_t n = query.params().size();
  // The rows in scope, each with its vector detoasted once (`vector`): the condition and the
  // score test it a few times per term, and each test of the stored column would fetch and
  // decompress it from the TOAST table again. OFFSET 0 keeps the planner from folding the
  // subquery (and with it the copy) into those tests; it drops `vector` where nothing uses it.
  std::string scope = "SELECT c.*, c.search || ''::tsvector AS vector FROM specs c WHERE TRUE";
  if (query.requires_text()) // the GIN index drives the search
    scope += " AND c.search @@ CAST($" + std::to_string(++n) + " AS tsquery)";
  if (projects) {
    scope += " AND c.project_id" + in_list(n + 1, projects);
    n += projects;
  }
  // Each match's score is computed beside its vector; the count over every match (a window)
  // and the ordering then hold only narrow rows (carried to the window, the vectors of 68,000
  // matches spilled 900 MB to temporary files).
  const std::string matches = "SELECT s.project_id, s.path, s.number, s.id, (" + score +
                              ")::float8 AS score FROM (" + scope + " OFFSET 0) s WHERE (" +
                              query.where() + ") OFFSET 0";
  std::string sql = "SELECT m.project_id, m.path, m.score, count(*) OVER () FROM (" + matches +
                    ") m ORDER BY m.score DESC, coalesce(m.number, -1), m.id COLLATE \"C\", "
                    "m.project_id COLLATE \"C\", m.path COLLATE \"C\" LIMIT $" +
                    std::to_string(n + 1) + "::bigint OFFSET $" + std::to_string(n + 2) +
                    "::bigint";
  return sql;
}

std::string bounded_search_statement(const QuerySql &query, const std::string &score,
                                     const std::string &lower, std::size_t projects) {
  std::size_t n = query.params().size();
  // The matches, from the GIN index alone (the tree is the whole query: nothing to recheck
  // but weights, so no vector is read for a query without `title:`), each scored on its
  // row's search_head.
  std::string matches = "SELECT s.project_id, s.path, s.number, s.id, (" + lower +
                        ")::float8 AS lower FROM specs s WHERE s.search @@ " + query.tree_text();
  if (projects) {
    matches += " AND s.project_id" + in_list(n + 1, projects);
    n += projects;
  }
  matches += " AND (" + query.filter_where() + ")";
  const std::string limit = "$" + std::to_string(n + 1), offset = "$" + std::to_string(n + 2),
                    k = "$" + std::to_string(n + 3), bound = "$" + std::to_string(n + 4);
  // A match whose score cannot reach the k-th best lower score is never on the page; ties are
  // kept (>=), with a margin for the rounding of the two sums. The others read their vector
  // once (OFFSET 0, as in search_statement) for their exact score.
  return "WITH matches AS MATERIALIZED (" + matches +
         "), kth AS (SELECT lower FROM matches ORDER BY lower DESC LIMIT 1 OFFSET " + k +
         "::bigint - 1) SELECT m.project_id, m.path, (" + score +
         ")::float8 AS score, (SELECT count(*) FROM matches) FROM matches m CROSS JOIN LATERAL "
         "(SELECT c.*, c.search || ''::tsvector AS vector FROM specs c WHERE c.project_id = "
         "m.project_id AND c.path = m.path OFFSET 0) s WHERE m.lower + " +
         bound + "::float8 + 1e-9 >= coalesce((SELECT lower FROM kth), '-1e308'::float8) " +
         "ORDER BY score DESC, coalesce(m.number, -1), m.id COLLATE \"C\", m.project_id "
         "COLLATE \"C\", m.path COLLATE \"C\" LIMIT " +
         limit + "::bigint OFFSET " + offset + "::bigint";
}

std::string document_frequency_statement(std::size_t projects) {
  std::string sql = "SELECT count(*) FROM specs s WHERE s.search @@ CAST($1 AS tsquery)";
  if (projects)
    sql += " AND s.project_id" + in_list(2, projects);
  return sql;
}

std::string spec_count_statement(std::size_t projects) {
  std::string sql = "SELECT coalesce(sum(spec_count), 0) FROM projects";
  if (projects)
    sql += " WHERE id" + in_list(1, projects);
  return sql;
}

} // namespace leanspec::detail::postgres
