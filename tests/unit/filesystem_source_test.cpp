// Tests FilesystemSource and discover_options() (src/fs) on real files in temp directories.
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <atomic>
#include <doctest/doctest.h>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <thread>

using namespace leanspec;
using leanspec::test::TempSpecTree;

namespace {

std::vector<std::string> ids(const SpecSource &source, ListQuery q = {}) {
  std::vector<std::string> out;
  const auto page = source.list(q);
  for (const auto &s : page->specs)
    out.push_back(s->id);
  return out;
}

bool has_code(const std::vector<Diagnostic> &ds, std::string_view code) {
  return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic &d) { return d.code == code; });
}

} // namespace

TEST_CASE("a specs directory loads every spec folder, archived ones included") {
  TempSpecTree tree;
  tree.spec("001-alpha", "status: planned", "# Alpha\n");
  tree.spec("002-beta", "status: complete\ncompleted: 2025-01-01", "# Beta\n");
  tree.write("002-beta/DESIGN.md", "# Design of beta\n");
  tree.spec("archived/003-old", "status: complete\ncompleted: 2024-01-01", "# Old\n");
  tree.write("FROZEN.md", "not a spec\n");
  tree.write("notes/readme.txt", "not a spec either\n");
  auto source = make_filesystem_source({.specs_dir = tree.specs_dir()});
  CHECK(ids(*source) == std::vector<std::string>{"001-alpha", "002-beta", "003-old"});
  const auto beta = source->get("2");
  REQUIRE(beta);
  REQUIRE(beta->sub_specs.size() == 1);
  CHECK(beta->sub_specs[0].name == "Design of beta");
  const auto old = source->get("003-old");
  CHECK(old->archived);
  CHECK(old->status == Status::archived);
  CHECK(old->path == "archived/003-old");
  CHECK(source->version() == 1);
  CHECK(source->projects().at(0).id == tree.root().filename().string());
}

TEST_CASE("folders without README.md or empty ones stay listed with a diagnostic") {
  TempSpecTree tree;
  tree.spec("001-ok", "status: planned", "# Ok\n");
  std::filesystem::create_directories(tree.specs_dir() / "002-empty");
  tree.write("003-no-readme/DESIGN.md", "# Design\n");
  tree.write("004-broken/README.md", "---\nstatus: [\n---\n# Broken\n");
  auto source = make_filesystem_source({.specs_dir = tree.specs_dir()});
  CHECK(ids(*source) ==
        std::vector<std::string>{"001-ok", "002-empty", "003-no-readme", "004-broken"});
  CHECK(has_code(source->get("002")->diagnostics, "missing-readme"));
  CHECK(source->get("003")->sub_specs.size() == 1);
  CHECK(has_code(source->get("004")->diagnostics, "yaml-syntax"));
  CHECK(source->get("004")->title == "Broken");
  CHECK(source->get("001")->diagnostics.empty());
}

TEST_CASE("a file over the size limit is not read and is reported") {
  TempSpecTree tree;
  tree.spec("001-ok", "status: planned", "# Ok\n");
  tree.write("002-huge/README.md", "---\nstatus: planned\n---\n" + std::string(50u << 20, 'x'));
  auto source = make_filesystem_source({.specs_dir = tree.specs_dir()});
  const auto huge = source->get("002-huge");
  REQUIRE(huge);
  CHECK(has_code(huge->diagnostics, "file-too-large"));
  CHECK(huge->body.empty());
  CHECK(source->get("001-ok")->title == "Ok");
}

TEST_CASE("symlinks that leave the specs directory are refused") {
  TempSpecTree tree;
  tree.spec("001-ok", "status: planned", "# Ok\n");
  tree.write_root("outside/README.md", "---\nstatus: planned\n---\n# Secret\n");
  std::filesystem::create_directory_symlink(tree.root() / "outside",
                                            tree.specs_dir() / "002-escape");
  tree.write("003-inner/README.md", "---\nstatus: planned\n---\n# Inner\n");
  std::filesystem::create_symlink(tree.root() / "outside" / "README.md",
                                  tree.specs_dir() / "003-inner" / "LEAK.md");
  std::filesystem::create_directory_symlink(tree.specs_dir() / "001-ok",
                                            tree.specs_dir() / "004-alias");
  auto source = make_filesystem_source({.specs_dir = tree.specs_dir()});
  CHECK(ids(*source) == std::vector<std::string>{"001-ok", "003-inner", "004-alias"});
  CHECK(has_code(*source->validate(), "ref-outside-specs"));
  CHECK(source->get("003-inner")->sub_specs.empty());
  CHECK(has_code(source->get("003-inner")->diagnostics, "ref-outside-specs"));
}

