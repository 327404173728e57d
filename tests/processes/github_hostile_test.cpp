// Tests GithubSync (src/github/sync.cpp) against a hostile GitHub: the fake server
// (tests/support/fake_github.py) spoils its answers on request -- invalid JSON, invalid base64,
// hostile tree paths, absurd sizes, tarballs with hostile entries -- and every case must end in
// an error naming the path or endpoint (never the token), leave the stored snapshot exactly as
// the last good sync wrote it, and write no file anywhere: each sync runs with its working
// directory in a folder of its own, which must stay empty, beside the store's folder, which
// must keep the same files. Then the server turns honest and the next sync succeeds.
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/webhook.hpp"
#include "support/fake_github.hpp"
#include "support/temp_spec_tree.hpp"

#include <doctest/doctest.h>
#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <set>
#include <tuple>
#include <unistd.h>

using namespace leanspec;
using leanspec::test::FakeGithub;
using leanspec::test::FakeTarballMember;
using leanspec::test::FakeTreeEntry;
using leanspec::test::RepoFiles;
using leanspec::test::TempSpecTree;

namespace {

constexpr const char *secret = "hostile-hook-secret";

std::string readme(std::string_view title) {
  return "---\nstatus: planned\ncreated: 2025-11-01\n---\n\n# " + std::string(title) + "\n";
}

RepoFiles repository() {
  return {{"specs/001-spec-1/README.md", readme("Spec 1")},
          {"specs/001-spec-1/DESIGN.md", "# Design of one\n"},
          {"specs/002-spec-2/README.md", readme("Spec 2")},
          {"specs/003-spec-3/README.md", readme("Spec 3")},
          {"src/main.c", "int main(void) { return 0; }\n"},
          {"README.md", "# The repository\n"}};
}

// Every file below `dir`, relative to it (folders end in '/').
std::set<std::string> files_under(const std::filesystem::path &dir) {
  std::set<std::string> out;
  for (const auto &entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string relative = std::filesystem::relative(entry.path(), dir).string();
    out.insert(entry.is_directory() ? relative + "/" : relative);
  }
  return out;
}

// The store's snapshot of the project, byte for byte: (folder, file, blob SHA, content).
using Snapshot = std::vector<std::tuple<std::string, std::string, std::string, std::string>>;

// A server over a small repository, a SQLite store with acme/web, and one good sync done. A test
// runs its cases in turn on one fixture: push, spoil, rejected(), then recovers().
struct Hostile {
  TempSpecTree store_dir;
  TempSpecTree elsewhere; // the syncs' working directory is elsewhere/checkout
  FakeGithub server{repository()};
  std::shared_ptr<DatabaseSource> db;
  std::shared_ptr<GithubSync> sync;
  Snapshot before;
  std::set<std::string> store_files;
  int pushes = 0;

  explicit Hostile(SyncOptions options = {}, bool first_sync = true) {
    std::filesystem::create_directories(elsewhere.root() / "checkout");
    db = make_database_source({.database_url = "sqlite:" + (store_dir.root() / "store.db").string(),
                               .recheck = std::chrono::milliseconds(0)});
    db->add_project({.id = "acme/web", .branch = "main"});
    options.api_url = server.api_url();
    options.token = server.token();
    options.retry_base = std::chrono::milliseconds(5);
    options.max_retries = 1;
    options.webhook_secrets = {secret};
    sync = make_github_sync(db, std::move(options));
    if (first_sync) {
      const SyncRun run = sync_now();
      REQUIRE(run.outcome == SyncOutcome::ok);
      REQUIRE(run.added == 3);
    }
    before = snapshot();
    store_files = files_under(store_dir.root());
  }

  detail::Store &store() const { return detail::DatabaseSourceAccess::store(*db); }

  Snapshot snapshot() const {
    Snapshot out;
    for (const auto &spec : store().specs("acme/web"))
      for (const auto &file : spec.files)
        out.emplace_back(spec.path, file.name, file.content_hash, file.content);
    return out;
  }

  // One sync with the working directory in elsewhere/checkout, where a checkout would be.
  SyncRun sync_now() {
    struct Cwd {
      std::filesystem::path saved = std::filesystem::current_path();
      explicit Cwd(const std::filesystem::path &to) { std::filesystem::current_path(to); }
      ~Cwd() {
        std::error_code ec;
        std::filesystem::current_path(saved, ec);
      }
    } cwd(elsewhere.root() / "checkout");
    return sync->sync_now("acme/web");
  }

