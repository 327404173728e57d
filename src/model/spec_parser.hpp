#pragma once
// Internal: the spec parser behind leanspec::parse_spec(), with a hook for problems the loader
// found before parsing (a file too large or unreadable). Thread-safe.

#include <leanspec/spec.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

class FrontmatterCache;

/// As leanspec::parse_spec(); `file_diagnostics` are problems met while reading the files.
/// When `readme` is empty and `file_diagnostics` explain why, no "missing README" is added.
/// With a `cache`, frontmatter text seen before is not parsed again.
Spec parse_spec_files(std::string_view path, std::optional<std::string_view> readme,
                      std::vector<std::pair<std::string, std::string>> sub_files,
                      std::vector<Diagnostic> file_diagnostics, FrontmatterCache *cache = nullptr);

/// The first `# ` heading outside code fences, or empty.
std::string first_heading(std::string_view markdown);

} // namespace leanspec::detail
