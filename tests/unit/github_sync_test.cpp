// Tests GithubSync (src/github/sync.cpp) end to end: a real git repository built here, served by
// the fake GitHub REST server (tests/support/fake_github.py) over loopback, synced into a real
// SQLite file (and once into a real PostgreSQL), read back through DatabaseSource. The server's
// request counters prove how many requests each path costs.
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/webhook.hpp"
#include "support/postgres_harness.hpp"
#include "support/temp_spec_tree.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <doctest/doctest.h>
#include <fstream>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <netinet/in.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

using namespace leanspec;
using leanspec::test::TempSpecTree;

namespace {

namespace fs = std::filesystem;

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; returns its stdout. @throws std::runtime_error when it fails
std::string sh(const std::string &command) {
  std::string out;
  FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    out.append(buffer, n);
  if (::pclose(pipe) != 0)
    throw std::runtime_error("command failed: " + command + "\n" + out);
  return out;
}

// A git repository with a work tree; committing moves `main`, which is what a push does.
class Repo {
public:
  explicit Repo(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    git("init -q -b main");
  }
  const fs::path &dir() const noexcept { return dir_; }
  std::string git(const std::string &args) const {
    return sh("git -C " + shell_quote(dir_.string()) +
              " -c user.name=test -c user.email=test@example.com -c commit.gpgsign=false " + args);
  }
  void write(const std::string &relative, std::string_view content) const {
    const fs::path path = dir_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }
  void remove(const std::string &relative) const { fs::remove_all(dir_ / relative); }
  std::string commit(const std::string &message = "change") const {
    git("add -A");
    git("commit -q --allow-empty -m " + shell_quote(message));
    return head();
  }
  std::string head() const {
    std::string sha = git("rev-parse HEAD");
    while (!sha.empty() && sha.back() == '\n')
      sha.pop_back();
    return sha;
  }

private:
  fs::path dir_;
};

std::string readme(std::string_view title, std::string_view status = "planned") {
  return "---\nstatus: " + std::string(status) + "\ncreated: 2025-11-01\n---\n\n# " +
         std::string(title) + "\n\nBody of " + std::string(title) + ".\n";
}

// One HTTP/1.0 request to 127.0.0.1:port (the fake server's admin routes); returns the body.
std::string http(int port, const std::string &method, const std::string &path,
                 const std::string &body = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to the fake GitHub server");
  }
  const std::string request =
      method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
    response.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  const auto at = response.find("\r\n\r\n");
  if (response.compare(0, 12, "HTTP/1.0 200") != 0 && response.compare(0, 12, "HTTP/1.1 200") != 0)
    throw std::runtime_error("admin request " + path + " failed: " + response.substr(0, 200));
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

// The fake GitHub server (tests/support/fake_github.py) over a repository, as acme/web.
class Server {
public:
  explicit Server(const Repo &repo) {
    int out[2];
    if (::pipe(out) != 0)
      throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const std::string script = LEANSPEC_FAKE_GITHUB;
    const std::string repo_dir = repo.dir().string();
    const std::string parent = std::to_string(::getpid());
    std::vector<std::string> args = {"/usr/bin/python3", script, "--repo", repo_dir,
                                     "--owner",          "acme", "--name", "web",
                                     "--parent-pid",     parent};
    std::vector<char *> argv;
    for (auto &a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start the fake GitHub server");
    }
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
      line += c;
    ::close(out[0]);
    if (std::sscanf(line.c_str(), "%d %d", &api_port_, &codeload_port_) != 2)
      throw std::runtime_error("the fake GitHub server did not start: '" + line + "'");
  }
  ~Server() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  std::string api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
  void configure(const std::string &json) const { http(api_port_, "POST", "/_admin/config", json); }
  void reset() const { http(api_port_, "POST", "/_admin/reset"); }

  struct Stats {
    std::map<std::string, std::int64_t> requests; // by endpoint: commit, tree, blob, ...
    std::int64_t total = 0, not_modified = 0;
    std::int64_t count(const std::string &endpoint) const {
      const auto it = requests.find(endpoint);
      return it == requests.end() ? 0 : it->second;
    }
  };
  Stats stats() const {
    const std::string body = http(api_port_, "GET", "/_admin/stats");
    simdjson::dom::parser parser;
    const simdjson::dom::element root = parser.parse(body);
    Stats s;
    for (auto field : root["requests"].get_object())
      s.requests[std::string(field.key)] = field.value.get_int64();
    s.total = root["total"].get_int64();
    s.not_modified = root["not_modified"].get_int64();
    return s;
  }

private:
  pid_t pid_ = -1;
  int api_port_ = 0, codeload_port_ = 0;
};

// A repository with a few specs, a server over it, and a SQLite store with acme/web registered.
struct Fixture {
  TempSpecTree dir;
  Repo repo{dir.root() / "repo"};
  std::unique_ptr<Server> server;
  std::string url = "sqlite:" + (dir.root() / "store.db").string();
  std::shared_ptr<DatabaseSource> db;
  std::shared_ptr<GithubSync> sync;

