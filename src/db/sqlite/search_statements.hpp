#pragma once
// Internal: what the SQLite store's search (Store::search, sqlite_store.cpp) runs: its
// SqlDialect (FTS5 MATCH on spec_search, json_each on tags), the SQL functions it calls
// (leanspec_phrase, leanspec_time: defined on every connection), and its statements, each in
// a named function. Implemented in search_statements.cpp.

#include "db/search/query_sql.hpp"
#include "db/sqlite/connection.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace leanspec::detail::sqlite {

/// FTS5 syntax for QuerySql.
class SqliteDialect final : public SqlDialect {
public:
  std::string placeholder(std::size_t n) const override;
  std::string token(std::string_view token, bool prefix, bool title_only) const override;
  std::string_view and_op() const override { return " AND "; }
  std::string_view or_op() const override { return " OR "; }
  std::string text_value(const std::string &) const override { return {}; }
  std::string text_combined(char, const std::vector<std::string> &) const override { return {}; }
  std::string text_match(const std::string &p) const override;
  std::string phrase_match(const std::string &p, bool title_only) const override;
  std::string phrase_param(const std::vector<std::string> &tokens) const override;
  std::string folded(std::string_view column) const override;
  std::string has_tag(const std::string &p, bool folded) const override;
  std::string time_of(std::string_view column) const override;
  std::string archived_is(bool value) const override;
  /// leanspec_score() over the row's title, tags, id and body terms (and body for a phrase).
  std::string field_score(const ScoredTerm &term, QuerySql &query) const override;
  /// leanspec_score() over the title, tags and id: read without the large body columns.
  std::string field_score_without_body(const ScoredTerm &term, QuerySql &query) const override;
};

/// Defines leanspec_phrase(tokens, field...) (1 when a field holds the space-separated tokens
/// adjacent, as the in-memory PhraseMatcher finds them) and leanspec_time(text) (unix ms of
/// parse_timestamp, or NULL) and leanspec_score(term, title, tags, id, body_terms, body) (the
/// field score of SqlDialect::field_score: `term` is SqliteDialect's encoding of a ScoredTerm)
/// on `db`.
void define_search_functions(Connection &db);

/// The ranked page: (project_id, path, score, total) rows, ordered by `score` (SQL, from
/// QuerySql::score). Its parameters: the query's (1..n), then the rank text when the query
/// requires_text() (it drives the search through the full-text index), the `projects` ids, the
/// limit and the offset.
std::string search_statement(const QuerySql &query, const std::string &score, std::size_t projects);
/// search_statement's rows when only the first `k` in score order can be on the page: the
/// matches are ranked first by `lower` (a score without the body, at most `bound` below
/// `score`), and `score` is computed only for those whose `lower + bound` reaches the k-th
/// best `lower`. The same parameters, then k and bound.
std::string bounded_search_statement(const QuerySql &query, const std::string &score,
                                     const std::string &lower, std::size_t projects);

/// How many specs of the `projects` (?2...; none: every project) match full-text expression ?1.
std::string document_frequency_statement(std::size_t projects);
/// How many specs the `projects` (?1...; none: every project) hold.
std::string spec_count_statement(std::size_t projects);

/// The FTS5 vocabulary's terms in [?1, ?2) (fuzzy expansion; the fts5vocab table
/// spec_search_vocab of schema v9), and those from ?1 on.
const char *vocabulary_range_statement();
const char *vocabulary_from_statement();

/// One folder's files with its files_hash (project ?1, path ?2), README.md first, as
/// read_specs reads them.
const char *hit_files_statement();

/// The vocabulary terms within `distance` edits of `word` that share its first byte, with
/// their distances, in vocabulary order (at most 256: the closest).
std::vector<std::pair<std::string, int>> vocabulary_terms(Connection &db, const std::string &word,
                                                          int distance);

} // namespace leanspec::detail::sqlite
