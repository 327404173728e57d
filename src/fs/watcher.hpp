#pragma once
// Internal: watches a specs directory and reports what changed in coalesced batches, for
// FilesystemSource's incremental reloads (src/fs/filesystem_source.cpp). inotify over the tree
// down to a depth; polling (stat every interval) when inotify is unavailable or out of watches.
// Thread-safe: the callback runs on the watcher's own thread ("leanspec-watch"); polling() and
// diagnostics() may be called from any thread.

#include <chrono>
#include <filesystem>
#include <functional>
#include <leanspec/spec.hpp>
#include <memory>
#include <string>
#include <vector>

namespace leanspec::detail {

/// One coalesced burst of changes.
struct WatchBatch {
  /// Changed paths relative to the root ("042-x/README.md", "042-x", "archived/001-y",
  /// "20251101/003-z/DESIGN.md"), sorted, without duplicates. A path is reported whether it was
  /// created, written, touched, renamed (both names) or deleted; the caller stats it to know
  /// which. Every name is reported, editor noise (".README.md.swp", "4913", "x~") included.
  /// When polling, a folder whose entries changed is reported too (its mtime changed).
  std::vector<std::string> paths;
  /// The watcher lost track (inotify queue overflow, a watch that could not be added, a switch
  /// to polling, the root removed or re-created): the caller reloads everything. `paths` may
  /// still list what was seen.
  bool rescan = false;
};

struct WatcherOptions {
  std::filesystem::path root;                    ///< the specs directory
  std::chrono::milliseconds debounce{25};        ///< quiet time that ends a burst
  std::chrono::milliseconds max_delay{250};      ///< a burst that never goes quiet is delivered
                                                 ///< this long after its first event
  std::chrono::milliseconds poll_interval{1000}; ///< when polling, and while the root is missing
  bool force_polling = false; ///< poll even where inotify works (tests, network filesystems)
  /// How deep below the root changes are seen: 3 covers root/group/spec-folder/file. Folders
  /// down to depth max_depth - 1 are watched (or scanned); names starting with '.' are
  /// reported but never descended into (the loader skips them too).
  int max_depth = 3;
};

/// Watches `options.root` from construction to destruction.
///
/// Only changes made after the constructor returned are guaranteed to be reported: construct
/// the watcher before the initial load, so that nothing falls in between. The root may be
/// missing at construction; it is looked for every poll_interval and a `rescan` batch is
/// delivered once it exists. When the root disappears later (removed or renamed), a `rescan`
/// batch says so, and another follows once it exists again.
///
/// IMPORTANT: the callback must not destroy the Watcher (the destructor joins the thread that
/// runs it). An exception from the callback is caught and recorded as a diagnostic.
class Watcher {
public:
  /// Called on the watcher's thread, one call per coalesced burst, never concurrently with
  /// itself and never after the destructor returned. It may take long: events queue in the
  /// kernel meanwhile (an overflow turns into a `rescan` batch).
  using Callback = std::function<void(WatchBatch)>;

  /// Sets up the watches (or the first polling scan) on the calling thread, then starts the
  /// watcher's thread. inotify problems never throw: the watcher polls instead and a
  /// "watch-polling" diagnostic says why (force_polling gets one too, so that whoever reads
  /// the diagnostics learns that changes show up only every poll_interval).
  /// @throws leanspec::Error io when the wake-up descriptor or the thread cannot be created
  Watcher(WatcherOptions options, Callback callback);
  /// Stops promptly, even mid-burst (a pending batch is dropped); waits for a running callback
  /// to return, joins the thread and closes every descriptor.
  ~Watcher();
  Watcher(const Watcher &) = delete;
  Watcher &operator=(const Watcher &) = delete;

  /// True when the watcher stats the tree every poll_interval instead of using inotify.
  bool polling() const noexcept;
  /// Why the watcher polls ("watch-polling"), and exceptions from the callback
  /// ("watch-callback"); warnings, with empty spec_id and file.
  std::vector<Diagnostic> diagnostics() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace leanspec::detail
