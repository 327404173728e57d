#pragma once
// Internal: reads a specs directory into specs, in parallel. Finds spec folders according to the
// folder pattern (and the legacy archived/), refuses symlinks that leave the directory, caps
// file sizes, and turns every unreadable file into a diagnostic. Thread-safe (no shared state).

#include <leanspec/filesystem_source.hpp>
#include <vector>

namespace leanspec::detail {

class FrontmatterCache;

struct LoadResult {
  std::vector<SpecPtr> specs;
  std::vector<Diagnostic> diagnostics; ///< directory-level problems
};

/// @throws leanspec::Error not_found when `options.specs_dir` is not a directory
/// With a `cache`, frontmatter seen before is not parsed again; the caller commits it.
LoadResult load_specs(const FilesystemOptions &options, FrontmatterCache *cache = nullptr);

} // namespace leanspec::detail
