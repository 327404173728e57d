#include "support/temp_spec_tree.hpp"

#include <fstream>
#include <stdexcept>

namespace leanspec::test {

TempSpecTree::TempSpecTree() { std::filesystem::create_directories(specs_dir()); }

std::filesystem::path TempSpecTree::write_root(std::string_view relative,
                                               std::string_view content) const {
  auto path = root() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path.string());
  return path;
}

std::filesystem::path TempSpecTree::write(std::string_view relative,
                                          std::string_view content) const {
  return write_root("specs/" + std::string(relative), content);
}

std::filesystem::path TempSpecTree::spec(std::string_view id, std::string_view frontmatter,
                                         std::string_view body) const {
  std::string text = "---\n" + std::string(frontmatter);
  if (!frontmatter.empty() && frontmatter.back() != '\n')
    text += '\n';
  text += "---\n\n";
  text += body;
  return write(std::string(id) + "/README.md", text);
}

void TempSpecTree::remove(std::string_view relative) const {
  std::filesystem::remove_all(specs_dir() / relative);
}

} // namespace leanspec::test
