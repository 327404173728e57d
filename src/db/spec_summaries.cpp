// Implements src/db/spec_summaries.hpp.
#include "db/spec_summaries.hpp"

#include <algorithm>
#include <simdjson.h>

namespace leanspec::detail {

const char *const summary_columns =
    "path, id, number, number_text, slug, title, status, priority, tags, assignee, created, "
    "created_at, updated_at, completed, completed_at, parent, archived, written_version";

namespace {

// The tags column: the JSON array of strings make_spec_row writes. Anything else (a damaged
// row) is no tags rather than an exception on a read path.
std::vector<std::string> tags_of(const std::string &json) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(json).get_array().get(array) != simdjson::SUCCESS)
    return out;
  for (const auto element : array) {
    std::string_view tag;
    if (element.get_string().get(tag) == simdjson::SUCCESS)
      out.emplace_back(tag);
  }
  return out;
}

} // namespace

Spec summary_spec(const std::function<std::string(SummaryColumn)> &text, bool number_is_null,
                  bool archived, WithBodies bodies) {
  Spec spec;
  spec.path = text(col_path);
  spec.id = text(col_id);
  spec.number = number_is_null ? -1 : std::stoi(text(col_number));
  spec.number_text = text(col_number_text);
  spec.slug = text(col_slug);
  spec.title = text(col_title);
  spec.status = parse_status(text(col_status)).value_or(Status::planned);
  if (const std::string priority = text(col_priority); !priority.empty())
    spec.priority = parse_priority(priority);
  spec.tags = tags_of(text(col_tags));
  spec.assignee = text(col_assignee);
  spec.created = text(col_created);
  spec.created_at = text(col_created_at);
  spec.updated_at = text(col_updated_at);
  spec.completed = text(col_completed);
  spec.completed_at = text(col_completed_at);
  spec.parent = text(col_parent);
  spec.archived = archived;
  if (bodies == WithBodies::yes)
    spec.body = text(col_body);
  return spec;
}

void add_relationship(Spec &spec, std::string_view kind, std::string ref) {
  if (kind == "depends_on")
    spec.depends_on.push_back(std::move(ref));
  else if (kind == "related")
    spec.related.push_back(std::move(ref));
}

long find_path(const std::vector<Spec> &specs, std::string_view path) noexcept {
  const auto it = std::lower_bound(specs.begin(), specs.end(), path,
                                   [](const Spec &s, std::string_view p) { return s.path < p; });
  return it != specs.end() && it->path == path ? static_cast<long>(it - specs.begin()) : -1;
}

} // namespace leanspec::detail
