// Tests to_json() (src/json): LeanSpec HTTP API field names, escaping, valid UTF-8.
#include "snapshot/snapshot.hpp"

#include <doctest/doctest.h>
#include <leanspec/json.hpp>

using namespace leanspec;

namespace {
bool contains(const std::string &s, std::string_view part) {
  return s.find(part) != std::string::npos;
}
} // namespace

TEST_CASE("a spec summary uses the HTTP API's camelCase names") {
  const Spec s =
      parse_spec("018-spec-validation",
                 std::string("---\nstatus: in_progress\npriority: high\ntags: [a]\ncreated_at: "
                             "2025-11-02T00:00:00Z\ndepends_on: [012-x]\n---\n# Title \"q\"\n"));
  const std::string json = to_json(s, JsonDetail::summary);
  CHECK(json.starts_with(
      R"({"id":"018-spec-validation","specNumber":18,"specName":"018-spec-validation","slug":"spec-validation","title":"Title \"q\"","status":"in-progress","priority":"high","tags":["a"],"assignee":null,"createdAt":"2025-11-02T00:00:00Z")"));
  CHECK(contains(json, R"("dependsOn":["012-x"])"));
  CHECK_FALSE(contains(json, "contentMd"));
  const std::string full = to_json(s);
  CHECK(contains(full, R"("contentMd":"# Title \"q\"\n")"));
  CHECK(contains(full, R"("frontmatter":{"status":"in_progress","priority":"high")"));
  CHECK(contains(full, R"("subSpecs":[])"));
}

TEST_CASE("JSON escapes control characters and never emits invalid UTF-8") {
  Spec s;
  s.id = std::string("001-bad\xFF");
  s.title = "tab\there\x01";
  const std::string json = to_json(s, JsonDetail::summary);
  CHECK(contains(json, "001-bad\xEF\xBF\xBD"));
  CHECK(contains(json, R"(tab\there\u0001)"));
}

TEST_CASE("lists, stats, relationships and diagnostics serialise") {
  auto a = std::make_shared<const Spec>(
      parse_spec("001-a", std::string("---\nstatus: complete\ncompleted: 2025-01-01\n---\n")));
  auto b = std::make_shared<const Spec>(
      parse_spec("002-b", std::string("---\nstatus: planned\ndepends_on: [1]\n---\n")));
  detail::Snapshot snap("p", {a, b}, {});
  CHECK(to_json(*snap.list({})).ends_with(R"(],"total":2,"nextCursor":null})"));
  const std::string stats = to_json(*snap.stats());
  CHECK(contains(
      stats,
      R"("totalSpecs":2,"specsByStatus":[{"status":"draft","count":0},{"status":"planned","count":1})"));
  CHECK(contains(stats, R"("completionRate":50})"));
  CHECK(
      to_json(*snap.relationships("2")) ==
      R"({"id":"002-b","dependsOn":["001-a"],"requiredBy":[],"parent":null,"children":[],"dependsOnTransitive":["001-a"],"requiredByTransitive":[],"ancestors":[],"cycles":[]})");
  const Diagnostic d{Diagnostic::Severity::warning, "001-a", "001-a/README.md", 3, "x", "m"};
  CHECK(
      to_json(d) ==
      R"({"severity":"warning","specId":"001-a","file":"001-a/README.md","line":3,"code":"x","message":"m"})");
}

TEST_CASE("an invalid date serialises as null, never as its text") {
  const Spec s = parse_spec("001-a", std::string("---\nstatus: complete\ncreated_at: 1e100\n"
                                                 "updated_at: soon\ncompleted: 2025-11-06\n"
                                                 "transitions:\n  - status: complete\n"
                                                 "    at: never\n---\n# A\n"));
  const std::string json = to_json(s);
  CHECK(contains(json, R"("createdAt":null,"updatedAt":null,"completedAt":"2025-11-06")"));
  CHECK(contains(json, R"("transitions":[{"status":"complete","at":null}])"));
  CHECK_FALSE(contains(json, R"("createdAt":"1e100")"));
  CHECK(contains(json, R"("created_at":"1e100")")); // the frontmatter keeps what was written
}

TEST_CASE("a registration writes syncIntervalMs and commitSha, and the deprecated keys") {
  RegisteredProject p;
  p.id = "acme/web";
  p.sync_interval = std::chrono::seconds(90);
  p.sync_state = "ok";
  p.commit_sha = "abc123";
  p.last_synced_at = 1700000000000;
  p.snapshot_version = 4;
  p.spec_count = 2;
  const std::string json = to_json(p);
  CHECK(
      json ==
      R"({"id":"acme/web","branch":"main","specsPath":"specs","syncIntervalMs":90000,"syncIntervalSeconds":90,"syncState":"ok","syncError":null,"commitSha":"abc123","lastCommit":"abc123","lastSyncedAt":1700000000000,"syncInterruptedAt":0,"snapshotVersion":4,"specCount":2,"writeMode":"commit"})");
  CHECK(to_json(std::vector<RegisteredProject>{p, p}) == "[" + json + "," + json + "]");

  // A served database project carries the same registration, without its id.
  const ServedProject served{Project{p.id, p.id, p.specs_path}, SourceKind::database, false, p};
  CHECK(
      to_json(served) ==
      R"({"id":"acme/web","name":"acme/web","specsDir":"specs","source":"database","stale":false,"registration":{)" +
          json.substr(std::string_view(R"({"id":"acme/web",)").size()) + "}");
  CHECK(to_json(ServedProject{Project{"local", "local", "/s"}, SourceKind::filesystem, true, {}})
            .ends_with(R"("stale":true,"registration":null})"));
}

TEST_CASE("a sync run writes commitSha, and the deprecated commit") {
  SyncRun run;
  run.project_id = "acme/web";
  run.commit_sha = "abc123";
  const std::string json = to_json(run);
  CHECK(contains(json, R"("path":"","commitSha":"abc123","commit":"abc123","retryAt":0)"));
  run.commit_sha.clear();
  CHECK(contains(to_json(run), R"("commitSha":null,"commit":null)"));
}

TEST_CASE("import results, cache counters, projects and by-status groups serialise") {
  CHECK(to_json(ImportResult{1, 2, 3, 7}) == R"({"added":1,"updated":2,"removed":3,"version":7})");
  CHECK(to_json(CacheCounters{5, 1, 3}) == R"({"hits":5,"misses":1,"entries":3})");
  CHECK(to_json(std::vector<Project>{{"p", "P", ""}}) ==
        R"([{"id":"p","name":"P","specsDir":null}])");
  CHECK(to_json(SubSpec{"DESIGN.md", "Design", "x", "h"}) ==
        R"({"name":"Design","file":"DESIGN.md","contentHash":"h","content":"x"})");
  auto a =
      std::make_shared<const Spec>(parse_spec("001-a", std::string("---\nstatus: draft\n---\n")));
  const std::map<Status, std::vector<SpecPtr>> groups{{Status::draft, {a}}, {Status::complete, {}}};
  const std::string json = to_json(groups);
  CHECK(json.starts_with(R"({"draft":[{"id":"001-a",)"));
  CHECK(json.ends_with(R"(}],"complete":[]})"));
}
