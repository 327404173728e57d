// GitHub sync benchmark (issue 5 §6, issue 6 §2): the real corpus committed into a git
// repository, served by the fake GitHub server (tests/support/fake_github.py) with a fixed
// latency per request, synced into a SQLite store through GithubSync. Measures, wall clock:
//   first      the first sync of every spec file (the tarball path)
//   unchanged  a resync of an unchanged branch (requests, 304s, rate-limit cost)
//   push5      a push that changes 5 spec files
//   webhook    push webhook received -> new content returned by DatabaseSource::get
//   commitN    a status change committed through the Git Data API (GithubSync::write_file),
//              five in a row: wall time, requests, and the store updated from the commit
//   naive      (--naive) one request per file, sequentially, for contrast
// A plain program (each figure is one long operation, not a micro-benchmark); no figure is
// asserted. bench/sync_bench.sh builds and runs it.
#include "github/webhook.hpp"
#include "support/fake_github.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/spec_update.hpp>
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
               const test::FakeGithubStats &stats) {
  std::printf("%-10s %-12s path=%-9s wall=%8.0f ms  requests=%3d (server: %lld, 304: %lld, "
              "API rate-limit cost %lld)  +%d ~%d -%d  bytes=%llu%s%s\n",
              name, std::string(to_string(run.outcome)).c_str(), run.path.c_str(), wall_ms,
              run.requests, static_cast<long long>(stats.total),
              static_cast<long long>(stats.not_modified),
              static_cast<long long>(stats.total - stats.not_modified - stats.requests("codeload")),
              run.added, run.updated, run.removed, static_cast<unsigned long long>(run.bytes),
              run.error.empty() ? "" : "  error: ", run.error.c_str());
  std::fflush(stdout);
}

// A spec's README.md with a line appended, for the next commit.
void touch(const test::FakeGithub &github, test::RepoFiles &files, const std::string &id,
           const std::string &line) {
  const std::string path = "specs/" + id + "/README.md";
  files[path] = read_file(github.work_tree() / path) + "\n" + line + "\n";
}

} // namespace

