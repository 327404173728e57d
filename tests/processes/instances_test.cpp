// Tests many app instances sharing one database (issue 6, "many instances, one PostgreSQL"):
// three real processes (tests/support/instance_main.cpp, each a SpecsService with its sync
// scheduler running) on a PostgreSQL server this test starts, then on one SQLite file, synced
// from the fake GitHub server (tests/support/fake_github.py) over loopback. It proves that
//   - a project due for its first sync is synced by exactly one instance: one sync run in the
//     store, and the fake server saw exactly that run's requests;
//   - after one instance syncs a push (sync_now, or a queued request its scheduler runs), every
//     instance hears the change event, the syncing one included, and serves the new content
//     although the old was cached (CACHE_TTL ten minutes); the time from the sync's return to
//     the others' events is printed;
//   - an instance killed (SIGKILL) while it holds the lease mid-sync blocks the project only
//     until the lease expires: another instance then syncs the push.
// Suite "instances" (ctest `instances`, labels service and integration).
#include "support/eventually.hpp"
#include "support/fake_github.hpp"
#include "support/postgres_harness.hpp"
#include "support/temp_spec_tree.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <functional>
#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace leanspec;
using leanspec::test::eventually;
using leanspec::test::FakeGithub;
using leanspec::test::PostgresHarness;
using leanspec::test::RepoFiles;
using leanspec::test::TempSpecTree;
using namespace std::chrono_literals;