TEST_CASE("a missing specs directory is a not_found error") {
  TempSpecTree tree;
  try {
    (void)make_filesystem_source({.specs_dir = tree.root() / "nope"});
    FAIL("expected an error");
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::not_found);
    CHECK(std::string(e.what()).find("nope") != std::string::npos);
  }
}

TEST_CASE("an unknown project id is a not_found error") {
  TempSpecTree tree;
  auto source = make_filesystem_source({.specs_dir = tree.specs_dir(), .project_id = "mine"});
  CHECK(source->list({.project_id = "mine"})->total == 0);
  CHECK_THROWS_AS((void)source->get("1", "other"), Error);
}

TEST_CASE(".lean-spec/config.json sets specsDir and a date-grouped pattern") {
  TempSpecTree tree;
  tree.write_root(
      ".lean-spec/config.json",
      R"({"specsDir": "docs/specs", "structure": {"pattern": "{YYYYMMDD}/{NNN}-{name}/"}})");
  tree.write_root("docs/specs/20251101/001-first/README.md",
                  "---\nstatus: planned\n---\n# First\n");
  tree.write_root("docs/specs/20251102/002-second/README.md",
                  "---\nstatus: planned\n---\n# Second\n");
  tree.write_root("docs/specs/archived/20251001/000-zero/README.md",
                  "---\nstatus: planned\n---\n# Zero\n");
  const auto options = discover_options(tree.root());
  CHECK(options.specs_dir == tree.root() / "docs/specs");
  CHECK(options.pattern == FolderPattern::date_grouped);
  auto source = make_filesystem_source(options);
  CHECK(ids(*source) == std::vector<std::string>{"001-first", "002-second"});
  CHECK(source->get("20251102/002-second")->title == "Second");

  SUBCASE("flat") {
    tree.write_root(".lean-spec/config.json", R"({"structure": {"pattern": "flat"}})");
    CHECK(discover_options(tree.root()).pattern == FolderPattern::flat);
    CHECK(discover_options(tree.root()).specs_dir == tree.root() / "specs");
  }
  SUBCASE("bad config values are config errors naming the file") {
    tree.write_root(".lean-spec/config.json", R"({"specsDir": "../elsewhere"})");
    CHECK_THROWS_WITH_AS(discover_options(tree.root()), doctest::Contains("config.json"), Error);
    tree.write_root(".lean-spec/config.json", "{not json");
    CHECK_THROWS_WITH_AS(discover_options(tree.root()), doctest::Contains("not valid JSON"), Error);
    tree.write_root(".lean-spec/config.json", R"({"specsDir": 5})");
    CHECK_THROWS_WITH_AS(discover_options(tree.root()), doctest::Contains("specsDir"), Error);
  }
}

TEST_CASE("without a config the specs directory is ./specs, flat") {
  TempSpecTree tree;
  const auto options = discover_options(tree.root());
  CHECK(options.specs_dir == tree.root() / "specs");
  CHECK(options.pattern == FolderPattern::flat);
}

TEST_SUITE("concurrency") {
  TEST_CASE("many threads read while the directory is reloaded") {
    TempSpecTree tree;
    for (int i = 1; i <= 40; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
      tree.spec(id, "status: planned\ntags: [t]",
                "# Spec " + std::to_string(i) + "\nbody words here\n");
    }
    auto source = make_filesystem_source({.specs_dir = tree.specs_dir()});
    std::atomic<bool> stop{false};
    std::atomic<long> reads{0};
    std::vector<std::jthread> readers;
    for (int t = 0; t < 8; ++t)
      readers.emplace_back([&] {
        while (!stop.load()) {
          const auto all = source->list();
          // A snapshot is whole: either 40 or 41 specs, never a partial tree.
          CHECK((all->total == 40 || all->total == 41));
          CHECK(source->get("001-spec-1") != nullptr);
          (void)source->search({.text = "body"});
          (void)source->stats();
          reads.fetch_add(1);
        }
      });
    for (int round = 0; round < 20; ++round) {
      if (round % 2 == 0)
        tree.spec("041-extra", "status: draft", "# Extra\n");
      else
        tree.remove("041-extra");
      source->reload();
    }
    stop = true;
    readers.clear();
    CHECK(source->version() == 21);
    CHECK(reads.load() > 0);
  }
}
