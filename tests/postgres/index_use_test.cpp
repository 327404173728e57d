// Tests issue 18, item 6: every statement a cold read runs on PostgreSQL uses an index, so a
// store shared by thousands of projects answers a read of one project without scanning the
// others' rows. Two views of the same schema, filled once (300 projects of 50 specs: 15,000 spec
// rows, enough that the planner prefers an index wherever one applies; then ANALYZE):
// - the statements themselves (`cold_read_statements`, one list: a statement added to the store
//   for a cold read gets a line there), each EXPLAINed with realistic parameters; the plans are
//   printed, and a sequential scan of specs, spec_files or relationships fails;
// - the real code paths: each kind of read goes through a DatabaseSource whose connections run
//   with enable_seqscan = off (the planner then scans sequentially only where no index can
//   serve), and the table statistics of specs, spec_files and relationships
//   (pg_stat_user_tables) must show no sequential scan. A backend's counters reach the
//   statistics at the latest when it exits, so the source is closed and its backends' exit
//   awaited before each reading. This catches a statement missing from the list above.
// Test suite "store" (ctest: store), on the PostgreSQL server of tests/support/postgres_harness.
#include "db/cold_read_sql.hpp"
#include "db/store.hpp"
#include "support/eventually.hpp"
#include "support/postgres_harness.hpp"

#include <cerrno>
#include <csignal>
#include <doctest/doctest.h>
#include <functional>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace leanspec;
using leanspec::test::eventually;
using leanspec::test::PostgresHarness;

