// Implements src/db/parse_stored.hpp.
#include "db/parse_stored.hpp"

#include "model/spec_parser.hpp"

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

Spec parse_stored(const StoredSpec &stored) {
  std::optional<std::string_view> readme;
  std::vector<std::pair<std::string, std::string>> sub_files;
  for (const auto &file : stored.files) {
    if (file.name == "README.md")
      readme = file.content;
    else
      sub_files.emplace_back(file.name, file.content);
  }
  return parse_spec_files(stored.path, readme, std::move(sub_files), {}, nullptr);
}

} // namespace leanspec::detail
