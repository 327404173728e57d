// Implements the SQLite Store of src/db/store.hpp through SQLiteCpp: a pool of connections to
// one file in WAL mode (readers never wait for the writer; writers wait up to the busy timeout
// for each other, across threads and processes), foreign keys on, and an FTS5 table for search.
// Write transactions are BEGIN IMMEDIATE, so a writer takes the lock before reading and never
// fails to upgrade a read lock halfway. Its parts live in src/db/sqlite/: the connection and
// its settings, the WAL checkpointer, the change listener, the snapshot writer and the
// full-text rows it writes.
#include "core/project_set.hpp"
#include "db/cold_read_sql.hpp"
#include "db/database_url.hpp"
#include "db/migrations.hpp"
#include "db/pool.hpp"
#include "db/spec_rows.hpp"
#include "db/spec_summaries.hpp"
#include "db/sqlite/checkpointer.hpp"
#include "db/sqlite/connection.hpp"
#include "db/sqlite/listener.hpp"
#include "db/sqlite/search_rows.hpp"
#include "db/sqlite/search_statements.hpp"
#include "db/sqlite/snapshot_writer.hpp"
#include "db/store.hpp"

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

constexpr std::size_t pool_capacity = 4;

using namespace sqlite;

ProjectRecord read_project(SQLite::Statement &q) {
  ProjectRecord p;
  p.id = q.getColumn(0).getString();
  p.owner = q.getColumn(1).getString();
  p.repo = q.getColumn(2).getString();
  p.branch = q.getColumn(3).getString();
  p.specs_path = q.getColumn(4).getString();
  p.sync_interval = std::chrono::duration_cast<decltype(p.sync_interval)>(
      std::chrono::milliseconds(q.getColumn(5).getInt64()));
  p.commit_sha = q.getColumn(6).getString();
  p.last_tree = q.getColumn(7).getString();
  p.etags_json = q.getColumn(8).getString();
  p.sync_state = q.getColumn(9).getString();
  p.sync_error = q.getColumn(10).getString();
  p.created_at = q.getColumn(11).getInt64();
  p.updated_at = q.getColumn(12).getInt64();
  p.last_synced_at = q.getColumn(13).getInt64();
  p.snapshot_version = static_cast<std::uint64_t>(q.getColumn(14).getInt64());
  p.interrupted_at = q.getColumn(15).getInt64();
  p.spec_count = static_cast<std::size_t>(q.getColumn(16).getInt64());
  p.commit_tree = q.getColumn(17).getString();
  p.write_mode = write_mode_of(q.getColumn(18).getString());
  return p;
}

