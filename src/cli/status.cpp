// `leanspec status`: what a SpecsService configured like the app (SPECS_MODE, SPECS_DIR,
// DATABASE_URL, ... from the environment; --specs-dir, --db and --mode override them) sees:
// the mode, each source's health, the projects with their last sync, and cache statistics.
#include "command.hpp"
#include "table.hpp"

#include <cstdio>
#include <cstdlib>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/specs_service.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--mode", true}};

constexpr std::string_view help = R"~(Usage: leanspec status [--mode filesystem|database|both]

What the service of an app configured from this environment sees: --mode (else
SPECS_MODE, default filesystem), --specs-dir (else SPECS_DIR, else .lean-spec/config.json or
./specs), --db (else DATABASE_URL, else the default SQLite file), CACHE_TTL_MS, GITHUB_*,
WEBHOOK_SECRET, REVALIDATION_SECRET. A flag replaces its variable before anything is checked.
Every bad variable is reported by name.

Prints the mode; each source (filesystem, database) with its state (ok, stale: answering
from the last data read, down: unreachable), error and since when; every project with its
source, spec count and last sync (state, time, commit); and this process's cache counters.
)~";

// A driver's message may hold newlines and tabs: one table line each.
std::string one_line(std::string text) {
  for (char &c : text)
    if (c == '\n' || c == '\t' || c == '\r')
      c = ' ';
  return text;
}

Style state_style(SourceState state) noexcept {
  switch (state) {
  case SourceState::ok:
    return Style::green;
  case SourceState::stale:
    return Style::yellow;
  case SourceState::down:
    return Style::red;
  }
  return Style::none;
}

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "status", 0, 0, "");
  // The flags stand in for the variables they name before the configuration is read and
  // checked: a SPECS_DIR that --mode database makes irrelevant is not an error.
  if (const auto *mode = arguments.last("--mode")) {
    if (!parse_specs_mode(*mode))
      usage_error("--mode: '" + *mode + "' is not one of filesystem, database, both");
    ::setenv("SPECS_MODE", mode->c_str(), 1);
  }
  if (const auto &dir = context.global().specs_dir)
    ::setenv("SPECS_DIR", dir->c_str(), 1);
  if (const auto &url = context.global().database_url)
    ::setenv("DATABASE_URL", url->c_str(), 1);
  SpecsService service(ServiceConfig::from_env());

  const auto projects = service.served_projects();
  std::vector<std::size_t> spec_counts;
  for (const auto &p : projects)
    spec_counts.push_back(p.registration ? p.registration->spec_count
                                         : service.stats(p.project.id)->total);
  const ServiceHealth health = service.health();
  const CacheStats cache = service.cache_stats();

  if (context.json()) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < projects.size(); ++i)
      items.push_back(
          with_last_member(to_json(projects[i]), "specCount", std::to_string(spec_counts[i])));
    append(context.out, "{\"health\":", to_json(health), ",\"projects\":[", join(items, ","),
           "],\"cache\":", to_json(cache), "}\n");
    return 0;
  }

  std::string &out = context.out;
  const Terminal &terminal = context.terminal();
  terminal.paint(out, "Mode:", Style::bold);
  append(out, " ", to_string(service.mode()), "\n\n");

  Table sources({"SOURCE", "STATE", "SINCE", "WHERE", "ERROR"});
  for (const auto &s : health.sources)
    sources.add_row({{std::string(to_string(s.source))},
                     {std::string(to_string(s.state)), state_style(s.state)},
                     {utc_time(s.since.time_since_epoch().count())},
                     {s.description},
                     {one_line(s.error)}});
  sources.shrinkable(3, 12);
  sources.shrinkable(4, 12);
  sources.render(out, terminal);

  out += '\n';
  Table table({"PROJECT", "SOURCE", "SPECS", "SYNC", "LAST SYNC", "COMMIT"});
  for (std::size_t i = 0; i < projects.size(); ++i) {
    const auto &p = projects[i];
    const auto &r = p.registration;
    const std::string sync = r ? one_line(sync_state_text(*r)) : "-";
    table.add_row({{p.project.id},
                   {std::string(to_string(p.source)) + (p.stale ? " (stale)" : ""),
                    p.stale ? Style::yellow : Style::none},
                   {std::to_string(spec_counts[i])},
                   {sync},
                   {r ? utc_time(r->last_synced_at) : "-"},
                   {r && !r->commit_sha.empty() ? r->commit_sha.substr(0, 12) : "-"}});
  }
  table.shrinkable(3, 12);
  if (projects.empty())
    out += "(no projects)\n";
  else
    table.render(out, terminal);

  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f%%", cache.hit_rate * 100);
  out += '\n';
  terminal.paint(out, "Cache:", Style::bold);
  append(out, " ", std::to_string(cache.total.hits), " hits, ", std::to_string(cache.total.misses),
         " misses (", rate, " hit rate), ", std::to_string(cache.total.entries),
         " entries (this process; a server reports its own)\n");
  return 0;
}

} // namespace

const Command status_command{"status", "Show the mode, sources, projects and cache", help, options,
                             run};

} // namespace leanspec::cli
