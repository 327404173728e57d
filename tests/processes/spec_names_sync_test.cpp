// Tests the one rule of which names make a specs tree (src/tree/spec_names.hpp) on one tree read
// both ways -- from a temp folder by the FilesystemSource, and from a repository by the GitHub
// sync (the fake GitHub) into SQLite -- listing the same specs. spec_place() alone:
// unit/spec_names_test.cpp.
#include "support/fake_github.hpp"
#include "support/temp_spec_tree.hpp"

#include <doctest/doctest.h>
#include <leanspec/database_source.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/github_sync.hpp>

using namespace leanspec;
using leanspec::test::FakeGithub;
using leanspec::test::FakeTreeEntry;
using leanspec::test::RepoFiles;
using leanspec::test::TempSpecTree;

namespace {

std::vector<std::string> ids(const SpecSource &source) {
  std::vector<std::string> out;
  const auto list = source.list({.limit = 1000});
  for (const auto &spec : list->specs)
    out.push_back(spec->path);
  return out;
}

std::string readme(std::string_view title) {
  return "---\nstatus: planned\n---\n\n# " + std::string(title) + "\n";
}

} // namespace

TEST_SUITE("github") {
  TEST_CASE("one tree, synced from GitHub and read from a folder, lists the same specs") {
    // Names of every kind: good ones at the top and in groups, and names no specs tree holds.
    const RepoFiles specs = {
        {"001-a/README.md", readme("A")},
        {"001-a/DESIGN.md", "# Design\n"},
        {"001-a/BAD\x1b.md", "# Escape in a file name\n"},
        {"20251031/002-b/README.md", readme("B")},
        {"archived/003-c/README.md", readme("C")},
        {"004-new\nline/README.md", readme("Newline")},
        {"005-esc\x1b/README.md", readme("Escape")},
        {"006-back\\slash/README.md", readme("Backslash")},
        {"notes/deeper/007-deep/README.md", readme("Too deep")},
        {"grp/008-d/README.md", readme("D")},
        {"grp/009-tab\tgrouped/README.md", readme("Tab")},
        {".hidden/010-h/README.md", readme("Hidden")},
        {"011-empty/notes.txt", "no spec file\n"},
    };
    RepoFiles repository{{"README.md", "# The repository\n"}};
    TempSpecTree folder;
    for (const auto &[path, content] : specs) {
      repository.emplace("specs/" + path, content);
      folder.write(path, content);
    }
    FakeGithub server(repository);
    // What git itself cannot hold, a hostile listing can: passed over too.
    server.set_tree_entries({{.path = "specs/../012-dots/README.md"},
                             {.path = "specs/.git/013-git/README.md"},
                             {.path = "specs/.git", .mode = "040000", .type = "tree"}});
    TempSpecTree store_dir;
    auto db = make_database_source(
        {.database_url = "sqlite:" + (store_dir.root() / "store.db").string()});
    db->add_project({.id = "acme/web", .branch = "main"});
    auto sync = make_github_sync(db, {.api_url = server.api_url(), .token = server.token()});
    const SyncRun run = sync->sync_now("acme/web");
    REQUIRE_MESSAGE(run.outcome == SyncOutcome::ok, run.error);
    for (const char *named :
         {"'specs/004-new\\x0aline'", "'specs/005-esc\\x1b'", "'specs/006-back\\slash'",
          "'specs/grp/009-tab\\x09grouped'", "'specs/001-a/BAD\\x1b.md'", "'specs/..'"})
      CHECK_MESSAGE(run.error.find(named) != std::string::npos,
                    (std::string(named) + " in " + run.error));

    auto fs = make_filesystem_source({.specs_dir = folder.specs_dir()});
    const std::vector<std::string> expected{"001-a", "011-empty", "20251031/002-b",
                                            "archived/003-c", "grp/008-d"};
    std::vector<std::string> from_fs = ids(*fs), from_db = ids(*db);
    std::sort(from_fs.begin(), from_fs.end());
    std::sort(from_db.begin(), from_db.end());
    CHECK(from_fs == expected);
    CHECK(from_db == expected);
    for (const SpecSource *source :
         {static_cast<const SpecSource *>(fs.get()), static_cast<const SpecSource *>(db.get())}) {
      const auto a = source->get("001-a", source->projects().front().id);
      REQUIRE(a);
      CHECK(a->sub_specs.size() == 1); // DESIGN.md, not BAD\x1b.md
    }
  }
}
