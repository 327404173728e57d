// `leanspec stats`: counts by status, priority, tag and assignee, and the completion rate.
#include "command.hpp"
#include "table.hpp"

#include <algorithm>
#include <cstdio>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--all-projects", false}};

constexpr std::string_view help = R"~(Usage: leanspec stats [--all-projects]

Count the specs: by status, by priority, the 10 most used tags (all of them with --json),
by assignee, and the completion rate (percent of specs whose status is complete).

Options:
  --all-projects   count every project: the specs directory's and the database's (as
                   --project '*'; --project a,b counts those); the counts are totals, and
                   a PROJECT table (--json: byProject) gives each project's count per status
)~";

constexpr Status statuses[] = {Status::draft, Status::planned, Status::in_progress,
                               Status::complete, Status::archived};

// Over a project set: a row per project, a column per status.
void project_section(Context &context, const Stats &stats) {
  std::vector<std::string> headings{"PROJECT"};
  for (Status status : statuses)
    headings.emplace_back(to_string(status));
  headings.emplace_back("TOTAL");
  Table table(std::move(headings));
  table.shrinkable(0, 12);
  for (const auto &[project, counts] : stats.by_project) {
    std::vector<Cell> row{{project, Style::none}};
    std::size_t total = 0;
    for (Status status : statuses) {
      const auto it = counts.find(status);
      const std::size_t count = it == counts.end() ? 0 : it->second;
      total += count;
      row.push_back({std::to_string(count), Style::none});
    }
    row.push_back({std::to_string(total), Style::bold});
    table.add_row(std::move(row));
  }
  context.out += '\n';
  table.render(context.out, context.terminal());
}

void section(Context &context, std::string_view heading,
             const std::vector<std::pair<std::string, std::size_t>> &rows,
             Style (*style_of)(std::string_view) = nullptr) {
  std::string &out = context.out;
  out += '\n';
  Table table({std::string(heading), "COUNT"});
  table.shrinkable(0, 12);
  for (const auto &[name, count] : rows)
    table.add_row({{name, style_of ? style_of(name) : Style::none}, {std::to_string(count)}});
  if (rows.empty()) {
    context.terminal().paint(out, heading, Style::bold);
    out += "\n(none)\n";
  } else {
    table.render(out, context.terminal());
  }
}

Style style_of_status(std::string_view name) {
  auto status = parse_status(name);
  return status ? status_style(*status) : Style::none;
}

Style style_of_priority(std::string_view name) { return priority_style(parse_priority(name)); }

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "stats", 0, 0, "");
  context.all_projects(arguments);
  const auto stats = context.source().stats(context.project_id());
  if (context.json()) {
    context.out += to_json(*stats);
    context.out += '\n';
    return 0;
  }

  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f%%", stats->completion_rate);
  context.terminal().paint(context.out, "Specs:", Style::bold);
  append(context.out, " ", std::to_string(stats->total), "  ");
  context.terminal().paint(context.out, "Complete:", Style::bold);
  context.out += " ";
  context.out += rate;
  context.out += '\n';

  if (!stats->by_project.empty())
    project_section(context, *stats);

  std::vector<std::pair<std::string, std::size_t>> rows;
  for (Status status : statuses) {
    auto it = stats->by_status.find(status);
    rows.emplace_back(std::string(to_string(status)),
                      it == stats->by_status.end() ? 0 : it->second);
  }
  section(context, "STATUS", rows, style_of_status);

  rows.clear();
  for (Priority priority : {Priority::critical, Priority::high, Priority::medium, Priority::low}) {
    auto it = stats->by_priority.find(priority);
    rows.emplace_back(std::string(to_string(priority)),
                      it == stats->by_priority.end() ? 0 : it->second);
  }
  rows.emplace_back("none", stats->without_priority);
  section(context, "PRIORITY", rows, style_of_priority);

  rows.assign(stats->by_tag.begin(), stats->by_tag.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto &a, const auto &b) { return a.second > b.second; });
  const std::size_t tag_count = rows.size();
  if (rows.size() > 10)
    rows.resize(10);
  section(context, tag_count > 10 ? "TAG (top 10 of " + std::to_string(tag_count) + ")" : "TAG",
          rows);

  rows.assign(stats->by_assignee.begin(), stats->by_assignee.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto &a, const auto &b) { return a.second > b.second; });
  section(context, "ASSIGNEE", rows);
  return 0;
}

} // namespace

const Command stats_command = {
    "stats", "Count specs by status, priority, tag and assignee", help, options, run, true};

} // namespace leanspec::cli
