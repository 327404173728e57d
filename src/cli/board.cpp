// `leanspec board`: specs grouped by status, priority, tag, assignee or parent.
#include "command.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>
#include <map>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--by", true}, {"--all", false}, {"--all-projects", false}};

constexpr std::string_view help =
    R"~(Usage: leanspec board [--by status|priority|tag|assignee|parent] [--all] [--all-projects]

Group the specs (archived hidden unless --all): a heading per group with its count, then
one "id  title" line per spec, by number. Group order: by status draft, planned,
in-progress, complete, archived; by priority critical, high, medium, low, none; by tag,
assignee or parent alphabetical with "(none)" last. A spec with several tags is in each
of their groups. Status and priority groups are shown even when empty.
With --json: an object of group name -> array of spec summaries, in the same order.

Options:
  --by KEY         status (default), priority, tag, assignee, parent
  --all            include archived specs
  --all-projects   every project's specs: the specs directory's and the database's (as
                   --project '*'; --project a,b shows those); each line starts with the
                   spec's project, and --json adds projectId to each spec
)~";

// Over a project set: each spec's project id.
using ProjectOf = std::map<const Spec *, std::string>;

struct Group {
  std::string name;
  std::vector<SpecPtr> specs;
};

constexpr std::string_view none_group = "(none)";

// Groups keyed by name, alphabetical, "(none)" last, only non-empty groups.
template <class KeysOf>
std::vector<Group> group_by_names(const std::vector<SpecPtr> &specs, KeysOf keys_of) {
  std::map<std::string, std::vector<SpecPtr>> named;
  std::vector<SpecPtr> unnamed;
  for (const auto &spec : specs) {
    std::vector<std::string> keys = keys_of(*spec);
    if (keys.empty())
      unnamed.push_back(spec);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (auto &key : keys)
      named[std::move(key)].push_back(spec);
  }
  std::vector<Group> groups;
  for (auto &[name, members] : named)
    groups.push_back({name, std::move(members)});
  if (!unnamed.empty())
    groups.push_back({std::string(none_group), std::move(unnamed)});
  return groups;
}

std::vector<Group> make_groups(Context &context, const std::vector<SpecPtr> &specs,
                               const ProjectOf &project_of, std::string_view by, bool all) {
  std::vector<Group> groups;
  if (by == "status") {
    for (Status status : {Status::draft, Status::planned, Status::in_progress, Status::complete,
                          Status::archived}) {
      if (status == Status::archived && !all)
        continue;
      Group group{std::string(to_string(status)), {}};
      for (const auto &spec : specs) {
        Status shown = spec->archived ? Status::archived : spec->status;
        if (shown == status)
          group.specs.push_back(spec);
      }
      groups.push_back(std::move(group));
    }
  } else if (by == "priority") {
    for (Priority priority :
         {Priority::critical, Priority::high, Priority::medium, Priority::low}) {
      Group group{std::string(to_string(priority)), {}};
      for (const auto &spec : specs)
        if (spec->priority == priority)
          group.specs.push_back(spec);
      groups.push_back(std::move(group));
    }
    Group group{"none", {}};
    for (const auto &spec : specs)
      if (!spec->priority)
        group.specs.push_back(spec);
    groups.push_back(std::move(group));
  } else if (by == "tag") {
    groups = group_by_names(specs, [](const Spec &spec) { return spec.tags; });
  } else if (by == "assignee") {
    groups = group_by_names(specs, [](const Spec &spec) {
      return spec.assignee.empty() ? std::vector<std::string>{}
                                   : std::vector<std::string>{spec.assignee};
    });
  } else if (by == "parent") {
    // Group by the parent's id: one lookup of the parent ref per spec (relationships() would
    // walk the graph for each). A ref that names no spec, several, or the spec itself keeps
    // its text.
    const SpecSource &source = context.source();
    groups = group_by_names(specs, [&](const Spec &spec) -> std::vector<std::string> {
      if (spec.parent.empty())
        return {};
      const auto project = project_of.find(&spec);
      try {
        if (const SpecPtr parent = source.get(
                spec.parent, project == project_of.end() ? std::string() : project->second);
            parent && parent->path != spec.path)
          return {parent->id};
      } catch (const Error &) {
      }
      return {spec.parent};
    });
  } else {
    usage_error("invalid value '" + std::string(by) +
                "' for --by (expected status, priority, tag, assignee or parent)");
  }
  return groups;
}

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "board", 0, 0, "");
  const std::string by = arguments.last("--by") ? *arguments.last("--by") : "status";
  const bool all = arguments.has("--all");
  if (by != "status" && by != "priority" && by != "tag" && by != "assignee" && by != "parent")
    usage_error("invalid value '" + by +
                "' for --by (expected status, priority, tag, assignee or parent)");

  context.all_projects(arguments);
  ListQuery query;
  query.project_id = context.project_id();
  if (!all)
    query.filter.archived = false;
  const auto list = context.source().list(query);
  ProjectOf project_of;
  for (std::size_t i = 0; i < list->project_ids.size() && i < list->specs.size(); ++i)
    project_of.emplace(list->specs[i].get(), list->project_ids[i]);
  const auto project_json = [&](const Spec &spec) {
    const std::string json = to_json(spec, JsonDetail::summary);
    const auto it = project_of.find(&spec);
    return it == project_of.end() ? json
                                  : with_first_member(json, "projectId", json_string(it->second));
  };
  const auto groups = make_groups(context, list->specs, project_of, by, all);

  std::string &out = context.out;
  if (context.json()) {
    out += '{';
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (g)
        out += ',';
      out += json_string(groups[g].name);
      out += ":[";
      for (std::size_t i = 0; i < groups[g].specs.size(); ++i) {
        if (i)
          out += ',';
        out += project_json(*groups[g].specs[i]);
      }
      out += ']';
    }
    out += "}\n";
    return 0;
  }

  const Terminal &terminal = context.terminal();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const Group &group = groups[g];
    std::vector<std::string> ids; // as shown; titles align within a group
    std::size_t id_width = 0;
    for (const auto &spec : group.specs) {
      const auto project = project_of.find(spec.get());
      const std::string shown =
          project == project_of.end() ? spec->id : project->second + " " + spec->id;
      id_width = std::max(id_width, display_width(ids.emplace_back(single_line(shown))));
    }
    if (g)
      out += '\n';
    Style style = Style::bold;
    if (auto status = parse_status(group.name); by == "status" && status)
      style = status_style(*status);
    if (by == "priority" && group.name != "none")
      style = priority_style(parse_priority(group.name));
    terminal.paint(out, group.name, style);
    append(out, " (", std::to_string(group.specs.size()), ")\n");
    for (std::size_t i = 0; i < group.specs.size(); ++i) {
      out += "  ";
      terminal.paint(out, ids[i], Style::cyan);
      std::string title = single_line(group.specs[i]->title);
      const std::size_t indent = 2 + id_width + 2;
      if (terminal.width() > indent + 8)
        title = truncate_to_width(title, terminal.width() - indent);
      out.append(id_width - display_width(ids[i]) + 2, ' ');
      out += title;
      out += '\n';
    }
  }
  return 0;
}

} // namespace

const Command board_command = {
    "board", "Show specs grouped by status, priority, tag, assignee or parent", help, options, run,
    true};

} // namespace leanspec::cli
