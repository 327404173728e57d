// Tests GithubSync (src/github/sync.cpp) end to end: a real git repository built here, served by
// the fake GitHub REST server (tests/support/fake_github.py) over loopback, synced into a real
// SQLite file (and once into a real PostgreSQL), read back through DatabaseSource. The server's
// request counters prove how many requests each path costs.
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/webhook.hpp"
#include "support/event_recorder.hpp"
#include "support/eventually.hpp"
#include "support/fake_github.hpp"
#include "support/postgres_harness.hpp"
#include "support/temp_spec_tree.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <doctest/doctest.h>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace leanspec;
using leanspec::test::EventRecorder;
using leanspec::test::eventually;
using leanspec::test::FakeGithub;
using leanspec::test::RepoFiles;
using leanspec::test::TempSpecTree;

namespace {

// Runs a shell pipeline (git mktree reads its stdin); returns its first 40 bytes (a SHA).
std::string sha_of(const std::string &command) {
  std::string out;
  FILE *pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[256];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    out.append(buffer, n);
  REQUIRE(::pclose(pipe) == 0);
  return out.substr(0, 40);
}

// The repository side of the fake GitHub: writes gather until commit() pushes them.
class Pusher {
public:
  explicit Pusher(FakeGithub *github) : github_(github) {}
  void write(const std::string &path, std::string content) { pending_[path] = std::move(content); }
  void remove(const std::string &path) { std::filesystem::remove_all(github_->work_tree() / path); }
  std::string commit(const std::string &message = "change") {
    const std::string sha = github_->commit(pending_, message);
    pending_.clear();
    return sha;
  }
  std::string head() const { return github_->head(); }
  std::string git(const std::vector<std::string> &args) const { return github_->git(args); }
  const std::filesystem::path &dir() const { return github_->work_tree(); }

private:
  FakeGithub *github_;
  RepoFiles pending_;
};

std::string readme(std::string_view title, std::string_view status = "planned") {
  return "---\nstatus: " + std::string(status) + "\ncreated: 2025-11-01\n---\n\n# " +
         std::string(title) + "\n\nBody of " + std::string(title) + ".\n";
}

// A repository with a few specs, a server over it, and a SQLite store with acme/web registered.
struct Fixture {
  TempSpecTree dir;
  std::unique_ptr<FakeGithub> server;
  Pusher repo{nullptr};
  std::string url = "sqlite:" + (dir.root() / "store.db").string();
  std::shared_ptr<DatabaseSource> db;
  std::shared_ptr<GithubSync> sync;

