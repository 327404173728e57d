// Tests SpecsService (src/service): configuration from the environment and its errors, routing
// by mode and project id, cache statistics and control, revalidate, merged change events, and
// degradation on real parts: a specs directory renamed away and back, a SQLite file that is not
// a database at start-up, a real PostgreSQL server stopped and started mid-test. Suite
// "service" (ctest `service`, labels integration and concurrency: the service runs a watcher,
// a notifier and a probe thread).
#include "github/webhook.hpp"
#include "support/event_recorder.hpp"
#include "support/eventually.hpp"
#include "support/fake_github.hpp"
#include "support/postgres_harness.hpp"
#include "support/scoped_env.hpp"
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/specs_service.hpp>

using namespace leanspec;
using leanspec::test::EventRecorder;
using leanspec::test::eventually;
using leanspec::test::FakeGithub;
using leanspec::test::PostgresHarness;
using leanspec::test::TempSpecTree;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// The service's environment variables, unset for one test and restored afterwards.
struct Env : leanspec::test::ScopedEnv {
  Env()
      : ScopedEnv({"SPECS_MODE", "SPECS_DIR", "DATABASE_URL", "GITHUB_TOKEN", "GITHUB_API_URL",
                   "CACHE_TTL", "CACHE_TTL_MS", "WEBHOOK_SECRET", "WEBHOOK_SECRET_PREVIOUS",
                   "REVALIDATION_SECRET"}) {}
};

void local_specs(const TempSpecTree &tree) {
  tree.spec("001-alpha", "status: planned\ntags: [cli]\ndepends_on: [002-beta]",
            "# Alpha\n\nThe local cache.\n");
  tree.spec("002-beta", "status: in-progress\npriority: high", "# Beta\n");
  tree.write("002-beta/DESIGN.md", "# Beta design\n");
}

void remote_specs(const TempSpecTree &tree, std::string_view title = "Remote one") {
  tree.spec("010-remote-one", "status: complete", "# " + std::string(title) + "\n");
  tree.spec("011-remote-two", "status: draft\ntags: [web]", "# Remote two\n");
}

ServiceConfig config_for(SpecsMode mode, const TempSpecTree &local, std::string database_url) {
  ServiceConfig config;
  config.mode = mode;
  config.specs_dir = local.specs_dir();
  config.database_url = std::move(database_url);
  config.probe_interval = 50ms;
  return config;
}

std::string sqlite_url(const fs::path &file) { return "sqlite:" + file.string(); }

// Registers `id` in the database at `url` and stores `tree`'s specs as its snapshot, through a
// DatabaseSource of its own (as another process or the GitHub sync would).
void publish(const std::string &url, const std::string &id, const TempSpecTree &tree) {
  DatabaseOptions options;
  options.database_url = url;
  DatabaseSource db(options);
  const auto registered = db.registered_projects();
  if (std::none_of(registered.begin(), registered.end(),
                   [&](const RegisteredProject &p) { return p.id == id; }))
    db.add_project({.id = id});
  db.import_directory(id, tree.specs_dir());
}

const SourceHealth &health_of(const ServiceHealth &health, SourceKind kind) {
  for (const auto &s : health.sources)
    if (s.source == kind)
      return s;
  FAIL("no such source in health()");
  return health.sources.front();
}

SourceState state_of(const SpecsService &service, SourceKind kind) {
  return health_of(service.health(), kind).state;
}

std::string error_text(const std::function<void()> &call, ErrorCode expected) {
  try {
    call();
  } catch (const Error &e) {
    CHECK_MESSAGE(e.code() == expected, e.what());
    return e.what();
  }
  FAIL("no Error thrown");
  return {};
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

} // namespace