int main(int argc, char **argv) {
  std::string corpus = LEANSPEC_DEFAULT_CORPUS;
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

    test::RepoFiles files{{"README.md", "# lean-spec corpus\n"}};
    std::vector<std::string> ids;
    std::size_t md_files = 0;
    const fs::path specs = fs::path(corpus) / "specs";
    for (const auto &entry : fs::recursive_directory_iterator(specs))
      if (entry.is_regular_file()) {
        const std::string relative = fs::relative(entry.path(), specs).string();
        files["specs/" + relative] = read_file(entry.path());
        md_files += entry.path().extension() == ".md";
        if (entry.path().filename() == "README.md" && relative.find('/') == relative.rfind('/'))
          ids.push_back(entry.path().parent_path().filename().string());
      }
    std::sort(ids.begin(), ids.end());
    test::FakeGithub github(files);
    github.set_latency(std::chrono::milliseconds(latency_ms));
    std::printf("corpus: %s (%zu spec folders with README.md, %zu .md files); latency %d ms per "
                "request\n",
                corpus.c_str(), ids.size(), md_files, latency_ms);

    auto db = make_database_source({.database_url = "sqlite:" + (root / "store.db").string(),
                                    .recheck = std::chrono::milliseconds(0)});
    db->add_project({.id = "acme/web", .branch = "main"});
    const std::string secret = "bench-secret";
    auto sync = make_github_sync(
        db, {.api_url = github.api_url(), .token = github.token(), .webhook_secrets = {secret}});

    github.reset_stats();
    auto start = Clock::now();
    SyncRun run = sync->sync_now("acme/web");
    print_run("first", run, ms_since(start), github.stats());

    github.reset_stats();
    start = Clock::now();
    run = sync->sync_now("acme/web");
    print_run("unchanged", run, ms_since(start), github.stats());

    test::RepoFiles push;
    for (int i = 0; i < 5; ++i)
      touch(github, push, ids[static_cast<std::size_t>(10 + i * 37) % ids.size()],
            "Edited by push5.");
    github.commit(push, "push5");
    github.reset_stats();
    start = Clock::now();
    run = sync->sync_now("acme/web");
    print_run("push5", run, ms_since(start), github.stats());

    // Webhook -> visible, with the scheduler running; 5 files changed by the push.
    sync->start();
    std::vector<std::string> changed;
    const std::string before = github.head();
    const std::string marker = "Webhook marker " + std::to_string(latency_ms);
    test::RepoFiles hooked;
    for (int i = 0; i < 5; ++i) {
      changed.push_back(ids[static_cast<std::size_t>(3 + i * 41) % ids.size()]);
      touch(github, hooked, changed.back(), marker);
    }
    const std::string after = github.commit(hooked, "webhook push");
    std::string modified;
    for (const auto &id : changed)
      modified += (modified.empty() ? "\"" : ",\"") + std::string("specs/") + id + "/README.md\"";
    const std::string body = "{\"ref\":\"refs/heads/main\",\"before\":\"" + before +
                             "\",\"after\":\"" + after +
                             "\",\"forced\":false,\"repository\":{\"full_name\":\"acme/web\"},"
                             "\"commits\":[{\"added\":[],\"modified\":[" +
                             modified + "],\"removed\":[]}]}";
    const std::string last = changed.back();
    github.reset_stats();
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
    const auto stats = github.stats();
    std::printf("webhook    %-12s answered in %.1f ms (%d %s); new content visible through get "
                "after %.0f ms%s; server requests %lld (commit %lld, contents %lld, tree %lld)\n",
                std::string(to_string(answer.action)).c_str(), answered_ms, answer.status,
                answer.message.c_str(), visible_ms, visible ? "" : " (NOT SEEN within 30 s)",
                static_cast<long long>(stats.total),
                static_cast<long long>(stats.requests("commit")),
                static_cast<long long>(stats.requests("contents")),
                static_cast<long long>(stats.requests("tree")));
    std::fflush(stdout);

    // Writes (issue 20): a status change committed through the Git Data API, five times in a
    // row, each based on what the store holds (the first after the webhook's sync).
    for (int i = 0; i < 5; ++i) {
      const std::string id = ids[static_cast<std::size_t>(7 + i * 53) % ids.size()];
      const SpecPtr spec = db->get(id, "acme/web");
      FileWrite write;
      write.path = spec->path;
      write.base_hash = spec->content_hash;
      write.edit = [](std::string_view text) {
        SpecUpdate update;
        update.status = Status::in_progress;
        update.tags_add = {"bench-write"};
        return update_readme(text, update, std::chrono::system_clock::now());
      };
      github.reset_stats();
      start = Clock::now();
      const FileWriteResult done = sync->write_file("acme/web", write);
      const double wall = ms_since(start);
      const auto written = github.stats();
      const bool stored = db->get(id, "acme/web")->content_hash == git_blob_sha1(done.content);
      std::printf("commit%-4d %-12s wall=%8.0f ms  requests=%d (server: %lld)  head moved: %s  "
                  "stored: %s\n",
                  i + 1, id.substr(0, 12).c_str(), wall, done.requests,
                  static_cast<long long>(written.total),
                  github.head() == done.commit_sha ? "yes" : "NO", stored ? "yes" : "NO");
      std::fflush(stdout);
    }

    if (naive) {
      // One request per file, one at a time, into a fresh store: what a naive client does.
      auto fresh = make_database_source({.database_url = "sqlite:" + (root / "naive.db").string()});
      fresh->add_project({.id = "acme/web", .branch = "main"});
      auto sequential = make_github_sync(fresh, {.api_url = github.api_url(),
                                                 .token = github.token(),
                                                 .concurrency = 1,
                                                 .tarball_min_files = 1u << 30,
                                                 .first_sync_tarball = false});
      github.reset_stats();
      start = Clock::now();
      run = sequential->sync_now("acme/web");
      print_run("naive", run, ms_since(start), github.stats());
    }
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "sync_bench: %s\n", e.what());
    return 1;
  }
}
