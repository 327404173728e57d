// Tests FilesystemOptions::summaries_only and SummaryCache (src/fs): a summaries-only load is a
// full load without the texts, with or without the cache; an unchanged folder is served from
// the cache and any change to a folder or file is seen; damaged or foreign files are ignored.
#include "fs/loader.hpp"
#include "fs/summary_cache.hpp"
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <chrono>
#include <doctest/doctest.h>
#include <fstream>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/json.hpp>
#include <sys/stat.h>

using namespace leanspec;
using detail::SummaryCache;
using leanspec::test::TempSpecTree;

namespace {

// Every spec in full JSON (body and sub-spec texts dropped), then the validation.
std::string summaries_of(const SpecSource &source) {
  std::string out;
  ListQuery all;
  all.filter.archived = std::nullopt;
  const auto list = source.list(all);
  for (const auto &spec : list->specs) {
    Spec copy = *spec;
    copy.body.clear();
    for (auto &sub : copy.sub_specs)
      sub.content.clear();
    out += to_json(copy, JsonDetail::full) + '\n';
  }
  return out + to_json(*source.validate());
}

std::string summaries_of(const detail::LoadResult &loaded) {
  std::string out;
  for (const auto &spec : loaded.specs)
    out += to_json(*spec, JsonDetail::full) + '\n';
  return out;
}

void build(const TempSpecTree &tree) {
  tree.spec("001-plain", "status: planned\ntags: [a, b]\npriority: high", "# Plain\n\nText.\n");
  tree.spec("002-defects", "status: complete\ntags: 5\nowner: {name: x}",
            "# Defects\n\n> **Status**: 📅 Planned\n");
  tree.write("002-defects/DESIGN.md", "# Design\n\nbad \xff byte\n");
  tree.write("002-defects/BLOB.md", std::string("a\0b", 3));
  tree.spec("003-broken", "status: [unclosed", "# Broken\n");
  tree.write("004-no-readme/NOTES.md", "# Notes\n");
  tree.write("005-crlf/README.md", "\xEF\xBB\xBF---\r\nstatus: in-progress\r\n---\r\n# Crlf\r\n");
  tree.spec("archived/006-old", "status: complete\ncompleted: 2024-01-01", "# Old\n");
}

std::int64_t ctime_ns(const std::filesystem::path &path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return detail::FileKey::of(st).ctime_ns;
}

// A time after every change made to the tree so far, as the file-time clock tells it: writes a
// probe file until its change time moves past the newest one in the tree (a few ms at most).
SummaryCache::Clock::time_point after_changes(const TempSpecTree &tree) {
  std::int64_t newest = ctime_ns(tree.specs_dir());
  for (const auto &e : std::filesystem::recursive_directory_iterator(tree.specs_dir()))
    newest = std::max(newest, ctime_ns(e.path()));
  const auto probe = tree.root() / "probe";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::int64_t now = 0;
  for (int i = 0; now <= newest; ++i) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::ofstream(probe) << i; // closed here: the write is done before the stat
    now = ctime_ns(probe);
  }
  return SummaryCache::Clock::time_point(
      std::chrono::duration_cast<SummaryCache::Clock::duration>(std::chrono::nanoseconds(now)));
}

FilesystemOptions summary_options(const TempSpecTree &tree) {
  FilesystemOptions options;
  options.specs_dir = tree.specs_dir();
  options.summaries_only = true;
  return options;
}

} // namespace

TEST_CASE("a summaries-only load is a full load without the texts") {
  TempSpecTree tree;
  build(tree);
  const std::string full = summaries_of(*make_filesystem_source({.specs_dir = tree.specs_dir()}));
  auto options = summary_options(tree);
  const auto source = make_filesystem_source(options);
  CHECK(summaries_of(*source) == full);
  CHECK(source->get("001")->body.empty());
  CHECK(source->get("002")->sub_specs.size() == 2);
  CHECK(source->get("002")->sub_specs[1].content.empty());
  CHECK(source->get("002")->sub_specs[1].content_hash.size() == 40);

  SUBCASE("with a cache directory, on the first load and the next") {
    options.cache_dir = tree.root() / "cache";
    CHECK(summaries_of(*make_filesystem_source(options)) == full);
    CHECK(summaries_of(*make_filesystem_source(options)) == full);
  }
}

