#pragma once
// DatabaseSource: serves the specs of registered GitHub projects from a database (database
// mode): SQLite, embedded, by default; PostgreSQL when several app instances share one store.
// A hot project's stored snapshot is parsed once into the same in-memory snapshot the
// filesystem source uses, so the same specs give the same results whichever source answers;
// it is read again when the project's stored version moves (another process synced it).
// Memory is bounded (DatabaseOptions::cache_bytes): every other project is served cold,
// straight from the database, with the same answers, cursors included.
// Thread-safe, across threads and processes sharing the database. Implemented in src/db/.
//
//   auto db = leanspec::make_database_source({.database_url = "sqlite:/var/lib/app/specs.db"});
//   db->add_project({.id = "acme/web", .branch = "main"});
//   db->import_directory("acme/web", "path/to/specs");     // or the GitHub sync fills it
//   auto page = db->list({.project_id = "acme/web"});

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <leanspec/spec_source.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec {

struct DatabaseOptions {
  /// `sqlite:/path/x.db`, a plain path, `postgres://user:pw@host:port/db` or
  /// `postgresql://...`; empty: a SQLite file under $XDG_DATA_HOME/leanspec (else
  /// ~/.local/share/leanspec). Errors name the file or host, never a password.
  std::string database_url;
  /// How long a project's snapshot is served before its stored version is checked again.
  std::chrono::milliseconds recheck{20};
  /// The project a call that names none is about; empty: the only registered project.
  std::string project_id;
  /// false: a SQLite file that does not exist (not_found) or is empty (database) is an error,
  /// and no file or folder is created (for programs that only read).
  bool create_if_missing = true;
  /// The memory budget of the parsed snapshots kept for hot projects, in bytes (what the
  /// snapshots' specs, strings, ref maps and search indexes take, as malloc counts them):
  /// past it the least recently read project's snapshot is dropped. 0: keep none.
  /// SpecsService reads it from SPECS_CACHE_BYTES.
  ///
  /// Admission: a project turns hot (is parsed whole and kept) on its second read within 60 s;
  /// a first read, and every read of a project whose snapshot alone exceeds the budget, is
  /// served cold, so a one-off read (a crawler, a project-set view) never evicts the projects
  /// being read again and again. A cold read reads the project's summary rows (the
  /// denormalized columns of its specs and its relationships) and the folders its answer
  /// returns whole (get: one; list: the page's), in one read transaction, so it sees one
  /// stored version: stats and relationships parse nothing, get and list parse only what they
  /// return; search() reads the summaries with their bodies and parses only the page's
  /// folders (docs/SEARCH.md). validate() of a cold project parses it whole for that call (not
  /// kept). A snapshot a reader still holds stays alive past its eviction: the budget counts
  /// what the source keeps. The search index counts once built (the first search). Once
  /// snapshots of an eighth of the budget have been evicted, the heap's free pages are given
  /// back to the system (glibc's malloc_trim).
  std::size_t cache_bytes = 256u << 20;
};

/// How a write to a GitHub project lands (GithubSync::write_file): a commit on the project's
/// branch, or a pull request from a new branch (for repositories the app may not push to
/// directly; the stored snapshot then stays until the pull request is merged and synced).
enum class WriteMode { commit, pull_request };

/// "commit" or "pull_request".
std::string_view to_string(WriteMode mode) noexcept;
/// The mode a text names ("commit", "pull_request"), or nullopt.
std::optional<WriteMode> write_mode_from(std::string_view text) noexcept;

// The pragmas keep the deprecated member's warning out of the implicit constructors and
// assignments (GCC and Clang warn there, at the struct): only a use of `last_commit` warns.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
/// A registered project and its sync state.
struct RegisteredProject {
  std::string id; ///< "owner/repo"
  std::string branch = "main";
  std::string specs_path = "specs"; ///< the specs folder in the repository
  std::chrono::seconds sync_interval{300};
  /// idle, syncing, interrupted (a sync's holder died or lost its lease: the scheduler takes
  /// it over), ok or error (read-only)
  std::string sync_state;
  std::string sync_error; ///< the last sync's error (read-only)
  /// interrupted: when the sync's lease expired, unix ms; else 0 (read-only)
  std::int64_t sync_interrupted_at = 0;
  /// SHA of the commit the stored snapshot comes from: the last synced one (read-only)
  std::string commit_sha;
  /// Deprecated, kept for one release: commit_sha, filled with the same value.
  [[deprecated("use commit_sha")]] std::string last_commit;
  std::int64_t last_synced_at = 0;          ///< unix ms (read-only)
  std::uint64_t snapshot_version = 0;       ///< +1 per stored snapshot that changed something
  std::size_t spec_count = 0;               ///< specs in the stored snapshot (read-only)
  WriteMode write_mode = WriteMode::commit; ///< how writes to it land
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// A change to a registered project's settings (DatabaseSource::update_project): each field
/// given replaces the stored value, an empty one keeps it.
struct ProjectPatch {
  std::optional<std::string> branch;
  std::optional<std::string> specs_path;
  std::optional<std::chrono::seconds> sync_interval;
  std::optional<WriteMode> write_mode;
};

/// What storing a snapshot changed.
struct ImportResult {
  int added = 0, updated = 0, removed = 0;
  std::uint64_t version = 0;
};

class DatabaseSource : public SpecSource {
public:
  /// Opens (and migrates) the database.
  /// @throws leanspec::Error config for a bad URL or a schema newer than the library;
  ///         database when it cannot be opened or reached (naming the file or host)
  explicit DatabaseSource(DatabaseOptions options = {});
  ~DatabaseSource() override;

  /// Registers a project. @throws leanspec::Error invalid_argument (bad id, branch, path or
  /// interval, or already registered)
  void add_project(const RegisteredProject &project);
  /// Changes the settings `patch` gives of project `id`, in one write: the fields it leaves
  /// empty, and the sync state, keep their stored value even when another process writes them
  /// meanwhile.
  /// @throws leanspec::Error not_found (no such project), invalid_argument (a bad value, as for
  ///         add_project), database
  void update_project(std::string_view id, const ProjectPatch &patch);
  /// Deprecated, kept for one release: replaces the branch, specs path and interval
  /// of `project.id` (update_project(id, patch) with all three given).
  [[deprecated("use update_project(id, ProjectPatch)")]] void
  update_project(const RegisteredProject &project) {
    update_project(project.id, {project.branch, project.specs_path, project.sync_interval});
  }
  /// Removes a project and everything stored for it; false when there was none.
  bool remove_project(std::string_view id);
  /// Every registered project with its sync state, by id.
  std::vector<RegisteredProject> registered_projects() const;

  /// Stores the spec folders of a local specs directory as the project's snapshot, in one
  /// transaction that writes only what changed.
  /// @throws leanspec::Error not_found (project or directory), io
  ImportResult import_directory(std::string_view project_id,
                                const std::filesystem::path &specs_dir);

  /// "sqlite:<file>" or the PostgreSQL URL without its password.
  std::string description() const;

  /// Every call takes the project id; it may be omitted when DatabaseOptions::project_id is set
  /// or exactly one project is registered. list() and stats() also take a project set ("*" or
  /// "a,b", see all_projects), answered from those projects' summary rows in one transaction
  /// (only the page's folders are parsed); a set's list pages by the sort, then project id,
  /// with cursors of its own (a one-project cursor is refused by a set, and back).
  /// @throws leanspec::Error not_found for an unknown project (in a set too), invalid_argument
  ///         when it is omitted and several are registered or a set is malformed; database
  ///         when the store fails
  std::vector<Project> projects() const override;
  std::shared_ptr<const SpecList> list(const ListQuery &query = {}) const override;
  SpecPtr get(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const SearchResult> search(const SearchQuery &query) const override;
  std::shared_ptr<const Stats> stats(std::string_view project_id = {}) const override;
  std::shared_ptr<const Relationships>
  relationships(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const std::vector<Diagnostic>>
  validate(std::string_view project_id = {}) const override;
  /// Change events for the projects this source has served (read at least once, hot or cold;
  /// a project-set read does not count), whichever process wrote the change: the first
  /// subscription starts a thread with a connection of its own that waits for the store's
  /// notifications (PostgreSQL LISTEN/NOTIFY, within a few ms) or checks the SQLite file for
  /// commits every 50 ms, then reads what was written since the served version and names
  /// exactly the added, changed and removed specs (a project removed elsewhere: all of its specs
  /// removed). For a project not kept in memory the source keeps its version and folder paths
  /// (a few bytes per spec) and compares them with the summary rows' versions. Reads that
  /// notice a change first publish its event too; every event follows the new snapshot's
  /// visibility. The thread stops with the source.
  Subscription subscribe(ChangeCallback callback) const override;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Creates a DatabaseSource (see its constructor).
std::shared_ptr<DatabaseSource> make_database_source(DatabaseOptions options = {});

} // namespace leanspec
