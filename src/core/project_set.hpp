#pragma once
// Internal: project sets (docs/GLOSSARY.md, "project set"): the `project_id` of a list, search
// or stats call names one project, several as a comma-separated list ("acme/web,acme/api"),
// or every one ("*", leanspec::all_projects). Parsed here for every source and front-end;
// project ids themselves never hold ',' or '*' (check_project_id). Implemented in
// src/core/project_set.cpp. Thread-safe (pure functions).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

/// A project_id read as a project set.
struct ProjectSet {
  bool all = false;             ///< "*": every project the source serves
  std::vector<std::string> ids; ///< else these, in the order given, without repeats
  bool operator==(const ProjectSet &) const = default;
};

/// `project_id` as a project set, or empty when it names one project (or none: ""). Items are
/// trimmed of spaces; a repeated id counts once.
/// @throws leanspec::Error invalid_argument for an empty item ("a,,b", "a,", ","), or a '*'
///         that is not the whole text ("a,*", "acme/*"), naming the argument
std::optional<ProjectSet> parse_project_set(std::string_view project_id);

/// Whether `project_id` is a project set ("*" or holds a ','); cheap, never throws.
bool is_project_set(std::string_view project_id) noexcept;

/// Refuses a project id that could not be told from a project set.
/// @throws leanspec::Error invalid_argument when `id` holds ',' or '*'
void check_project_id(std::string_view id);

} // namespace leanspec::detail
