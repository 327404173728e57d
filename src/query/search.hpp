#pragma once
// Internal: ranked search over a snapshot's specs. run_search() evaluates a parsed Query
// (query_parser.hpp) against the SearchIndex built over the specs (search_index.hpp), applies
// the filter, ranks and cuts snippets (search.cpp, with evaluator.cpp and snippet.cpp).
// Thread-safe: pure functions over immutable inputs.

#include <cstddef>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

struct Query;      // query_ast.hpp
class SearchIndex; // search_index.hpp

/// About 160 bytes of `body` around byte `offset` (where a match starts), blanks collapsed to
/// single spaces, cut at UTF-8 boundaries, with "…" where text was cut off.
std::string make_snippet(std::string_view body, std::size_t offset);

/// Evaluates `query` (with `filter` on top), ranks title and tag matches above body matches,
/// skips the first `skip` hits and cuts to `limit` (0: all); next_cursor names the next page
/// when hits are left (search_cursor.hpp). Each hit carries a snippet. Ties: spec number, then
/// id.
/// @throws leanspec::Error internal when `index` was built over another number of specs
SearchResult run_search(const std::vector<SpecPtr> &specs, const SearchIndex &index,
                        const Query &query, const Filter &filter, std::size_t limit,
                        std::size_t skip = 0);

} // namespace leanspec::detail
