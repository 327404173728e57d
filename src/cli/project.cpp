// `leanspec project add|list|remove|status` and `leanspec import`: the project registry of the
// database (--db, else $DATABASE_URL, else the default SQLite file) and loading a local specs
// directory into it.
#include "command.hpp"
#include "table.hpp"

#include <leanspec/error.hpp>
#include <leanspec/json.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec project_options[] = {
    {"--branch", true}, {"--specs-path", true}, {"--interval", true}, {"--write-mode", true}};

constexpr std::string_view project_help =
    R"~(Usage: leanspec project <add|list|remove|status> [ID] [options]

The GitHub projects registered in the database (--db URL, else $DATABASE_URL, else a SQLite
file under ~/.local/share/leanspec). An ID is owner/repo, given here or as --project ID.

  add ID        register a project
  list          every project, its sync state and how many specs are stored
  remove ID     remove a project and everything stored for it
  status ID     one project's settings and sync state (idle, syncing, ok, error, or
                interrupted: the process syncing it died; the next scheduler pass syncs it)

Options (add):
  --branch B        the branch to read (default main)
  --specs-path P    the specs folder in the repository (default specs)
  --interval S      seconds between scheduled syncs (default 300; 0: the scheduler's default,
                    hourly), each wait varied by 10%
  --write-mode M    how update, check, create and archive with --project land: commit (a
                    commit on the branch, the default) or pull_request (a pull request
                    from a new branch)

Then 'leanspec sync ID' fetches its specs from GitHub ($GITHUB_TOKEN, and
$GITHUB_API_URL for GitHub Enterprise).
)~";

constexpr std::string_view import_help = R"~(Usage: leanspec import ID [--specs-dir DIR]
       leanspec import --project ID [--specs-dir DIR]

Store the specs of a local directory (--specs-dir, else .lean-spec/config.json, else ./specs)
as the snapshot of the registered project ID, in one transaction that writes only what
changed. Prints how many specs were added, updated and removed.
)~";

const RegisteredProject &find_project(const std::vector<RegisteredProject> &all,
                                      std::string_view id) {
  for (const auto &p : all)
    if (p.id == id)
      return p;
  throw Error(ErrorCode::not_found, "project '" + std::string(id) + "' is not registered");
}

int run_project(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "project", 1, 2, "action (add, list, remove or status)");
  const std::string &action = arguments.positionals[0];
  const std::optional<std::string> subject =
      subject_project(context, arguments, "project " + action, 1);
  const auto id = [&]() -> const std::string & {
    if (!subject)
      usage_error("leanspec project " + action + " needs a project id (owner/repo)");
    return *subject;
  };
  DatabaseSource &db = context.database();
  if (action == "add") {
    RegisteredProject project;
    project.id = id();
    if (const auto *branch = arguments.last("--branch"))
      project.branch = *branch;
    if (const auto *path = arguments.last("--specs-path"))
      project.specs_path = *path;
    if (const auto seconds = arguments.count("--interval"))
      project.sync_interval = std::chrono::seconds(*seconds);
    if (const auto *mode = arguments.last("--write-mode")) {
      const auto parsed = write_mode_from(*mode);
      if (!parsed)
        usage_error("--write-mode: '" + *mode + "' is not commit or pull_request");
      project.write_mode = *parsed;
    }
    db.add_project(project);
    if (context.json())
      append(context.out, to_json(find_project(db.registered_projects(), project.id)), "\n");
    else
      append(context.out, "added ", project.id, " (", db.description(), ")\n");
  } else if (action == "remove") {
    if (!db.remove_project(id()))
      throw Error(ErrorCode::not_found, "project '" + id() + "' is not registered");
    if (!context.json())
      append(context.out, "removed ", id(), "\n");
  } else if (action == "list" || action == "status") {
    if (action == "list" && arguments.positionals.size() != 1)
      usage_error("leanspec project list takes no project id");
    if (action == "list" && context.project())
      usage_error("leanspec project list takes no --project");
    std::vector<RegisteredProject> shown = db.registered_projects();
    if (action == "status")
      shown = {find_project(shown, id())};
    if (context.json()) {
      append(context.out, action == "list" ? to_json(shown) : to_json(shown.front()), "\n");
      return 0;
    }
    Table table({"ID", "BRANCH", "SPECS PATH", "SPECS", "VERSION", "SYNC", "LAST COMMIT"});
    for (const auto &p : shown)
      table.add_row({{p.id},
                     {p.branch},
                     {p.specs_path},
                     {std::to_string(p.spec_count)},
                     {std::to_string(p.snapshot_version)},
                     {sync_state_text(p)},
                     {p.commit_sha.substr(0, 12)}});
    if (shown.empty())
      context.out += "(no projects; add one with 'leanspec project add owner/repo')\n";
    else
      table.render(context.out, context.terminal());
  } else {
    usage_error("unknown action '" + action + "' (expected add, list, remove or status)");
  }
  return 0;
}

int run_import(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "import", 0, 1, "");
  const std::optional<std::string> id = subject_project(context, arguments, "import", 0);
  if (!id)
    usage_error("leanspec import needs a project id (ID or --project ID)");
  const FilesystemOptions local = context.source_options();
  const ImportResult result = context.database().import_directory(*id, local.specs_dir);
  if (context.json())
    append(context.out, with_first_member(to_json(result), "projectId", json_string(*id)), "\n");
  else
    append(context.out, *id, ": ", std::to_string(result.added), " added, ",
           std::to_string(result.updated), " updated, ", std::to_string(result.removed),
           " removed (version ", std::to_string(result.version), ")\n");
  return 0;
}

} // namespace

const Command project_command{"project", "Register and inspect database projects", project_help,
                              project_options, run_project};
const Command import_command{
    "import", "Store a local specs directory as a project's snapshot", import_help, {}, run_import};

} // namespace leanspec::cli
