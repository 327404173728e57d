#pragma once
// Internal to src/service/: SetCursor, the opaque next_cursor of a list or search over a
// project set (docs/GLOSSARY.md, "project set"). Implemented in set_cursor.cpp.
//
// A list over a set is a merge of parts, each a source's answer for one project or (the
// database answering sets itself) for a subset ("a,b", "*"). Its cursor holds, for every part
// that has given specs to an earlier page, where that part's next page starts: the part's own
// next_cursor, or "done". Parts absent from it start at their beginning. A search over a set
// merges the parts' best hits, and its cursor holds how many hits earlier pages returned.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace leanspec::detail {

struct SetCursor {
  enum class Kind { list, search };
  Kind kind = Kind::list;
  /// list: per part (the project id or subset asked), its next cursor; nullopt: done.
  std::map<std::string, std::optional<std::string>, std::less<>> parts;
  std::size_t offset = 0; ///< search: hits returned by earlier pages
};

/// The cursor text (base64url).
std::string encode_set_cursor(const SetCursor &cursor);
/// Reads `text` as a cursor of `kind`. Empty text: the first page.
/// @throws Error invalid_argument when `text` is not such a cursor
SetCursor decode_set_cursor(std::string_view text, SetCursor::Kind kind);

} // namespace leanspec::detail