  explicit Fixture(int specs = 3, std::string database_url = {}) {
    if (!database_url.empty())
      url = std::move(database_url);
    RepoFiles files;
    for (int i = 1; i <= specs; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      files[std::string("specs/") + id + "/README.md"] = readme("Spec " + std::to_string(i));
    }
    files["specs/001-spec-1/DESIGN.md"] = "# Design of one\n";
    files["src/main.c"] = "int main(void) { return 0; }\n";
    files["README.md"] = "# The repository\n";
    server = std::make_unique<FakeGithub>(files);
    repo = Pusher(server.get());
    open();
    db->add_project({.id = "acme/web", .branch = "main"});
  }
  void open() {
    db = make_database_source({.database_url = url, .recheck = std::chrono::milliseconds(0)});
    sync = make(SyncOptions{});
  }
  /// Drops the source and the sync, and with them every thread of theirs: a fork() that follows
  /// copies one thread only (ThreadSanitizer refuses a child that starts threads otherwise).
  void close() {
    sync.reset();
    db.reset();
  }
  std::shared_ptr<GithubSync> make(SyncOptions options) {
    options.api_url = server->api_url();
    if (options.token.empty())
      options.token = server->token();
    options.retry_base = std::chrono::milliseconds(5);
    if (options.request_timeout == SyncOptions{}.request_timeout)
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
    server->reset_stats();
    return run;
  }
};

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

TEST_SUITE("github") {

  TEST_CASE("sync: the first sync stores every spec file with the git blob SHAs") {
    Fixture f;
    int expected_requests = 0;
    SUBCASE("the tarball alongside the tree") {
      const SyncRun run = f.sync->sync_now("acme/web");
      CHECK(run.outcome == SyncOutcome::ok);
      CHECK(run.added == 3);
      CHECK(run.path == "tarball");
      CHECK(run.commit_sha == f.repo.head());
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      CHECK(run.commit == run.commit_sha); // the deprecated name, for one release
#pragma GCC diagnostic pop
      const auto stats = f.server->stats();
      CHECK(stats.requests("blob") == 0);
      CHECK(stats.requests("tarball") == 1);
      CHECK(stats.requests("codeload") == 1); // the redirect's target
      CHECK(run.requests == 4);
      expected_requests = 4;
    }
    SUBCASE("blobs, when a first sync is not to fetch the tarball") {
      const SyncRun run = f.make({.first_sync_tarball = false})->sync_now("acme/web");
      CHECK(run.outcome == SyncOutcome::ok);
      CHECK(run.path == "blobs");
      CHECK(f.server->stats().requests("blob") == 4); // three README.md and one DESIGN.md
      CHECK(run.requests == 6);
      expected_requests = 6;
    }
    const auto stats = f.server->stats();
    CHECK(stats.requests("commit") == 1);
    CHECK(stats.requests("tree") == 1);
    CHECK(f.paths() == std::vector<std::string>{"001-spec-1", "002-spec-2", "003-spec-3"});
    CHECK(f.content("001-spec-1", "DESIGN.md") == "# Design of one\n");
    for (const auto &spec : f.store().specs("acme/web"))
      for (const auto &file : spec.files) {
        const std::string sha =
            f.repo.git({"rev-parse", "HEAD:specs/" + spec.path + "/" + file.name});
        CHECK(file.content_hash + "\n" == sha);
      }
    const auto spec = f.db->get("002", "acme/web");
    REQUIRE(spec);
    CHECK(spec->title == "Spec 2");
    const auto project = *f.store().project("acme/web");
    CHECK(project.sync_state == "ok");
    CHECK(project.commit_sha == f.repo.head());
    const auto runs = f.store().sync_runs("acme/web", 1);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].outcome == "ok");
    CHECK(runs[0].added == 3);
    CHECK(runs[0].requests == expected_requests);
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
    // The public listing, newest first, with what the store keeps of each run.
    const std::vector<SyncRun> runs = f.sync->sync_runs("acme/web");
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].id == run.id);
    CHECK(runs[0].outcome == SyncOutcome::not_modified);
    CHECK(runs[0].path == "unchanged");
    CHECK(runs[0].requests == 1);
    CHECK(runs[0].started_at == run.started_at); // the times sync_now returned are the stored ones
    CHECK(runs[0].ended_at == run.ended_at);
    CHECK(runs[0].ended_at >= runs[0].started_at);
    CHECK(runs[1].outcome == SyncOutcome::ok);
    CHECK(runs[1].added == 3);
    CHECK(runs[1].commit_sha == f.repo.head());
    CHECK(runs[1].bytes > 0);
    CHECK(f.sync->sync_runs("acme/web", 1).size() == 1);
    CHECK(f.sync->sync_runs("nobody/here").empty());
    CHECK(stats.not_modified == 1);
    // A commit outside the specs folder: head and tree, no blob.
    f.repo.write("src/main.c", "int main(void) { return 1; }\n");
    f.repo.commit();
    f.server->reset_stats();
    const SyncRun other = f.sync->sync_now("acme/web");
    CHECK(other.outcome == SyncOutcome::ok);
    CHECK(other.path == "unchanged");
    CHECK(other.added + other.updated + other.removed == 0);
    CHECK(f.server->stats().requests("blob") == 0);
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
    CHECK(stats.requests("blob") == 2);
    CHECK(stats.total == 4);
    CHECK(f.db->get("002", "acme/web")->status == Status::in_progress);
    CHECK(f.content("005-spec-5", "NOTES.md") == "# Notes\n");
  }

  TEST_CASE("sync: deletes, renames and moves to archived/ cost no blob") {
    Fixture f(4);
    f.first_sync();
    f.repo.remove("specs/004-spec-4");
    f.repo.git({"mv", "specs/003-spec-3", "specs/007-renamed"});
    std::filesystem::create_directories(f.repo.dir() / "specs/archived");
    f.repo.git({"mv", "specs/002-spec-2", "specs/archived/002-spec-2"});
    f.repo.commit();
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.removed == 3);
    CHECK(run.added == 2);
    CHECK(f.server->stats().requests("blob") == 0);
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
    // One at a time, and no reserve kept back: the limit falls between blobs.
    auto slow = f.make({.concurrency = 1, .rate_limit_reserve = 0});
    const auto reset_at = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count() +
                          120;
    f.server->configure(R"({"rate_limit": 5, "rate_limit_reset": )" + std::to_string(reset_at) +
                        "}");
    const SyncRun limited = slow->sync_now("acme/web");
    CHECK(limited.outcome == SyncOutcome::rate_limited);
    CHECK(limited.retry_at == reset_at * 1000); // unix ms
    CHECK(limited.error.find("rate limit") != std::string::npos);
    CHECK(f.content("003-spec-3") == before); // nothing applied
    const auto schedules = f.store().sync_schedules();
    REQUIRE(schedules.size() == 1);
    CHECK(schedules[0].retry_at == limited.retry_at);
    CHECK(f.store().project("acme/web")->sync_state == "error");
    CHECK(f.store().sync_runs("acme/web", 1)[0].outcome == "rate_limited");
    const SyncRun recorded = slow->sync_runs("acme/web", 1).at(0);
    CHECK(recorded.outcome == SyncOutcome::rate_limited);
    CHECK(recorded.retry_at == limited.retry_at); // as sync_now answered it

    // `slow`'s rate budget waits for the reset GitHub announced, the project's other syncs
    // with it too; the reset come, a sync resumes (a new GithubSync: a new budget).
    CHECK(slow->sync_now("acme/web").outcome == SyncOutcome::rate_limited);
    f.server->configure(R"({"rate_limit": null})");
    f.server->reset_stats();
    const SyncRun resumed = f.make({.concurrency = 1})->sync_now("acme/web");
    CHECK(resumed.outcome == SyncOutcome::ok);
    CHECK(resumed.updated == 8);
    CHECK(f.server->stats().requests("blob") == 5); // 3 came before the limit and were kept
    CHECK(f.content("003-spec-3") == readme("Changed 3"));
  }

  TEST_CASE("sync: a rate-limited run's retry_at is unix ms, like its started_at") {
    Fixture f(2);
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    f.server->configure(R"({"rate_limit": 0, "rate_limit_reset": )" + std::to_string(now_s + 60) +
                        "}");
    const SyncRun limited = f.sync->sync_now("acme/web");
    REQUIRE(limited.outcome == SyncOutcome::rate_limited);
    // A minute after the run started, in ms (unix seconds would lie ~1.7e12 before it).
    CHECK(limited.retry_at - limited.started_at >= 55'000);
    CHECK(limited.retry_at - limited.started_at <= 61'000);
    CHECK(f.sync->sync_runs("acme/web", 1).at(0).retry_at == limited.retry_at);
    f.server->configure(R"({"rate_limit": null})");
  }

  TEST_CASE("sync: 20% random 502s converge through the retries") {
    Fixture f(10);
    f.server->configure(R"({"fail_rate": 0.2, "fail_seed": 7})");
    auto patient = f.make({.max_retries = 6, .first_sync_tarball = false}); // 11 blobs at once
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
    CHECK(f.server->stats().requests("tree") > 2);
  }

  TEST_CASE("sync: a push changing many files takes the tarball") {
    Fixture f(30);
    f.first_sync();
    for (int i = 5; i <= 30; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      f.repo.write(std::string("specs/") + id + "/README.md",
                   readme("Spec " + std::to_string(i) + "!"));
    }
    f.repo.commit();
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.path == "tarball"); // 26 files > tarball_min_files (20)
    CHECK(run.updated == 26);
    const auto stats = f.server->stats();
    CHECK(stats.requests("blob") == 0);
    CHECK(stats.requests("tarball") == 1);
    CHECK(stats.requests("codeload") == 1);
    CHECK(f.content("030-spec-30") == readme("Spec 30!"));
    CHECK(f.content("004-spec-4") == readme("Spec 4"));
    CHECK(f.content("001-spec-1", "DESIGN.md") == "# Design of one\n");
  }

  TEST_CASE("sync: non-ASCII folder and file names come through the tarball in any locale") {
    // The process locale stays "C" (nothing here calls setlocale), as in the CLI and Node.
    Fixture f(2);
    f.repo.write("specs/003-café-crème/README.md", readme("Café"));
    f.repo.write("specs/003-café-crème/ñotes-日本語.md", "# Ñotes\n");
    f.repo.write("specs/archived/004-über/README.md", readme("Über"));
    f.repo.commit();
    std::string format;
    SUBCASE("names as git archive writes them (raw UTF-8 in ustar headers)") { format = "git"; }
    SUBCASE("names as pax records (UTF-8), as tar writers send them") { format = "pax"; }
    f.server->configure(R"({"tarball_format": ")" + format + R"("})");
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK(run.error == "");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.path == "tarball");
    CHECK(run.added == 4);
    CHECK(f.server->stats().requests("blob") == 0);
    CHECK(f.content("003-café-crème") == readme("Café"));
    CHECK(f.content("003-café-crème", "ñotes-日本語.md") == "# Ñotes\n");
    CHECK(f.content("archived/004-über") == readme("Über"));
    const auto spec = f.db->get("003", "acme/web");
    REQUIRE(spec);
    CHECK(spec->title == "Café");
  }

  TEST_CASE("sync: a tarball that times out is asked for once, then the blobs come") {
    Fixture f(30);
    f.first_sync();
    for (int i = 5; i <= 30; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      f.repo.write(std::string("specs/") + id + "/README.md", readme("Slow " + std::to_string(i)));
    }
    f.repo.commit();
    // The download hangs far past the attempt's timeout; every other answer is prompt.
    f.server->configure(R"({"endpoint_latency_ms": {"codeload": 60000}})");
    const SyncRun run =
        f.make({.request_timeout = std::chrono::milliseconds(2'000)})->sync_now("acme/web");
    CHECK(run.error == "");
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.path == "blobs");
    CHECK(run.updated == 26);
    const auto stats = f.server->stats();
    CHECK(stats.requests("tarball") == 1); // not retried: the blobs are the fallback
    CHECK(stats.requests("codeload") == 1);
    CHECK(stats.requests("blob") == 26);
    CHECK(f.content("030-spec-30") == readme("Slow 30"));
  }

  TEST_CASE("sync: past its deadline a sync ends with an error naming it and stores nothing") {
    Fixture f(30);
    // The tarball a first sync asks for alongside the tree never comes in time.
    f.server->configure(R"({"endpoint_latency_ms": {"codeload": 60000}})");
    auto sync = f.make({.deadline = std::chrono::milliseconds(1'500)});
    const SyncRun run = sync->sync_now("acme/web");
    CHECK(run.outcome == SyncOutcome::error);
    CHECK(run.error.find("deadline of 1500 ms") != std::string::npos);
    CHECK(f.paths().empty());
    const auto stats = f.server->stats();
    CHECK(stats.requests("tarball") <= 1);
    CHECK(stats.requests("codeload") <= 1);
    const auto project = *f.store().project("acme/web");
    CHECK(project.sync_state == "error");
    CHECK(project.commit_sha == "");
    CHECK(project.sync_error == run.error);
    // Past the deadline nothing more is sent: the blob fallback does not start either.
    CHECK(stats.requests("blob") == 0);
  }

  TEST_CASE("sync: a deadline that is not positive is a configuration error") {
    Fixture f;
    CHECK_THROWS_WITH_AS(f.make({.deadline = std::chrono::milliseconds(0)}),
                         doctest::Contains("deadline"), Error);
  }

  TEST_CASE("sync: a webhook payload that lies by omission is checked against GitHub") {
    Fixture f(6);
    f.first_sync();
    const std::string secret = "hook-secret";
    auto sync = f.make({.webhook_secrets = {secret}});
    const std::string before = f.repo.head();
    for (int i = 3; i <= 6; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      f.repo.write(std::string("specs/") + id + "/README.md",
                   readme("Pushed " + std::to_string(i)));
    }
    const std::string after = f.repo.commit("push");
    f.server->reset_stats();
    // Correctly signed, `before` the last synced commit, but one of the four changed files named.
    const std::string body =
        R"({"ref":"refs/heads/main","before":")" + before + R"(","after":")" + after +
        R"(","forced":false,"repository":{"full_name":"acme/web"},"commits":[{"added":[],)"
        R"("modified":["specs/003-spec-3/README.md"],"removed":[]}]})";
    const auto answer =
        sync->handle_webhook({{"X-GitHub-Event", "push"},
                              {"X-GitHub-Delivery", "lying-1"},
                              {"X-Hub-Signature-256", detail::webhook_signature(secret, body)}},
                             body);
    REQUIRE(answer.action == WebhookAction::queued);
    const SyncRun run = sync->sync_now("acme/web"); // runs the queued, hinted sync
    CHECK(run.outcome == SyncOutcome::ok);
    CHECK(run.path != "contents"); // the payload was not believed: the tree decided
    CHECK(run.updated == 4);
    CHECK(run.commit_sha == after);
    for (int i = 3; i <= 6; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      CHECK(f.content(id) == readme("Pushed " + std::to_string(i)));
    }
    const auto stats = f.server->stats();
    CHECK(stats.requests("compare") == 1);
    CHECK(stats.requests("contents") == 0);
    // Later syncs have nothing left to catch up on.
    const SyncRun again = sync->sync_now("acme/web");
    CHECK(again.outcome == SyncOutcome::not_modified);
    CHECK(f.content("006-spec-6") == readme("Pushed 6"));
  }

  TEST_CASE("sync: 401, a missing repository and a missing specs folder are per-project errors") {
    Fixture f;
    SUBCASE("401: the token is not in the error") {
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
      f.db->update_project("acme/web", {.specs_path = "docs/specs"});
      const SyncRun run = f.sync->sync_now("acme/web");
      CHECK(run.outcome == SyncOutcome::error);
      CHECK(run.error.find("'docs/specs' does not exist") != std::string::npos);
    }
    CHECK_THROWS_AS(f.sync->sync_now("nobody/here"), Error);
  }

  TEST_CASE("sync: a '..' entry in the specs tree is passed over, and the rest is synced") {
    Fixture f;
    f.first_sync();
    const auto version = f.store().snapshot_version("acme/web");
    // git mktree accepts a ".." entry that no checkout would: a commit whose specs tree has one.
    const std::string blob = f.repo.git({"rev-parse", "HEAD:specs/001-spec-1/README.md"});
    const std::string folder = f.repo.git({"rev-parse", "HEAD:specs/001-spec-1"});
    const std::string git = "git -C '" + f.repo.dir().string() + "' mktree";
    const std::string specs =
        sha_of("printf '100644 blob " + blob.substr(0, 40) + "\\t..\\n040000 tree " +
               folder.substr(0, 40) + "\\t001-spec-1\\n' | " + git);
    const std::string root = sha_of("printf '040000 tree " + specs + "\\tspecs\\n' | " + git);
    const std::string commit =
        f.repo.git({"commit-tree", root, "-p", "HEAD", "-m", "hostile"}).substr(0, 40);
    f.repo.git({"update-ref", "refs/heads/main", commit});
    const SyncRun run = f.sync->sync_now("acme/web");
    CHECK_MESSAGE(run.outcome == SyncOutcome::ok, run.error);
    CHECK_MESSAGE(run.error.find("'specs/..' (its name is '.' or '..')") != std::string::npos,
                  run.error);
    CHECK(f.store().snapshot_version("acme/web") == version + 1);
    const auto stored = f.store().specs("acme/web");
    REQUIRE(stored.size() == 1); // the commit's tree holds 001-spec-1 and the ".." file
    CHECK(stored[0].path == "001-spec-1");
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
    f.close();
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
        make_github_sync(db, {.api_url = f.server->api_url(),
                              .token = f.server->token(),
                              .lease_ttl = std::chrono::milliseconds(500)})
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
    f.open();
    CHECK(f.store().snapshot_version("acme/web") == version);
    CHECK(f.content("002-spec-2") == readme("Spec 2"));
    // The project's commit and the run's record are in the same transaction: not stored either.
    const std::string before = f.store().project("acme/web")->commit_sha;
    CHECK(before != f.repo.head());
    CHECK(f.store().sync_runs("acme/web", 1)[0].outcome == "running");
    // The dead child's lease runs out: its sync reads as interrupted, with when.
    RegisteredProject left;
    CHECK(eventually([&] {
      left = f.db->registered_projects().at(0);
      return left.sync_state == "interrupted";
    }));
    CHECK(left.sync_interrupted_at > 0);
    CHECK(left.sync_interrupted_at <= unix_ms_now());
    // Then the sync completes.
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
    REQUIRE(eventually([&] { return f.store().project("acme/web")->sync_state == "ok"; }));
    REQUIRE(eventually([&] { return f.store().sync_schedules().at(0).requested_at == 0; }));
    const std::string before = f.repo.head();
    f.repo.write("specs/003-spec-3/README.md", readme("Pushed"));
    f.repo.remove("specs/001-spec-1/DESIGN.md");
    const std::string after = f.repo.commit("push");
    f.server->reset_stats();
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
    REQUIRE(eventually([&] {
      const auto spec = f.db->get("003", "acme/web");
      return spec && spec->title == "Pushed";
    }));
    CHECK(f.content("001-spec-1", "DESIGN.md") == "<none>");
    const auto stats = f.server->stats();
    CHECK(stats.requests("tree") == 0);
    CHECK(stats.requests("contents") == 1);
    CHECK(stats.requests("compare") == 1); // what the payload says is checked
    CHECK(stats.requests("commit") == 0);  // the hint names the commit
    CHECK(f.store().project("acme/web")->commit_sha == after);
    sync->stop();
    CHECK_FALSE(sync->is_running());
  }

  TEST_CASE("sync: a sync whose holder died is interrupted, and the next scheduler pass syncs it") {
    Fixture f;
    f.first_sync(); // synced just now: its interval (300 s) is far off
    f.repo.write("specs/002-spec-2/README.md", readme("After the crash"));
    const std::string head = f.repo.commit();
    // A holder began a sync and died: its run open, the project "syncing", its lease running out.
    auto &store = f.store();
    store.begin_sync_run("acme/web", unix_ms_now());
    detail::ProjectRecord record = *store.project("acme/web");
    record.sync_state = "syncing";
    REQUIRE(store.try_acquire_lease("acme/web", "dead-holder", std::chrono::milliseconds(300)));
    store.update_project(record);
    REQUIRE(
        eventually([&] { return f.db->registered_projects().at(0).sync_state == "interrupted"; }));
    CHECK(f.db->registered_projects().at(0).sync_interrupted_at > 0);

    auto scheduler = f.make({.poll = std::chrono::milliseconds(50)});
    scheduler->start();
    CHECK(eventually([&] { return store.project("acme/web")->commit_sha == head; }));
    scheduler->stop();
    const RegisteredProject after = f.db->registered_projects().at(0);
    CHECK(after.sync_state == "ok");
    CHECK(after.sync_interrupted_at == 0);
    CHECK(f.content("002-spec-2") == readme("After the crash"));
  }

  // A GitHub that takes the connection and never answers: the sync waits on its request (up to
  // the request timeout, 30 s here). stop() used to wait for the batch to end; it now ends it.
  TEST_CASE("sync: stop() ends a sync waiting on an unanswered request at once") {
    Fixture f;
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr *>(&address), size) == 0);
    REQUIRE(::listen(listener, 16) == 0); // the kernel completes connections: never accepted
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &size) == 0);
    auto scheduler = make_github_sync(
        f.db, {.api_url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)),
               .token = "t",
               .request_timeout = std::chrono::milliseconds(30'000),
               .poll = std::chrono::milliseconds(50)});
    scheduler->request_sync("acme/web");
    scheduler->start();
    REQUIRE(eventually([&] {
      const auto runs = f.store().sync_runs("acme/web", 0);
      return !runs.empty() && runs.front().outcome == "running";
    }));
    const auto before = std::chrono::steady_clock::now();
    scheduler->stop();
    const auto waited = std::chrono::steady_clock::now() - before;
    CHECK(waited < std::chrono::seconds(10)); // a third of the request timeout: not waited out
    MESSAGE("stop() took " << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                           << " ms");
    const auto runs = f.store().sync_runs("acme/web", 0);
    REQUIRE(!runs.empty());
    CHECK(runs.front().outcome != "running"); // the cancelled run is closed
    ::close(listener);
  }

  TEST_CASE("sync: request_sync calls coalesce while a sync is queued, and into one more while it "
            "runs") {
    Fixture f;
    f.first_sync();
    f.repo.write("specs/002-spec-2/README.md", readme("Changed"));
    f.repo.commit();
    // The scheduler's sync stops at its first file until the requests are in.
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false, released = false;
    auto scheduler = f.make({.poll = std::chrono::milliseconds(50),
                             .progress = [&](const std::string &, std::size_t, std::size_t) {
                               std::unique_lock lock(mutex);
                               entered = true;
                               changed.notify_all();
                               changed.wait(lock, [&] { return released; });
                             }});
    for (int i = 0; i < 50; ++i) // queued before the scheduler runs: one sync
      scheduler->request_sync("acme/web");
    scheduler->start();
    {
      std::unique_lock lock(mutex);
      REQUIRE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return entered; }));
    }
    for (int i = 0; i < 200; ++i)
      scheduler->request_sync("acme/web");
    {
      const std::lock_guard lock(mutex);
      released = true;
    }
    changed.notify_all();
    // Done when no request is pending and no run is open.
    CHECK(eventually([&] {
      const auto runs = f.store().sync_runs("acme/web", 0);
      return f.store().sync_schedules().at(0).requested_at == 0 && !runs.empty() &&
             runs.front().outcome != "running" && runs.size() >= 3;
    }));
    scheduler->stop();
    // The first sync, one for the 50 queued requests, and one more for all 200 made during it.
    const auto runs = f.sync->sync_runs("acme/web", 0);
    CHECK(runs.size() == 3);
    CHECK(runs.at(0).outcome == SyncOutcome::not_modified);
  }

  TEST_CASE("sync: the run history keeps max_sync_runs runs and none older than the age") {
    Fixture f;
    // A run from 40 days ago, as an older process left it.
    const std::int64_t old = unix_ms_now() - std::int64_t{40} * 24 * 3600 * 1000;
    f.store().end_sync_run({.id = f.store().begin_sync_run("acme/web", old),
                            .project_id = "acme/web",
                            .outcome = "ok"});
    auto sync = f.make({.max_sync_runs = 3, .max_sync_run_age = std::chrono::days(30)});
    CHECK(sync->sync_now("acme/web").outcome == SyncOutcome::ok);
    auto runs = sync->sync_runs("acme/web", 0);
    REQUIRE(runs.size() == 1); // the old one is gone
    CHECK(runs[0].started_at > old);
    for (int i = 0; i < 5; ++i)
      sync->sync_now("acme/web");
    runs = sync->sync_runs("acme/web", 0);
    CHECK(runs.size() == 3);
    CHECK(f.store().sync_runs("acme/web", 0).size() == 3);
  }

  TEST_CASE("sync: the syncing process's own subscribers hear of its sync") {
    Fixture f;
    f.first_sync();
    EventRecorder events(*f.db);
    CHECK(f.db->get("003", "acme/web")->title == "Spec 3"); // served from here on
    f.repo.write("specs/003-spec-3/README.md", readme("Pushed"));
    f.repo.commit("push");
    CHECK(f.sync->sync_now("acme/web").updated == 1);
    CHECK(events.next().changed == std::vector<std::string>{"003-spec-3"});
    CHECK(f.db->get("003", "acme/web")->title == "Pushed");
  }

  TEST_CASE("sync: three schedulers on one store sync a new project once") {
    Fixture f; // acme/web registered, never synced: due at once everywhere
    f.server->set_latency(std::chrono::milliseconds(50)); // the first sync holds the lease a while
    std::vector<std::shared_ptr<GithubSync>> schedulers;
    for (int i = 0; i < 3; ++i) // three holders, as three processes would be
      schedulers.push_back(f.make({.poll = std::chrono::milliseconds(50)}));
    for (const auto &s : schedulers)
      s->start();
    REQUIRE(eventually([&] { return f.store().project("acme/web")->sync_state == "ok"; }));
    // Room for the other two to sync it again if they wrongly would: many of their polls.
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    for (const auto &s : schedulers)
      s->stop();
    const auto runs = f.sync->sync_runs("acme/web", 0);
    REQUIRE(runs.size() == 1);
    CHECK(runs.front().outcome == SyncOutcome::ok);
    CHECK(f.server->stats().total == runs.front().requests);
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
