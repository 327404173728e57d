#pragma once
// Internal: reads a specs directory into specs, in parallel. Finds spec folders at the top and
// one group folder down (archived/, date groups; names as src/tree/spec_names.hpp accepts them),
// reads only through descriptors opened beneath the directory (symlinks are followed only while
// they stay inside, race-free), caps file sizes, and turns every unreadable folder or file into
// a diagnostic. Thread-safe (no shared state).

#include <functional>
#include <leanspec/filesystem_source.hpp>
#include <string>
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

/// One spec folder's Markdown files, as bytes (for storing a tree in a database).
struct FolderFiles {
  std::string folder;                                     ///< "042-x", "archived/001-y"
  std::vector<std::pair<std::string, std::string>> files; ///< name, bytes; README.md first
};

/// The spec folders load_specs() would find, with their *.md files; files it would refuse
/// (over the size limit, unreadable, links leaving the directory) are left out.
/// @throws leanspec::Error not_found when `options.specs_dir` is not a directory
std::vector<FolderFiles> read_spec_folders(const FilesystemOptions &options);

/// The spec folder a path relative to the specs directory lies in ("042-x/README.md" ->
/// "042-x", "archived/001-y" -> "archived/001-y"); empty when it lies in none.
std::string spec_folder_of(std::string_view path);

} // namespace leanspec::detail