TEST_SUITE("service") {
  TEST_CASE("from_env reads every variable, with the documented defaults") {
    Env env;
    TempSpecTree tree;
    local_specs(tree);
    env.set("SPECS_DIR", tree.specs_dir().string());
    ServiceConfig config = ServiceConfig::from_env();
    CHECK(config.mode == SpecsMode::filesystem);
    CHECK(config.cache_ttl == 60'000ms);
    CHECK(config.github_api_url == "https://api.github.com");
    CHECK(config.webhook_secrets.empty());
    CHECK(config.revalidation_secret.empty());

    env.set("SPECS_MODE", "both");
    env.set("DATABASE_URL", sqlite_url(tree.root() / "x.db"));
    env.set("GITHUB_TOKEN", "ghp_token");
    env.set("GITHUB_API_URL", "http://127.0.0.1:9/api");
    env.set("CACHE_TTL_MS", "250");
    env.set("WEBHOOK_SECRET", "new-secret");
    env.set("WEBHOOK_SECRET_PREVIOUS", "old-secret");
    env.set("REVALIDATION_SECRET", "reval");
    config = ServiceConfig::from_env();
    CHECK(config.mode == SpecsMode::both);
    CHECK(config.specs_dir == tree.specs_dir());
    CHECK(config.database_url == sqlite_url(tree.root() / "x.db"));
    CHECK(config.github_token == "ghp_token");
    CHECK(config.github_api_url == "http://127.0.0.1:9/api");
    CHECK(config.cache_ttl == 250ms);
    CHECK(config.webhook_secrets == std::vector<std::string>{"new-secret", "old-secret"});
    CHECK(config.revalidation_secret == "reval");
  }

  TEST_CASE(
      "from_env reads CACHE_TTL, CACHE_TTL_MS's deprecated name, when CACHE_TTL_MS is unset") {
    Env env;
    TempSpecTree tree;
    env.set("SPECS_DIR", tree.specs_dir().string());
    env.set("CACHE_TTL", "300");
    CHECK(ServiceConfig::from_env().cache_ttl == 300ms);
    env.set("CACHE_TTL_MS", "400");
    CHECK(ServiceConfig::from_env().cache_ttl == 400ms);
    env.set("CACHE_TTL_MS", "soon");
    CHECK_THROWS_WITH_AS(ServiceConfig::from_env(), doctest::Contains("CACHE_TTL_MS: 'soon'"),
                         Error);
  }

  TEST_CASE("from_env reports every bad variable by name, at once, without secrets") {
    Env env;
    TempSpecTree tree;
    env.set("SPECS_MODE", "both");
    env.set("SPECS_DIR", (tree.root() / "nowhere").string());
    env.set("DATABASE_URL", "mysql://db/specs");
    env.set("GITHUB_TOKEN", "ghp_SECRET1 x");
    env.set("GITHUB_API_URL", "ftp://api.github.com");
    env.set("CACHE_TTL_MS", "soon");
    env.set("WEBHOOK_SECRET_PREVIOUS", "SECRET2");
    env.set("REVALIDATION_SECRET", "SECRET3\n");
    const std::string message = error_text([] { ServiceConfig::from_env(); }, ErrorCode::config);
    for (const char *name : {"SPECS_DIR", "DATABASE_URL", "GITHUB_TOKEN", "GITHUB_API_URL",
                             "CACHE_TTL_MS", "WEBHOOK_SECRET_PREVIOUS", "REVALIDATION_SECRET"})
      CHECK_MESSAGE(contains(message, name), name);
    CHECK(contains(message, "nowhere"));
    CHECK(contains(message, "soon"));
    for (const char *secret : {"SECRET1", "SECRET2", "SECRET3"})
      CHECK_MESSAGE(!contains(message, secret), message);

    Env again;
    again.set("SPECS_MODE", "filesystems");
    again.set("SPECS_DIR", tree.root().string());
    CHECK(contains(error_text([] { ServiceConfig::from_env(); }, ErrorCode::config),
                   "SPECS_MODE: 'filesystems' is not one of filesystem, database, both"));
    again.set("SPECS_MODE", "filesystem");
    again.set("CACHE_TTL_MS", "-5");
    CHECK(
        contains(error_text([] { ServiceConfig::from_env(); }, ErrorCode::config), "CACHE_TTL_MS"));
  }

  TEST_CASE("GITHUB_TOKEN is trimmed of a pasted newline; a control character inside is a "
            "problem that does not show it") {
    Env env;
    TempSpecTree tree;
    local_specs(tree);
    env.set("SPECS_DIR", tree.specs_dir().string());
    env.set("GITHUB_TOKEN", "  ghp_token\r\n");
    CHECK(ServiceConfig::from_env().github_token == "ghp_token");
    env.set("GITHUB_TOKEN", "ghp_SECRET1\r\nX-Injected: yes");
    const std::string message = error_text([] { ServiceConfig::from_env(); }, ErrorCode::config);
    CHECK(contains(message, "GITHUB_TOKEN"));
    CHECK_FALSE(contains(message, "SECRET1"));
    CHECK_FALSE(contains(message, "X-Injected"));
  }

  TEST_CASE("a DATABASE_URL that is a libpq connection string is PostgreSQL: no file is made, "
            "no password shown") {
    TempSpecTree tree;
    local_specs(tree);
    const fs::path before = fs::current_path();
    fs::current_path(tree.root()); // where a file named after the string would appear
    // Nothing listens on port 1: the database is down, with an error.
    const std::string url =
        "host=127.0.0.1 port=1 user=app password=hunter2 dbname=specs connect_timeout=2";
    {
      SpecsService service(config_for(SpecsMode::both, tree, url));
      const ServiceHealth health = service.health();
      const std::string json = to_json(health);
      const SourceHealth &db = health_of(health, SourceKind::database);
      CHECK(db.state == SourceState::down);
      CHECK(contains(db.description, "password=***"));
      CHECK_FALSE(contains(json, "hunter2"));
      CHECK_FALSE(contains(db.error, "hunter2"));
      CHECK(contains(db.error, "PostgreSQL"));
    }
    std::vector<std::string> made;
    for (const auto &entry : fs::directory_iterator(tree.root()))
      if (entry.path() != tree.specs_dir())
        made.push_back(entry.path().filename().string());
    fs::current_path(before);
    CHECK_MESSAGE(made.empty(), (made.empty() ? std::string() : made.front()));
  }

  TEST_CASE("an explicit config is checked the same way when the service starts") {
    TempSpecTree tree;
    ServiceConfig config;
    config.specs_dir = tree.root() / "missing";
    config.cache_ttl = -1ms;
    config.probe_interval = 0ms;
    config.webhook_secrets = {"a", "b", "c"};
    const auto problems = config.problems();
    CHECK(problems.size() == 4);
    const std::string message =
        error_text([&] { SpecsService service(config); }, ErrorCode::config);
    for (const char *what : {"SPECS_DIR", "CACHE_TTL", "probe_interval", "at most two"})
      CHECK_MESSAGE(contains(message, what), what);
    // The database mode does not need a specs directory, nor the filesystem mode a database URL.
    config = {};
    config.mode = SpecsMode::database;
    config.specs_dir = tree.root() / "missing";
    config.database_url = sqlite_url(tree.root() / "db.sqlite");
    CHECK(config.problems().empty());
    config.mode = SpecsMode::filesystem;
    config.specs_dir = tree.root();
    config.database_url = "mysql://nope";
    CHECK(config.problems().empty());
  }

  TEST_CASE("filesystem mode: every call goes to the specs directory; a project id is refused") {
    TempSpecTree tree;
    local_specs(tree);
    SpecsService service(config_for(SpecsMode::filesystem, tree, ""));
    CHECK(service.mode() == SpecsMode::filesystem);
    const std::string local = service.filesystem_project_id();
    CHECK(!local.empty());

    CHECK(service.list()->total == 2);
    CHECK(service.list({.project_id = local})->total == 2);
    const auto beta = service.get("2");
    REQUIRE(beta);
    CHECK(beta->title == "Beta");
    REQUIRE(beta->sub_specs.size() == 1); // sub-specs come with the spec
    CHECK(beta->sub_specs.front().file == "DESIGN.md");
    CHECK(service.search({.text = "cache"})->hits.size() == 1);
    CHECK(service.stats()->total == 2);
    CHECK(service.relationships("1")->depends_on == std::vector<std::string>{"002-beta"});
    CHECK(service.validate(local)->empty());
    CHECK(service.by_status()[Status::in_progress].size() == 1);

    const auto projects = service.projects();
    REQUIRE(projects.size() == 1);
    CHECK(projects.front().id == local);
    const auto served = service.served_projects();
    REQUIRE(served.size() == 1);
    CHECK(served.front().source == SourceKind::filesystem);
    CHECK(!served.front().registration);

    for (const auto &call : std::vector<std::function<void()>>{
             [&] { service.list({.project_id = "acme/web"}); },
             [&] { service.get("1", "acme/web"); },
             [&] { service.search({.project_id = "acme/web", .text = "x"}); },
             [&] { service.stats("acme/web"); }, [&] { service.relationships("1", "acme/web"); },
             [&] { service.validate("acme/web"); }}) {
      const std::string message = error_text(call, ErrorCode::not_found);
      CHECK(contains(message, "acme/web"));
      CHECK(contains(message, "database mode is off"));
    }
    CHECK(contains(error_text([&] { service.registered_projects(); }, ErrorCode::not_found),
                   "database mode is off"));
    CHECK(
        contains(error_text([&] { service.add_project({.id = "acme/web"}); }, ErrorCode::not_found),
                 "database mode is off"));
    const auto health = service.health();
    CHECK(!health.stale);
    REQUIRE(health.sources.size() == 1);
    CHECK(health.sources.front().state == SourceState::ok);
  }

  TEST_CASE("database mode: no project id means the only project; several need an id") {
    TempSpecTree local, remote;
    remote_specs(remote);
    const std::string url = sqlite_url(local.root() / "specs.db");
    SpecsService service(config_for(SpecsMode::database, local, url));
    CHECK(service.filesystem_project_id().empty());
    CHECK(contains(error_text([&] { service.list(); }, ErrorCode::invalid_argument),
                   "no project is registered"));

    service.add_project({.id = "acme/web"});
    service.import_directory("acme/web", remote.specs_dir());
    CHECK(service.list()->total == 2); // the only project
    CHECK(service.get("10")->title == "Remote one");
    CHECK(service.list({.project_id = "acme/web"})->total == 2);
    CHECK(service.stats()->by_status.at(Status::complete) == 1);

    service.add_project({.id = "acme/api"});
    const std::string message = error_text([&] { service.get("10"); }, ErrorCode::invalid_argument);
    CHECK(contains(message, "a project id is needed: 2 projects"));
    CHECK(contains(message, "acme/api"));
    CHECK(service.get("10", "acme/web")->title == "Remote one");
    CHECK(contains(
        error_text([&] { service.list({.project_id = "acme/nope"}); }, ErrorCode::not_found),
        "acme/nope"));
    CHECK(service.projects().size() == 2);
    CHECK(service.remove_project("acme/api"));
    CHECK(service.get("11")->title == "Remote two");
  }

  TEST_CASE("both mode: the filesystem project and every registered project, each marked") {
    TempSpecTree local, remote;
    local_specs(local);
    remote_specs(remote);
    const std::string url = sqlite_url(local.root() / "specs.db");
    publish(url, "acme/web", remote);
    SpecsService service(config_for(SpecsMode::both, local, url));
    const std::string fs_id = service.filesystem_project_id();

    CHECK(service.list()->total == 2);
    CHECK(service.get("1")->title == "Alpha");
    CHECK(service.get("1", fs_id)->title == "Alpha");
    CHECK(!service.get("10")); // not in the specs directory
    CHECK(service.get("10", "acme/web")->title == "Remote one");
    CHECK(service.search({.project_id = "acme/web", .text = "tag:web"})->hits.size() == 1);
    CHECK(service.relationships("11", "acme/web")->id == "011-remote-two");
    for (const auto &d : *service.validate("acme/web"))
      CHECK_MESSAGE(d.severity != Diagnostic::Severity::error, d.message);
    CHECK(service.by_status("acme/web")[Status::draft].size() == 1);

    const auto projects = service.projects();
    REQUIRE(projects.size() == 2);
    CHECK(projects[0].id == fs_id);
    CHECK(projects[1].id == "acme/web");
    const auto served = service.served_projects();
    REQUIRE(served.size() == 2);
    CHECK(served[0].source == SourceKind::filesystem);
    CHECK(served[1].source == SourceKind::database);
    REQUIRE(served[1].registration);
    CHECK(served[1].registration->spec_count == 2);
    CHECK(contains(to_json(served[1]), "\"source\":\"database\""));
    CHECK(service.health().sources.size() == 2);
    CHECK(!service.is_stale());
    CHECK(!service.is_stale("acme/web"));
  }

  TEST_CASE("cache statistics: a realistic request mix hits more than 90% after warm-up") {
    TempSpecTree local, remote;
    local_specs(local);
    remote_specs(remote);
    const std::string url = sqlite_url(local.root() / "specs.db");
    publish(url, "acme/web", remote);
    SpecsService service(config_for(SpecsMode::both, local, url));
    // What a web app's pages ask: the board, a spec page with its relationships, stats, a
    // search; per project. 12 distinct requests, each a miss once.
    const auto page_views = [&] {
      for (const std::string &project : {std::string(), std::string("acme/web")}) {
        const std::string first = project.empty() ? "1" : "10";
        const std::string second = project.empty() ? "2" : "11";
        service.list({.project_id = project});
        service.get(first, project);
        service.get(second, project);
        service.relationships(first, project);
        service.stats(project);
        service.search({.project_id = project, .text = "remote OR beta"});
      }
    };
    page_views();
    auto stats = service.cache_stats();
    CHECK(stats.total.misses == 12);
    CHECK(stats.total.hits == 0);
    CHECK(stats.total.entries == 12);
    for (int i = 0; i < 20; ++i)
      page_views();
    stats = service.cache_stats();
    CHECK(stats.total.misses == 12);
    CHECK(stats.total.hits == 240);
    CHECK(stats.hit_rate == doctest::Approx(240.0 / 252));
    CHECK(stats.hit_rate > 0.9);
    REQUIRE(stats.sources.size() == 2);
    CHECK(stats.sources[0].source == SourceKind::filesystem);
    CHECK(stats.sources[0].counters.hits == 120);
    CHECK(stats.sources[1].counters.misses == 6);
    CHECK(contains(to_json(stats), "\"hits\":240"));

    service.invalidate();
    CHECK(service.cache_stats().total.entries == 0);
    service.list();
    CHECK(service.cache_stats().total.misses == 13);
  }

  // The service's own change events (the database listener) also drop cached results when the
  // stored version moves, at a time of their choosing. These two tests wait for that event
  // first, then count the cache's misses: a call that drops nothing leaves the next read a
  // hit, a call that drops the spec makes it a miss.
  TEST_CASE("revalidate: only the configured secret, compared as a whole, drops the cache") {
    TempSpecTree local, remote;
    remote_specs(remote);
    const std::string url = sqlite_url(local.root() / "specs.db");
    publish(url, "acme/web", remote);
    ServiceConfig config = config_for(SpecsMode::database, local, url);
    config.revalidation_secret = "s3cret-token";
    SpecsService service(config);
    CHECK(service.get("10")->title == "Remote one");

    EventRecorder log(service);
    TempSpecTree changed;
    remote_specs(changed, "Remote one, changed");
    publish(url, "acme/web", changed);
    REQUIRE(log.wait([&] { return !log.events().empty(); }));
    CHECK(service.get("10")->title == "Remote one, changed");
    const auto misses = [&] { return service.cache_stats().total.misses; };
    service.get("10");
    const auto settled = misses();

    CHECK(!service.revalidate("s3cret-tokeN", "10"));
    CHECK(!service.revalidate("s3cret-token2", "10"));
    CHECK(!service.revalidate("s3cret", "10"));
    CHECK(!service.revalidate("", "10"));
    service.get("10");
    CHECK(misses() == settled); // nothing was dropped
    CHECK(service.revalidate("s3cret-token", "10"));
    service.get("10");
    CHECK(misses() == settled + 1);
    CHECK(service.revalidate("s3cret-token")); // everything
    service.get("10");
    CHECK(misses() == settled + 2);

    config.revalidation_secret.clear();
    SpecsService without(config);
    CHECK(!without.revalidate(""));
    CHECK(!without.revalidate("s3cret-token"));
  }

  TEST_CASE("invalidate(ref) drops what a number, slug or id of the spec cached") {
    TempSpecTree local, remote;
    remote_specs(remote);
    const std::string url = sqlite_url(local.root() / "specs.db");
    publish(url, "acme/web", remote);
    SpecsService service(config_for(SpecsMode::both, local, url));
    const auto read_all = [&] {
      return service.get("10", "acme/web")->title + "|" +
             service.get("remote-one", "acme/web")->title + "|" +
             service.list({.project_id = "acme/web"})->specs.front()->title;
    };
    CHECK(read_all() == "Remote one|Remote one|Remote one");
    EventRecorder log(service);
    TempSpecTree changed;
    remote_specs(changed, "Changed");
    publish(url, "acme/web", changed);
    REQUIRE(log.wait([&] { return !log.events().empty(); }));
    CHECK(read_all() == "Changed|Changed|Changed");
    const auto misses = [&] { return service.cache_stats().total.misses; };
    read_all();
    const auto settled = misses();
    read_all();
    CHECK(misses() == settled); // all three cached
    service.invalidate("10", "acme/web");
    read_all();
    CHECK(misses() == settled + 3); // the number dropped the slug's and the list's entries too
  }

  TEST_CASE("subscribe merges the sources' change events, after the caches dropped theirs") {
    TempSpecTree local, remote;
    local_specs(local);
    remote_specs(remote);
    const std::string url = sqlite_url(local.root() / "specs.db");
    publish(url, "acme/web", remote);
    SpecsService service(config_for(SpecsMode::both, local, url));
    EventRecorder log(service);
    CHECK(service.get("1")->title == "Alpha"); // cached
    local.spec("001-alpha", "status: planned", "# Alpha edited\n");
    REQUIRE(log.wait([&] {
      const auto events = log.events();
      return std::any_of(events.begin(), events.end(), [&](const ChangeEvent &e) {
        return e.project_id == service.filesystem_project_id() &&
               std::find(e.changed.begin(), e.changed.end(), "001-alpha") != e.changed.end();
      });
    }));
    CHECK(service.get("1")->title == "Alpha edited");
  }

  TEST_CASE("the specs directory renamed away: the last snapshot is served, health says why") {
    TempSpecTree local;
    local_specs(local);
    SpecsService service(config_for(SpecsMode::filesystem, local, ""));
    EventRecorder log(service);
    CHECK(service.list()->total == 2);
    const fs::path away = local.root() / "specs-away";
    fs::rename(local.specs_dir(), away);
    REQUIRE(eventually([&] { return service.is_stale(); }));
    const auto health = service.health();
    CHECK(health.stale);
    const SourceHealth &files = health_of(health, SourceKind::filesystem);
    CHECK(files.state == SourceState::stale);
    CHECK(contains(files.error, local.specs_dir().string()));
    CHECK(contains(files.error, "missing"));
    CHECK(files.since <=
          std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()));
    CHECK(contains(to_json(health), "\"state\":\"stale\""));
    // Answers come from the snapshot before the rename.
    CHECK(service.list()->total == 2);
    CHECK(service.get("2")->title == "Beta");
    CHECK(service.search({.text = "cache"})->hits.size() == 1);
    CHECK(service.stats()->total == 2);
    const auto diagnostics = service.validate();
    CHECK(std::any_of(diagnostics->begin(), diagnostics->end(),
                      [](const Diagnostic &d) { return d.code == "specs-dir-missing"; }));
    CHECK(service.served_projects().front().stale);

    fs::rename(away, local.specs_dir());
    REQUIRE(eventually([&] { return !service.is_stale(); }));
    CHECK(state_of(service, SourceKind::filesystem) == SourceState::ok);
    CHECK(service.validate()->empty());
    local.spec("003-gamma", "status: draft", "# Gamma\n");
    REQUIRE(log.wait([&] { return service.list()->total == 3; }));
  }

  TEST_CASE("a SQLite file that is not a database at start-up: both mode serves the files") {
    TempSpecTree local, remote;
    local_specs(local);
    remote_specs(remote);
    const fs::path file = local.root() / "specs.db";
    {
      std::ofstream garbage(file, std::ios::binary);
      garbage << std::string(8192, 'x');
    }
    SpecsService service(config_for(SpecsMode::both, local, sqlite_url(file)));
    SourceHealth db = health_of(service.health(), SourceKind::database);
    CHECK(db.state == SourceState::down);
    CHECK(contains(db.error, file.string()));
    CHECK(service.health().stale);
    CHECK(!service.is_stale()); // the filesystem project is fine
    CHECK(service.list()->total == 2);
    CHECK(service.projects().size() == 1);
    CHECK(service.served_projects().size() == 1);
    CHECK(
        contains(error_text([&] { service.list({.project_id = "acme/web"}); }, ErrorCode::database),
                 "unavailable"));
    CHECK(service.is_stale("acme/web"));
    CHECK(service.cache_stats().sources.size() == 1);

    // The file is replaced by a real database: the probe thread opens it.
    const fs::path good = local.root() / "good.db";
    publish(sqlite_url(good), "acme/web", remote);
    fs::rename(good, file);
    REQUIRE(eventually([&] { return !service.health().stale; }));
    CHECK(service.list({.project_id = "acme/web"})->total == 2);
    CHECK(service.projects().size() == 2);
  }

  TEST_CASE("database mode with an unreachable PostgreSQL at start-up: calls throw, no crash") {
    TempSpecTree local;
    // A port nothing listens on (PostgreSQL's own is elsewhere): connection refused.
    const std::string url = "postgresql://leanspec:pw@127.0.0.1:1/nothing";
    SpecsService service(config_for(SpecsMode::database, local, url));
    const auto health = service.health();
    REQUIRE(health.sources.size() == 1);
    CHECK(health.sources.front().state == SourceState::down);
    CHECK(!contains(health.sources.front().error, ":pw@"));
    CHECK(error_text([&] { service.list(); }, ErrorCode::database).size() > 0);
    CHECK(error_text([&] { service.get("1", "acme/web"); }, ErrorCode::database).size() > 0);
    CHECK(error_text([&] { service.registered_projects(); }, ErrorCode::database).size() > 0);
  }

  TEST_CASE("PostgreSQL stopped mid-test: last good data, marked stale, until it is back") {
    auto &pg = PostgresHarness::instance();
    const std::string url = pg.url(pg.fresh_schema());
    TempSpecTree local, remote;
    local_specs(local);
    remote_specs(remote);
    publish(url, "acme/web", remote);
    ServiceConfig config = config_for(SpecsMode::both, local, url);
    config.cache_ttl = 0ms; // every call reaches the database
    SpecsService service(config);
    CHECK(service.get("10", "acme/web")->title == "Remote one");
    CHECK(service.projects().size() == 2);

    struct Restart {
      PostgresHarness &pg;
      ~Restart() {
        try {
          pg.start_server();
        } catch (...) {
        }
      }
    } restart{pg};
    pg.stop_server();
    // The first call that reaches the database (the DatabaseSource looks at it again every
    // 20 ms) meets the broken connection; from then on answers come from memory.
    REQUIRE(eventually([&] {
      CHECK(service.list({.project_id = "acme/web"})->total == 2);
      return service.is_stale("acme/web");
    }));
    CHECK(service.get("10", "acme/web")->title == "Remote one");
    CHECK(service.search({.project_id = "acme/web", .text = "remote"})->total == 2);
    CHECK(service.is_stale("acme/web"));
    CHECK(!service.is_stale());
    const SourceHealth db = health_of(service.health(), SourceKind::database);
    CHECK(db.state == SourceState::stale);
    CHECK(!db.error.empty());
    CHECK(!contains(db.error, pg.password()));
    const auto diagnostics = service.validate("acme/web");
    CHECK(std::any_of(diagnostics->begin(), diagnostics->end(),
                      [](const Diagnostic &d) { return d.code == "database-unavailable"; }));
    CHECK(service.projects().size() == 2); // the last registered projects read
    CHECK(service.list()->total == 2);     // the filesystem is untouched
    CHECK(error_text([&] { service.add_project({.id = "acme/api"}); }, ErrorCode::database).size() >
          0);

    pg.start_server();
    REQUIRE(eventually([&] { return !service.is_stale("acme/web"); }));
    TempSpecTree changed;
    remote_specs(changed, "Remote one, after the restart");
    service.import_directory("acme/web", changed.specs_dir());
    CHECK(service.get("10", "acme/web")->title == "Remote one, after the restart");
  }

  TEST_CASE("sync_now through the service: the synced content is what the next get shows") {
    FakeGithub github(leanspec::test::RepoFiles{
        {"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha\n"}});
    TempSpecTree local;
    ServiceConfig config =
        config_for(SpecsMode::database, local, sqlite_url(local.root() / "specs.db"));
    config.github_api_url = github.api_url();
    config.github_token = github.token();
    SpecsService service(config);
    service.add_project({.id = "acme/web"});
    const SyncRun first = service.sync_now("acme/web");
    CHECK_MESSAGE(first.outcome == SyncOutcome::ok, first.error);
    CHECK(service.get("1")->title == "Alpha"); // cached from here on
    github.commit({{"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha two\n"}});
    const SyncRun second = service.sync_now("acme/web");
    CHECK_MESSAGE(second.outcome == SyncOutcome::ok, second.error);
    CHECK(second.updated == 1);
    CHECK(service.get("1")->title == "Alpha two");
    const auto registered = service.registered_projects();
    REQUIRE(registered.size() == 1);
    CHECK(registered.front().commit_sha == github.head());
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    CHECK(registered.front().last_commit == github.head()); // the alias, for one release
#pragma GCC diagnostic pop
    CHECK(contains(error_text([&] { service.sync_now("acme/nope"); }, ErrorCode::not_found),
                   "acme/nope"));
  }

  TEST_CASE("webhooks through the service: no secret rejects all; either rotation secret works") {
    TempSpecTree local;
    const std::string body = R"({"zen":"Design for failure.","hook_id":1})";
    const auto delivery = [&](std::string_view key, std::string id) {
      return std::vector<std::pair<std::string, std::string>>{
          {"X-GitHub-Event", "ping"},
          {"X-GitHub-Delivery", std::move(id)},
          {"X-Hub-Signature-256", detail::webhook_signature(key, body)}};
    };
    ServiceConfig config =
        config_for(SpecsMode::both, local, sqlite_url(local.root() / "specs.db"));
    SUBCASE("no secret configured") {
      SpecsService service(config);
      const WebhookResult result = service.handle_webhook(delivery("anything", "d-1"), body);
      CHECK(result.action == WebhookAction::rejected);
      CHECK(result.status >= 400);
    }
    SUBCASE("current and previous secret") {
      config.webhook_secrets = {"new-secret", "old-secret"};
      SpecsService service(config);
      CHECK(service.handle_webhook(delivery("new-secret", "d-2"), body).action ==
            WebhookAction::ping);
      CHECK(service.handle_webhook(delivery("old-secret", "d-3"), body).status == 200);
      const WebhookResult forged = service.handle_webhook(delivery("guess", "d-4"), body);
      CHECK(forged.action == WebhookAction::rejected);
      CHECK(forged.status >= 400);
      CHECK(!contains(forged.message, "new-secret"));
    }
    SUBCASE("filesystem mode and an unreachable database") {
      config.webhook_secrets = {"new-secret"};
      config.mode = SpecsMode::filesystem;
      SpecsService files(config);
      CHECK(files.handle_webhook(delivery("new-secret", "d-5"), body).status == 404);
      CHECK(error_text([&] { files.start_sync(); }, ErrorCode::not_found).size() > 0);
      CHECK(error_text([&] { files.sync_now("acme/web"); }, ErrorCode::not_found).size() > 0);
      config.mode = SpecsMode::both;
      config.database_url = "postgresql://leanspec:pw@127.0.0.1:1/nothing";
      SpecsService down(config);
      CHECK(down.handle_webhook(delivery("new-secret", "d-6"), body).status == 503);
      down.start_sync(); // remembered until the database is reachable
      down.stop_sync();
    }
  }
}
