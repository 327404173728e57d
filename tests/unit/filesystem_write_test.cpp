// Tests FilesystemSource::update and toggle_checklist_item (src/fs/filesystem_source.cpp,
// src/fs/atomic_write.cpp): guarded by the content hash, atomic, seen by the next read and by
// subscribers, and of two writers based on one version exactly one wins.
#include "support/error_code_of.hpp"
#include "support/event_recorder.hpp"
#include "support/read_file.hpp"
#include "support/temp_spec_tree.hpp"

#include <atomic>
#include <doctest/doctest.h>
#include <filesystem>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/spec_update.hpp>
#include <leanspec/specs_service.hpp>
#include <sys/stat.h>
#include <thread>

using namespace leanspec;
using leanspec::test::error_code_of;
using leanspec::test::EventRecorder;
using leanspec::test::read_file;
using leanspec::test::TempSpecTree;

namespace {

FilesystemOptions options_for(const TempSpecTree &tree) {
  FilesystemOptions options;
  options.specs_dir = tree.specs_dir();
  return options;
}

} // namespace

TEST_CASE("an update lands in the file, in the next read and in a change event") {
  TempSpecTree tree;
  const auto file =
      tree.spec("001-cache", "status: planned\ntags: [core]  # keep", "# Cache\n\n- [ ] a\n");
  ::chmod(file.c_str(), 0640);
  FilesystemSource source(options_for(tree));
  EventRecorder events(source);
  const SpecPtr before = source.get("1");
  REQUIRE(before);

  SpecUpdate update;
  update.status = Status::in_progress;
  update.tags_add = {"api"};
  const SpecPtr after = source.update("001-cache", update, before->content_hash);
  CHECK(after->status == Status::in_progress);
  CHECK(after->tags == std::vector<std::string>{"core", "api"});
  CHECK(source.get("1")->status == Status::in_progress); // read-your-writes, at once
  CHECK(after->content_hash == git_blob_sha1(read_file(file)));
  CHECK(read_file(file).find("tags: [core, api]  # keep\n") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640); // the file keeps its mode
  CHECK(events.next().changed == std::vector<std::string>{"001-cache"});
  for (const auto &entry : std::filesystem::directory_iterator(file.parent_path()))
    CHECK(entry.path().filename() == "README.md"); // no temporary file left

  const SpecPtr toggled = source.toggle_checklist_item("cache", 1, after->content_hash);
  CHECK(read_file(file).find("- [x] a") != std::string::npos);
  CHECK(toggled->content_hash == git_blob_sha1(read_file(file)));
}

TEST_CASE("a write based on an old version is a conflict and changes nothing") {
  TempSpecTree tree;
  const auto file = tree.spec("001-cache", "status: planned", "# Cache\n");
  FilesystemSource source(options_for(tree));
  const std::string old_hash = source.get("1")->content_hash;
  tree.spec("001-cache", "status: complete", "# Cache, edited by hand\n");
  const std::string edited = read_file(file);
  SpecUpdate update;
  update.priority = Priority::high;
  CHECK(error_code_of([&] { source.update("1", update, old_hash); }) == ErrorCode::conflict);
  CHECK(read_file(file) == edited);
  CHECK(error_code_of([&] { source.update("1", update, ""); }) == ErrorCode::invalid_argument);
  CHECK(error_code_of([&] { source.update("9", update, old_hash); }) == ErrorCode::not_found);
  CHECK(error_code_of([&] { source.toggle_checklist_item("1", 1, git_blob_sha1(edited)); }) ==
        ErrorCode::not_found); // no task-list item
  SpecUpdate same;             // a no-op writes nothing
  same.status = Status::complete;
  const auto mtime = std::filesystem::last_write_time(file);
  source.update("1", same, git_blob_sha1(edited));
  CHECK(std::filesystem::last_write_time(file) == mtime);
}

TEST_CASE("two writers based on one version: one wins, the other gets conflict") {
  TempSpecTree tree;
  const auto file = tree.spec("001-cache", "status: planned", "# Cache\n");
  // two sources, as two processes would have: the folder's flock excludes across both
  FilesystemSource a(options_for(tree));
  FilesystemSource b(options_for(tree));
  for (int round = 0; round < 50; ++round) {
    const std::string base = git_blob_sha1(read_file(file));
    std::atomic<int> won{0}, conflicts{0};
    auto writer = [&](FilesystemSource &source, const char *tag) {
      SpecUpdate update;
      update.tags_add = {std::string(tag) + std::to_string(round)};
      try {
        source.update("1", update, base);
        ++won;
      } catch (const Error &e) {
        CHECK(e.code() == ErrorCode::conflict);
        ++conflicts;
      }
    };
    std::thread first(writer, std::ref(a), "a");
    std::thread second(writer, std::ref(b), "b");
    first.join();
    second.join();
    CHECK(won == 1);
    CHECK(conflicts == 1);
  }
  const std::string final_text = read_file(file);
  CHECK(parse_spec("001-cache", final_text).tags.size() == 50); // every winner's tag, no torn file
}

