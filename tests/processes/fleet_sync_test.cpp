// Tests GithubSync at fleet scale (src/github/rate_budget.cpp, sync_scheduler.cpp): many
// projects registered in a real SQLite store, synced over loopback HTTP from the fake GitHub
// (tests/support/fake_github.py) serving every repository from one git repository and, where
// a test says so, enforcing GitHub's secondary limits. The fake's counters prove the cost:
// requests by status, those that cost the primary limit, and secondary-limit 403s.
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/etags.hpp"
#include "support/eventually.hpp"
#include "support/fake_github.hpp"
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <doctest/doctest.h>
#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <mutex>
#include <thread>

using namespace leanspec;
using leanspec::test::eventually;
using leanspec::test::FakeGithub;
using leanspec::test::RepoFiles;
using leanspec::test::TempSpecTree;

namespace {

std::string project_id(const std::string &prefix, int i) {
  char id[64];
  std::snprintf(id, sizeof id, "fleet/%s-%03d", prefix.c_str(), i);
  return id;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One fake GitHub serving every repository from one git repository, with the primary limit's
// headers on (5,000 requests), and a SQLite store.
struct Fleet {
  TempSpecTree dir;
  FakeGithub server{RepoFiles{
      {"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha\n"},
      {"specs/002-beta/README.md", "---\nstatus: complete\n---\n# Beta\n"},
  }};
  std::shared_ptr<DatabaseSource> db =
      make_database_source({.database_url = "sqlite:" + (dir.root() / "store.db").string(),
                            .recheck = std::chrono::milliseconds(0)});

  Fleet() {
    server.set_any_repo(true);
    server.set_rate_limit(5000);
  }
  detail::Store &store() const { return detail::DatabaseSourceAccess::store(*db); }
  std::shared_ptr<GithubSync> make(SyncOptions options) {
    options.api_url = server.api_url();
    options.token = server.token();
    options.retry_base = std::chrono::milliseconds(5);
    return make_github_sync(db, std::move(options));
  }
  // Registers `n` projects, never synced.
  std::vector<std::string> add(const std::string &prefix, int n,
                               std::chrono::seconds interval = std::chrono::seconds(3600)) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.push_back(project_id(prefix, i));
      db->add_project({.id = ids.back(), .branch = "main", .sync_interval = interval});
    }
    return ids;
  }
  // Registers `n` projects synced `ago` ms ago and unchanged since: the first one synced for
  // real, the others given its record (commit, tree, the head's ETag under their own path)
  // directly in the store. Then the fake's counters are zeroed.
  std::vector<std::string> add_synced(const std::string &prefix, int n, std::int64_t ago,
                                      std::chrono::seconds interval = std::chrono::seconds(3600)) {
    const std::vector<std::string> ids = add(prefix, n, interval);
    REQUIRE(make({})->sync_now(ids[0]).outcome == SyncOutcome::ok);
    const detail::ProjectRecord first = *store().project(ids[0]);
    const auto etags = detail::read_etags(first.etags_json);
    REQUIRE(etags.size() == 1);
    const std::string etag = etags.begin()->second;
    for (const std::string &id : ids) {
      detail::ProjectRecord record = *store().project(id);
      record.commit_sha = first.commit_sha;
      record.last_tree = first.last_tree;
      record.etags_json = detail::write_etags({{"/repos/" + id + "/commits/main", etag}});
      record.sync_state = "ok";
      record.last_synced_at = unix_ms_now() - ago;
      store().update_project(record);
    }
    server.reset_stats();
    return ids;
  }
  // The newest run of each project, once every project has one newer than `after_run_id`.
  std::vector<SyncRun> newest_runs(GithubSync &sync, const std::vector<std::string> &ids,
                                   std::int64_t after_run_id) {
    std::vector<SyncRun> out;
    for (const std::string &id : ids) {
      const auto runs = sync.sync_runs(id, 1);
      if (runs.empty() || runs[0].id <= after_run_id || runs[0].outcome == SyncOutcome::running)
        return {};
      out.push_back(runs[0]);
    }
    return out;
  }
  std::int64_t last_run_id(GithubSync &sync, const std::vector<std::string> &ids) {
    std::int64_t last = 0;
    for (const std::string &id : ids)
      for (const SyncRun &run : sync.sync_runs(id, 1))
        last = std::max(last, run.id);
    return last;
  }
};

} // namespace