TEST_CASE("the summary cache serves unchanged folders and sees every change") {
  TempSpecTree tree;
  build(tree);
  std::filesystem::create_directory_symlink(tree.specs_dir() / "001-plain",
                                            tree.specs_dir() / "007-alias");
  const auto file = tree.root() / "cache" / "summaries.bin";
  const auto options = summary_options(tree);
  auto trusted = after_changes(tree);
  const auto load = [&](SummaryCache &cache) {
    cache.open();
    auto loaded = detail::load_specs(options, nullptr, {}, &cache);
    cache.commit();
    return loaded;
  };
  const auto fresh = [&] { return summaries_of(detail::load_specs(options)); };

  SummaryCache first(file, options.max_file_size, trusted);
  CHECK(summaries_of(load(first)) == fresh());
  CHECK(first.hits() == 0);
  SummaryCache second(file, options.max_file_size, trusted);
  CHECK(summaries_of(load(second)) == fresh());
  CHECK(second.hits() == 7); // 007-alias too: stat() follows the link to 001-plain

  SUBCASE("an edit that keeps the size and the modification time is seen") {
    const auto readme = tree.specs_dir() / "001-plain" / "README.md";
    const auto mtime = std::filesystem::last_write_time(readme);
    tree.spec("001-plain", "status: planned\ntags: [a, c]\npriority: high", "# Plain\n\nText.\n");
    std::filesystem::last_write_time(readme, mtime);
    SummaryCache third(file, options.max_file_size, after_changes(tree));
    const auto loaded = load(third);
    CHECK(summaries_of(loaded) == fresh());
    CHECK(third.hits() == 5); // not 001-plain, nor its alias
    CHECK(loaded.specs[0]->tags == std::vector<std::string>{"a", "c"});
  }
  SUBCASE("a new, a removed and a changed sub-spec are seen") {
    tree.write("001-plain/EXTRA.md", "# Extra\n");
    tree.remove("002-defects/BLOB.md");
    tree.write("004-no-readme/NOTES.md", "# Notes, longer\n");
    SummaryCache third(file, options.max_file_size, after_changes(tree));
    CHECK(summaries_of(load(third)) == fresh());
    CHECK(third.hits() == 3);
  }
  SUBCASE("a removed folder is dropped from the file") {
    tree.remove("003-broken");
    SummaryCache third(file, options.max_file_size, after_changes(tree));
    CHECK(summaries_of(load(third)) == fresh());
    SummaryCache fourth(file, options.max_file_size, trusted);
    fourth.open();
    CHECK(fourth.size() == 6);
  }
  SUBCASE("files changed after the trusted time are read but not kept") {
    tree.spec("001-plain", "status: draft", "# Plain\n");
    SummaryCache third(file, options.max_file_size, trusted);
    CHECK(summaries_of(load(third)) == fresh());
    SummaryCache fourth(file, options.max_file_size, trusted);
    CHECK(summaries_of(load(fourth)) == fresh());
    CHECK(fourth.hits() == 5);
  }
  SUBCASE("a damaged file, or one written for another size limit, is ignored") {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
    SummaryCache damaged(file, options.max_file_size, trusted);
    CHECK(summaries_of(load(damaged)) == fresh());
    CHECK(damaged.hits() == 0);
    SummaryCache other(file, options.max_file_size / 2, trusted);
    CHECK(summaries_of(load(other)) == fresh());
    CHECK(other.hits() == 0);
  }
}

TEST_CASE("a summary's encoding round-trips and every truncation is refused") {
  TempSpecTree tree;
  build(tree);
  for (const auto &spec : detail::load_specs(summary_options(tree)).specs) {
    const std::string bytes = SummaryCache::encode(*spec);
    Spec decoded;
    REQUIRE(SummaryCache::decode(bytes, decoded));
    CHECK(to_json(decoded, JsonDetail::full) == to_json(*spec, JsonDetail::full));
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      Spec partial;
      CHECK_FALSE(SummaryCache::decode(std::string_view(bytes).substr(0, n), partial));
    }
  }
}

TEST_SUITE("concurrency") {
  TEST_CASE("loader threads find and store summaries at once") {
    TempSpecTree tree;
    for (int i = 1; i <= 64; ++i)
      tree.spec(std::to_string(100 + i) + "-s",
                "status: planned\ntags: [t" + std::to_string(i) + "]",
                "# S" + std::to_string(i) + "\n");
    auto options = summary_options(tree);
    options.threads = 4;
    const auto file = tree.root() / "cache" / "summaries.bin";
    const auto trusted = after_changes(tree);
    const std::string fresh = summaries_of(detail::load_specs(options));
    for (std::size_t expected_hits : {0, 64}) {
      SummaryCache cache(file, options.max_file_size, trusted);
      cache.open();
      CHECK(summaries_of(detail::load_specs(options, nullptr, {}, &cache)) == fresh);
      CHECK(cache.hits() == expected_hits);
      cache.commit();
    }
  }
}