TEST_CASE("a write through a SpecsService is seen by its next read, cache and all") {
  TempSpecTree tree;
  tree.spec("001-cache", "status: planned", "# Cache\n\n- [ ] a\n");
  ServiceConfig config;
  config.specs_dir = tree.specs_dir();
  config.cache_ttl = std::chrono::minutes(10);
  SpecsService service(config);
  const SpecPtr before = service.get("1");
  CHECK(service.list()->specs.front()->status == Status::planned); // now cached
  SpecUpdate update;
  update.status = Status::complete;
  const SpecPtr after = service.update("1", update, before->content_hash);
  CHECK(after->status == Status::complete);
  CHECK(service.get("1")->status == Status::complete);
  CHECK(service.list()->specs.front()->status == Status::complete);
  CHECK(service.toggle_checklist_item("1", 1, after->content_hash)->content_hash !=
        after->content_hash);
  CHECK(error_code_of([&] { service.update("1", update, before->content_hash); }) ==
        ErrorCode::conflict);
  CHECK(error_code_of([&] { service.update("1", update, "x", "acme/web"); }) ==
        ErrorCode::not_found);
}

TEST_CASE("create numbers after every folder, archived ones too, with the project's digits") {
  TempSpecTree tree;
  tree.spec("001-first", "status: complete", "# First\n");
  tree.spec("archived/007-old", "status: archived", "# Old\n");
  FilesystemOptions options = options_for(tree);
  options.sequence_digits = 4;
  FilesystemSource source(options);
  EventRecorder events(source);
  NewSpec spec;
  spec.title = "Fix the API: v2";
  spec.priority = Priority::high;
  spec.tags = {"api", "it's"};
  const SpecPtr created = source.create(spec);
  CHECK(created->id == "0008-fix-the-api-v2");
  CHECK(created->title == "Fix the API: v2");
  CHECK(created->priority == Priority::high);
  CHECK(created->tags == std::vector<std::string>{"api", "it's"});
  CHECK(created->created_at == created->updated_at);
  CHECK(source.get("8")->id == created->id); // read-your-writes
  CHECK(events.next().added == std::vector<std::string>{"0008-fix-the-api-v2"});
  const std::string text = read_file(tree.specs_dir() / "0008-fix-the-api-v2" / "README.md");
  CHECK(text.starts_with("---\nstatus: planned\ncreated: "));
  CHECK(text.find("tags: [api, it's]\n") != std::string::npos); // a plain scalar may hold a quote
  CHECK(text.ends_with("---\n\n# Fix the API: v2\n"));
  spec.slug = "Custom Slug";
  spec.body = "# Another\n";
  CHECK(source.create(spec)->id == "0009-custom-slug");
  spec.title = "  ";
  CHECK(error_code_of([&] { source.create(spec); }) == ErrorCode::invalid_argument);
  spec.title = "!!!";
  spec.slug = "";
  CHECK(error_code_of([&] { source.create(spec); }) == ErrorCode::invalid_argument);
  CHECK(source.list()->total == 4);
}

TEST_CASE("create fills the project's template: LeanSpec's own, from its .lean-spec") {
  // The real corpus's config and template (../shared/corpus/lean-spec/.lean-spec).
  const char *env = std::getenv("LEANSPEC_CORPUS");
  const std::filesystem::path corpus = env && *env ? env : LEANSPEC_DEFAULT_CORPUS;
  TempSpecTree tree;
  tree.spec("041-last", "status: complete", "# Last\n");
  std::filesystem::copy(corpus / ".lean-spec", tree.root() / ".lean-spec",
                        std::filesystem::copy_options::recursive);
  std::filesystem::permissions(tree.root() / ".lean-spec", std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add);
  FilesystemOptions options = discover_options(tree.root());
  REQUIRE(options.template_path == tree.root() / ".lean-spec" / "templates" / "spec-template.md");
  FilesystemSource source(options);
  NewSpec spec;
  spec.title = "Board drag and drop";
  spec.status = Status::in_progress;
  spec.tags = {"web"};
  const SpecPtr created = source.create(spec);
  CHECK(created->id == "042-board-drag-and-drop");
  CHECK(created->status == Status::in_progress);
  CHECK(created->priority == Priority::medium); // the template's
  CHECK(created->tags == std::vector<std::string>{"web"});
  CHECK(created->title == "Board drag and drop");
  const std::string text = read_file(tree.specs_dir() / created->id / "README.md");
  CHECK(text.find("{name}") == std::string::npos);
  CHECK(text.find("{date}") == std::string::npos);
  CHECK(text.find("> **Status**: in-progress") != std::string::npos);
  CHECK(text.find("## Overview") != std::string::npos);
  CHECK(checklist_items(text).size() == 5);

  // A template the config names that is not there: an error naming the file, no folder left.
  std::filesystem::remove(options.template_path);
  CHECK(error_code_of([&] { source.create(spec); }) == ErrorCode::io);
  CHECK(!std::filesystem::exists(tree.specs_dir() / "043-board-drag-and-drop"));
}

TEST_CASE("two writers creating at once take two numbers") {
  TempSpecTree tree;
  tree.spec("001-first", "status: planned", "# First\n");
  FilesystemSource a(options_for(tree));
  FilesystemSource b(options_for(tree));
  for (int round = 0; round < 20; ++round) {
    std::string first, second;
    NewSpec spec;
    spec.title = "Round " + std::to_string(round);
    std::thread one([&] { first = a.create(spec)->id; });
    std::thread two([&] { second = b.create(spec)->id; });
    one.join();
    two.join();
    CHECK(first.substr(0, 3) != second.substr(0, 3));
  }
  a.reload();
  CHECK(a.list()->total == 41);
}
