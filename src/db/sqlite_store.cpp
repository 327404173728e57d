// Implements the SQLite Store of src/db/store.hpp through SQLiteCpp: a pool of connections to
// one file in WAL mode (readers never wait for the writer; writers wait up to the busy timeout
// for each other, across threads and processes), foreign keys on, and an FTS5 table for search.
// Write transactions are BEGIN IMMEDIATE, so a writer takes the lock before reading and never
// fails to upgrade a read lock halfway.
#include "db/background_job.hpp"
#include "db/database_url.hpp"
#include "db/migrations.hpp"
#include "db/pool.hpp"
#include "db/spec_rows.hpp"
#include "db/store.hpp"
#include "db/wakeup.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <limits>
#include <mutex>
#include <optional>
#include <poll.h>
#include <sqlite3.h>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

namespace leanspec::detail {
namespace {

constexpr int busy_timeout_ms = 5000;
constexpr std::size_t pool_capacity = 4;
// The WAL size past which it is cut back (journal_size_limit) when it is next reset.
constexpr std::uint64_t wal_size_limit = 4u << 20;
// A WAL larger than the checkpointer lets one grow (Checkpointer::wal_pages of 16 KB): left by
// a writer killed before it closed; an opener checkpoints it.
constexpr std::uint64_t abandoned_wal_size = 64u << 20;
// How long the checkpoints that truncate the WAL (at close, at open) wait for other processes'
// readers: then they copy back what they can and leave the truncation to a later one.
constexpr int truncate_wait_ms = 250;

using Connection = SQLite::Database;

// The wording of a SQLite failure for a person, naming the file.
Error translate(const std::string &path, std::string_view doing, const SQLite::Exception &e) {
  const int code = e.getErrorCode();
  if (code == SQLITE_NOTADB)
    return Error(ErrorCode::database, "'" + path +
                                          "' is not a SQLite database (file is not a database); "
                                          "it was left untouched");
  if (code == SQLITE_CORRUPT)
    return Error(ErrorCode::database,
                 "SQLite database '" + path + "' is corrupt (" + e.what() + "); it was left as is");
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return Error(ErrorCode::database, "SQLite database '" + path + "': " + std::string(doing) +
                                          ": still locked by another writer after " +
                                          std::to_string(busy_timeout_ms / 1000) + " s");
  if (code == SQLITE_CANTOPEN)
    return Error(ErrorCode::database, "cannot open SQLite database '" + path + "': " + e.what());
  return Error(ErrorCode::database,
               "SQLite database '" + path + "': " + std::string(doing) + ": " + e.what());
}

// A transaction on one connection, rolled back unless committed.
class Transaction {
public:
  enum Kind { read, write };
  Transaction(Connection &db, Kind kind) : db_(db) {
    db_.exec(kind == write ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  ~Transaction() {
    if (!done_)
      db_.tryExec("ROLLBACK"); // a failed rollback leaves autocommit off: the pool drops it
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

private:
  Connection &db_;
  bool done_ = false;
};

// Search terms as the FTS5 column holds them: separated by spaces.
std::string joined(const std::vector<std::string> &terms) {
  std::string out;
  for (const std::string &term : terms) {
    if (!out.empty())
      out += ' ';
    out += term;
  }
  return out;
}

// leanspec_search_terms(body): SpecRow's body terms joined, for migration "search terms" to
// fill existing rows. Defined on the migrating connection only (no trigger or view uses it).
void define_search_terms_function(Connection &db) {
  const int rc = sqlite3_create_function_v2(
      db.getHandle(), "leanspec_search_terms", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
      [](sqlite3_context *context, int, sqlite3_value **argv) {
        try {
          const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(argv[0]));
          const std::string terms = joined(distinct_tokens(
              text ? std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])))
                   : std::string_view()));
          sqlite3_result_text(context, terms.data(), static_cast<int>(terms.size()),
                              SQLITE_TRANSIENT);
        } catch (...) { // nothing may cross into SQLite's C frames
          sqlite3_result_error_nomem(context);
        }
      },
      nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    throw SQLite::Exception(db.getHandle(), rc);
}

void bind_text(SQLite::Statement &q, int index, std::string_view text) {
  q.bind(index, std::string(text));
}

ProjectRecord read_project(SQLite::Statement &q) {
  ProjectRecord p;
  p.id = q.getColumn(0).getString();
  p.owner = q.getColumn(1).getString();
  p.repo = q.getColumn(2).getString();
  p.branch = q.getColumn(3).getString();
  p.specs_path = q.getColumn(4).getString();
  p.sync_interval = std::chrono::duration_cast<decltype(p.sync_interval)>(
      std::chrono::milliseconds(q.getColumn(5).getInt64()));
  p.last_commit = q.getColumn(6).getString();
  p.last_tree = q.getColumn(7).getString();
  p.etags_json = q.getColumn(8).getString();
  p.sync_state = q.getColumn(9).getString();
  p.sync_error = q.getColumn(10).getString();
  p.created_at = q.getColumn(11).getInt64();
  p.updated_at = q.getColumn(12).getInt64();
  p.last_synced_at = q.getColumn(13).getInt64();
  p.snapshot_version = static_cast<std::uint64_t>(q.getColumn(14).getInt64());
  p.interrupted_at = q.getColumn(15).getInt64();
  return p;
}

// The last column is ProjectRecord::interrupted_at: "syncing" without a live lease.
constexpr const char *project_columns =
    "id, owner, repo, branch, specs_path, sync_interval_ms, commit_sha, last_tree, etags, "
    "sync_state, sync_error, created_at, updated_at, last_synced_at, snapshot_version, "
    "CASE WHEN sync_state <> 'syncing' THEN 0 ELSE coalesce((SELECT CASE WHEN l.expires_at <= "
    "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) THEN l.expires_at ELSE 0 END "
    "FROM leases l WHERE l.project_id = projects.id), updated_at) END";

// The schema version recorded in the file (0: none). Reads only.
int recorded_version(Connection &db) {
  SQLite::Statement exists(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  exists.executeStep();
  if (exists.getColumn(0).getInt() == 0)
    return 0;
  SQLite::Statement q(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  q.executeStep();
  return q.getColumn(0).getInt();
}

void refuse_newer(const std::string &path, int version) {
  if (version > latest_schema_version())
    throw Error(ErrorCode::config, "database '" + path + "' has schema version " +
                                       std::to_string(version) + ", newer than version " +
                                       std::to_string(latest_schema_version()) +
                                       " that this libleanspec supports; use a newer libleanspec");
}

// The full-text rows one replace_specs changes, written together at its end. Once the FTS5
// table takes part in a transaction, FTS5 flushes its pending terms to a new index segment at
// every statement's savepoint, so writing a spec's row per statement (as triggers did before
// schema v4) wrote a segment per spec and merged them over and over: two thirds of a
// 300-spec write. Here the old rows' values are kept in a temporary table before their spec
// rows change, and one statement deletes them all, one more inserts the new rows.
class SearchRows {
public:
  explicit SearchRows(Connection &db) : db_(db) {}
  SearchRows(const SearchRows &) = delete;
  SearchRows &operator=(const SearchRows &) = delete;

  // Before the folder's spec row is rewritten or deleted: its indexed values, to delete.
  void forget(const std::string &project, const std::string &path) {
    forget_.reset();
    forget_.bind(1, project);
    forget_.bindNoCopy(2, path);
    forget_.exec();
  }
  // After the folder's spec row is written: its row, to index.
  void written(const std::string &project, const std::string &path) {
    written_.reset();
    written_.bind(1, project);
    written_.bindNoCopy(2, path);
    written_.exec();
  }
  // Changes the index; call once, last, in the transaction.
  void write() {
    db_.exec("INSERT INTO spec_search (spec_search, rowid, title, tags, id, search_terms) "
             "SELECT 'delete', seq, title, tags, id, search_terms FROM temp.search_forgotten");
    db_.exec("INSERT INTO spec_search (rowid, title, tags, id, search_terms) "
             "SELECT s.seq, s.title, s.tags, s.id, s.search_terms "
             "FROM temp.search_written w JOIN specs s ON s.seq = w.seq");
    db_.exec("DELETE FROM temp.search_forgotten");
    db_.exec("DELETE FROM temp.search_written");
  }

private:
  static bool create_tables(Connection &db) { // once per connection; before the statements
    db.exec("CREATE TEMP TABLE IF NOT EXISTS search_forgotten "
            "(seq INTEGER PRIMARY KEY, title, tags, id, search_terms)");
    db.exec("CREATE TEMP TABLE IF NOT EXISTS search_written (seq INTEGER PRIMARY KEY)");
    return true;
  }

  Connection &db_;
  bool tables_ = create_tables(db_);
  SQLite::Statement forget_{db_, "INSERT INTO temp.search_forgotten "
                                 "SELECT seq, title, tags, id, search_terms FROM specs "
                                 "WHERE project_id = ? AND path = ?"};
  SQLite::Statement written_{db_, "INSERT INTO temp.search_written "
                                  "SELECT seq FROM specs WHERE project_id = ? AND path = ?"};
};

// The settings of every connection of the store.
void configure(Connection &db) {
  db.exec("PRAGMA foreign_keys = ON");
  // WAL (set persistently by open()): a process crash loses nothing committed with NORMAL.
  db.exec("PRAGMA synchronous = NORMAL");
  // A 300-spec snapshot writes ~10 MB of pages: with SQLite's 2 MB default cache, a write
  // spills dirty pages to the WAL before its commit and reads back pages it just evicted.
  // Reads of pages not cached go through the mapping instead of a read() each.
  db.exec("PRAGMA cache_size = -16384");
  db.exec("PRAGMA mmap_size = 268435456");
  // A WAL that a large write grew is cut back to this size when it is next reset (after a
  // complete checkpoint), so its file does not keep the largest size it ever had.
  db.exec("PRAGMA journal_size_limit = " + std::to_string(wal_size_limit));
}

// Sets the file's journal mode to WAL (it persists in the file). The switch takes the exclusive
// lock without SQLite's busy handler, so a new file opened by several connections at once may
// answer SQLITE_BUSY at once: retry for as long as the busy timeout.
void enter_wal(Connection &db, const std::string &path) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  std::string mode;
  for (;;) {
    try {
      SQLite::Statement pragma(db, "PRAGMA journal_mode = WAL");
      if (pragma.executeStep())
        mode = pragma.getColumn(0).getString();
      if (mode == "wal")
        return;
    } catch (const SQLite::Exception &e) {
      if (e.getErrorCode() != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
        throw;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(ErrorCode::database, "SQLite database '" + path +
                                           "': cannot switch to WAL journal mode (it stays in '" +
                                           mode + "' mode)");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::unique_ptr<Connection> connect(const std::string &path) {
  auto db = std::make_unique<Connection>(
      path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
  configure(*db);
  return db;
}

// Copies the WAL back into the database on a thread of its own, so that no write waits for it.
// The store's connections report each commit's WAL size through sqlite3_wal_hook (which
// replaces SQLite's automatic checkpoint in the committing connection); past 4,000 WAL frames
// (64 MB of 16 KB pages) the thread runs a PASSIVE checkpoint on a connection of its own. Four
// times SQLite's 1,000: pages that consecutive writes rewrite are copied back once per
// checkpoint. When the store closes, a store that wrote runs a TRUNCATE checkpoint: a short
// process (a CLI import) leaves the database checkpointed and the WAL empty, instead of a log
// that every later process must read back and that grows with each run. It waits at most
// truncate_wait_ms for other processes' readers, so a writer beside a busy server does not
// stall at exit.
class Checkpointer {
public:
  explicit Checkpointer(std::string path) : path_(std::move(path)) {}
  /// Call once the store's other connections are closed.
  ~Checkpointer() {
    job_.reset(); // waits for a checkpoint in progress
    if (wrote_.load(std::memory_order_relaxed))
      checkpoint("TRUNCATE", truncate_wait_ms);
  }
  Checkpointer(const Checkpointer &) = delete;
  Checkpointer &operator=(const Checkpointer &) = delete;

  /// Routes `db`'s commits to this checkpointer; `db` must be closed before it is destroyed.
  void attach(Connection &db) { sqlite3_wal_hook(db.getHandle(), &Checkpointer::committed, this); }

private:
  static constexpr int wal_pages = 4000;

  static int committed(void *self, sqlite3 *, const char *, int pages) {
    auto &checkpointer = *static_cast<Checkpointer *>(self);
    checkpointer.wrote_.store(true, std::memory_order_relaxed);
    if (pages >= wal_pages)
      checkpointer.job_->request();
    return SQLITE_OK;
  }

  // A checkpoint in `mode`; a failure (busy readers, a removed file) waits for the next one.
  void checkpoint(const char *mode, int wait_ms = busy_timeout_ms) noexcept {
    try {
      if (!db_)
        db_ = std::make_unique<Connection>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX,
                                           busy_timeout_ms);
      db_->setBusyTimeout(wait_ms);
      db_->exec(std::string("PRAGMA wal_checkpoint(") + mode + ")");
    } catch (...) {
      db_.reset(); // the next commit past the mark tries again, on a new connection
    }
  }

  std::string path_;
  std::unique_ptr<Connection> db_; // the job's own
  std::atomic<bool> wrote_{false};
  // Last: runs once the rest is initialized.
  std::optional<BackgroundJob> job_{std::in_place, [this] { checkpoint("PASSIVE"); }};
};

// The statements of one snapshot write, prepared once per transaction: a folder's spec row,
// files and relationships written, or the folder removed. Single-thread; used inside the
// write transaction only.
class SnapshotWriter {
public:
  SnapshotWriter(Connection &db, const std::string &project, std::int64_t version)
      : project_(project), version_(version),
        insert_spec_(
            db,
            "INSERT INTO specs (project_id, path, id, number, number_text, slug, title, status, "
            "priority, tags, assignee, created, created_at, updated_at, completed, "
            "completed_at, parent, archived, frontmatter, body, content_hash, files_hash, "
            "written_version, search_terms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
            "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"),
        update_spec_(
            db, "UPDATE specs SET id = ?3, number = ?4, number_text = ?5, slug = ?6, title = ?7, "
                "status = ?8, priority = ?9, tags = ?10, assignee = ?11, created = ?12, "
                "created_at = ?13, updated_at = ?14, completed = ?15, completed_at = ?16, "
                "parent = ?17, archived = ?18, frontmatter = ?19, body = ?20, content_hash = ?21, "
                "files_hash = ?22, written_version = ?23, search_terms = ?24 "
                "WHERE project_id = ?1 AND path = ?2"),
        stored_files_(
            db, "SELECT name, content_hash FROM spec_files WHERE project_id = ? AND path = ?"),
        delete_file_(db, "DELETE FROM spec_files WHERE project_id = ? AND path = ? AND name = ?"),
        delete_relationships_(db, "DELETE FROM relationships WHERE project_id = ? AND path = ?"),
        write_file_(db, "INSERT OR REPLACE INTO spec_files (project_id, path, name, content, "
                        "content_hash) VALUES (?, ?, ?, ?, ?)"),
        insert_relationship_(db, "INSERT INTO relationships (project_id, path, kind, position, "
                                 "ref) VALUES (?, ?, ?, ?, ?)"),
        delete_spec_(db, "DELETE FROM specs WHERE project_id = ? AND path = ?") {}

  /// Writes a new folder (or, with `update`, a changed one): its spec row (then calls
  /// `row_written`), the files whose blob SHA changed, and its relationships.
  template <class F>
  void write_folder(const PreparedSpec &spec, const SpecRow &row, bool update, F &&row_written) {
    const std::string &path = spec.spec->path;
    write_row(spec, row, update);
    row_written();
    std::unordered_map<std::string, std::string> kept; // name -> stored blob SHA
    if (update) {
      kept = stored_files(path);
      run(delete_relationships_, path);
    }
    write_files(spec, std::move(kept));
    for (const auto &relationship : row.relationships) {
      insert_relationship_.reset();
      insert_relationship_.bind(1, project_);
      insert_relationship_.bindNoCopy(2, path);
      insert_relationship_.bindNoCopy(3, relationship.kind);
      insert_relationship_.bind(4, relationship.position);
      insert_relationship_.bindNoCopy(5, relationship.ref);
      insert_relationship_.exec();
    }
  }

  /// Deletes a folder's spec row (its files and relationships go with it: foreign keys).
  void remove_folder(const std::string &path) { run(delete_spec_, path); }

private:
  void write_row(const PreparedSpec &spec, const SpecRow &row, bool update) {
    SQLite::Statement &q = update ? update_spec_ : insert_spec_;
    q.reset();
    q.clearBindings();
    q.bind(1, project_);
    q.bindNoCopy(2, spec.spec->path);
    q.bindNoCopy(3, row.id);
    if (row.number)
      q.bind(4, *row.number);
    else
      q.bind(4);
    q.bindNoCopy(5, row.number_text);
    q.bindNoCopy(6, row.slug);
    q.bindNoCopy(7, row.title);
    q.bindNoCopy(8, row.status);
    if (row.priority)
      q.bindNoCopy(9, *row.priority);
    else
      q.bind(9);
    q.bindNoCopy(10, row.tags_json);
    q.bindNoCopy(11, row.assignee);
    q.bindNoCopy(12, row.created);
    q.bindNoCopy(13, row.created_at);
    q.bindNoCopy(14, row.updated_at);
    q.bindNoCopy(15, row.completed);
    q.bindNoCopy(16, row.completed_at);
    q.bindNoCopy(17, row.parent);
    q.bind(18, row.archived ? 1 : 0);
    q.bindNoCopy(19, row.frontmatter_json);
    q.bindNoCopy(20, row.body);
    q.bindNoCopy(21, row.content_hash);
    q.bindNoCopy(22, spec.files_hash);
    q.bind(23, version_);
    q.bind(24, joined(row.body_terms));
    q.exec();
  }

  // The folder's stored files: name -> blob SHA.
  std::unordered_map<std::string, std::string> stored_files(const std::string &path) {
    std::unordered_map<std::string, std::string> out;
    stored_files_.reset();
    stored_files_.bind(1, project_);
    stored_files_.bindNoCopy(2, path);
    while (stored_files_.executeStep())
      out.emplace(stored_files_.getColumn(0).getString(), stored_files_.getColumn(1).getString());
    return out;
  }

  // Writes the files whose blob SHA differs from `kept` (the stored ones) and deletes the
  // stored files the folder no longer has.
  void write_files(const PreparedSpec &spec, std::unordered_map<std::string, std::string> kept) {
    const std::string &path = spec.spec->path;
    for (std::size_t i = 0; i < spec.files.size(); ++i) {
      const StoredFile &file = *spec.files[i];
      const auto stored = kept.find(file.name);
      const bool same = stored != kept.end() && stored->second == spec.blob_shas[i];
      if (stored != kept.end())
        kept.erase(stored);
      if (same)
        continue;
      write_file_.reset();
      write_file_.bind(1, project_);
      write_file_.bindNoCopy(2, path);
      write_file_.bindNoCopy(3, file.name);
      write_file_.bindNoCopy(4, file.content.data(), static_cast<int>(file.content.size()));
      write_file_.bindNoCopy(5, spec.blob_shas[i]);
      write_file_.exec();
    }
    for (const auto &[name, sha] : kept) {
      delete_file_.reset();
      delete_file_.bind(1, project_);
      delete_file_.bindNoCopy(2, path);
      delete_file_.bindNoCopy(3, name);
      delete_file_.exec();
    }
  }

  // Runs a statement of (project_id, path).
  void run(SQLite::Statement &q, const std::string &path) {
    q.reset();
    q.bind(1, project_);
    q.bindNoCopy(2, path);
    q.exec();
  }

  const std::string &project_;
  std::int64_t version_; ///< the snapshot version being written
  SQLite::Statement insert_spec_, update_spec_, stored_files_, delete_file_, delete_relationships_,
      write_file_, insert_relationship_, delete_spec_;
};

// Polls PRAGMA data_version every 50 ms on a connection of its own (see ChangeListener).
class SqliteListener final : public ChangeListener {
public:
  explicit SqliteListener(std::string path) : path_(std::move(path)) {}

  StoreChanges wait(std::chrono::milliseconds timeout) noexcept override {
    constexpr auto period = std::chrono::milliseconds(50);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (moved())
        return {{}, true};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return {};
      pollfd p{wakeup_.fd(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::min(left, period).count())) > 0 && wakeup_.drain())
        return {};
    }
  }
  void interrupt() noexcept override { wakeup_.signal(); }

private:
  // True when data_version differs from the last reading (or there was none, or it failed).
  bool moved() noexcept {
    try {
      if (!db_)
        db_ = connect(path_);
      SQLite::Statement q(*db_, "PRAGMA data_version");
      q.executeStep();
      const std::int64_t version = q.getColumn(0).getInt64();
      const bool changed = !seen_ || version != last_;
      last_ = version;
      seen_ = true;
      return changed;
    } catch (...) {
      db_.reset(); // reopened by the next check; meanwhile, report a possible change
      seen_ = false;
      return true;
    }
  }

  std::string path_;
  std::unique_ptr<Connection> db_;
  std::int64_t last_ = 0;
  bool seen_ = false;
  Wakeup wakeup_;
};

class SqliteStore final : public Store {
public:
  SqliteStore(std::string path, std::unique_ptr<Connection> first)
      : path_(std::move(path)), checkpointer_(path_), pool_(pool_capacity, [this] {
          auto db = connect(path_);
          checkpointer_.attach(*db);
          return db;
        }) {
    checkpointer_.attach(*first);
    pool_.adopt(std::move(first));
  }

  std::string description() const override { return path_; }

  int schema_version() override {
    return run("reading the schema version", [&](Connection &db) { return recorded_version(db); });
  }

  void add_project(const ProjectRecord &project) override {
    const ProjectRecord p = checked_project(project);
    run("adding a project", [&](Connection &db) {
      SQLite::Statement q(
          db, "INSERT INTO projects (id, owner, repo, branch, specs_path, sync_interval_ms, "
              "commit_sha, last_tree, etags, sync_state, sync_error, created_at, updated_at, "
              "last_synced_at, snapshot_version) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (id) DO NOTHING");
      const std::int64_t now = now_ms();
      q.bind(1, p.id);
      q.bind(2, p.owner);
      q.bind(3, p.repo);
      q.bind(4, p.branch);
      q.bind(5, p.specs_path);
      q.bind(6, static_cast<std::int64_t>(std::chrono::milliseconds(p.sync_interval).count()));
      q.bind(7, p.last_commit);
      q.bind(8, p.last_tree);
      q.bind(9, p.etags_json);
      q.bind(10, p.sync_state);
      q.bind(11, p.sync_error);
      q.bind(12, now);
      q.bind(13, now);
      q.bind(14, p.last_synced_at);
      if (q.exec() == 0)
        throw Error(ErrorCode::invalid_argument, "project '" + p.id + "' already exists");
    });
  }

  std::vector<ProjectRecord> projects() override {
    return run("listing projects", [&](Connection &db) {
      SQLite::Statement q(db,
                          std::string("SELECT ") + project_columns + " FROM projects ORDER BY id");
      std::vector<ProjectRecord> out;
      while (q.executeStep())
        out.push_back(read_project(q));
      return out;
    });
  }

  std::optional<ProjectRecord> project(std::string_view id) override {
    return run("reading a project", [&](Connection &db) -> std::optional<ProjectRecord> {
      SQLite::Statement q(db,
                          std::string("SELECT ") + project_columns + " FROM projects WHERE id = ?");
      bind_text(q, 1, id);
      if (!q.executeStep())
        return std::nullopt;
      return read_project(q);
    });
  }

  void update_project(const ProjectRecord &project) override {
    const ProjectRecord p = checked_project(project);
    run("updating a project", [&](Connection &db) {
      SQLite::Statement q(db,
                          "UPDATE projects SET branch = ?, specs_path = ?, sync_interval_ms = ?, "
                          "commit_sha = ?, last_tree = ?, etags = ?, sync_state = ?, "
                          "sync_error = ?, last_synced_at = ?, updated_at = ? WHERE id = ?");
      q.bind(1, p.branch);
      q.bind(2, p.specs_path);
      q.bind(3, static_cast<std::int64_t>(std::chrono::milliseconds(p.sync_interval).count()));
      q.bind(4, p.last_commit);
      q.bind(5, p.last_tree);
      q.bind(6, p.etags_json);
      q.bind(7, p.sync_state);
      q.bind(8, p.sync_error);
      q.bind(9, p.last_synced_at);
      q.bind(10, now_ms());
      q.bind(11, p.id);
      if (q.exec() == 0)
        throw Error(ErrorCode::not_found, "no project '" + p.id + "'");
    });
  }

  void update_project(std::string_view id, const ProjectPatch &patch) override {
    const ProjectPatch p = checked_patch(id, patch);
    run("updating a project", [&](Connection &db) {
      SQLite::Statement q(db, "UPDATE projects SET branch = coalesce(?, branch), "
                              "specs_path = coalesce(?, specs_path), "
                              "sync_interval_ms = coalesce(?, sync_interval_ms), updated_at = ? "
                              "WHERE id = ?");
      p.branch ? q.bind(1, *p.branch) : q.bind(1);
      p.specs_path ? q.bind(2, *p.specs_path) : q.bind(2);
      p.sync_interval
          ? q.bind(3,
                   static_cast<std::int64_t>(std::chrono::milliseconds(*p.sync_interval).count()))
          : q.bind(3);
      q.bind(4, now_ms());
      bind_text(q, 5, id);
      if (q.exec() == 0)
        throw Error(ErrorCode::not_found, "no project '" + std::string(id) + "'");
    });
  }

  bool remove_project(std::string_view id) override {
    return run("removing a project", [&](Connection &db) {
      Transaction tx(db, Transaction::write);
      SQLite::Statement lease(db, "DELETE FROM leases WHERE project_id = ?");
      bind_text(lease, 1, id);
      lease.exec();
      SQLite::Statement search(
          db,
          "INSERT INTO spec_search (spec_search, rowid, title, tags, id, search_terms) "
          "SELECT 'delete', seq, title, tags, id, search_terms FROM specs WHERE project_id = ?");
      bind_text(search, 1, id);
      search.exec();
      // Cascades to specs (and so spec_files and relationships) and sync_runs.
      SQLite::Statement q(db, "DELETE FROM projects WHERE id = ?");
      bind_text(q, 1, id);
      const bool removed = q.exec() > 0;
      tx.commit();
      return removed;
    });
  }

  ReplaceResult replace_specs(std::string_view project_id,
                              const std::vector<StoredSpec> &specs) override {
    return write(project_id, &specs, nullptr);
  }

  ReplaceResult finish_sync(std::string_view project_id, const std::vector<StoredSpec> *specs,
                            const SyncFinish &finish) override {
    return write(project_id, specs, &finish);
  }

  // replace_specs (with `specs`) and finish_sync (with `finish`) in one transaction.
  ReplaceResult write(std::string_view project_id, const std::vector<StoredSpec> *specs,
                      const SyncFinish *finish) {
    const std::vector<PreparedSpec> prepared =
        specs ? prepare_specs(*specs) : std::vector<PreparedSpec>{};
    const std::string project(project_id);
    // Parse before taking the write lock; the transaction compares again.
    SpecRows rows(prepared, specs ? run("reading the specs of a project",
                                        [&](Connection &db) { return stored_hashes(db, project); })
                                  : std::unordered_map<std::string, std::string>{});
    return run(
        specs ? "replacing the specs of a project" : "recording a sync", [&](Connection &db) {
          Transaction tx(db, Transaction::write);
          const std::uint64_t version = read_version(db, project_id);
          // Without a snapshot (finish_sync without one) nothing is compared, so nothing removed.
          const std::unordered_map<std::string, std::string> existing =
              specs ? stored_hashes(db, project) : std::unordered_map<std::string, std::string>{};
          ReplaceResult result = write_snapshot(db, project, version, prepared, rows, existing);
          if (finish) {
            write_sync_fields(db, project, finish->project);
            write_run_end(db, finish->ended(specs ? &result : nullptr));
          }
          tx.commit();
          return result;
        });
  }

  // The specs rows' path -> files_hash of the project.
  static std::unordered_map<std::string, std::string> stored_hashes(Connection &db,
                                                                    const std::string &project) {
    std::unordered_map<std::string, std::string> out;
    SQLite::Statement q(db, "SELECT path, files_hash FROM specs WHERE project_id = ?");
    q.bind(1, project);
    while (q.executeStep())
      out.emplace(q.getColumn(0).getString(), q.getColumn(1).getString());
    return out;
  }

  // Inside the write transaction: the folders of `prepared` whose files_hash differs from
  // `existing` (the stored path -> files_hash) written, those missing removed, their full-text
  // rows rewritten, and the project's snapshot version and spec count moved when anything
  // changed.
  ReplaceResult write_snapshot(Connection &db, const std::string &project, std::uint64_t version,
                               const std::vector<PreparedSpec> &prepared, SpecRows &rows,
                               const std::unordered_map<std::string, std::string> &existing) {
    SearchRows search(db); // the full-text rows, written at the end
    SnapshotWriter writer(db, project, static_cast<std::int64_t>(version + 1));
    ReplaceResult result;
    std::unordered_set<std::string_view> seen;
    std::size_t written = 0;
    for (const PreparedSpec &spec : prepared) {
      const std::string &path = spec.spec->path;
      const auto found = existing.find(path);
      if (found != existing.end()) {
        seen.insert(found->first);
        if (found->second == spec.files_hash)
          continue; // unchanged: not touched
      }
      const bool update = found != existing.end();
      if (update)
        search.forget(project, path);
      writer.write_folder(spec, rows.row(spec), update, [&] { search.written(project, path); });
      ++(update ? result.updated : result.added);
      call_write_hook(++written);
    }
    for (const auto &[path, hash] : existing) {
      if (seen.count(path))
        continue;
      search.forget(project, path);
      writer.remove_folder(path);
      ++result.removed;
    }
    search.write();
    result.version = version;
    if (result.changed()) {
      SQLite::Statement bump(db, "UPDATE projects SET snapshot_version = ?1, spec_count = "
                                 "(SELECT count(*) FROM specs WHERE project_id = ?2) "
                                 "WHERE id = ?2");
      bump.bind(1, static_cast<std::int64_t>(version + 1));
      bump.bind(2, project);
      bump.exec();
      result.version = version + 1;
    }
    return result;
  }

  std::vector<StoredSpec> specs(std::string_view project_id) override {
    return run("reading the specs of a project", [&](Connection &db) {
      Transaction tx(db, Transaction::read);
      const std::size_t count = read_head(db, project_id).spec_count;
      SQLite::Statement q(db, "SELECT s.path, f.name, f.content, f.content_hash, s.files_hash "
                              "FROM specs s LEFT JOIN spec_files f "
                              "ON f.project_id = s.project_id AND f.path = s.path "
                              "WHERE s.project_id = ? ORDER BY s.path, f.name <> 'README.md', "
                              "f.name");
      bind_text(q, 1, project_id);
      std::vector<StoredSpec> out = read_specs(q);
      check_count(project_id, count, out.size());
      tx.commit();
      return out;
    });
  }

  SnapshotDelta specs_since(std::string_view project_id, std::uint64_t since) override {
    return run("reading the specs of a project", [&](Connection &db) {
      Transaction tx(db, Transaction::read);
      SnapshotDelta out;
      const Head head = read_head(db, project_id);
      out.version = head.version;
      if (out.version < since)
        since = 0;
      SQLite::Statement paths(db, "SELECT path FROM specs WHERE project_id = ? ORDER BY path");
      bind_text(paths, 1, project_id);
      while (paths.executeStep())
        out.paths.push_back(paths.getColumn(0).getString());
      check_count(project_id, head.spec_count, out.paths.size());
      SQLite::Statement q(db, "SELECT s.path, f.name, f.content, f.content_hash, s.files_hash "
                              "FROM specs s LEFT JOIN spec_files f "
                              "ON f.project_id = s.project_id AND f.path = s.path "
                              "WHERE s.project_id = ? AND s.written_version > ? "
                              "ORDER BY s.path, f.name <> 'README.md', f.name");
      bind_text(q, 1, project_id);
      q.bind(2, static_cast<std::int64_t>(since));
      out.written = read_specs(q);
      tx.commit();
      return out;
    });
  }

  std::uint64_t snapshot_version(std::string_view project_id) override {
    return run("reading a snapshot version",
               [&](Connection &db) { return read_version(db, project_id); });
  }

  std::vector<std::pair<std::string, double>> search(std::string_view project_id,
                                                     const std::vector<std::string> &words,
                                                     std::size_t limit) override {
    const std::vector<std::string> tokens = search_tokens(words);
    if (tokens.empty())
      return {};
    // Each token as an FTS5 string with a prefix star: tokens hold no '"' (nor any other ASCII
    // punctuation), so no input can form FTS5 syntax; the expression is a bound parameter.
    std::string match;
    for (const std::string &token : tokens)
      match += (match.empty() ? "\"" : " \"") + token + "\"*";
    return run("searching specs", [&](Connection &db) {
      SQLite::Statement q(db, "SELECT s.path, -bm25(spec_search, 10.0, 5.0, 5.0, 1.0) AS rank "
                              "FROM spec_search JOIN specs s ON s.seq = spec_search.rowid "
                              "WHERE spec_search MATCH ? AND s.project_id = ? "
                              "ORDER BY rank DESC, s.path LIMIT ?");
      q.bind(1, match);
      bind_text(q, 2, project_id);
      q.bind(3, limit ? static_cast<std::int64_t>(limit) : std::int64_t{-1});
      std::vector<std::pair<std::string, double>> out;
      while (q.executeStep())
        out.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getDouble());
      return out;
    });
  }

  std::int64_t begin_sync_run(std::string_view project_id, std::int64_t started_at) override {
    return run("starting a sync run", [&](Connection &db) {
      Transaction tx(db, Transaction::write);
      // Only the sync state: a settings patch made since the caller read the project stays.
      SQLite::Statement mark(db, "UPDATE projects SET sync_state = 'syncing', updated_at = ? "
                                 "WHERE id = ?");
      mark.bind(1, now_ms());
      bind_text(mark, 2, project_id);
      if (mark.exec() == 0)
        throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
      SQLite::Statement q(db, "INSERT INTO sync_runs (project_id, started_at, outcome) "
                              "VALUES (?, ?, 'running')");
      bind_text(q, 1, project_id);
      q.bind(2, started_at);
      q.exec();
      const std::int64_t id = db.getLastInsertRowid();
      tx.commit();
      return id;
    });
  }

  void end_sync_run(const SyncRunRecord &r) override {
    run("ending a sync run", [&](Connection &db) { write_run_end(db, r); });
  }

  std::vector<SyncRunRecord> sync_runs(std::string_view project_id, std::size_t limit) override {
    return run("listing sync runs", [&](Connection &db) {
      SQLite::Statement q(db, "SELECT id, project_id, started_at, ended_at, outcome, added, "
                              "updated, removed, requests, not_modified, rate_limit_remaining, "
                              "error, path, bytes, duration_ms, commit_sha, retry_at "
                              "FROM sync_runs WHERE project_id = ? ORDER BY id DESC LIMIT ?");
      bind_text(q, 1, project_id);
      q.bind(2, limit ? static_cast<std::int64_t>(limit) : std::int64_t{-1});
      std::vector<SyncRunRecord> out;
      while (q.executeStep()) {
        SyncRunRecord r;
        r.id = q.getColumn(0).getInt64();
        r.project_id = q.getColumn(1).getString();
        r.started_at = q.getColumn(2).getInt64();
        r.ended_at = q.getColumn(3).getInt64();
        r.outcome = q.getColumn(4).getString();
        r.added = q.getColumn(5).getInt();
        r.updated = q.getColumn(6).getInt();
        r.removed = q.getColumn(7).getInt();
        r.requests = q.getColumn(8).getInt();
        r.not_modified = q.getColumn(9).getInt();
        r.rate_limit_remaining = q.getColumn(10).getInt();
        r.error = q.getColumn(11).getString();
        r.details.path = q.getColumn(12).getString();
        r.details.bytes = q.getColumn(13).getInt64();
        r.details.duration_ms = q.getColumn(14).getInt64();
        r.details.commit = q.getColumn(15).getString();
        r.retry_at = q.getColumn(16).getInt64();
        out.push_back(std::move(r));
      }
      return out;
    });
  }

  void prune_sync_runs(std::string_view project_id, std::size_t keep,
                       std::int64_t started_before) override {
    if (keep == 0 && started_before == 0)
      return;
    run("pruning sync runs", [&](Connection &db) {
      SQLite::Statement q(db, "DELETE FROM sync_runs WHERE project_id = ?1 AND (started_at < ?2 "
                              "OR id <= (SELECT id FROM sync_runs WHERE project_id = ?1 "
                              "ORDER BY id DESC LIMIT 1 OFFSET ?3))");
      bind_text(q, 1, project_id);
      q.bind(2, started_before);
      q.bind(3, keep ? static_cast<std::int64_t>(keep) : std::numeric_limits<std::int64_t>::max());
      q.exec();
    });
  }

  bool record_delivery(std::string_view delivery_id) override {
    return run("recording a webhook delivery", [&](Connection &db) {
      const std::int64_t now = now_ms();
      Transaction tx(db, Transaction::write);
      SQLite::Statement prune(db, "DELETE FROM webhook_deliveries WHERE received_at < ?");
      prune.bind(1, now - std::chrono::milliseconds(delivery_retention).count());
      prune.exec();
      SQLite::Statement q(db, "INSERT INTO webhook_deliveries (delivery_id, received_at) "
                              "VALUES (?, ?) ON CONFLICT (delivery_id) DO NOTHING");
      bind_text(q, 1, delivery_id);
      q.bind(2, now);
      const bool fresh = q.exec() == 1;
      tx.commit();
      return fresh;
    });
  }

  bool try_acquire_lease(std::string_view project_id, std::string_view holder,
                         std::chrono::milliseconds ttl) override {
    return run("taking a sync lease", [&](Connection &db) {
      SQLite::Statement q(db, "INSERT INTO leases (project_id, holder, expires_at) "
                              "VALUES (?1, ?2, ?3) ON CONFLICT (project_id) DO UPDATE "
                              "SET holder = excluded.holder, expires_at = excluded.expires_at "
                              "WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4");
      const std::int64_t now = now_ms();
      bind_text(q, 1, project_id);
      bind_text(q, 2, holder);
      q.bind(3, now + static_cast<std::int64_t>(ttl.count()));
      q.bind(4, now);
      return q.exec() == 1;
    });
  }

  std::unique_ptr<ChangeListener> listen() override {
    return std::make_unique<SqliteListener>(path_);
  }

  void release_lease(std::string_view project_id, std::string_view holder) override {
    run("releasing a sync lease", [&](Connection &db) {
      SQLite::Statement q(db, "DELETE FROM leases WHERE project_id = ? AND holder = ?");
      bind_text(q, 1, project_id);
      bind_text(q, 2, holder);
      q.exec();
    });
  }

  // --- GitHub sync (schema v3) --------------------------------------------------------------

  void request_sync(std::string_view project_id, std::string_view hint) override {
    run("queueing a sync", [&](Connection &db) {
      SQLite::Statement q(
          db, "INSERT INTO sync_schedule (project_id, requested_at, request_seq, hint) "
              "SELECT id, ?2, 1, ?3 FROM projects WHERE id = ?1 "
              "ON CONFLICT (project_id) DO UPDATE SET request_seq = request_seq + 1, "
              "hint = CASE WHEN requested_at = 0 OR hint = excluded.hint THEN excluded.hint "
              "ELSE '' END, "
              "requested_at = CASE WHEN requested_at = 0 THEN excluded.requested_at "
              "ELSE requested_at END");
      bind_text(q, 1, project_id);
      q.bind(2, now_ms());
      bind_text(q, 3, hint);
      if (q.exec() == 0)
        throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
    });
  }

  std::vector<SyncSchedule> sync_schedules() override {
    return run("reading the sync queue", [&](Connection &db) {
      SQLite::Statement q(db, "SELECT project_id, requested_at, request_seq, hint, retry_at "
                              "FROM sync_schedule ORDER BY project_id");
      std::vector<SyncSchedule> out;
      while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(),
                       q.getColumn(2).getInt64(), q.getColumn(3).getString(),
                       q.getColumn(4).getInt64()});
      return out;
    });
  }

  void clear_sync_request(std::string_view project_id, std::int64_t seq) override {
    run("clearing a sync request", [&](Connection &db) {
      SQLite::Statement q(db, "UPDATE sync_schedule SET requested_at = 0, hint = '' "
                              "WHERE project_id = ? AND request_seq = ?");
      bind_text(q, 1, project_id);
      q.bind(2, seq);
      q.exec();
    });
  }

  void set_retry_at(std::string_view project_id, std::int64_t retry_at_ms) override {
    run("setting a sync retry time", [&](Connection &db) {
      SQLite::Statement q(db,
                          "INSERT INTO sync_schedule (project_id, retry_at) "
                          "SELECT id, ?2 FROM projects WHERE id = ?1 "
                          "ON CONFLICT (project_id) DO UPDATE SET retry_at = excluded.retry_at");
      bind_text(q, 1, project_id);
      q.bind(2, retry_at_ms);
      q.exec();
    });
  }

  void put_blobs(const std::vector<std::pair<std::string, std::string>> &blobs) override {
    if (blobs.empty())
      return;
    run("keeping fetched blobs", [&](Connection &db) {
      Transaction tx(db, Transaction::write);
      SQLite::Statement q(
          db, "INSERT INTO blob_cache (content_hash, content, stored_at) VALUES (?, ?, ?) "
              "ON CONFLICT (content_hash) DO NOTHING");
      const std::int64_t now = now_ms();
      for (const auto &[sha, content] : blobs) {
        q.bind(1, sha);
        q.bindNoCopy(2, content.data(), static_cast<int>(content.size()));
        q.bind(3, now);
        q.exec();
        q.reset();
      }
      tx.commit();
    });
  }

  std::vector<std::pair<std::string, std::string>>
  blobs(const std::vector<std::string> &shas) override {
    if (shas.empty())
      return {};
    return run("reading kept blobs", [&](Connection &db) {
      SQLite::Statement q(db,
                          "SELECT content_hash, content FROM blob_cache WHERE content_hash = ?");
      std::vector<std::pair<std::string, std::string>> out;
      for (const std::string &sha : shas) {
        q.bind(1, sha);
        if (q.executeStep()) {
          const auto column = q.getColumn(1);
          out.emplace_back(sha, std::string(static_cast<const char *>(column.getBlob()),
                                            static_cast<std::size_t>(column.getBytes())));
        }
        q.reset();
      }
      return out;
    });
  }

  void drop_blobs(const std::vector<std::string> &shas) override {
    if (shas.empty())
      return;
    run("dropping kept blobs", [&](Connection &db) {
      Transaction tx(db, Transaction::write);
      SQLite::Statement q(db, "DELETE FROM blob_cache WHERE content_hash = ?");
      for (const std::string &sha : shas) {
        q.bind(1, sha);
        q.exec();
        q.reset();
      }
      tx.commit();
    });
  }

  bool has_delivery(std::string_view delivery_id) override {
    return run("looking up a webhook delivery", [&](Connection &db) {
      SQLite::Statement q(db, "SELECT 1 FROM webhook_deliveries WHERE delivery_id = ?");
      bind_text(q, 1, delivery_id);
      return q.executeStep();
    });
  }

private:
  // The sync fields of `p` (Store::SyncFinish), on an open transaction.
  static void write_sync_fields(Connection &db, const std::string &id, const ProjectRecord &p) {
    SQLite::Statement q(db, "UPDATE projects SET commit_sha = ?, last_tree = ?, etags = ?, "
                            "sync_state = ?, sync_error = ?, last_synced_at = ?, updated_at = ? "
                            "WHERE id = ?");
    q.bind(1, p.last_commit);
    q.bind(2, p.last_tree);
    q.bind(3, p.etags_json);
    q.bind(4, p.sync_state);
    q.bind(5, p.sync_error);
    q.bind(6, p.last_synced_at);
    q.bind(7, now_ms());
    q.bind(8, id);
    if (q.exec() == 0)
      throw Error(ErrorCode::not_found, "no project '" + id + "'");
  }

  // How run `r.id` ended, with its details (Store::end_sync_run).
  static void write_run_end(Connection &db, const SyncRunRecord &r) {
    SQLite::Statement q(db, "UPDATE sync_runs SET ended_at = ?, outcome = ?, added = ?, "
                            "updated = ?, removed = ?, requests = ?, not_modified = ?, "
                            "rate_limit_remaining = ?, error = ?, path = ?, bytes = ?, "
                            "duration_ms = ?, commit_sha = ?, retry_at = ? WHERE id = ?");
    q.bind(1, r.ended_at ? r.ended_at : now_ms());
    q.bind(2, r.outcome);
    q.bind(3, r.added);
    q.bind(4, r.updated);
    q.bind(5, r.removed);
    q.bind(6, r.requests);
    q.bind(7, r.not_modified);
    q.bind(8, r.rate_limit_remaining);
    q.bind(9, r.error);
    q.bind(10, r.details.path);
    q.bind(11, r.details.bytes);
    q.bind(12, r.details.duration_ms);
    q.bind(13, r.details.commit);
    q.bind(14, r.retry_at);
    q.bind(15, r.id);
    if (q.exec() == 0)
      throw Error(ErrorCode::not_found, "no sync run " + std::to_string(r.id));
  }

  // Folders from rows of (path, file name, content, blob SHA, the folder's files_hash), ordered
  // by path and as replace_specs orders a folder's files, each checked against what was
  // written with it: every file's bytes against its blob SHA, the names and SHAs against the
  // folder's digest: one SHA-1 pass over the bytes read. A damaged page that SQLite reads
  // without noticing would otherwise be served as specs.
  std::vector<StoredSpec> read_specs(SQLite::Statement &q) const {
    std::vector<StoredSpec> out;
    std::string digest, files_hash;
    const auto check_folder = [&] {
      if (!out.empty() && git_blob_sha1(digest) != files_hash)
        corrupt("the files of spec folder '" + out.back().path +
                "' differ from the list stored with them");
    };
    while (q.executeStep()) {
      std::string path = q.getColumn(0).getString();
      if (out.empty() || out.back().path != path) {
        check_folder();
        out.push_back({std::move(path), {}});
        digest.clear();
        files_hash = q.getColumn(4).getString();
      }
      if (q.getColumn(1).isNull())
        continue;
      StoredFile file{q.getColumn(1).getString(), q.getColumn(2).getString(),
                      q.getColumn(3).getString()};
      if (git_blob_sha1(file.content) != file.blob_sha)
        corrupt("file '" + out.back().path + "/" + file.name +
                "' differs from the bytes stored (its blob SHA does not match)");
      digest += file.name;
      digest += '\0';
      digest += file.blob_sha;
      digest += '\n';
      out.back().files.push_back(std::move(file));
    }
    check_folder();
    return out;
  }

  // What the project row says of its snapshot. @throws Error not_found for an unknown project
  struct Head {
    std::uint64_t version;
    std::size_t spec_count;
  };
  static Head read_head(Connection &db, std::string_view project_id) {
    SQLite::Statement q(db, "SELECT snapshot_version, spec_count FROM projects WHERE id = ?");
    bind_text(q, 1, project_id);
    if (!q.executeStep())
      throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
    return {static_cast<std::uint64_t>(q.getColumn(0).getInt64()),
            static_cast<std::size_t>(q.getColumn(1).getInt64())};
  }

  // Unless the snapshot read holds as many folders as its project row records.
  void check_count(std::string_view project_id, std::size_t recorded, std::size_t read) const {
    if (recorded != read)
      corrupt("project '" + std::string(project_id) + "' should hold " + std::to_string(recorded) +
              " specs, " + std::to_string(read) + " were read");
  }

  [[noreturn]] void corrupt(const std::string &what) const {
    throw Error(ErrorCode::database, "SQLite database '" + path_ + "' is damaged: " + what +
                                         "; it was left as is (restore it, or remove it and "
                                         "import or sync again)");
  }

  // The project's snapshot version. @throws Error not_found for an unknown project
  static std::uint64_t read_version(Connection &db, std::string_view project_id) {
    SQLite::Statement q(db, "SELECT snapshot_version FROM projects WHERE id = ?");
    bind_text(q, 1, project_id);
    if (!q.executeStep())
      throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
    return static_cast<std::uint64_t>(q.getColumn(0).getInt64());
  }

  // Runs `body` on a pooled connection, translating SQLite's exceptions; a connection left
  // inside a transaction (its rollback failed) is closed rather than reused.
  template <class F> std::invoke_result_t<F &, Connection &> run(std::string_view doing, F &&body) {
    auto connection = checkout(doing);
    struct Check {
      decltype(connection) &c;
      ~Check() {
        if (!sqlite3_get_autocommit((*c).getHandle()))
          c.discard();
      }
    } check{connection};
    try {
      return body(*connection);
    } catch (const SQLite::Exception &e) {
      throw translate(path_, doing, e);
    }
  }

  ConnectionPool<Connection>::Checkout checkout(std::string_view doing) {
    try {
      return pool_.checkout();
    } catch (const SQLite::Exception &e) {
      throw translate(path_, doing, e);
    }
  }

  std::string path_;
  Checkpointer checkpointer_; // before pool_: outlives the connections that report to it
  ConnectionPool<Connection> pool_;
};

} // namespace