  // A push the next sync must fetch: one spec file changed.
  void push() {
    ++pushes; // new bytes each time: a blob the store does not have
    server.commit(
        {{"specs/002-spec-2/README.md", readme("Spec 2, revision " + std::to_string(pushes))}});
    server.reset_stats();
  }

  // Queues the webhook of a push changing specs/002-spec-2/README.md: the next sync takes the
  // contents API for it.
  void push_with_webhook() {
    const std::string before_sha = server.head();
    push();
    const std::string body =
        R"({"ref":"refs/heads/main","before":")" + before_sha + R"(","after":")" + server.head() +
        R"(","forced":false,"repository":{"full_name":"acme/web"},"commits":[{"added":[],)"
        R"("modified":["specs/002-spec-2/README.md"],"removed":[]}]})";
    const auto answer =
        sync->handle_webhook({{"X-GitHub-Event", "push"},
                              {"X-GitHub-Delivery", "hostile-" + before_sha},
                              {"X-Hub-Signature-256", detail::webhook_signature(secret, body)}},
                             body);
    REQUIRE(answer.action == WebhookAction::queued);
  }

  // The hostile sync failed as it should, and changed nothing anywhere.
  void rejected(const SyncRun &run, const std::string &names) {
    CHECK(run.outcome == SyncOutcome::error);
    CHECK_MESSAGE(run.error.find(names) != std::string::npos, run.error);
    CHECK(run.error.find(server.token()) == std::string::npos);
    const auto project = *store().project("acme/web");
    CHECK(project.sync_state == "error");
    CHECK(project.sync_error == run.error);
    const auto runs = store().sync_runs("acme/web", 1);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].outcome == "error");
    CHECK(runs[0].error == run.error);
    CHECK(snapshot() == before);
    CHECK(files_under(elsewhere.root()) == std::set<std::string>{"checkout/", "specs/"});
    CHECK(files_under(store_dir.root()) == store_files);
  }

  // An honest server again: the next sync brings the pushed commit.
  void recovers() {
    server.clear_hostile();
    const SyncRun run = sync_now();
    CHECK_MESSAGE(run.outcome == SyncOutcome::ok, run.error);
    CHECK(run.commit_sha == server.head());
    for (const auto &[folder, name, sha, content] : snapshot())
      CHECK(sha + "\n" == server.git({"rev-parse", "HEAD:specs/" + folder + "/" + name}));
    CHECK(files_under(elsewhere.root()) == std::set<std::string>{"checkout/", "specs/"});
    before = snapshot(); // the baseline of the next hostile case
    store_files = files_under(store_dir.root());
  }
};

} // namespace

