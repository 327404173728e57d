#pragma once
// Internal: the query language's text form. parse_query() turns text into a Query (the tree of
// query_ast.hpp) and to_string() turns it back. Implemented in query_parser.cpp. Thread-safe:
// pure functions; a parsed Query is immutable.

#include <memory>
#include <string>
#include <string_view>

namespace leanspec::detail {

struct Query; // the parsed AST, defined in query_ast.hpp

/// Parses a query. @throws leanspec::Error invalid_argument naming the position and problem.
std::shared_ptr<const Query> parse_query(std::string_view text);
/// A canonical text form: parse_query(to_string(q)) gives an equal query.
std::string to_string(const Query &query);
bool operator==(const Query &a, const Query &b) noexcept;

} // namespace leanspec::detail
