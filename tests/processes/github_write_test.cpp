// Tests writes to GitHub projects (issue 20 item 4): GithubSync::write_file and SpecsService's
// update, toggle_checklist_item and create for a database project, against the fake GitHub
// (tests/support/fake_github.py), whose Git Data endpoints make real git objects and move real
// refs. Each write is checked in the repository (git), in the store (a real SQLite file) and by
// the fake's request counters.
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/webhook.hpp"
#include "support/error_code_of.hpp"
#include "support/fake_github.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/spec_update.hpp>
#include <leanspec/specs_service.hpp>

using namespace leanspec;
using leanspec::test::error_code_of;
using leanspec::test::FakeGithub;
using leanspec::test::RepoFiles;
using leanspec::test::TempDir;

namespace {

std::string readme(std::string_view title, std::string_view status = "planned") {
  return "---\nstatus: " + std::string(status) + "  # kept\ncreated: 2025-11-01\ntags: [api]\n" +
         "---\n\n# " + std::string(title) + "\n\n- [ ] first\n- [ ] second\n";
}

RepoFiles repository() {
  return {{"specs/001-one/README.md", readme("One")},
          {"specs/002-two/README.md", readme("Two", "in-progress")},
          {"specs/002-two/DESIGN.md", "# Design\n"},
          {"specs/archived/009-old/README.md", readme("Old", "archived")},
          {"src/main.c", "int main(void) { return 0; }\n"}};
}

// A fake GitHub over repository(), a SQLite store with acme/web registered and synced once.
struct Fixture {
  TempDir dir;
  FakeGithub github{repository()};
  std::shared_ptr<DatabaseSource> db =
      make_database_source({.database_url = "sqlite:" + (dir.path() / "store.db").string(),
                            .recheck = std::chrono::milliseconds(0)});
  std::shared_ptr<GithubSync> sync;

  Fixture() {
    db->add_project({.id = "acme/web"});
    sync = make_github_sync(db, {.api_url = github.api_url(),
                                 .token = github.token(),
                                 .retry_base = std::chrono::milliseconds(5)});
    REQUIRE(sync->sync_now("acme/web").outcome == SyncOutcome::ok);
    github.reset_stats();
  }
  detail::Store &store() const { return detail::DatabaseSourceAccess::store(*db); }
  std::string stored(const std::string &folder, const std::string &name = "README.md") const {
    for (const auto &spec : store().specs("acme/web"))
      if (spec.path == folder)
        for (const auto &file : spec.files)
          if (file.name == name)
            return file.content;
    return "<none>";
  }
  std::string at_head(const std::string &path) const {
    return github.git({"show", github.options().branch + ":" + path});
  }
  FileWrite status_to(const std::string &folder, Status status) const {
    FileWrite write;
    write.path = folder;
    write.base_hash = github.content_hash("specs/" + folder + "/README.md");
    write.edit = [status](std::string_view text) {
      SpecUpdate update;
      update.status = status;
      return update_readme(text, update, std::chrono::system_clock::now());
    };
    return write;
  }
};

} // namespace

