#pragma once
// Internal: the names a GitHub answer carries, checked before use (src/github/repo_paths.cpp):
// commit and blob SHAs, repository paths (safe, storable), and their URL encoding.

#include <cstdint>
#include <string>
#include <string_view>

namespace leanspec::detail {

/// 40 lower-case hex digits.
bool is_sha(std::string_view s);

// Percent-encodes everything but unreserved characters (and '/' when keep_slash).
std::string url_escape(std::string_view s, bool keep_slash);

// Tree paths must be relative, free of NUL, empty, "." and ".." components.
bool safe_path(std::string_view path);

// A safe path no longer than a filesystem could hold: components of at most 1024 bytes
// (Windows' 255 UTF-16 units are at most 765 bytes of UTF-8), 4096 bytes in all.
bool storable_path(std::string_view path);

// GitHub refuses pushes over 2 GB: a tree entry claiming more is not a real file.
constexpr std::uint64_t max_git_file = std::uint64_t{2} << 30;

} // namespace leanspec::detail
