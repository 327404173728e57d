// GitHub sync benchmark (issue 5 §6, issue 6 §2): the real corpus committed into a git
// repository, served by the fake GitHub server (tests/support/fake_github.py) with a fixed
// latency per request, synced into a SQLite store through GithubSync. Measures, wall clock:
//   first      the first sync of every spec file (the tarball path)
//   unchanged  a resync of an unchanged branch (requests, 304s, rate-limit cost)
//   push5      a push that changes 5 spec files
//   webhook    push webhook received -> new content returned by DatabaseSource::get
//   naive      (--naive) one request per file, sequentially, for contrast
// A plain program (each figure is one long operation, not a micro-benchmark); no figure is
// asserted. bench/sync_bench.sh builds and runs it.
#include "github/webhook.hpp"
#include "support/github_repo.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <string>
#include <thread>
#include <vector>

using namespace leanspec;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string read_file(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void print_run(const char *name, const SyncRun &run, double wall_ms,
               const test::FakeGithubServer::Stats &stats) {
  std::printf("%-10s %-12s path=%-9s wall=%8.0f ms  requests=%3d (server: %lld, 304: %lld, "
              "API rate-limit cost %lld)  +%d ~%d -%d  bytes=%llu%s%s\n",
              name, std::string(to_string(run.outcome)).c_str(), run.path.c_str(), wall_ms,
              run.requests, static_cast<long long>(stats.total),
              static_cast<long long>(stats.not_modified),
              static_cast<long long>(stats.total - stats.not_modified - stats.count("codeload")),
              run.added, run.updated, run.removed, static_cast<unsigned long long>(run.bytes),
              run.error.empty() ? "" : "  error: ", run.error.c_str());
  std::fflush(stdout);
}

// Appends a line to a spec's README.md body in the repository; returns its id.
std::string touch(const test::GitRepo &repo, const std::string &id, const std::string &line) {
  const fs::path path = repo.dir() / "specs" / id / "README.md";
  std::string text = read_file(path);
  text += "\n" + line + "\n";
  repo.write("specs/" + id + "/README.md", text);
  return id;
}

} // namespace

