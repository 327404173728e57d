#pragma once
// TempSpecTree: a specs directory in a fresh temporary folder, removed on destruction.
// Tests build every fixture they use with it; nothing is checked in.

#include "support/temp_dir.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace leanspec::test {

class TempSpecTree {
public:
  TempSpecTree();
  TempSpecTree(const TempSpecTree &) = delete;
  TempSpecTree &operator=(const TempSpecTree &) = delete;

  /// The project folder (parent of specs/).
  const std::filesystem::path &root() const noexcept { return root_.path(); }
  /// root()/specs
  std::filesystem::path specs_dir() const { return root() / "specs"; }

  /// Writes `content` to specs/<relative>, creating folders; returns the full path.
  std::filesystem::path write(std::string_view relative, std::string_view content) const;
  /// Writes specs/<id>/README.md with a frontmatter block made of `frontmatter` lines and `body`.
  std::filesystem::path spec(std::string_view id, std::string_view frontmatter,
                             std::string_view body = "") const;
  /// Writes a file relative to root() (e.g. ".lean-spec/config.json").
  std::filesystem::path write_root(std::string_view relative, std::string_view content) const;
  void remove(std::string_view relative) const;

private:
  TempDir root_;
};

} // namespace leanspec::test
