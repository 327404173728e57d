// `leanspec create`, `update`, `check` and `archive`: one write to a spec's README, changing
// only the lines it touches (leanspec::update_readme), guarded by the content hash the CLI read
// (or --if-hash) so that a concurrent edit is a conflict (exit 6). In the specs directory, or
// with --project a commit to the GitHub project (GithubSync::write_file).
#include "command.hpp"

#include <filesystem>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_update.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec update_options[] = {
    {"--status", true},   {"--priority", true}, {"--tag", true}, {"--depends-on", true},
    {"--assignee", true}, {"--parent", true},   {"--set", true}, {"--unset", true},
    {"--if-hash", true},  {"--api-url", true}};

constexpr std::string_view update_help = R"~(Usage: leanspec update <ref> [options]

Change one spec's frontmatter in its README.md. Only the lines a change touches are
rewritten: key order, comments, quoting, list style and line endings stay as they are. A new
status appends a transitions entry (and complete sets completed_at); any change sets
updated_at. The write is atomic and fails with exit code 6 when the file changed after it was
read (or no longer has the --if-hash content hash); nothing is written then.

Options:
  --status S         planned, in-progress, complete, archived or draft
  --priority P       low, medium, high or critical
  --tag +T|-T        add (+, or no sign) or remove (-) a tag; repeatable, or comma-separated
  --depends-on +R|-R add or remove a dependency, as --tag
  --assignee NAME    set the assignee; "" removes it
  --parent REF       set the parent; "" removes it
  --set KEY=VALUE    set any other frontmatter key to a text value; repeatable
  --unset KEY        remove a frontmatter key; repeatable
  --if-hash SHA      write only if README.md still has this content hash (from show --json)
With --json: the spec as written, as show --json prints it.

With --project OWNER/REPO (a GitHub project of the database) the README is committed to the
repository (the blob, tree, commit and a branch update without force: a branch that moved on
since the last sync is a conflict, exit 6), or a pull request is opened when the project's
write mode is pull_request, and the store is updated from the commit. The token is
$GITHUB_TOKEN (it needs contents: write) or a GitHub App's ($GITHUB_APP_ID, ...); the API is
$GITHUB_API_URL, or --api-url URL. create, check and archive take the same.
)~";

constexpr OptionSpec check_options[] = {{"--if-hash", true}, {"--api-url", true}};

constexpr std::string_view check_help = R"~(Usage: leanspec check <ref> <n> [--if-hash SHA]

Check or uncheck the n-th task-list item (- [ ] / - [x], counted from 1 in the order the
Markdown has them; items in code blocks do not count) of one spec's README.md. Only that box
changes. Exit code 6 when the file changed after it was read, as for update.
With --json: the spec as written.
)~";

// "+x" and "x" add, "-x" removes.
void plus_minus(const Arguments &arguments, std::string_view option, std::vector<std::string> &add,
                std::vector<std::string> &remove) {
  for (const auto &value : arguments.all(option, true)) {
    if (value.empty() || value == "+" || value == "-")
      usage_error(std::string(option) + ": expected +NAME or -NAME, got '" + value + "'");
    if (value.front() == '-')
      remove.push_back(value.substr(1));
    else
      add.push_back(value.front() == '+' ? value.substr(1) : value);
  }
}

SpecUpdate update_of(const Arguments &arguments) {
  SpecUpdate update;
  if (const auto *text = arguments.last("--status")) {
    update.status = parse_status(*text);
    if (!update.status)
      usage_error("--status: '" + *text +
                  "' is not a status (planned, in-progress, complete, archived, draft)");
  }
  if (const auto *text = arguments.last("--priority")) {
    update.priority = parse_priority(*text);
    if (!update.priority)
      usage_error("--priority: '" + *text + "' is not a priority (low, medium, high, critical)");
  }
  plus_minus(arguments, "--tag", update.tags_add, update.tags_remove);
  plus_minus(arguments, "--depends-on", update.depends_on_add, update.depends_on_remove);
  if (const auto *text = arguments.last("--assignee"))
    update.assignee = *text;
  if (const auto *text = arguments.last("--parent"))
    update.parent = *text;
  for (const auto &pair : arguments.all("--set")) {
    const auto equals = pair.find('=');
    if (equals == std::string::npos || equals == 0)
      usage_error("--set: expected KEY=VALUE, got '" + pair + "'");
    update.fields[pair.substr(0, equals)] = pair.substr(equals + 1);
  }
  for (const auto &key : arguments.all("--unset"))
    update.fields[key] = std::nullopt;
  return update;
}

