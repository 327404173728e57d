#pragma once
// Internal: Store, the spec store of database mode: registered GitHub projects, each project's
// current snapshot of spec folders (files kept byte for byte, plus columns and search rows
// derived from parsing them), sync runs, webhook deliveries and sync leases. One interface, two
// implementations chosen by the database URL: SQLite (sqlite_store.cpp, SQLiteCpp, FTS5) and
// PostgreSQL (postgres_store.cpp, libpq, tsvector). DatabaseSource and the GitHub sync sit on
// top. Thread-safe: each call checks a connection out of the store's own small pool.
//
//   auto store = leanspec::detail::Store::open("sqlite:/var/lib/app/specs.db");
//   store->add_project({.id = "acme/web", .owner = "acme", .repo = "web"});
//   store->replace_specs("acme/web", {{"001-x", {{"README.md", "# X\n", ""}}}});
//   for (const auto &spec : store->specs("acme/web")) ...  // one consistent snapshot

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <leanspec/database_source.hpp>
#include <leanspec/query.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

struct ProjectSet;       // core/project_set.hpp
struct ProjectSummaries; // db/spec_summaries.hpp (cold reads)
struct SummaryRead;
enum class WithBodies : bool; // db/spec_summaries.hpp
using FolderPick = std::function<std::vector<std::pair<std::size_t, std::string>>(
    const std::vector<ProjectSummaries> &)>;

/// A registered GitHub project.
struct ProjectRecord {
  std::string id; ///< "owner/repo": the project id everywhere; derived from owner and repo if empty
  std::string owner, repo;
  std::string branch = "main";
  std::string specs_path = "specs";        ///< folder of the specs in the repository
  std::chrono::seconds sync_interval{300}; ///< column sync_interval_ms
  /// SHAs of the last synced commit (column commit_sha), its specs tree, and its root tree
  /// (empty when the sync did not list the tree)
  std::string commit_sha, last_tree, commit_tree;
  WriteMode write_mode = WriteMode::commit; ///< column write_mode: "commit" | "pull_request"
  std::string etags_json = "{}";            ///< ETags by URL, a JSON object's text
  std::string sync_state = "idle";          ///< idle | syncing | ok | error
  std::string sync_error;
  /// Derived by projects() and project(), never written: for a project whose sync_state is
  /// "syncing" with no live lease behind it (its holder died or lost it), the lease's expiry
  /// (unix ms), or updated_at when no lease is left; else 0. The scheduler takes it over.
  std::int64_t interrupted_at = 0;
  /// Unix ms. created_at and updated_at are set by the store (add_project, update_project).
  std::int64_t created_at = 0, updated_at = 0, last_synced_at = 0;
  std::uint64_t snapshot_version = 0; ///< +1 per replace_specs that changed something (store-set)
  std::size_t spec_count = 0; ///< folders in the stored snapshot (store-set; read, never written)
};

/// One file of a spec folder: "README.md", "DESIGN.md", ...
struct StoredFile {
  std::string name;
  std::string content; ///< the bytes, as read (any bytes: invalid UTF-8 and NUL survive)
  /// git blob SHA-1 of content (column content_hash); computed by replace_specs when empty
  std::string content_hash;
};

/// What the store keeps per spec folder: enough to rebuild the Spec exactly with parse_spec.
struct StoredSpec {
  /// The folder relative to the specs directory ("042-x", "archived/001-y"): with the project
  /// id, the key of a spec (never its number, which repeats in real corpora).
  std::string path;
  /// Any order in; specs() returns README.md first when present, then the others by name.
  std::vector<StoredFile> files;
};

/// A project's snapshot as it differs from an older version of it (Store::specs_since).
struct SnapshotDelta {
  std::uint64_t version = 0;       ///< the snapshot version read
  std::vector<std::string> paths;  ///< every folder of that snapshot, by path
  std::vector<StoredSpec> written; ///< the folders written after `since`, as specs() gives them
};

struct Query; // query_ast.hpp

/// What Store::search looks for.
struct StoreSearch {
  std::vector<std::string> project_ids; ///< the projects searched; empty: every project
  const Query *query = nullptr;         ///< never null (an empty query matches every spec)
  const Filter *filter = nullptr;       ///< applied on top of the query; null: none
  std::size_t limit = 0;                ///< 0: no limit
  std::size_t offset = 0;               ///< hits skipped before the page
};

