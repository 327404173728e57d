#pragma once
// FilesystemSource: serves the specs directory beside the app from memory. Construction reads
// every spec folder in parallel into an immutable snapshot; readers share it without locks and
// a reload swaps in a new one atomically. With `watch`, it follows the directory as it changes
// (inotify, else polling): only changed folders are read again, unchanged specs are shared
// with the previous snapshot, and subscribers hear what changed. Thread-safe. Implemented in
// src/fs/.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <leanspec/spec_source.hpp>
#include <leanspec/spec_update.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace leanspec {

/// How the spec folders are laid out (`structure.pattern` of .lean-spec/config.json). Both
/// patterns load alike, as LeanSpec's own tools do: spec folders (`NNN-slug`) at the top of the
/// specs directory and one group folder down (`archived/`, a date group such as `20251101/`).
enum class FolderPattern {
  flat,        ///< specs/NNN-slug (and the legacy specs/archived/NNN-slug)
  date_grouped ///< specs/<group>/NNN-slug, e.g. specs/20251101/001-x
};

struct FilesystemOptions {
  std::filesystem::path specs_dir = "specs";
  FolderPattern pattern = FolderPattern::flat;
  /// Digits of a new spec's number (create(): 3 gives "007"); the project's
  /// structure.sequenceDigits.
  int sequence_digits = 3;
  /// The template create() fills ({name}, {date}, {status}, {priority} replaced): the
  /// project's `template` (else `templates.default`) in .lean-spec/templates/. Empty: a minimal
  /// README.
  std::filesystem::path template_path;
  std::string project_id;               ///< empty: the name of the specs directory's parent
  std::size_t max_file_size = 8u << 20; ///< larger files are not read (a diagnostic says so)
  unsigned threads = 0;                 ///< loader threads; 0: one per core
  /// Where parsed frontmatter is kept between processes, keyed by its content, so a new process
  /// (or a full reload) parses only what changed; default_cache_dir() is the usual place. It is
  /// in memory only while a load runs (~3 KB a spec). Empty: no cache. The file is replaced
  /// atomically; a damaged one is ignored.
  std::filesystem::path cache_dir;
  /// Read only what summaries need: Spec::body and SubSpec::content stay empty; every other
  /// field, the content hashes and the diagnostics are those of a full read. With `cache_dir`,
  /// a folder whose files have kept their size, times and inode since an earlier load (more
  /// than 2 s after their last change) is taken from the cache without reading a file, as git
  /// does with its index. For hosts that list, count or relate specs (the CLI's list, stats,
  /// board, deps, validate); search then finds no word of a body.
  bool summaries_only = false;
  /// Build each snapshot's search index on its first search and keep it for the next ones.
  /// Off, for a process that searches once (the CLI's `search`): each search builds an index
  /// of only its query's words and drops it, which costs about half as much as the whole
  /// index, so every search costs that again. The same results either way.
  bool keep_search_index = true;

  /// Follow changes as they happen: every write, rename or delete under the specs directory
  /// publishes a new snapshot within about `debounce` (a burst such as a `git checkout` gives
  /// one snapshot) and a ChangeEvent to subscribers. Costs a thread and one inotify watch per
  /// folder. Off: the snapshot changes only on reload().
  bool watch = false;
  std::chrono::milliseconds debounce{20}; ///< quiet time that ends a burst of changes
  /// How often to look when inotify is unavailable or out of watches (a diagnostic says so),
  /// and how often a removed specs directory is looked for.
  std::chrono::milliseconds poll_interval{1000};
  bool force_polling = false; ///< poll even where inotify works (e.g. network filesystems)
};

/// `$XDG_CACHE_HOME/leanspec`, else `$HOME/.cache/leanspec`, else empty.
std::filesystem::path default_cache_dir();

/// Finds the specs directory for a project folder: `specsDir` and `structure.pattern` from
/// `<project_dir>/.lean-spec/config.json` when it exists, else from the legacy
/// `<project_dir>/.lspec/config.json`, else `<project_dir>/specs`.
/// @throws leanspec::Error config for a config file that is not valid JSON or names a specs
///         directory outside the project (the message names the file and key)
FilesystemOptions discover_options(const std::filesystem::path &project_dir);

