#pragma once
// Internal: the one place yaml-cpp is used. parse_yaml() turns frontmatter text into a Value tree
// (every scalar kept as its text, lines relative to the text) plus the problems met on the way.
// Pure function; thread-safe.

#include <leanspec/spec.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

/// A problem in the YAML text itself; `line` is 0-based within the text.
struct YamlProblem {
  Diagnostic::Severity severity = Diagnostic::Severity::error;
  int line = 0;
  std::string code;
  std::string message;
};

struct YamlDocument {
  Value root; ///< lines 0-based within the text
  std::vector<YamlProblem> problems;
};

YamlDocument parse_yaml(std::string_view text);

} // namespace leanspec::detail