/// One hit of Store::search, with its folder's files (as specs() gives them).
struct StoreHit {
  std::string project_id;
  double score = 0; ///< higher is better (not comparable with the in-memory search's)
  StoredSpec spec;
};

/// A page of Store::search.
struct StoreSearchPage {
  std::vector<StoreHit> hits;
  std::size_t total = 0; ///< every match, before offset and limit
  /// The vocabulary terms each fuzzy word of the query expanded to, in the query's pre-order.
  std::vector<std::vector<std::string>> fuzzy_terms;
};

/// What replace_specs changed.
struct ReplaceResult {
  int added = 0, updated = 0, removed = 0;
  std::uint64_t version = 0; ///< the project's snapshot version afterwards
  bool changed() const noexcept { return added + updated + removed > 0; }
};

/// What a sync run record holds since schema v3.
struct SyncRunDetails {
  std::string path; ///< unchanged | blobs | tarball | contents | "" (failed before choosing)
  std::int64_t bytes = 0;
  std::int64_t duration_ms = 0;
  std::string commit_sha; ///< the commit synced to
};

/// One sync of a project (written by the GitHub sync).
struct SyncRunRecord {
  std::int64_t id = 0;
  std::string project_id;
  std::int64_t started_at = 0, ended_at = 0; ///< unix ms; end_sync_run sets ended_at when 0
  std::string outcome = "running";           ///< running | ok | not_modified | error
  int added = 0, updated = 0, removed = 0;
  int requests = 0;              ///< HTTP requests made
  int not_modified = 0;          ///< of which answered 304
  int rate_limit_remaining = -1; ///< -1: unknown
  std::string error;
  SyncRunDetails details;
  /// rate_limited: unix ms when it may run again (schema v6; unix seconds before v8)
  std::int64_t retry_at = 0;
};

/// What Store::finish_sync records besides a snapshot.
struct SyncFinish {
  /// The project's sync fields to write: commit_sha, last_tree, commit_tree, etags_json,
  /// sync_state, sync_error and last_synced_at. Its settings are left as stored, so a change made
  /// during the sync stays.
  ProjectRecord project;
  /// How the run ended, as end_sync_run records it; with a snapshot, its added, updated and
  /// removed are set from what the snapshot changed.
  SyncRunRecord run;

  /// `run` as recorded: with the counts of `snapshot` (what the write changed), when there was
  /// one.
  SyncRunRecord ended(const ReplaceResult *snapshot) const {
    SyncRunRecord out = run;
    if (snapshot) {
      out.added = snapshot->added;
      out.updated = snapshot->updated;
      out.removed = snapshot->removed;
    }
    return out;
  }
};

/// What a ChangeListener saw.
struct StoreChanges {
  std::vector<std::string> projects; ///< projects a writer said it changed (PostgreSQL)
  bool any = false; ///< something may have changed anywhere (SQLite, first wait, reconnect)
  bool empty() const noexcept { return projects.empty() && !any; }
};

/// Wakes a thread when a writer in any process sharing the database may have changed a
/// project's snapshot. PostgreSQL: a connection of its own LISTENing to the NOTIFY that every
/// replace_specs and remove_project sends at commit; SQLite: PRAGMA data_version, which moves
/// when another connection commits, checked every 50 ms on a connection of its own. Used by one
/// thread at a time, except interrupt().
class ChangeListener {
public:
  virtual ~ChangeListener() = default;
  /// Blocks until something may have changed, interrupt() or `timeout`, and says what. The
  /// first call reports `any`. Never throws: a failure (the server restarted) drops the
  /// connection, and a later call opens a new one and reports `any` (what was missed).
  virtual StoreChanges wait(std::chrono::milliseconds timeout) noexcept = 0;
  /// Makes the current or next wait() return at once. Thread-safe.
  virtual void interrupt() noexcept = 0;
};

/// A project's sync queue entry (schema v3).
struct SyncSchedule {
  std::string project_id;
  std::int64_t requested_at = 0; ///< unix ms of the oldest pending request; 0: none pending
  std::int64_t request_seq = 0;  ///< grows with every request
  std::string hint;              ///< the pending request's hint (JSON text), "" when none
  std::int64_t retry_at = 0;     ///< unix ms before which no sync may start (rate limit); 0
};

