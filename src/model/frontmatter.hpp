#pragma once
// Internal: splitting a README into frontmatter and body, and UTF-8 hygiene.
// Pure functions over text; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace leanspec::detail {

struct FrontmatterSplit {
  bool found = false;    ///< an opening `---` line was the first non-blank line
  bool closed = false;   ///< ... and a closing `---` or `...` line followed
  std::string_view yaml; ///< the lines between the delimiters
  int yaml_line = 0;     ///< 1-based line of the first yaml line
  std::string_view body; ///< everything after the closing delimiter (or the whole text)
  int body_line = 1;     ///< 1-based line where body starts
};

/// Splits `text` (LF line ends; a BOM already removed). Leading blank lines are allowed before
/// the opening delimiter. Without a closed frontmatter, body is the whole text.
FrontmatterSplit split_frontmatter(std::string_view text) noexcept;

/// Byte offset of the first invalid UTF-8 sequence, or npos when `text` is valid.
std::size_t find_invalid_utf8(std::string_view text) noexcept;
/// `text` with each invalid UTF-8 sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view text);
/// Removes a UTF-8 BOM and turns CRLF / lone CR into LF.
std::string normalize_text(std::string_view raw);
/// 1-based line number of byte `offset`.
int line_of(std::string_view text, std::size_t offset) noexcept;

} // namespace leanspec::detail
