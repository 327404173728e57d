#pragma once
// Internal: a specs tree's spec folders with their files, as bytes (what a database stores when
// it imports a directory), and the spec folder a path lies in. Read through SpecsTree
// (src/tree/specs_tree.hpp), so they are the folders and files the filesystem loader reads.
// Thread-safe (no shared state).

#include <leanspec/filesystem_source.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

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
