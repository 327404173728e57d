// `leanspec sync`: syncs one registered project (ID or --project) or all of them from GitHub
// now, with a progress bar on a terminal, one line per project otherwise, and with --json the
// run as to_json(SyncRun) (an array of them when every project is synced).
#include "command.hpp"

#include <cstdio>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/json.hpp>
#include <unistd.h>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--api-url", true}};

constexpr std::string_view help = R"~(Usage: leanspec sync [ID] [--db URL] [--api-url URL]
       leanspec sync [--project ID] [--db URL] [--api-url URL]

Sync registered GitHub projects into the database now: ID (or --project ID), else every
project.
Only what changed since the last sync is fetched (an unchanged branch costs one request that
does not count against the rate limit). Prints one line per project: outcome, specs added,
updated and removed, requests made and how the files came (blobs, tarball); a progress bar on
a terminal. With --json, the sync run as JSON (of every project: an array of them). Exits 5
when a sync failed or was rate-limited (its error is printed).

Environment:
  GITHUB_TOKEN     the token to authenticate with (else anonymous: 60 requests an hour)
  GITHUB_APP_ID    or a GitHub App instead of a token: its id, with
  GITHUB_APP_PRIVATE_KEY (PEM text) or GITHUB_APP_PRIVATE_KEY_FILE, and optionally
  GITHUB_APP_INSTALLATION_ID (else each repository's installation is looked up)
  GITHUB_API_URL   the REST API root (GitHub Enterprise: https://HOST/api/v3)

Options:
  --api-url URL    the REST API root, instead of $GITHUB_API_URL
)~";

std::string run_line(const Context &context, const SyncRun &run) {
  std::string line;
  const bool good = run.outcome == SyncOutcome::ok || run.outcome == SyncOutcome::not_modified;
  append(line, run.project_id, ": ");
  context.terminal().paint(line, to_string(run.outcome), good ? Style::green : Style::red);
  if (good)
    append(line, ", ", std::to_string(run.added), " added, ", std::to_string(run.updated),
           " updated, ", std::to_string(run.removed), " removed");
  append(line, " (", std::to_string(run.requests), " requests, ", std::to_string(run.not_modified),
         " not modified");
  if (!run.path.empty())
    append(line, ", ", run.path);
  append(line, ", ", std::to_string(run.duration.count()), " ms)");
  if (!run.commit_sha.empty())
    append(line, " at ", run.commit_sha.substr(0, 12));
  if (!run.error.empty())
    append(line, ": ", run.error);
  line += '\n';
  return line;
}

// A one-line bar on stderr, redrawn in place.
void draw_bar(const std::string &project, std::size_t done, std::size_t total) {
  constexpr std::size_t width = 30;
  const std::size_t filled = total ? done * width / total : 0;
  std::string line = "\r" + project + " [";
  line.append(filled, '#');
  line.append(width - filled, '.');
  line += "] " + std::to_string(done) + "/" + std::to_string(total) + " files\x1b[K";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

int run_sync(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "sync", 0, 1, "");
  const std::optional<std::string> subject = subject_project(context, arguments, "sync", 0);
  auto database = context.shared_database();
  SyncOptions sync_options;
  if (const auto *url = arguments.last("--api-url"))
    sync_options.api_url = *url;
  const bool bar = !context.json() && ::isatty(STDERR_FILENO) == 1;
  bool drawn = false;
  if (bar)
    sync_options.progress = [&drawn](const std::string &project, std::size_t done,
                                     std::size_t total) {
      if (total == 0)
        return;
      draw_bar(project, done, total);
      drawn = true;
    };
  GithubSync sync(database, std::move(sync_options));
  std::vector<std::string> ids;
  if (subject)
    ids.push_back(*subject);
  else
    for (const auto &project : database->registered_projects())
      ids.push_back(project.id);
  if (ids.empty())
    throw Error(ErrorCode::not_found,
                "no project is registered (add one with 'leanspec project add owner/repo')");
  int exit_code = 0;
  std::vector<SyncRun> runs;
  for (const auto &id : ids) {
    const SyncRun run = sync.sync_now(id);
    if (drawn) {
      std::fputs("\r\x1b[K", stderr);
      drawn = false;
    }
    if (run.outcome == SyncOutcome::error || run.outcome == SyncOutcome::rate_limited)
      exit_code = 5;
    if (context.json()) {
      runs.push_back(run);
    } else {
      // Printed as each project ends: a long list shows its progress.
      const std::string line = context.terminal().safe(run_line(context, run));
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fflush(stdout);
    }
  }
  if (context.json())
    append(context.out, subject ? to_json(runs.front()) : to_json(runs), "\n");
  return exit_code;
}

} // namespace

const Command sync_command{"sync", "Sync registered GitHub projects into the database now", help,
                           options, run_sync};

} // namespace leanspec::cli
