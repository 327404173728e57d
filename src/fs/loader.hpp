#pragma once
// Internal: reads a specs directory into specs, in parallel. The folders and files are those
// SpecsTree finds and reads (src/tree/specs_tree.hpp: spec folders at the top and one group
// folder down, descriptors only, beneath the directory, file sizes capped, every unreadable
// folder or file a diagnostic); the loader parses them, with the frontmatter and summary
// caches. Thread-safe (no shared state).

#include <functional>
#include <leanspec/filesystem_source.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

class FrontmatterCache;
class SummaryCache;

struct LoadResult {
  std::vector<SpecPtr> specs;
  std::vector<Diagnostic> diagnostics; ///< directory-level problems
};

/// The spec already loaded from a folder ("042-x", "archived/001-y") when it cannot have
/// changed since, else nullptr (the folder is read).
using ReuseSpec = std::function<SpecPtr(const std::string &folder)>;

/// Every spec folder of the directory, read (or, where `reuse` gives one, taken over).
/// With a `cache`, frontmatter seen before is not parsed again; with `summaries` (opened), a
/// folder unchanged since it was stored there is not read (only with `summaries_only`). The
/// caller commits both.
/// @throws leanspec::Error not_found when `options.specs_dir` is not a directory
LoadResult load_specs(const FilesystemOptions &options, FrontmatterCache *cache = nullptr,
                      const ReuseSpec &reuse = {}, SummaryCache *summaries = nullptr);

/// The spec `ref` names, read alone and in full (as load_specs() without caches reads it): the
/// ref is resolved from the folder names (find_folder(), src/tree/folder_ref.hpp) and no other
/// folder is opened. nullptr when no folder matches.
/// @throws leanspec::Error not_found when `options.specs_dir` is not a directory;
///         invalid_argument, ambiguous as find_folder()
SpecPtr load_spec(const FilesystemOptions &options, std::string_view ref);

} // namespace leanspec::detail
