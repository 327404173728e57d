// Implements src/model/new_spec.hpp, and next_spec_folder() and new_spec_readme() of
// include/leanspec/spec_update.hpp.
#include "model/new_spec.hpp"

#include "model/timestamp_text.hpp"

#include <algorithm>
#include <charconv>
#include <leanspec/error.hpp>

namespace leanspec::detail {

std::string new_spec_folder(const NewSpec &spec, int number, int digits, bool date_grouped,
                            std::chrono::system_clock::time_point now) {
  if (spec.title.find_first_not_of(" \t") == std::string::npos)
    throw Error(ErrorCode::invalid_argument, "title: a new spec needs a title");
  if (spec.title.find_first_of("\r\n") != std::string::npos)
    throw Error(ErrorCode::invalid_argument, "title: one line, without a line break");
  const std::string slug = slug_of(spec.slug.empty() ? spec.title : spec.slug);
  if (slug.empty())
    throw Error(ErrorCode::invalid_argument,
                "slug: '" + (spec.slug.empty() ? spec.title : spec.slug) +
                    "' has no ASCII letter or digit to name the folder with");
  std::string text = std::to_string(number);
  if (text.size() < static_cast<std::size_t>(digits))
    text.insert(0, static_cast<std::size_t>(digits) - text.size(), '0');
  std::string folder = text + "-" + slug;
  if (date_grouped) {
    const std::string date = timestamp_text(now).substr(0, 10);
    folder = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2) + "/" + folder;
  }
  return folder;
}

namespace {

void replace_all(std::string &text, std::string_view from, std::string_view to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

} // namespace

} // namespace leanspec::detail

namespace leanspec {

std::string next_spec_folder(const NewSpec &spec, const std::vector<SpecPtr> &existing,
                             std::chrono::system_clock::time_point now) {
  int highest = 0, digits = 3;
  for (const auto &summary : existing) {
    const std::string_view number = split_spec_id(summary->id).first;
    int n = 0;
    if (std::from_chars(number.data(), number.data() + number.size(), n).ec == std::errc() &&
        n >= highest) {
      highest = n;
      digits = std::max(digits, static_cast<int>(number.size()));
    }
  }
  return detail::new_spec_folder(spec, highest + 1, digits, false, now);
}

std::string new_spec_readme(const NewSpec &spec, std::chrono::system_clock::time_point now,
                            std::string_view template_text) {
  const std::string stamp = detail::timestamp_text(now); // 2026-02-01T15:22:52.957908Z
  const std::string status(to_string(spec.status));
  std::string readme;
  SpecUpdate fields;
  if (template_text.empty()) {
    readme = "---\nstatus: " + status + "\ncreated: " + stamp.substr(0, 10) + "\n---\n\n" +
             (spec.body.empty() ? "# " + spec.title + "\n" : spec.body);
  } else {
    readme = template_text;
    detail::replace_all(readme, "{name}", spec.title);
    detail::replace_all(readme, "{date}", stamp.substr(0, 10));
    detail::replace_all(readme, "{status}", status);
    detail::replace_all(readme, "{priority}", spec.priority ? to_string(*spec.priority) : "medium");
    if (!spec.body.empty())
      fields.body = spec.body;
    // The template's own status stays when it is the spec's (no transition is recorded).
    if (parse_spec("new", readme, {}).status != spec.status)
      fields.status = spec.status;
  }
  fields.priority = spec.priority;
  fields.tags_add = spec.tags;
  if (!spec.assignee.empty())
    fields.assignee = spec.assignee;
  fields.fields["created_at"] = stamp; // updated_at gets the same
  return update_readme(readme, fields, now);
}

} // namespace leanspec
