#pragma once
// Internal: GitHub's answers decoded, each failure a SyncFailure naming `what`
// (src/github/response_decoding.cpp): JSON through simdjson, base64 through OpenSSL.

#include <cstddef>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>

namespace leanspec::detail {

// Base64 as GitHub sends it (newlines every 60 characters), through OpenSSL's decoder.
std::optional<std::string> decode_base64(std::string_view text);

// A spec file's base64 `content`, within `max_size` bytes once decoded.
std::string decode_file(std::string_view content, std::size_t max_size, const std::string &what);

/// The parsed body. @throws SyncFailure for invalid JSON
simdjson::dom::element parse_json(simdjson::dom::parser &parser, const std::string &body,
                                  const std::string &what);

/// object[key] as text. @throws SyncFailure when it is missing or not a string
std::string_view json_text(simdjson::dom::element object, const char *key, const std::string &what);

} // namespace leanspec::detail
