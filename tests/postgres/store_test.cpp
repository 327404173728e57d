// Tests the spec store of database mode (src/db): one suite of behaviour tests run against both
// backends, SQLite files and a real PostgreSQL 15 server the tests start themselves
// (tests/support/postgres_harness). Test suite "store" (ctest: store). The URL tests at the end
// need no database and run with the unit tests.
#include "db/database_url.hpp"
#include "db/migrations.hpp"
#include "db/search/database_search.hpp"
#include "db/store.hpp"
#include "support/eventually.hpp"
#include "support/postgres_harness.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_dir.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <mutex>
#include <numeric>
#include <poll.h>
#include <random>
#include <sqlite3.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

using namespace leanspec;
using namespace leanspec::detail;
using namespace std::chrono_literals;
using leanspec::test::eventually;
using leanspec::test::PostgresHarness;
using leanspec::test::ScopedEnv;
using leanspec::test::TempDir;

namespace {

namespace fs = std::filesystem;

// Store::search for `text` (LeanSpec's query language) in one project: (path, score), best first.
std::vector<std::pair<std::string, double>> search_words(Store &store, const std::string &project,
                                                         const std::string &text,
                                                         std::size_t limit = 0) {
  SearchQuery query;
  query.text = text;
  query.limit = limit;
  std::vector<std::pair<std::string, double>> out;
  for (const SearchHit &hit : search_database(store, {project}, query).hits)
    out.emplace_back(hit.spec->path, hit.score);
  return out;
}

// A fresh SQLite file per test.
struct SqliteBackend {
  TempDir dir;
  std::string path = (dir.path() / "store.db").string();

  std::string url() const { return "sqlite:" + path; }
  // How many files are stored for `folder`: rows of spec_files.
  std::string stored_files(const std::string &folder) const {
    return query("SELECT count(*) FROM spec_files WHERE path = '" + folder + "'");
  }
  // A database at schema `version`, as the store of that version made it, then `sql` run on it.
  void create_at(int version, const std::string &sql) const {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // v2 fills search terms through the store's function: none to fill in a new database.
    db.createFunction("leanspec_search_terms", 1, true, nullptr,
                      [](sqlite3_context *context, int, sqlite3_value **) {
                        sqlite3_result_text(context, "", 0, SQLITE_STATIC);
                      });
    db.exec(sqlite_bootstrap);
    for (int v = 1; v <= version; ++v) {
      db.exec(migrations()[static_cast<std::size_t>(v - 1)].sqlite);
      db.exec("INSERT INTO schema_migrations VALUES (" + std::to_string(v) + ", 'v', 0)");
    }
    db.exec(sql);
  }
  // SQL for a BLOB holding `text`.
  static std::string blob(const std::string &text) { return "CAST('" + text + "' AS BLOB)"; }
  // Runs SQL on the file directly; the first column of the first row, as text.
  std::string query(const std::string &sql) const {
    SQLite::Database db(path, SQLite::OPEN_READWRITE, 5000);
    SQLite::Statement q(db, sql);
    return q.executeStep() ? q.getColumn(0).getString() : std::string();
  }
  // FTS5's own check that the search index holds exactly the rows of `specs` (external
  // content: stale rows after a cascade would make it fail).
  void check_search_index() const {
    SQLite::Database db(path, SQLite::OPEN_READWRITE, 5000);
    CHECK_NOTHROW(db.exec("INSERT INTO spec_search (spec_search) VALUES ('integrity-check')"));
    SQLite::Statement q(db, "SELECT count(*) FROM spec_search_docsize");
    q.executeStep();
    CHECK(q.getColumn(0).getString() == query("SELECT count(*) FROM specs"));
  }
};

// A fresh schema of the harness's PostgreSQL database per test. Constructing it starts the
// server on first use and throws (failing the test) when it cannot.
struct PostgresBackend {
  PostgresHarness &pg = PostgresHarness::instance();
  std::string schema = pg.fresh_schema();

  std::string url() const { return pg.url(schema); }
  std::string query(const std::string &sql) const { return pg.query(schema, sql); }
  // How many files are stored for `folder`: rows of spec_files, and a README
  // kept in its spec row (schema v5).
  std::string stored_files(const std::string &folder) const {
    return query("SELECT (SELECT count(*) FROM spec_files WHERE path = '" + folder +
                 "') + (SELECT count(*) FROM specs WHERE readme_head IS NOT NULL AND path = '" +
                 folder + "')");
  }
  // The tsvector is a column of the row itself, written with it: nothing can go stale.
  void check_search_index() const {}
  // A database at schema `version`, as the store of that version made it (as the store's
  // role), then `sql` run on it.
  void create_at(int version, const std::string &sql) const {
    std::string setup = "SET ROLE leanspec; " + std::string(postgres_bootstrap);
    for (int v = 1; v <= version; ++v)
      setup += std::string(migrations()[static_cast<std::size_t>(v - 1)].postgres) + ";\n" +
               "INSERT INTO schema_migrations VALUES (" + std::to_string(v) + ", 'v', 0);\n";
    query(setup + sql);
  }
  // SQL for a bytea holding `text`.
  static std::string blob(const std::string &text) { return "convert_to('" + text + "', 'UTF8')"; }
};

template <class F> Error error_of(F &&f) {
  try {
    f();
  } catch (const Error &e) {
    return e;
  }
  FAIL("no leanspec::Error was thrown");
  return Error(ErrorCode::internal, "");
}

std::string readme(std::string_view frontmatter, std::string_view title, std::string_view body) {
  return "---\n" + std::string(frontmatter) + "\n---\n\n# " + std::string(title) + "\n\n" +
         std::string(body) + "\n";
}

StoredSpec spec(std::string path, std::string readme_text, std::vector<StoredFile> more = {}) {
  StoredSpec s{std::move(path), {{"README.md", std::move(readme_text), ""}}};
  for (auto &f : more)
    s.files.push_back(std::move(f));
  return s;
}

ProjectRecord project(std::string id) {
  ProjectRecord p;
  p.id = std::move(id);
  return p;
}

// What specs() should give back for `specs`: files README.md first then by name, SHAs filled.
std::vector<StoredSpec> expected(std::vector<StoredSpec> specs) {
  std::sort(specs.begin(), specs.end(),
            [](const StoredSpec &a, const StoredSpec &b) { return a.path < b.path; });
  for (auto &s : specs) {
    std::sort(s.files.begin(), s.files.end(), [](const StoredFile &a, const StoredFile &b) {
      const bool ar = a.name == "README.md", br = b.name == "README.md";
      return ar != br ? ar : a.name < b.name;
    });
    for (auto &f : s.files)
      if (f.content_hash.empty())
        f.content_hash = git_blob_sha1(f.content);
  }
  return specs;
}

void check_same(const std::vector<StoredSpec> &actual, const std::vector<StoredSpec> &wanted) {
  REQUIRE(actual.size() == wanted.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    CAPTURE(wanted[i].path);
    CHECK(actual[i].path == wanted[i].path);
    REQUIRE(actual[i].files.size() == wanted[i].files.size());
    for (std::size_t j = 0; j < actual[i].files.size(); ++j) {
      CHECK(actual[i].files[j].name == wanted[i].files[j].name);
      CHECK(actual[i].files[j].content == wanted[i].files[j].content);
      CHECK(actual[i].files[j].content_hash == wanted[i].files[j].content_hash);
    }
  }
}

// `count` specs whose every file says which generation wrote it.
std::vector<StoredSpec> generation(int count, int gen) {
  std::vector<StoredSpec> out;
  for (int i = 1; i <= count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "%04d-spec-%d", i, i);
    out.push_back(spec(id,
                       readme("status: planned\ntags: [load]", "Spec " + std::to_string(i),
                              "gen=" + std::to_string(gen) + "\n" + std::string(400, 'x')),
                       {{"DESIGN.md", "# Design\ngen=" + std::to_string(gen) + "\n", ""}}));
  }
  return out;
}

// The generation every file of a snapshot says, or -1 when they disagree.
int generation_of(const std::vector<StoredSpec> &specs) {
  int gen = -2;
  for (const auto &s : specs)
    for (const auto &f : s.files) {
      const auto at = f.content.find("gen=");
      const int g = at == std::string::npos ? -1 : std::atoi(f.content.c_str() + at + 4);
      if (gen == -2)
        gen = g;
      else if (g != gen)
        return -1;
    }
  return gen;
}

} // namespace