TEST_SUITE("fleet") {
  TEST_CASE("fleet: 120 unchanged projects under tight secondary limits: no secondary-limit 403, "
            "one conditional request each, none counted against the primary limit") {
    Fleet f;
    const auto ids = f.add_synced("p", 120, 2 * 3600 * 1000);
    const std::int64_t seeded = f.last_run_id(*f.make({}), ids);
    // GitHub's secondary limits, tightened: 3 requests at once, 90 points a minute. Six
    // workers with eight requests each would break both; the budget keeps them within 2 and 80.
    f.server.set_latency(std::chrono::milliseconds(20));
    f.server.set_secondary_limits(3, 90, 30);
    auto sync = f.make({.workers = 6,
                        .poll = std::chrono::milliseconds(50),
                        .credential_concurrency = 2,
                        .points_per_minute = 80});
    for (const std::string &id : ids) // queued, as webhooks would: due at once, all of them
      sync->request_sync(id);
    sync->start();
    std::vector<SyncRun> runs;
    // 40 of them wait for the first minute's points to leave the window.
    REQUIRE(eventually([&] { return !(runs = f.newest_runs(*sync, ids, seeded)).empty(); },
                       std::chrono::seconds(180)));
    sync->stop();
    const auto stats = f.server.stats();
    CHECK(stats.secondary_limited == 0);
    CHECK(stats.rate_limited == 0);
    CHECK(stats.requests("commit") == 120);
    CHECK(stats.total == 120);
    CHECK(stats.conditional == 120);
    CHECK(stats.not_modified == 120);
    CHECK(stats.by_status.at("304") == 120);
    CHECK(stats.primary_counted == 0);
    CHECK(stats.max_concurrent <= 3); // 2, and the moment the server takes to close one
    for (const SyncRun &run : runs) {
      CHECK(run.outcome == SyncOutcome::not_modified);
      CHECK(run.requests == 1);
      CHECK(run.not_modified == 1);
      CHECK(run.rate_limit_remaining == runs.front().rate_limit_remaining); // 304s cost nothing
    }
  }

  TEST_CASE("fleet: a secondary-limit 403 pauses every project of the credential") {
    Fleet f;
    const auto ids = f.add_synced("p", 3, 0);
    auto sync = f.make({});
    f.server.set_secondary_limit(0, 30); // every request: 403 secondary limit, Retry-After 30
    const std::int64_t before = unix_ms_now();
    const SyncRun first = sync->sync_now(ids[1]);
    CHECK(first.outcome == SyncOutcome::rate_limited);
    CHECK(first.retry_at >= before + 29'000);
    f.server.set_secondary_limit(std::nullopt);
    f.server.reset_stats();
    // Another project with the same token: not even sent.
    const SyncRun second = sync->sync_now(ids[2]);
    CHECK(second.outcome == SyncOutcome::rate_limited);
    CHECK(second.retry_at >= first.retry_at - 1000);
    CHECK(second.error.find("paused") != std::string::npos);
    CHECK(second.error.find(f.server.token()) == std::string::npos);
    CHECK(f.server.stats().total == 0);
    // The scheduler holds back a requested sync of that credential too.
    sync->request_sync(ids[0]);
    sync->start();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    sync->stop();
    CHECK(f.server.stats().total == 0);
    CHECK(sync->sync_runs(ids[0], 0).size() == 1); // the seeding sync only
    // Another GithubSync (another budget) is not paused by this one.
    CHECK(f.make({})->sync_now(ids[0]).outcome == SyncOutcome::not_modified);
  }

  TEST_CASE("fleet: queued webhook requests go before due polls") {
    Fleet f;
    const auto polls = f.add("poll", 4); // never synced: due at once
    // The first sync waits in its progress callback until the requests are queued.
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false, released = false;
    auto sync = f.make({.workers = 1,
                        .poll = std::chrono::milliseconds(50),
                        .progress = [&](const std::string &, std::size_t, std::size_t) {
                          std::unique_lock lock(mutex);
                          if (entered)
                            return;
                          entered = true;
                          changed.notify_all();
                          changed.wait(lock, [&] { return released; });
                        }});
    sync->start();
    {
      std::unique_lock lock(mutex);
      REQUIRE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return entered; }));
    }
    const auto requested = f.add("req", 2); // registered, then requested by a webhook
    for (const std::string &id : requested)
      sync->request_sync(id);
    {
      const std::lock_guard lock(mutex);
      released = true;
    }
    changed.notify_all();
    std::vector<std::string> all = polls;
    all.insert(all.end(), requested.begin(), requested.end());
    std::vector<SyncRun> runs;
    REQUIRE(eventually([&] { return !(runs = f.newest_runs(*sync, all, 0)).empty(); }));
    sync->stop();
    // The first poll was under way; every other poll comes after both requests.
    const std::int64_t first_poll =
        std::min_element(runs.begin(), runs.begin() + 4, [](const auto &a, const auto &b) {
          return a.id < b.id;
        })->id;
    for (int i = 0; i < 4; ++i)
      for (int r = 4; r < 6; ++r)
        if (runs[static_cast<std::size_t>(i)].id != first_poll)
          CHECK(runs[static_cast<std::size_t>(r)].id < runs[static_cast<std::size_t>(i)].id);
  }

  TEST_CASE("fleet: a scheduler that finds 40 projects overdue spreads them over the interval") {
    Fleet f;
    // Last synced two hours ago, interval one hour: all overdue when the scheduler starts.
    const auto ids = f.add_synced("p", 40, 2 * 3600 * 1000);
    auto sync = f.make({.workers = 4, .poll = std::chrono::milliseconds(50)});
    sync->start();
    // Many polls: an unspread scheduler syncs all 40 at once in this time.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    sync->stop();
    // Each is due on its slot within the hour: about 40 * 1.5 / 3600 of them now.
    CHECK(f.server.stats().total <= 3);
  }
}
