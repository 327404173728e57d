// Tests DatabaseSource's bounded memory (issue 18): Snapshot::memory_bytes against malloc's own
// count, the hot-snapshot budget under a random concurrent read load, cold answers (summary
// rows plus the folders returned) equal to hot ones on the real corpus, change events for
// evicted and never-kept projects, cold reads during another process's imports, project sets
// ("*", "a,b") in list and stats, and SPECS_CACHE_BYTES.
#include "db/database_source_access.hpp"
#include "snapshot/snapshot.hpp"
#include "support/event_recorder.hpp"
#include "support/postgres_harness.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_spec_tree.hpp"

#include <atomic>
#include <doctest/doctest.h>
#include <fstream>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/json.hpp>
#include <leanspec/specs_service.hpp>
#include <malloc.h>
#include <random>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace leanspec;
using leanspec::test::EventRecorder;
using leanspec::test::PostgresHarness;
using leanspec::test::ScopedEnv;
using leanspec::test::TempSpecTree;

namespace {

// `count` specs with tags, relationships and a body of some size, titled "<title> <i>".
void fill(const TempSpecTree &tree, int count, std::string_view title = "Spec") {
  for (int i = 1; i <= count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
    std::string frontmatter = "status: " + std::string(i % 3 ? "planned" : "complete") +
                              "\ntags: [" + (i % 2 ? "api" : "web") + ", core]\n";
    if (i > 1)
      frontmatter += "depends_on: [" + std::to_string(i - 1) + "]\n";
    std::string body = "# " + std::string(title) + " " + std::to_string(i) + "\n\n";
    for (int line = 0; line < 20; ++line)
      body += "Some words about the index, the cache and spec " + std::to_string(i) + ".\n";
    tree.spec(id, frontmatter, body);
  }
}

std::string sqlite_url(const TempSpecTree &scratch) {
  return "sqlite:" + (scratch.root() / "specs.db").string();
}

std::filesystem::path corpus() {
  if (const char *env = std::getenv("LEANSPEC_CORPUS"))
    return env;
  return LEANSPEC_DEFAULT_CORPUS;
}

// Every read a client makes of one project, as JSON: pages of 7 followed by their cursors
// under two sorts and of searches (words, phrases, boolean, fields, fuzzy, a filter), every
// spec and its relationships, stats and validate.
std::string reads(const SpecSource &source, const std::string &project) {
  std::string out;
  for (const char *text :
       {"cache", "search index", "\"spec index\"", "api OR web -draft", "title:spec",
        "status:planned cach", "indx~1", "tag:api index", "created:>=2025-11-01 NOT sync"}) {
    SearchQuery search{.project_id = project, .text = text, .limit = 7};
    search.filter.archived = false;
    do {
      const auto result = source.search(search);
      out += to_json(*result) + '\n';
      search.cursor = result->next_cursor;
    } while (!search.cursor.empty());
  }
  for (const auto key : {Sort::Key::number, Sort::Key::updated}) {
    ListQuery page{.project_id = project, .sort = {key, key == Sort::Key::updated}, .limit = 7};
    do {
      const auto list = source.list(page);
      out += to_json(*list) + '\n';
      page.cursor = list->next_cursor;
    } while (!page.cursor.empty());
  }
  ListQuery api{.project_id = project};
  api.filter.tags = {"api"};
  out += to_json(*source.list(api)) + '\n';
  const auto every = source.list({.project_id = project});
  for (const auto &spec : every->specs) {
    out += to_json(*source.get(spec->path, project)) + '\n';
    out += to_json(*source.relationships(spec->path, project)) + '\n';
  }
  CHECK(source.get("no-such-spec", project) == nullptr);
  out += to_json(*source.stats(project)) + '\n';
  out += to_json(*source.validate(project)) + '\n';
  return out;
}

// The bytes the heap has handed out. Under AddressSanitizer or ThreadSanitizer, malloc is the
// sanitizer's and mallinfo2() reports nothing: its own count does not round as glibc's does,
// which memory_bytes() models, so the check below is looser there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizer runtime's (sanitizer/allocator_interface.h, which Debian's GCC does not install).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
constexpr bool sanitizer_heap = true;
std::size_t heap_in_use() { return __sanitizer_get_current_allocated_bytes(); }
#else
constexpr bool sanitizer_heap = false;
std::size_t heap_in_use() { return mallinfo2().uordblks; }
#endif

} // namespace