// The spec and the content hash a write is based on: --if-hash, else what was just read.
std::pair<SpecPtr, std::string> base_of(Context &context, const Arguments &arguments) {
  if (context.has_project_set())
    usage_error("--project: a write goes to one project, not '" + context.project_id() + "'");
  const SpecPtr spec = context.require_spec(arguments.positionals[0]);
  const auto *hash = arguments.last("--if-hash");
  return {spec, hash ? *hash : spec->content_hash};
}

// A write's outcome: the spec as written, and the pull request a GitHub write opened.
struct Written {
  SpecPtr spec;
  std::string pull_request_url;
};

// A README write to --project's GitHub project; `edit` makes the new README from the stored
// one. A new folder (create) has an empty `base`.
Written commit(Context &context, const Arguments &arguments, const std::string &folder,
               const std::string &base, const std::function<std::string(std::string_view)> &edit,
               const std::string &message) {
  SyncOptions options;
  if (const auto *url = arguments.last("--api-url"))
    options.api_url = *url;
  const std::string project = context.project_id();
  const auto sync = make_github_sync(context.shared_database(), std::move(options));
  const FileWriteResult written =
      sync->write_file(project, {folder, "README.md", base, edit, message});
  if (written.pull_request_url.empty()) // else the store keeps the branch's version
    if (SpecPtr stored =
            context.database().get(std::filesystem::path(folder).filename().string(), project);
        stored && stored->content_hash == git_blob_sha1(written.content))
      return {stored, {}};
  return {std::make_shared<const Spec>(parse_spec(folder, written.content)),
          written.pull_request_url};
}

// update, check and archive: `edit` to the spec's README, on disk through `on_disk`, or
// committed with --project.
Written write(Context &context, const Arguments &arguments, const Spec &before,
              const std::string &base, const std::function<std::string(std::string_view)> &edit,
              const std::function<SpecPtr(FilesystemSource &)> &on_disk) {
  if (!context.project())
    return {on_disk(context.filesystem_source()), {}};
  return commit(context, arguments, before.path, base, edit, "Update " + before.id);
}

// update and archive: `update` written to the spec's README.
Written write_update(Context &context, const Arguments &arguments, const Spec &before,
                     const std::string &base, const SpecUpdate &update) {
  return write(
      context, arguments, before, base,
      [&](std::string_view text) {
        return update_readme(text, update, std::chrono::system_clock::now());
      },
      [&](FilesystemSource &source) { return source.update(before.id, update, base); });
}

void print_written(Context &context, const Spec &before, const Written &written,
                   std::string_view what) {
  const Spec &after = *written.spec;
  if (!written.pull_request_url.empty())
    append(context.err, "pull request: ", written.pull_request_url, "\n");
  if (context.json()) {
    append(context.out, to_json(after, JsonDetail::full), "\n");
    return;
  }
  if (after.content_hash == before.content_hash)
    append(context.out, after.id, ": unchanged\n");
  else
    append(context.out, after.id, ": ", what, " (", after.content_hash.substr(0, 12), ")\n");
}

int run_update(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "update", 1, 1, "spec ref");
  const SpecUpdate update = update_of(arguments);
  if (!update.status && !update.priority && update.tags_add.empty() && update.tags_remove.empty() &&
      update.depends_on_add.empty() && update.depends_on_remove.empty() && !update.assignee &&
      !update.parent && update.fields.empty())
    usage_error("update: nothing to change (see leanspec update --help)");
  const auto [before, base] = base_of(context, arguments);
  const Written after = write_update(context, arguments, *before, base, update);
  print_written(context, *before, after, "updated");
  return 0;
}

