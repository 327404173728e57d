// Implements the PostgreSQL Store of src/db/store.hpp through libpq: a pool of up to four
// connections; every statement with user data is PQexecParams with the data as parameters
// (never spliced into SQL); a snapshot is written with set-based statements over arrays (unnest
// of binary-format arrays), a few per chunk of folders, pipelined so that the server writes one
// chunk while the client parses the next, under a row lock on the project: writers of one
// project queue while readers see the last committed snapshot (MVCC). Search is a weighted
// tsvector the store builds from its own tokens, with a GIN index whose pending entries the
// store merges after each write, off the writer's path. Its parts live in src/db/postgres/:
// libpq loading, the session (connection, parameters, transactions, pipelines), the change
// listener, the search vector and the snapshot chunks a write sends.
#include "core/project_set.hpp"
#include "db/background_job.hpp"
#include "db/cold_read_sql.hpp"
#include "db/database_url.hpp"
#include "db/migrations.hpp"
#include "db/pool.hpp"
#include "db/postgres/listener.hpp"
#include "db/postgres/search_statements.hpp"
#include "db/postgres/search_vector.hpp"
#include "db/postgres/session.hpp"
#include "db/postgres/snapshot_chunk.hpp"
#include "db/spec_rows.hpp"
#include "db/spec_summaries.hpp"
#include "db/store.hpp"
#include "model/frontmatter.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <leanspec/error.hpp>
#include <libpq-fe.h>
#include <limits>
#include <mutex>
#include <poll.h>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

// Last: redirects the PQ* calls to the loaded libpq.
#include "db/postgres/pq_calls.hpp"

namespace leanspec::detail {
namespace {

constexpr std::size_t pool_capacity = 4;
// pg_advisory_xact_lock key serializing migrations across processes: "leanspec" in ASCII.
constexpr const char *migration_lock_key = "7810767329624753507";

using namespace postgres;

ProjectRecord read_project(const PGresult *r, int row) {
  ProjectRecord p;
  p.id = to_string(r, row, 0);
  p.owner = to_string(r, row, 1);
  p.repo = to_string(r, row, 2);
  p.branch = to_string(r, row, 3);
  p.specs_path = to_string(r, row, 4);
  p.sync_interval = std::chrono::duration_cast<decltype(p.sync_interval)>(
      std::chrono::milliseconds(to_int(r, row, 5)));
  p.commit_sha = to_string(r, row, 6);
  p.last_tree = to_string(r, row, 7);
  p.etags_json = to_string(r, row, 8);
  p.sync_state = to_string(r, row, 9);
  p.sync_error = to_string(r, row, 10);
  p.created_at = to_int(r, row, 11);
  p.updated_at = to_int(r, row, 12);
  p.last_synced_at = to_int(r, row, 13);
  p.snapshot_version = static_cast<std::uint64_t>(to_int(r, row, 14));
  p.interrupted_at = to_int(r, row, 15);
  p.spec_count = static_cast<std::size_t>(to_int(r, row, 16));
  p.commit_tree = to_string(r, row, 17);
  p.write_mode = write_mode_of(to_string(r, row, 18));
  return p;
}

// The last columns are ProjectRecord::interrupted_at ("syncing" without a live lease, by the
// server's clock, as leases are) and spec_count.
constexpr const char *project_columns =
    "id, owner, repo, branch, specs_path, sync_interval_ms, commit_sha, last_tree, etags, "
    "sync_state, sync_error, created_at, updated_at, last_synced_at, snapshot_version, "
    "CASE WHEN sync_state <> 'syncing' THEN 0 ELSE coalesce((SELECT CASE WHEN l.expires_at <= "
    "(extract(epoch FROM clock_timestamp()) * 1000)::bigint THEN l.expires_at ELSE 0 END "
    "FROM leases l WHERE l.project_id = projects.id), updated_at) END, spec_count, commit_tree, "
    "write_mode";

class PostgresStore;

// A query for the folders of project $1 whose spec rows match `where` (over specs s): rows of
// (path, file name, content, blob SHA) for read_specs, README.md first. A README kept in its
// spec row (readme_head) is put together again; a folder without files is one row of NULLs.
// `more` is appended to the union.
std::string folder_rows(std::string_view where, std::string_view more = {}) {
  const std::string filter = "s.project_id = $1 AND " + std::string(where);
  return "SELECT * FROM (SELECT s.path, 'README.md' AS name, "
         "convert_to(s.readme_head || s.body, 'UTF8') AS content, s.readme_content_hash AS "
         "content_hash "
         "FROM specs s WHERE " +
         filter +
         " AND s.readme_head IS NOT NULL "
         "UNION ALL SELECT s.path, f.name, f.content, f.content_hash FROM specs s "
         "LEFT JOIN spec_files f ON f.project_id = s.project_id AND f.path = s.path "
         "WHERE " +
         filter + " AND (f.name IS NOT NULL OR s.readme_head IS NULL) " + std::string(more) +
         ") AS folder_rows "
         "ORDER BY path COLLATE \"C\", name <> 'README.md', name COLLATE \"C\"";
}

// Folders from binary rows of (path, file name, content, blob SHA), ordered by path; a row
// with a NULL path (a project without specs) or NULL file adds nothing.
std::vector<StoredSpec> read_specs(const PGresult *r) {
  std::vector<StoredSpec> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    if (PQgetisnull(r, i, 0))
      continue;
    std::string path = to_string(r, i, 0);
    if (out.empty() || out.back().path != path)
      out.push_back({std::move(path), {}});
    if (!PQgetisnull(r, i, 1))
      out.back().files.push_back({to_string(r, i, 1), to_string(r, i, 2), to_string(r, i, 3)});
  }
  return out;
}

class PostgresStore final : public Store {
public:
  PostgresStore(DatabaseUrl url, std::unique_ptr<Connection> first)
      : url_(std::move(url)), pool_(pool_capacity, [this] { return connect(url_); }) {
    pool_.adopt(std::move(first));
  }

  std::string description() const override { return url_.description; }

  int schema_version() override {
    return run(
        "reading the schema version", [&](Session &s) { return recorded_version(s); }, Retry::once);
  }