/// The store: one per process and database is plenty (it pools its connections). Thread-safe;
/// every member may also throw leanspec::Error database when the database fails (busy past the
/// 5 s timeout, gone, full), naming the file or the redacted URL. PostgreSQL: a call that finds
/// its pooled connection broken (the server restarted) closes the idle ones too; a read then
/// runs once more on a new connection, a write throws (the caller may retry it).
class Store {
public:
  /// Opens the store a database URL names, creating it when missing (and `create`), and applies
  /// the schema's migrations forward (each in one transaction; concurrent openers are
  /// serialized). A SQLite store leaves its file checkpointed when it is destroyed (the WAL
  /// truncated, if this store wrote and no other connection is reading), and an opener that
  /// finds a large WAL (a writer killed before it closed) checkpoints it first.
  ///   ""                                  SQLite at $XDG_DATA_HOME/leanspec/leanspec.db, else
  ///                                       ~/.local/share/leanspec/leanspec.db
  ///   "sqlite:/abs/x.db", "sqlite:///abs/x.db", "sqlite:rel.db", "/abs/x.db", "rel.db"   SQLite
  ///   "postgres://user:pw@host:port/db", "postgresql://..." (any libpq URI) PostgreSQL
  ///   "host=h user=u password=pw dbname=db" (a libpq connection string)     PostgreSQL
  /// Error messages name the file, or the host, port, database and user of a URL; never a
  /// password.
  /// @throws leanspec::Error config for an unknown URL scheme, or a database whose schema is
  ///         newer than this library (both versions are named)
  /// @throws leanspec::Error database when the database cannot be opened or reached, or the file
  ///         is not a SQLite database (it is left untouched)
  /// @throws leanspec::Error io when the default data folder cannot be created
  /// @throws leanspec::Error not_found when `create` is false and the SQLite file does not
  ///         exist; database when it is empty (nothing is created either way)
  static std::unique_ptr<Store> open(const std::string &database_url, bool create = true);

  virtual ~Store();
  Store() = default;
  Store(const Store &) = delete;
  Store &operator=(const Store &) = delete;

  /// The URL with any password replaced by "***" (a SQLite URL: the file path).
  virtual std::string description() const = 0;
  /// The schema version the database is at (the library's latest after open()).
  virtual int schema_version() = 0;

  // --- projects -----------------------------------------------------------------------------

  /// Registers a project; created_at and updated_at are set to now, the snapshot version to 0.
  /// @throws leanspec::Error invalid_argument when the id is not "owner/repo" (GitHub's name
  ///         characters), owner/repo disagree with it, the branch is empty, the specs path leaves
  ///         the repository or the interval is negative; or when the project already exists
  virtual void add_project(const ProjectRecord &project) = 0;
  /// Every project, by id.
  virtual std::vector<ProjectRecord> projects() = 0;
  /// The project with this id, or empty.
  virtual std::optional<ProjectRecord> project(std::string_view id) = 0;
  /// Writes the settings and sync state of an existing project (everything but id, owner, repo,
  /// created_at and snapshot_version, which stay); updated_at is set to now.
  /// @throws leanspec::Error not_found for an unknown project; invalid_argument as add_project
  virtual void update_project(const ProjectRecord &project) = 0;
  /// Changes the settings `patch` gives, in one UPDATE, and sets updated_at to now; every other
  /// column keeps what is stored at that moment (a sync's writes are not undone).
  /// @throws leanspec::Error not_found for an unknown project; invalid_argument for a value
  ///         add_project would refuse
  virtual void update_project(std::string_view id, const ProjectPatch &patch) = 0;
  /// Removes a project with its specs, files, relationships, search rows, sync runs and lease.
  /// False when there was no such project.
  virtual bool remove_project(std::string_view id) = 0;

  // --- snapshots ----------------------------------------------------------------------------

