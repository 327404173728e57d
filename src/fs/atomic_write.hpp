#pragma once
// Internal: the file operations of a spec write (FilesystemSource::update): an exclusive lock
// on a spec's folder that every writer through this library takes, reading a file whole, and
// replacing one atomically. POSIX; each throws Error io naming the path.

#include "core/fd.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace leanspec::detail {

/// flock(LOCK_EX) on a folder, held while it lives (across processes: one writer at a time).
class FolderLock {
public:
  explicit FolderLock(const std::filesystem::path &folder);

private:
  Fd fd_; // closing it releases the lock
};

/// The file's bytes, as they are.
std::string read_whole_file(const std::filesystem::path &file);

/// Replaces `file` with `bytes` so that a reader sees the old file or the new one, never a torn
/// one, and a crash leaves one of the two: a temporary file in the same folder, written and
/// fsynced, renamed over `file` (keeping its permission bits), then the folder fsynced.
void replace_file_atomically(const std::filesystem::path &file, std::string_view bytes);

} // namespace leanspec::detail
