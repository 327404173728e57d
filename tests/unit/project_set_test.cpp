// Tests src/core/project_set: "*", comma-separated lists and the ids they refuse, and that a
// project id holding ',' or '*' cannot be registered.
#include "core/project_set.hpp"
#include "db/store.hpp"
#include "support/temp_dir.hpp"

#include <doctest/doctest.h>
#include <leanspec/error.hpp>

using namespace leanspec;
using leanspec::detail::parse_project_set;
using leanspec::detail::ProjectSet;

namespace {

std::string refusal(std::string_view project_id) {
  try {
    (void)parse_project_set(project_id);
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("a project id is one project, a comma-separated list, or \"*\"") {
  CHECK_FALSE(parse_project_set(""));
  CHECK_FALSE(parse_project_set("acme/web"));
  CHECK(parse_project_set("*") == ProjectSet{true, {}});
  CHECK(parse_project_set(" * ") == ProjectSet{true, {}});
  CHECK(parse_project_set("acme/web,acme/api") == ProjectSet{false, {"acme/web", "acme/api"}});
  CHECK(parse_project_set("acme/web, acme/api ,acme/web") ==
        ProjectSet{false, {"acme/web", "acme/api"}});
  CHECK(detail::is_project_set("*"));
  CHECK(detail::is_project_set("a/b,c/d"));
  CHECK_FALSE(detail::is_project_set("a/b"));
}

TEST_CASE("a project set refuses empty items and stray '*'") {
  for (const char *bad : {"acme/web,", ",acme/web", "a/b,,c/d", ",", "a/b, ,c/d"})
    CHECK(refusal(bad).find("empty item") != std::string::npos);
  for (const char *bad : {"a/b,*", "acme/*", "*,a/b", "**"})
    CHECK(refusal(bad).find("'*'") != std::string::npos);
  CHECK(refusal("acme/*").find("acme/*") != std::string::npos); // names the argument
}

TEST_CASE("a project id holding ',' or '*' cannot be registered") {
  CHECK_THROWS_AS(detail::check_project_id("a,b"), Error);
  CHECK_THROWS_AS(detail::check_project_id("a*"), Error);
  CHECK_NOTHROW(detail::check_project_id("acme/web"));
  test::TempDir dir;
  const auto store = detail::Store::open((dir.path() / "x.db").string());
  for (const char *id : {"acme/we,b", "acme/*"}) {
    try {
      store->add_project({.id = id});
      FAIL("registered " << id);
    } catch (const Error &e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      CHECK(std::string(e.what()).find("project sets") != std::string::npos);
    }
  }
}
