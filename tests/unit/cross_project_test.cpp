// Tests SpecsService over project sets (src/service/cross_project.cpp): list, search and stats
// over "*" and "a,b" in both mode, a filesystem project beside two projects of a real SQLite
// store (DatabaseSource::import_directory); the merged order, paging by the set cursor, the
// JSON keys of a set, and that one project's answers and JSON stay as they were. Suite
// "service" (ctest `service`).
#include "support/error_code_of.hpp"
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/specs_service.hpp>
#include <set>
#include <utility>

using namespace leanspec;
using leanspec::test::error_code_of;
using leanspec::test::TempSpecTree;
using namespace std::chrono_literals;

namespace {

// A filesystem project (local) and two database projects, acme/web (which shares the spec id
// "001-alpha" with local, so ties across projects are exercised) and acme/api.
struct Fleet {
  TempSpecTree local, web, api;
  std::string url;

  Fleet() {
    local.spec("001-alpha", "status: planned\ntags: [cli, api]", "# Alpha\n\nThe local cache.\n");
    local.spec("002-beta", "status: in-progress\npriority: high", "# Beta\n");
    web.spec("001-alpha", "status: complete\ntags: [web]", "# Web alpha\n\nThe cache of pages.\n");
    web.spec("010-remote-one", "status: complete\ntags: [api]", "# Remote one\n");
    web.spec("011-remote-two", "status: draft", "# Remote two\n");
    api.spec("003-gamma", "status: planned\ntags: [api]", "# Gamma\n\nA cache for tokens.\n");
    api.spec("020-delta", "status: draft\ntags: [api]\npriority: low", "# Delta\n");
    url = "sqlite:" + (local.root() / "specs.db").string();
    DatabaseOptions options;
    options.database_url = url;
    DatabaseSource db(options);
    for (const auto *id : {"acme/web", "acme/api"})
      db.add_project({.id = id});
    db.import_directory("acme/web", web.specs_dir());
    db.import_directory("acme/api", api.specs_dir());
  }