namespace {

constexpr int fleet_size = 300; // projects: the template and its copies
constexpr int specs_per_project = 50;
constexpr const char *template_project = "fleet/template";
constexpr const char *some_project = "fleet/p0137"; // a copy, read by the tests

// --- The statements of a cold read ----------------------------------------------------------

/// A statement and the parameters (text, typed by the statement) it is EXPLAINed with.
struct Statement {
  std::string name;
  std::string sql;
  std::vector<std::string> params;
};

// src/db/postgres_store.cpp's folder_rows(): a project's folders matching `where`, as rows.
std::string folder_rows(const std::string &where, const std::string &more = {}) {
  const std::string filter = "s.project_id = $1 AND " + where;
  return "SELECT * FROM (SELECT s.path, 'README.md' AS name, "
         "convert_to(s.readme_head || s.body, 'UTF8') AS content, s.readme_content_hash AS "
         "content_hash FROM specs s WHERE " +
         filter +
         " AND s.readme_head IS NOT NULL "
         "UNION ALL SELECT s.path, f.name, f.content, f.content_hash FROM specs s "
         "LEFT JOIN spec_files f ON f.project_id = s.project_id AND f.path = s.path "
         "WHERE " +
         filter + " AND (f.name IS NOT NULL OR s.readme_head IS NULL) " + more +
         ") AS folder_rows ORDER BY path COLLATE \"C\", name <> 'README.md', name COLLATE \"C\"";
}

/// Every statement a read of a project that is not in memory runs against the spec tables, as
/// the store sends it (copied from src/db/postgres_store.cpp and src/db/postgres/; keep in
/// step). ADD HERE each statement a cold read gains (get by id/number/slug, a list page,
/// stats, relationships, search over a project set), with parameters a real call would bind.
/// The fleet's words: markerN is in spec N of every project (2% of the rows: an index pays),
/// design in every spec (a planner may rightly scan for it across projects).
std::vector<Statement> cold_read_statements() {
  const std::string p = some_project;
  return {
      // Store::snapshot_version (every read, once per `recheck`)
      {"snapshot version", "SELECT snapshot_version FROM projects WHERE id = $1", {p}},
      // Store::specs_since (a project's first read, and a reread after a change)
      {"specs_since: version",
       "SELECT snapshot_version, spec_count FROM projects WHERE id = $1",
       {p}},
      {"specs_since: paths",
       "SELECT path FROM specs WHERE project_id = $1 ORDER BY path COLLATE \"C\"",
       {p}},
      {"specs_since: folders written since 0 (cold)",
       folder_rows("s.written_version > $2"),
       {p, "0"}},
      {"specs_since: folders written since a version",
       folder_rows("s.written_version > $2"),
       {p, "1"}},
      // Store::specs
      {"specs: every folder",
       folder_rows("TRUE", "UNION ALL SELECT NULL, NULL, NULL, NULL FROM projects WHERE id = $1"),
       {p}},
      // Store::search, one project
      {"search: one project",
       "SELECT path, ts_rank(search, q) AS rank FROM specs, CAST($2 AS tsquery) AS q "
       "WHERE project_id = $1 AND search @@ q ORDER BY rank DESC, path COLLATE \"C\" "
       "LIMIT $3::bigint",
       {p, "'marker7':* & 'design':*", "50"}},
      // Store::read_summaries: a cold read of one project or a project set (cold_read_sql.hpp)
      {"cold: project heads", detail::cold_read_sql::postgres_project_heads(), {"{" + p + "}"}},
      {"cold: summary rows", detail::cold_read_sql::postgres_summary_rows(), {"{" + p + "}"}},
      {"cold: summary rows with bodies",
       detail::cold_read_sql::postgres_summary_rows_with_bodies(),
       {"{" + p + "}"}},
      {"cold: relationship rows",
       detail::cold_read_sql::postgres_relationship_rows(),
       {"{" + p + "}"}},
      {"cold: the folders an answer returns",
       detail::cold_read_sql::postgres_folders(),
       {p, "{001-spec-1,002-spec-2}"}},
  };
}

// --- A libpq connection of the test's own ---------------------------------------------------

struct ConnDeleter {
  void operator()(PGconn *c) const noexcept { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult *r) const noexcept { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Rows = std::unique_ptr<PGresult, ResultDeleter>;

Conn connect(const std::string &url) {
  Conn c(PQconnectdb(url.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("cannot connect: ") + PQerrorMessage(c.get()));
  return c;
}

/// Runs `sql` with text parameters (types inferred); every row's columns joined by '\t',
/// one line a row. @throws std::runtime_error with the server's message
std::string exec(PGconn *c, const std::string &sql, const std::vector<std::string> &params = {}) {
  std::vector<const char *> values;
  for (const auto &v : params)
    values.push_back(v.c_str());
  // Without parameters: the simple protocol, which runs scripts of several statements.
  Rows r(values.empty() ? PQexec(c, sql.c_str())
                        : PQexecParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                       values.data(), nullptr, nullptr, 0));
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(sql.substr(0, 200) + ": " + PQerrorMessage(c));
  std::string out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    for (int j = 0; j < PQnfields(r.get()); ++j)
      out += (j ? "\t" : "") + std::string(PQgetvalue(r.get(), i, j));
    out += '\n';
  }
  return out;
}

// --- The fleet ------------------------------------------------------------------------------

/// The template project's specs: statuses, priorities, tags, dates and relationships of every
/// kind, a sub-spec file on one in five, and words both common ("design") and rare (markerN,
/// one spec each).
std::vector<detail::StoredSpec> template_specs() {
  static const char *statuses[] = {"planned", "in-progress", "complete", "draft"};
  static const char *priorities[] = {"low", "medium", "high", "critical"};
  static const char *words[] = {"cache",  "index", "watcher", "sync",   "search", "parser",
                                "schema", "query", "token",   "budget", "pool",   "snapshot"};
  std::vector<detail::StoredSpec> out;
  for (int i = 1; i <= specs_per_project; ++i) {
    const std::string n = (i < 10 ? "00" : "0") + std::to_string(i);
    const std::string slug = std::string(words[i % 12]) + "-" + words[(i * 5) % 12] + "-" + n;
    std::string readme = "---\nstatus: " + std::string(statuses[i % 4]) +
                         "\npriority: " + priorities[(i / 4) % 4] + "\ntags: [area" +
                         std::to_string(i % 5) + ", " + words[i % 7] + "]\ncreated: 2025-10-" +
                         (i % 28 < 9 ? "0" : "") + std::to_string(i % 28 + 1) + "\n";
    if (i > 1)
      readme += "depends_on:\n  - " + out.back().path + "\n";
    if (i > 10)
      readme += "parent: 001-" + std::string(words[1]) + "-" + words[5] + "-001\n";
    readme += "---\n# " + std::string(words[i % 12]) + " " + words[(i * 7) % 12] + " " + n +
              "\n\nmarker" + std::to_string(i) + " design notes.\n";
    for (int line = 0; line < 40; ++line)
      readme += std::string("\nThe ") + words[(i + line) % 12] + " keeps the " +
                words[(i * line) % 12] + " of the " + words[(line * 3) % 12] + ".";
    detail::StoredSpec spec{n + "-" + slug, {{"README.md", readme + "\n", ""}}};
    if (i % 5 == 0)
      spec.files.push_back({"DESIGN.md", "# Design\n\nThe " + slug + " design.\n", ""});
    out.push_back(std::move(spec));
  }
  return out;
}

/// Copies every row the template project has (projects, specs, spec_files, relationships) to
/// `copies` projects fleet/p0001..., whatever the tables' columns are, then ANALYZE.
std::string clone_sql(int copies) {
  return R"sql(
DO $$
DECLARE tbl text; k text; cols text; sel text;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['projects', 'specs', 'spec_files', 'relationships'] LOOP
    k := CASE tbl WHEN 'projects' THEN 'id' ELSE 'project_id' END;
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
           string_agg(CASE WHEN column_name = k THEN 'n.id' ELSE 'x.' || quote_ident(column_name)
                      END, ', ' ORDER BY ordinal_position)
      INTO cols, sel
      FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = tbl AND is_generated = 'NEVER';
    EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I x, '
                   '(SELECT ''fleet/p'' || lpad(g::text, 4, ''0'') AS id '
                   'FROM generate_series(1, )sql" +
         std::to_string(copies) + R"sql() g) n WHERE x.%I = %L',
                   tbl, cols, sel, tbl, k, ')sql" +
         template_project + R"sql(');
  END LOOP;
END $$;
ANALYZE projects, specs, spec_files, relationships;
)sql";
}

/// The backends of the database connected under `application_name` (their process ids).
std::vector<int> backends(PGconn *checker, const std::string &application_name) {
  std::vector<int> pids;
  const std::string rows = exec(
      checker, "SELECT pid FROM pg_stat_activity WHERE application_name = $1", {application_name});
  for (std::size_t at = 0; at < rows.size();) {
    const auto end = rows.find('\n', at);
    pids.push_back(std::stoi(rows.substr(at, end - at)));
    at = end + 1;
  }
  return pids;
}

/// Waits until every process in `pids` has exited: a backend adds its table counters to the
/// statistics as it exits, so afterwards they hold everything it did. The server runs on this
/// machine (the harness started it).
void await_exit(const std::vector<int> &pids) {
  for (const int pid : pids)
    REQUIRE_MESSAGE(eventually([&] { return ::kill(pid, 0) != 0 && errno == ESRCH; }),
                    "PostgreSQL backend " << pid << " did not exit");
}

/// One schema holding the fleet, filled on first use and shared by the tests of this file.
struct Fleet {
  std::string schema;
  std::string url; ///< as `leanspec`, search_path = schema

