// GitHub sync at fleet scale (issue 18 §5): N projects (default 1,000) registered in a SQLite
// store, all unchanged since their last sync, against the test suite's fake GitHub
// (tests/support/fake_github.py) serving every repository from one small git repository and
// enforcing GitHub's secondary limits (100 requests at once, 900 points a minute). One
// GithubSync with default options (but no jitter) syncs them all once:
//   scheduled  the projects overdue (last synced two intervals ago): the scheduler's pass,
//              spread over one interval (--interval-ms, default 120 s)
//   queued     every project requested at once (as webhooks would): the pass as fast as the
//              rate budget allows
// For each pass, one JSON line: conditional requests (If-None-Match sent), 304 answers,
// requests counted against the primary limit, secondary-limit 403s, other rate-limited
// answers, wall time, and the most syncs started in any one second. bench/summarize.py reads
// the lines (fleet_sync.jsonl). A plain program; no figure is asserted.
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/etags.hpp"
#include "support/fake_github.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace leanspec;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  int projects = 1000;
  std::int64_t interval_ms = 120'000;
  int latency_ms = 0;
  std::string mode = "both"; // scheduled, queued or both
};

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string project_id(int i) {
  char id[32];
  std::snprintf(id, sizeof id, "fleet/repo-%04d", i);
  return id;
}

// Every project unchanged since a sync `ago` ms back: the first synced for real, the others
// given its record (commit, tree, the head's ETag under their own path) in the store.
void seed(DatabaseSource &db, GithubSync &sync, const std::vector<std::string> &ids,
          std::int64_t ago) {
  detail::Store &store = detail::DatabaseSourceAccess::store(db);
  if (store.project(ids[0])->commit_sha.empty() && sync.sync_now(ids[0]).outcome != SyncOutcome::ok)
    throw std::runtime_error("the first sync failed: " + sync.sync_runs(ids[0], 1).at(0).error);
  const detail::ProjectRecord first = *store.project(ids[0]);
  const std::string etag = detail::read_etags(first.etags_json).begin()->second;
  for (const std::string &id : ids) {
    detail::ProjectRecord record = *store.project(id);
    record.commit_sha = first.commit_sha;
    record.last_tree = first.last_tree;
    record.etags_json = detail::write_etags({{"/repos/" + id + "/commits/main", etag}});
    record.sync_state = "ok";
    record.last_synced_at = unix_ms_now() - ago;
    store.update_project(record);
  }
}

