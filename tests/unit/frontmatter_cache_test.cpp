// Tests FrontmatterCache (src/model) and FilesystemOptions::cache_dir: same results with and
// without the cache, changes seen, damaged files ignored.
#include "model/frontmatter_cache.hpp"
#include "support/temp_spec_tree.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/json.hpp>

using namespace leanspec;
using leanspec::test::TempSpecTree;

namespace {

std::string everything(const SpecSource &source) {
  std::string out;
  const auto all = source.list();
  for (const auto &spec : all->specs)
    out += to_json(*spec) + '\n';
  return out + to_json(*source.validate());
}

std::filesystem::path only_file(const std::filesystem::path &dir) {
  std::vector<std::filesystem::path> files;
  for (const auto &e : std::filesystem::directory_iterator(dir))
    files.push_back(e.path());
  REQUIRE(files.size() == 1);
  return files[0];
}

} // namespace

TEST_CASE("a cached load gives exactly the results of an uncached one") {
  TempSpecTree tree;
  tree.spec("001-a",
            "status: complete\ncompleted: 2025-01-01\ntags: [x, 'y']\ndepends_on: 2\ncustom:\n  k: "
            "[1, {a: b}]",
            "# A\n");
  tree.spec("002-b", "status: planned\ntags: 5\nstatus: draft", "# B\n");
  tree.spec("003-c", "status: [unclosed", "# C\n");
  tree.spec("004-d", "- a\n- b", "# D\n");
  const auto cache_dir = tree.root() / "cache";
  const std::string plain = everything(*make_filesystem_source({.specs_dir = tree.specs_dir()}));
  const std::string first =
      everything(*make_filesystem_source({.specs_dir = tree.specs_dir(), .cache_dir = cache_dir}));
  const auto file = only_file(cache_dir);
  const auto written = std::filesystem::last_write_time(file);
  const std::string second =
      everything(*make_filesystem_source({.specs_dir = tree.specs_dir(), .cache_dir = cache_dir}));
  CHECK(first == plain);
  CHECK(second == plain);
  CHECK(std::filesystem::last_write_time(file) == written); // nothing new: not rewritten

  SUBCASE("a changed frontmatter is parsed again and stale entries are dropped") {
    tree.spec("002-b", "status: in-progress", "# B\n");
    auto source = make_filesystem_source({.specs_dir = tree.specs_dir(), .cache_dir = cache_dir});
    CHECK(source->get("2")->status == Status::in_progress);
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::unordered_map<std::string, std::shared_ptr<const detail::YamlDocument>> entries;
    REQUIRE(detail::FrontmatterCache::deserialize(bytes, entries));
    CHECK(entries.size() == 4);
  }
  SUBCASE("a damaged cache file is ignored and replaced") {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "LSFMC\x02\ngarbage";
    CHECK(everything(*make_filesystem_source(
              {.specs_dir = tree.specs_dir(), .cache_dir = cache_dir})) == plain);
    CHECK(std::filesystem::file_size(file) > 100);
  }
  SUBCASE("an unwritable cache directory changes no result") {
    tree.write_root("blocked", "a file where a directory should be");
    CHECK(everything(*make_filesystem_source(
              {.specs_dir = tree.specs_dir(), .cache_dir = tree.root() / "blocked" / "x"})) ==
          plain);
  }
}

TEST_CASE("every truncation of a cache file is refused, never misread") {
  detail::FrontmatterCache cache;
  std::unordered_map<std::string, std::shared_ptr<const detail::YamlDocument>> entries;
  entries["k1"] = cache.parse("status: planned\ntags: [a, b]\nx: {y: [1, 2]}\n");
  entries["k2"] = cache.parse("broken: [\n");
  const std::string bytes = detail::FrontmatterCache::serialize(entries);
  std::unordered_map<std::string, std::shared_ptr<const detail::YamlDocument>> back;
  REQUIRE(detail::FrontmatterCache::deserialize(bytes, back));
  CHECK(back.size() == 2);
  CHECK(back.at("k1")->root.find("x")->find("y")->items[1].text == "2");
  CHECK(back.at("k2")->problems.at(0).code == "yaml-syntax");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::unordered_map<std::string, std::shared_ptr<const detail::YamlDocument>> partial;
    CHECK_FALSE(
        detail::FrontmatterCache::deserialize(std::string_view(bytes).substr(0, n), partial));
    CHECK(partial.empty());
  }
}

TEST_CASE("with a file, entries live in memory only during a load") {
  TempSpecTree tree;
  const auto file = tree.root() / "cache.bin";
  detail::FrontmatterCache cache(file);
  CHECK(cache.size() == 0); // nothing read at construction
  const auto a = cache.parse("status: planned\n");
  (void)cache.parse("status: draft\n");
  CHECK(cache.size() == 2);
  cache.commit();
  CHECK(cache.size() == 0); // written and dropped
  REQUIRE(std::filesystem::exists(file));
  const auto again = cache.parse("status: planned\n"); // read back from the file
  CHECK(cache.size() == 2);
  CHECK(again->root.find("status")->text == "planned");
  CHECK(again != a);
  cache.commit();                       // "status: draft" was not asked for: the file forgets it
  detail::FrontmatterCache fresh(file); // the kept entry was copied over still encoded
  CHECK(fresh.parse("status: planned\n")->root.find("status")->text == "planned");
  CHECK(fresh.size() == 1);
}
