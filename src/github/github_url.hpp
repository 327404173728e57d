#pragma once
// Internal: the URLs the GitHub client fetches (src/github/github_url.cpp), read with curl's URL
// API: the origin a token is bound to, and the form an error message may show. Pure functions.

#include <optional>
#include <string>

namespace leanspec::detail {

// What the token is bound to: scheme, host and port (the scheme's default when absent).
struct Origin {
  std::string scheme, host, port;
  bool operator==(const Origin &) const = default;
};

struct ParsedUrl {
  Origin origin;
  std::string path, query;
  bool has_credentials = false, has_fragment = false;
};

/// nullopt when `text` is not an absolute http(s) URL with a host.
std::optional<ParsedUrl> parse_url(const std::string &text);

/// A URL fit for an error message: no user info, no fragment, and only the query parameters
/// known to carry no secret keep their values (a codeload redirect may carry `?token=`).
std::string shown_url(const ParsedUrl &url);

} // namespace leanspec::detail