int main(int argc, char **argv) {
  std::string corpus = "/work/shared/corpus/lean-spec";
  if (const char *env = std::getenv("LEANSPEC_CORPUS"))
    corpus = env;
  int latency_ms = 300;
  bool naive = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--naive")
      naive = true;
    else if (arg.starts_with("--latency-ms="))
      latency_ms = std::atoi(arg.c_str() + 13);
    else if (arg.starts_with("--corpus="))
      corpus = arg.substr(9);
    else {
      std::fprintf(stderr, "usage: %s [--latency-ms=N] [--corpus=DIR] [--naive]\n", argv[0]);
      return 2;
    }
  }
  try {
    char pattern[] = "/tmp/leanspec-sync-bench-XXXXXX";
    if (!::mkdtemp(pattern))
      throw std::runtime_error("mkdtemp failed");
    const fs::path root = pattern;
    struct Cleanup {
      fs::path p;
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(p, ec);
      }
    } cleanup{root};

    test::GitRepo repo(root / "repo");
    fs::copy(fs::path(corpus) / "specs", repo.dir() / "specs", fs::copy_options::recursive);
    repo.write("README.md", "# lean-spec corpus\n");
    repo.commit("corpus");
    std::vector<std::string> ids;
    for (const auto &entry : fs::directory_iterator(repo.dir() / "specs"))
      if (entry.is_directory() && fs::exists(entry.path() / "README.md"))
        ids.push_back(entry.path().filename().string());
    std::sort(ids.begin(), ids.end());
    std::size_t md_files = 0;
    for (const auto &entry : fs::recursive_directory_iterator(repo.dir() / "specs"))
      md_files += entry.is_regular_file() && entry.path().extension() == ".md";

    test::FakeGithubServer server(repo, LEANSPEC_FAKE_GITHUB);
    server.configure("{\"latency_ms\": " + std::to_string(latency_ms) + "}");
    std::printf("corpus: %s (%zu spec folders with README.md, %zu .md files); latency %d ms per "
                "request\n",
                corpus.c_str(), ids.size(), md_files, latency_ms);

    auto db = make_database_source({.database_url = "sqlite:" + (root / "store.db").string(),
                                    .recheck = std::chrono::milliseconds(0)});
    db->add_project({.id = "acme/web", .branch = "main"});
    const std::string secret = "bench-secret";
    auto sync = make_github_sync(db, {.api_url = server.api_url(), .webhook_secrets = {secret}});

    server.reset();
    auto start = Clock::now();
    SyncRun run = sync->sync_now("acme/web");
    print_run("first", run, ms_since(start), server.stats());

    server.reset();
    start = Clock::now();
    run = sync->sync_now("acme/web");
    print_run("unchanged", run, ms_since(start), server.stats());

    for (int i = 0; i < 5; ++i)
      touch(repo, ids[static_cast<std::size_t>(10 + i * 37) % ids.size()], "Edited by push5.");
    repo.commit("push5");
    server.reset();
    start = Clock::now();
    run = sync->sync_now("acme/web");
    print_run("push5", run, ms_since(start), server.stats());

    // Webhook -> visible, with the scheduler running; 5 files changed by the push.
    sync->start();
    std::vector<std::string> changed;
    const std::string before = repo.head();
    const std::string marker = "Webhook marker " + std::to_string(latency_ms);
    for (int i = 0; i < 5; ++i)
      changed.push_back(
          touch(repo, ids[static_cast<std::size_t>(3 + i * 41) % ids.size()], marker));
    const std::string after = repo.commit("webhook push");
    std::string modified;
    for (const auto &id : changed)
      modified += (modified.empty() ? "\"" : ",\"") + std::string("specs/") + id + "/README.md\"";
    const std::string body = "{\"ref\":\"refs/heads/main\",\"before\":\"" + before +
                             "\",\"after\":\"" + after +
                             "\",\"forced\":false,\"repository\":{\"full_name\":\"acme/web\"},"
                             "\"commits\":[{\"added\":[],\"modified\":[" +
                             modified + "],\"removed\":[]}]}";
    const std::string last = changed.back();
    server.reset();
    start = Clock::now();
    const auto answer =
        sync->handle_webhook({{"X-GitHub-Event", "push"},
                              {"X-GitHub-Delivery", "bench-1"},
                              {"X-Hub-Signature-256", detail::webhook_signature(secret, body)}},
                             body);
    const double answered_ms = ms_since(start);
    bool visible = false;
    while (ms_since(start) < 30'000) {
      const auto spec = db->get(last, "acme/web");
      if (spec && spec->body.find(marker) != std::string::npos) {
        visible = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const double visible_ms = ms_since(start);
    sync->stop();
    const auto stats = server.stats();
    std::printf("webhook    %-12s answered in %.1f ms (%d %s); new content visible through get "
                "after %.0f ms%s; server requests %lld (commit %lld, contents %lld, tree %lld)\n",
                std::string(to_string(answer.action)).c_str(), answered_ms, answer.status,
                answer.message.c_str(), visible_ms, visible ? "" : " (NOT SEEN within 30 s)",
                static_cast<long long>(stats.total), static_cast<long long>(stats.count("commit")),
                static_cast<long long>(stats.count("contents")),
                static_cast<long long>(stats.count("tree")));

    if (naive) {
      // One request per file, one at a time, into a fresh store: what a naive client does.
      auto fresh = make_database_source({.database_url = "sqlite:" + (root / "naive.db").string()});
      fresh->add_project({.id = "acme/web", .branch = "main"});
      auto sequential = make_github_sync(
          fresh, {.api_url = server.api_url(), .concurrency = 1, .tarball_min_files = 1u << 30});
      server.reset();
      start = Clock::now();
      run = sequential->sync_now("acme/web");
      print_run("naive", run, ms_since(start), server.stats());
    }
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "sync_bench: %s\n", e.what());
    return 1;
  }
}
