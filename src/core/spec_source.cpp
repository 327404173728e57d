// Implements the non-virtual parts of include/leanspec/spec_source.hpp, parse_sort_key() and the
// text forms of TagsMatch (include/leanspec/query.hpp), and src/core/tags_match.hpp.
#include "core/tags_match.hpp"

#include <leanspec/spec_source.hpp>

namespace leanspec {

Subscription SpecSource::subscribe(ChangeCallback) const { return {}; }

std::map<Status, std::vector<SpecPtr>> SpecSource::by_status(std::string_view project_id) const {
  ListQuery query;
  query.project_id = std::string(project_id);
  std::map<Status, std::vector<SpecPtr>> groups;
  for (Status s :
       {Status::draft, Status::planned, Status::in_progress, Status::complete, Status::archived})
    groups[s];
  const auto all = list(query);
  for (const auto &spec : all->specs)
    groups[spec->status].push_back(spec);
  return groups;
}

std::optional<Sort::Key> parse_sort_key(std::string_view text) noexcept {
  if (text == "number")
    return Sort::Key::number;
  if (text == "id")
    return Sort::Key::id;
  if (text == "title")
    return Sort::Key::title;
  if (text == "status")
    return Sort::Key::status;
  if (text == "priority")
    return Sort::Key::priority;
  if (text == "created")
    return Sort::Key::created;
  if (text == "updated")
    return Sort::Key::updated;
  return std::nullopt;
}

std::string_view to_string(TagsMatch match) noexcept {
  return match == TagsMatch::any ? "any" : "all";
}

std::optional<TagsMatch> parse_tags_match(std::string_view text) noexcept {
  if (text == "all")
    return TagsMatch::all;
  if (text == "any")
    return TagsMatch::any;
  return std::nullopt;
}

namespace detail {

TagsMatch tags_match_of(const Filter &filter) noexcept {
  if (const auto all = filter.tags_match_all.assigned())
    return *all ? TagsMatch::all : TagsMatch::any;
  return filter.tags_match;
}

} // namespace detail
} // namespace leanspec
