#pragma once
// Internal: base64url (RFC 4648 §5, no padding), the text of the library's opaque cursors (list
// cursors in src/snapshot, project-set cursors in src/service) and of JWT parts (src/github).
// Implemented in base64url.cpp.
#include <optional>
#include <string>
#include <string_view>

namespace leanspec::detail {

/// `in` as base64url without padding.
std::string base64url(std::string_view in);
/// The bytes base64url() encoded; empty when `in` holds a character outside the alphabet.
std::optional<std::string> unbase64url(std::string_view in);

} // namespace leanspec::detail
