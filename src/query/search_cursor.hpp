#pragma once
// Internal: the cursor of a search page (SearchQuery::cursor, SearchResult::next_cursor), the
// same for every source: the number of hits of the ranked result before the page, as an
// opaque text. Implemented in search_cursor.cpp. Thread-safe: pure functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace leanspec::detail {

/// The cursor of the page that starts after `offset` hits.
std::string encode_search_cursor(std::size_t offset);
/// The offset a cursor names; 0 for an empty cursor (the first page).
/// @throws leanspec::Error invalid_argument naming the cursor when it is not a search cursor
std::size_t decode_search_cursor(std::string_view cursor);

} // namespace leanspec::detail
