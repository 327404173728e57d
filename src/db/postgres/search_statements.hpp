#pragma once
// Internal: what the PostgreSQL store's search (Store::search, postgres_store.cpp) runs: its
// SqlDialect (tsquery over the `search` column, json_array_elements_text over tags, regular
// expressions for phrases, leanspec_time() of schema v9 for dates) and its statement, in a
// named function. Implemented in search_statements.cpp.

#include "db/search/query_sql.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace leanspec::detail::postgres {

/// tsquery syntax for QuerySql. The search vectors hold no edit-distance vocabulary: a fuzzy
/// word expands to itself (documented in docs/SEARCH.md).
class PostgresDialect final : public SqlDialect {
public:
  std::string placeholder(std::size_t n) const override;
  std::string token(std::string_view token, bool prefix, bool title_only) const override;
  std::string_view and_op() const override { return " & "; }
  std::string_view or_op() const override { return " | "; }
  std::string text_value(const std::string &p) const override;
  std::string text_combined(char op, const std::vector<std::string> &values) const override;
  std::string text_match(const std::string &p) const override;
  std::string phrase_match(const std::string &p, bool title_only) const override;
  std::string phrase_param(const std::vector<std::string> &tokens) const override;
  std::string folded(std::string_view column) const override;
  std::string has_tag(const std::string &p, bool folded) const override;
  std::string time_of(std::string_view column) const override;
  std::string archived_is(bool value) const override;
  /// From the vector's labels: A (title) 10, B (tags and id, one label) 5, D (body) 1; a
  /// phrase from where its regular expression matches.
  std::string field_score(const ScoredTerm &term, QuerySql &query) const override;
  /// The same from `search_head` (schema v11: the vector's A and B labels, small enough to
  /// stay in the row) and the title, tags and id: the vector is never read.
  std::string field_score_without_body(const ScoredTerm &term, QuerySql &query) const override;
};

/// The ranked page: (project_id, path, score, total) rows, ordered by `score` (SQL, from
/// QuerySql::score). Its parameters: the query's (1..n), then the rank text when the query
/// requires_text() (the GIN index drives the search), the `projects` ids, the limit and the
/// offset.
std::string search_statement(const QuerySql &query, const std::string &score, std::size_t projects);

/// search_statement() where only the first offset + limit by score can be on the page, for a
/// query with a QuerySql::tree_text() (the GIN index alone finds the matches, with no vector
/// read): every match is scored by `lower` (QuerySql::score_without_body), and only those whose
/// lower score plus what a body can add reaches the k-th best lower score get their vector read
/// and their exact `score`. Its parameters: the query's (1..n), the `projects` ids, the limit,
/// the offset, k (limit + offset) and the body's bound (QuerySql::body_bound).
std::string bounded_search_statement(const QuerySql &query, const std::string &score,
                                     const std::string &lower, std::size_t projects);

/// How many specs of the `projects` ($2...; none: every project) match tsquery $1.
std::string document_frequency_statement(std::size_t projects);
/// How many specs the `projects` ($1...; none: every project) hold.
std::string spec_count_statement(std::size_t projects);

} // namespace leanspec::detail::postgres
