// Tests DatabaseSource (src/db) against FilesystemSource: one fixture tree, imported into a
// SQLite file and into a real PostgreSQL server, must give the same JSON for every call.
#include "db/store.hpp"
#include "support/event_recorder.hpp"
#include "support/postgres_harness.hpp"
#include "support/temp_spec_tree.hpp"

#include <csignal>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <leanspec/caching_source.hpp>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/json.hpp>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace leanspec;
using leanspec::test::EventRecorder;
using leanspec::test::PostgresHarness;
using leanspec::test::TempSpecTree;

namespace {

// A tree with what real corpora hold: repeated numbers, archived specs, sub-specs, defects,
// relationships, a cycle, every status.
void build_fixture(const TempSpecTree &tree) {
  tree.spec("001-alpha",
            "status: planned\npriority: high\ntags: [cli, core]\ncreated: 2025-11-01\n"
            "depends_on:\n  - 002-beta",
            "# Alpha\n\nThe search index and the cache.\n");
  tree.write("001-alpha/DESIGN.md", "# Alpha design\n\nWatcher notes.\n");
  tree.spec("002-beta", "status: in-progress\npriority: medium\ntags: cli\nassignee: ann",
            "# Beta\n\nDepends on gamma.\n");
  tree.spec("003-gamma",
            "status: complete\ncompleted: 2025-11-20\nparent: 001-alpha\n"
            "depends_on: [001-alpha]",
            "# Gamma\n\n> **Status**: ✅ Complete\n");
  tree.spec("038-one", "status: draft", "# One of two 038s\n");
  tree.spec("038-two", "status: draft\ntags: 5", "# Two of two 038s\n");
  tree.spec("archived/010-old", "status: complete\ncompleted: 2024-01-01", "# Old\n");
  tree.write("011-broken/README.md", "---\nstatus: [unclosed\n---\n# Broken\n");
  tree.write("012-nofm/README.md", "# No frontmatter\n");
}

// Everything a client could ask, as JSON.
std::string everything(const SpecSource &source, std::string_view project) {
  std::string out;
  ListQuery all;
  all.project_id = std::string(project);
  const auto page = source.list(all);
  out += to_json(*page) + '\n';
  for (const auto &spec : page->specs) {
    const auto full = source.get(spec->id, project);
    out += to_json(*full) + '\n';
    out += to_json(*source.relationships(spec->id, project)) + '\n';
  }
  ListQuery archived = all;
  archived.filter.archived = true;
  out += to_json(*source.list(archived)) + '\n';
  for (const char *q : {"cache", "search index", "\"search index\"", "status:draft",
                        "tag:cli OR beta", "watcher~1", "created:2025-11-01..2025-11-30"}) {
    SearchQuery query;
    query.text = q;
    query.project_id = std::string(project);
    out += to_json(*source.search(query)) + '\n';
  }
  out += to_json(*source.stats(project)) + '\n';
  out += to_json(*source.validate(project)) + '\n';
  return out;
}

// `cache_bytes` 0: every answer comes cold, from the summary rows and the folders it returns.
void check_same_as_filesystem(const std::string &url, std::size_t cache_bytes = 256u << 20) {
  TempSpecTree tree;
  build_fixture(tree);
  const auto fs_source =
      make_filesystem_source({.specs_dir = tree.specs_dir(), .project_id = "acme/web"});
  const auto db = make_database_source({.database_url = url, .cache_bytes = cache_bytes});
  db->add_project({.id = "acme/web"});
  const auto first = db->import_directory("acme/web", tree.specs_dir());
  CHECK(first.added == 8);
  CHECK(first.version == 1);
  CHECK(everything(*db, "acme/web") == everything(*fs_source, "acme/web"));

  // A second import of the same tree changes nothing; an edit changes one spec.
  CHECK(db->import_directory("acme/web", tree.specs_dir()).version == 1);
  tree.spec("002-beta", "status: complete\ncompleted: 2025-12-01", "# Beta done\n");
  const auto second = db->import_directory("acme/web", tree.specs_dir());
  CHECK(second.updated == 1);
  CHECK(second.version == 2);
  const auto fresh =
      make_filesystem_source({.specs_dir = tree.specs_dir(), .project_id = "acme/web"});
  CHECK(everything(*db, "acme/web") == everything(*fresh, "acme/web"));

  // A second source on the same database (another app instance) sees the same.
  const auto other = make_database_source({.database_url = url});
  CHECK(other->get("2", "acme/web")->title == "Beta done");
  CHECK(other->get("2")->title == "Beta done"); // one project: the id may be omitted
  const auto registered = other->registered_projects();
  REQUIRE(registered.size() == 1);
  CHECK(registered[0].spec_count == 8);
  CHECK(registered[0].snapshot_version == 2);
  CHECK_THROWS_AS((void)other->get("1", "acme/nope"), Error);
}

// After a stored change, a reader re-reads only what was written: unchanged specs are the same
// objects as before, and the result is what a fresh load of the tree gives.
void check_incremental_reads(const std::string &url) {
  TempSpecTree tree;
  build_fixture(tree);
  const auto writer = make_database_source({.database_url = url});
  const auto reader =
      make_database_source({.database_url = url, .recheck = std::chrono::milliseconds(0)});
  writer->add_project({.id = "acme/web"});
  writer->import_directory("acme/web", tree.specs_dir());
  const auto before = reader->list({.project_id = "acme/web"});
  const auto old_alpha = reader->get("001-alpha", "acme/web");
  const auto old_gamma = reader->get("003-gamma", "acme/web");

  tree.spec("002-beta", "status: complete\ncompleted: 2025-12-01", "# Beta done\n"); // changed
  tree.spec("004-delta", "status: planned", "# Delta\n");                            // added
  std::filesystem::remove_all(tree.specs_dir() / "038-two");                         // removed
  std::filesystem::rename(tree.specs_dir() / "012-nofm",
                          tree.specs_dir() / "archived" / "012-nofm"); // moved
  const auto result = writer->import_directory("acme/web", tree.specs_dir());
  CHECK(result.added == 2); // 004-delta and archived/012-nofm
  CHECK(result.updated == 1);
  CHECK(result.removed == 2);

  CHECK(reader->get("001-alpha", "acme/web") == old_alpha); // shared, not parsed again
  CHECK(reader->get("003-gamma", "acme/web") == old_gamma);
  CHECK(reader->get("002-beta", "acme/web")->title == "Beta done");
  const auto fresh =
      make_filesystem_source({.specs_dir = tree.specs_dir(), .project_id = "acme/web"});
  CHECK(everything(*reader, "acme/web") == everything(*fresh, "acme/web"));
  CHECK(before->total == 8); // the page served before is untouched

  // The project removed and registered again starts its versions over: a full read.
  CHECK(writer->remove_project("acme/web"));
  writer->add_project({.id = "acme/web"});
  TempSpecTree other;
  other.spec("001-alpha", "status: planned", "# Alpha again\n");
  writer->import_directory("acme/web", other.specs_dir());
  CHECK(reader->list({.project_id = "acme/web"})->total == 1);
  CHECK(reader->get("001-alpha", "acme/web")->title == "Alpha again");
}

// Another process writing the store: forked before this one opens the database, it acts on
// each command byte ('a' add the project and import, 'i' import, 'r' remove the project) and
// answers 'k' (or 'e' on an error).
class WriterProcess {
public:
  WriterProcess(const std::string &url, const std::filesystem::path &specs_dir) {
    REQUIRE(::pipe2(commands_, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(answers_, O_CLOEXEC) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::close(commands_[1]);
      ::close(answers_[0]);
      int status = 0;
      char command = 0;
      while (::read(commands_[0], &command, 1) == 1) {
        char answer = 'k';
        try {
          const auto writer = make_database_source({.database_url = url});
          if (command == 'a')
            writer->add_project({.id = "acme/web"});
          if (command == 'r')
            writer->remove_project("acme/web");
          else
            writer->import_directory("acme/web", specs_dir);
        } catch (...) {
          answer = 'e';
          status = 1;
        }
        if (::write(answers_[1], &answer, 1) != 1)
          break;
      }
      ::_exit(status);
    }
    ::close(commands_[0]);
    ::close(answers_[1]);
  }
  ~WriterProcess() {
    ::close(commands_[1]); // the child's read ends: it exits
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    ::close(answers_[0]);
  }
  WriterProcess(const WriterProcess &) = delete;
  WriterProcess &operator=(const WriterProcess &) = delete;

  /// Sends a command and waits (60 s at most) for its answer.
  void run(char command) {
    REQUIRE(::write(commands_[1], &command, 1) == 1);
    pollfd p{answers_[0], POLLIN, 0};
    REQUIRE(::poll(&p, 1, 60000) == 1);
    char answer = 0;
    REQUIRE(::read(answers_[0], &answer, 1) == 1);
    REQUIRE(answer == 'k');
  }

private:
  int commands_[2] = {-1, -1}, answers_[2] = {-1, -1};
  pid_t pid_ = -1;
};

// A process's DatabaseSource hears of another process's writes, names exactly what they
// changed, and a CachingSource over it serves the new content.
void check_events_from_another_process(const std::string &url) {
  TempSpecTree tree;
  build_fixture(tree);
  WriterProcess writer(url, tree.specs_dir());
  writer.run('a');

  const auto db = make_database_source({.database_url = url});
  const auto cache = make_caching_source(db, {.ttl = std::chrono::hours(1)});
  EventRecorder events(*db);
  CHECK(cache->get("002-beta", "acme/web")->title == "Beta"); // cached from here on
  CHECK(cache->get("002-beta", "acme/web")->title == "Beta");

  tree.spec("002-beta", "status: complete\ncompleted: 2025-12-01", "# Beta done\n");
  tree.spec("004-delta", "status: planned", "# Delta\n");
  std::filesystem::remove_all(tree.specs_dir() / "038-two");
  writer.run('i');
  const ChangeEvent event = events.next();
  CHECK(event.project_id == "acme/web");
  CHECK(event.version == 2);
  CHECK(event.added == std::vector<std::string>{"004-delta"});
  CHECK(event.changed == std::vector<std::string>{"002-beta"});
  CHECK(event.removed == std::vector<std::string>{"038-two"});
  CHECK(cache->get("002-beta", "acme/web")->title == "Beta done");
  CHECK(cache->get("004-delta", "acme/web"));

  writer.run('i'); // nothing changed: no event
  writer.run('r');
  const ChangeEvent removal = events.next();
  CHECK(removal.removed.size() == 8);
  CHECK(removal.added.empty());
  CHECK(events.pending() == 0);
  CHECK_THROWS_AS((void)cache->get("002-beta", "acme/web"), Error);
}

} // namespace

TEST_SUITE("store") {
  TEST_CASE("the deprecated update_project(RegisteredProject) still replaces the three settings") {
    TempSpecTree tree;
    const std::string url = "sqlite:" + (tree.root() / "specs.db").string();
    const auto db = make_database_source({.database_url = url});
    db->add_project({.id = "acme/web"});
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    db->update_project(
        RegisteredProject{.id = "acme/web", .branch = "dev", .specs_path = "docs/specs"});
#pragma GCC diagnostic pop
    const RegisteredProject read = db->registered_projects().at(0);
    CHECK(read.branch == "dev");
    CHECK(read.specs_path == "docs/specs");
    CHECK(read.sync_interval == std::chrono::seconds(300));
  }

  TEST_CASE("change events reach another process's DatabaseSource and its cache (SQLite)") {
    TempSpecTree scratch;
    check_events_from_another_process("sqlite:" + (scratch.root() / "specs.db").string());
  }

  TEST_CASE("after a PostgreSQL restart reads reconnect, writes fail once, events resume") {
    auto &pg = PostgresHarness::instance();
    const std::string url = pg.url(pg.fresh_schema());
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    const auto db = make_database_source({.database_url = url});
    db->add_project({.id = "acme/web"});
    db->import_directory("acme/web", tree.specs_dir());
    EventRecorder events(*db);
    CHECK(db->get("001-alpha", "acme/web")->title == "Alpha");
    auto store = detail::Store::open(url);
    CHECK(store->snapshot_version("acme/web") == 1);

    pg.restart();                                    // every connection above is now dead
    CHECK(store->snapshot_version("acme/web") == 1); // a read: reconnected and retried
    CHECK(store->specs("acme/web").size() == 1);
    CHECK(store->record_delivery("before-restart"));

    pg.restart();
    try {
      (void)store->record_delivery("during-restart"); // a write: fails, not retried
      FAIL("a write on a connection the restart closed went through");
    } catch (const Error &e) {
      CHECK(e.code() == ErrorCode::database);
      CHECK(std::string(e.what()).find(pg.password()) == std::string::npos);
    }
    CHECK(store->record_delivery("after-restart")); // the caller's retry gets a new connection

    // The source's listener reconnects and resyncs: a write after the restart is heard of.
    tree.spec("001-alpha", "status: planned", "# Alpha two\n");
    CHECK(store
              ->replace_specs("acme/web", {{"001-alpha",
                                            {{"README.md",
                                              "---\nstatus: planned\n---\n\n# "
                                              "Alpha two\n",
                                              ""}}}})
              .version == 2);
    const ChangeEvent event = events.next();
    CHECK(event.changed == std::vector<std::string>{"001-alpha"});
    CHECK(db->get("001-alpha", "acme/web")->title == "Alpha two");
  }

  TEST_CASE("change events reach another process's DatabaseSource and its cache (PostgreSQL)") {
    auto &pg = PostgresHarness::instance();
    check_events_from_another_process(pg.url(pg.fresh_schema()));
  }

  TEST_CASE("DatabaseSource re-reads only the specs written since it last read (SQLite)") {
    TempSpecTree scratch;
    check_incremental_reads("sqlite:" + (scratch.root() / "specs.db").string());
  }

  TEST_CASE("DatabaseSource re-reads only the specs written since it last read (PostgreSQL)") {
    auto &pg = PostgresHarness::instance();
    check_incremental_reads(pg.url(pg.fresh_schema()));
  }

  TEST_CASE("DatabaseSource on SQLite answers exactly as FilesystemSource") {
    TempSpecTree scratch;
    check_same_as_filesystem("sqlite:" + (scratch.root() / "specs.db").string());
  }

  TEST_CASE("DatabaseSource on PostgreSQL answers exactly as FilesystemSource") {
    auto &pg = PostgresHarness::instance();
    check_same_as_filesystem(pg.url(pg.fresh_schema()));
  }

  TEST_CASE("DatabaseSource on SQLite answers exactly as FilesystemSource, every project cold") {
    TempSpecTree scratch;
    check_same_as_filesystem("sqlite:" + (scratch.root() / "specs.db").string(), 0);
  }

  TEST_CASE(
      "DatabaseSource on PostgreSQL answers exactly as FilesystemSource, every project cold") {
    auto &pg = PostgresHarness::instance();
    check_same_as_filesystem(pg.url(pg.fresh_schema()), 0);
  }

  TEST_CASE("a DatabaseSource picks up another writer's snapshot after `recheck`") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    const std::string url = "sqlite:" + (tree.root() / "specs.db").string();
    const auto reader =
        make_database_source({.database_url = url, .recheck = std::chrono::milliseconds(0)});
    const auto writer = make_database_source({.database_url = url});
    writer->add_project({.id = "acme/web"});
    writer->import_directory("acme/web", tree.specs_dir());
    CHECK(reader->get("1", "acme/web")->title == "Alpha");
    tree.spec("001-alpha", "status: planned", "# Alpha two\n");
    writer->import_directory("acme/web", tree.specs_dir());
    CHECK(reader->get("1", "acme/web")->title == "Alpha two");
    CHECK(writer->remove_project("acme/web"));
    CHECK_THROWS_AS((void)reader->get("1", "acme/web"), Error);
  }
}
