#pragma once
// Internal: the specs tree on disk, read safely: SpecsTree opens the specs directory once and
// reads nothing but through descriptors beneath it (folders with openat2(RESOLVE_BENEATH), files
// with openat(O_NOFOLLOW) in their folder, checked with fstat), finds the spec folders (at the
// top and one group folder down; names as src/tree/spec_names.hpp accepts them) and reads their
// files under the size limit, turning every unreadable folder or file into a diagnostic. The
// filesystem loader (src/fs/loader.cpp) and the database import (src/tree/spec_folders.hpp)
// both read through it. Thread-safe once constructed (its members are const).

#include "core/fd.hpp"

#include <leanspec/filesystem_source.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace leanspec::detail {

/// One entry of a folder listing; a symlink is reported as such (not as what it points to).
struct DirEntry {
  std::string name;
  bool is_dir = false;
  bool is_file = false;
  bool is_link = false;
};

/// The entries of the open folder `fd`, sorted by name unless `sorted` is false (in the kernel's
/// order: a one-shot lookup has no use for the order), into `out`: 0, or the errno of a listing
/// that failed (what was read before stays in `out`).
int read_dir(int fd, std::vector<DirEntry> &out, bool sorted = true);

/// `options.specs_dir` made canonical, as SpecsTree takes it.
/// @throws leanspec::Error not_found when it is not a directory
std::string canonical_specs_dir(const FilesystemOptions &options);

// Symlinks that stay inside the specs directory are followed: the kernel resolves them with
// RESOLVE_BENEATH, which refuses any step outside (and absolute targets; an absolute link naming
// a place inside the directory is read and resolved relative to it, again beneath it). Where
// openat2() is missing, folders are opened one name at a time with O_NOFOLLOW and symlinks are
// refused with a diagnostic: following them there could not be made race-free. A file or folder
// swapped for a symlink while a read runs is therefore never followed out of the tree, whatever
// the timing (issue 16).
class SpecsTree {
public:
  /// `root` is `options.specs_dir` made canonical.
  /// @throws leanspec::Error not_found when it cannot be opened
  SpecsTree(const FilesystemOptions &options, std::string root);

  /// The canonical specs directory.
  const std::string &root() const noexcept { return root_; }

  /// Opens `relative` (a path below the specs directory; "." for itself) without leaving it:
  /// -1 with errno set when it cannot (EXDEV: a symlink on the way leads out).
  int open_beneath(const std::string &relative, int flags) const;

  /// Spec folders of one level: `prefix` is "" or "<group>/" ("archived/", "20251031/", ...).
  /// Every folder that is not a spec folder is a group at the top level (LeanSpec's own loaders
  /// take spec folders one level under any folder, whatever the configured pattern).
  /// `sorted`: as read_dir()'s (false: the folders and diagnostics come in no fixed order).
  void collect(const std::string &prefix, std::vector<std::string> &folders,
               std::vector<std::string> &others, std::vector<Diagnostic> &diagnostics,
               bool sorted = true) const;

  /// Every *.md file of a folder, as bytes (what the loader would read).
  std::vector<std::pair<std::string, std::string>>
  read_folder(const std::string &relative, std::vector<Diagnostic> &diagnostics) const;

  /// Reads the file `entry` of the open folder `dir` (`folder` below the specs directory) into
  /// `buffer` (grown when too small, never shrunk) and returns how many bytes it holds; nullopt
  /// when it is not a regular file, or, with a diagnostic, cannot be read or is over the size
  /// limit. With `stat_out`, the file's stat is stored there and `*has_stat` says whether it was
  /// taken (not for a link, whose own stat does not change with its target).
  std::optional<std::size_t> read_file(int dir, const std::string &folder, const DirEntry &entry,
                                       std::vector<Diagnostic> &diagnostics,
                                       const std::string &spec_id, std::string &buffer,
                                       struct stat *stat_out = nullptr,
                                       bool *has_stat = nullptr) const;

  /// The diagnostic for a symlink (or a path through one) that cannot be opened.
  static void link_failed(const std::string &relative, int error,
                          std::vector<Diagnostic> &diagnostics, const std::string &spec_id);
  /// A folder that cannot be opened or listed (a spec folder so reads as unreadable, not as
  /// missing its README.md).
  static void folder_failed(const std::string &relative, int error,
                            std::vector<Diagnostic> &diagnostics, const std::string &spec_id,
                            const char *what);
  /// The warning for a name no specs tree holds.
  static void refused_name(const std::string &relative, std::string_view name,
                           std::vector<Diagnostic> &diagnostics, const std::string &spec_id);

private:
  // An absolute symlink at `relative` that names a place inside the specs directory, opened
  // there (beneath it, so a link swapped meanwhile still cannot lead out); else EXDEV.
  int open_absolute_link(const std::string &relative, int flags) const;

  const FilesystemOptions &options_;
  std::string root_;
  Fd root_fd_;
};

} // namespace leanspec::detail
