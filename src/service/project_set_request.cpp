// Implements src/service/project_set_request.hpp: "*" and "a,b" as a project set.
#include "service/project_set_request.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <leanspec/query.hpp>

namespace leanspec::detail {
namespace {

std::string_view trimmed(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

Error bad(std::string_view project_id, std::string_view why) {
  return Error(ErrorCode::invalid_argument, "project id '" +
                                                std::string(project_id.substr(0, 200)) +
                                                "' is not a project set: " + std::string(why) +
                                                " (give one project, 'a,b' or '*')");
}

} // namespace

std::optional<ProjectSetRequest> parse_project_set_request(std::string_view project_id) {
  const bool star = project_id.find('*') != std::string_view::npos;
  if (project_id.find(',') == std::string_view::npos && !star)
    return std::nullopt;
  ProjectSetRequest set;
  if (trimmed(project_id) == all_projects) {
    set.all = true;
    return set;
  }
  if (star)
    throw bad(project_id, "'*' (every project) stands alone");
  std::size_t start = 0;
  while (start <= project_id.size()) {
    const std::size_t comma = std::min(project_id.find(',', start), project_id.size());
    const std::string_view member = trimmed(project_id.substr(start, comma - start));
    if (member.empty())
      throw bad(project_id, "a member is empty");
    if (std::find(set.ids.begin(), set.ids.end(), member) == set.ids.end())
      set.ids.emplace_back(member);
    start = comma + 1;
  }
  return set;
}

} // namespace leanspec::detail
