// `leanspec search <query...>`: ranked search in LeanSpec's query language.
#include "command.hpp"
#include "table.hpp"

#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--limit", true}};

constexpr std::string_view help = R"~(Usage: leanspec search <query...> [--limit N]

Rank specs against a query (the words are joined by spaces). The query language has
words, "quoted phrases", AND / OR / NOT, parentheses, fuzzy word~1 and the filters
status: tag: priority: assignee: title: created: (created:>=2025-11-01). Put -- before
a query that starts with '-' (leanspec search -- -draft cache).

Options:
  --limit N    at most N hits (default 50; 0: all)
)~";

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "search", 1, SIZE_MAX, "query");
  SearchQuery query;
  query.text = join(arguments.positionals, " ");
  if (auto limit = arguments.count("--limit"))
    query.limit = *limit;
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
  Table table({"RANK", "ID", "TITLE", "SNIPPET"});
  table.shrinkable(2, 16);
  table.shrinkable(3, 16);
  std::size_t rank = 0;
  for (const auto &hit : result->hits) {
    table.add_row({
        {std::to_string(++rank), Style::none},
        {hit.spec->id, Style::cyan},
        {hit.spec->title, Style::bold},
        {hit.snippet, Style::dim},
    });
  }
  table.render(context.out, context.terminal());
  if (result->hits.size() < result->total)
    append(context.out, "\n", std::to_string(result->hits.size()), " of ",
           std::to_string(result->total), " matches (raise --limit for more)\n");
  return 0;
}

} // namespace

const Command search_command = {"search", "Search specs, best match first", help, options, run};

} // namespace leanspec::cli