  void add_project(const ProjectRecord &project) override {
    const ProjectRecord p = checked_project(project);
    run("adding a project", [&](Session &s) {
      const std::int64_t now = unix_ms();
      Result r =
          s.exec("INSERT INTO projects (id, owner, repo, branch, specs_path, sync_interval_ms, "
                 "commit_sha, last_tree, etags, sync_state, sync_error, created_at, updated_at, "
                 "last_synced_at, snapshot_version, commit_tree, write_mode) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, "
                 "$16) "
                 "ON CONFLICT (id) DO NOTHING",
                 Params()
                     .text(p.id)
                     .text(p.owner)
                     .text(p.repo)
                     .text(p.branch)
                     .text(p.specs_path)
                     .integer(std::chrono::milliseconds(p.sync_interval).count())
                     .text(p.commit_sha)
                     .text(p.last_tree)
                     .text(p.etags_json)
                     .text(p.sync_state)
                     .text(p.sync_error)
                     .integer(now)
                     .integer(now)
                     .integer(p.last_synced_at)
                     .text(p.commit_tree)
                     .text(to_string(p.write_mode)));
      if (affected(r.get()) == 0)
        throw Error(ErrorCode::invalid_argument, "project '" + p.id + "' already exists");
    });
  }

  std::vector<ProjectRecord> projects() override {
    return run(
        "listing projects",
        [&](Session &s) {
          Result r = s.exec((std::string("SELECT ") + project_columns +
                             " FROM projects ORDER BY id COLLATE \"C\"")
                                .c_str());
          std::vector<ProjectRecord> out;
          for (int i = 0; i < PQntuples(r.get()); ++i)
            out.push_back(read_project(r.get(), i));
          return out;
        },
        Retry::once);
  }

  std::optional<ProjectRecord> project(std::string_view id) override {
    return run(
        "reading a project",
        [&](Session &s) -> std::optional<ProjectRecord> {
          Result r = s.exec(
              (std::string("SELECT ") + project_columns + " FROM projects WHERE id = $1").c_str(),
              Params().text(id));
          if (PQntuples(r.get()) == 0)
            return std::nullopt;
          return read_project(r.get(), 0);
        },
        Retry::once);
  }

  void update_project(const ProjectRecord &project) override {
    const ProjectRecord p = checked_project(project);
    run("updating a project", [&](Session &s) {
      Result r = s.exec("UPDATE projects SET branch = $2, specs_path = $3, sync_interval_ms = $4, "
                        "commit_sha = $5, last_tree = $6, etags = $7, sync_state = $8, "
                        "sync_error = $9, last_synced_at = $10, updated_at = $11, "
                        "commit_tree = $12, write_mode = $13 WHERE id = $1",
                        Params()
                            .text(p.id)
                            .text(p.branch)
                            .text(p.specs_path)
                            .integer(std::chrono::milliseconds(p.sync_interval).count())
                            .text(p.commit_sha)
                            .text(p.last_tree)
                            .text(p.etags_json)
                            .text(p.sync_state)
                            .text(p.sync_error)
                            .integer(p.last_synced_at)
                            .integer(unix_ms())
                            .text(p.commit_tree)
                            .text(to_string(p.write_mode)));
      if (affected(r.get()) == 0)
        throw Error(ErrorCode::not_found, "no project '" + p.id + "'");
    });
  }

  void update_project(std::string_view id, const ProjectPatch &patch) override {
    const ProjectPatch p = checked_patch(id, patch);
    run("updating a project", [&](Session &s) {
      Params params;
      params.text(id);
      p.branch ? params.text(*p.branch) : params.null();
      p.specs_path ? params.text(*p.specs_path) : params.null();
      p.sync_interval ? params.integer(std::chrono::milliseconds(*p.sync_interval).count())
                      : params.null();
      p.write_mode ? params.text(to_string(*p.write_mode)) : params.null();
      params.integer(unix_ms());
      Result r = s.exec("UPDATE projects SET branch = coalesce($2::text, branch), "
                        "specs_path = coalesce($3::text, specs_path), "
                        "sync_interval_ms = coalesce($4::bigint, sync_interval_ms), "
                        "write_mode = coalesce($5::text, write_mode), "
                        "updated_at = $6 WHERE id = $1",
                        params);
      if (affected(r.get()) == 0)
        throw Error(ErrorCode::not_found, "no project '" + std::string(id) + "'");
    });
  }