TEST_SUITE("store") {
  TEST_CASE("Snapshot::memory_bytes agrees with malloc's count of what the snapshot holds") {
    // Parsed on this thread, so every allocation is in the main arena mallinfo2 reports.
    TempSpecTree tree;
    fill(tree, 300);
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto &entry : std::filesystem::directory_iterator(tree.specs_dir())) {
      std::ifstream in(entry.path() / "README.md", std::ios::binary);
      files.emplace_back(entry.path().filename().string(),
                         std::string(std::istreambuf_iterator<char>(in), {}));
    }
    std::vector<SpecPtr> specs;
    for (const auto &[path, readme] : files)
      specs.push_back(std::make_shared<const Spec>(parse_spec(path, readme)));
    auto snapshot = std::make_shared<const detail::Snapshot>("acme/web", std::move(specs),
                                                             std::vector<Diagnostic>{});
    const std::size_t counted = snapshot->memory_bytes();
    CHECK(snapshot->memory_bytes() == counted); // pure
    // What malloc gets back when the snapshot (the only owner of its specs) goes.
    const std::size_t before = heap_in_use();
    snapshot.reset();
    const std::size_t freed = before - heap_in_use();
    MESSAGE("malloc freed " << freed << " bytes, memory_bytes() said " << counted);
    if (sanitizer_heap) {
      // A sanitizer's allocator counts its own way: ASan the sizes requested (below
      // memory_bytes(), which models glibc's chunk headers and rounding), TSan its size
      // classes (2% above it on this mix). So only a wide band: within -10% and +50%.
      CHECK(counted > freed * 90 / 100);
      CHECK(counted < freed * 3 / 2);
    } else {
      // Within 5%: glibc's chunk rounding is modelled; what is left is its few bytes of
      // alignment slack on the odd chunk.
      CHECK(counted > freed * 95 / 100);
      CHECK(counted < freed * 105 / 100);
    }
  }

  TEST_CASE("cold answers equal hot ones and the filesystem's on the real corpus (SQLite)") {
    const auto root = corpus();
    if (!std::filesystem::is_directory(root / "specs")) {
      MESSAGE("real corpus not found at " << root << " (set LEANSPEC_CORPUS)");
      return;
    }
    TempSpecTree scratch;
    const auto writer = make_database_source({.database_url = sqlite_url(scratch)});
    writer->add_project({.id = "lean/spec"});
    writer->import_directory("lean/spec", root / "specs");
    const auto cold = make_database_source({.database_url = sqlite_url(scratch), .cache_bytes = 0});
    const auto hot = make_database_source({.database_url = sqlite_url(scratch)});
    const auto fs_source =
        make_filesystem_source({.specs_dir = root / "specs", .project_id = "lean/spec"});
    (void)hot->list({.project_id = "lean/spec"}); // two reads: hot from here on
    (void)hot->list({.project_id = "lean/spec"});
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*hot) > 0);
    MESSAGE("the real corpus's snapshot: " << detail::DatabaseSourceAccess::kept_bytes(*hot)
                                           << " bytes kept");
    const std::string expected = reads(*fs_source, "lean/spec");
    CHECK(reads(*hot, "lean/spec") == expected);
    CHECK(reads(*cold, "lean/spec") == expected);
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*cold) == 0);
  }

  TEST_CASE("a project turns hot on its second read; one-off reads never evict hot projects") {
    TempSpecTree scratch, tree;
    fill(tree, 30);
    const auto writer = make_database_source({.database_url = sqlite_url(scratch)});
    for (const char *id : {"acme/a", "acme/b", "acme/c"}) {
      writer->add_project({.id = id});
      writer->import_directory(id, tree.specs_dir());
    }
    // Room for one project's snapshot, not two.
    const auto probe = make_database_source({.database_url = sqlite_url(scratch)});
    (void)probe->stats("acme/a");
    (void)probe->stats("acme/a");
    const std::size_t one = detail::DatabaseSourceAccess::kept_bytes(*probe);
    REQUIRE(one > 0);
    const auto db =
        make_database_source({.database_url = sqlite_url(scratch), .cache_bytes = one + one / 2});
    CHECK(db->get("7", "acme/a")->title == "Spec 7"); // cold: nothing kept
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*db) == 0);
    const auto first = db->get("7", "acme/a"); // second read: kept
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*db) == one);
    CHECK(db->get("7", "acme/a") == first); // served from memory: the same object
    // One read each of b and c: cold, a stays.
    CHECK(db->get("8", "acme/b")->title == "Spec 8");
    CHECK(db->get("9", "acme/c")->title == "Spec 9");
    CHECK(db->get("7", "acme/a") == first);
    // b read again turns hot and evicts a (the least recently read).
    (void)db->get("8", "acme/b");
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*db) <= one + one / 2);
    CHECK(db->get("7", "acme/a") != first);
    CHECK(db->get("7", "acme/a")->title == "Spec 7");
  }

  TEST_CASE("change events reach subscribers for evicted and never-kept projects") {
    TempSpecTree scratch, tree;
    fill(tree, 10);
    const auto writer = make_database_source({.database_url = sqlite_url(scratch)});
    for (const char *id : {"acme/a", "acme/b"}) {
      writer->add_project({.id = id});
      writer->import_directory(id, tree.specs_dir());
    }
    const auto db = make_database_source({.database_url = sqlite_url(scratch), .cache_bytes = 1});
    EventRecorder events(*db);
    (void)db->get("1", "acme/a"); // served, never kept (the budget holds no snapshot)
    (void)db->get("1", "acme/a");
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*db) == 0);
    tree.spec("002-spec-2", "status: complete", "# Two done\n");
    tree.spec("011-new", "status: planned", "# New\n");
    std::filesystem::remove_all(tree.specs_dir() / "010-spec-10");
    writer->import_directory("acme/a", tree.specs_dir());
    const ChangeEvent event = events.next();
    CHECK(event.project_id == "acme/a");
    CHECK(event.version == 2);
    CHECK(event.changed == std::vector<std::string>{"002-spec-2"});
    CHECK(event.added == std::vector<std::string>{"011-new"});
    CHECK(event.removed == std::vector<std::string>{"010-spec-10"});
    CHECK(db->get("2", "acme/a")->title == "Two done");
    writer->remove_project("acme/a");
    const ChangeEvent removal = events.next();
    CHECK(removal.removed.size() == 10);
    CHECK(events.pending() == 0); // acme/b was never read: nothing of it
  }

  TEST_CASE("a cold read sees one stored version while another process imports") {
    TempSpecTree scratch, one, two;
    fill(one, 40, "One");
    fill(two, 40, "Two");
    const std::string url = sqlite_url(scratch);
    {
      const auto setup = make_database_source({.database_url = url});
      setup->add_project({.id = "acme/web"});
      setup->import_directory("acme/web", one.specs_dir());
    }
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      int status = 0;
      try {
        const auto writer = make_database_source({.database_url = url});
        for (int i = 0; i < 30; ++i)
          writer->import_directory("acme/web", (i % 2 ? one : two).specs_dir());
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
    const auto db = make_database_source({.database_url = url, .cache_bytes = 0});
    int reads_done = 0, mixed = 0, status = 0;
    bool exited = false;
    while (!exited || reads_done < 20) {
      exited = exited || ::waitpid(child, &status, WNOHANG) == child;
      const auto page = db->list({.project_id = "acme/web", .limit = 40});
      REQUIRE(page->specs.size() == 40);
      const std::string generation = page->specs.front()->title.substr(0, 3);
      for (const auto &spec : page->specs)
        mixed += spec->title.substr(0, 3) != generation;
      CHECK(db->stats("acme/web")->total == 40);
      ++reads_done;
    }
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(mixed == 0);
  }

  TEST_CASE("list and stats over a project set (\"*\", \"a,b\") read every project's summaries") {
    TempSpecTree scratch, small, large;
    fill(small, 3);
    fill(large, 5);
    const auto db = make_database_source({.database_url = sqlite_url(scratch)});
    db->add_project({.id = "acme/a"});
    db->import_directory("acme/a", small.specs_dir());
    db->add_project({.id = "acme/b"});
    db->import_directory("acme/b", large.specs_dir());
    db->add_project({.id = "acme/c"}); // no specs

    const auto all = db->list({.project_id = "*"});
    CHECK(all->total == 8);
    REQUIRE(all->project_ids.size() == 8);
    // Number order, ties by id then project: 001 of a, then of b.
    CHECK(all->specs[0]->id == "001-spec-1");
    CHECK(all->project_ids[0] == "acme/a");
    CHECK(all->project_ids[1] == "acme/b");
    CHECK(!all->specs[0]->body.empty()); // the whole spec, not its summary

    // Pages of 3 through the cursor give the same sequence, without repeats or gaps.
    std::vector<std::pair<std::string, std::string>> paged;
    ListQuery page{.project_id = "acme/b,acme/a", .limit = 3};
    page.filter.tags = {"api"};
    do {
      const auto list = db->list(page);
      CHECK(list->total == 5); // 1, 3 of a; 1, 3, 5 of b
      for (std::size_t i = 0; i < list->specs.size(); ++i)
        paged.emplace_back(list->project_ids[i], list->specs[i]->id);
      page.cursor = list->next_cursor;
    } while (!page.cursor.empty());
    CHECK(paged == std::vector<std::pair<std::string, std::string>>{{"acme/a", "001-spec-1"},
                                                                    {"acme/b", "001-spec-1"},
                                                                    {"acme/a", "003-spec-3"},
                                                                    {"acme/b", "003-spec-3"},
                                                                    {"acme/b", "005-spec-5"}});

    const auto stats = db->stats("*");
    CHECK(stats->total == 8);
    CHECK(stats->by_project.size() == 3);
    CHECK(stats->by_project.at("acme/a").at(Status::complete) == 1);
    CHECK(stats->by_project.at("acme/b").at(Status::complete) == 1);
    CHECK(stats->by_project.at("acme/c").at(Status::planned) == 0);
    CHECK(stats->by_tag.at("core") == 8);
    CHECK(db->stats("acme/a")->by_project.empty()); // one project: as before

    CHECK_THROWS_AS((void)db->list({.project_id = "acme/a,acme/nope"}), Error);
    CHECK_THROWS_AS((void)db->stats("acme/a,,acme/b"), Error);
    // A set's cursor is refused by a one-project list, and back.
    const auto set_page = db->list({.project_id = "*", .limit = 1});
    CHECK_THROWS_AS((void)db->list({.project_id = "acme/a", .cursor = set_page->next_cursor}),
                    Error);
    const auto one_page = db->list({.project_id = "acme/a", .limit = 1});
    CHECK_THROWS_AS((void)db->list({.project_id = "*", .cursor = one_page->next_cursor}), Error);
  }

  TEST_CASE("SPECS_CACHE_BYTES sets the service's budget; a malformed value names it") {
    ScopedEnv env({"SPECS_CACHE_BYTES", "SPECS_MODE", "SPECS_DIR"});
    TempSpecTree tree;
    env.set("SPECS_DIR", tree.specs_dir().string());
    std::filesystem::create_directories(tree.specs_dir());
    CHECK(ServiceConfig::from_env().cache_bytes == 256u << 20);
    env.set("SPECS_CACHE_BYTES", "1048576");
    CHECK(ServiceConfig::from_env().cache_bytes == 1048576);
    env.set("SPECS_CACHE_BYTES", "0");
    CHECK(ServiceConfig::from_env().cache_bytes == 0);
    for (const char *bad : {"12MB", "-1", "1e9", "99999999999999999999999"}) {
      env.set("SPECS_CACHE_BYTES", bad);
      try {
        (void)ServiceConfig::from_env();
        FAIL("accepted " << bad);
      } catch (const Error &e) {
        CHECK(e.code() == ErrorCode::config);
        CHECK(std::string(e.what()).find("SPECS_CACHE_BYTES") != std::string::npos);
      }
    }
  }

  TEST_CASE("cold answers equal hot ones, and project sets work, on PostgreSQL") {
    auto &pg = PostgresHarness::instance();
    const std::string url = pg.url(pg.fresh_schema());
    TempSpecTree tree;
    fill(tree, 25);
    tree.spec("archived/030-old", "status: complete\nparent: 1", "# Old\n");
    tree.write("001-spec-1/DESIGN.md", "# Design\n\nNotes.\n");
    const auto writer = make_database_source({.database_url = url});
    for (const char *id : {"acme/a", "acme/b"}) {
      writer->add_project({.id = id});
      writer->import_directory(id, tree.specs_dir());
    }
    const auto cold = make_database_source({.database_url = url, .cache_bytes = 0});
    const auto fs_source =
        make_filesystem_source({.specs_dir = tree.specs_dir(), .project_id = "acme/a"});
    CHECK(reads(*cold, "acme/a") == reads(*fs_source, "acme/a"));
    const auto all = cold->list({.project_id = "*", .limit = 4});
    CHECK(all->total == 52);
    CHECK(all->project_ids == std::vector<std::string>{"acme/a", "acme/b", "acme/a", "acme/b"});
    CHECK(cold->stats("acme/a,acme/b")->by_project.at("acme/b") == fs_source->stats()->by_status);
  }
}

