// Tests FilesystemSource and discover_options() (src/fs) on real files in temp directories.
#include "support/swapped_tree.hpp"
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/json.hpp>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace leanspec;
using leanspec::test::SwappedTree;
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

// The messages of the diagnostics with `code`, joined.
std::string messages(const std::vector<Diagnostic> &ds, std::string_view code) {
  std::string out;
  for (const auto &d : ds)
    if (d.code == code)
      out += d.message + "\n";
  return out;
}

// Takes CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the calling thread only (capset(2) acts
// on one thread), so that as root too a folder of mode 000 cannot be read by it.
void drop_file_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  REQUIRE(::syscall(SYS_capget, &header, data) == 0);
  data[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
  REQUIRE(::syscall(SYS_capset, &header, data) == 0);
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

TEST_CASE("a spec folder that cannot be read is reported as unreadable, naming it and the error") {
  TempSpecTree tree;
  tree.spec("001-ok", "status: planned", "# Ok\n");
  tree.spec("002-locked", "status: planned", "# Locked\n");
  const auto locked = tree.specs_dir() / "002-locked";
  REQUIRE(::chmod(locked.c_str(), 0) == 0);
  bool denied = false;
  std::shared_ptr<FilesystemSource> source;
  // On a thread of its own, which cannot read past permissions even when the tests run as root.
  std::thread([&] {
    drop_file_capabilities();
    const int fd = ::open(locked.c_str(), O_RDONLY | O_DIRECTORY);
    denied = fd < 0 && errno == EACCES;
    if (fd >= 0)
      ::close(fd);
    source = make_filesystem_source({.specs_dir = tree.specs_dir(), .threads = 1});
  }).join();
  ::chmod(locked.c_str(), 0755);
  REQUIRE(denied); // the folder really was unreadable to the loading thread
  REQUIRE(source);
  CHECK(ids(*source) == std::vector<std::string>{"001-ok", "002-locked"});
  const auto &diagnostics = source->get("002-locked")->diagnostics;
  CHECK_FALSE(has_code(diagnostics, "missing-readme"));
  const std::string text = messages(diagnostics, "unreadable-folder");
  CHECK_MESSAGE(text.find("'002-locked'") != std::string::npos, text);
  CHECK_MESSAGE(text.find(std::strerror(EACCES)) != std::string::npos, text);
  CHECK(source->get("001-ok")->diagnostics.empty());
}

TEST_CASE("names no specs tree holds are passed over with a diagnostic; hidden ones silently") {
  TempSpecTree tree;
  tree.spec("001-ok", "status: planned", "# Ok\n");
  tree.spec("002-new\nline", "status: planned", "# Newline\n");
  tree.spec("003-esc\x1b", "status: planned", "# Escape\n");
  tree.spec("004-back\\slash", "status: planned", "# Backslash\n");
  tree.spec("grp/005-tab\tgrouped", "status: planned", "# Tab\n");
  tree.spec(".git/006-hidden", "status: planned", "# Hidden\n");
  tree.write("001-ok/BAD\x1b.md", "# Bad\n");
  auto source = make_filesystem_source({.specs_dir = tree.specs_dir()});
  CHECK(ids(*source) == std::vector<std::string>{"001-ok"});
  const auto all = source->validate();
  const std::string text = messages(*all, "refused-name");
  for (const char *named : {"'002-new\\x0aline'", "'003-esc\\x1b'", "'004-back\\slash'",
                            "'grp/005-tab\\x09grouped'", "'001-ok/BAD\\x1b.md'"})
    CHECK_MESSAGE(text.find(named) != std::string::npos, (std::string(named) + " in " + text));
  CHECK(text.find("hidden") == std::string::npos);
  CHECK(source->get("001-ok")->sub_specs.empty());
}

TEST_CASE("date-grouped trees load without a config, and an empty tree says why") {
  TempSpecTree tree;
  tree.spec("20251031/001-first", "status: planned", "# First\n");
  tree.spec("20251101/002-second", "status: planned", "# Second\n");
  tree.spec("003-top", "status: planned", "# Top\n");
  auto source = make_filesystem_source({.specs_dir = tree.specs_dir()});
  CHECK(ids(*source) == std::vector<std::string>{"001-first", "002-second", "003-top"});
  const auto first = source->get("20251031/001-first");
  REQUIRE(first);
  CHECK(first->title == "First");
  CHECK_FALSE(has_code(*source->validate(), "no-spec-folders"));

  SUBCASE("a tree with folders but no spec folder names them") {
    TempSpecTree other;
    other.write("notes/README.md", "# Notes\n");
    other.spec("2025/10/001-too-deep", "status: planned", "# Deep\n");
    auto empty = make_filesystem_source({.specs_dir = other.specs_dir()});
    CHECK(empty->list()->total == 0);
    const std::string text = messages(*empty->validate(), "no-spec-folders");
    CHECK_MESSAGE(text.find("'notes'") != std::string::npos, text);
    CHECK_MESSAGE(text.find("'2025/10'") != std::string::npos, text);
  }
  SUBCASE("an empty tree has nothing to say") {
    TempSpecTree other;
    std::filesystem::create_directories(other.specs_dir());
    CHECK(make_filesystem_source({.specs_dir = other.specs_dir()})->validate()->empty());
  }
}

TEST_CASE("the legacy .lspec/config.json is read, and .lean-spec/config.json comes first") {
  TempSpecTree tree;
  tree.write_root(".lspec/config.json", R"({"specsDir": "old/specs"})");
  tree.write_root("old/specs/20251031/001-x/README.md", "---\nstatus: planned\n---\n# X\n");
  auto options = discover_options(tree.root());
  CHECK(options.specs_dir == tree.root() / "old/specs");
  CHECK(ids(*make_filesystem_source(options)) == std::vector<std::string>{"001-x"});
  tree.write_root(".lean-spec/config.json", R"({"specsDir": "new/specs"})");
  CHECK(discover_options(tree.root()).specs_dir == tree.root() / "new/specs");
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
  TEST_CASE("files and folders swapped for symlinks out of the tree are never read, however the "
            "swaps fall") {
    SwappedTree swapped;
    long loads = 0, inside = 0, refused = 0, leaks = 0;
    // Until the swapper has swapped and both states were seen often (bounded by the loads).
    for (; loads < 20000 &&
           (loads < 2000 || swapped.swaps.load() < 2000 || inside < 100 || refused < 100);
         ++loads) {
      const auto source = make_filesystem_source({.specs_dir = swapped.tree.specs_dir()});
      const auto all = source->list();
      leaks += SwappedTree::leaked(*all);
      for (const auto &spec : all->specs)
        (spec->title == "Inside" ? inside : refused) += 1;
    }
    CHECK(leaks == 0);
    CHECK(swapped.swaps.load() >= 2000);
    CHECK(inside >= 100);
    CHECK(refused >= 100);
  }

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

namespace {

// What get() or load_spec() answered for a ref: the spec's full JSON, "null", or the error.
template <class Read> std::string answer(Read read) {
  try {
    const SpecPtr spec = read();
    return spec ? to_json(*spec, JsonDetail::full) : "null";
  } catch (const Error &e) {
    return std::string(to_string(e.code())) + ": " + e.what();
  }
}

} // namespace

TEST_CASE("load_spec reads one folder and answers every ref as the loaded source does") {
  TempSpecTree tree;
  tree.spec("001-alpha", "status: planned\ntags: [a]", "# Alpha\n\nBody.\n");
  tree.write("001-alpha/DESIGN.md", "# Design\n");
  tree.spec("002-beta", "status: sideways", "# Beta\n");
  tree.spec("038-a", "status: planned", "# A\n");
  tree.spec("038-b", "status: planned", "# B\n");
  tree.spec("archived/040-old", "status: complete", "# Old\n");
  tree.spec("20251101/041-grouped", "status: draft", "# Grouped\n");
  tree.spec("20251101/002-beta", "status: planned", "# Beta again\n");
  tree.spec("0000000000123-long", "status: planned", "# Long number\n");
  tree.write("003-empty/notes.txt", "no README\n");
  const FilesystemOptions options{.specs_dir = tree.specs_dir()};
  const auto source = make_filesystem_source(options);
  for (const char *ref : {"001-alpha",
                          "1",
                          "001",
                          "alpha",
                          "alpha/",
                          "2",
                          "002-beta",
                          "beta",
                          "20251101/002-beta",
                          "38",
                          "038",
                          "038-a",
                          "a",
                          "b",
                          "40",
                          "archived/040-old",
                          "archived/040-old/",
                          "old",
                          "41",
                          "20251101/041-grouped",
                          "grouped",
                          "3",
                          "003-empty",
                          "empty",
                          "123",
                          "0000000000123-long",
                          "long",
                          "999",
                          "nope",
                          "",
                          "/",
                          "../x",
                          "/etc",
                          "a\\b",
                          "20251101",
                          "archived",
                          "specs/001-alpha",
                          "0",
                          "000"}) {
    CAPTURE(ref);
    CHECK(answer([&] { return load_spec(options, ref); }) ==
          answer([&] { return source->get(ref); }));
  }
  CHECK_THROWS_AS(load_spec({.specs_dir = tree.root() / "missing"}, "1"), Error);
}