TEST_SUITE("store") {

  TEST_CASE_TEMPLATE("migrations run on open, once, and reopening changes nothing", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    {
      auto store = Store::open(backend.url());
      CHECK(store->schema_version() == latest_schema_version());
      CHECK(backend.query("SELECT count(*) FROM schema_migrations") ==
            std::to_string(latest_schema_version()));
      store->add_project(project("acme/web"));
    }
    auto again = Store::open(backend.url());
    CHECK(again->schema_version() == latest_schema_version());
    CHECK(backend.query("SELECT count(*) FROM schema_migrations") ==
          std::to_string(latest_schema_version()));
    CHECK(again->projects().size() == 1);
  }

  TEST_CASE_TEMPLATE("concurrent openers of a new database migrate it once", B, SqliteBackend,
                     PostgresBackend) {
    B backend;
    std::atomic<int> failures{0};
    std::vector<std::string> errors(4);
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
          try {
            auto store = Store::open(backend.url());
            if (store->schema_version() != latest_schema_version())
              ++failures;
          } catch (const std::exception &e) {
            errors[static_cast<std::size_t>(t)] = e.what();
            ++failures;
          }
        });
    }
    for (const auto &e : errors)
      CHECK_MESSAGE(e.empty(), e);
    CHECK(failures == 0);
    CHECK(backend.query("SELECT count(*) FROM schema_migrations") ==
          std::to_string(latest_schema_version()));
  }

  TEST_CASE_TEMPLATE("a database with a newer schema is refused, naming both versions", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    Store::open(backend.url());
    backend.query("INSERT INTO schema_migrations (version, name, applied_at) "
                  "VALUES (99, 'from the future', 0)");
    const Error e = error_of([&] { Store::open(backend.url()); });
    CHECK(e.code() == ErrorCode::config);
    const std::string message = e.what();
    CHECK(message.find("99") != std::string::npos);
    CHECK(message.find("version " + std::to_string(latest_schema_version())) != std::string::npos);
    CHECK(message.find("password") == std::string::npos);
  }

  TEST_CASE("a SQLite store of schema v1 gets its search terms filled by the v2 migration") {
    SqliteBackend backend;
    {
      SQLite::Database db(backend.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      db.exec(sqlite_bootstrap);
      db.exec(migrations()[0].sqlite);
      db.exec("INSERT INTO schema_migrations VALUES (1, 'initial schema', 0)");
      db.exec("INSERT INTO projects (id, owner, repo, branch, specs_path, sync_interval_s, "
              "created_at, updated_at) VALUES ('acme/web', 'acme', 'web', 'main', 'specs', 60, "
              "0, 0)");
      db.exec("INSERT INTO specs (project_id, path, id, number, number_text, slug, title, status, "
              "tags, assignee, created, created_at, updated_at, completed, completed_at, parent, "
              "archived, frontmatter, body, content_hash, files_hash, written_version) VALUES "
              "('acme/web', '001-old', '001-old', 1, '001', 'old', 'Old', 'planned', '[]', '', "
              "'', '', '', '', '', '', 0, 'null', 'Written before the migration: Zebra.', '', "
              // files_hash: the digest of no files, which a search checks as it reads the hits
              "'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', 1)");
    }
    auto store = Store::open(backend.url());
    CHECK(store->schema_version() == latest_schema_version());
    CHECK(backend.query("SELECT search_terms FROM specs") == "written before the migration zebra");
    const auto hits = search_words(*store, "acme/web", "zebr");
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].first == "001-old");
    backend.check_search_index();
  }

  TEST_CASE("a PostgreSQL store of schema v4 keeps its README file rows through the v5 migration") {
    PostgresBackend backend;
    // A v4 database as the store wrote it, README.md among the files; created by the store's role.
    std::string setup = "SET ROLE leanspec; " + std::string(postgres_bootstrap);
    for (int v = 0; v < 4; ++v)
      setup += std::string(migrations()[static_cast<std::size_t>(v)].postgres) + ";\n" +
               "INSERT INTO schema_migrations VALUES (" + std::to_string(v + 1) + ", 'v', 0);\n";
    const std::string readme_text =
        "---\nstatus: planned\n---\n\n# Old\n\nWritten before: zebra.\n";
    setup +=
        "INSERT INTO projects (id, owner, repo, branch, specs_path, sync_interval_s, "
        "created_at, updated_at) VALUES ('acme/web', 'acme', 'web', 'main', 'specs', 60, 0, 0);"
        "INSERT INTO specs (project_id, path, id, number, number_text, slug, title, status, "
        "tags, assignee, created, created_at, updated_at, completed, completed_at, parent, "
        "archived, frontmatter, body, content_hash, files_hash, search, written_version) "
        "VALUES ('acme/web', '001-old', '001-old', 1, '001', 'old', 'Old', 'planned', '[]', "
        "'', '', '', '', '', '', '', false, 'null', '# Old\n\nWritten before: zebra.\n', 'x', "
        "'stale', to_tsvector('simple', 'old zebra'), 1);"
        "INSERT INTO spec_files VALUES ('acme/web', '001-old', 'README.md', '" +
        readme_text +
        "', 'sha-readme'), ('acme/web', '001-old', 'DESIGN.md', 'design', "
        "'sha-design');"
        "UPDATE projects SET snapshot_version = 1";
    backend.query(setup);
    REQUIRE(backend.query("SELECT max(version) FROM schema_migrations") == "4");

    auto store = Store::open(backend.url());
    CHECK(store->schema_version() == latest_schema_version());
    const auto before = store->specs("acme/web");
    REQUIRE(before.size() == 1);
    REQUIRE(before[0].files.size() == 2);
    CHECK(before[0].files[0].name == "README.md");
    CHECK(before[0].files[0].content == readme_text);
    CHECK(before[0].files[0].content_hash == "sha-readme");
    CHECK(before[0].files[1].content == "design");
    CHECK(search_words(*store, "acme/web", "zebra").size() == 1);

    // Rewritten, the README moves into the spec row and its file row goes; DESIGN.md stays.
    auto next = before;
    next[0].files[0].content += "More.\n";
    next[0].files[0].content_hash.clear();
    CHECK(store->replace_specs("acme/web", next).updated == 1);
    check_same(store->specs("acme/web"), expected(next));
    CHECK(backend.query("SELECT string_agg(name, ',') FROM spec_files") == "DESIGN.md");
    CHECK(backend.stored_files("001-old") == "2");
  }

  TEST_CASE_TEMPLATE("a store of schema v7 keeps every value through the v8 renames, in ms", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    const std::string commit(40, 'c'), tree(40, 't'), run_commit(40, 'r');
    const std::string readme_text =
        "---\nstatus: planned\n---\n\n# Old\n\nWritten before: zebra.\n";
    const std::string design = "# Design\n";
    const std::string readme_sha = git_blob_sha1(readme_text), design_sha = git_blob_sha1(design);
    const std::string files_hash =
        git_blob_sha1(std::string("README.md\0", 10) + readme_sha + "\n" +
                      std::string("DESIGN.md\0", 10) + design_sha + "\n");
    const std::string content_hash(40, 'b');
    const bool sqlite = std::is_same_v<B, SqliteBackend>;
    backend.create_at(
        7,
        "INSERT INTO projects (id, owner, repo, branch, specs_path, sync_interval_s, last_commit, "
        "last_tree, sync_state, created_at, updated_at, last_synced_at, snapshot_version, "
        "spec_count) VALUES ('acme/web', 'acme', 'web', 'main', 'specs', 300, '" +
            commit + "', '" + tree +
            "', 'ok', 1, 2, 3, 1, 1);"
            "INSERT INTO specs (project_id, path, id, number, number_text, slug, title, status, "
            "tags, assignee, created, created_at, updated_at, completed, completed_at, parent, "
            "archived, frontmatter, body, content_hash, files_hash, written_version) VALUES "
            "('acme/web', '001-old', '001-old', 1, '001', 'old', 'Old', 'planned', '[]', '', '', "
            "'', '', '', '', '', '0', 'null', '# Old\n\nWritten before: zebra.\n', '" +
            readme_sha + "', '" + files_hash +
            "', 1);"
            "INSERT INTO spec_files VALUES ('acme/web', '001-old', 'README.md', " +
            B::blob(readme_text) + ", '" + readme_sha +
            "'), ('acme/web', '001-old', 'DESIGN.md', " + B::blob(design) + ", '" + design_sha +
            "');"
            "INSERT INTO relationships VALUES ('acme/web', '001-old', 'depends_on', 0, '002');"
            "INSERT INTO sync_runs (project_id, started_at, ended_at, outcome, retry_at, "
            "commit_sha) VALUES ('acme/web', 1000, 2000, 'ok', 0, '" +
            run_commit +
            "'), ('acme/web', 3000, 4000, 'rate_limited', 1700000123, '');"
            "INSERT INTO sync_schedule (project_id, requested_at, request_seq, retry_at) VALUES "
            "('acme/web', 5, 6, 1700000123456);"
            "INSERT INTO blob_cache VALUES ('" +
            content_hash + "', " + B::blob("cached") + ", 7);" +
            (sqlite
                 ? "UPDATE specs SET search_terms = 'old written before zebra';"
                   "INSERT INTO spec_search (spec_search) VALUES ('rebuild');"
                 : "UPDATE specs SET search = to_tsvector('simple', 'old written before zebra');"));

    auto store = Store::open(backend.url());
    CHECK(store->schema_version() == latest_schema_version());
    CHECK(latest_schema_version() >= 8);
    // Converted: the interval to ms, the run's retry time to unix ms.
    CHECK(backend.query("SELECT sync_interval_ms FROM projects") == "300000");
    CHECK(backend.query("SELECT commit_sha FROM projects") == commit);
    CHECK(backend.query("SELECT count(*) FROM relationships WHERE path = '001-old'") == "1");
    const ProjectRecord project_read = *store->project("acme/web");
    CHECK(project_read.sync_interval == std::chrono::seconds(300));
    CHECK(project_read.commit_sha == commit);
    CHECK(project_read.last_tree == tree);
    CHECK(project_read.sync_state == "ok");
    CHECK(project_read.snapshot_version == 1);
    const auto runs = store->sync_runs("acme/web", 0);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].retry_at == 1'700'000'123'000);
    CHECK(runs[1].retry_at == 0);
    CHECK(runs[1].details.commit_sha == run_commit);
    const auto schedules = store->sync_schedules();
    REQUIRE(schedules.size() == 1);
    CHECK(schedules[0].retry_at == 1'700'000'123'456); // already unix ms: kept
    const auto cached = store->blobs({content_hash});
    REQUIRE(cached.size() == 1);
    CHECK(cached[0].second == "cached");

    // Kept: the files with their SHAs, the search rows.
    const auto stored = store->specs("acme/web");
    check_same(stored, expected({spec("001-old", readme_text, {{"DESIGN.md", design, ""}})}));
    CHECK(search_words(*store, "acme/web", "zebra").size() == 1);
    backend.check_search_index();

    // And it syncs as before: a new snapshot, commit and interval are stored and read back.
    SyncFinish finish;
    finish.project = project_read;
    finish.project.commit_sha = std::string(40, 'd');
    finish.run.id = store->begin_sync_run("acme/web", 9'000);
    finish.run.outcome = "ok";
    const std::vector<StoredSpec> next = {
        spec("001-old", readme("status: complete", "Old", "Done: zebra.")),
        spec("002-new", readme("status: planned", "New", "Yak."), {{"DESIGN.md", design, ""}})};
    const ReplaceResult result = store->finish_sync("acme/web", &next, finish);
    CHECK(result.updated == 1);
    CHECK(result.added == 1);
    check_same(store->specs("acme/web"), expected(next));
    CHECK(store->project("acme/web")->commit_sha == std::string(40, 'd'));
    CHECK(search_words(*store, "acme/web", "yak").size() == 1);
    store->update_project("acme/web", ProjectPatch{{}, {}, std::chrono::seconds(60)});
    CHECK(store->project("acme/web")->sync_interval == std::chrono::seconds(60));
    CHECK(backend.query("SELECT sync_interval_ms FROM projects") == "60000");
    backend.check_search_index();
  }

  TEST_CASE_TEMPLATE("projects: add, list, get, update, remove with everything they own", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    CHECK(store->projects().empty());
    CHECK_FALSE(store->project("acme/web"));

    ProjectRecord web;
    web.owner = "acme";
    web.repo = "web";
    web.branch = "develop";
    web.specs_path = "docs/specs/";
    web.sync_interval = 60s;
    store->add_project(web);
    store->add_project(project("zeta/api"));
    store->add_project(project("Acme/Zed.js"));

    const auto all = store->projects();
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == "Acme/Zed.js"); // byte order on both backends
    CHECK(all[1].id == "acme/web");
    CHECK(all[2].id == "zeta/api");

    const auto got = store->project("acme/web");
    REQUIRE(got);
    CHECK(got->owner == "acme");
    CHECK(got->repo == "web");
    CHECK(got->branch == "develop");
    CHECK(got->specs_path == "docs/specs");
    CHECK(got->sync_interval == 60s);
    CHECK(got->sync_state == "idle");
    CHECK(got->etags_json == "{}");
    CHECK(got->snapshot_version == 0);
    CHECK(got->created_at > 0);
    CHECK(got->updated_at == got->created_at);

    // Duplicates and bad ids.
    CHECK(error_of([&] { store->add_project(project("acme/web")); }).code() ==
          ErrorCode::invalid_argument);
    for (const char *bad : {"acme", "acme/web/x", "/web", "acme/", "ac me/web", "acme/..",
                            "acme/web'; DROP TABLE projects; --"})
      CHECK_MESSAGE(error_of([&] { store->add_project(project(bad)); }).code() ==
                        ErrorCode::invalid_argument,
                    bad);
    ProjectRecord escaping = project("acme/docs");
    escaping.specs_path = "../outside";
    CHECK(error_of([&] { store->add_project(escaping); }).code() == ErrorCode::invalid_argument);
    CHECK(store->projects().size() == 3);

    // Update: settings and sync state; id, created_at and the snapshot version stay.
    ProjectRecord changed = *got;
    changed.branch = "main";
    changed.sync_interval = 3600s;
    changed.commit_sha = "0123456789abcdef0123456789abcdef01234567";
    changed.last_tree = "fedcba9876543210fedcba9876543210fedcba98";
    changed.etags_json = R"({"https://api.github.com/x":"W/\"abc\""})";
    changed.sync_state = "error";
    changed.sync_error = "rate limited";
    changed.last_synced_at = 1700000000000;
    changed.created_at = 1;
    changed.snapshot_version = 99;
    std::this_thread::sleep_for(5ms);
    store->update_project(changed);
    const auto updated = store->project("acme/web");
    REQUIRE(updated);
    CHECK(updated->branch == "main");
    CHECK(updated->sync_interval == 3600s);
    CHECK(updated->commit_sha == changed.commit_sha);
    CHECK(updated->last_tree == changed.last_tree);
    CHECK(updated->etags_json == changed.etags_json);
    CHECK(updated->sync_state == "error");
    CHECK(updated->sync_error == "rate limited");
    CHECK(updated->last_synced_at == 1700000000000);
    CHECK(updated->created_at == got->created_at);
    CHECK(updated->updated_at > got->updated_at);
    CHECK(updated->snapshot_version == 0);
    CHECK(error_of([&] { store->update_project(project("nobody/here")); }).code() ==
          ErrorCode::not_found);
    changed.sync_state = "bogus";
    CHECK(error_of([&] { store->update_project(changed); }).code() == ErrorCode::invalid_argument);

    // Remove: specs, files, relationships, search rows, sync runs and the lease go with it.
    store->replace_specs("acme/web",
                         {spec("001-alpha", readme("status: planned", "Alpha", "alpha body")),
                          spec("002-beta", readme("depends_on: [001-alpha]", "Beta", "beta"))});
    store->end_sync_run({.id = store->begin_sync_run("acme/web", 1'000), .outcome = "ok"});
    CHECK(store->try_acquire_lease("acme/web", "worker-1", 60s));
    CHECK(store->remove_project("acme/web"));
    CHECK_FALSE(store->remove_project("acme/web"));
    CHECK_FALSE(store->project("acme/web"));
    CHECK(store->projects().size() == 2);
    CHECK(error_of([&] { store->specs("acme/web"); }).code() == ErrorCode::not_found);
    for (const char *table : {"specs", "spec_files", "relationships", "sync_runs", "leases"})
      CHECK_MESSAGE(backend.query(std::string("SELECT count(*) FROM ") + table +
                                  " WHERE project_id = 'acme/web'") == "0",
                    table);
    backend.check_search_index();
    store->add_project(project("acme/web"));
    CHECK(store->specs("acme/web").empty());
    CHECK(search_words(*store, "acme/web", "alpha", 10).empty());
    CHECK(store->sync_runs("acme/web", 10).empty());
    CHECK(store->try_acquire_lease("acme/web", "worker-2", 60s));
  }

  TEST_CASE_TEMPLATE("update_project changes only the settings its patch gives, in the store", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    const auto db = make_database_source({.database_url = backend.url()});
    db->add_project(
        {.id = "acme/web", .branch = "develop", .specs_path = "docs/specs", .sync_interval = 600s});
    // Sync fields another writer stored: a patch never writes them back.
    ProjectRecord synced = *store->project("acme/web");
    synced.commit_sha = std::string(40, 'c');
    synced.sync_state = "ok";
    synced.last_synced_at = 1234;
    store->update_project(synced);
    const auto read = [&] { return *store->project("acme/web"); };

    db->update_project("acme/web", {.branch = "release"});
    CHECK(read().branch == "release");
    CHECK(read().specs_path == "docs/specs");
    CHECK(read().sync_interval == 600s);

    db->update_project("acme/web", {.specs_path = "specs/"});
    CHECK(read().branch == "release");
    CHECK(read().specs_path == "specs"); // normalized as add_project does
    CHECK(read().sync_interval == 600s);

    const auto before = read().updated_at;
    std::this_thread::sleep_for(5ms);
    db->update_project("acme/web", {.sync_interval = 60s});
    const ProjectRecord after = read();
    CHECK(after.branch == "release");
    CHECK(after.specs_path == "specs");
    CHECK(after.sync_interval == 60s);
    CHECK(after.updated_at > before);
    CHECK(after.commit_sha == synced.commit_sha);
    CHECK(after.sync_state == "ok");
    CHECK(after.last_synced_at == 1234);
    CHECK(after.created_at == synced.created_at);

    db->update_project("acme/web", {}); // nothing given: nothing changes
    CHECK(read().branch == "release");
    CHECK(read().sync_interval == 60s);

    // A bad value is refused and changes nothing, not even the fields given with it.
    CHECK(error_of([&] {
            db->update_project("acme/web", {.branch = "x", .specs_path = "../outside"});
          }).code() == ErrorCode::invalid_argument);
    CHECK(error_of([&] { db->update_project("acme/web", {.branch = ""}); }).code() ==
          ErrorCode::invalid_argument);
    CHECK(error_of([&] { db->update_project("acme/web", {.sync_interval = -1s}); }).code() ==
          ErrorCode::invalid_argument);
    CHECK(read().branch == "release");
    CHECK(read().specs_path == "specs");
    CHECK(read().sync_interval == 60s);

    const Error unknown = error_of([&] { db->update_project("nobody/here", {.branch = "x"}); });
    CHECK(unknown.code() == ErrorCode::not_found);
    CHECK(std::string(unknown.what()).find("nobody/here") != std::string::npos);
    CHECK_FALSE(store->project("nobody/here"));
  }

  TEST_CASE_TEMPLATE("replace_specs writes only what changed and versions the snapshot", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    CHECK(store->snapshot_version("acme/web") == 0);

    const auto alpha = spec("001-alpha", readme("status: planned", "Alpha", "first"));
    const auto beta =
        spec("002-beta", readme("status: in-progress\npriority: high\ntags: [api, cache]\n"
                                "assignee: ana\ncreated: 2025-01-02\n"
                                "depends_on: [001-alpha, 003-gamma]\nparent: 005-epsilon",
                                "Beta", "second"));
    const auto gamma = spec("003-gamma", readme("status: complete", "Gamma", "third"));
    const auto epsilon = spec("archived/005-epsilon", readme("status: planned", "Epsilon", "5th"));

    ReplaceResult r = store->replace_specs("acme/web", {alpha, beta, gamma, epsilon});
    CHECK(r.added == 4);
    CHECK(r.updated == 0);
    CHECK(r.removed == 0);
    CHECK(r.version == 1);
    CHECK(store->snapshot_version("acme/web") == 1);
    CHECK(store->project("acme/web")->snapshot_version == 1);

    // The denormalized columns come from parse_spec.
    CHECK(backend.query("SELECT title FROM specs WHERE path = '002-beta'") == "Beta");
    CHECK(backend.query("SELECT id || '|' || number || '|' || number_text || '|' || slug || '|' "
                        "|| status || '|' || priority || '|' || tags || '|' || assignee || '|' "
                        "|| created || '|' || parent FROM specs WHERE path = '002-beta'") ==
          R"(002-beta|2|002|beta|in-progress|high|["api","cache"]|ana|2025-01-02|005-epsilon)");
    CHECK(backend.query("SELECT CASE WHEN archived THEN 'yes' ELSE 'no' END FROM specs "
                        "WHERE path = 'archived/005-epsilon'") == "yes");
    CHECK(backend.query("SELECT CASE WHEN archived THEN 'yes' ELSE 'no' END FROM specs "
                        "WHERE path = '001-alpha'") == "no");
    CHECK(backend.query("SELECT frontmatter FROM specs WHERE path = '001-alpha'") ==
          R"({"status":"planned"})");
    CHECK(backend.query("SELECT count(*) FROM relationships WHERE path = '002-beta' "
                        "AND kind = 'depends_on'") == "2");
    CHECK(backend.query("SELECT ref FROM relationships WHERE path = '002-beta' "
                        "AND kind = 'depends_on' AND position = 1") == "003-gamma");
    CHECK(backend.query("SELECT ref FROM relationships WHERE path = '002-beta' "
                        "AND kind = 'parent'") == "005-epsilon");
    CHECK(backend.query("SELECT content_hash FROM specs WHERE path = '001-alpha'") ==
          git_blob_sha1(alpha.files[0].content));

    // The same snapshot again: nothing written, same version.
    r = store->replace_specs("acme/web", {epsilon, gamma, beta, alpha});
    CHECK_FALSE(r.changed());
    CHECK(r.version == 1);
    CHECK(store->snapshot_version("acme/web") == 1);

    // Change beta's README, add a file to gamma, drop alpha, add delta, keep epsilon.
    auto beta2 = spec("002-beta", readme("status: complete\ndepends_on: [003-gamma]", "Beta v2",
                                         "second, revised"));
    auto gamma2 = gamma;
    gamma2.files.push_back({"DESIGN.md", "# Gamma design\n", ""});
    const auto delta = spec("004-delta", readme("status: draft", "Delta", "fourth"));
    r = store->replace_specs("acme/web", {beta2, gamma2, delta, epsilon});
    CHECK(r.added == 1);
    CHECK(r.updated == 2);
    CHECK(r.removed == 1);
    CHECK(r.version == 2);
    CHECK(store->snapshot_version("acme/web") == 2);
    // Untouched rows keep the version that wrote them; rewritten ones carry the new one.
    CHECK(backend.query("SELECT written_version FROM specs WHERE path = 'archived/005-epsilon'") ==
          "1");
    CHECK(backend.query("SELECT written_version FROM specs WHERE path = '002-beta'") == "2");
    CHECK(backend.query("SELECT written_version FROM specs WHERE path = '003-gamma'") == "2");
    CHECK(backend.query("SELECT written_version FROM specs WHERE path = '004-delta'") == "2");
    CHECK(backend.query("SELECT title || '|' || status FROM specs WHERE path = '002-beta'") ==
          "Beta v2|complete");
    CHECK(backend.query("SELECT count(*) FROM relationships WHERE path = '002-beta'") == "1");
    CHECK(backend.stored_files("001-alpha") == "0");
    CHECK(backend.query("SELECT count(*) FROM relationships WHERE path = '001-alpha'") == "0");
    CHECK(backend.stored_files("003-gamma") == "2");
    check_same(store->specs("acme/web"), expected({beta2, gamma2, delta, epsilon}));
    backend.check_search_index();

    // A changed folder rewrites only its changed files: gamma's README changes, DESIGN.md stays
    // as it is, NOTES.md appears; then DESIGN.md changes and NOTES.md goes.
    const auto row_version = [&](const char *name) { // PostgreSQL: the transaction that wrote it
      return backend.query(
          std::string("SELECT xmin FROM spec_files WHERE path = '003-gamma' AND name = '") + name +
          "'");
    };
    const auto spec_row_version = [&] {
      return backend.query("SELECT xmin FROM specs WHERE path = '003-gamma'");
    };
    const bool postgres = std::is_same_v<B, PostgresBackend>;
    const std::string design_written = postgres ? row_version("DESIGN.md") : "";
    auto gamma3 = gamma2;
    gamma3.files[0].content = readme("status: complete", "Gamma v3", "third, again");
    gamma3.files.push_back({"NOTES.md", "# Gamma notes\n", ""});
    r = store->replace_specs("acme/web", {beta2, gamma3, delta, epsilon});
    CHECK(r.updated == 1);
    CHECK(r.version == 3);
    check_same(store->specs("acme/web"), expected({beta2, gamma3, delta, epsilon}));
    if (postgres) {
      CHECK(row_version("DESIGN.md") == design_written);
      CHECK(spec_row_version() != design_written); // the README, kept in the row
      CHECK(row_version("README.md").empty());
    }
    auto gamma4 = gamma3;
    gamma4.files[1].content = "# Gamma design, revised\n";
    gamma4.files.pop_back();
    r = store->replace_specs("acme/web", {beta2, gamma4, delta, epsilon});
    CHECK(r.updated == 1);
    CHECK(backend.stored_files("003-gamma") == "2");
    check_same(store->specs("acme/web"), expected({beta2, gamma4, delta, epsilon}));
    if (postgres)
      CHECK(row_version("DESIGN.md") != design_written);

    // Another project's snapshot is separate.
    store->add_project(project("acme/api"));
    CHECK(store->replace_specs("acme/api", {alpha}).added == 1);
    CHECK(store->specs("acme/web").size() == 4);
    CHECK(store->snapshot_version("acme/web") == 4);

    // The empty snapshot removes everything.
    r = store->replace_specs("acme/web", {});
    CHECK(r.removed == 4);
    CHECK(r.version == 5);
    CHECK(store->specs("acme/web").empty());
    CHECK(store->specs("acme/api").size() == 1);

    // Bad input changes nothing.
    CHECK(error_of([&] { store->replace_specs("nobody/here", {alpha}); }).code() ==
          ErrorCode::not_found);
    CHECK(error_of([&] { store->specs("nobody/here"); }).code() == ErrorCode::not_found);
    CHECK(error_of([&] { store->snapshot_version("nobody/here"); }).code() == ErrorCode::not_found);
    for (const char *bad : {"", "../001-x", "/abs/001-x", "a/../001-x", "001-x/", "a//001-x"})
      CHECK_MESSAGE(error_of([&] {
                      store->replace_specs("acme/web", {spec(bad, "# x\n")});
                    }).code() == ErrorCode::invalid_argument,
                    bad);
    CHECK(error_of([&] {
            store->replace_specs("acme/web", {alpha, alpha});
          }).code() == ErrorCode::invalid_argument);
    auto twice = alpha;
    twice.files.push_back(alpha.files[0]);
    CHECK(error_of([&] { store->replace_specs("acme/web", {twice}); }).code() ==
          ErrorCode::invalid_argument);
    auto slash = alpha;
    slash.files.push_back({"sub/NOTES.md", "x", ""});
    CHECK(error_of([&] { store->replace_specs("acme/web", {slash}); }).code() ==
          ErrorCode::invalid_argument);
    CHECK(store->snapshot_version("acme/web") == 5);
  }

  TEST_CASE_TEMPLATE("specs() gives back exactly the bytes written", B, SqliteBackend,
                     PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    using namespace std::string_literals;
    const std::vector<StoredSpec> input = {
        // Files out of order: README.md comes back first, the rest by name.
        {"010-bytes",
         {{"ZED.md", "z\r\nCRLF\r\n", ""},
          {"README.md", "\xEF\xBB\xBF---\r\nstatus: planned\r\n---\r\n# BOM and CRLF\r\n", ""},
          {"DESIGN.md", "invalid UTF-8: \xff\xfe\xc3 and NUL: \0 end"s, ""},
          {"empty.md", "", ""},
          {"notes.txt", std::string("\0\1\2\3\x7f\x80\xff", 7), ""}}},
        // A SHA given is kept as given (a read checks the bytes against it).
        {"011-given-sha", {{"README.md", "# Given\n", git_blob_sha1("# Given\n")}}},
        {"012-no-files", {}},
        {"archived/001-old", {{"README.md", "---\nstatus: archived\n---\n# Old\n", ""}}},
        {"013-\xc3\xa9t\xc3\xa9",
         {{"README.md", "# \xc3\x89t\xc3\xa9 \xe2\x86\x92 unicode\n", ""}}},
    };
    store->replace_specs("acme/web", input);
    check_same(store->specs("acme/web"), expected(input));
    // A file-level change is seen (the SHA differs) and only that folder is rewritten.
    auto next = input;
    next[0].files[2].content += "!";
    const ReplaceResult r = store->replace_specs("acme/web", next);
    CHECK(r.updated == 1);
    CHECK(r.added + r.removed == 0);
    check_same(store->specs("acme/web"), expected(next));

    // READMEs whose bytes are not the frontmatter then the body (PostgreSQL keeps those as file
    // rows, the others in the spec row), and each turned into the other kind.
    auto odd = next;
    odd.push_back({"014-bad-head", {{"README.md", "---\ntitle: \xff\n---\n# Bad head\n", ""}}});
    odd.push_back({"015-nul", {{"README.md", "# NUL\n\0 inside\n"s, ""}}});
    odd.push_back({"016-plain", {{"README.md", "---\nstatus: planned\n---\n\n# Plain\n", ""}}});
    store->replace_specs("acme/web", odd);
    check_same(store->specs("acme/web"), expected(odd));
    if constexpr (std::is_same_v<B, PostgresBackend>)
      CHECK(backend.query("SELECT string_agg(path, ',' ORDER BY path) FROM spec_files "
                          "WHERE name = 'README.md'") == "010-bytes,014-bad-head,015-nul");
    auto swapped = odd;
    swapped[0].files[1].content = "---\nstatus: planned\n---\n# No BOM, no CRLF\n";
    swapped[7].files[0].content = "---\nstatus: planned\r\n---\r\n\r\n# Plain no more\r\n";
    CHECK(store->replace_specs("acme/web", swapped).updated == 2);
    check_same(store->specs("acme/web"), expected(swapped));
    if constexpr (std::is_same_v<B, PostgresBackend>)
      CHECK(backend.query("SELECT string_agg(path, ',' ORDER BY path) FROM spec_files "
                          "WHERE name = 'README.md'") == "014-bad-head,015-nul,016-plain");
    CHECK(store->specs_since("acme/web", 0).written.size() == swapped.size());
  }

  TEST_CASE_TEMPLATE("search ranks title hits first and no query text is an unexplained error", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    store->add_project(project("acme/api"));
    store->replace_specs(
        "acme/web",
        {spec("001-caching", readme("status: planned", "Caching layer", "Nothing relevant here.")),
         spec("002-other",
              readme("status: planned", "Other", "This one mentions caching in its body, once.")),
         spec("003-tagged", readme("status: planned\ntags: [caching]", "Tagged", "Plain text.")),
         spec("004-unrelated", readme("status: planned", "Unrelated", "Nothing to see."))});
    store->replace_specs("acme/api",
                         {spec("001-caching", readme("status: planned", "Caching too", "x"))});

    const auto paths = [](const std::vector<std::pair<std::string, double>> &hits) {
      std::vector<std::string> out;
      for (const auto &[path, rank] : hits)
        out.push_back(path);
      return out;
    };
    auto hits = search_words(*store, "acme/web", "caching");
    REQUIRE(hits.size() == 3);
    CHECK(hits[0].first == "001-caching"); // title
    CHECK(hits[2].first == "002-other");   // body only
    CHECK(hits[0].second > hits[2].second);
    CHECK(hits[1].second > hits[2].second);
    for (const auto &[path, rank] : hits)
      CHECK(rank > 0);

    CHECK(paths(search_words(*store, "acme/web", "CACHING")) == paths(hits)); // case
    CHECK(paths(search_words(*store, "acme/web", "cach")).size() == 3);       // prefix
    CHECK(paths(search_words(*store, "acme/web", "caching layer")) ==
          std::vector<std::string>{"001-caching"}); // every word
    CHECK(paths(search_words(*store, "acme/web", "caching", 1)) ==
          std::vector<std::string>{"001-caching"}); // limit
    CHECK(paths(search_words(*store, "acme/web", "unrelated")) ==
          std::vector<std::string>{"004-unrelated"}); // title and id
    CHECK(paths(search_words(*store, "acme/api", "caching")) ==
          std::vector<std::string>{"001-caching"}); // per project
    CHECK(search_words(*store, "nobody/here", "caching").empty());
    CHECK(search_words(*store, "acme/web", "").size() == 4); // an empty query: every spec

    // FTS5 and tsquery syntax, quotes, NUL and SQL: a result or a syntax error naming the
    // problem (the query language's), never another error; never a query of the database's.
    for (const char *text : {"\"caching\"",
                             "caching\"",
                             "\"caching",
                             "caching*",
                             "(caching)",
                             "caching:",
                             "{caching}",
                             "+caching",
                             "-caching",
                             "caching^",
                             "\"",
                             "*",
                             "^",
                             "NEAR",
                             "OR",
                             "AND",
                             "'; DROP TABLE specs; --",
                             "NEAR(caching",
                             "title:caching",
                             "caching OR nothing",
                             "' OR '1'='1",
                             "\\",
                             "%",
                             "_",
                             "$1",
                             ")",
                             "'",
                             "&",
                             "|",
                             "!",
                             "<->",
                             ":*",
                             "caching & !x",
                             "\xff\xfe",
                             "tag:\xff",
                             "a\0b",
                             "\"a\0b c\"",
                             "assignee:'--",
                             "created:>2025-13-45",
                             "created:2025-01-01..2026-01-01",
                             "{title}:x*",
                             "title:\"a b\"",
                             "x~2",
                             "\"caching\" NOT \"layer\""}) {
      const std::string shown = text;
      CAPTURE(shown);
      try {
        (void)search_words(*store, "acme/web", text);
      } catch (const Error &e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
      }
    }
    CHECK(paths(search_words(*store, "acme/web", "NOT caching")) ==
          std::vector<std::string>{"004-unrelated"});
    CHECK(search_words(*store, "x' OR '1'='1", "caching").empty());
    CHECK(store->specs("acme/web").size() == 4); // still there
    CHECK(paths(search_words(*store, "acme/web", "caching")) == paths(hits));

    // The search rows follow the snapshot.
    store->replace_specs("acme/web", {spec("002-other", readme("status: planned", "Other",
                                                               "No longer about that."))});
    CHECK(search_words(*store, "acme/web", "caching").empty());
    CHECK(paths(search_words(*store, "acme/web", "longer")) ==
          std::vector<std::string>{"002-other"});
    backend.check_search_index();
    store->remove_project("acme/web");
    backend.check_search_index();
  }

  TEST_CASE_TEMPLATE("a very large spec is stored whole and found", B, SqliteBackend,
                     PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    std::string body; // 1.5 MB of distinct words: a tsvector of all of it would pass 1 MB
    for (int i = 0; body.size() < (3u << 19); ++i)
      body += "w" + std::to_string(i) + "x" + std::to_string(i * 7919) + " ";
    const auto big = spec("001-big", readme("status: planned", "Huge", body));
    CHECK(store->replace_specs("acme/web", {big}).added == 1);
    check_same(store->specs("acme/web"), expected({big}));
    CHECK(search_words(*store, "acme/web", "huge").size() == 1);
    CHECK(search_words(*store, "acme/web", "w12x").size() == 1);
  }

  TEST_CASE("PostgreSQL: a write's search entries are found at once and merged after the commit") {
    PostgresBackend backend;
    auto store = Store::open(backend.url());
    // The writer leaves a large snapshot's entries in the index's pending list (migration 5).
    CHECK(backend.query("SELECT array_to_string(reloptions, ',') FROM pg_class "
                        "WHERE oid = 'specs_search'::regclass") ==
          "fastupdate=on,gin_pending_list_limit=16384");
    backend.query("CREATE EXTENSION IF NOT EXISTS pgstattuple SCHEMA public");
    const auto pending = [&] {
      return backend.query("SELECT pending_tuples FROM public.pgstatginindex('specs_search')");
    };
    store->add_project(project("acme/web"));
    auto specs = generation(300, 1);
    specs[149].files[0].content += "zebrafish\n";
    CHECK(store->replace_specs("acme/web", specs).added == 300);
    CHECK(search_words(*store, "acme/web", "zebrafish").size() == 1); // merged or pending alike
    CHECK(search_words(*store, "acme/web", "load").size() == 300);

    // Autovacuum would take a minute or more: the store's own merge empties the list.
    CHECK(eventually([&] { return pending() == "0"; }));
    CHECK(search_words(*store, "acme/web", "zebrafish").size() == 1);
  }

  TEST_CASE_TEMPLATE("finish_sync stores the snapshot, the sync fields and the run together, or "
                     "nothing",
                     B, SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    ProjectRecord registered = project("acme/web");
    registered.branch = "main";
    store->add_project(registered);
    const std::vector<StoredSpec> before = {
        spec("001-a", readme("status: planned", "A", "First.")),
        spec("002-b", readme("status: planned", "B", "Second."))};
    store->replace_specs("acme/web", before);

    // A setting changed while the sync ran stays: only the sync fields are written.
    ProjectRecord changed = *store->project("acme/web");
    changed.branch = "release";
    store->update_project(changed);

    SyncFinish finish;
    finish.project = registered; // as the sync read it, with the old branch
    finish.project.commit_sha = std::string(40, 'c');
    finish.project.last_tree = std::string(40, 't');
    finish.project.etags_json = R"({"x":"\"e\""})";
    finish.project.sync_state = "ok";
    finish.project.last_synced_at = 1234;
    finish.run.id = store->begin_sync_run("acme/web", 1'000);
    finish.run.outcome = "ok";
    finish.run.requests = 5;
    finish.run.added = 99; // replaced by what the snapshot changed
    finish.run.details = {"blobs", 4096, 321, std::string(40, 'c')};
    const std::vector<StoredSpec> after = {
        spec("001-a", readme("status: complete", "A", "First, done.")),
        spec("003-c", readme("status: planned", "C", "Third."))};

    // Refused (a path the store does not take): nothing of it is stored.
    std::vector<StoredSpec> bad = after;
    bad.push_back(spec("../escape", readme("status: planned", "X", "x")));
    CHECK(error_of([&] { store->finish_sync("acme/web", &bad, finish); }).code() ==
          ErrorCode::invalid_argument);
    check_same(store->specs("acme/web"), expected(before));
    CHECK(store->project("acme/web")->commit_sha.empty());
    CHECK(store->sync_runs("acme/web", 1)[0].outcome == "running");

    const ReplaceResult result = store->finish_sync("acme/web", &after, finish);
    CHECK(result.added == 1);
    CHECK(result.updated == 1);
    CHECK(result.removed == 1);
    check_same(store->specs("acme/web"), expected(after));
    const ProjectRecord stored = *store->project("acme/web");
    CHECK(stored.branch == "release");
    CHECK(stored.commit_sha == finish.project.commit_sha);
    CHECK(stored.last_tree == finish.project.last_tree);
    CHECK(stored.etags_json == finish.project.etags_json);
    CHECK(stored.sync_state == "ok");
    CHECK(stored.last_synced_at == 1234);
    CHECK(stored.snapshot_version == result.version);
    const SyncRunRecord run = store->sync_runs("acme/web", 1)[0];
    CHECK(run.outcome == "ok");
    CHECK(run.requests == 5);
    CHECK(run.added == 1);
    CHECK(run.updated == 1);
    CHECK(run.removed == 1);
    CHECK(run.details.path == "blobs");
    CHECK(run.details.bytes == 4096);
    CHECK(run.details.duration_ms == 321);
    CHECK(run.details.commit_sha == finish.project.commit_sha);

    // Without a snapshot: the fields and the run only, the specs untouched.
    finish.run.id = store->begin_sync_run("acme/web", 1'000);
    finish.run.outcome = "error";
    finish.run.error = "GitHub said 502";
    finish.project.sync_state = "error";
    finish.project.sync_error = "GitHub said 502";
    const ReplaceResult none = store->finish_sync("acme/web", nullptr, finish);
    CHECK_FALSE(none.changed());
    CHECK(none.version == result.version);
    check_same(store->specs("acme/web"), expected(after));
    CHECK(store->project("acme/web")->sync_error == "GitHub said 502");
    CHECK(store->sync_runs("acme/web", 1)[0].added == 99); // the record's own counts
    CHECK(error_of([&] { store->finish_sync("nobody/here", nullptr, finish); }).code() ==
          ErrorCode::not_found);
  }

  TEST_CASE_TEMPLATE("sync runs and webhook deliveries", B, SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    const std::int64_t first = store->begin_sync_run("acme/web", 1'000);
    SyncRunRecord done;
    done.id = first;
    done.outcome = "ok";
    done.added = 3;
    done.updated = 2;
    done.removed = 1;
    done.requests = 7;
    done.not_modified = 4;
    done.rate_limit_remaining = 4987;
    store->end_sync_run(done);
    const std::int64_t second = store->begin_sync_run("acme/web", 2'000);
    CHECK(second > first);

    const auto runs = store->sync_runs("acme/web", 0);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].id == second);
    CHECK(runs[0].outcome == "running");
    CHECK(runs[0].ended_at == 0);
    CHECK(runs[0].rate_limit_remaining == -1);
    CHECK(runs[1].id == first);
    CHECK(runs[1].project_id == "acme/web");
    CHECK(runs[1].outcome == "ok");
    CHECK(runs[1].added == 3);
    CHECK(runs[1].updated == 2);
    CHECK(runs[1].removed == 1);
    CHECK(runs[1].requests == 7);
    CHECK(runs[1].not_modified == 4);
    CHECK(runs[1].rate_limit_remaining == 4987);
    CHECK(runs[0].started_at == 2'000);
    CHECK(runs[1].started_at == 1'000);
    CHECK(runs[1].ended_at >= runs[1].started_at);
    CHECK(store->sync_runs("acme/web", 1).size() == 1);
    CHECK(store->sync_runs("nobody/here", 0).empty());

    SyncRunRecord failed;
    failed.id = second;
    failed.outcome = "error";
    failed.error = "GitHub said 502";
    failed.ended_at = 42;
    store->end_sync_run(failed);
    CHECK(store->sync_runs("acme/web", 1)[0].error == "GitHub said 502");
    CHECK(store->sync_runs("acme/web", 1)[0].ended_at == 42);

    CHECK(error_of([&] { store->begin_sync_run("nobody/here", 1'000); }).code() ==
          ErrorCode::not_found);
    failed.id = 999999;
    CHECK(error_of([&] { store->end_sync_run(failed); }).code() == ErrorCode::not_found);

    CHECK(store->record_delivery("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
    CHECK_FALSE(store->record_delivery("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
    CHECK(store->record_delivery("another"));
    CHECK(Store::open(backend.url())->record_delivery("another") == false); // shared

    // Deliveries older than the retention are forgotten when the next one is recorded; a
    // redelivery of one of them counts as new (GitHub redelivers within 3 days, not 7).
    const auto retention_ms = std::chrono::milliseconds(Store::delivery_retention).count();
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    backend.query("INSERT INTO webhook_deliveries (delivery_id, received_at) VALUES ('expired', " +
                  std::to_string(now - retention_ms - 60000) + "), ('expired-too', " +
                  std::to_string(now - retention_ms - 1000) + "), ('kept', " +
                  std::to_string(now - retention_ms + 600000) + ")");
    CHECK(store->record_delivery("expired"));
    CHECK(store->record_delivery("fresh"));
    CHECK(backend.query("SELECT count(*) FROM webhook_deliveries WHERE delivery_id = "
                        "'expired-too'") == "0");
    CHECK_FALSE(store->record_delivery("kept"));
    CHECK_FALSE(store->record_delivery("expired")); // recorded again just now
    CHECK(backend.query("SELECT count(*) FROM webhook_deliveries") == "5");
  }

  TEST_CASE_TEMPLATE("sync runs keep their retry time and are pruned by count and age", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    store->add_project(project("acme/api"));
    SyncRunRecord limited;
    limited.id = store->begin_sync_run("acme/web", 1'000);
    limited.outcome = "rate_limited";
    limited.retry_at = 1'700'000'123'000; // unix ms
    store->end_sync_run(limited);
    CHECK(store->sync_runs("acme/web", 1)[0].retry_at == 1'700'000'123'000);
    // finish_sync records it too.
    SyncFinish finish;
    finish.project = *store->project("acme/web");
    finish.project.sync_state = "error";
    finish.run.id = store->begin_sync_run("acme/web", 2'000);
    finish.run.outcome = "rate_limited";
    finish.run.retry_at = 1'700'000'456'000;
    store->finish_sync("acme/web", nullptr, finish);
    CHECK(Store::open(backend.url())->sync_runs("acme/web", 1)[0].retry_at == 1'700'000'456'000);

    // Ten runs started at 10'000 ... 19'000, and one of the other project.
    for (int i = 0; i < 10; ++i)
      store->begin_sync_run("acme/web", 10'000 + i * 1'000);
    const std::int64_t other = store->begin_sync_run("acme/api", 1'000);
    auto started = [&] {
      std::vector<std::int64_t> out;
      for (const auto &run : store->sync_runs("acme/web", 0))
        out.push_back(run.started_at);
      return out;
    };
    store->prune_sync_runs("acme/web", 0, 0); // no limit: nothing goes
    CHECK(started().size() == 12);
    store->prune_sync_runs("acme/web", 0, 12'000); // by age: before 12'000
    CHECK(started() == std::vector<std::int64_t>{19'000, 18'000, 17'000, 16'000, 15'000, 14'000,
                                                 13'000, 12'000});
    store->prune_sync_runs("acme/web", 3, 0); // by count: the newest three
    CHECK(started() == std::vector<std::int64_t>{19'000, 18'000, 17'000});
    store->prune_sync_runs("acme/web", 5, 18'000); // both
    CHECK(started() == std::vector<std::int64_t>{19'000, 18'000});
    REQUIRE(store->sync_runs("acme/api", 0).size() == 1); // other projects keep theirs
    CHECK(store->sync_runs("acme/api", 0)[0].id == other);
  }

  TEST_CASE_TEMPLATE("a sync run's start marks the project syncing and keeps a patch made since "
                     "the project was read",
                     B, SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    const ProjectRecord read_by_sync = *store->project("acme/web");
    store->update_project("acme/web", {.branch = "release", .sync_interval = 60s});
    const std::int64_t id = store->begin_sync_run(read_by_sync.id, 1000);
    CHECK(id > 0);
    const ProjectRecord now = *store->project("acme/web");
    CHECK(now.sync_state == "syncing");
    CHECK(now.branch == "release");
    CHECK(now.sync_interval == 60s);
    CHECK(store->sync_runs("acme/web", 0).at(0).outcome == "running");
    CHECK(error_of([&] { store->begin_sync_run("nobody/here", 1000); }).code() ==
          ErrorCode::not_found);
    CHECK(store->sync_runs("nobody/here", 0).empty());
  }

  TEST_CASE_TEMPLATE("a project left syncing without a live lease reads as interrupted", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    store->add_project(project("acme/web"));
    CHECK(store->project("acme/web")->interrupted_at == 0);
    ProjectRecord syncing = *store->project("acme/web");
    syncing.sync_state = "syncing";
    REQUIRE(store->try_acquire_lease("acme/web", "host-a", 60s));
    store->update_project(syncing);
    CHECK(store->project("acme/web")->interrupted_at == 0); // held: under way
    // Its holder died: the lease ran out at 1234 (unix ms).
    backend.query("UPDATE leases SET expires_at = 1234 WHERE project_id = 'acme/web'");
    CHECK(store->project("acme/web")->interrupted_at == 1234);
    CHECK(store->projects().at(0).interrupted_at == 1234);
    CHECK(store->project("acme/web")->sync_state == "syncing"); // as stored
    // No lease left at all (released, the end never written): since the state was set.
    store->release_lease("acme/web", "host-a");
    backend.query("DELETE FROM leases");
    const ProjectRecord orphan = *store->project("acme/web");
    CHECK(orphan.interrupted_at == orphan.updated_at);
    CHECK(orphan.interrupted_at > 0);
    // Taken over: under way again.
    REQUIRE(store->try_acquire_lease("acme/web", "host-b", 60s));
    CHECK(store->project("acme/web")->interrupted_at == 0);
    // Ended: an expired lease of a project not syncing means nothing.
    backend.query("UPDATE leases SET expires_at = 1234");
    syncing.sync_state = "ok";
    store->update_project(syncing);
    CHECK(store->project("acme/web")->interrupted_at == 0);
  }

  TEST_CASE_TEMPLATE("leases: one holder at a time; expired leases are taken over", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    auto a = Store::open(backend.url());
    auto b = Store::open(backend.url()); // as another process would
    a->add_project(project("acme/web"));
    CHECK(a->try_acquire_lease("acme/web", "host-a", 60s));
    CHECK_FALSE(b->try_acquire_lease("acme/web", "host-b", 60s));
    CHECK(a->try_acquire_lease("acme/web", "host-a", 60s)); // renewal
    b->release_lease("acme/web", "host-b");                 // not its lease: no effect
    CHECK_FALSE(b->try_acquire_lease("acme/web", "host-b", 60s));
    a->release_lease("acme/web", "host-a");
    CHECK(b->try_acquire_lease("acme/web", "host-b", 300ms));
    CHECK_FALSE(a->try_acquire_lease("acme/web", "host-a", 60s));
    std::this_thread::sleep_for(500ms); // host-b "crashed": its lease runs out
    CHECK(a->try_acquire_lease("acme/web", "host-a", 60s));
    CHECK_FALSE(b->try_acquire_lease("acme/web", "host-b", 60s));
    // Leases are per project.
    CHECK(b->try_acquire_lease("acme/api", "host-b", 60s));
  }

  TEST_CASE_TEMPLATE("readers see one whole snapshot while a writer replaces it", B, SqliteBackend,
                     PostgresBackend) {
    B backend;
    auto store = Store::open(backend.url());
    auto other = Store::open(backend.url()); // a second pool, like another process
    store->add_project(project("acme/web"));
    constexpr int count = 150;
    store->replace_specs("acme/web", generation(count, 0));

    std::atomic<bool> writing{true};
    std::atomic<int> reads{0}, torn{0}, errors{0};
    std::string first_error;
    std::mutex error_mutex;
    const auto reader = [&](Store &s) {
      try {
        do {
          const auto snapshot = s.specs("acme/web");
          if (snapshot.size() != count || generation_of(snapshot) < 0)
            ++torn;
          ++reads;
        } while (writing);
      } catch (const std::exception &e) {
        const std::lock_guard lock(error_mutex);
        first_error = e.what();
        ++errors;
      }
    };
    {
      std::vector<std::jthread> readers;
      readers.emplace_back(reader, std::ref(*store));
      readers.emplace_back(reader, std::ref(*store));
      readers.emplace_back(reader, std::ref(*other));
      try {
        for (int gen = 1; gen <= 6; ++gen)
          CHECK(store->replace_specs("acme/web", generation(count, gen)).updated == count);
      } catch (...) {
        writing = false;
        throw;
      }
      writing = false;
    }
    CHECK_MESSAGE(errors == 0, first_error);
    CHECK(torn == 0);
    CHECK(reads > 0);
    CHECK(generation_of(store->specs("acme/web")) == 6);
    CHECK(store->snapshot_version("acme/web") == 7);
  }

  TEST_CASE_TEMPLATE("writers of one project queue and never interleave", B, SqliteBackend,
                     PostgresBackend) {
    B backend;
    auto a = Store::open(backend.url());
    auto b = Store::open(backend.url()); // two pools, as two processes
    a->add_project(project("acme/web"));
    constexpr int count = 60, rounds = 5;
    std::vector<std::uint64_t> versions;
    std::mutex versions_mutex;
    std::atomic<int> errors{0};
    const auto writer = [&](Store &s, int base) {
      for (int i = 0; i < rounds; ++i) {
        try {
          const ReplaceResult r = s.replace_specs("acme/web", generation(count, base + i));
          const std::lock_guard lock(versions_mutex);
          versions.push_back(r.version);
        } catch (const std::exception &) {
          ++errors;
        }
      }
    };
    {
      std::jthread first(writer, std::ref(*a), 100);
      std::jthread second(writer, std::ref(*b), 200);
    }
    CHECK(errors == 0);
    std::sort(versions.begin(), versions.end());
    std::vector<std::uint64_t> wanted(2 * rounds);
    std::iota(wanted.begin(), wanted.end(), std::uint64_t{1});
    CHECK(versions == wanted); // each write saw the one before it whole
    CHECK(a->snapshot_version("acme/web") == 2 * rounds);
    const auto last = b->specs("acme/web");
    CHECK(last.size() == count);
    CHECK(generation_of(last) >= 100);
  }

  TEST_CASE_TEMPLATE("a writer killed in the middle of a snapshot leaves the previous one", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    constexpr int count = 2000;
    const auto before = generation(count, 1);
    {
      auto store = Store::open(backend.url());
      store->add_project(project("acme/web"));
      REQUIRE(store->replace_specs("acme/web", before).version == 1);
    } // closed: the child must not inherit open connections

    int pipe_fds[2];
    REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
    const auto after = generation(count, 2);
    const std::string url = backend.url();
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      // The child: start the big write, say so from inside the transaction, then wait to die.
      ::close(pipe_fds[0]);
      try {
        auto store = Store::open(url);
        store->set_write_hook([&](std::size_t written) {
          if (written >= count / 2) {
            const char inside = 'w';
            [[maybe_unused]] const auto n = ::write(pipe_fds[1], &inside, 1);
            for (;;)
              ::pause();
          }
        });
        store->replace_specs("acme/web", after);
        const char finished = 'f'; // the hook never ran: the test is broken
        [[maybe_unused]] const auto n = ::write(pipe_fds[1], &finished, 1);
      } catch (...) {
        const char failed = 'e';
        [[maybe_unused]] const auto n = ::write(pipe_fds[1], &failed, 1);
      }
      ::_exit(1);
    }
    ::close(pipe_fds[1]);
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, 180000);
    char signal_byte = 0;
    if (ready == 1)
      REQUIRE(::read(pipe_fds[0], &signal_byte, 1) == 1);
    ::close(pipe_fds[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    const std::string said = signal_byte ? std::string(1, signal_byte) : "nothing";
    const std::string why = "the child did not reach the middle of its write; it said: " + said;
    REQUIRE_MESSAGE(signal_byte == 'w', why);
    CHECK(WIFSIGNALED(status));

    auto store = Store::open(backend.url());
    CHECK(store->snapshot_version("acme/web") == 1);
    const auto seen = store->specs("acme/web");
    CHECK(generation_of(seen) == 1);
    check_same(seen, expected(before));
    // The lock died with the writer: the next writer gets through.
    const ReplaceResult r = store->replace_specs("acme/web", after);
    CHECK(r.updated == count);
    CHECK(r.version == 2);
    CHECK(generation_of(store->specs("acme/web")) == 2);
  }

  TEST_CASE("a corrupt SQLite file is reported by name and left byte for byte") {
    TempDir dir;
    const std::string path = (dir.path() / "corrupt.db").string();
    std::string bytes(16384, '\0');
    std::mt19937 random(42);
    for (char &c : bytes)
      c = static_cast<char>(random() & 0xff);
    std::ofstream(path, std::ios::binary) << bytes;

    for (const std::string &url : {"sqlite:" + path, path}) {
      const Error e = error_of([&] { Store::open(url); });
      CHECK(e.code() == ErrorCode::database);
      CHECK(std::string(e.what()).find(path) != std::string::npos);
      CHECK(std::string(e.what()).find("not a SQLite database") != std::string::npos);
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream now;
    now << in.rdbuf();
    CHECK(now.str() == bytes);
    CHECK_FALSE(fs::exists(path + "-wal"));
    CHECK_FALSE(fs::exists(path + "-journal"));

    const Error directory = error_of([&] { Store::open("sqlite:" + dir.path().string()); });
    CHECK(directory.code() == ErrorCode::database);
    CHECK(std::string(directory.what()).find(dir.path().string()) != std::string::npos);
  }

  TEST_CASE("a SQLite store is created, with its folder, where the URL says") {
    TempDir dir;
    const std::string path = (dir.path() / "nested" / "deeper" / "x.db").string();
    auto store = Store::open("sqlite://" + path); // sqlite:///abs/... form
    CHECK(store->description() == path);
    CHECK(fs::exists(path));
    store->add_project(project("acme/web"));
    CHECK(Store::open(path)->projects().size() == 1);
  }

  // --- SQLite's WAL stays bounded (issue 16, item 11) ---------------------------------------

  TEST_CASE("a SQLite store that wrote leaves the WAL empty when it closes, cycle after cycle") {
    SqliteBackend backend;
    // Another process's connection (an app server) keeps SQLite from checkpointing on close.
    SQLite::Database bystander(backend.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    Store::open(backend.url())->add_project(project("acme/web"));
    bystander.exec("SELECT count(*) FROM projects");
    for (int cycle = 1; cycle <= 4; ++cycle) {
      {
        auto store = Store::open(backend.url());
        CHECK(store->replace_specs("acme/web", generation(300, cycle)).version ==
              static_cast<std::uint64_t>(cycle));
        REQUIRE(fs::file_size(backend.path + "-wal") > 0); // the write went to the WAL
      }
      CAPTURE(cycle);
      CHECK(fs::file_size(backend.path + "-wal") == 0);
    }
    CHECK(generation_of(Store::open(backend.url())->specs("acme/web")) == 4);
  }

  TEST_CASE("the WAL of a SQLite writer killed before it closed is checkpointed by the next "
            "opener, even one that only reads") {
    SqliteBackend backend;
    Store::open(backend.url())->add_project(project("acme/web"));
    int pipe_fds[2];
    REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
    const std::string url = backend.url();
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) { // writes a large snapshot, says so, then waits (store open) to be killed
      ::close(pipe_fds[0]);
      const auto say = [&](char c) {
        [[maybe_unused]] const auto n = ::write(pipe_fds[1], &c, 1);
        for (;;)
          ::pause();
      };
      try {
        auto store = Store::open(url);
        std::vector<StoredSpec> large;
        for (int i = 1; i <= 400; ++i) // ~100 MB of pages: more than any live WAL grows
          large.push_back(spec("spec-" + std::to_string(i),
                               readme("status: planned", "Spec", std::string(120'000, 'x'))));
        store->replace_specs("acme/web", large);
        say('w');
      } catch (...) {
        say('e');
      }
    }
    ::close(pipe_fds[1]);
    pollfd p{pipe_fds[0], POLLIN, 0};
    char said = 0;
    if (::poll(&p, 1, 180000) == 1)
      REQUIRE(::read(pipe_fds[0], &said, 1) == 1);
    ::close(pipe_fds[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    REQUIRE(said == 'w');
    const auto left = fs::file_size(backend.path + "-wal");
    REQUIRE(left > (64u << 20)); // larger than the store lets a live WAL grow
    // Another process's connection (opened after the fork: SQLite connections must not cross
    // one) keeps SQLite from checkpointing when the reader closes.
    SQLite::Database bystander(backend.path, SQLite::OPEN_READWRITE, 5000);
    bystander.exec("SELECT count(*) FROM projects");

    {
      auto reader = Store::open(backend.url(), /*create=*/false);
      CHECK(reader->specs("acme/web").size() == 400);
    }
    CHECK(fs::file_size(backend.path + "-wal") < left / 4);
  }

  // --- reads check what they read (issue 16, item 12) ---------------------------------------

  TEST_CASE("a store opened without create makes no file or folder for a missing or empty one") {
    TempDir dir;
    const std::string missing = (dir.path() / "typo" / "specs.db").string();
    const Error e = error_of([&] { Store::open("sqlite:" + missing, false); });
    CHECK(e.code() == ErrorCode::not_found);
    CHECK(std::string(e.what()).find(missing) != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path() / "typo"));

    const std::string empty = (dir.path() / "empty.db").string();
    std::ofstream(empty).close();
    const Error zero = error_of([&] { Store::open(empty, false); });
    CHECK(zero.code() == ErrorCode::database);
    CHECK(std::string(zero.what()).find(empty) != std::string::npos);
    CHECK(fs::file_size(empty) == 0);
    CHECK_FALSE(fs::exists(empty + "-wal"));

    Store::open(empty)->add_project(project("acme/web")); // a writer may start there
    CHECK(Store::open(empty, false)->projects().size() == 1);
  }

  TEST_CASE_TEMPLATE("a snapshot that lost rows is a database error, not part of the specs", B,
                     SqliteBackend, PostgresBackend) {
    B backend;
    {
      auto store = Store::open(backend.url());
      store->add_project(project("acme/web"));
      store->add_project(project("acme/api"));
      store->replace_specs("acme/web", generation(20, 1));
      store->replace_specs("acme/api", generation(3, 1));
    }
    backend.query("DELETE FROM specs WHERE project_id = 'acme/web' AND path = '0007-spec-7'");
    auto store = Store::open(backend.url());
    const Error e = error_of([&] { store->specs_since("acme/web", 0); });
    CHECK(e.code() == ErrorCode::database);
    CHECK(std::string(e.what()).find("20") != std::string::npos);
    CHECK(std::string(e.what()).find("19") != std::string::npos);
    CHECK(store->specs_since("acme/api", 0).paths.size() == 3); // the other project reads
    if constexpr (std::is_same_v<B, SqliteBackend>) {
      const Error whole = error_of([&] { store->specs("acme/web"); });
      CHECK(whole.code() == ErrorCode::database);
      CHECK(std::string(whole.what()).find(backend.path) != std::string::npos);
    }
    // A new snapshot records its own count again.
    store->replace_specs("acme/web", generation(20, 2));
    CHECK(store->specs_since("acme/web", 0).paths.size() == 20);
  }

  TEST_CASE("flipped bytes in a SQLite file's spec files fail the read, naming the file") {
    SqliteBackend backend;
    {
      auto store = Store::open(backend.url());
      store->add_project(project("acme/web"));
      auto specs = generation(30, 1);
      specs[11].files[1].content += "MARKER-of-spec-12\n";
      store->replace_specs("acme/web", specs);
    } // closed: checkpointed into the file
    std::string bytes;
    {
      std::ifstream in(backend.path, std::ios::binary);
      std::stringstream all;
      all << in.rdbuf();
      bytes = all.str();
    }
    std::size_t flipped = 0;
    for (std::size_t at = 0; (at = bytes.find("MARKER-of-spec-12", at)) != std::string::npos;
         ++at, ++flipped)
      bytes[at + 7] ^= 0x01; // 'o' -> 'n': same length, SQLite cannot tell
    REQUIRE(flipped > 0);
    std::ofstream(backend.path, std::ios::binary | std::ios::trunc) << bytes;

    auto store = Store::open(backend.url(), false);
    const Error e = error_of([&] { store->specs("acme/web"); });
    CHECK(e.code() == ErrorCode::database);
    CHECK(std::string(e.what()).find(backend.path) != std::string::npos);
    CHECK(std::string(e.what()).find("0012-spec-12") != std::string::npos);
    CHECK(error_of([&] { store->specs_since("acme/web", 0); }).code() == ErrorCode::database);

    // Put 0012 back as written; then a file whose SHA no longer matches its folder's list.
    backend.query("UPDATE spec_files SET content = CAST('# Design' || char(10) || 'gen=1' || "
                  "char(10) || 'MARKER-of-spec-12' || char(10) AS BLOB) "
                  "WHERE path = '0012-spec-12' AND name = 'DESIGN.md'");
    CHECK(generation_of(store->specs("acme/web")) == 1);
    const std::string other = "# Design\nother\n";
    backend.query("UPDATE spec_files SET content = CAST('# Design' || char(10) || 'other' || "
                  "char(10) AS BLOB), content_hash = '" +
                  git_blob_sha1(other) + "' WHERE path = '0003-spec-3' AND name = 'DESIGN.md'");
    const Error list = error_of([&] { store->specs("acme/web"); });
    CHECK(list.code() == ErrorCode::database);
    CHECK(std::string(list.what()).find("0003-spec-3") != std::string::npos);
  }

  TEST_CASE("a bad PostgreSQL URL names the host, port and database, never the password") {
    // Nothing listens on port 1: connection refused, no server needed.
    const Error refused =
        error_of([] { Store::open("postgresql://leanspec:Sup3r-Secret@127.0.0.1:1/specs_db"); });
    CHECK(refused.code() == ErrorCode::database);
    const std::string message = refused.what();
    CAPTURE(message);
    CHECK(message.find("127.0.0.1:1") != std::string::npos);
    CHECK(message.find("specs_db") != std::string::npos);
    CHECK(message.find("leanspec") != std::string::npos);
    CHECK(message.find("Sup3r-Secret") == std::string::npos);
    CHECK(message.find("***") != std::string::npos);

    // A password given as a query parameter and percent-encoded is hidden too.
    const Error query = error_of(
        [] { Store::open("postgres://127.0.0.1:1/specs_db?user=u&password=p%40ssw0rd-x"); });
    CHECK(std::string(query.what()).find("p%40ssw0rd-x") == std::string::npos);
    CHECK(std::string(query.what()).find("p@ssw0rd-x") == std::string::npos);

    // Not a URL libpq can read.
    const Error garbled =
        error_of([] { Store::open("postgresql://u:Garbled-Pw@127.0.0.1:notaport/db"); });
    CHECK(garbled.code() == ErrorCode::database);
    CHECK(std::string(garbled.what()).find("Garbled-Pw") == std::string::npos);

    // A real server refusing the password.
    PostgresHarness &pg = PostgresHarness::instance();
    const std::string schema = pg.fresh_schema();
    const Error denied = error_of([&] { Store::open(pg.url_with_password(schema, "Wr0ng-Pw")); });
    CHECK(denied.code() == ErrorCode::database);
    const std::string denied_message = denied.what();
    CAPTURE(denied_message);
    CHECK(denied_message.find("password authentication failed") != std::string::npos);
    CHECK(denied_message.find("leanspec_test") != std::string::npos);
    CHECK(denied_message.find(std::to_string(pg.port())) != std::string::npos);
    CHECK(denied_message.find("Wr0ng-Pw") == std::string::npos);

    // A reachable server but no such database.
    const std::string missing = "postgresql://leanspec:" + pg.password() +
                                "@127.0.0.1:" + std::to_string(pg.port()) + "/no_such_db";
    const Error no_db = error_of([&] { Store::open(missing); });
    CHECK(std::string(no_db.what()).find("no_such_db") != std::string::npos);
    CHECK(std::string(no_db.what()).find(pg.password()) == std::string::npos);

    // The store's description hides the password.
    auto store = Store::open(pg.url(schema));
    CHECK(store->description().find(pg.password()) == std::string::npos);
    CHECK(store->description().find("***") != std::string::npos);
  }

} // TEST_SUITE("store")

// --- URL parsing: no database needed (runs with the unit tests) ---------------------------------

TEST_CASE("database URLs choose the backend and hide passwords") {
  auto u = parse_database_url("sqlite:/var/lib/x.db");
  CHECK(u.kind == DatabaseUrl::Kind::sqlite);
  CHECK(u.target == "/var/lib/x.db");
  CHECK(parse_database_url("sqlite:///var/lib/x.db").target == "/var/lib/x.db");
  CHECK(parse_database_url("sqlite:relative.db").target == "relative.db");
  CHECK(parse_database_url("SQLite:relative.db").target == "relative.db");
  CHECK(parse_database_url("/abs/specs.db").target == "/abs/specs.db");
  CHECK(parse_database_url("data/specs.db").target == "data/specs.db");
  CHECK(parse_database_url("sqlite:/with%20space.db").target == "/with space.db");

  u = parse_database_url("postgres://app:pw-1@db.example:5433/specs?sslmode=require");
  CHECK(u.kind == DatabaseUrl::Kind::postgres);
  CHECK(u.target == "postgres://app:pw-1@db.example:5433/specs?sslmode=require");
  CHECK(u.description == "postgres://app:***@db.example:5433/specs?sslmode=require");
  CHECK(parse_database_url("postgresql://db.example/specs").kind == DatabaseUrl::Kind::postgres);
  CHECK(parse_database_url("POSTGRESQL://db.example/specs").kind == DatabaseUrl::Kind::postgres);

  CHECK(redact_url("postgresql://u:p%40ss@h/db") == "postgresql://u:***@h/db");
  CHECK(redact_url("postgresql://u@h/db") == "postgresql://u@h/db");
  CHECK(redact_url("postgresql://h/db?user=u&password=x&sslmode=y") ==
        "postgresql://h/db?user=u&password=***&sslmode=y");
  CHECK(redact_url("postgresql://u:a:b@c@h:1/db") == "postgresql://u:***@h:1/db");
  CHECK(scrub("bad p@ss here", {"p@ss", ""}) == "bad *** here");
  CHECK(scrub("a*b", {"*"}) == "a***b");                          // ends: "***" holds it
  CHECK(scrub("pw=x1y and 1", {"1", "x1y"}) == "pw=*** and ***"); // longest first
  // Overlapping secrets: neither may be cut by the other's replacement (found by the fuzzer).
  CHECK(scrub("q=disable&password=%01%9F end", {"able&password=%", "%01%9F"}) == "q=dis*** end");
  CHECK(scrub("abcd", {"bc", "abc", "cd"}) == "***");

  for (const char *bad : {"mysql://u:topsecret@h/db", "http://x"}) {
    const Error e = error_of([&] { parse_database_url(bad); });
    CHECK(e.code() == ErrorCode::config);
    CHECK(std::string(e.what()).find("topsecret") == std::string::npos);
  }
  CHECK(error_of([] { parse_database_url(":memory:"); }).code() == ErrorCode::config);
  CHECK(error_of([] { parse_database_url("sqlite:"); }).code() == ErrorCode::config);
}

TEST_CASE("a libpq connection string is PostgreSQL, never a file name, its password hidden") {
  auto u = parse_database_url("host=db.example port=5433 user=app password=hunter2 dbname=specs");
  CHECK(u.kind == DatabaseUrl::Kind::postgres);
  CHECK(u.target == "host=db.example port=5433 user=app password=hunter2 dbname=specs");
  CHECK(u.description == "host=db.example port=5433 user=app password=*** dbname=specs");
  CHECK(std::find(u.secrets.begin(), u.secrets.end(), "hunter2") != u.secrets.end());

  u = parse_database_url("  host = db  password = 'it\\'s se cret'  sslpassword=k3y "
                         "dbname='postgres://u:inner9@h/db'");
  CHECK(u.kind == DatabaseUrl::Kind::postgres);
  CAPTURE(u.description);
  const std::string scrubbed = scrub("driver said: it's se cret, k3y, inner9", u.secrets);
  for (const char *secret : {"se cret", "k3y", "inner9"}) {
    CHECK(u.description.find(secret) == std::string::npos);
    CHECK(scrubbed.find(secret) == std::string::npos);
  }

  // Text with '=' that is not a connection string is refused without being shown.
  for (const char *bad : {"data/a=b.db", "password=hunter2 user", "host=h password='hunter2",
                          "./x password=hunter2", "=hunter2"}) {
    CAPTURE(bad);
    const Error e = error_of([&] { parse_database_url(bad); });
    CHECK(e.code() == ErrorCode::config);
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
    CHECK(std::string(e.what()).find("sqlite:PATH") != std::string::npos);
  }
  CHECK(parse_database_url("sqlite:data/a=b.db").target == "data/a=b.db");
}

TEST_CASE("a PostgreSQL URL whose password holds a raw '/' or '@' is refused, unshown") {
  for (const char *bad : {"postgres://app:hunt/er2@db.example/specs",
                          "postgresql://app:hunt@er2@db.example:5432/specs",
                          "postgres://app:hunter2/@db/specs?sslmode=require"}) {
    CAPTURE(bad);
    const Error e = error_of([&] { parse_database_url(bad); });
    CHECK(e.code() == ErrorCode::config);
    const std::string what = e.what();
    CHECK(what.find("hunt") == std::string::npos);
    CHECK(what.find("er2") == std::string::npos);
    CHECK(what.find("percent-encode") != std::string::npos);
  }
  CHECK(redact_url("postgres://app:hunt/er2@db/specs") == "postgres://app:***@db/specs");
  CHECK(redact_url("postgres://h/db?sslpassword=k3y&x=1") == "postgres://h/db?sslpassword=***&x=1");
  const auto u = parse_database_url("postgres://app:hunt%2Fer2@db.example/specs");
  CHECK(u.description == "postgres://app:***@db.example/specs");
  CHECK(std::find(u.secrets.begin(), u.secrets.end(), "hunt/er2") != u.secrets.end());
}

TEST_CASE("the default database file is under the user's data directory") {
  const ScopedEnv env({"XDG_DATA_HOME", "HOME"});
  env.set("XDG_DATA_HOME", "/data/xdg");
  CHECK(parse_database_url("").target == "/data/xdg/leanspec/leanspec.db");
  env.unset("XDG_DATA_HOME");
  env.set("HOME", "/home/ana");
  CHECK(parse_database_url("").target == "/home/ana/.local/share/leanspec/leanspec.db");
  env.unset("HOME");
  CHECK(error_of([] { parse_database_url(""); }).code() == ErrorCode::io);
}
