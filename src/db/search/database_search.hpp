#pragma once
// Internal: search in the database (issue 18): a SearchQuery answered by the store's full-text
// index (Store::search) over one project, a set of projects or every project, without loading
// any project's snapshot: only the hits' folders are read and parsed, in the same read
// transaction as the search. Snippets are cut as the in-memory search cuts them (snippet.hpp),
// and cursors are the in-memory search's (search_cursor.hpp), so every source pages the same
// way. Implemented in database_search.cpp. Thread-safe (the Store is).

#include "db/store.hpp"

#include <leanspec/query.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

/// Searches `project_ids` (empty: every project) of `store`. Each hit names its project
/// (SearchHit::project_id). An unknown project id matches nothing.
/// @throws leanspec::Error invalid_argument for a query past the max_query_* limits, a syntax
///         error or a cursor that is no search cursor (each named); database when the store fails
SearchResult search_database(Store &store, const std::vector<std::string> &project_ids,
                             const SearchQuery &query);

} // namespace leanspec::detail
