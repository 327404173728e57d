// Implements src/tree/spec_folders.hpp.
#include "tree/spec_folders.hpp"

#include "tree/spec_names.hpp"
#include "tree/specs_tree.hpp"

#include <algorithm>
#include <leanspec/error.hpp>

namespace leanspec::detail {

namespace fs = std::filesystem;

std::vector<FolderFiles> read_spec_folders(const FilesystemOptions &options) {
  const SpecsTree tree(options, canonical_specs_dir(options));
  std::vector<std::string> folders, others;
  std::vector<Diagnostic> ignored;
  tree.collect("", folders, others, ignored);
  std::vector<FolderFiles> out;
  out.reserve(folders.size());
  for (auto &folder : folders) {
    FolderFiles entry{std::move(folder), tree.read_folder(entry.folder, ignored)};
    std::stable_partition(entry.files.begin(), entry.files.end(),
                          [](const auto &file) { return file.first == "README.md"; });
    out.push_back(std::move(entry));
  }
  return out;
}

std::string spec_folder_of(std::string_view path) {
  std::size_t begin = 0;
  while (begin < path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    if (is_spec_folder_name(path.substr(begin, end - begin)))
      return std::string(path.substr(0, end));
    begin = end + 1;
  }
  return {};
}

} // namespace leanspec::detail