// Waits until every project has a finished run newer than `after`; their start times.
std::vector<std::int64_t> wait_for_pass(GithubSync &sync, const std::vector<std::string> &ids,
                                        std::int64_t after, std::int64_t timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<std::int64_t> started;
  std::size_t next = 0; // projects before it are done
  while (next < ids.size()) {
    const auto runs = sync.sync_runs(ids[next], 1);
    if (!runs.empty() && runs[0].id > after && runs[0].outcome != SyncOutcome::running) {
      started.push_back(runs[0].started_at);
      ++next;
      continue;
    }
    if (Clock::now() > deadline)
      throw std::runtime_error("the pass did not end within " + std::to_string(timeout_ms) +
                               " ms (" + std::to_string(next) + " projects done)");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return started;
}

std::int64_t last_run_id(GithubSync &sync, const std::vector<std::string> &ids) {
  std::int64_t last = 0;
  for (const std::string &id : ids)
    for (const SyncRun &run : sync.sync_runs(id, 1))
      last = std::max(last, run.id);
  return last;
}

int most_in_one_second(std::vector<std::int64_t> started) {
  std::sort(started.begin(), started.end());
  int most = 0;
  for (std::size_t i = 0, j = 0; j < started.size(); ++j) {
    while (started[j] - started[i] >= 1000)
      ++i;
    most = std::max(most, static_cast<int>(j - i + 1));
  }
  return most;
}

void pass(const std::string &mode, const Args &args, test::FakeGithub &github,
          const std::shared_ptr<DatabaseSource> &db, const std::vector<std::string> &ids) {
  // Default options, but no jitter: a project's next sync comes a whole interval after its
  // first, so the pass is one sync per project.
  auto sync =
      make_github_sync(db, {.api_url = github.api_url(), .token = github.token(), .jitter = 0});
  // Scheduled: last synced two intervals ago, so every project is overdue at the start.
  seed(*db, *sync, ids, mode == "scheduled" ? 2 * args.interval_ms : 0);
  const std::int64_t after = last_run_id(*sync, ids);
  github.reset_stats();
  const auto start = Clock::now();
  if (mode == "queued")
    for (const std::string &id : ids)
      sync->request_sync(id);
  sync->start();
  const auto started = wait_for_pass(*sync, ids, after, 4 * args.interval_ms + 600'000);
  const double wall = ms_since(start);
  sync->stop();
  const auto stats = github.stats();
  std::int64_t ok = 0, other = 0;
  for (const std::string &id : ids) {
    const SyncRun run = sync->sync_runs(id, 1).at(0);
    ok += run.outcome == SyncOutcome::not_modified;
    other += run.outcome != SyncOutcome::not_modified;
  }
  const auto count = [&](const char *status) {
    const auto it = stats.by_status.find(status);
    return it == stats.by_status.end() ? std::int64_t{0} : it->second;
  };
  std::printf("{\"bench\": \"fleet_sync\", \"mode\": \"%s\", \"projects\": %zu, "
              "\"interval_ms\": %lld, \"latency_ms\": %d, \"requests\": %lld, "
              "\"conditional_requests\": %lld, \"not_modified\": %lld, "
              "\"primary_counted\": %lld, \"secondary_limit_403\": %lld, "
              "\"rate_limited\": %lld, \"runs_not_modified\": %lld, \"runs_other\": %lld, "
              "\"wall_ms\": %.0f, \"max_syncs_per_second\": %d}\n",
              mode.c_str(), ids.size(), static_cast<long long>(args.interval_ms), args.latency_ms,
              static_cast<long long>(stats.total), static_cast<long long>(stats.conditional),
              static_cast<long long>(count("304")), static_cast<long long>(stats.primary_counted),
              static_cast<long long>(stats.secondary_limited),
              static_cast<long long>(stats.rate_limited), static_cast<long long>(ok),
              static_cast<long long>(other), wall, most_in_one_second(started));
  std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--projects="))
      args.projects = std::atoi(arg.c_str() + 11);
    else if (arg.starts_with("--interval-ms="))
      args.interval_ms = std::atoll(arg.c_str() + 14);
    else if (arg.starts_with("--latency-ms="))
      args.latency_ms = std::atoi(arg.c_str() + 13);
    else if (arg.starts_with("--mode="))
      args.mode = arg.substr(7);
    else {
      std::fprintf(stderr,
                   "usage: %s [--projects=N] [--interval-ms=MS] [--latency-ms=MS] "
                   "[--mode=scheduled|queued|both]\n",
                   argv[0]);
      return 2;
    }
  }
  if (args.projects < 1 || args.interval_ms < 1000) {
    std::fprintf(stderr, "fleet_sync: --projects at least 1, --interval-ms at least 1000\n");
    return 2;
  }
  try {
    char pattern[] = "/tmp/leanspec-fleet-bench-XXXXXX";
    if (!::mkdtemp(pattern))
      throw std::runtime_error("mkdtemp failed");
    struct Cleanup {
      fs::path p;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(p, ec);
      }
    } cleanup{pattern};

    test::FakeGithub github(test::RepoFiles{
        {"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha\n\nThe first.\n"},
        {"specs/002-beta/README.md", "---\nstatus: complete\n---\n# Beta\n\nThe second.\n"},
    });
    github.set_any_repo(true);
    github.set_rate_limit(5000);
    github.set_secondary_limits(100, 900); // GitHub's own, for the REST API
    if (args.latency_ms > 0)
      github.set_latency(std::chrono::milliseconds(args.latency_ms));

    auto db = make_database_source({.database_url = "sqlite:" + (cleanup.p / "store.db").string(),
                                    .recheck = std::chrono::milliseconds(0)});
    std::vector<std::string> ids;
    for (int i = 0; i < args.projects; ++i) {
      ids.push_back(project_id(i));
      db->add_project({.id = ids.back(),
                       .branch = "main",
                       .sync_interval = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::milliseconds(args.interval_ms))});
    }
    if (args.mode != "queued")
      pass("scheduled", args, github, db, ids);
    if (args.mode == "both") // GitHub's minute of points, the first pass's, runs out first
      std::this_thread::sleep_for(std::chrono::seconds(61));
    if (args.mode != "scheduled")
      pass("queued", args, github, db, ids);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "fleet_sync: %s\n", e.what());
    return 1;
  }
}