  ServiceConfig config(SpecsMode mode = SpecsMode::both) const {
    ServiceConfig c;
    c.mode = mode;
    c.specs_dir = local.specs_dir();
    c.database_url = url;
    c.probe_interval = 50ms;
    return c;
  }
};

using Row = std::pair<std::string, std::string>; // project id, spec id

std::vector<Row> rows(const SpecList &list) {
  REQUIRE(list.project_ids.size() == list.specs.size());
  std::vector<Row> out;
  for (std::size_t i = 0; i < list.specs.size(); ++i)
    out.emplace_back(list.project_ids[i], list.specs[i]->id);
  return out;
}

// Every page of `query`, `limit` at a time, by the set cursor.
std::vector<Row> paged(const SpecsService &service, ListQuery query, std::size_t limit) {
  query.limit = limit;
  std::vector<Row> out;
  for (int pages = 0; pages < 50; ++pages) {
    const auto page = service.list(query);
    CHECK(page->specs.size() <= limit);
    for (auto &row : rows(*page))
      out.push_back(std::move(row));
    if (page->next_cursor.empty())
      return out;
    query.cursor = page->next_cursor;
  }
  FAIL("the cursor never ended");
  return out;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

} // namespace

TEST_SUITE("service") {
  TEST_CASE("a list over every project: each spec with its project, in number then project order") {
    Fleet fleet;
    SpecsService service(fleet.config());
    const std::string fs_id = service.filesystem_project_id();
    const auto all = service.list({.project_id = "*"});
    CHECK(all->total == 7);
    const auto got = rows(*all);
    REQUIRE(got.size() == 7);
    // 001-alpha twice (acme/web's, the filesystem's), by project id; then 002, 003, 010, ...
    CHECK(got[0] == Row{std::min(fs_id, std::string("acme/web")), "001-alpha"});
    CHECK(got[1] == Row{std::max(fs_id, std::string("acme/web")), "001-alpha"});
    CHECK(got[2] == Row{fs_id, "002-beta"});
    CHECK(got[3] == Row{"acme/api", "003-gamma"});
    CHECK(got[6] == Row{"acme/api", "020-delta"});

    // Every spec tagged api in every project.
    ListQuery tagged{.project_id = "*"};
    tagged.filter.tags = {"api"};
    const auto api = rows(*service.list(tagged));
    CHECK(api == std::vector<Row>{{fs_id, "001-alpha"},
                                  {"acme/api", "003-gamma"},
                                  {"acme/web", "010-remote-one"},
                                  {"acme/api", "020-delta"}});

    // A list of projects: only those.
    const auto two = rows(*service.list({.project_id = "acme/web, acme/api"}));
    CHECK(two.size() == 5);
    CHECK(std::none_of(two.begin(), two.end(), [&](const Row &r) { return r.first == fs_id; }));
    const auto mixed = rows(*service.list({.project_id = fs_id + ",acme/web"}));
    CHECK(mixed.size() == 5);
    CHECK(std::set<Row>{mixed[0], mixed[1]} ==
          std::set<Row>{{fs_id, "001-alpha"}, {"acme/web", "001-alpha"}});
  }

  TEST_CASE("paging a set by its cursor: every spec once, in the unpaged order, any sort") {
    Fleet fleet;
    SpecsService service(fleet.config());
    for (const Sort sort : {Sort{}, Sort{Sort::Key::title, true}, Sort{Sort::Key::status, false},
                            Sort{Sort::Key::number, true}}) {
      const ListQuery query{.project_id = "*", .sort = sort};
      const auto whole = rows(*service.list(query));
      REQUIRE(whole.size() == 7);
      for (std::size_t limit : {1, 2, 3, 7})
        CHECK(paged(service, query, limit) == whole);
    }
    ListQuery page{.project_id = "*", .limit = 2};
    const auto first = service.list(page);
    CHECK(first->total == 7);
    CHECK(!first->next_cursor.empty());
    // A cursor of another kind is refused, naming the cursor.
    page.cursor = "not-a-cursor";
    CHECK(error_code_of([&] { service.list(page); }) == ErrorCode::invalid_argument);
    SearchQuery search{.project_id = "*", .text = "cache", .cursor = first->next_cursor};
    CHECK(error_code_of([&] { service.search(search); }) == ErrorCode::invalid_argument);
  }

  TEST_CASE("stats over a set: totals, and the count per status of each project") {
    Fleet fleet;
    SpecsService service(fleet.config());
    const std::string fs_id = service.filesystem_project_id();
    const auto stats = service.stats("*");
    CHECK(stats->total == 7);
    CHECK(stats->by_status.at(Status::complete) == 2);
    CHECK(stats->by_status.at(Status::draft) == 2);
    CHECK(stats->by_tag.at("api") == 4);
    CHECK(stats->by_priority.at(Priority::high) == 1);
    CHECK(stats->without_priority == 5);
    CHECK(stats->completion_rate == doctest::Approx(100.0 * 2 / 7));
    REQUIRE(stats->by_project.size() == 3);
    CHECK(stats->by_project.at(fs_id).at(Status::in_progress) == 1);
    CHECK(stats->by_project.at("acme/web").at(Status::complete) == 2);
    CHECK(stats->by_project.at("acme/api").at(Status::complete) == 0);
    const auto web_api = service.stats("acme/web,acme/api");
    CHECK(web_api->total == 5);
    CHECK(web_api->by_project.size() == 2);
    const std::string json = to_json(*stats);
    CHECK(contains(json, "\"byProject\":{"));
    CHECK(contains(json, "\"acme/api\":[{\"status\":\"draft\",\"count\":1}"));
    // One project: no byProject, the JSON as before.
    CHECK(service.stats("acme/web")->by_project.empty());
    CHECK(!contains(to_json(*service.stats("acme/web")), "byProject"));
  }

  TEST_CASE("search over a set: hits name their project; the cursor pages the merged ranking") {
    Fleet fleet;
    SpecsService service(fleet.config());
    const std::string fs_id = service.filesystem_project_id();
    SearchQuery query{.project_id = "*", .text = "cache", .limit = 0};
    const auto all = service.search(query);
    REQUIRE(all->hits.size() == 3);
    CHECK(all->total == 3);
    std::set<Row> found;
    for (const auto &hit : all->hits)
      found.emplace(hit.project_id, hit.spec->id);
    CHECK(found == std::set<Row>{
                       {fs_id, "001-alpha"}, {"acme/web", "001-alpha"}, {"acme/api", "003-gamma"}});
    CHECK(std::is_sorted(all->hits.begin(), all->hits.end(),
                         [](const SearchHit &a, const SearchHit &b) { return a.score > b.score; }));
    CHECK(all->next_cursor.empty());

    query.limit = 1;
    std::vector<Row> pages;
    for (int i = 0; i < 10; ++i) {
      const auto page = service.search(query);
      CHECK(page->total == 3);
      for (const auto &hit : page->hits)
        pages.emplace_back(hit.project_id, hit.spec->id);
      if (page->next_cursor.empty())
        break;
      query.cursor = page->next_cursor;
    }
    std::vector<Row> unpaged;
    for (const auto &hit : all->hits)
      unpaged.emplace_back(hit.project_id, hit.spec->id);
    CHECK(pages == unpaged);

    const std::string json =
        to_json(*service.search({.project_id = "*", .text = "cache", .limit = 1}));
    CHECK(contains(json, "\"projectId\":"));
    CHECK(contains(json, "\"nextCursor\":\""));
    // One project: no projectId, no nextCursor (the JSON as before).
    const std::string one = to_json(*service.search({.project_id = "acme/web", .text = "cache"}));
    CHECK(!contains(one, "projectId"));
    CHECK(!contains(one, "nextCursor"));
    CHECK(service.search({.project_id = "acme/web", .text = "cache"})
              ->hits.front()
              .project_id.empty());
  }

  TEST_CASE("one project's list is unchanged; a set's JSON carries projectIds") {
    Fleet fleet;
    SpecsService service(fleet.config());
    const auto one = service.list({.project_id = "acme/web"});
    CHECK(one->project_ids.empty());
    CHECK(!contains(to_json(*one), "projectIds"));
    const std::string json =
        to_json(*service.list({.project_id = "acme/web,acme/api", .limit = 1}));
    CHECK(contains(json, "\"projectIds\":[\"acme/web\"]"));
  }

  TEST_CASE("bad sets are refused by name; filesystem mode's '*' is its one project") {
    Fleet fleet;
    SpecsService both(fleet.config());
    for (const char *bad : {"acme/web,,acme/api", "*,acme/web", "acme/*", "acme/web,"})
      CHECK_MESSAGE(error_code_of([&] { both.list({.project_id = bad}); }) ==
                        ErrorCode::invalid_argument,
                    bad);
    CHECK(error_code_of([&] { both.list({.project_id = "acme/web,acme/nope"}); }) ==
          ErrorCode::not_found);
    CHECK(error_code_of([&] { both.stats("acme/nope,acme/web"); }) == ErrorCode::not_found);

    SpecsService files(fleet.config(SpecsMode::filesystem));
    const auto all = files.list({.project_id = "*"});
    CHECK(all->total == 2);
    CHECK(all->project_ids == std::vector<std::string>(2, files.filesystem_project_id()));
    CHECK(files.stats("*")->by_project.size() == 1);
    CHECK(error_code_of([&] { files.list({.project_id = "acme/web,acme/api"}); }) ==
          ErrorCode::not_found);

    SpecsService database(fleet.config(SpecsMode::database));
    CHECK(database.list({.project_id = "*"})->total == 5);
    CHECK(database.search({.project_id = "*", .text = "tag:api"})->hits.size() == 3);
  }
}