int run_check(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "check", 2, 2, "spec ref and item number");
  const std::string &n = arguments.positionals[1];
  if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(n) == 0)
    usage_error("check: the item number must be 1 or more, got '" + n + "'");
  const int index = std::stoi(n);
  const auto [before, base] = base_of(context, arguments);
  const Written after = write(
      context, arguments, *before, base,
      [&](std::string_view text) { return toggle_checklist_item(text, index); },
      [&](FilesystemSource &source) {
        return source.toggle_checklist_item(before->id, index, base);
      });
  const auto items = checklist_items(after.spec->body);
  const bool checked = index <= static_cast<int>(items.size()) && items[index - 1].checked;
  print_written(context, *before, after,
                std::string(checked ? "checked" : "unchecked") + " item " + n);
  return 0;
}

constexpr OptionSpec create_options[] = {{"--slug", true},     {"--status", true},
                                         {"--priority", true}, {"--tag", true},
                                         {"--assignee", true}, {"--api-url", true}};

constexpr std::string_view create_help = R"~(Usage: leanspec create <title> [options]

Create a spec: the folder NNN-slug, numbered one past the highest number in the specs
directory (archived specs included; structure.sequenceDigits digits, default 3; under today's
YYYYMMDD folder for a date-grouped project), with a README.md holding status, created,
created_at and the options given, and "# <title>" (or the project's template, when
.lean-spec/config.json names one: {name}, {date}, {status} and {priority} filled in). With
--project, the next number over the GitHub project's stored folders, committed as update
commits (a minimal README: the repository's template is not synced).

Options:
  --slug S        the folder's name after the number (default: from the title)
  --status S      default planned
  --priority P    low, medium, high or critical
  --tag T         repeatable, or comma-separated
  --assignee NAME
With --json: the new spec, as show --json prints it.
)~";

constexpr std::string_view archive_help = R"~(Usage: leanspec archive <ref> [--if-hash SHA]

Archive a spec: its status becomes archived (with a transitions entry), as update --status
archived writes it; the folder stays where it is. Exit code 6 when the file changed after it
was read.
)~";

int run_create(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "create", 1, 1, "title");
  NewSpec spec;
  spec.title = arguments.positionals[0];
  if (const auto *slug = arguments.last("--slug"))
    spec.slug = *slug;
  const SpecUpdate given = update_of(arguments); // --status, --priority, --tag, --assignee
  if (!given.tags_remove.empty())
    usage_error("create: --tag takes names to add, not -NAME");
  spec.status = given.status.value_or(Status::planned);
  spec.priority = given.priority;
  spec.tags = given.tags_add;
  spec.assignee = given.assignee.value_or("");
  if (context.has_project_set())
    usage_error("--project: a write goes to one project, not '" + context.project_id() + "'");
  Written created;
  if (!context.project()) {
    created.spec = context.filesystem_source().create(spec);
  } else {
    const auto now = std::chrono::system_clock::now();
    const std::string folder = next_spec_folder(
        spec, context.database().list({.project_id = context.project_id()})->specs, now);
    const std::string readme = new_spec_readme(spec, now);
    created = commit(
        context, arguments, folder, "", [&](std::string_view) { return readme; },
        "Create " + folder);
  }
  if (!created.pull_request_url.empty())
    append(context.err, "pull request: ", created.pull_request_url, "\n");
  if (context.json())
    append(context.out, to_json(*created.spec, JsonDetail::full), "\n");
  else if (context.project())
    append(context.out, "created ", created.spec->id, " (", context.project_id(), ")\n");
  else
    append(context.out, "created ", created.spec->id, " (",
           context.display_path(created.spec->path), ")\n");
  return 0;
}

int run_archive(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "archive", 1, 1, "spec ref");
  SpecUpdate update;
  update.status = Status::archived;
  const auto [before, base] = base_of(context, arguments);
  const Written after = write_update(context, arguments, *before, base, update);
  print_written(context, *before, after, "archived");
  return 0;
}

} // namespace

const Command create_command{"create", "Create a spec, numbered after the others", create_help,
                             create_options, run_create};
const Command archive_command{"archive", "Archive a spec (status archived)", archive_help,
                              check_options, run_archive};
const Command update_command{"update", "Change a spec's status, priority, tags and fields",
                             update_help, update_options, run_update};
const Command check_command{"check", "Check or uncheck a spec's task-list item", check_help,
                            check_options, run_check};

} // namespace leanspec::cli
