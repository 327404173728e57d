// Implements src/core/project_set.hpp.
#include "core/project_set.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <leanspec/query.hpp>

namespace leanspec::detail {
namespace {

std::string_view trimmed(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

[[noreturn]] void refuse(std::string_view project_id, const std::string &why) {
  throw Error(ErrorCode::invalid_argument,
              "project id '" + std::string(project_id.substr(0, 200)) + "' " + why);
}

} // namespace

bool is_project_set(std::string_view project_id) noexcept {
  return trimmed(project_id) == all_projects || project_id.find(',') != std::string_view::npos;
}

std::optional<ProjectSet> parse_project_set(std::string_view project_id) {
  if (trimmed(project_id) == all_projects)
    return ProjectSet{true, {}};
  if (project_id.find(',') == std::string_view::npos) {
    if (project_id.find('*') != std::string_view::npos)
      refuse(project_id, "holds '*', which only \"*\" alone may (every project)");
    return std::nullopt;
  }
  ProjectSet set;
  std::size_t begin = 0;
  while (begin <= project_id.size()) {
    std::size_t end = project_id.find(',', begin);
    if (end == std::string_view::npos)
      end = project_id.size();
    const std::string_view item = trimmed(project_id.substr(begin, end - begin));
    if (item.empty())
      refuse(project_id, "has an empty item in its comma-separated list");
    if (item.find('*') != std::string_view::npos)
      refuse(project_id, "holds '*' in a list: \"*\" alone means every project");
    if (std::find(set.ids.begin(), set.ids.end(), item) == set.ids.end())
      set.ids.emplace_back(item);
    begin = end + 1;
  }
  return set;
}

void check_project_id(std::string_view id) {
  if (id.find_first_of(",*") != std::string_view::npos)
    refuse(id, "holds ',' or '*', which name project sets (a list, or every project)");
}

} // namespace leanspec::detail
