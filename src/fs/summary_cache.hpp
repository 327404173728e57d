#pragma once
// Internal: SummaryCache, spec summaries (a Spec without its body and sub-spec texts) kept
// between processes for FilesystemOptions::summaries_only, keyed like git's index by the stat of
// the spec folder and of each *.md file read: a folder whose keys all match is served without
// reading a file. A key changed at or after `trusted_before` (default: 2 s before the load) is
// not kept, since file times come from a coarse clock and a later edit could repeat them. One
// file, replaced atomically; a file from another build (its GNU build id), another
// max_file_size, or a damaged one is ignored. find() and store() may run on many threads at
// once; open() and commit() run alone.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <leanspec/spec.hpp>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

struct stat;

namespace leanspec::detail {

/// One version of a file or folder: while the key is equal, so is the content.
struct FileKey {
  std::uint64_t dev = 0, ino = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  static FileKey of(const struct stat &st) noexcept;
  bool operator==(const FileKey &) const = default;
};

/// What one spec was read from: its folder and each *.md file (by name) the loader read.
struct FolderKeys {
  FileKey folder;
  std::vector<std::pair<std::string, FileKey>> files;
};

class SummaryCache {
public:
  using Clock = std::chrono::system_clock;

  /// Nothing is read yet. `max_file_size` is FilesystemOptions::max_file_size (summaries
  /// depend on it); keys changed at or after `trusted_before` are not stored.
  SummaryCache(std::filesystem::path file, std::size_t max_file_size,
               std::optional<Clock::time_point> trusted_before = std::nullopt);

  /// Starts a load: reads the file's index (entries are decoded by find()).
  void open();
  /// The summary of `folder` ("042-x") when its folder key is still `folder_key` and each file
  /// it was read from still has its key (stat'ed under `dir`, the folder's path); else null.
  SpecPtr find(const std::string &folder, const FileKey &folder_key, const std::string &dir);
  /// Keeps the summary of `spec`, read in full from `keys`, unless a key is too recent.
  void store(const std::string &folder, const FolderKeys &keys, const Spec &spec);
  /// Ends a load: rewrites the file when entries were stored or went unused (a folder gone),
  /// then forgets them. Never throws; a failed write leaves the old file.
  void commit() noexcept;

  std::size_t hits() const noexcept { return hits_; }
  std::size_t size() const; ///< entries held (after open(), before commit())

  /// A summary's encoding (exposed for tests): every field but body and sub-spec contents.
  static std::string encode(const Spec &spec);
  /// Reads encode()'s output into `spec`; false when it is not exactly that.
  static bool decode(std::string_view bytes, Spec &spec);

private:
  struct Entry {
    FolderKeys keys;
    std::string_view bytes;  ///< the whole entry as in the file (for rewriting it)
    std::string_view spec;   ///< the encoded summary
    bool used = false;       ///< written only by the thread that loads this folder
    std::string fresh_bytes; ///< an entry stored in this load: its encoding
  };
  std::filesystem::path file_;
  std::size_t max_file_size_;
  std::optional<Clock::time_point> trusted_before_;
  std::int64_t trusted_before_ns_ = 0; // for this load
  bool usable_ = false;                // this build has an id to tag the file with
  std::string build_id_;
  std::string bytes_; // the file read by open()
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::pair<std::string, Entry>> stored_; // guarded by mutex_
  mutable std::mutex mutex_;
  std::atomic<std::size_t> hits_{0};
};

} // namespace leanspec::detail