class FilesystemSource : public SpecSource {
public:
  /// Reads the whole specs directory.
  /// @throws leanspec::Error not_found when `specs_dir` is not a directory
  explicit FilesystemSource(FilesystemOptions options);
  ~FilesystemSource() override;

  /// Reads the specs directory again and publishes a new snapshot atomically when anything
  /// changed (readers see the old snapshot or the new one, never a mix); unchanged specs are
  /// shared with the old one.
  /// @throws leanspec::Error not_found when the directory has gone (the old snapshot stays)
  void reload();

  /// Writes `update` (spec_update.hpp: only the lines it touches change) into the README.md of
  /// the spec `ref` names (id, number or slug) if the file's content hash (Spec::content_hash,
  /// its git blob SHA-1) is still `base_hash`. The write is atomic (a temporary file in the
  /// folder, fsynced, renamed over the README, the folder fsynced) and made under an flock on
  /// the spec's folder, which every writer through this library takes, so of two writers based
  /// on the same version one wins and the other gets `conflict`. The folder is read again
  /// before this returns: the next call on this source sees the write (subscribers get the
  /// change event). An update that changes nothing writes nothing.
  /// @returns the spec as this source now serves it
  /// @throws leanspec::Error conflict when the README moved on (nothing is written), not_found,
  ///         ambiguous, invalid_argument (an empty `base_hash`, or update_readme()'s), io
  SpecPtr update(std::string_view ref, const SpecUpdate &update, std::string_view base_hash);
  /// The same write for toggle_checklist_item() (spec_update.hpp): its `index`-th task-list
  /// item (1-based) checked or unchecked.
  SpecPtr toggle_checklist_item(std::string_view ref, int index, std::string_view base_hash);

  /// Creates a spec: the folder `NNN-slug` (NNN one more than the highest number in the
  /// directory, archived specs included, with at least options().sequence_digits digits; under
  /// today's `YYYYMMDD` group for a date-grouped directory) holding a README.md with the
  /// frontmatter `spec` gives (`status`, `created`, `created_at`, and priority, tags and
  /// assignee when set) over `spec.body`, else `# <title>`. Numbering and the write happen
  /// under an flock on the specs directory, so two writers never take one number. The
  /// directory is read again before this returns.
  /// @returns the new spec as this source serves it
  /// @throws leanspec::Error invalid_argument (an empty title, or a slug with nothing but
  ///         letters, digits and '-' left), io
  SpecPtr create(const NewSpec &spec);

  /// The version of the current snapshot: 1 after construction, one more per new snapshot.
  std::uint64_t version() const noexcept;
  const FilesystemOptions &options() const noexcept;

  std::vector<Project> projects() const override;
  std::shared_ptr<const SpecList> list(const ListQuery &query = {}) const override;
  SpecPtr get(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const SearchResult> search(const SearchQuery &query) const override;
  std::shared_ptr<const Stats> stats(std::string_view project_id = {}) const override;
  std::shared_ptr<const Relationships>
  relationships(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const std::vector<Diagnostic>>
  validate(std::string_view project_id = {}) const override;
  /// Events come from the watcher (with `watch`) and from reload().
  Subscription subscribe(ChangeCallback callback) const override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads the one spec `ref` names without loading the specs directory: the ref (id, number,
/// slug or folder path) is resolved from the folder names as FilesystemSource::get() resolves
/// it, with the same errors, and only that folder is read, in full (`summaries_only`,
/// `cache_dir` and `watch` are ignored). The spec equals the one get() gives after a full load.
/// For one-shot readers such as the CLI's `show`. nullptr when no spec matches.
/// @throws leanspec::Error not_found (no specs directory), invalid_argument (a ref leaving the
///         directory), ambiguous (the ref names several specs)
SpecPtr load_spec(const FilesystemOptions &options, std::string_view ref);

/// Creates a FilesystemSource (see its constructor).
std::shared_ptr<FilesystemSource> make_filesystem_source(FilesystemOptions options);

} // namespace leanspec
