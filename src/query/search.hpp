#pragma once
// Internal: LeanSpec's query language and ranked search over a snapshot's specs.
// parse_query() turns text into a Query; SearchIndex is an inverted index over the specs'
// title, tags, id and body, built once per snapshot; run_search() evaluates and ranks.
// Thread-safe: a built index is immutable.

#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

struct Query; // the parsed AST, defined in query_ast.hpp

/// Parses a query. @throws leanspec::Error invalid_argument naming the position and problem.
std::shared_ptr<const Query> parse_query(std::string_view text);
/// A canonical text form: parse_query(to_string(q)) gives an equal query.
std::string to_string(const Query &query);
bool operator==(const Query &a, const Query &b) noexcept;

class SearchIndex;
/// Builds the index over `specs` (the order is the snapshot's; hits refer to these indices).
std::shared_ptr<const SearchIndex> build_search_index(const std::vector<SpecPtr> &specs);

/// Evaluates `query` (with `filter` on top), ranks title and tag matches above body matches,
/// and cuts to `limit` (0: all). Each hit carries a snippet.
SearchResult run_search(const std::vector<SpecPtr> &specs, const SearchIndex &index,
                        const Query &query, const Filter &filter, std::size_t limit);

} // namespace leanspec::detail