std::unique_ptr<Store> open_sqlite_store(const DatabaseUrl &url, bool create) {
  const std::string &path = url.target;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw Error(ErrorCode::database, "SQLite database '" + path + "' is a directory");
  if (!create) {
    // A program that only reads makes nothing: a mistyped path is not a new database.
    const auto status = fs::status(path, ec);
    if (!fs::exists(status))
      throw Error(ErrorCode::not_found,
                  "SQLite database '" + path + "' does not exist (nothing was created)");
    // An empty file is a new database to SQLite; a WAL beside it may hold what was written.
    if (fs::is_regular_file(status) && fs::file_size(path, ec) == 0 && !ec &&
        !(fs::file_size(path + "-wal", ec) > 0 && !ec))
      throw Error(ErrorCode::database, "SQLite database '" + path +
                                           "' is an empty file, not a leanspec database; it "
                                           "was left untouched");
  } else if (const fs::path parent = fs::path(path).parent_path(); !parent.empty()) {
    if (!fs::is_directory(parent, ec)) {
      fs::create_directories(parent, ec);
      if (ec)
        throw Error(ErrorCode::io,
                    "cannot create the folder of SQLite database '" + path + "': " + ec.message());
    }
  }
  try {
    auto db = std::make_unique<Connection>(
        path, SQLite::OPEN_READWRITE | (create ? SQLite::OPEN_CREATE : 0) | SQLite::OPEN_NOMUTEX,
        busy_timeout_ms);
    // Read before anything writes: a file that is not a database fails here, untouched.
    int version = recorded_version(*db);
    refuse_newer(path, version);
    // A new file gets 16 KB pages (an existing one keeps its own): a 300-spec snapshot is
    // ~10 MB of pages, and each page is a WAL frame written by two system calls.
    db->exec("PRAGMA page_size = 16384");
    enter_wal(*db, path);
    configure(*db);
    if (version < latest_schema_version())
      define_search_terms_function(*db);
    while (version < latest_schema_version()) {
      Transaction tx(*db, Transaction::write);
      db->exec(sqlite_bootstrap);
      version = recorded_version(*db); // another process may have migrated meanwhile
      refuse_newer(path, version);
      if (version < latest_schema_version()) {
        const Migration &m = migrations()[static_cast<std::size_t>(version)];
        db->exec(m.sqlite);
        SQLite::Statement record(
            *db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
        record.bind(1, m.version);
        record.bind(2, m.name);
        record.bind(3, now_ms());
        record.exec();
        version = m.version;
      }
      tx.commit();
    }
    // A writer killed before it closed left its WAL behind: copy it back now, so that it does
    // not grow with each such run and later processes do not read it back in full.
    if (const auto wal = fs::file_size(path + "-wal", ec); !ec && wal > abandoned_wal_size) {
      db->setBusyTimeout(truncate_wait_ms);
      db->tryExec("PRAGMA wal_checkpoint(TRUNCATE)"); // busy readers: a later one truncates it
      db->setBusyTimeout(busy_timeout_ms);
    }
    return std::make_unique<SqliteStore>(path, std::move(db));
  } catch (const SQLite::Exception &e) {
    throw translate(path, "opening", e);
  }
}

} // namespace leanspec::detail
