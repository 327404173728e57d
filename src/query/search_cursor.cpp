// Implements src/query/search_cursor.hpp: "s" followed by the offset in decimal.
#include "query/search_cursor.hpp"

#include <charconv>
#include <leanspec/error.hpp>

namespace leanspec::detail {

std::string encode_search_cursor(std::size_t offset) { return "s" + std::to_string(offset); }

std::size_t decode_search_cursor(std::string_view cursor) {
  if (cursor.empty())
    return 0;
  std::size_t offset = 0;
  const char *end = cursor.data() + cursor.size();
  if (cursor.size() > 1 && cursor.size() <= 20 && cursor[0] == 's' && cursor[1] != '0') {
    const auto [at, error] = std::from_chars(cursor.data() + 1, end, offset);
    if (error == std::errc() && at == end)
      return offset;
  }
  throw Error(ErrorCode::invalid_argument,
              "cursor '" + std::string(cursor.substr(0, 64)) + "' is not a cursor of a search");
}

} // namespace leanspec::detail
