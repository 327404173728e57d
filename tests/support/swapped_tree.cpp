// SwappedTree (support/swapped_tree.hpp).
#include "support/swapped_tree.hpp"

#include <fcntl.h>
#include <filesystem>
#include <stdio.h>
#include <string>

namespace leanspec::test {

namespace {

// Exchanges two paths atomically (renameat2 RENAME_EXCHANGE): a file and a symlink, a folder
// and a symlink.
bool exchange(const std::filesystem::path &a, const std::filesystem::path &b) {
  return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
}

} // namespace

SwappedTree::SwappedTree() {
  namespace fs = std::filesystem;
  const std::string secret = "---\nstatus: planned\n---\n# SECRET\n\nSECRET body\n";
  tree.write_root("outside/README.md", secret);
  tree.write_root("outside/NOTES.md", secret);
  for (const char *id : {"001-file", "002-rel", "003-folder"})
    tree.spec(id, "status: planned", "# Inside\n");
  const auto specs = tree.specs_dir();
  fs::create_symlink(tree.root() / "outside" / "README.md", specs / "001-file" / ".swap");
  fs::create_symlink("../../outside/README.md", specs / "002-rel" / ".swap");
  fs::create_directory_symlink(tree.root() / "outside", specs / ".swap-folder");
  swapper = std::jthread([this, specs] {
    while (!stop.load()) {
      bool ok = exchange(specs / "001-file" / "README.md", specs / "001-file" / ".swap");
      ok = exchange(specs / "002-rel" / "README.md", specs / "002-rel" / ".swap") && ok;
      ok = exchange(specs / "003-folder", specs / ".swap-folder") && ok;
      if (!ok)
        return; // counted swaps stop growing: the test's loop ends and fails
      swaps.fetch_add(1);
    }
  });
}

SwappedTree::~SwappedTree() { stop = true; } // swapper, declared after tree, joins first

bool SwappedTree::leaked(const SpecList &list) {
  for (const auto &spec : list.specs) {
    if (spec->title.find("SECRET") != std::string::npos ||
        spec->body.find("SECRET") != std::string::npos)
      return true;
    for (const auto &sub : spec->sub_specs)
      if (sub.content.find("SECRET") != std::string::npos)
        return true;
  }
  return false;
}

} // namespace leanspec::test
