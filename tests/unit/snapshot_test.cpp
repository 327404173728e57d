// Tests src/snapshot/snapshot: ref resolution, list filters, sort and cursors, stats,
// relationships.
#include "snapshot/snapshot.hpp"

#include <cstdio>
#include <doctest/doctest.h>
#include <leanspec/error.hpp>

using namespace leanspec;

namespace {

SpecPtr make(std::string path, std::string frontmatter, std::string body = "") {
  return std::make_shared<const Spec>(parse_spec(path, "---\n" + frontmatter + "\n---\n" + body));
}

detail::Snapshot sample() {
  return detail::Snapshot(
      "p",
      {make("003-gamma", "status: complete\ncompleted: 2025-01-03\npriority: low\ntags: "
                         "[a]\ncreated: 2025-01-03\ndepends_on: [001-alpha]"),
       make("001-alpha",
            "status: planned\npriority: high\ntags: [a, b]\ncreated: 2025-01-01\nassignee: ann"),
       make("002-beta", "status: in-progress\npriority: high\ntags: [b]\ncreated: "
                        "2025-01-02\ndepends_on: [3]\nparent: alpha"),
       make("archived/004-delta", "status: planned\ntags: [c]\nparent: 001-alpha"),
       make("038-one", "status: draft"), make("038-two", "status: draft")},
      {});
}

std::vector<std::string> ids(const SpecList &list) {
  std::vector<std::string> out;
  for (const auto &s : list.specs)
    out.push_back(s->id);
  return out;
}

} // namespace

TEST_CASE("get resolves an id, a number with or without zeros, a slug, and a path") {
  const auto snap = sample();
  CHECK(snap.get("002-beta")->id == "002-beta");
  CHECK(snap.get("2")->id == "002-beta");
  CHECK(snap.get("002")->id == "002-beta");
  CHECK(snap.get("beta")->id == "002-beta");
  CHECK(snap.get("archived/004-delta")->id == "004-delta");
  CHECK(snap.get("999") == nullptr);
  CHECK(snap.get("nope") == nullptr);
}

TEST_CASE("a number shared by two folders is ambiguous and names both") {
  const auto snap = sample();
  try {
    (void)snap.get("38");
    FAIL("expected ambiguous");
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::ambiguous);
    CHECK(std::string(e.what()).find("038-one") != std::string::npos);
    CHECK(std::string(e.what()).find("038-two") != std::string::npos);
  }
}

TEST_CASE("a ref that leaves the specs directory is refused") {
  const auto snap = sample();
  CHECK_THROWS_AS((void)snap.get("../etc/passwd"), Error);
  CHECK_THROWS_AS((void)snap.get("/etc/passwd"), Error);
  CHECK_THROWS_AS((void)snap.get("archived/../../x"), Error);
}

TEST_CASE("list filters by status, priority, tags all/any, assignee and archived") {
  const auto snap = sample();
  ListQuery q;
  q.filter.statuses = {Status::planned};
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"001-alpha"}); // 004 is under archived/
  q = {};
  q.filter.priorities = {Priority::high};
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"001-alpha", "002-beta"});
  q = {};
  q.filter.tags = {"a", "b"};
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"001-alpha"});
  q.filter.tags_match = TagsMatch::any;
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"001-alpha", "002-beta", "003-gamma"});
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  q.filter.tags_match_all = true; // deprecated for one release; assigned, it overrides tags_match
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"001-alpha"});
  q.filter.tags_match = TagsMatch::all;
  q.filter.tags_match_all = false;
  CHECK(ids(*snap.list(q)).size() == 3);
  CHECK_FALSE(static_cast<bool>(q.filter.tags_match_all));
#pragma GCC diagnostic pop
  CHECK(parse_tags_match("any") == TagsMatch::any);
  CHECK(parse_tags_match("some") == std::nullopt);
  CHECK(to_string(TagsMatch::all) == "all");
  q = {};
  q.filter.assignee = "ann";
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"001-alpha"});
  q = {};
  q.filter.archived = false;
  CHECK(snap.list(q)->total == 5);
  q.filter.archived = true;
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"004-delta"});
}

