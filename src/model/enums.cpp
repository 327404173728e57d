// Implements the Status / Priority / Severity text conversions of include/leanspec/spec.hpp.
#include <algorithm>
#include <array>
#include <cctype>
#include <leanspec/spec.hpp>
#include <string>

namespace leanspec {
namespace {

// Lower-cases and maps ' ' and '_' to '-', trimming surrounding blanks: "In Progress" ->
// "in-progress".
std::string normalize(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '_')
      c = '-';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

} // namespace

std::string_view to_string(Status status) noexcept {
  switch (status) {
  case Status::draft:
    return "draft";
  case Status::planned:
    return "planned";
  case Status::in_progress:
    return "in-progress";
  case Status::complete:
    return "complete";
  case Status::archived:
    return "archived";
  }
  return "planned";
}

std::string_view to_string(Priority priority) noexcept {
  switch (priority) {
  case Priority::low:
    return "low";
  case Priority::medium:
    return "medium";
  case Priority::high:
    return "high";
  case Priority::critical:
    return "critical";
  }
  return "medium";
}

std::string_view to_string(Diagnostic::Severity severity) noexcept {
  return severity == Diagnostic::Severity::error ? "error" : "warning";
}

std::optional<Status> parse_status(std::string_view text) noexcept {
  static constexpr std::array<std::pair<std::string_view, Status>, 16> names{{
      {"draft", Status::draft},
      {"planned", Status::planned},
      {"todo", Status::planned},
      {"planning", Status::planned},
      {"in-progress", Status::in_progress},
      {"inprogress", Status::in_progress},
      {"wip", Status::in_progress},
      {"active", Status::in_progress},
      {"doing", Status::in_progress},
      {"complete", Status::complete},
      {"completed", Status::complete},
      {"done", Status::complete},
      {"implemented", Status::complete},
      {"archived", Status::archived},
      {"archive", Status::archived},
      {"in-review", Status::in_progress},
  }};
  try {
    const std::string key = normalize(text);
    for (const auto &[name, status] : names)
      if (key == name)
        return status;
  } catch (...) {
  }
  return std::nullopt;
}

std::optional<Priority> parse_priority(std::string_view text) noexcept {
  try {
    const std::string key = normalize(text);
    if (key == "low")
      return Priority::low;
    if (key == "medium" || key == "normal")
      return Priority::medium;
    if (key == "high")
      return Priority::high;
    if (key == "critical" || key == "urgent")
      return Priority::critical;
  } catch (...) {
  }
  return std::nullopt;
}

} // namespace leanspec
