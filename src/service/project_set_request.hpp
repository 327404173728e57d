#pragma once
// Internal to src/service/: reading a project set from the `project_id` of a list, search or
// stats call (include/leanspec/query.hpp, all_projects): "*" or a comma-separated list.
// Implemented in project_set_request.cpp.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

/// A project set: every project, or the listed ones (in the order given, without repeats).
struct ProjectSetRequest {
  bool all = false;
  std::vector<std::string> ids; ///< when not `all` (one, for "a,a")
};

/// The project set `project_id` names; empty when it names one project (or none: "").
/// Members are trimmed of spaces. @throws Error invalid_argument for an empty member ("a,,b"),
/// "*" beside other members, or a member holding '*'
std::optional<ProjectSetRequest> parse_project_set_request(std::string_view project_id);

} // namespace leanspec::detail