TEST_CASE("list sorts by any key and pages with cursors") {
  const auto snap = sample();
  ListQuery q;
  q.sort = {Sort::Key::created, true};
  q.filter.archived = false;
  q.filter.statuses = {Status::planned, Status::in_progress, Status::complete};
  CHECK(ids(*snap.list(q)) == std::vector<std::string>{"003-gamma", "002-beta", "001-alpha"});

  ListQuery page;
  page.limit = 4;
  auto first = snap.list(page);
  CHECK(first->total == 6);
  CHECK(ids(*first) == std::vector<std::string>{"001-alpha", "002-beta", "003-gamma", "004-delta"});
  REQUIRE_FALSE(first->next_cursor.empty());
  page.cursor = first->next_cursor;
  auto second = snap.list(page);
  CHECK(ids(*second) == std::vector<std::string>{"038-one", "038-two"});
  CHECK(second->next_cursor.empty());

  ListQuery titles;
  titles.sort.key = Sort::Key::title;
  titles.limit = 2;
  std::vector<std::string> seen;
  for (;;) {
    auto p = snap.list(titles);
    for (const auto &s : p->specs)
      seen.push_back(s->id);
    if (p->next_cursor.empty())
      break;
    titles.cursor = p->next_cursor;
  }
  CHECK(seen.size() == 6);

  ListQuery wrong;
  wrong.cursor = first->next_cursor;
  wrong.sort.key = Sort::Key::title;
  CHECK_THROWS_AS((void)snap.list(wrong), Error);
  wrong.cursor = "!!";
  CHECK_THROWS_AS((void)snap.list(wrong), Error);
}

TEST_CASE("stats count statuses, priorities, tags and assignees") {
  const auto snap = sample();
  const auto st = snap.stats();
  CHECK(st->total == 6);
  CHECK(st->by_status.at(Status::draft) == 2);
  CHECK(st->by_status.at(Status::archived) == 1);
  CHECK(st->by_priority.at(Priority::high) == 2);
  CHECK(st->by_priority.at(Priority::critical) == 0);
  CHECK(st->without_priority == 3);
  CHECK(st->by_tag.at("a") == 2);
  CHECK(st->by_assignee.at("ann") == 1);
  CHECK(st->completion_rate == doctest::Approx(100.0 / 6));
}

TEST_CASE("relationships go both ways, transitively, with parents and children") {
  const auto snap = sample();
  const auto alpha = snap.relationships("001-alpha");
  CHECK(alpha->required_by == std::vector<std::string>{"003-gamma"});
  CHECK(alpha->required_by_transitive == std::vector<std::string>{"003-gamma", "002-beta"});
  CHECK(alpha->children == std::vector<std::string>{"002-beta", "004-delta"});
  const auto beta = snap.relationships("beta");
  CHECK(beta->depends_on == std::vector<std::string>{"003-gamma"});
  CHECK(beta->depends_on_transitive == std::vector<std::string>{"003-gamma", "001-alpha"});
  CHECK(beta->parent == "001-alpha");
  CHECK(beta->ancestors == std::vector<std::string>{"001-alpha"});
  CHECK(beta->cycles.empty());
  CHECK(snap.relationships("nope") == nullptr);
}

TEST_CASE("relationships report cycles through the spec") {
  detail::Snapshot snap("p",
                        {make("001-a", "status: planned\ndepends_on: [002-b]\nparent: 002-b"),
                         make("002-b", "status: planned\ndepends_on: [003-c]\nparent: 001-a"),
                         make("003-c", "status: planned\ndepends_on: [001-a]")},
                        {});
  const auto r = snap.relationships("001-a");
  REQUIRE(r->cycles.size() == 2);
  CHECK(r->cycles[0] == std::vector<std::string>{"001-a", "002-b", "001-a"});
  CHECK(r->cycles[1] == std::vector<std::string>{"001-a", "002-b", "003-c", "001-a"});
}

