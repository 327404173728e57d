// Tests GithubSync::handle_webhook (src/github/webhook.cpp, sync.cpp) on a real SQLite store:
// signatures (valid, forged, truncated, missing, no secret, rotated), ping, other events and
// branches, pushes that touch no spec file, oversized bodies, redeliveries (also after the
// store is reopened), and what lands in the store's durable sync queue.
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "github/webhook.hpp"
#include "support/temp_spec_tree.hpp"

#include <cstring>
#include <doctest/doctest.h>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>

using namespace leanspec;
using leanspec::test::TempSpecTree;

namespace {

constexpr const char *old_head = "1111111111111111111111111111111111111111";
constexpr const char *new_head = "2222222222222222222222222222222222222222";
const std::string secret = "s3cret-webhook-value";

std::string push_body(std::string_view ref = "refs/heads/main",
                      std::string_view modified = R"("specs/001-alpha/README.md")",
                      std::string_view before = old_head, bool forced = false) {
  return std::string(R"({"ref":")") + std::string(ref) + R"(","before":")" + std::string(before) +
         R"(","after":")" + new_head + R"(","forced":)" + (forced ? "true" : "false") +
         R"(,"created":false,"deleted":false,"repository":{"full_name":"Acme/Web"},)"
         R"("commits":[{"id":")" +
         new_head + R"(","added":[],"modified":[)" + std::string(modified) +
         R"(],"removed":["specs/archived/002-beta/NOTES.md"]}],"head_commit":null})";
}

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers headers_for(std::string_view body, std::string_view key = secret,
                    std::string_view event = "push", std::string_view delivery = "d-1") {
  return {{"X-GitHub-Event", std::string(event)},
          {"X-GitHub-Delivery", std::string(delivery)},
          {"X-Hub-Signature-256", detail::webhook_signature(key, body)},
          {"Content-Type", "application/json"}};
}

struct Fixture {
  TempSpecTree dir;
  std::string url = "sqlite:" + (dir.root() / "store.db").string();
  std::shared_ptr<DatabaseSource> db;
  detail::Store *store = nullptr;

  Fixture() { open(); }
  void open() {
    db = make_database_source({.database_url = url});
    store = &detail::DatabaseSourceAccess::store(*db);
    if (!store->project("acme/web")) {
      db->add_project({.id = "acme/web", .branch = "main"});
      auto record = *store->project("acme/web");
      record.commit_sha = old_head; // as if synced to the branch's previous head
      store->update_project(record);
    }
  }
  std::shared_ptr<GithubSync> sync(std::vector<std::string> secrets = {secret}) {
    // Nothing is fetched here: the scheduler is not started, so the URL is never dialled.
    return make_github_sync(db, {.api_url = "http://127.0.0.1:9",
                                 .token = "tok-123456",
                                 .webhook_secrets = std::move(secrets)});
  }
  std::optional<detail::SyncSchedule> queued() const {
    for (auto &s : store->sync_schedules())
      if (s.project_id == "acme/web" && s.requested_at > 0)
        return s;
    return std::nullopt;
  }
};

void no_secret_in(const WebhookResult &result) {
  CHECK(result.message.find(secret) == std::string::npos);
  CHECK(result.message.find("tok-123456") == std::string::npos);
}

} // namespace