  explicit Fixture(int specs = 3, std::string database_url = {}) {
    if (!database_url.empty())
      url = std::move(database_url);
    for (int i = 1; i <= specs; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      repo.write(std::string("specs/") + id + "/README.md", readme("Spec " + std::to_string(i)));
    }
    repo.write("specs/001-spec-1/DESIGN.md", "# Design of one\n");
    repo.write("src/main.c", "int main(void) { return 0; }\n");
    repo.write("README.md", "# The repository\n");
    repo.commit("initial");
    server = std::make_unique<Server>(repo);
    db = make_database_source({.database_url = url, .recheck = std::chrono::milliseconds(0)});
    db->add_project({.id = "acme/web", .branch = "main"});
    sync = make(SyncOptions{});
  }
  std::shared_ptr<GithubSync> make(SyncOptions options) {
    options.api_url = server->api_url();
    options.retry_base = std::chrono::milliseconds(5);
    options.request_timeout = std::chrono::milliseconds(10'000);
    return make_github_sync(db, std::move(options));
  }
  detail::Store &store() const { return detail::DatabaseSourceAccess::store(*db); }
  std::string content(const std::string &spec, const std::string &file = "README.md") const {
    for (const auto &stored : store().specs("acme/web"))
      if (stored.path == spec)
        for (const auto &f : stored.files)
          if (f.name == file)
            return f.content;
    return "<none>";
  }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto &stored : store().specs("acme/web"))
      out.push_back(stored.path);
    return out;
  }
  SyncRun first_sync() {
    const SyncRun run = sync->sync_now("acme/web");
    REQUIRE(run.outcome == SyncOutcome::ok);
    server->reset();
    return run;
  }
};

} // namespace