  bool remove_project(std::string_view id) override {
    return run("removing a project", [&](Session &s) {
      // Cascades to specs (spec_files, relationships) and sync_runs.
      Transaction tx(s);
      Result r = s.exec("WITH lease AS (DELETE FROM leases WHERE project_id = $1) "
                        "DELETE FROM projects WHERE id = $1",
                        Params().text(id));
      const bool removed = affected(r.get()) > 0;
      if (removed)
        notify(s, id, 0);
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

  // replace_specs (with `specs`) and finish_sync (with `finish`) in one transaction. The changed
  // folders are parsed and sent in chunks through a pipeline: the server writes one chunk while
  // this thread parses and encodes the next.
  ReplaceResult write(std::string_view project_id, const std::vector<StoredSpec> *specs,
                      const SyncFinish *finish) {
    const std::vector<PreparedSpec> prepared =
        specs ? prepare_specs(*specs) : std::vector<PreparedSpec>{};
    const ReplaceResult outcome =
        run(specs ? "replacing the specs of a project" : "recording a sync", [&](Session &s) {
          Transaction tx(s);
          // The row lock queues writers of this project (across processes) until the commit.
          Result v = s.exec("SELECT snapshot_version FROM projects WHERE id = $1 FOR UPDATE",
                            Params().text(project_id));
          if (PQntuples(v.get()) == 0)
            throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
          const auto version = static_cast<std::uint64_t>(to_int(v.get(), 0, 0));
          const auto next = static_cast<std::int64_t>(version + 1);
          ReplaceResult result;
          // Without a snapshot (finish_sync without one) nothing is compared, so nothing removed.
          if (specs)
            result = write_snapshot(s, project_id, prepared, next);
          result.version = version;
          if (result.changed()) {
            s.exec("UPDATE projects SET snapshot_version = $2, spec_count = (SELECT count(*) "
                   "FROM specs WHERE project_id = $1) WHERE id = $1",
                   Params().text(project_id).integer(next));
            notify(s, project_id, version + 1);
            result.version = version + 1;
          }
          if (finish) {
            write_sync_fields(s, project_id, finish->project);
            write_run_end(s, finish->ended(specs ? &result : nullptr));
          }
          tx.commit();
          return result;
        });
    if (outcome.added || outcome.updated)
      merge_.request();
    return outcome;
  }

  // The rows of `prepared` that differ from the stored snapshot, written as version `next` inside
  // the caller's transaction; the rest is left as it is.
  ReplaceResult write_snapshot(Session &s, std::string_view project_id,
                               const std::vector<PreparedSpec> &prepared, std::int64_t next) {
    const SnapshotPlan plan = plan_snapshot(s, project_id, prepared);
    delete_stale_rows(s, project_id, plan);
    if (plan.changed.empty())
      return plan.result;
    send_folders(s, project_id, plan.changed, next);
    call_write_hook(plan.changed.size());
    return plan.result;
  }

  // What a snapshot write changes, from comparing it with the stored one.
  struct SnapshotPlan {
    struct Folder {
      const PreparedSpec *spec;
      std::vector<std::size_t> files; // indexes into spec->files: the files to (re)insert
    };
    std::vector<Folder> changed; // the new and changed folders
    ReplaceResult result;
    BinaryArray rewritten{BinaryArray::text_oid};  // changed folders: relationships rewritten
    BinaryArray gone_paths{BinaryArray::text_oid}, // files rewritten or no longer there
        gone_names{BinaryArray::text_oid};
    BinaryArray removed{BinaryArray::text_oid}; // folders no longer there
  };

  static SnapshotPlan plan_snapshot(Session &s, std::string_view project_id,
                                    const std::vector<PreparedSpec> &prepared) {
    const auto existing = stored_hashes(s, project_id);
    auto stored_files = existing.empty() ? FileShas{} : stored_file_shas(s, project_id);
    SnapshotPlan plan;
    std::unordered_set<std::string_view> seen;
    for (const PreparedSpec &spec : prepared) {
      const std::string &path = spec.spec->path;
      const auto found = existing.find(pg_text(path));
      if (found != existing.end()) {
        seen.insert(found->first);
        if (found->second == spec.files_hash)
          continue;
        plan.rewritten.text(path);
        ++plan.result.updated;
      } else {
        ++plan.result.added;
      }
      std::unordered_map<std::string, std::string> kept; // the folder's stored files
      if (const auto stored = stored_files.find(pg_text(path)); stored != stored_files.end())
        kept = std::move(stored->second);
      plan.changed.push_back({&spec, files_to_write(spec, std::move(kept), plan)});
    }
    for (const auto &[path, hash] : existing)
      if (!seen.count(path)) {
        plan.removed.text(path);
        ++plan.result.removed;
      }
    return plan;
  }

  // The files of a changed folder to (re)insert: those whose blob SHA differs from `kept` (the
  // stored ones); the stored ones rewritten or no longer there go to plan.gone_*.
  static std::vector<std::size_t> files_to_write(const PreparedSpec &spec,
                                                 std::unordered_map<std::string, std::string> kept,
                                                 SnapshotPlan &plan) {
    const std::string &path = spec.spec->path;
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < spec.files.size(); ++i) {
      const std::string &name = spec.files[i]->name;
      if (name == "README.md")
        continue; // written with the spec row (SnapshotChunk::add_spec); a stored one is gone
      if (const auto stored = kept.find(pg_text(name)); stored != kept.end()) {
        const bool same = stored->second == spec.content_hashes[i];
        kept.erase(stored);
        if (same)
          continue;
        plan.gone_paths.text(path); // rewritten: deleted, then inserted again
        plan.gone_names.text(name);
      }
      out.push_back(i);
    }
    for (const auto &[name, sha] : kept) { // files the folder no longer has
      plan.gone_paths.text(path);
      plan.gone_names.text(name);
    }
    return out;
  }

  // The project's spec rows: path -> files_hash.
  static std::unordered_map<std::string, std::string> stored_hashes(Session &s,
                                                                    std::string_view project_id) {
    std::unordered_map<std::string, std::string> out;
    Result r = s.exec("SELECT path, files_hash FROM specs WHERE project_id = $1",
                      Params().text(project_id));
    for (int i = 0; i < PQntuples(r.get()); ++i)
      out.emplace(to_string(r.get(), i, 0), to_string(r.get(), i, 1));
    return out;
  }

  // The stored files' blob SHAs: path -> name -> SHA.
  using FileShas = std::unordered_map<std::string, std::unordered_map<std::string, std::string>>;
  static FileShas stored_file_shas(Session &s, std::string_view project_id) {
    FileShas out;
    Result f = s.exec("SELECT path, name, content_hash FROM spec_files WHERE project_id = $1",
                      Params().text(project_id));
    for (int i = 0; i < PQntuples(f.get()); ++i)
      out[to_string(f.get(), i, 0)].emplace(to_string(f.get(), i, 1), to_string(f.get(), i, 2));
    return out;
  }

  // Deletes the rows of removed folders, and of changed folders the files rewritten or gone
  // and the relationships.
  static void delete_stale_rows(Session &s, std::string_view project_id, const SnapshotPlan &plan) {
    if (plan.result.removed)
      for (const char *sql :
           {"DELETE FROM specs WHERE project_id = $1 AND path = ANY ($2::text[])",
            "DELETE FROM spec_files WHERE project_id = $1 AND path = ANY ($2::text[])",
            "DELETE FROM relationships WHERE project_id = $1 AND path = ANY ($2::text[])"})
        s.exec(sql, Params().text(project_id).binary(plan.removed));
    if (plan.result.updated) {
      s.exec("DELETE FROM spec_files f USING unnest($2::text[], $3::text[]) AS g(path, name) "
             "WHERE f.project_id = $1 AND f.path = g.path AND f.name = g.name",
             Params().text(project_id).binary(plan.gone_paths).binary(plan.gone_names));
      s.exec("DELETE FROM relationships WHERE project_id = $1 AND path = ANY ($2::text[])",
             Params().text(project_id).binary(plan.rewritten));
    }
  }

  // Sends the changed folders as version `next` in chunks of about chunk_bytes of files (256 KB:
  // the first reaches the server soon, each is still a few dozen specs), each parsed in
  // parallel, through a pipeline: the server writes one chunk while this thread parses the next.
  static void send_folders(Session &s, std::string_view project_id,
                           const std::vector<SnapshotPlan::Folder> &changed, std::int64_t next) {
    constexpr std::size_t chunk_bytes = 256 * 1024;
    Pipeline pipeline(s);
    for (std::size_t begin = 0, end = 0; begin < changed.size(); begin = end) {
      for (std::size_t bytes = 0; end < changed.size() && (end == begin || bytes < chunk_bytes);
           ++end)
        for (const StoredFile *file : changed[end].spec->files)
          bytes += file->content.size();
      std::vector<SpecRow> rows(end - begin);
      std::vector<std::string> vectors(end - begin);
      for_each_parallel(end - begin, 16, [&](std::size_t i) {
        rows[i] = make_spec_row(*changed[begin + i].spec);
        vectors[i] = tsvector_binary(rows[i]);
      });
      SnapshotChunk chunk;
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const SnapshotPlan::Folder &folder = changed[begin + i];
        chunk.add_spec(*folder.spec, rows[i], vectors[i]);
        for (const std::size_t f : folder.files)
          chunk.add_file(*folder.spec, f);
      }
      chunk.send(pipeline, project_id, next);
    }
    pipeline.finish();
  }

  std::vector<StoredSpec> specs(std::string_view project_id) override {
    return run(
        "reading the specs of a project",
        [&](Session &s) {
          // One statement: one snapshot. Binary results: bytea arrives as its raw bytes, text as
          // its UTF-8. A project without specs gives one row of NULLs; no project, no row.
          // The project's own row (NULLs) tells an empty project from none.
          Result r = s.exec(folder_rows("TRUE", "UNION ALL SELECT NULL, NULL, NULL, NULL "
                                                "FROM projects WHERE id = $1")
                                .c_str(),
                            Params().text(project_id), 1);
          if (PQntuples(r.get()) == 0)
            throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
          return read_specs(r.get());
        },
        Retry::once);
  }

  SnapshotDelta specs_since(std::string_view project_id, std::uint64_t since) override {
    return run(
        "reading the specs of a project",
        [&](Session &s) {
          // Three statements over one snapshot of the database.
          Transaction tx(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
          SnapshotDelta out;
          Result v = s.exec("SELECT snapshot_version, spec_count FROM projects WHERE id = $1",
                            Params().text(project_id));
          if (PQntuples(v.get()) == 0)
            throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
          out.version = static_cast<std::uint64_t>(to_int(v.get(), 0, 0));
          if (out.version < since)
            since = 0;
          Result paths =
              s.exec("SELECT path FROM specs WHERE project_id = $1 ORDER BY path COLLATE \"C\"",
                     Params().text(project_id));
          for (int i = 0; i < PQntuples(paths.get()); ++i)
            out.paths.push_back(to_string(paths.get(), i, 0));
          if (const auto count = to_int(v.get(), 0, 1);
              static_cast<std::size_t>(count) != out.paths.size())
            throw Error(ErrorCode::database, "PostgreSQL " + url_.description + ": project '" +
                                                 std::string(project_id) + "' should hold " +
                                                 std::to_string(count) + " specs, " +
                                                 std::to_string(out.paths.size()) +
                                                 " were read: the database is damaged");
          Result r = s.exec(folder_rows("s.written_version > $2").c_str(),
                            Params().text(project_id).integer(static_cast<std::int64_t>(since)), 1);
          out.written = read_specs(r.get());
          tx.commit();
          return out;
        },
        Retry::once);
  }

  std::uint64_t snapshot_version(std::string_view project_id) override {
    return run(
        "reading a snapshot version",
        [&](Session &s) {
          Result r = s.exec("SELECT snapshot_version FROM projects WHERE id = $1",
                            Params().text(project_id));
          if (PQntuples(r.get()) == 0)
            throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
          return static_cast<std::uint64_t>(to_int(r.get(), 0, 0));
        },
        Retry::once);
  }

  StoreSearchPage search(const StoreSearch &request) override {
    return run(
        "searching specs",
        [&](Session &s) {
          // The page and its files: one snapshot of the database.
          Transaction tx(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
          // For a common word the planner picks a sequential scan of specs, which detoasts
          // every spec's vector (1.5 s against 80 ms through the GIN index for a word in a
          // fifth of 141,000 specs): the index drives every search that has one to use. The
          // cost that setting gives a scan it cannot avoid (1e10, the 1,000 rows of projects)
          // then makes the server JIT-compile each statement: 45 to 150 ms of LLVM for a sum
          // that takes 0.4 ms. No statement of a search is long enough to gain from JIT.
          s.exec("SET LOCAL enable_seqscan = off");
          s.exec("SET LOCAL jit = off");
          const PostgresDialect dialect;
          const QuerySql::Expand expand = [](const std::string &word, int) {
            return std::vector<std::pair<std::string, int>>{{word, 0}}; // no vocabulary here
          };
          QuerySql query(dialect, *request.query, request.filter, expand);
          // A query of one word and nothing else matches exactly the specs its document
          // frequency counts: its idf comes from the page's total, with no count of its own
          // (a GIN scan as long as the search's). The scores are ranked with idf 1 and scaled
          // after: one product either way, so the same values.
          const auto &ranked = query.ranked_terms();
          const bool idf_from_total = query.one_term() && query.filter_where() == "TRUE" &&
                                      ranked.front().frequency_texts.size() == 1;
          const std::vector<double> idf = idf_from_total
                                              ? std::vector<double>{1.0}
                                              : inverse_document_frequencies(s, query, request);
          const std::string score = query.score(idf), lower = query.score_without_body(idf);
          // With a limit and a query the index answers alone, only the first offset + limit
          // by score need their vectors read (SQLite's store bounds the same way).
          constexpr std::size_t bounded_at_most = 1'000'000; // past it, pruning saves little
          const bool bounded = request.limit && request.limit <= bounded_at_most &&
                               request.offset <= bounded_at_most && !query.ranked_terms().empty() &&
                               !lower.empty() && query.requires_text() &&
                               !query.tree_text().empty();
          const std::string sql =
              bounded ? bounded_search_statement(query, score, lower, request.project_ids.size())
                      : search_statement(query, score, request.project_ids.size());
          const auto params = [&](std::optional<std::size_t> limit, std::size_t offset) {
            Params p;
            for (const SqlParam &param : query.params())
              param.integer ? p.integer(*param.integer) : p.text(param.text);
            if (!bounded && query.requires_text())
              p.text(query.candidates_text());
            for (const std::string &id : request.project_ids)
              p.text(id);
            limit ? p.integer(static_cast<std::int64_t>(*limit)) : p.null();
            p.integer(static_cast<std::int64_t>(
                std::min<std::size_t>(offset, std::numeric_limits<std::int64_t>::max())));
            if (bounded) {
              p.integer(static_cast<std::int64_t>(*limit + offset));
              p.real(QuerySql::body_bound(idf));
            }
            return p;
          };
          StoreSearchPage page;
          Result r = s.exec(
              sql.c_str(),
              params(request.limit ? std::optional(request.limit) : std::nullopt, request.offset));
          for (int i = 0; i < PQntuples(r.get()); ++i) {
            page.hits.push_back(
                {to_string(r.get(), i, 0), std::strtod(PQgetvalue(r.get(), i, 2), nullptr), {}});
            page.hits.back().spec.path = to_string(r.get(), i, 1);
            page.total = static_cast<std::size_t>(to_int(r.get(), i, 3));
          }
          if (page.hits.empty() && request.offset > 0) { // past the end: count alone
            Result count = s.exec(sql.c_str(), params(1, 0));
            page.total =
                PQntuples(count.get()) ? static_cast<std::size_t>(to_int(count.get(), 0, 3)) : 0;
          }
          if (idf_from_total) {
            const double scale = inverse_document_frequency(spec_count(s, request), page.total);
            for (StoreHit &hit : page.hits)
              hit.score *= scale;
          }
          const std::string files = folder_rows("s.path = $2");
          for (StoreHit &hit : page.hits) {
            Result f = s.exec(files.c_str(), Params().text(hit.project_id).text(hit.spec.path), 1);
            std::vector<StoredSpec> read = read_specs(f.get());
            if (read.size() == 1)
              hit.spec = std::move(read.front());
          }
          page.fuzzy_terms = query.take_fuzzy_terms();
          tx.commit();
          return page;
        },
        Retry::once);
  }

  // How many specs the searched projects hold.
  static std::size_t spec_count(Session &s, const StoreSearch &request) {
    Params ids;
    for (const std::string &id : request.project_ids)
      ids.text(id);
    Result specs = s.exec(spec_count_statement(request.project_ids.size()).c_str(), ids);
    return static_cast<std::size_t>(to_int(specs.get(), 0, 0));
  }

  // Each ranked term's inverse document frequency among the searched projects' specs.
  static std::vector<double> inverse_document_frequencies(Session &s, const QuerySql &query,
                                                          const StoreSearch &request) {
    std::vector<double> out;
    if (query.ranked_terms().empty())
      return out;
    const std::size_t n = spec_count(s, request);
    const std::string frequency = document_frequency_statement(request.project_ids.size());
    for (const QuerySql::RankedTerm &term : query.ranked_terms()) {
      double idf = 0;
      for (const std::string &text : term.frequency_texts) {
        Params p;
        p.text(text);
        for (const std::string &id : request.project_ids)
          p.text(id);
        Result r = s.exec(frequency.c_str(), p);
        idf += inverse_document_frequency(n, static_cast<std::size_t>(to_int(r.get(), 0, 0)));
      }
      out.push_back(idf);
    }
    return out;
  }

  std::int64_t begin_sync_run(std::string_view project_id, std::int64_t started_at) override {
    return run("starting a sync run", [&](Session &s) {
      // Only the sync state: a settings patch made since the caller read the project stays.
      Result r = s.exec("WITH marked AS (UPDATE projects SET sync_state = 'syncing', "
                        "updated_at = $3 WHERE id = $1 RETURNING id) "
                        "INSERT INTO sync_runs (project_id, started_at, outcome) "
                        "SELECT id, $2, 'running' FROM marked RETURNING id",
                        Params().text(project_id).integer(started_at).integer(unix_ms()));
      if (PQntuples(r.get()) == 0)
        throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
      return to_int(r.get(), 0, 0);
    });
  }

  void end_sync_run(const SyncRunRecord &run_record) override {
    run("ending a sync run", [&](Session &s) { write_run_end(s, run_record); });
  }

  std::vector<SyncRunRecord> sync_runs(std::string_view project_id, std::size_t limit) override {
    return run(
        "listing sync runs",
        [&](Session &s) {
          Params params;
          params.text(project_id);
          limit ? params.integer(static_cast<std::int64_t>(limit)) : params.null();
          Result r =
              s.exec("SELECT id, project_id, started_at, ended_at, outcome, added, updated, "
                     "removed, requests, not_modified, rate_limit_remaining, error, path, bytes, "
                     "duration_ms, commit_sha, retry_at FROM sync_runs WHERE project_id = $1 "
                     "ORDER BY id DESC LIMIT $2::bigint",
                     params);
          std::vector<SyncRunRecord> out;
          for (int i = 0; i < PQntuples(r.get()); ++i) {
            SyncRunRecord run_row;
            run_row.id = to_int(r.get(), i, 0);
            run_row.project_id = to_string(r.get(), i, 1);
            run_row.started_at = to_int(r.get(), i, 2);
            run_row.ended_at = to_int(r.get(), i, 3);
            run_row.outcome = to_string(r.get(), i, 4);
            run_row.added = static_cast<int>(to_int(r.get(), i, 5));
            run_row.updated = static_cast<int>(to_int(r.get(), i, 6));
            run_row.removed = static_cast<int>(to_int(r.get(), i, 7));
            run_row.requests = static_cast<int>(to_int(r.get(), i, 8));
            run_row.not_modified = static_cast<int>(to_int(r.get(), i, 9));
            run_row.rate_limit_remaining = static_cast<int>(to_int(r.get(), i, 10));
            run_row.error = to_string(r.get(), i, 11);
            run_row.details.path = to_string(r.get(), i, 12);
            run_row.details.bytes = to_int(r.get(), i, 13);
            run_row.details.duration_ms = to_int(r.get(), i, 14);
            run_row.details.commit_sha = to_string(r.get(), i, 15);
            run_row.retry_at = to_int(r.get(), i, 16);
            out.push_back(std::move(run_row));
          }
          return out;
        },
        Retry::once);
  }

  void prune_sync_runs(std::string_view project_id, std::size_t keep,
                       std::int64_t started_before) override {
    if (keep == 0 && started_before == 0)
      return;
    run("pruning sync runs", [&](Session &s) {
      // OFFSET NULL would mean OFFSET 0: no limit by count is an offset past any table.
      const std::int64_t offset =
          keep ? static_cast<std::int64_t>(keep) : std::numeric_limits<std::int64_t>::max();
      s.exec("DELETE FROM sync_runs WHERE project_id = $1 AND (started_at < $2 "
             "OR id <= (SELECT id FROM sync_runs WHERE project_id = $1 ORDER BY id DESC "
             "LIMIT 1 OFFSET $3::bigint))",
             Params().text(project_id).integer(started_before).integer(offset));
    });
  }

  bool record_delivery(std::string_view delivery_id) override {
    return run("recording a webhook delivery", [&](Session &s) {
      // One statement: the prune and the insert see the same snapshot (an expired id being
      // recorded again is pruned and inserted as new in the same call).
      const std::int64_t now = unix_ms();
      Result r = s.exec("WITH pruned AS (DELETE FROM webhook_deliveries WHERE received_at < $3 "
                        "AND delivery_id <> $1) "
                        "INSERT INTO webhook_deliveries (delivery_id, received_at) "
                        "VALUES ($1, $2) ON CONFLICT (delivery_id) DO UPDATE "
                        "SET received_at = excluded.received_at "
                        "WHERE webhook_deliveries.received_at < $3",
                        Params()
                            .text(delivery_id)
                            .integer(now)
                            .integer(now - std::chrono::milliseconds(delivery_retention).count()));
      return affected(r.get()) == 1;
    });
  }

  bool try_acquire_lease(std::string_view project_id, std::string_view holder,
                         std::chrono::milliseconds ttl) override {
    return run("taking a sync lease", [&](Session &s) {
      // The server's clock, so that app instances on several hosts agree on expiry.
      Result r = s.exec(
          "INSERT INTO leases (project_id, holder, expires_at) "
          "VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $3::bigint) "
          "ON CONFLICT (project_id) DO UPDATE "
          "SET holder = excluded.holder, expires_at = excluded.expires_at "
          "WHERE leases.holder = excluded.holder "
          "OR leases.expires_at <= (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
          Params().text(project_id).text(holder).integer(ttl.count()));
      return affected(r.get()) == 1;
    });
  }

  void release_lease(std::string_view project_id, std::string_view holder) override {
    run("releasing a sync lease", [&](Session &s) {
      s.exec("DELETE FROM leases WHERE project_id = $1 AND holder = $2",
             Params().text(project_id).text(holder));
    });
  }

  std::unique_ptr<ChangeListener> listen() override {
    return std::make_unique<PostgresListener>(url_);
  }

  // --- GitHub sync (schema v3) --------------------------------------------------------------

  void request_sync(std::string_view project_id, std::string_view hint) override {
    run("queueing a sync", [&](Session &s) {
      Result r =
          s.exec("INSERT INTO sync_schedule AS q (project_id, requested_at, request_seq, hint) "
                 "SELECT id, $2, 1, $3 FROM projects WHERE id = $1 "
                 "ON CONFLICT (project_id) DO UPDATE SET request_seq = q.request_seq + 1, "
                 "hint = CASE WHEN q.requested_at = 0 OR q.hint = excluded.hint THEN excluded.hint "
                 "ELSE '' END, "
                 "requested_at = CASE WHEN q.requested_at = 0 THEN excluded.requested_at "
                 "ELSE q.requested_at END",
                 Params().text(project_id).integer(unix_ms()).text(hint));
      if (affected(r.get()) == 0)
        throw Error(ErrorCode::not_found, "no project '" + std::string(project_id) + "'");
    });
  }

  std::vector<SyncSchedule> sync_schedules() override {
    return run("reading the sync queue", [&](Session &s) {
      Result r = s.exec("SELECT project_id, requested_at, request_seq, hint, retry_at "
                        "FROM sync_schedule ORDER BY project_id");
      std::vector<SyncSchedule> out;
      for (int i = 0; i < PQntuples(r.get()); ++i)
        out.push_back({to_string(r.get(), i, 0), to_int(r.get(), i, 1), to_int(r.get(), i, 2),
                       to_string(r.get(), i, 3), to_int(r.get(), i, 4)});
      return out;
    });
  }

  void clear_sync_request(std::string_view project_id, std::int64_t seq) override {
    run("clearing a sync request", [&](Session &s) {
      s.exec("UPDATE sync_schedule SET requested_at = 0, hint = '' "
             "WHERE project_id = $1 AND request_seq = $2",
             Params().text(project_id).integer(seq));
    });
  }

  void set_retry_at(std::string_view project_id, std::int64_t retry_at_ms) override {
    run("setting a sync retry time", [&](Session &s) {
      s.exec("INSERT INTO sync_schedule (project_id, retry_at) "
             "SELECT id, $2 FROM projects WHERE id = $1 "
             "ON CONFLICT (project_id) DO UPDATE SET retry_at = excluded.retry_at",
             Params().text(project_id).integer(retry_at_ms));
    });
  }

  void put_blobs(const std::vector<std::pair<std::string, std::string>> &blobs) override {
    if (blobs.empty())
      return;
    BinaryArray shas(BinaryArray::text_oid), contents(BinaryArray::bytea_oid);
    for (const auto &[sha, content] : blobs) {
      shas.text(sha);
      contents.raw(content);
    }
    run("keeping fetched blobs", [&](Session &s) {
      s.exec("INSERT INTO blob_cache (content_hash, content, stored_at) SELECT content_hash, "
             "content, $3 "
             "FROM unnest($1::text[], $2::bytea[]) AS b (content_hash, content) "
             "ON CONFLICT (content_hash) DO NOTHING",
             Params().binary(shas).binary(contents).integer(unix_ms()));
    });
  }

  std::vector<std::pair<std::string, std::string>>
  blobs(const std::vector<std::string> &shas) override {
    if (shas.empty())
      return {};
    BinaryArray wanted(BinaryArray::text_oid);
    for (const std::string &sha : shas)
      wanted.text(sha);
    return run("reading kept blobs", [&](Session &s) {
      Result r = s.exec(
          "SELECT content_hash, content FROM blob_cache WHERE content_hash = ANY($1::text[])",
          Params().binary(wanted), 1);
      std::vector<std::pair<std::string, std::string>> out;
      for (int i = 0; i < PQntuples(r.get()); ++i)
        out.emplace_back(to_string(r.get(), i, 0), to_string(r.get(), i, 1));
      return out;
    });
  }

  void drop_blobs(const std::vector<std::string> &shas) override {
    if (shas.empty())
      return;
    BinaryArray dropped(BinaryArray::text_oid);
    for (const std::string &sha : shas)
      dropped.text(sha);
    run("dropping kept blobs", [&](Session &s) {
      s.exec("DELETE FROM blob_cache WHERE content_hash = ANY($1::text[])",
             Params().binary(dropped));
    });
  }

  bool has_delivery(std::string_view delivery_id) override {
    return run("looking up a webhook delivery", [&](Session &s) {
      Result r = s.exec("SELECT 1 FROM webhook_deliveries WHERE delivery_id = $1",
                        Params().text(delivery_id));
      return PQntuples(r.get()) > 0;
    });
  }

  // --- cold reads (issue 18; statements in cold_read_sql.hpp) ------------------------------

  SummaryRead read_summaries(const ProjectSet &projects, const FolderPick &pick,
                             WithBodies bodies) override {
    return run(
        "reading spec summaries",
        [&](Session &s) {
          Transaction tx(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
          std::vector<std::string> ids = projects.ids;
          if (projects.all) {
            Result r = s.exec(cold_read_sql::postgres_project_ids());
            for (int i = 0; i < PQntuples(r.get()); ++i)
              ids.push_back(to_string(r.get(), i, 0));
          }
          SummaryRead out = read_project_summaries(s, ids, bodies);
          out.folders.resize(out.projects.size());
          std::vector<BinaryArray> paths(out.projects.size(), BinaryArray(BinaryArray::text_oid));
          std::vector<bool> picked(out.projects.size(), false);
          for (const auto &[index, path] : pick(out.projects)) {
            paths.at(index).text(path);
            picked[index] = true;
          }
          for (std::size_t i = 0; i < out.projects.size(); ++i)
            if (picked[i]) {
              Result r = s.exec(cold_read_sql::postgres_folders(),
                                Params().text(out.projects[i].project_id).binary(paths[i]), 1);
              out.folders[i] = read_specs(r.get());
            }
          tx.commit();
          return out;
        },
        Retry::once);
  }

  // The summaries of projects `ids`, in that order, inside the caller's transaction.
  SummaryRead read_project_summaries(Session &s, const std::vector<std::string> &ids,
                                     WithBodies bodies) const {
    SummaryRead out;
    BinaryArray wanted(BinaryArray::text_oid);
    std::unordered_map<std::string, std::size_t> index;
    for (const std::string &id : ids)
      if (index.emplace(id, out.projects.size()).second) {
        wanted.text(id);
        out.projects.push_back({id, 0, {}, {}});
      }
    std::vector<std::size_t> counts(out.projects.size(), 0);
    Result heads = s.exec(cold_read_sql::postgres_project_heads(), Params().binary(wanted));
    std::vector<bool> found(out.projects.size(), false);
    for (int i = 0; i < PQntuples(heads.get()); ++i) {
      const std::size_t at = index.at(to_string(heads.get(), i, 0));
      found[at] = true;
      out.projects[at].version = static_cast<std::uint64_t>(to_int(heads.get(), i, 1));
      counts[at] = static_cast<std::size_t>(to_int(heads.get(), i, 2));
    }
    for (std::size_t i = 0; i < found.size(); ++i)
      if (!found[i])
        throw Error(ErrorCode::not_found, "no project '" + out.projects[i].project_id + "'");
    Result rows =
        s.exec(bodies == WithBodies::yes ? cold_read_sql::postgres_summary_rows_with_bodies()
                                         : cold_read_sql::postgres_summary_rows(),
               Params().binary(wanted));
    for (int i = 0; i < PQntuples(rows.get()); ++i) {
      ProjectSummaries &project = out.projects[index.at(to_string(rows.get(), i, 0))];
      const auto text = [&](SummaryColumn c) { return to_string(rows.get(), i, 1 + c); };
      project.specs.push_back(summary_spec(text, PQgetisnull(rows.get(), i, 1 + col_number),
                                           text(col_archived) == "t", bodies));
      project.written_versions.push_back(
          static_cast<std::uint64_t>(to_int(rows.get(), i, 1 + col_written_version)));
    }
    for (std::size_t i = 0; i < out.projects.size(); ++i) {
      ProjectSummaries &project = out.projects[i];
      sort_by_path(project);
      if (project.specs.size() != counts[i])
        throw Error(ErrorCode::database, "PostgreSQL " + url_.description + ": project '" +
                                             project.project_id + "' should hold " +
                                             std::to_string(counts[i]) + " specs, " +
                                             std::to_string(project.specs.size()) +
                                             " were read: the database is damaged");
    }
    Result refs = s.exec(cold_read_sql::postgres_relationship_rows(), Params().binary(wanted));
    for (int i = 0; i < PQntuples(refs.get()); ++i) {
      ProjectSummaries &project = out.projects[index.at(to_string(refs.get(), i, 0))];
      if (const long at = find_path(project.specs, to_string(refs.get(), i, 1)); at >= 0)
        add_relationship(project.specs[static_cast<std::size_t>(at)], to_string(refs.get(), i, 2),
                         to_string(refs.get(), i, 3));
    }
    return out;
  }

  // Puts a project's summaries in byte order of path (the server's collation may differ).
  static void sort_by_path(ProjectSummaries &project) {
    std::vector<std::size_t> order(project.specs.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return project.specs[a].path < project.specs[b].path;
    });
    std::vector<Spec> specs;
    std::vector<std::uint64_t> versions;
    specs.reserve(order.size());
    versions.reserve(order.size());
    for (const std::size_t i : order) {
      specs.push_back(std::move(project.specs[i]));
      versions.push_back(project.written_versions[i]);
    }
    project.specs = std::move(specs);
    project.written_versions = std::move(versions);
  }

private:
  // The sync fields of `p` (Store::SyncFinish), on an open transaction.
  static void write_sync_fields(Session &s, std::string_view id, const ProjectRecord &p) {
    Result r = s.exec("UPDATE projects SET commit_sha = $2, last_tree = $3, etags = $4, "
                      "sync_state = $5, sync_error = $6, last_synced_at = $7, updated_at = $8, "
                      "commit_tree = $9 WHERE id = $1",
                      Params()
                          .text(id)
                          .text(p.commit_sha)
                          .text(p.last_tree)
                          .text(p.etags_json)
                          .text(p.sync_state)
                          .text(p.sync_error)
                          .integer(p.last_synced_at)
                          .integer(unix_ms())
                          .text(p.commit_tree));
    if (affected(r.get()) == 0)
      throw Error(ErrorCode::not_found, "no project '" + std::string(id) + "'");
  }

  // How run `r.id` ended, with its details (Store::end_sync_run).
  static void write_run_end(Session &s, const SyncRunRecord &r) {
    Result result = s.exec("UPDATE sync_runs SET ended_at = $2, outcome = $3, added = $4, "
                           "updated = $5, removed = $6, requests = $7, not_modified = $8, "
                           "rate_limit_remaining = $9, error = $10, path = $11, bytes = $12, "
                           "duration_ms = $13, commit_sha = $14, retry_at = $15 WHERE id = $1",
                           Params()
                               .integer(r.id)
                               .integer(r.ended_at ? r.ended_at : unix_ms())
                               .text(r.outcome)
                               .integer(r.added)
                               .integer(r.updated)
                               .integer(r.removed)
                               .integer(r.requests)
                               .integer(r.not_modified)
                               .integer(r.rate_limit_remaining)
                               .text(r.error)
                               .text(r.details.path)
                               .integer(r.details.bytes)
                               .integer(r.details.duration_ms)
                               .text(r.details.commit_sha)
                               .integer(r.retry_at));
    if (affected(result.get()) == 0)
      throw Error(ErrorCode::not_found, "no sync run " + std::to_string(r.id));
  }

  // Tells listeners, at commit, that the project's snapshot is now `version`.
  static void notify(Session &s, std::string_view project_id, std::uint64_t version) {
    s.exec("SELECT pg_notify($1, $2)",
           Params()
               .text(changes_channel)
               .text(std::string(project_id) + " " + std::to_string(version)));
  }

  enum class Retry { no, once };

  // Runs `body` on a pooled connection; a connection that broke or is left inside a
  // transaction is closed rather than reused. A broken connection (the server restarted or
  // went away) also closes the idle ones, which died with it; then a read (Retry::once: the
  // body only reads, so running it again is harmless) runs once more on a new connection. A
  // write fails with its Error database: whether it reached the server is unknown, so
  // retrying is the caller's decision (the next call gets a new connection).
  template <class F>
  std::invoke_result_t<F &, Session &> run(std::string_view doing, F &&body,
                                           Retry retry = Retry::no) {
    for (int attempt = 0;; ++attempt) {
      auto connection = pool_.checkout();
      struct Check {
        decltype(connection) &c;
        ~Check() {
          if (PQstatus(c->raw) != CONNECTION_OK || PQtransactionStatus(c->raw) != PQTRANS_IDLE)
            c.discard();
        }
      } check{connection};
      try {
        Session session(url_, connection->raw, doing);
        return body(session);
      } catch (const Error &) {
        if (PQstatus(connection->raw) == CONNECTION_OK)
          throw;
        pool_.discard_idle();
        if (retry == Retry::no || attempt > 0)
          throw;
      }
    }
  }

  // Merges the search index's pending entries into its tree (migration 5). A merge that fails
  // (a role that does not own the index, a lost connection) leaves them to autovacuum and to
  // the next write's request.
  void merge_pending_entries() noexcept {
    try {
      run("merging the search index's pending entries",
          [](Session &s) { s.exec("SELECT gin_clean_pending_list('specs_search'::regclass)"); });
    } catch (...) {
    }
  }

  DatabaseUrl url_;
  ConnectionPool<Connection> pool_;
  BackgroundJob merge_{[this] { merge_pending_entries(); }}; // last: gone before pool_
};

} // namespace

namespace cold_read_sql {

const char *postgres_project_heads() {
  return "SELECT id, snapshot_version, spec_count FROM projects WHERE id = ANY ($1::text[])";
}
const char *postgres_project_ids() { return "SELECT id FROM projects ORDER BY id COLLATE \"C\""; }
const char *postgres_summary_rows() {
  static const std::string sql = std::string("SELECT project_id, ") + summary_columns +
                                 " FROM specs WHERE project_id = ANY ($1::text[])";
  return sql.c_str();
}
const char *postgres_summary_rows_with_bodies() {
  static const std::string sql = std::string("SELECT project_id, ") + summary_columns +
                                 ", body FROM specs WHERE project_id = ANY ($1::text[])";
  return sql.c_str();
}
const char *postgres_relationship_rows() {
  return "SELECT project_id, path, kind, ref FROM relationships "
         "WHERE project_id = ANY ($1::text[]) AND kind <> 'parent' "
         "ORDER BY project_id, path, kind, position";
}
const char *postgres_folders() {
  static const std::string sql = folder_rows("s.path = ANY ($2::text[])");
  return sql.c_str();
}

} // namespace cold_read_sql

std::unique_ptr<Store> open_postgres_store(const DatabaseUrl &url) {
  auto connection = connect(url);
  Session s(url, connection->raw, "migrating the schema");
  int version = recorded_version(s);
  refuse_newer(url, version);
  while (version < latest_schema_version()) {
    Transaction tx(s);
    s.exec((std::string("SELECT pg_advisory_xact_lock(") + migration_lock_key + ")").c_str());
    s.exec_script(postgres_bootstrap);
    version = recorded_version(s); // another process may have migrated meanwhile
    refuse_newer(url, version);
    if (version < latest_schema_version()) {
      const Migration &m = migrations()[static_cast<std::size_t>(version)];
      s.exec_script(m.postgres);
      s.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
             Params().integer(m.version).text(m.name).integer(unix_ms()));
      version = m.version;
    }
    tx.commit();
  }
  return std::make_unique<PostgresStore>(url, std::move(connection));
}

} // namespace leanspec::detail
