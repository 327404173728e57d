// `leanspec list`: a filtered, sorted table (or JSON page) of specs.
#include "command.hpp"
#include "table.hpp"

#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/query.hpp>
#include <leanspec/spec_source.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {
    {"--status", true},        {"--priority", true}, {"--tag", true},       {"--tags-match", true},
    {"--any-tag", false},      {"--assignee", true}, {"--archived", false}, {"--all", false},
    {"--sort", true},          {"--desc", false},    {"--limit", true},     {"--cursor", true},
    {"--all-projects", false},
};

constexpr std::string_view help = R"~(Usage: leanspec list [options]

List specs as a table: id, status, priority, title, tags. Archived specs are hidden
unless --archived or --all is given (or --status names archived).

Options:
  --status S[,S]     keep these statuses: draft, planned, in-progress, complete, archived
  --priority P[,P]   keep these priorities: low, medium, high, critical
  --tag T            keep specs with tag T (repeatable; see --tags-match)
  --tags-match M     all (default): a spec needs every --tag; any: one is enough
  --any-tag          deprecated: --tags-match any
  --assignee A       keep specs assigned to A
  --archived         show only archived specs
  --all              include archived specs
  --sort KEY         number (default), id, title, status, priority, created, updated
  --desc             sort descending
  --limit N          at most N specs per page (0: no limit)
  --cursor C         the page after the one that printed this cursor
  --all-projects     every project: the specs directory's and the database's (as
                     --project '*'; --project a,b lists those); a PROJECT column
                     names each spec's project, and --json adds projectIds
)~";

ListQuery make_query(const Arguments &arguments) {
  ListQuery query;
  Filter &filter = query.filter;
  for (const auto &text : arguments.all("--status", true)) {
    auto status = parse_status(text);
    if (!status)
      usage_error("invalid value '" + text +
                  "' for --status (expected draft, planned, in-progress, complete or archived)");
    filter.statuses.push_back(*status);
  }
  for (const auto &text : arguments.all("--priority", true)) {
    auto priority = parse_priority(text);
    if (!priority)
      usage_error("invalid value '" + text +
                  "' for --priority (expected low, medium, high or critical)");
    filter.priorities.push_back(*priority);
  }
  filter.tags = arguments.all("--tag");
  if (arguments.has("--any-tag"))
    filter.tags_match = TagsMatch::any;
  if (const auto *match = arguments.last("--tags-match")) {
    const auto parsed = parse_tags_match(*match);
    if (!parsed)
      usage_error("invalid value '" + *match + "' for --tags-match (expected all or any)");
    filter.tags_match = *parsed;
  }
  if (const auto *assignee = arguments.last("--assignee"))
    filter.assignee = *assignee;

  const bool archived = arguments.has("--archived"), all = arguments.has("--all");
  if (archived && all)
    usage_error("--archived and --all cannot be combined");
  bool wants_archived_status = false;
  for (Status status : filter.statuses)
    wants_archived_status |= status == Status::archived;
  if (archived)
    filter.archived = true;
  else if (!all && !wants_archived_status)
    filter.archived = false;

  if (const auto *key = arguments.last("--sort")) {
    auto parsed = parse_sort_key(*key);
    if (!parsed)
      usage_error(
          "invalid value '" + *key +
          "' for --sort (expected number, id, title, status, priority, created or updated)");
    query.sort.key = *parsed;
  }
  query.sort.descending = arguments.has("--desc");
  query.limit = arguments.count("--limit").value_or(0);
  if (const auto *cursor = arguments.last("--cursor"))
    query.cursor = *cursor;
  return query;
}

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "list", 0, 0, "");
  context.all_projects(arguments);
  ListQuery query = make_query(arguments);
  query.project_id = context.project_id();
  const auto list = context.source().list(query);
  if (list->total == 0 && !context.has_project_set()) // a tree that holds folders but no spec
                                                      // folder says why (on stderr)
    for (const auto &d : *context.source().validate(query.project_id))
      if (d.code == "no-spec-folders")
        append(context.err, "leanspec: ", d.message, "\n");

  if (context.json()) {
    context.out += to_json(*list);
    context.out += '\n';
    return 0;
  }

  // Over a project set, a first column names each spec's project.
  const bool by_project = !list->project_ids.empty();
  std::vector<std::string> headings{"ID", "STATUS", "PRIORITY", "TITLE", "TAGS"};
  if (by_project)
    headings.insert(headings.begin(), "PROJECT");
  const std::size_t shift = by_project ? 1 : 0;
  Table table(std::move(headings));
  table.shrinkable(3 + shift, 12);
  table.shrinkable(4 + shift, 8);
  for (std::size_t i = 0; i < list->specs.size(); ++i) {
    const Spec &spec = *list->specs[i];
    std::vector<Cell> row{
        {spec.id, Style::cyan},
        {std::string(to_string(spec.status)), status_style(spec.status)},
        {spec.priority ? std::string(to_string(*spec.priority)) : "-",
         priority_style(spec.priority)},
        {spec.title, Style::none},
        {join(spec.tags, ", "), Style::dim},
    };
    if (by_project)
      row.insert(row.begin(), Cell{list->project_ids[i], Style::none});
    table.add_row(std::move(row));
  }
  if (list->specs.empty()) {
    context.out += "No specs match.\n";
  } else {
    table.render(context.out, context.terminal());
  }
  if (list->specs.size() < list->total || !list->next_cursor.empty()) {
    append(context.out, "\n", std::to_string(list->specs.size()), " of ",
           std::to_string(list->total), " specs");
    if (!list->next_cursor.empty())
      append(context.out, "; next page: --cursor ", list->next_cursor);
    context.out += '\n';
  }
  return 0;
}

} // namespace

const Command list_command = {"list", "List specs, filtered and sorted", help, options, run, true};

} // namespace leanspec::cli