TEST_SUITE("github") {
  TEST_CASE("a write is one commit on the branch, in four requests, stored from that commit") {
    Fixture f;
    const std::string before = f.github.head();
    const FileWriteResult done =
        f.sync->write_file("acme/web", f.status_to("002-two", Status::complete));

    // GitHub: the branch moved to a commit whose parent is the stored one, with the new file.
    CHECK(f.github.head() == done.commit_sha);
    CHECK(f.github.git({"rev-parse", done.commit_sha + "^"}) == before + "\n");
    CHECK(f.at_head("specs/002-two/README.md") == done.content);
    CHECK(done.content.find("status: complete  # kept\n") != std::string::npos);
    CHECK(done.content.find("completed_at:") != std::string::npos);
    CHECK(f.at_head("specs/002-two/DESIGN.md") == "# Design\n"); // the rest of the tree stays
    CHECK(f.at_head("src/main.c") == "int main(void) { return 0; }\n");
    const auto stats = f.github.stats();
    CHECK(stats.total == 4);
    CHECK(stats.requests("create_blob") == 1);
    CHECK(stats.requests("create_tree") == 1);
    CHECK(stats.requests("create_commit") == 1);
    CHECK(stats.requests("update_ref") == 1);
    CHECK(done.requests == 4);
    CHECK(done.pull_request_url.empty());

    // The store: the commit's file at once, read through the source, and the run recorded.
    CHECK(f.stored("002-two") == done.content);
    CHECK(f.db->get("002", "acme/web")->status == Status::complete);
    CHECK(f.store().project("acme/web")->commit_sha == done.commit_sha);
    const auto runs = f.sync->sync_runs("acme/web", 1);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].path == "commit");
    CHECK(runs[0].outcome == SyncOutcome::ok);
    CHECK(runs[0].commit_sha == done.commit_sha);
    CHECK(runs[0].requests == 4);

    // The next sync confirms it: the branch is at the stored commit; nothing to fetch.
    f.github.reset_stats();
    const SyncRun confirm = f.sync->sync_now("acme/web");
    CHECK(confirm.outcome == SyncOutcome::not_modified);
    CHECK(confirm.requests == 1);
    CHECK(f.stored("002-two") == done.content);
  }

  TEST_CASE("without the stored commit's tree, the write asks for the commit first") {
    Fixture f;
    auto project = *f.store().project("acme/web");
    REQUIRE(project.commit_tree.size() == 40);
    project.commit_tree.clear();
    f.store().update_project(project);
    const FileWriteResult done =
        f.sync->write_file("acme/web", f.status_to("001-one", Status::in_progress));
    CHECK(f.github.stats().requests("git_commit") == 1); // beside the blob, in one round trip
    CHECK(f.github.stats().max_concurrent == 2);
    CHECK(done.requests == 5);
    CHECK(f.github.head() == done.commit_sha);
    CHECK(f.store().project("acme/web")->commit_tree.size() == 40); // known again
  }

  TEST_CASE("after a webhook's sync (no tree listed) the base tree is known from the comparison") {
    Fixture f;
    f.sync = make_github_sync(f.db, {.api_url = f.github.api_url(),
                                     .token = f.github.token(),
                                     .retry_base = std::chrono::milliseconds(5),
                                     .webhook_secrets = {"hook-secret"}});
    const std::string before = f.github.head();
    const std::string after = f.github.commit({{"specs/001-one/README.md", readme("One!")}});
    const std::string body = "{\"ref\":\"refs/heads/main\",\"before\":\"" + before +
                             "\",\"after\":\"" + after +
                             "\",\"repository\":{\"full_name\":\"acme/web\"},\"commits\":[{"
                             "\"added\":[],\"modified\":[\"specs/001-one/README.md\"],"
                             "\"removed\":[]}]}";
    const auto answer = f.sync->handle_webhook(
        {{"X-GitHub-Event", "push"},
         {"X-GitHub-Delivery", "write-1"},
         {"X-Hub-Signature-256", detail::webhook_signature("hook-secret", body)}},
        body);
    REQUIRE(answer.action == WebhookAction::queued);
    REQUIRE(f.sync->sync_now("acme/web").path == "contents");
    CHECK(f.store().project("acme/web")->commit_tree ==
          f.github.git({"rev-parse", after + "^{tree}"}).substr(0, 40));
    f.github.reset_stats();
    const FileWriteResult done =
        f.sync->write_file("acme/web", f.status_to("001-one", Status::complete));
    CHECK(done.requests == 4);
    CHECK(f.at_head("specs/001-one/README.md") == done.content);
  }

  TEST_CASE("a stale base hash is a conflict, sent nowhere; a moved branch is a conflict") {
    Fixture f;
    FileWrite stale = f.status_to("001-one", Status::complete);
    stale.base_hash = std::string(40, 'a');
    CHECK(error_code_of([&] { f.sync->write_file("acme/web", stale); }) == ErrorCode::conflict);
    CHECK(f.github.stats().total == 0);

    // Someone pushes to the branch: the write's commit is not a fast forward, nothing lands.
    const FileWrite write = f.status_to("001-one", Status::complete);
    const std::string pushed = f.github.commit({{"docs/x.md", "x\n"}});
    const std::string stored_before = f.stored("001-one");
    try {
      f.sync->write_file("acme/web", write);
      FAIL("no conflict");
    } catch (const Error &e) {
      CHECK(e.code() == ErrorCode::conflict);
      CHECK(std::string(e.what()).find("moved on") != std::string::npos);
      CHECK(std::string(e.what()).find("Update is not a fast forward") != std::string::npos);
    }
    CHECK(f.github.head() == pushed);
    CHECK(f.stored("001-one") == stored_before);
    CHECK(f.github.stats().requests("update_ref") == 1);
    // ... and a sync is queued to catch up; after it the same write (on the new base) lands.
    bool queued = false;
    for (const auto &schedule : f.store().sync_schedules())
      queued |= schedule.project_id == "acme/web" && schedule.requested_at > 0;
    CHECK(queued);
    REQUIRE(f.sync->sync_now("acme/web").outcome == SyncOutcome::ok);
    const FileWriteResult done =
        f.sync->write_file("acme/web", f.status_to("001-one", Status::complete));
    CHECK(f.github.git({"rev-parse", done.commit_sha + "^"}) == pushed + "\n");
    CHECK(f.at_head("docs/x.md") == "x\n");
  }

  TEST_CASE("GitHub's refusals: a token that may not write, an empty repository, no repository") {
    Fixture f;
    f.github.configure(R"({"read_only": true})");
    try {
      f.sync->write_file("acme/web", f.status_to("001-one", Status::complete));
      FAIL("no error");
    } catch (const Error &e) {
      CHECK(e.code() == ErrorCode::unauthorized);
      const std::string message = e.what();
      CHECK(message.find("contents: write") != std::string::npos);
      CHECK(message.find("403") != std::string::npos);
      CHECK(message.find(f.github.token()) == std::string::npos);
    }
    CHECK(f.github.stats().total == 1); // the blob, refused; nothing after it
    const auto runs = f.sync->sync_runs("acme/web", 1);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].outcome == SyncOutcome::error);
    CHECK(runs[0].path == "commit");
    CHECK(f.store().project("acme/web")->sync_state == "ok"); // a failed write is no failed sync

    f.github.configure(R"({"read_only": false, "empty_repository": true})");
    CHECK(error_code_of([&] {
            f.sync->write_file("acme/web", f.status_to("001-one", Status::complete));
          }) == ErrorCode::conflict);

    // A project whose repository GitHub does not know (or hides from the token): 404.
    f.github.configure(R"({"empty_repository": false})");
    f.db->add_project({.id = "acme/gone"});
    auto gone = *f.store().project("acme/gone");
    gone.commit_sha = f.github.head();
    f.store().update_project(gone);
    FileWrite write;
    write.path = "003-new";
    write.edit = [](std::string_view) { return std::string("# New\n"); };
    CHECK(error_code_of([&] { f.sync->write_file("acme/gone", write); }) == ErrorCode::not_found);
    f.github.reset_stats();
    write.path = "003-caf\xe9"; // Latin-1, not UTF-8: JSON could not name it as it is
    CHECK(error_code_of([&] { f.sync->write_file("acme/web", write); }) ==
          ErrorCode::invalid_argument);
    CHECK(f.github.stats().total == 0);
    CHECK(f.github.head() == f.store().project("acme/web")->commit_sha);
  }

  TEST_CASE("a hostile answer is refused: the blob GitHub names must be the content's") {
    Fixture f;
    f.github.configure(R"({"blob_sha": "0123456789012345678901234567890123456789"})");
    try {
      f.sync->write_file("acme/web", f.status_to("001-one", Status::complete));
      FAIL("no error");
    } catch (const Error &e) {
      CHECK(e.code() == ErrorCode::network);
      CHECK(std::string(e.what()).find("not the content's SHA") != std::string::npos);
    }
    CHECK(f.github.stats().total == 1);
    CHECK(f.github.stats().requests("update_ref") == 0);
    CHECK(f.store().project("acme/web")->commit_sha == f.github.head());
  }

  TEST_CASE("write mode pull_request: a new branch and a pull request; the store stays") {
    Fixture f;
    f.db->update_project("acme/web", {.write_mode = WriteMode::pull_request});
    CHECK(f.db->registered_projects().at(0).write_mode == WriteMode::pull_request);
    const std::string before = f.github.head();
    const std::string stored_before = f.stored("002-two");
    const FileWriteResult done =
        f.sync->write_file("acme/web", f.status_to("002-two", Status::complete));
    CHECK(done.pull_request_url == "https://github.com/acme/web/pull/1");
    CHECK(f.github.head() == before); // the branch did not move
    CHECK(f.stored("002-two") == stored_before);
    const auto stats = f.github.stats();
    CHECK(stats.requests("create_ref") == 1);
    CHECK(stats.requests("create_pull") == 1);
    CHECK(stats.requests("update_ref") == 0);
    const std::string branches = f.github.git({"branch", "--list", "leanspec/*"});
    CHECK(branches.find("leanspec/002-two-") != std::string::npos);
    CHECK(f.github.git({"show", done.commit_sha + ":specs/002-two/README.md"}) == done.content);
    CHECK(f.sync->sync_runs("acme/web", 1).at(0).path == "pull_request");
  }

  TEST_CASE("SpecsService writes to a GitHub project: update, toggle and create") {
    Fixture f;
    ServiceConfig config;
    config.mode = SpecsMode::database;
    config.database_url = "sqlite:" + (f.dir.path() / "store.db").string();
    config.github_api_url = f.github.api_url();
    config.github_token = f.github.token();
    const auto service = make_specs_service(config);
    const SpecPtr two = service->get("002", "acme/web");
    REQUIRE(two);

    SpecUpdate update;
    update.priority = Priority::high;
    update.tags_add = {"web"};
    const SpecPtr updated = service->update("002", update, two->content_hash, "acme/web");
    CHECK(updated->priority == Priority::high);
    CHECK(service->get("002", "acme/web")->tags == std::vector<std::string>{"api", "web"});
    CHECK(f.at_head("specs/002-two/README.md") == f.stored("002-two"));
    // The old hash no longer matches: conflict, and the file stays as the first write left it.
    CHECK(error_code_of([&] { service->update("002", update, two->content_hash, "acme/web"); }) ==
          ErrorCode::conflict);

    const SpecPtr toggled =
        service->toggle_checklist_item("002", 2, updated->content_hash, "acme/web");
    CHECK(f.at_head("specs/002-two/README.md").find("- [x] second\n") != std::string::npos);
    CHECK(service->get("002", "acme/web")->content_hash == toggled->content_hash);

    NewSpec spec;
    spec.title = "Write to GitHub";
    spec.tags = {"api"};
    const SpecPtr created = service->create(spec, "acme/web");
    REQUIRE(created);
    CHECK(created->path == "010-write-to-github"); // after the archived 009 too
    CHECK(f.at_head("specs/010-write-to-github/README.md").find("# Write to GitHub\n") !=
          std::string::npos);
    CHECK(service->list({.project_id = "acme/web"})->specs.size() == 4);

    // A spec under archived/: its folder path is not its id.
    const SpecPtr old = service->get("9", "acme/web");
    REQUIRE(old);
    SpecUpdate reopen;
    reopen.priority = Priority::critical;
    const SpecPtr reopened = service->update("9", reopen, old->content_hash, "acme/web");
    REQUIRE(reopened);
    CHECK(reopened->priority == Priority::critical);
    CHECK(reopened->path == "archived/009-old");
    CHECK(f.at_head("specs/archived/009-old/README.md") == f.stored("archived/009-old"));
    CHECK(error_code_of([&] { service->update("77", reopen, old->content_hash, "acme/web"); }) ==
          ErrorCode::not_found);
  }
}