// The last columns are ProjectRecord::interrupted_at ("syncing" without a live lease) and
// spec_count.
constexpr const char *project_columns =
    "id, owner, repo, branch, specs_path, sync_interval_ms, commit_sha, last_tree, etags, "
    "sync_state, sync_error, created_at, updated_at, last_synced_at, snapshot_version, "
    "CASE WHEN sync_state <> 'syncing' THEN 0 ELSE coalesce((SELECT CASE WHEN l.expires_at <= "
    "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) THEN l.expires_at ELSE 0 END "
    "FROM leases l WHERE l.project_id = projects.id), updated_at) END, spec_count, commit_tree, "
    "write_mode";

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
              "last_synced_at, snapshot_version, commit_tree, write_mode) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) "
              "ON CONFLICT (id) DO NOTHING");
      const std::int64_t now = unix_ms();
      q.bind(1, p.id);
      q.bind(2, p.owner);
      q.bind(3, p.repo);
      q.bind(4, p.branch);
      q.bind(5, p.specs_path);
      q.bind(6, static_cast<std::int64_t>(std::chrono::milliseconds(p.sync_interval).count()));
      q.bind(7, p.commit_sha);
      q.bind(8, p.last_tree);
      q.bind(9, p.etags_json);
      q.bind(10, p.sync_state);
      q.bind(11, p.sync_error);
      q.bind(12, now);
      q.bind(13, now);
      q.bind(14, p.last_synced_at);
      q.bind(15, p.commit_tree);
      bind_text(q, 16, to_string(p.write_mode));
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
                          "sync_error = ?, last_synced_at = ?, updated_at = ?, commit_tree = ?, "
                          "write_mode = ? WHERE id = ?");
      q.bind(1, p.branch);
      q.bind(2, p.specs_path);
      q.bind(3, static_cast<std::int64_t>(std::chrono::milliseconds(p.sync_interval).count()));
      q.bind(4, p.commit_sha);
      q.bind(5, p.last_tree);
      q.bind(6, p.etags_json);
      q.bind(7, p.sync_state);
      q.bind(8, p.sync_error);
      q.bind(9, p.last_synced_at);
      q.bind(10, unix_ms());
      q.bind(11, p.commit_tree);
      bind_text(q, 12, to_string(p.write_mode));
      q.bind(13, p.id);
      if (q.exec() == 0)
        throw Error(ErrorCode::not_found, "no project '" + p.id + "'");
    });
  }

  void update_project(std::string_view id, const ProjectPatch &patch) override {
    const ProjectPatch p = checked_patch(id, patch);
    run("updating a project", [&](Connection &db) {
      SQLite::Statement q(db, "UPDATE projects SET branch = coalesce(?, branch), "
                              "specs_path = coalesce(?, specs_path), "
                              "sync_interval_ms = coalesce(?, sync_interval_ms), "
                              "write_mode = coalesce(?, write_mode), updated_at = ? WHERE id = ?");
      p.branch ? q.bind(1, *p.branch) : q.bind(1);
      p.specs_path ? q.bind(2, *p.specs_path) : q.bind(2);
      p.sync_interval
          ? q.bind(3,
                   static_cast<std::int64_t>(std::chrono::milliseconds(*p.sync_interval).count()))
          : q.bind(3);
      p.write_mode ? bind_text(q, 4, to_string(*p.write_mode)) : q.bind(4);
      q.bind(5, unix_ms());
      bind_text(q, 6, id);
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
          const WriteCache cache(db);
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

  StoreSearchPage search(const StoreSearch &request) override {
    return run("searching specs", [&](Connection &db) {
      Transaction tx(db, Transaction::read); // the page and its files: one stored version
      const SqliteDialect dialect;
      const QuerySql::Expand expand = [&](const std::string &word, int distance) {
        return vocabulary_terms(db, word, distance);
      };
      QuerySql query(dialect, *request.query, request.filter, expand);
      const std::vector<double> idf = inverse_document_frequencies(db, query, request);
      const std::string score = query.score(idf), lower = query.score_without_body(idf);
      // With a limit, only the first offset + limit by score need their body terms read.
      constexpr std::size_t bounded_at_most = 1'000'000; // past it, pruning saves little
      const bool bounded = request.limit && request.limit <= bounded_at_most &&
                           request.offset <= bounded_at_most && !query.ranked_terms().empty() &&
                           !lower.empty();
      const std::string sql =
          bounded ? bounded_search_statement(query, score, lower, request.project_ids.size())
                  : search_statement(query, score, request.project_ids.size());
      const auto bind = [&](SQLite::Statement &q, std::int64_t limit, std::int64_t offset) {
        int n = bind_search(q, query, request, limit, offset);
        if (bounded) {
          q.bind(++n, limit + offset);
          q.bind(++n, QuerySql::body_bound(idf));
        }
      };
      StoreSearchPage page;
      {
        SQLite::Statement q(db, sql);
        bind(q, request.limit ? static_cast<std::int64_t>(request.limit) : std::int64_t{-1},
             static_cast<std::int64_t>(std::min<std::size_t>(
                 request.offset, std::numeric_limits<std::int64_t>::max() / 2)));
        while (q.executeStep()) {
          page.hits.push_back({q.getColumn(0).getString(), q.getColumn(2).getDouble(), {}});
          page.hits.back().spec.path = q.getColumn(1).getString();
          page.total = static_cast<std::size_t>(q.getColumn(3).getInt64());
        }
      }
      if (page.hits.empty() && request.offset > 0) { // past the end: count alone
        SQLite::Statement count(db, sql);
        bind(count, 1, 0);
        page.total =
            count.executeStep() ? static_cast<std::size_t>(count.getColumn(3).getInt64()) : 0;
      }
      SQLite::Statement files(db, hit_files_statement());
      for (StoreHit &hit : page.hits) {
        bind_text(files, 1, hit.project_id);
        bind_text(files, 2, hit.spec.path);
        std::vector<StoredSpec> read = read_specs(files);
        if (read.size() == 1)
          hit.spec = std::move(read.front());
        files.reset();
      }
      page.fuzzy_terms = query.take_fuzzy_terms();
      tx.commit();
      return page;
    });
  }

  std::int64_t begin_sync_run(std::string_view project_id, std::int64_t started_at) override {
    return run("starting a sync run", [&](Connection &db) {
      Transaction tx(db, Transaction::write);
      // Only the sync state: a settings patch made since the caller read the project stays.
      SQLite::Statement mark(db, "UPDATE projects SET sync_state = 'syncing', updated_at = ? "
                                 "WHERE id = ?");
      mark.bind(1, unix_ms());
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
        r.details.commit_sha = q.getColumn(15).getString();
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
      const std::int64_t now = unix_ms();
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
      const std::int64_t now = unix_ms();
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
      q.bind(2, unix_ms());
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
      const std::int64_t now = unix_ms();
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

  // --- cold reads (issue 18; statements in cold_read_sql.hpp) ------------------------------

  SummaryRead read_summaries(const ProjectSet &projects, const FolderPick &pick,
                             WithBodies bodies) override {
    return run("reading spec summaries", [&](Connection &db) {
      Transaction tx(db, Transaction::read);
      std::vector<std::string> ids = projects.ids;
      if (projects.all) {
        SQLite::Statement q(db, cold_read_sql::sqlite_project_ids());
        while (q.executeStep())
          ids.push_back(q.getColumn(0).getString());
      }
      SummaryRead out;
      for (const std::string &id : ids)
        out.projects.push_back(read_project_summaries(db, id, bodies));
      out.folders.resize(out.projects.size());
      SQLite::Statement folder(db, cold_read_sql::sqlite_folder());
      for (const auto &[index, path] : pick(out.projects)) {
        folder.bind(1, out.projects.at(index).project_id);
        folder.bind(2, path);
        for (StoredSpec &spec : read_specs(folder))
          out.folders[index].push_back(std::move(spec));
        folder.reset();
      }
      for (auto &folders : out.folders)
        std::sort(folders.begin(), folders.end(),
                  [](const StoredSpec &a, const StoredSpec &b) { return a.path < b.path; });
      tx.commit();
      return out;
    });
  }

private:
  // One project's summary rows and relationship rows, inside the caller's read transaction.
  ProjectSummaries read_project_summaries(Connection &db, const std::string &id,
                                          WithBodies bodies) const {
    ProjectSummaries out;
    out.project_id = id;
    SQLite::Statement head(db, cold_read_sql::sqlite_project_head());
    head.bind(1, id);
    if (!head.executeStep())
      throw Error(ErrorCode::not_found, "no project '" + id + "'");
    out.version = static_cast<std::uint64_t>(head.getColumn(0).getInt64());
    SQLite::Statement rows(db, bodies == WithBodies::yes
                                   ? cold_read_sql::sqlite_summary_rows_with_bodies()
                                   : cold_read_sql::sqlite_summary_rows());
    rows.bind(1, id);
    while (rows.executeStep()) {
      out.specs.push_back(summary_spec(
          [&](SummaryColumn c) { return rows.getColumn(static_cast<int>(c)).getString(); },
          rows.getColumn(col_number).isNull(), rows.getColumn(col_archived).getInt() != 0, bodies));
      out.written_versions.push_back(
          static_cast<std::uint64_t>(rows.getColumn(col_written_version).getInt64()));
    }
    check_count(id, static_cast<std::size_t>(head.getColumn(1).getInt64()), out.specs.size());
    SQLite::Statement refs(db, cold_read_sql::sqlite_relationship_rows());
    refs.bind(1, id);
    long at = -1;
    std::string last;
    while (refs.executeStep()) {
      std::string path = refs.getColumn(0).getString();
      if (path != last) {
        at = find_path(out.specs, path);
        last = std::move(path);
      }
      if (at >= 0)
        add_relationship(out.specs[static_cast<std::size_t>(at)], refs.getColumn(1).getString(),
                         refs.getColumn(2).getString());
    }
    return out;
  }

public:
private:
  // The sync fields of `p` (Store::SyncFinish), on an open transaction.
  static void write_sync_fields(Connection &db, const std::string &id, const ProjectRecord &p) {
    SQLite::Statement q(db, "UPDATE projects SET commit_sha = ?, last_tree = ?, etags = ?, "
                            "sync_state = ?, sync_error = ?, last_synced_at = ?, updated_at = ?, "
                            "commit_tree = ? WHERE id = ?");
    q.bind(1, p.commit_sha);
    q.bind(2, p.last_tree);
    q.bind(3, p.etags_json);
    q.bind(4, p.sync_state);
    q.bind(5, p.sync_error);
    q.bind(6, p.last_synced_at);
    q.bind(7, unix_ms());
    q.bind(8, p.commit_tree);
    q.bind(9, id);
    if (q.exec() == 0)
      throw Error(ErrorCode::not_found, "no project '" + id + "'");
  }

  // How run `r.id` ended, with its details (Store::end_sync_run).
  static void write_run_end(Connection &db, const SyncRunRecord &r) {
    SQLite::Statement q(db, "UPDATE sync_runs SET ended_at = ?, outcome = ?, added = ?, "
                            "updated = ?, removed = ?, requests = ?, not_modified = ?, "
                            "rate_limit_remaining = ?, error = ?, path = ?, bytes = ?, "
                            "duration_ms = ?, commit_sha = ?, retry_at = ? WHERE id = ?");
    q.bind(1, r.ended_at ? r.ended_at : unix_ms());
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
    q.bind(13, r.details.commit_sha);
    q.bind(14, r.retry_at);
    q.bind(15, r.id);
    if (q.exec() == 0)
      throw Error(ErrorCode::not_found, "no sync run " + std::to_string(r.id));
  }

  // Binds search_statement's parameters; returns the number bound.
  static int bind_search(SQLite::Statement &q, const QuerySql &query, const StoreSearch &request,
                         std::int64_t limit, std::int64_t offset) {
    int n = 0;
    for (const SqlParam &p : query.params())
      p.integer ? q.bind(++n, *p.integer) : bind_text(q, ++n, p.text);
    if (query.requires_text())
      q.bind(++n, query.candidates_text());
    for (const std::string &id : request.project_ids)
      bind_text(q, ++n, id);
    q.bind(++n, limit);
    q.bind(++n, offset);
    return n;
  }

  // Each ranked term's inverse document frequency among the searched projects' specs.
  static std::vector<double> inverse_document_frequencies(Connection &db, const QuerySql &query,
                                                          const StoreSearch &request) {
    std::vector<double> out;
    if (query.ranked_terms().empty())
      return out;
    const std::size_t projects = request.project_ids.size();
    SQLite::Statement specs(db, spec_count_statement(projects));
    for (std::size_t i = 0; i < projects; ++i)
      bind_text(specs, static_cast<int>(i + 1), request.project_ids[i]);
    specs.executeStep();
    const auto n = static_cast<std::size_t>(specs.getColumn(0).getInt64());
    SQLite::Statement frequency(db, document_frequency_statement(projects));
    for (std::size_t i = 0; i < projects; ++i)
      bind_text(frequency, static_cast<int>(i + 2), request.project_ids[i]);
    for (const QuerySql::RankedTerm &term : query.ranked_terms()) {
      double idf = 0;
      for (const std::string &text : term.frequency_texts) {
        frequency.bind(1, text);
        frequency.executeStep();
        idf += inverse_document_frequency(
            n, static_cast<std::size_t>(frequency.getColumn(0).getInt64()));
        frequency.reset();
      }
      out.push_back(idf);
    }
    return out;
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
      if (git_blob_sha1(file.content) != file.content_hash)
        corrupt("file '" + out.back().path + "/" + file.name +
                "' differs from the bytes stored (its blob SHA does not match)");
      digest += file.name;
      digest += '\0';
      digest += file.content_hash;
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

namespace cold_read_sql {

const char *sqlite_project_head() {
  return "SELECT snapshot_version, spec_count FROM projects WHERE id = ?";
}
const char *sqlite_project_ids() { return "SELECT id FROM projects ORDER BY id"; }
const char *sqlite_summary_rows() {
  static const std::string sql =
      std::string("SELECT ") + summary_columns + " FROM specs WHERE project_id = ? ORDER BY path";
  return sql.c_str();
}
const char *sqlite_summary_rows_with_bodies() {
  static const std::string sql = std::string("SELECT ") + summary_columns +
                                 ", body FROM specs WHERE project_id = ? ORDER BY path";
  return sql.c_str();
}
const char *sqlite_relationship_rows() {
  return "SELECT path, kind, ref FROM relationships WHERE project_id = ? AND kind <> 'parent' "
         "ORDER BY path, kind, position";
}
const char *sqlite_folder() {
  return "SELECT s.path, f.name, f.content, f.content_hash, s.files_hash "
         "FROM specs s LEFT JOIN spec_files f ON f.project_id = s.project_id AND f.path = s.path "
         "WHERE s.project_id = ? AND s.path = ? ORDER BY f.name <> 'README.md', f.name";
}

} // namespace cold_read_sql

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
        record.bind(3, unix_ms());
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