TEST_SUITE("github") {

  TEST_CASE("webhook: a signed push to the branch queues a hinted sync, durably") {
    Fixture f;
    auto sync = f.sync();
    const std::string body = push_body();
    const auto result = sync->handle_webhook(headers_for(body), body);
    CHECK(result.status == 202);
    CHECK(result.action == WebhookAction::queued);
    CHECK(result.project_id == "acme/web");
    no_secret_in(result);
    const auto queued = f.queued();
    REQUIRE(queued);
    const auto hint = detail::decode_hint(queued->hint);
    REQUIRE(hint);
    CHECK(hint->before == old_head);
    CHECK(hint->after == new_head);
    CHECK(hint->changed == std::vector<std::string>{"specs/001-alpha/README.md"});
    CHECK(hint->removed == std::vector<std::string>{"specs/archived/002-beta/NOTES.md"});
    CHECK(f.store->has_delivery("d-1"));
  }

  TEST_CASE("webhook: forged, truncated, unsigned and secretless deliveries are rejected") {
    Fixture f;
    auto sync = f.sync();
    const std::string body = push_body();
    SUBCASE("forged") {
      const auto r = sync->handle_webhook(headers_for(body, "not-the-secret"), body);
      CHECK(r.status == 401);
      CHECK(r.action == WebhookAction::rejected);
      no_secret_in(r);
    }
    SUBCASE("truncated body") {
      const auto r = sync->handle_webhook(headers_for(body), body.substr(0, body.size() - 7));
      CHECK(r.status == 401);
    }
    SUBCASE("signature of another body, same length") {
      std::string other = body;
      other[other.find("001-alpha")] = '9';
      CHECK(sync->handle_webhook(headers_for(other), body).status == 401);
    }
    SUBCASE("malformed signature header") {
      auto headers = headers_for(body);
      headers[2].second = "sha1=" + headers[2].second.substr(7);
      CHECK(sync->handle_webhook(headers, body).status == 401);
      headers[2].second = "sha256=zz";
      CHECK(sync->handle_webhook(headers, body).status == 401);
    }
    SUBCASE("missing signature") {
      auto headers = headers_for(body);
      headers.erase(headers.begin() + 2);
      const auto r = sync->handle_webhook(headers, body);
      CHECK(r.status == 401);
      CHECK(r.message.find("X-Hub-Signature-256") != std::string::npos);
    }
    SUBCASE("no secret configured") {
      auto unsecured = f.sync({});
      const auto r = unsecured->handle_webhook(headers_for(body), body);
      CHECK(r.status == 401);
      CHECK(r.action == WebhookAction::rejected);
    }
    CHECK_FALSE(f.queued());
    CHECK_FALSE(f.store->has_delivery("d-1"));
  }

  TEST_CASE("webhook: two secrets are active during a rotation") {
    Fixture f;
    const std::string body = push_body();
    auto rotating = f.sync({"old-secret", "new-secret"});
    CHECK(rotating->handle_webhook(headers_for(body, "old-secret", "push", "a"), body).status ==
          202);
    CHECK(rotating->handle_webhook(headers_for(body, "new-secret", "push", "b"), body).status ==
          202);
    auto rotated = f.sync({"new-secret"});
    CHECK(rotated->handle_webhook(headers_for(body, "old-secret", "push", "c"), body).status ==
          401);
    CHECK_THROWS_AS(f.sync({"a", "b", "c"}), Error);
  }

  TEST_CASE("webhook: a redelivery is ignored, also after the store is reopened") {
    Fixture f;
    const std::string body = push_body();
    {
      auto sync = f.sync();
      CHECK(sync->handle_webhook(headers_for(body), body).action == WebhookAction::queued);
      f.store->clear_sync_request("acme/web", f.queued()->request_seq); // as a finished sync does
      const auto again = sync->handle_webhook(headers_for(body), body);
      CHECK(again.action == WebhookAction::ignored);
      CHECK(again.status == 202);
    }
    f.open(); // a new process: a new source and sync over the same file
    auto sync = f.sync();
    CHECK(sync->handle_webhook(headers_for(body), body).action == WebhookAction::ignored);
    CHECK_FALSE(f.queued());
    CHECK(sync->handle_webhook(headers_for(body, secret, "push", "d-2"), body).action ==
          WebhookAction::queued);
  }

  TEST_CASE("webhook: ping, other events, other branches, non-spec pushes") {
    Fixture f;
    auto sync = f.sync();
    SUBCASE("ping") {
      const std::string body = R"({"zen":"Keep it logically awesome.","hook_id":1})";
      const auto r = sync->handle_webhook(headers_for(body, secret, "ping"), body);
      CHECK(r.status == 200);
      CHECK(r.action == WebhookAction::ping);
    }
    SUBCASE("another event") {
      const std::string body = R"({"action":"opened"})";
      const auto r = sync->handle_webhook(headers_for(body, secret, "issues"), body);
      CHECK(r.action == WebhookAction::ignored);
    }
    SUBCASE("another branch") {
      const std::string body = push_body("refs/heads/feature");
      const auto r = sync->handle_webhook(headers_for(body), body);
      CHECK(r.action == WebhookAction::ignored);
      CHECK(r.message.find("refs/heads/feature") != std::string::npos);
    }
    SUBCASE("a tag") {
      const std::string body = push_body("refs/tags/main");
      CHECK(sync->handle_webhook(headers_for(body), body).action == WebhookAction::ignored);
    }
    SUBCASE("no spec file touched") {
      std::string body = push_body("refs/heads/main", R"("src/main.c","specs/notes.md")");
      const auto at = body.find("specs/archived/002-beta/NOTES.md");
      body.replace(at, std::strlen("specs/archived/002-beta/NOTES.md"), "docs/x.md");
      const auto r = sync->handle_webhook(headers_for(body), body);
      CHECK(r.action == WebhookAction::ignored);
      CHECK(r.message.find("no spec file") != std::string::npos);
    }
    SUBCASE("an unregistered repository") {
      std::string body = push_body();
      body.replace(body.find("Acme/Web"), 8, "acme/api");
      CHECK(sync->handle_webhook(headers_for(body), body).action == WebhookAction::ignored);
    }
    CHECK_FALSE(f.queued());
  }

  TEST_CASE("webhook: bad payloads and sizes") {
    Fixture f;
    auto sync = f.sync();
    SUBCASE("oversized body: rejected before hashing") {
      const std::string body(detail::max_webhook_body + 1, ' ');
      const auto r = sync->handle_webhook(headers_for("x"), body);
      CHECK(r.status == 413);
    }
    SUBCASE("signed, but not JSON") {
      const std::string body = R"({"ref":"refs/heads/main",)";
      const auto r = sync->handle_webhook(headers_for(body), body);
      CHECK(r.status == 400);
      CHECK(r.message.find("JSON") != std::string::npos);
    }
    SUBCASE("signed, fields mistyped") {
      const std::string body = R"({"ref":"refs/heads/main","before":1,"after":"x",)"
                               R"("repository":{"full_name":"acme/web"}})";
      const auto r = sync->handle_webhook(headers_for(body), body);
      CHECK(r.status == 400);
      CHECK(r.message.find("before") != std::string::npos);
    }
    SUBCASE("no delivery id") {
      const std::string body = push_body();
      auto headers = headers_for(body);
      headers.erase(headers.begin() + 1);
      CHECK(sync->handle_webhook(headers, body).status == 400);
    }
    CHECK_FALSE(f.queued());
  }

  TEST_CASE("webhook: a payload that may be incomplete queues a sync checked against the tree") {
    Fixture f;
    auto sync = f.sync();
    SUBCASE("forced") {
      const std::string body =
          push_body("refs/heads/main", R"("specs/001-alpha/README.md")", old_head, true);
      CHECK(sync->handle_webhook(headers_for(body), body).action == WebhookAction::queued);
    }
    SUBCASE("before is not the stored head") {
      const std::string body = push_body("refs/heads/main", R"("specs/001-alpha/README.md")",
                                         "3333333333333333333333333333333333333333");
      CHECK(sync->handle_webhook(headers_for(body), body).action == WebhookAction::queued);
    }
    SUBCASE("a capped commit list") {
      std::string commits;
      for (int i = 0; i < 20; ++i)
        commits +=
            std::string(i ? "," : "") + R"({"added":[],"modified":["src/x.c"],"removed":[]})";
      const std::string body =
          std::string(R"({"ref":"refs/heads/main","before":")") + old_head + R"(","after":")" +
          new_head + R"(","repository":{"full_name":"acme/web"},"commits":[)" + commits + "]}";
      // No spec file among the 20 listed, but a capped list may hide some: queued anyway.
      CHECK(sync->handle_webhook(headers_for(body), body).action == WebhookAction::queued);
    }
    const auto queued = f.queued();
    REQUIRE(queued);
    CHECK(queued->hint.empty());
  }

  TEST_CASE("webhook: spec file paths follow the filesystem source's folder rules") {
    using detail::spec_file_of;
    CHECK(spec_file_of("001-x/README.md") ==
          std::pair<std::string, std::string>{"001-x", "README.md"});
    CHECK(spec_file_of("archived/001-x/DESIGN.md")->first == "archived/001-x");
    CHECK(spec_file_of("20251101/001-x/README.md")->first == "20251101/001-x");
    CHECK_FALSE(spec_file_of("001-x/sub/README.md"));
    CHECK_FALSE(spec_file_of("001-x/image.png"));
    CHECK_FALSE(spec_file_of("001-x/.hidden.md"));
    CHECK_FALSE(spec_file_of(".git/001-x/README.md"));
    CHECK_FALSE(spec_file_of("notes/README.md"));
    CHECK_FALSE(spec_file_of("README.md"));
    CHECK_FALSE(spec_file_of("001-x/.md"));
    CHECK(detail::relative_to("specs/001-x/README.md", "specs") == "001-x/README.md");
    CHECK_FALSE(detail::relative_to("specsx/001-x/README.md", "specs"));
    CHECK(detail::relative_to("001-x/README.md", ".") == "001-x/README.md");
  }

} // TEST_SUITE