  /// The URL with more connection settings: enable_seqscan off and an application name that
  /// tells the connections apart.
  std::string url_without_seqscan(const std::string &application_name) const {
    return url + "%20-cenable_seqscan%3Doff&application_name=" + application_name;
  }
};

/// Closes `c` and waits for its backend's exit (its counters are in the statistics then).
void close(Conn &c) {
  const int pid = PQbackendPID(c.get());
  c.reset();
  await_exit({pid});
}

const Fleet &fleet() {
  static const Fleet f = [] {
    auto &server = PostgresHarness::instance();
    Fleet out;
    out.schema = server.fresh_schema();
    out.url = server.url(out.schema);
    Conn c = connect(out.url);
    {
      auto store = detail::Store::open(out.url + "&application_name=index_use_fill");
      store->add_project({.id = template_project, .owner = "fleet", .repo = "template"});
      store->replace_specs(template_project, template_specs());
      const auto pids = backends(c.get(), "index_use_fill");
      store.reset();
      await_exit(pids);
    }
    exec(c.get(), clone_sql(fleet_size - 1));
    close(c); // every writer gone: the statistics stop moving
    return out;
  }();
  return f;
}

/// Sequential and index scans of the spec tables so far, by table.
struct Scans {
  std::map<std::string, long> seq, idx;
};

Scans scans(PGconn *checker, const std::string &schema) {
  Scans out;
  const std::string rows =
      exec(checker,
           "SELECT relname, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables "
           "WHERE schemaname = $1 AND relname IN ('specs', 'spec_files', 'relationships')",
           {schema});
  for (std::size_t at = 0; at < rows.size();) {
    const auto end = rows.find('\n', at);
    const std::string line = rows.substr(at, end - at);
    const auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    const std::string table = line.substr(0, t1);
    out.seq[table] = std::stol(line.substr(t1 + 1, t2 - t1 - 1));
    out.idx[table] = std::stol(line.substr(t2 + 1));
    at = end + 1;
  }
  return out;
}

/// A kind of read, as an application makes it: false when the source refused it.
struct Read {
  std::string name;
  std::function<bool(const DatabaseSource &)> run;
};

/// Project sets are newer than some stores: a read over one that the source refuses is
/// reported, not failed (the statement that would serve it is not there to check).
bool over_project_set(const std::function<void()> &read, const std::string &what) {
  try {
    read();
    return true;
  } catch (const Error &e) {
    MESSAGE(what << ": not served by this DatabaseSource: " << std::string(e.what()));
    return false;
  }
}

std::vector<Read> reads() {
  const std::string p = some_project, q = "fleet/p0200";
  const auto one = [](std::string name, std::function<void(const DatabaseSource &)> read) {
    return Read{std::move(name), [read](const DatabaseSource &s) {
                  read(s);
                  return true;
                }};
  };
  const auto set = [](std::string name, std::function<void(const DatabaseSource &)> read) {
    return Read{name, [name, read](const DatabaseSource &s) {
                  return over_project_set([&] { read(s); }, name);
                }};
  };
  return {
      one("list, every spec",
          [=](const DatabaseSource &s) {
            CHECK(s.list({.project_id = p})->specs.size() == specs_per_project);
          }),
      one("list page, filtered and sorted",
          [=](const DatabaseSource &s) {
            ListQuery query{.project_id = p};
            query.filter.statuses = {Status::planned, Status::in_progress};
            query.filter.tags = {"area2"};
            query.sort = {Sort::Key::title, true};
            query.limit = 2;
            const auto first = s.list(query);
            CHECK(first->specs.size() == 2);
            query.cursor = first->next_cursor;
            s.list(query);
          }),
      one("get by id",
          [=](const DatabaseSource &s) { CHECK(s.get("007-query-snapshot-007", p) != nullptr); }),
      one("get by number", [=](const DatabaseSource &s) { CHECK(s.get("23", p) != nullptr); }),
      one("get by slug",
          [=](const DatabaseSource &s) { CHECK(s.get("query-snapshot-007", q) != nullptr); }),
      one("stats", [=](const DatabaseSource &s) { CHECK(s.stats(p)->total == specs_per_project); }),
      one("relationships",
          [=](const DatabaseSource &s) { CHECK(s.relationships("12", p) != nullptr); }),
      one("search, one project",
          [=](const DatabaseSource &s) {
            CHECK(!s.search({.project_id = p, .text = "marker7 design"})->hits.empty());
          }),
      one("search, one project, fields and a phrase",
          [=](const DatabaseSource &s) {
            s.search({.project_id = p, .text = "status:planned \"design notes\" tag:area2"});
          }),
      set("search, every project",
          [=](const DatabaseSource &s) { s.search({.project_id = "*", .text = "marker7"}); }),
      set("list, two projects, filtered",
          [=](const DatabaseSource &s) {
            ListQuery query{.project_id = p + "," + q, .limit = 10};
            query.filter.tags = {"search"};
            s.list(query);
          }),
      set("stats, every project", [=](const DatabaseSource &s) { s.stats("*"); }),
  };
}

// "Seq Scan on specs", "... spec_files" or "... relationships", each followed by a non-word
// character (so "specs_x" is not "specs"). Plain string search: <regex> trips GCC 12's
// -Wmaybe-uninitialized in the sanitizer build.
bool seq_scan_of_spec_tables(const std::string &plan) {
  const auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  for (const std::string table : {"specs", "spec_files", "relationships"}) {
    const std::string needle = "Seq Scan on " + table;
    for (std::size_t at = plan.find(needle); at != std::string::npos;
         at = plan.find(needle, at + 1)) {
      const std::size_t end = at + needle.size();
      if (end == plan.size() || !word_char(plan[end]))
        return true;
    }
  }
  return false;
}

} // namespace

