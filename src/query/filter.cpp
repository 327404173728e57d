// Implements src/query/filter.hpp: a Filter's test of one spec.
#include "query/filter.hpp"

#include "core/tags_match.hpp"

#include <algorithm>

namespace leanspec::detail {

bool matches(const Spec &spec, const Filter &filter) noexcept {
  if (!filter.statuses.empty() && std::find(filter.statuses.begin(), filter.statuses.end(),
                                            spec.status) == filter.statuses.end())
    return false;
  if (!filter.priorities.empty() &&
      (!spec.priority || std::find(filter.priorities.begin(), filter.priorities.end(),
                                   *spec.priority) == filter.priorities.end()))
    return false;
  if (!filter.tags.empty()) {
    const auto has = [&](const std::string &tag) {
      return std::find(spec.tags.begin(), spec.tags.end(), tag) != spec.tags.end();
    };
    if (tags_match_of(filter) == TagsMatch::all
            ? !std::all_of(filter.tags.begin(), filter.tags.end(), has)
            : !std::any_of(filter.tags.begin(), filter.tags.end(), has))
      return false;
  }
  if (filter.assignee && spec.assignee != *filter.assignee)
    return false;
  if (filter.archived && spec.archived != *filter.archived)
    return false;
  return true;
}

} // namespace leanspec::detail