TEST_SUITE("github") {

  TEST_CASE("sync: the first sync stores every spec file with the git blob SHAs") {
    Fixture f;
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.error == "");
    CHECK(run.added == 3);
    CHECK(run.path == "blobs");
    CHECK(run.commit == f.repo.head());
    const auto stats = f.server->stats();
    CHECK(stats.count("commit") == 1);
    CHECK(stats.count("tree") == 1);
    CHECK(stats.count("blob") == 4); // three README.md and one DESIGN.md
    CHECK(run.requests == 6);
    CHECK(f.paths() == std::vector<std::string>{"001-spec-1", "002-spec-2", "003-spec-3"});
    CHECK(f.content("001-spec-1", "DESIGN.md") == "# Design of one\n");
    for (const auto &spec : f.store().specs("acme/web"))
      for (const auto &file : spec.files) {
        const std::string sha = f.repo.git("rev-parse HEAD:specs/" + spec.path + "/" + file.name);
        CHECK(file.blob_sha + "\n" == sha);
      }
    const auto spec = f.db->get("002", "acme/web");
    REQUIRE(spec);
    CHECK(spec->title == "Spec 2");
    const auto project = *f.store().project("acme/web");
    CHECK(project.sync_state == "ok");
    CHECK(project.last_commit == f.repo.head());
    const auto runs = f.store().sync_runs("acme/web", 1);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].outcome == "ok");
    CHECK(runs[0].added == 3);
    CHECK(runs[0].requests == 6);
  }

  TEST_CASE("sync: an unchanged branch costs exactly one request, a 304") {
    Fixture f;
    f.first_sync();
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::not_modified);
    CHECK(run.path == "unchanged");
    CHECK(run.requests == 1);
    CHECK(run.not_modified == 1);
    const auto stats = f.server->stats();
    CHECK(stats.total == 1);
    CHECK(stats.not_modified == 1);
    // A commit outside the specs folder: head and tree, no blob.
    f.repo.write("src/main.c", "int main(void) { return 1; }\n");
    f.repo.commit();
    f.server->reset();
    const SyncRun other = f.sync->sync_now("acme/web");
    CHECK(other.outcome == SyncOutcome::ok);
    CHECK(other.path == "unchanged");
    CHECK(other.added + other.updated + other.removed == 0);
    CHECK(f.server->stats().count("blob") == 0);
    CHECK(f.server->stats().total == 2);
  }

  TEST_CASE("sync: a push touching k files fetches those k blobs only") {
    Fixture f(6);
    f.first_sync();
    f.repo.write("specs/002-spec-2/README.md", readme("Spec 2, revised", "in-progress"));
    f.repo.write("specs/005-spec-5/NOTES.md", "# Notes\n");
    f.repo.commit();
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.updated == 2);
    CHECK(run.added == 0);
    CHECK(run.path == "blobs");
    const auto stats = f.server->stats();
    CHECK(stats.count("blob") == 2);
    CHECK(stats.total == 4);
    CHECK(f.db->get("002", "acme/web")->status == Status::in_progress);
    CHECK(f.content("005-spec-5", "NOTES.md") == "# Notes\n");
  }

  TEST_CASE("sync: deletes, renames and moves to archived/ cost no blob") {
    Fixture f(4);
    f.first_sync();
    f.repo.remove("specs/004-spec-4");
    f.repo.git("mv specs/003-spec-3 specs/007-renamed");
    f.repo.git("mv specs/002-spec-2 specs/archived/002-spec-2");
    f.repo.commit();
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.removed == 3);
    CHECK(run.added == 2);
    CHECK(f.server->stats().count("blob") == 0);
    CHECK(f.paths() ==
          std::vector<std::string>{"001-spec-1", "007-renamed", "archived/002-spec-2"});
    const auto archived = f.db->get("002", "acme/web");
    REQUIRE(archived);
    CHECK(archived->archived);
    CHECK_FALSE(f.db->get("004", "acme/web"));
  }

  TEST_CASE("sync: the rate limit running out mid-sync keeps the old snapshot, schedules a retry "
            "and keeps what was fetched") {
    Fixture f(8);
    f.first_sync();
    const std::string before = f.content("003-spec-3");
    for (int i = 1; i <= 8; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      f.repo.write(std::string("specs/") + id + "/README.md",
                   readme("Changed " + std::to_string(i)));
    }
    f.repo.commit();
    auto slow = f.make({.concurrency = 1}); // one at a time: the limit falls between blobs
    const auto reset_at = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count() +
                          120;
    f.server->configure(R"({"rate_limit": 5, "rate_limit_reset": )" + std::to_string(reset_at) +
                        "}");
    const SyncRun limited = slow->sync_now("acme/web");
    CHECK(limited.outcome == SyncOutcome::rate_limited);
    CHECK(limited.retry_at >= reset_at);
    CHECK(limited.error.find("rate limit") != std::string::npos);
    CHECK(f.content("003-spec-3") == before); // nothing applied
    const auto schedules = f.store().sync_schedules();
    REQUIRE(schedules.size() == 1);
    CHECK(schedules[0].retry_at == reset_at * 1000);
    CHECK(f.store().project("acme/web")->sync_state == "error");
    CHECK(f.store().sync_runs("acme/web", 1)[0].outcome == "rate_limited");

    f.server->configure(R"({"rate_limit": null})");
    f.server->reset();
    const SyncRun resumed = slow->sync_now("acme/web");
    CHECK(resumed.outcome == SyncOutcome::ok);
    CHECK(resumed.updated == 8);
    CHECK(f.server->stats().count("blob") == 5); // 3 came before the limit and were kept
    CHECK(f.content("003-spec-3") == readme("Changed 3"));
  }

  TEST_CASE("sync: 20% random 502s converge through the retries") {
    Fixture f(10);
    f.server->configure(R"({"fail_rate": 0.2, "fail_seed": 7})");
    auto patient = f.make({.max_retries = 6});
    const SyncRun run = patient->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.added == 10);
    CHECK(run.requests > 13); // some were retried
    CHECK(f.content("007-spec-7") == readme("Spec 7"));
  }

  TEST_CASE("sync: a total failure records the error and leaves the snapshot as it was") {
    Fixture f;
    f.first_sync();
    const auto version = f.store().snapshot_version("acme/web");
    f.repo.write("specs/001-spec-1/README.md", readme("Never seen"));
    f.repo.commit();
    f.server->configure(R"({"fail_all": true})");
    const SyncRun run = f.make({.max_retries = 2})->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::error);
    CHECK(run.error.find("502") != std::string::npos);
    CHECK(f.store().snapshot_version("acme/web") == version);
    CHECK(f.content("001-spec-1") == readme("Spec 1"));
    const auto project = *f.store().project("acme/web");
    CHECK(project.sync_state == "error");
    CHECK(project.sync_error == run.error);
    CHECK(f.store().sync_runs("acme/web", 1)[0].error == run.error);
  }

  TEST_CASE("sync: a truncated tree is walked folder by folder") {
    Fixture f(5);
    f.repo.write("specs/archived/009-old/README.md", readme("Old"));
    f.repo.commit();
    f.server->configure(R"({"max_tree_entries": 8})");
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.error == "");
    CHECK(run.added == 6);
    CHECK(f.paths().back() == "archived/009-old");
    CHECK(f.content("archived/009-old") == readme("Old"));
    CHECK(f.server->stats().count("tree") > 2);
  }

  TEST_CASE("sync: many files come in one tarball") {
    Fixture f(30);
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.path == "tarball");
    CHECK(run.added == 30);
    const auto stats = f.server->stats();
    CHECK(stats.count("blob") == 0);
    CHECK(stats.count("tarball") == 1);
    CHECK(stats.count("codeload") == 1);
    CHECK(f.content("030-spec-30") == readme("Spec 30"));
    CHECK(f.content("001-spec-1", "DESIGN.md") == "# Design of one\n");
  }

  TEST_CASE("sync: 401, a missing repository and a missing specs folder are per-project errors") {
    Fixture f;
    SUBCASE("401: the token is not in the error") {
      f.server->configure(R"({"token": "the-right-token"})");
      const SyncRun run = f.make({.token = "wrong-token-value"})->sync_now("acme/web");
      CHECK(run.outcome == SyncOutcome::error);
      CHECK(run.error.find("401") != std::string::npos);
      CHECK(run.error.find("wrong-token-value") == std::string::npos);
      CHECK(f.store().project("acme/web")->sync_error.find("wrong-token-value") ==
            std::string::npos);
    }
    SUBCASE("a repository GitHub does not know") {
      f.db->add_project({.id = "acme/api", .branch = "main"});
      const SyncRun run = f.sync->sync_now("acme/api");
      CHECK(run.outcome == SyncOutcome::error);
      CHECK(run.error.find("not found") != std::string::npos);
      CHECK(f.store().project("acme/api")->sync_state == "error");
    }
    SUBCASE("no specs folder") {
      f.db->update_project({.id = "acme/web", .branch = "main", .specs_path = "docs/specs"});
      const SyncRun run = f.sync->sync_now("acme/web");
      CHECK(run.outcome == SyncOutcome::error);
      CHECK(run.error.find("'docs/specs' does not exist") != std::string::npos);
    }
    CHECK_THROWS_AS(f.sync->sync_now("nobody/here"), Error);
  }

  TEST_CASE("sync: hostile tree paths fail the sync and write nothing") {
    Fixture f;
    f.first_sync();
    const auto version = f.store().snapshot_version("acme/web");
    // git mktree accepts a ".." entry that no checkout would: a commit whose specs tree has one.
    const std::string blob = f.repo.git("rev-parse HEAD:specs/001-spec-1/README.md").substr(0, 40);
    const std::string folder = f.repo.git("rev-parse HEAD:specs/001-spec-1").substr(0, 40);
    const std::string specs =
        sh("printf '100644 blob " + blob + "\\t..\\n040000 tree " + folder +
           "\\t001-spec-1\\n' | git -C " + shell_quote(f.repo.dir().string()) + " mktree")
            .substr(0, 40);
    const std::string root = sh("printf '040000 tree " + specs + "\\tspecs\\n' | git -C " +
                                shell_quote(f.repo.dir().string()) + " mktree")
                                 .substr(0, 40);
    const std::string commit =
        f.repo.git("commit-tree " + root + " -p HEAD -m hostile").substr(0, 40);
    f.repo.git("update-ref refs/heads/main " + commit);
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::error);
    CHECK(run.error.find("unsafe path 'specs/..'") != std::string::npos);
    CHECK(f.store().snapshot_version("acme/web") == version);
  }

  TEST_CASE("sync: a process killed mid-write leaves the previous snapshot") {
    Fixture f(4);
    f.first_sync();
    const auto version = f.store().snapshot_version("acme/web");
    for (int i = 1; i <= 4; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      f.repo.write(std::string("specs/") + id + "/README.md", readme("Half " + std::to_string(i)));
    }
    f.repo.commit();
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      // The child: its own source over the same file; blocks inside replace_specs' transaction.
      ::close(ready[0]);
      try {
        auto db = make_database_source({.database_url = f.url});
        detail::DatabaseSourceAccess::store(*db).set_write_hook([&](std::size_t written) {
          if (written >= 2) {
            const char c = 'x';
            (void)!::write(ready[1], &c, 1);
            for (;;)
              ::pause();
          }
        });
        make_github_sync(
            db, {.api_url = f.server->api_url(), .lease_ttl = std::chrono::milliseconds(500)})
            ->sync_now("acme/web");
      } catch (...) {
      }
      ::_exit(1);
    }
    ::close(ready[1]);
    char c = 0;
    const bool blocked = ::read(ready[0], &c, 1) == 1;
    ::close(ready[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(blocked);
    CHECK(f.store().snapshot_version("acme/web") == version);
    CHECK(f.content("002-spec-2") == readme("Spec 2"));
    // The dead child's lease runs out; then the sync completes.
    SyncRun run;
    for (int attempt = 0; attempt < 100; ++attempt) {
      run = f.sync->sync_now("acme/web");
      if (run.id != 0)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.updated == 4);
    CHECK(f.content("002-spec-2") == readme("Half 2"));
  }

  TEST_CASE("sync: the scheduler runs queued requests and webhook pushes fetch only the files "
            "they name") {
    Fixture f(4);
    const std::string secret = "hook-secret";
    auto sync = f.make({.webhook_secrets = {secret}});
    sync->request_sync("acme/web"); // durably queued before the scheduler runs
    CHECK(f.store().sync_schedules().at(0).requested_at > 0);
    sync->start();
    CHECK(sync->is_running());
    auto wait_for = [&](auto &&done) {
      for (int i = 0; i < 1000 && !done(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return done();
    };
    REQUIRE(wait_for([&] { return f.store().project("acme/web")->sync_state == "ok"; }));
    REQUIRE(wait_for([&] { return f.store().sync_schedules().at(0).requested_at == 0; }));
    const std::string before = f.repo.head();
    f.repo.write("specs/003-spec-3/README.md", readme("Pushed"));
    f.repo.remove("specs/001-spec-1/DESIGN.md");
    const std::string after = f.repo.commit("push");
    f.server->reset();
    const std::string body =
        R"({"ref":"refs/heads/main","before":")" + before + R"(","after":")" + after +
        R"(","forced":false,"repository":{"full_name":"acme/web"},"commits":[{"added":[],)"
        R"("modified":["specs/003-spec-3/README.md"],"removed":["specs/001-spec-1/DESIGN.md"]}]})";
    const auto answer =
        sync->handle_webhook({{"X-GitHub-Event", "push"},
                              {"X-GitHub-Delivery", "delivery-1"},
                              {"X-Hub-Signature-256", detail::webhook_signature(secret, body)}},
                             body);
    CHECK(answer.action == WebhookAction::queued);
    REQUIRE(wait_for([&] {
      const auto spec = f.db->get("003", "acme/web");
      return spec && spec->title == "Pushed";
    }));
    CHECK(f.content("001-spec-1", "DESIGN.md") == "<none>");
    const auto stats = f.server->stats();
    CHECK(stats.count("tree") == 0);
    CHECK(stats.count("contents") == 1);
    CHECK(stats.count("commit") == 1);
    sync->stop();
    CHECK_FALSE(sync->is_running());
  }

  TEST_CASE("sync: PostgreSQL, first sync and an unchanged resync") {
    auto &pg = leanspec::test::PostgresHarness::instance();
    Fixture f(3, pg.url(pg.fresh_schema()));
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.added == 3);
    CHECK(f.db->get("001", "acme/web")->title == "Spec 1");
    const SyncRun again = f.sync->sync_now("acme/web");
    CHECK(again.outcome == SyncOutcome::not_modified);
    CHECK(again.requests == 1);
    // The store's GitHub-sync tables work there too.
    f.store().put_blobs({{"abc", std::string("x\0y", 3)}});
    CHECK(f.store().blobs({"abc", "nope"}) ==
          std::vector<std::pair<std::string, std::string>>{{"abc", std::string("x\0y", 3)}});
    f.store().drop_blobs({"abc"});
    CHECK(f.store().blobs({"abc"}).empty());
  }

} // TEST_SUITE
