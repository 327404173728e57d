#pragma once
// Internal: the parsed form of LeanSpec's search query language (see query_parser.hpp): an
// immutable tree of QueryNodes under a Query. parse_query() builds it (query_parser.hpp),
// to_string() prints its canonical text, run_search() evaluates it (evaluator.cpp). Immutable once
// built.
//
// Grammar (NOT > AND > OR; AND is implicit between terms; keywords are upper-case):
//   query   := [or]
//   or      := and ('OR' and)*
//   and     := unary (['AND'] unary)*
//   unary   := 'NOT' unary | '-' unary | '(' or ')' | term
//   term    := word | word '~' [1|2] | '"' phrase '"' | field ':' value
//   field   := status | tag | priority | assignee | title | id | created | updated
// A word is a run of bytes other than ASCII blanks, '(', ')' and '"'; a phrase may hold
// anything, with \" and \\ as escapes. Positions in error messages are 0-based byte offsets.
// A text longer than max_query_bytes, or with more than max_query_terms terms or
// max_query_fuzzy_terms fuzzy terms (include/leanspec/query.hpp), is refused before parsing.

#include <cstdint>
#include <leanspec/spec.hpp>
#include <optional>
#include <string>
#include <vector>

namespace leanspec::detail {

/// What a QueryNode tests.
enum class NodeKind : std::uint8_t {
  word,     ///< `text`: each token of a one-token word is a prefix of an indexed token;
            ///< a word of several tokens ("foo-bar") matches them adjacent, exactly
  phrase,   ///< `text`: its tokens adjacent and exact, within one field
  fuzzy,    ///< `text`: one token; an indexed token within `distance` edits matches
  status,   ///< `status`
  priority, ///< `priority`
  tag,      ///< `text`: one of the spec's tags, case-insensitive
  assignee, ///< `text`: the assignee, case-insensitive
  id,       ///< `text`: the spec's id, slug, or (digits) number
  created,  ///< `op`, `from`, `to` against Spec::created_time()
  updated,  ///< `op`, `from`, `to` against Spec::updated_time()
  not_op,   ///< one child
  and_op,   ///< two or more children, none of them and_op
  or_op,    ///< two or more children, none of them or_op
};

/// How a date filter compares.
enum class DateOp : std::uint8_t { eq, lt, le, gt, ge, range };

/// A date as a filter bound: a bare date ("2025-11-14") stands for its whole UTC day, a
/// timestamp for its millisecond.
struct DateValue {
  Timestamp at{};
  bool whole_day = true;
  std::string text; ///< as written (not compared); printed when the canonical form is unsafe

  /// The first instant after the value: the next midnight for a whole day, else at + 1 ms.
  Timestamp end() const noexcept;
};

/// One node of a query tree. Text values are ASCII lower-cased when parsed.
struct QueryNode {
  NodeKind kind = NodeKind::word;
  bool title_only = false; ///< word/phrase/fuzzy under `title:`
  std::string text;
  int distance = 0; ///< fuzzy: 1 or 2
  Status status = Status::planned;
  Priority priority = Priority::medium;
  DateOp op = DateOp::eq;
  DateValue from; ///< the date (the range start for DateOp::range)
  DateValue to;   ///< the range end (DateOp::range only)
  std::vector<QueryNode> children;
  /// Derived from `text` for word/phrase/fuzzy (not compared): the lower-case tokens.
  std::vector<std::string> tokens;
};

/// A parsed query; an empty root matches every spec.
struct Query {
  std::optional<QueryNode> root;
};

/// Structural equality, ignoring derived data and the as-written date text.
bool operator==(const QueryNode &a, const QueryNode &b) noexcept;
/// The canonical text of one node (see to_string(const Query &)).
std::string to_string(const QueryNode &node);

} // namespace leanspec::detail
