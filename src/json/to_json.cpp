// Implements the spec part of include/leanspec/json.hpp: specs, lists, search results, stats,
// relationships, diagnostics, by-status groups and change events. Field names follow
// LeanSpec's HTTP API.
#include "json/json_writer.hpp"
#include <leanspec/json.hpp>

namespace leanspec {
namespace {

using detail::JsonWriter;
using detail::write_value;

void write_diagnostic(JsonWriter &w, const Diagnostic &d) {
  w.begin_object();
  w.key("severity").value(to_string(d.severity));
  w.key("specId").string_or_null(d.spec_id);
  w.key("file").value(d.file);
  w.key("line").value(d.line);
  w.key("code").value(d.code);
  w.key("message").value(d.message);
  w.end_object();
}

void write_sub_spec(JsonWriter &w, const SubSpec &sub) {
  w.begin_object();
  w.key("name").value(sub.name);
  w.key("file").value(sub.file);
  w.key("contentHash").value(sub.content_hash);
  w.key("content").value(sub.content);
  w.end_object();
}

// The summary fields; the caller closes the object (detail and search hits append to it).
void write_summary_fields(JsonWriter &w, const Spec &s) {
  w.key("id").value(s.id);
  w.key("specNumber");
  s.number >= 0 ? w.value(s.number) : w.null();
  w.key("specName").value(s.id);
  w.key("slug").value(s.slug);
  w.key("title").value(s.title);
  w.key("status").value(to_string(s.status));
  w.key("priority");
  s.priority ? w.value(to_string(*s.priority)) : w.null();
  w.key("tags").strings(s.tags);
  w.key("assignee").string_or_null(s.assignee);
  w.key("createdAt").string_or_null(s.created_at.empty() ? s.created : s.created_at);
  w.key("updatedAt").string_or_null(s.updated_at);
  w.key("completedAt").string_or_null(s.completed_at.empty() ? s.completed : s.completed_at);
  w.key("filePath").value(s.path + "/README.md");
  w.key("dependsOn").strings(s.depends_on);
  w.key("parent").string_or_null(s.parent);
  w.key("archived").value(s.archived);
  w.key("contentHash").value(s.content_hash);
  w.key("diagnosticCount").value(s.diagnostics.size());
}

void write_spec(JsonWriter &w, const Spec &s, JsonDetail detail) {
  w.begin_object();
  write_summary_fields(w, s);
  if (detail == JsonDetail::full) {
    w.key("path").value(s.path);
    w.key("created").string_or_null(s.created);
    w.key("completed").string_or_null(s.completed);
    w.key("related").strings(s.related);
    w.key("transitions").begin_array();
    for (const auto &t : s.transitions)
      w.begin_object()
          .key("status")
          .value(to_string(t.status))
          .key("at")
          .string_or_null(t.at)
          .end_object();
    w.end_array();
    w.key("frontmatter");
    s.frontmatter.kind == Value::Kind::mapping ? write_value(w, s.frontmatter)
                                               : (void)w.begin_object().end_object();
    w.key("customFields").begin_object();
    for (const auto &[name, value] : s.custom_fields) {
      w.key(name);
      write_value(w, value);
    }
    w.end_object();
    w.key("contentMd").value(s.body);
    w.key("subSpecs").begin_array();
    for (const auto &sub : s.sub_specs)
      write_sub_spec(w, sub);
    w.end_array();
    w.key("diagnostics").begin_array();
    for (const auto &d : s.diagnostics)
      write_diagnostic(w, d);
    w.end_array();
  }
  w.end_object();
}

template <class Map, class Name>
void write_counts(JsonWriter &w, std::string_view label, const Map &counts, Name name) {
  w.begin_array();
  for (const auto &[key, count] : counts)
    w.begin_object().key(label).value(name(key)).key("count").value(count).end_object();
  w.end_array();
}

} // namespace

std::string to_json(const Spec &spec, JsonDetail detail) {
  JsonWriter w;
  write_spec(w, spec, detail);
  return std::move(w.out());
}

std::string to_json(const SubSpec &sub) { return detail::json_of(sub, write_sub_spec); }

std::string to_json(const SpecList &list) {
  JsonWriter w;
  w.out().reserve(list.specs.size() * 512 + 64);
  w.begin_object().key("specs").begin_array();
  for (const auto &spec : list.specs)
    write_spec(w, *spec, JsonDetail::summary);
  w.end_array();
  w.key("total").value(list.total);
  w.key("nextCursor").string_or_null(list.next_cursor);
  if (!list.project_ids.empty()) // a list over a project set
    w.key("projectIds").strings(list.project_ids);
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const SearchResult &result) {
  JsonWriter w;
  w.begin_object().key("results").begin_array();
  for (const auto &hit : result.hits) {
    w.begin_object();
    write_summary_fields(w, *hit.spec);
    w.key("score").value(hit.score);
    w.key("snippet").value(hit.snippet);
    if (!hit.project_id.empty()) // a search over a project set
      w.key("projectId").value(hit.project_id);
    w.end_object();
  }
  w.end_array();
  w.key("total").value(result.total);
  if (!result.next_cursor.empty()) // absent on the last page, so one page's JSON is as before
    w.key("nextCursor").value(result.next_cursor);
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const Stats &stats) {
  JsonWriter w;
  w.begin_object();
  w.key("totalSpecs").value(stats.total);
  w.key("specsByStatus");
  write_counts(w, "status", stats.by_status, [](Status s) { return to_string(s); });
  w.key("specsByPriority");
  write_counts(w, "priority", stats.by_priority, [](Priority p) { return to_string(p); });
  w.key("specsWithoutPriority").value(stats.without_priority);
  w.key("specsByTag");
  write_counts(w, "tag", stats.by_tag, [](const std::string &t) { return std::string_view(t); });
  w.key("specsByAssignee");
  write_counts(w, "assignee", stats.by_assignee,
               [](const std::string &a) { return std::string_view(a); });
  w.key("completionRate").value(stats.completion_rate);
  if (!stats.by_project.empty()) { // stats over a project set
    w.key("byProject").begin_object();
    for (const auto &[project, counts] : stats.by_project) {
      w.key(project);
      write_counts(w, "status", counts, [](Status s) { return to_string(s); });
    }
    w.end_object();
  }
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const ChangeEvent &event) {
  JsonWriter w;
  w.begin_object();
  w.key("projectId").value(event.project_id);
  w.key("version").value(event.version);
  w.key("added").strings(event.added);
  w.key("changed").strings(event.changed);
  w.key("removed").strings(event.removed);
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const Relationships &r) {
  JsonWriter w;
  w.begin_object();
  w.key("id").value(r.id);
  w.key("dependsOn").strings(r.depends_on);
  w.key("requiredBy").strings(r.required_by);
  w.key("parent").string_or_null(r.parent);
  w.key("children").strings(r.children);
  w.key("dependsOnTransitive").strings(r.depends_on_transitive);
  w.key("requiredByTransitive").strings(r.required_by_transitive);
  w.key("ancestors").strings(r.ancestors);
  w.key("cycles").begin_array();
  for (const auto &cycle : r.cycles)
    w.strings(cycle);
  w.end_array();
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const Diagnostic &diagnostic) {
  JsonWriter w;
  write_diagnostic(w, diagnostic);
  return std::move(w.out());
}

std::string to_json(const std::vector<Diagnostic> &diagnostics) {
  JsonWriter w;
  w.begin_array();
  for (const auto &d : diagnostics)
    write_diagnostic(w, d);
  w.end_array();
  return std::move(w.out());
}

std::string to_json(const std::map<Status, std::vector<SpecPtr>> &by_status) {
  JsonWriter w;
  w.begin_object();
  for (const auto &[status, specs] : by_status) {
    w.key(to_string(status)).begin_array();
    for (const auto &spec : specs)
      write_spec(w, *spec, JsonDetail::summary);
    w.end_array();
  }
  w.end_object();
  return std::move(w.out());
}

} // namespace leanspec