TEST_SUITE("github") {

  TEST_CASE("hostile GitHub: invalid JSON from the commit, tree, blob and contents endpoints") {
    Hostile f;
    for (const std::string mode : {"truncate", "html"}) {
      CAPTURE(mode);
      f.push();
      f.server.set_corrupt("commit", mode);
      f.rejected(f.sync_now(), "branch 'main' of acme/web: GitHub's answer is not a commit SHA");
      f.recovers();

      f.push();
      f.server.set_corrupt("tree", mode);
      f.rejected(f.sync_now(), "tree of acme/web at " + f.server.head().substr(0, 12) +
                                   ": GitHub sent invalid JSON");
      f.recovers();

      f.push();
      f.server.set_corrupt("blob", mode);
      f.rejected(f.sync_now(),
                 "file 'specs/002-spec-2/README.md' of acme/web: GitHub sent invalid JSON");
      CHECK(f.server.stats().requests("blob") == 1);
      f.recovers();

      f.push_with_webhook(); // the webhook's path comes through the contents endpoint
      f.server.set_corrupt("contents", mode);
      f.rejected(f.sync_now(),
                 "file 'specs/002-spec-2/README.md' of acme/web: GitHub sent invalid JSON");
      CHECK(f.server.stats().requests("contents") == 1);
      f.recovers();
    }
  }

  TEST_CASE("hostile GitHub: blob content that is not base64, or not the blob") {
    Hostile f;
    const std::pair<std::string, std::string> cases[] = {
        {"@@@@ this is !!! not base64 ####\n", "invalid base64 content"},
        {"SGVsbG8sIHdvcmxk\nIQ", "invalid base64 content"},                // cut mid-group
        {"SGVsbG8sIHdvcmxkIQ==\n", "content does not match its blob SHA"}, // "Hello, world!"
    };
    for (const auto &[content, names] : cases) {
      CAPTURE(content);
      f.push();
      f.server.set_blob_content(content);
      f.rejected(f.sync_now(), "file 'specs/002-spec-2/README.md' of acme/web: " + names);
      CHECK(f.server.stats().requests("blob") == 1);
      f.recovers();

      f.push_with_webhook();
      f.server.set_blob_content(content);
      f.rejected(f.sync_now(), "file 'specs/002-spec-2/README.md' of acme/web: " + names);
      CHECK(f.server.stats().requests("contents") == 1);
      f.recovers();
    }
  }

  TEST_CASE("hostile GitHub: a blob over the per-file limit is refused; one at the limit is "
            "not") {
    SUBCASE("8 MiB + 1 byte, under a tree entry that claims the real size") {
      Hostile f;
      f.push();
      f.server.set_blob_bytes(SyncOptions{}.max_file_size + 1);
      f.rejected(f.sync_now(),
                 "file 'specs/002-spec-2/README.md' of acme/web: larger than the 8388608-byte "
                 "limit");
      f.recovers();

      f.push_with_webhook();
      f.server.set_blob_bytes(SyncOptions{}.max_file_size + 1);
      f.rejected(f.sync_now(),
                 "file 'specs/002-spec-2/README.md' of acme/web: larger than the 8388608-byte "
                 "limit");
      CHECK(f.server.stats().requests("contents") == 1);
      f.recovers();
    }
    SUBCASE("a spec file of exactly max_file_size bytes, over blobs and over the tarball") {
      constexpr std::size_t limit = 6000; // its base64, with line breaks, is over 8000 bytes
      for (const bool tarball : {false, true}) {
        CAPTURE(tarball);
        Hostile f({.tarball_min_files = tarball ? 0u : 100u, .max_file_size = limit});
        const std::string text = "# Full\n" + std::string(limit - 8, 'x') + "\n";
        REQUIRE(text.size() == limit);
        f.server.commit({{"specs/002-spec-2/NOTES.md", text},
                         {"specs/003-spec-3/NOTES.md", text + "y"}}); // one over: left out
        const SyncRun run = f.sync_now();
        CHECK_MESSAGE(run.outcome == SyncOutcome::ok, run.error);
        CHECK(run.path == (tarball ? "tarball" : "blobs"));
        bool stored = false, over = false;
        for (const auto &[folder, name, sha, content] : f.snapshot()) {
          stored |= folder == "002-spec-2" && name == "NOTES.md" && content == text;
          over |= folder == "003-spec-3" && name == "NOTES.md";
        }
        CHECK(stored);
        CHECK_FALSE(over);
      }
    }
  }

  TEST_CASE("hostile GitHub: tree paths that climb out or are absolute, outside the specs folder") {
    Hostile f;
    const std::string absolute = (f.elsewhere.root() / "target").string();
    const std::pair<FakeTreeEntry, std::string> cases[] = {
        // names after "tree of acme/web at SHA: "
        {{.path = "../../target/x/README.md"}, "unsafe path '../../target/x/README.md'"},
        {{.path = "src/../../x.md"}, "unsafe path 'src/../../x.md'"},
        {{.path = absolute}, "unsafe path '" + absolute + "'"},
        {{.path = "/etc/passwd"}, "unsafe path '/etc/passwd'"},
        {{.path = "src/./main.c"}, "unsafe path 'src/./main.c'"},
        // The token the request carried, sent back in a path: scrubbed from the message.
        {{.path = "../{token}/README.md"}, "unsafe path '../***/README.md'"},
        {{.path = "specs/001-spec-1/README.md",
          .sha = f.server.content_hash("specs/002-spec-2/README.md")},
         "'specs/001-spec-1/README.md' is listed twice"},
    };
    for (const auto &[entry, names] : cases) {
      CAPTURE(names);
      f.push();
      f.server.set_tree_entries({entry});
      const SyncRun run = f.sync_now();
      f.rejected(run, "tree of acme/web at " + f.server.head().substr(0, 12) + ": " + names);
      CHECK(f.server.stats().requests("blob") == 0); // refused before anything is fetched
      f.recovers();
    }
  }

  TEST_CASE("hostile GitHub: names inside the specs folder that no specs tree holds are passed "
            "over, and the rest is synced") {
    // As the filesystem source passes them over (spec_names_test.cpp compares both modes).
    Hostile f;
    std::string deep = "specs/001-spec-1";
    while (deep.size() < 5000)
      deep += "/deep";
    const std::string nul = std::string("specs/001-spec-1/README.md") + '\0' + "/../../x.md";
    const std::pair<FakeTreeEntry, std::string> cases[] = {
        // named in the run's record; "" for paths no spec file lies on (ignored)
        {{.path = "specs/../../target/x/README.md"}, "'specs/..' (its name is '.' or '..')"},
        {{.path = "specs/../{token}/README.md"}, "'specs/..' (its name is '.' or '..')"},
        {{.path = "specs/./001-spec-1", .mode = "040000", .type = "tree"}, "'specs/.'"},
        {{.path = "specs/004-new\nline/README.md"},
         "'specs/004-new\\x0aline' (its name holds a control character)"},
        {{.path = "specs/001-spec-1/" + std::string(2000, 'n') + ".md"},
         "(its name is longer than 255 bytes)"},
        {{.path = "specs/.git/005-spec-5/README.md"}, ""},
        {{.path = "specs/001-spec-1/../../x.md"}, "'specs/001-spec-1/..'"},
        {{.path = nul}, "'specs/001-spec-1/README.md\\x00/..'"},
        {{.path = deep + "/x.md"}, ""},
    };
    for (const auto &[entry, names] : cases) {
      CAPTURE(names);
      f.push();
      f.server.set_tree_entries({entry});
      const SyncRun run = f.sync_now();
      CHECK_MESSAGE(run.outcome == SyncOutcome::ok, run.error);
      CHECK(run.commit_sha == f.server.head());
      if (names.empty())
        CHECK(run.error.empty());
      else
        CHECK_MESSAGE(run.error.find(names) != std::string::npos, run.error);
      CHECK(run.error.find(f.server.token()) == std::string::npos);
      CHECK(f.server.stats().requests("blob") <= 1); // the pushed README.md, nothing else
      for (const auto &[folder, name, sha, content] : f.snapshot())
        CHECK(sha + "\n" == f.server.git({"rev-parse", "HEAD:specs/" + folder + "/" + name}));
      CHECK(f.snapshot().size() == f.before.size());
      CHECK(files_under(f.elsewhere.root()) == std::set<std::string>{"checkout/", "specs/"});
      f.server.clear_hostile();
      f.before = f.snapshot();
    }
  }

  TEST_CASE("hostile GitHub: absurd sizes in the tree") {
    Hostile f;
    const std::pair<std::string, std::string> cases[] = {
        {R"({"path": "specs/002-spec-2/README.md", "size": 10000000000, "patch": true})",
         "'specs/002-spec-2/README.md' claims 10000000000 bytes, more than a git push can carry"},
        {R"({"path": "specs/003-spec-3/HUGE.md", "size": 18446744073709551615})",
         "'specs/003-spec-3/HUGE.md' claims 18446744073709551615 bytes"},
        {R"({"path": "specs/002-spec-2/README.md", "size": -1, "patch": true})",
         "'specs/002-spec-2/README.md' has no valid size"},
        {R"({"path": "src/main.c", "size": "10 GB", "patch": true})",
         "'src/main.c' has no valid size"},
        {R"({"path": "specs/002-spec-2/README.md", "size": 1e300, "patch": true})",
         "'specs/002-spec-2/README.md' has no valid size"},
    };
    for (const auto &[entry, names] : cases) {
      CAPTURE(entry);
      f.push();
      f.server.configure(R"({"tree_entries": [)" + entry + "]}");
      f.rejected(f.sync_now(),
                 "tree of acme/web at " + f.server.head().substr(0, 12) + ": " + names);
      f.recovers();
    }
  }

  TEST_CASE("hostile GitHub: tarballs with hostile entries") {
    // Every changed file comes in the tarball (tarball_min_files 0): the push changes one.
    Hostile f({.tarball_min_files = 0});
    const std::string target = (f.elsewhere.root() / "target").string();
    const std::string readme_2 = "{prefix}specs/002-spec-2/README.md";
    const std::pair<FakeTarballMember, std::string> cases[] = {
        {{.name = "{prefix}../target/x.md", .data = "pwned\n"}, "unsafe entry '"},
        {{.name = "{prefix}specs/001-spec-1/../../../target.md", .data = "pwned\n"},
         "unsafe entry '"},
        {{.name = target + "/x.md", .data = "pwned\n"},
         "entry '" + target + "/x.md' lies outside the prefix"},
        {{.name = readme_2, .type = "symlink", .target = target},
         "'specs/002-spec-2/README.md' is a link or folder, where the tree has a file"},
        {{.name = readme_2, .type = "hardlink", .target = "/etc/passwd"},
         "'specs/002-spec-2/README.md' is a link or folder, where the tree has a file"},
        {{.name = readme_2, .type = "dir"},
         "'specs/002-spec-2/README.md' is a link or folder, where the tree has a file"},
        {{.name = readme_2, .size = SyncOptions{}.max_file_size + 1},
         "'specs/002-spec-2/README.md' is larger than the limit"},
        // Not a file the sync wants, but far larger than the tree: a decompression bomb.
        {{.name = "{prefix}assets/bomb.bin", .size = std::uint64_t{32} << 20},
         "entry '" + f.server.options().owner + "-"},
        {{.name = readme_2, .data = "pwned\n"},
         "'specs/002-spec-2/README.md' does not match the tree's blob SHA"},
    };
    for (const auto &[member, names] : cases) {
      CAPTURE(member.name);
      CAPTURE(member.type);
      f.push();
      f.server.set_tarball_members({member});
      const SyncRun run = f.sync_now();
      f.rejected(run, "tarball of acme/web at " + f.server.head().substr(0, 12) + ": " + names);
      CHECK(run.path == "tarball");
      CHECK(f.server.stats().requests("codeload") == 1);
      if (member.name.ends_with("bomb.bin"))
        CHECK(run.error.find("assets/bomb.bin' of 33554432 bytes expands the archive past") !=
              std::string::npos);
      f.recovers();
    }
    // A cut gzip, and something else altogether.
    for (const std::string mode : {"truncate", "html"}) {
      CAPTURE(mode);
      f.push();
      f.server.set_corrupt("codeload", mode);
      const SyncRun run = f.sync_now();
      f.rejected(run, "tarball of acme/web at " + f.server.head().substr(0, 12) + ": ");
      CHECK(run.error.find(mode == "html" ? "Unrecognized archive format" : "truncated") !=
            std::string::npos);
      f.recovers();
    }
  }

  TEST_CASE("hostile GitHub: links elsewhere in a tarball are never followed or written") {
    Hostile f({.tarball_min_files = 0});
    f.push();
    const std::string target = (f.elsewhere.root() / "target").string();
    // Legal in git (a repository may hold symlinks anywhere): not spec files, so never read.
    f.server.set_tarball_members(
        {{.name = "{prefix}specs/002-spec-2/escape.md", .type = "symlink", .target = target},
         {.name = "{prefix}specs/002-spec-2/passwd.md", .type = "symlink", .target = "/etc/passwd"},
         {.name = "{prefix}docs/up", .type = "symlink", .target = "../../../.."}});
    const SyncRun run = f.sync_now();
    CHECK_MESSAGE(run.outcome == SyncOutcome::ok, run.error);
    CHECK(run.path == "tarball");
    CHECK(f.snapshot() != f.before);
    for (const auto &[folder, name, sha, content] : f.snapshot())
      CHECK((name != "escape.md" && name != "passwd.md"));
    CHECK(files_under(f.elsewhere.root()) == std::set<std::string>{"checkout/", "specs/"});
    CHECK(files_under(f.store_dir.root()) == f.store_files);
  }

  TEST_CASE("hostile GitHub: a first sync from a hostile tarball stores nothing") {
    Hostile f({}, false);
    f.server.set_tarball_members(
        {{.name = "{prefix}specs/001-spec-1/../../../../target", .data = "pwned\n"}});
    const SyncRun run = f.sync_now();
    f.rejected(run, "tarball of acme/web at " + f.server.head().substr(0, 12) + ": unsafe entry");
    CHECK(run.path == "tarball");
    CHECK(f.snapshot().empty());
    f.recovers();
  }

} // TEST_SUITE