namespace {

std::string chain_id(int i) {
  char id[32];
  std::snprintf(id, sizeof id, "%05d-s%d", i + 1, i);
  return id;
}

// `n` specs where spec i names spec i+1 in `field` (the last one names `last`, if any).
detail::Snapshot chain(int n, std::string_view field, std::string_view last = "") {
  std::vector<SpecPtr> specs;
  specs.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string next = i + 1 < n ? chain_id(i + 1) : std::string(last);
    specs.push_back(make(
        chain_id(i), "status: planned" +
                         (next.empty() ? std::string() : "\n" + std::string(field) + ": " + next)));
  }
  return detail::Snapshot("p", std::move(specs), {});
}

} // namespace

TEST_CASE("relationships walk a 20,000-spec parent chain to its end") {
  const int n = 20'000;
  const auto snap = chain(n, "parent");
  const auto bottom = snap.relationships(chain_id(0));
  REQUIRE(bottom->ancestors.size() == static_cast<std::size_t>(n - 1));
  CHECK(bottom->ancestors.front() == chain_id(1));
  CHECK(bottom->ancestors.back() == chain_id(n - 1));
  CHECK(bottom->cycles.empty());
  const auto top = snap.relationships(chain_id(n - 1));
  CHECK(top->ancestors.empty());
  CHECK(top->children == std::vector<std::string>{chain_id(n - 2)});
}

TEST_CASE("relationships end on a 20,000-spec parent cycle and report it once") {
  const int n = 20'000;
  const auto snap = chain(n, "parent", chain_id(0));
  const auto r = snap.relationships(chain_id(0));
  CHECK(r->ancestors.size() == static_cast<std::size_t>(n - 1));
  REQUIRE(r->cycles.size() == 1);
  CHECK(r->cycles[0].size() == static_cast<std::size_t>(n + 1));
  CHECK(r->cycles[0].front() == chain_id(0));
  CHECK(r->cycles[0][1] == chain_id(1));
  CHECK(r->cycles[0].back() == chain_id(0));
}

TEST_CASE("relationships end on a 20,000-spec depends_on cycle and give its shortest way back") {
  const int n = 20'000;
  const auto snap = chain(n, "depends_on", chain_id(0));
  const auto r = snap.relationships(chain_id(n / 2));
  CHECK(r->depends_on_transitive.size() == static_cast<std::size_t>(n - 1));
  CHECK(r->required_by_transitive.size() == static_cast<std::size_t>(n - 1));
  REQUIRE(r->cycles.size() == 1);
  const auto &cycle = r->cycles[0];
  REQUIRE(cycle.size() == static_cast<std::size_t>(n + 1));
  CHECK(cycle.front() == chain_id(n / 2));
  CHECK(cycle[1] == chain_id(n / 2 + 1));
  CHECK(cycle[static_cast<std::size_t>(n / 2)] == chain_id(0));
  CHECK(cycle.back() == chain_id(n / 2));
}

TEST_CASE("each direct dependency that leads back gives its own shortest cycle") {
  // 001 depends on 002, 003 and 004; 002 and 003 lead back (003 the long way, through 002),
  // 004 does not; a repeated ref counts once.
  detail::Snapshot snap(
      "p",
      {make("001-a", "status: planned\ndepends_on: [002-b, 003-c, 004-d, 002-b, 2]"),
       make("002-b", "status: planned\ndepends_on: [001-a]"),
       make("003-c", "status: planned\ndepends_on: [002-b]"), make("004-d", "status: planned")},
      {});
  const auto r = snap.relationships("001-a");
  CHECK(r->depends_on == std::vector<std::string>{"002-b", "003-c", "004-d"});
  REQUIRE(r->cycles.size() == 2);
  CHECK(r->cycles[0] == std::vector<std::string>{"001-a", "002-b", "001-a"});
  CHECK(r->cycles[1] == std::vector<std::string>{"001-a", "003-c", "002-b", "001-a"});
  CHECK(snap.relationships("002-b")->required_by == std::vector<std::string>{"001-a", "003-c"});
}