TEST_SUITE("store") {
  TEST_CASE("the statements of a cold read use indexes on a 300-project PostgreSQL store") {
    const Fleet &f = fleet();
    Conn c = connect(f.url);
    CHECK(exec(c.get(), "SELECT count(*) FROM specs") ==
          std::to_string(fleet_size * specs_per_project) + "\n");
    for (const Statement &statement : cold_read_statements()) {
      CAPTURE(statement.name);
      const std::string plan = exec(c.get(), "EXPLAIN " + statement.sql, statement.params);
      MESSAGE("EXPLAIN " << statement.name << ":\n" << plan);
      CHECK_MESSAGE(!seq_scan_of_spec_tables(plan), statement.name
                                                        << " scans a spec table sequentially:\n"
                                                        << plan);
    }
    // The check can fail: a statement no index serves is reported.
    CHECK(seq_scan_of_spec_tables(
        exec(c.get(), "EXPLAIN SELECT path FROM specs WHERE body = $1", {"x"})));
    close(c); // its count(*) is in the statistics before the next test reads them
  }

  TEST_CASE("DatabaseSource's reads scan specs, spec_files and relationships only by index") {
    const Fleet &f = fleet();
    const Conn checker = connect(f.url + "&application_name=index_use_checker");
    {
      // The counting sees a sequential scan: a statement no index serves, on a connection as
      // the sources below get them.
      const Scans before = scans(checker.get(), f.schema);
      Conn probe = connect(f.url_without_seqscan("index_use_probe"));
      exec(probe.get(), "SELECT count(*) FROM specs WHERE body = 'x'");
      close(probe);
      CHECK(scans(checker.get(), f.schema).seq.at("specs") == before.seq.at("specs") + 1);
    }
    int round = 0;
    std::vector<std::string> sequential;
    for (const Read &read : reads()) {
      CAPTURE(read.name);
      const std::string application = "index_use_" + std::to_string(++round);
      const Scans before = scans(checker.get(), f.schema);
      std::vector<int> pids;
      bool served = false;
      {
        DatabaseSource source(
            {.database_url = f.url_without_seqscan(application), .cache_bytes = 0});
        served = read.run(source);
        pids = backends(checker.get(), application);
      }
      await_exit(pids);
      const Scans after = scans(checker.get(), f.schema);
      long index_scans = 0;
      std::string counts;
      for (const auto &[table, count] : after.seq) {
        const long seq = count - before.seq.at(table),
                   idx = after.idx.at(table) - before.idx.at(table);
        index_scans += idx;
        counts += " " + table + " " + std::to_string(seq) + "/" + std::to_string(idx);
        if (seq != 0)
          sequential.push_back(read.name + " (" + table + ")");
        CHECK_MESSAGE(seq == 0, read.name << " scans " << table << " sequentially");
      }
      MESSAGE(read.name << ": sequential/index scans:" << counts);
      // What was counted is this read's work: the counters moved.
      if (served)
        CHECK(index_scans > 0);
    }
    MESSAGE("reads that scan a spec table sequentially: " << sequential.size());
    for (const auto &name : sequential)
      MESSAGE("  " << name);
  }

  TEST_CASE("a search for a word every spec holds is driven by the GIN index, planner as is") {
    // Without enable_seqscan off on the connection: the planner, left to itself, scans specs
    // sequentially for a word in most rows, detoasting every vector (seconds at showcase size).
    const Fleet &f = fleet();
    const Conn checker = connect(f.url + "&application_name=index_use_checker");
    const Scans before = scans(checker.get(), f.schema);
    std::vector<int> pids;
    {
      DatabaseSource source(
          {.database_url = f.url + "&application_name=index_use_common", .cache_bytes = 0});
      const auto result = source.search({.project_id = "*", .text = "design", .limit = 10});
      CHECK(result->total == fleet_size * specs_per_project);
      pids = backends(checker.get(), "index_use_common");
    }
    await_exit(pids);
    const Scans after = scans(checker.get(), f.schema);
    CHECK(after.seq.at("specs") == before.seq.at("specs"));
    CHECK(after.idx.at("specs") > before.idx.at("specs"));
  }
}