  /// Makes `specs` the project's whole spec set, in ONE transaction: a folder whose files (names
  /// and blob SHAs) are unchanged is not written at all; new folders are inserted, changed ones
  /// rewritten, missing ones deleted. Each written folder is parsed with leanspec::parse_spec to
  /// fill the denormalized columns (number, slug, title, status, priority, tags, assignee,
  /// dates, archived, frontmatter JSON, body), its relationships (depends_on, parent, related)
  /// and its search row. The snapshot version grows by one when anything changed. Readers see
  /// the old snapshot or the new one, never a mix; a writer killed midway leaves the old one.
  /// @throws leanspec::Error not_found for an unknown project
  /// @throws leanspec::Error invalid_argument for an empty, absolute or `..` path, a path given
  ///         twice, or a file name that is empty, has a '/' or is given twice in a folder
  virtual ReplaceResult replace_specs(std::string_view project_id,
                                      const std::vector<StoredSpec> &specs) = 0;
  /// The project's current snapshot, read in one transaction: folders by path, each folder's
  /// README.md first, then its other files by name. Bytes are exactly those written.
  /// @throws leanspec::Error not_found for an unknown project
  virtual std::vector<StoredSpec> specs(std::string_view project_id) = 0;
  /// The project's snapshot read in one transaction, with the files of only the folders
  /// written by a version after `since` (each row records the version that wrote it); folders
  /// missing from `paths` were removed. `since` 0: every folder. When the version read is
  /// below `since` (the project was removed and added again), every folder is included too.
  /// @throws leanspec::Error not_found for an unknown project
  virtual SnapshotDelta specs_since(std::string_view project_id, std::uint64_t since) = 0;
  /// The project's snapshot version (one indexed read).
  /// @throws leanspec::Error not_found for an unknown project
  virtual std::uint64_t snapshot_version(std::string_view project_id) = 0;
  /// A ranked page of the specs matching a parsed query (LeanSpec's query language) over a
  /// set of projects, read with the hits' files in ONE read transaction (one stored version).
  /// Words, phrases and fuzzy words are looked up in the full-text index (FTS5 / tsvector +
  /// GIN), field filters and `filter` test the denormalized columns of `specs`; the query text
  /// never reaches FTS5 or tsquery syntax (only its tokens, quoted, as bound parameters). Order:
  /// score (QuerySql::score: the in-memory ranker's field weights and idf), then spec number, id,
  /// project and path. Where the result differs from the in-memory search: docs/SEARCH.md.
  virtual StoreSearchPage search(const StoreSearch &search) = 0;

  // --- sync runs and webhook deliveries -----------------------------------------------------

  /// Records the start of a sync run at `started_at` (unix ms; outcome "running") and returns
  /// its id; in the same transaction the project's sync_state becomes "syncing" (nothing else
  /// of the project is written, so a settings patch made meanwhile stays).
  /// @throws leanspec::Error not_found for an unknown project
  virtual std::int64_t begin_sync_run(std::string_view project_id, std::int64_t started_at) = 0;
  /// Records how run `run.id` ended, with its details (ended_at defaults to now).
  /// @throws leanspec::Error not_found for an unknown run
  virtual void end_sync_run(const SyncRunRecord &run) = 0;
  /// Ends a sync in ONE transaction: replace_specs(`*specs`) when `specs` is given, the
  /// project's sync fields and the run's end (SyncFinish). All of it is stored, or none of it;
  /// readers and change listeners see the new snapshot together with the project's new commit.
  /// @throws leanspec::Error not_found for an unknown project or run; invalid_argument as
  ///         replace_specs
  virtual ReplaceResult finish_sync(std::string_view project_id,
                                    const std::vector<StoredSpec> *specs,
                                    const SyncFinish &finish) = 0;
  /// The project's latest runs, newest first (`limit` 0: all; an unknown project has none).
  virtual std::vector<SyncRunRecord> sync_runs(std::string_view project_id, std::size_t limit) = 0;
  /// Forgets the project's runs past its newest `keep` (0: no limit by count) and those that
  /// started before `started_before` (unix ms; 0: no limit by age), in one statement.
  virtual void prune_sync_runs(std::string_view project_id, std::size_t keep,
                               std::int64_t started_before) = 0;
  /// Remembers a webhook delivery id; false when it had been recorded before (a redelivery).
  /// Ids older than delivery_retention are forgotten in the same call (an indexed range
  /// delete, usually of nothing): GitHub redelivers within 3 days.
  virtual bool record_delivery(std::string_view delivery_id) = 0;
  static constexpr std::chrono::hours delivery_retention{24 * 7};

  // --- leases -------------------------------------------------------------------------------

