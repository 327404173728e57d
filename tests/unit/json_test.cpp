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