TEST_SUITE("concurrency") {
  TEST_CASE("the budget holds under a random read load over many projects, on many threads") {
    TempSpecTree scratch, tree;
    fill(tree, 20);
    const std::string url = sqlite_url(scratch);
    constexpr int projects = 24;
    {
      const auto writer = make_database_source({.database_url = url});
      for (int p = 0; p < projects; ++p) {
        const std::string id = "acme/p" + std::to_string(p);
        writer->add_project({.id = id});
        writer->import_directory(id, tree.specs_dir());
      }
    }
    const auto probe = make_database_source({.database_url = url});
    (void)probe->stats("acme/p0");
    (void)probe->stats("acme/p0");
    const std::size_t one = detail::DatabaseSourceAccess::kept_bytes(*probe);
    const std::size_t budget = one * 4; // four of 24 projects; a search index makes it fewer
    const auto db = make_database_source({.database_url = url, .cache_bytes = budget});
    std::atomic<int> wrong{0}, over{0};
    std::vector<std::jthread> readers;
    for (int t = 0; t < 4; ++t)
      readers.emplace_back([&, t] {
        std::mt19937 random(static_cast<unsigned>(t));
        for (int i = 0; i < 150; ++i) {
          // Skewed: low project numbers are read far more often (they turn and stay hot).
          const int p =
              static_cast<int>(random() % projects) % (1 + static_cast<int>(random() % 6));
          const std::string id = "acme/p" + std::to_string(p);
          const int n = 1 + static_cast<int>(random() % 20);
          switch (random() % 4) {
          case 0:
            wrong += db->get(std::to_string(n), id)->title != "Spec " + std::to_string(n);
            break;
          case 1:
            wrong += db->list({.project_id = id, .limit = 5})->total != 20;
            break;
          case 2:
            wrong += db->stats(id)->total != 20;
            break;
          default:
            wrong += db->search({.project_id = id, .text = "index"})->total != 20;
          }
          over += detail::DatabaseSourceAccess::kept_bytes(*db) > budget;
        }
      });
    readers.clear();
    CHECK(wrong == 0);
    CHECK(over == 0);
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*db) > 0);
    CHECK(detail::DatabaseSourceAccess::kept_bytes(*db) <= budget);
  }
}