namespace {

// Generous bounds for anything that should take milliseconds: CI machines are busy, and the
// instances run under ASan.
constexpr auto patience = 60s;
// The bound is 100 ms from a sync's commit to the other instances' events. The commit
// happens inside sync_now, before it records the run and gives the lease back: the time from
// sync_now's return to an event is the figure checked (negative when the event came first), and
// the time from its call, which includes the sync's requests, is printed beside it. The check
// allows ten times the bound, since a loaded machine (two cores, several ASan processes and a
// database server) can stall any process for longer than 100 ms, and a timed assertion must not
// fail on noise.
constexpr std::int64_t notify_bound_ns = 1'000'000'000;

constexpr const char *project = "acme/web";
constexpr auto lease_ttl = 3000ms; // renewed every second; a dead holder blocks for 3 s
constexpr auto poll_every = 200ms; // the schedulers' store poll

std::vector<std::string> split(const std::string &line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

std::vector<std::string> ids(const std::string &list) {
  std::vector<std::string> out;
  if (list == "-")
    return out;
  std::istringstream in(list);
  for (std::string id; std::getline(in, id, ',');)
    out.push_back(id);
  return out;
}

bool has(const std::vector<std::string> &list, const std::string &id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

// One "event" line of an instance (see instance_main.cpp).
struct Event {
  std::int64_t ns = 0;
  std::string project_id;
  std::uint64_t version = 0;
  std::vector<std::string> added, changed, removed;
};

// One leanspec_instance process; stdin and stdout are pipes, stderr is the test's (sanitizer
// reports show in the test log). Single-thread.
class Instance {
public:
  Instance(std::string name, const std::vector<std::string> &env) : name_(std::move(name)) {
    int in[2], out[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<std::string> args = {LEANSPEC_INSTANCE_EXE, "--lease-ttl-ms",
                                     std::to_string(lease_ttl.count()), "--poll-ms",
                                     std::to_string(poll_every.count())};
    std::vector<char *> argv, envp;
    for (auto &a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment = env;
    for (char **e = environ; *e; ++e) {
      const std::string entry = *e;
      const std::string key = entry.substr(0, entry.find('='));
      if (std::none_of(env.begin(), env.end(), [&](const std::string &mine) {
            return mine.compare(0, key.size() + 1, key + "=") == 0;
          }))
        environment.push_back(entry);
    }
    for (auto &e : environment)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    to_ = in[1];
    from_ = out[0];
    REQUIRE_MESSAGE(rc == 0, "posix_spawn " << LEANSPEC_INSTANCE_EXE << ": " << rc);
    const auto ready = split(answer());
    REQUIRE_MESSAGE(ready.size() == 2, name_ << " did not start");
    REQUIRE(ready[0] == "ready");
  }
  ~Instance() {
    if (pid_ > 0) { // a failed REQUIRE left it running
      ::kill(pid_, SIGKILL);
      reap();
    }
    ::close(to_);
    ::close(from_);
  }
  Instance(const Instance &) = delete;
  Instance &operator=(const Instance &) = delete;

  pid_t pid() const noexcept { return pid_; }
  const std::string &name() const noexcept { return name_; }

  void send(const std::string &line) {
    const std::string text = line + '\n';
    REQUIRE(::write(to_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  /// The next answer line (events that come first are kept for wait_event()).
  std::string answer() {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (answers_.empty())
      REQUIRE_MESSAGE(read_some(deadline),
                      name_ << ": no answer within " << patience.count() << " s");
    std::string line = answers_.front();
    answers_.erase(answers_.begin());
    return line;
  }
  std::string ask(const std::string &line) {
    send(line);
    return answer();
  }
  /// The title `get` answers for `ref` ("" when missing).
  std::string title(const std::string &ref) {
    const std::string line = ask("get " + ref + " " + project);
    if (line == "missing")
      return "";
    REQUIRE_MESSAGE(line.rfind("got ", 0) == 0, name_ << ": " << line);
    // "got <id> <content hash> <title>": the title is everything after the third space
    std::size_t at = 0;
    for (int spaces = 0; spaces < 3 && at != std::string::npos; ++spaces)
      at = line.find(' ', at + 1);
    REQUIRE(at != std::string::npos);
    return line.substr(at + 1);
  }
  /// The first event (kept or arriving) that `pred` accepts; it and the events before it are
  /// dropped.
  Event wait_event(const std::function<bool(const Event &)> &pred) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
      for (std::size_t i = 0; i < events_.size(); ++i)
        if (pred(events_[i])) {
          Event e = events_[i];
          events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
          return e;
        }
      REQUIRE_MESSAGE(read_some(deadline), name_
                                               << ": the expected change event did not come within "
                                               << patience.count() << " s");
    }
  }
  /// Tells the instance to quit and checks that it exits cleanly (status 0: no leak, no
  /// sanitizer report).
  void quit() {
    CHECK(ask("quit") == "bye");
    ::close(to_);
    to_ = -1;
    const int status = reap();
    CHECK_MESSAGE(WIFEXITED(status), name_ << " ended by signal " << WTERMSIG(status));
    CHECK_MESSAGE(WEXITSTATUS(status) == 0, name_ << " exit status " << WEXITSTATUS(status));
  }
  /// SIGKILL: the process dies where it stands (a crash), holding whatever it held.
  void kill9() {
    REQUIRE(::kill(pid_, SIGKILL) == 0);
    const int status = reap();
    CHECK(WIFSIGNALED(status));
  }

private:
  int reap() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  // Reads what is there (waiting until `deadline` for something) and sorts complete lines
  // into events and answers. False at the deadline or end of file.
  bool read_some(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{from_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      return true;
    if (ready <= 0)
      return false;
    char buffer[4096];
    const ssize_t n = ::read(from_, buffer, sizeof buffer);
    if (n <= 0)
      return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t end; (end = pending_.find('\n')) != std::string::npos;) {
      const std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      const auto words = split(line);
      if (!words.empty() && words[0] == "event" && words.size() == 7) {
        events_.push_back({std::stoll(words[1]), words[2], std::stoull(words[3]), ids(words[4]),
                           ids(words[5]), ids(words[6])});
      } else {
        answers_.push_back(line);
      }
    }
    return true;
  }

  std::string name_;
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  std::string pending_;
  std::vector<std::string> answers_;
  std::vector<Event> events_;
};

// No two finished runs overlap in time: the lease let one instance sync at a time.
void check_no_overlap(const std::vector<SyncRun> &runs) {
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (std::size_t j = i + 1; j < runs.size(); ++j) {
      const SyncRun &a = runs[i], &b = runs[j];
      if (a.ended_at == 0 || b.ended_at == 0)
        continue; // a run whose process died: see the crash part
      CHECK_MESSAGE((a.ended_at <= b.started_at || b.ended_at <= a.started_at),
                    "runs " << a.id << " [" << a.started_at << ", " << a.ended_at << "] and "
                            << b.id << " [" << b.started_at << ", " << b.ended_at << "] overlap");
    }
}

// The project's lease row as "holder expires_at" ("" when there is none), read directly from
// the database.
using LeaseReader = std::function<std::string()>;

// The whole story on one database (`url`), with three instances.
void check_three_instances(const std::string &url, const LeaseReader &lease, const char *what) {
  FakeGithub github(RepoFiles{
      {"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha\n"},
      {"specs/002-beta/README.md", "---\nstatus: in-progress\n---\n# Beta\n"},
  });
  const auto db = make_database_source({.database_url = url});
  // The parent reads the store's sync runs; it never syncs.
  const auto runs_of = make_github_sync(db, {.api_url = github.api_url(), .token = github.token()});
  const std::vector<std::string> env = {"SPECS_MODE=database", "DATABASE_URL=" + url,
                                        "GITHUB_API_URL=" + github.api_url(),
                                        "GITHUB_TOKEN=" + github.token(), "CACHE_TTL=600000"};
  std::vector<std::unique_ptr<Instance>> instances;
  for (int i = 0; i < 3; ++i)
    instances.push_back(std::make_unique<Instance>("instance " + std::to_string(i), env));

  // (a) Registered now, the project is due at once in all three schedulers, which poll every
  // 200 ms; each request takes 100 ms, so the first sync holds the lease while the others try.
  github.set_latency(100ms);
  db->add_project({.id = project, .branch = "main", .sync_interval = std::chrono::hours(1)});
  REQUIRE(eventually([&] {
    const auto runs = runs_of->sync_runs(project, 0);
    return !runs.empty() && runs.back().ended_at != 0;
  }));
  // Room for the others to sync again if they wrongly would: several of their polls.
  std::this_thread::sleep_for(10 * poll_every);
  github.set_latency(0ms);
  const auto first = runs_of->sync_runs(project, 0);
  for (const auto &r : first)
    std::printf("[%s] run %lld %s [%lld, %lld] %d requests %s\n", what,
                static_cast<long long>(r.id), std::string(to_string(r.outcome)).c_str(),
                static_cast<long long>(r.started_at), static_cast<long long>(r.ended_at),
                r.requests, r.error.c_str());
  REQUIRE(first.size() == 1);
  CHECK(first.front().outcome == SyncOutcome::ok);
  CHECK(first.front().added == 2);
  const auto stats = github.stats();
  CHECK(stats.total == first.front().requests); // nobody else asked GitHub anything
  std::printf("[%s] first sync: 1 run, %d requests, %lld ms\n", what, first.front().requests,
              static_cast<long long>(first.front().duration.count()));

  // (b) Every instance reads (and caches) the spec; a push synced by instance 0 reaches all.
  for (auto &instance : instances) {
    CHECK(instance->title("001") == "Alpha");
    CHECK(instance->title("001") == "Alpha"); // from the cache now
  }
  github.commit({{"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha two\n"}});
  instances[0]->send(std::string("sync_now ") + project);
  const auto synced = split(instances[0]->answer());
  REQUIRE(synced.size() == 8);
  CHECK(synced[0] == "synced");
  CHECK(synced[1] == "ok");
  CHECK(synced[3] == "1"); // updated
  const std::int64_t called_ns = std::stoll(synced[6]), returned_ns = std::stoll(synced[7]);
  const auto changed_alpha = [](const Event &e) {
    return e.project_id == project && has(e.changed, "001-alpha");
  };
  for (auto &instance : instances) {
    const Event e = instance->wait_event(changed_alpha);
    std::printf("[%s] %s heard the change %.3f ms after instance 0 called sync_now, %+.3f ms "
                "after it returned (the commit is between the two)\n",
                what, instance->name().c_str(), static_cast<double>(e.ns - called_ns) / 1e6,
                static_cast<double>(e.ns - returned_ns) / 1e6);
    CHECK(e.ns - returned_ns < notify_bound_ns);
    CHECK(instance->title("001") == "Alpha two");
  }

  // (c) A queued request (as a webhook makes), run by whichever scheduler gets the lease: all
  // three hear of it and serve it, the syncing one too (its cache held the old title).
  github.commit({{"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha three\n"},
                 {"specs/003-gamma/README.md", "---\nstatus: draft\n---\n# Gamma\n"}});
  CHECK(instances[1]->ask(std::string("request_sync ") + project) == "requested");
  std::uint64_t version = 0;
  for (auto &instance : instances) {
    version =
        instance->wait_event([](const Event &e) { return has(e.added, "003-gamma"); }).version;
    CHECK(instance->title("001") == "Alpha three");
    CHECK(instance->title("003") == "Gamma");
  }
  // The event goes out at the store's commit; the run is recorded as ended just after.
  std::vector<SyncRun> runs;
  REQUIRE(eventually([&] {
    runs = runs_of->sync_runs(project, 0);
    return std::all_of(runs.begin(), runs.end(), [](const SyncRun &r) { return r.ended_at; });
  }));
  CHECK(runs.size() == 3);
  check_no_overlap(runs);

  // (d) Instance 0 dies mid-sync, holding the lease; once it expires another instance syncs.
  github.set_latency(1500ms); // each request: the sync is still under way when it is killed
  github.commit({{"specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha four\n"}});
  instances[0]->send(std::string("sync_now ") + project);
  const std::string dead = ":" + std::to_string(instances[0]->pid()) + ":"; // in its holder name
  REQUIRE(eventually([&] {
    return lease().find(dead) != std::string::npos &&
           runs_of->sync_runs(project, 1).front().ended_at == 0; // its run has begun
  }));
  instances[0]->kill9();
  const auto held = split(lease()); // the dead holder's, renewed no more
  REQUIRE(held.size() == 2);
  REQUIRE(held[0].find(dead) != std::string::npos);
  const std::int64_t expires_at = std::stoll(held[1]);
  github.set_latency(0ms);
  CHECK(instances[1]->ask(std::string("request_sync ") + project) == "requested");
  for (std::size_t i = 1; i < instances.size(); ++i) {
    (void)instances[i]->wait_event(
        [&](const Event &e) { return changed_alpha(e) && e.version > version; });
    CHECK(instances[i]->title("001") == "Alpha four");
  }
  REQUIRE(eventually([&] {
    runs = runs_of->sync_runs(project, 0); // newest first
    // ended, and its details (commit, path) written, a statement later
    return runs.size() == 5 && runs.front().ended_at != 0 && !runs.front().commit_sha.empty();
  }));
  const SyncRun &takeover = runs[0], &killed = runs[1];
  CHECK(killed.outcome == SyncOutcome::running); // its process never finished it
  CHECK(killed.ended_at == 0);
  CHECK(takeover.outcome == SyncOutcome::ok);
  CHECK(takeover.updated == 1);
  CHECK(takeover.commit_sha == github.head());
  // Not before the dead holder's lease ran out (1 ms for PostgreSQL's rounding of its clock to
  // ms against the instance's truncation).
  CHECK(takeover.started_at + 1 >= expires_at);
  std::printf("[%s] after a holder was killed, the next sync started %lld ms after its lease "
              "expired\n",
              what, static_cast<long long>(takeover.started_at - expires_at));
  check_no_overlap(runs);
  CHECK(eventually([&] { return lease().empty(); })); // released by the one that took over

  instances[1]->quit();
  instances[2]->quit();
}

} // namespace

TEST_SUITE("instances") {
  TEST_CASE("three instances on one PostgreSQL: one syncs at a time, all hear of it") {
    auto &pg = PostgresHarness::instance();
    const std::string schema = pg.fresh_schema();
    check_three_instances(
        pg.url(schema),
        [&] {
          return pg.query(schema, "SELECT holder || ' ' || expires_at FROM leases WHERE "
                                  "project_id = 'acme/web'");
        },
        "postgres");
  }

  TEST_CASE("three instances on one SQLite file: the same through the change check") {
    TempSpecTree scratch;
    const std::string file = (scratch.root() / "specs.db").string();
    check_three_instances(
        "sqlite:" + file,
        [&] {
          SQLite::Database reader(file, SQLite::OPEN_READONLY);
          reader.setBusyTimeout(5000);
          SQLite::Statement q(reader, "SELECT holder || ' ' || expires_at FROM leases WHERE "
                                      "project_id = 'acme/web'");
          return q.executeStep() ? q.getColumn(0).getString() : std::string();
        },
        "sqlite");
  }
}
