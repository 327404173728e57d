// `leanspec search <query...>`: ranked search in LeanSpec's query language.
#include "command.hpp"
#include "table.hpp"

#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--limit", true}, {"--cursor", true}, {"--all-projects", false}};

constexpr std::string_view help = R"~(Usage: leanspec search <query...> [--limit N] [--all-projects]

Rank specs against a query (the words are joined by spaces). The query language has
words, "quoted phrases", AND / OR / NOT, parentheses, fuzzy word~1 and the filters
status: tag: priority: assignee: title: created: (created:>=2025-11-01). Put -- before
a query that starts with '-' (leanspec search -- -draft cache).

Options:
  --limit N        at most N hits (default 50; 0: all)
  --cursor C       the page after the one that printed this cursor
  --all-projects   search every project: the specs directory's and the database's (as
                   --project '*'; --project a,b searches those); a PROJECT column names
                   each hit's project, and --json adds projectId to each hit
)~";

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "search", 1, SIZE_MAX, "query");
  context.all_projects(arguments);
  SearchQuery query;
  query.project_id = context.project_id();
  query.text = join(arguments.positionals, " ");
  if (auto limit = arguments.count("--limit"))
    query.limit = *limit;
  if (const auto *cursor = arguments.last("--cursor"))
    query.cursor = *cursor;
  check_query(query.text); // a bad query fails before the specs are read
  const auto result = context.source().search(query);

  if (context.json()) {
    context.out += to_json(*result);
    context.out += '\n';
    return 0;
  }
  if (result->hits.empty()) {
    append(context.out, "No specs match '", single_line(query.text), "'.\n");
    return 0;
  }
  // Over a project set, a column names each hit's project.
  const bool by_project = context.has_project_set();
  std::vector<std::string> headings{"RANK", "ID", "TITLE", "SNIPPET"};
  if (by_project)
    headings.insert(headings.begin() + 1, "PROJECT");
  const std::size_t shift = by_project ? 1 : 0;
  Table table(std::move(headings));
  table.shrinkable(2 + shift, 16);
  table.shrinkable(3 + shift, 16);
  std::size_t rank = 0;
  for (const auto &hit : result->hits) {
    std::vector<Cell> row{
        {std::to_string(++rank), Style::none},
        {hit.spec->id, Style::cyan},
        {hit.spec->title, Style::bold},
        {hit.snippet, Style::dim},
    };
    if (by_project)
      row.insert(row.begin() + 1, Cell{hit.project_id, Style::none});
    table.add_row(std::move(row));
  }
  table.render(context.out, context.terminal());
  if (!result->next_cursor.empty())
    append(context.out, "\n", std::to_string(result->hits.size()), " of ",
           std::to_string(result->total), " matches; next page: --cursor ", result->next_cursor,
           "\n");
  else if (result->hits.size() < result->total)
    append(context.out, "\n", std::to_string(result->hits.size()), " of ",
           std::to_string(result->total), " matches (raise --limit for more)\n");
  return 0;
}

} // namespace

const Command search_command = {"search", "Search specs, best match first", help, options, run};

} // namespace leanspec::cli
