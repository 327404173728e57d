// Tests Snapshot::validate() (src/snapshot/validate.cpp): the checks across specs.
#include "snapshot/snapshot.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace leanspec;

namespace {

SpecPtr make(std::string path, std::string frontmatter) {
  return std::make_shared<const Spec>(parse_spec(path, "---\n" + frontmatter + "\n---\n# T\n"));
}

std::size_t count(const std::vector<Diagnostic> &ds, std::string_view code) {
  return static_cast<std::size_t>(
      std::count_if(ds.begin(), ds.end(), [&](const Diagnostic &d) { return d.code == code; }));
}

} // namespace

TEST_CASE("validate reports duplicate numbers, dangling refs, escaping refs and cycles") {
  detail::Snapshot snap(
      "p",
      {make("038-one", "status: planned"), make("038-two", "status: planned"),
       make("001-a", "status: planned\ndepends_on: [002-b, 404-missing, ../../etc]\nparent: 999"),
       make("002-b", "status: planned\ndepends_on: [003-c]"),
       make("003-c", "status: planned\ndepends_on: [001-a]\nparent: 004-d"),
       make("004-d", "status: planned\nparent: 003-c"),
       make("005-e", "status: planned\ndepends_on: [38]")},
      {});
  const auto ds = snap.validate();
  CHECK(count(*ds, "duplicate-number") == 2);
  CHECK(count(*ds, "dangling-depends-on") == 1);
  CHECK(count(*ds, "dangling-parent") == 1);
  CHECK(count(*ds, "ref-outside-specs") == 1);
  CHECK(count(*ds, "dependency-cycle") == 1);
  CHECK(count(*ds, "parent-cycle") == 1);
  CHECK(count(*ds, "ambiguous-depends-on") == 1);
  const auto cycle = std::find_if(ds->begin(), ds->end(),
                                  [](const Diagnostic &d) { return d.code == "dependency-cycle"; });
  CHECK(cycle->message.find("001-a, 002-b, 003-c") != std::string::npos);
  const auto dangling = std::find_if(
      ds->begin(), ds->end(), [](const Diagnostic &d) { return d.code == "dangling-depends-on"; });
  CHECK(dangling->file == "001-a/README.md");
  CHECK(dangling->message.find("404-missing") != std::string::npos);
}

TEST_CASE("validate of a clean tree reports nothing") {
  detail::Snapshot snap("p",
                        {make("001-a", "status: planned"),
                         make("002-b", "status: planned\ndepends_on: [1]\nparent: a")},
                        {});
  CHECK(snap.validate()->empty());
}