  /// Takes or renews the project's sync lease for `holder` until now + ttl. False while another
  /// holder's lease runs; an expired lease (a crashed holder's) is taken over. Holds across
  /// threads and processes sharing the database; PostgreSQL uses the server's clock, so hosts
  /// with skewed clocks agree. The project id is not checked (remove_project drops its lease).
  virtual bool try_acquire_lease(std::string_view project_id, std::string_view holder,
                                 std::chrono::milliseconds ttl) = 0;
  /// Gives the lease up if `holder` has it.
  virtual void release_lease(std::string_view project_id, std::string_view holder) = 0;

  // --- change notification ----------------------------------------------------------------

  /// A listener for changes by any writer sharing the database, with its own connection
  /// (opened by its first wait()).
  virtual std::unique_ptr<ChangeListener> listen() = 0;
  // --- GitHub sync: queued requests, retry times, fetched blobs, run details ---------------
  // (schema v3, src/github/sync.cpp). Every member may throw leanspec::Error database.

  /// Queues a sync of the project, durably (a restarted scheduler still finds it). With a
  /// request already pending, its time stays, `request_seq` grows and the hint is kept only
  /// when both are equal (else cleared: a merged request checks the whole tree).
  /// `hint` is the GitHub sync's JSON text ("" for none).
  /// @throws leanspec::Error not_found for an unknown project
  virtual void request_sync(std::string_view project_id, std::string_view hint) = 0;
  /// Every project's schedule row (projects that never had a request or retry have none).
  virtual std::vector<SyncSchedule> sync_schedules() = 0;
  /// Marks the pending request done if its `request_seq` is still `seq` (a request that came
  /// during the sync stays pending).
  virtual void clear_sync_request(std::string_view project_id, std::int64_t seq) = 0;
  /// When the project may be synced again (unix ms; 0: any time), after a rate limit.
  virtual void set_retry_at(std::string_view project_id, std::int64_t retry_at_ms) = 0;
  /// Keeps fetched file bytes by git blob SHA until drop_blobs, so a retried sync does not
  /// fetch them again. A SHA already kept is left as is.
  virtual void put_blobs(const std::vector<std::pair<std::string, std::string>> &blobs) = 0;
  /// The kept blobs among `shas` (sha, bytes), in no particular order.
  virtual std::vector<std::pair<std::string, std::string>>
  blobs(const std::vector<std::string> &shas) = 0;
  /// Forgets kept blobs (once a snapshot holding them is stored).
  virtual void drop_blobs(const std::vector<std::string> &shas) = 0;
  /// Whether a webhook delivery id was recorded (record_delivery) before.
  virtual bool has_delivery(std::string_view delivery_id) = 0;

  // --- cold reads (issue 18: db/spec_summaries.hpp) -----------------------------------------

  /// Reads, in ONE read transaction (SQLite: one read transaction; PostgreSQL: REPEATABLE READ),
  /// the summaries of the projects `projects` names (every registered one for "*", by id), then
  /// the folders `pick` chooses from them, whole, as specs() gives them. So what a cold read
  /// answers comes from one stored version. Every statement is one of the named, indexed
  /// statements listed in the backend's `cold reads` block. With `bodies`, each summary holds
  /// its spec's body too (the `body` column).
  /// @throws leanspec::Error not_found for a project named that is not registered; database as
  ///         specs() for a damaged snapshot
  virtual SummaryRead read_summaries(const ProjectSet &projects, const FolderPick &pick,
                                     WithBodies bodies) = 0;

  // --- testing ------------------------------------------------------------------------------

  /// TEST ONLY: called inside replace_specs' write transaction, before the commit, with how
  /// many folders have been written so far (SQLite: after each folder; PostgreSQL: after the
  /// bulk write). The atomicity test blocks in it and kills the process. Set it before sharing
  /// the store between threads; it must not call the store.
  void set_write_hook(std::function<void(std::size_t folders_written)> hook) {
    write_hook_ = std::move(hook);
  }

protected:
  void call_write_hook(std::size_t folders_written) const {
    if (write_hook_)
      write_hook_(folders_written);
  }

private:
  std::function<void(std::size_t)> write_hook_;
};

/// The newest schema version this library knows (the number of migrations).
int latest_schema_version() noexcept;

} // namespace leanspec::detail
