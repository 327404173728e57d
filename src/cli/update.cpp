// `leanspec create`, `update`, `check` and `archive`: one write to a spec's README in the
// specs directory, changing only the lines it touches (leanspec::update_readme), guarded by the
// content hash the CLI read (or --if-hash) so that a concurrent edit is a conflict (exit 6).
#include "command.hpp"

#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_update.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec update_options[] = {
    {"--status", true},     {"--priority", true}, {"--tag", true},
    {"--depends-on", true}, {"--assignee", true}, {"--parent", true},
    {"--set", true},        {"--unset", true},    {"--if-hash", true}};

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
)~";

constexpr OptionSpec check_options[] = {{"--if-hash", true}};

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
  const SpecPtr spec = context.filesystem_source().get(arguments.positionals[0]);
  if (!spec)
    throw Error(ErrorCode::not_found, "no spec matches '" + arguments.positionals[0] + "'");
  const auto *hash = arguments.last("--if-hash");
  return {spec, hash ? *hash : spec->content_hash};
}

void print_written(Context &context, const Spec &before, const Spec &after, std::string_view what) {
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
  const SpecPtr after = context.filesystem_source().update(before->id, update, base);
  print_written(context, *before, *after, "updated");
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
  const SpecPtr after = context.filesystem_source().toggle_checklist_item(before->id, index, base);
  const auto items = checklist_items(after->body);
  const bool checked = index <= static_cast<int>(items.size()) && items[index - 1].checked;
  print_written(context, *before, *after,
                std::string(checked ? "checked" : "unchecked") + " item " + n);
  return 0;
}

constexpr OptionSpec create_options[] = {{"--slug", true},
                                         {"--status", true},
                                         {"--priority", true},
                                         {"--tag", true},
                                         {"--assignee", true}};

constexpr std::string_view create_help = R"~(Usage: leanspec create <title> [options]

Create a spec: the folder NNN-slug, numbered one past the highest number in the specs
directory (archived specs included; structure.sequenceDigits digits, default 3; under today's
YYYYMMDD folder for a date-grouped project), with a README.md holding status, created,
created_at and the options given, and "# <title>".

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
  const SpecPtr created = context.filesystem_source().create(spec);
  if (context.json())
    append(context.out, to_json(*created, JsonDetail::full), "\n");
  else
    append(context.out, "created ", created->id, " (", context.display_path(created->path), ")\n");
  return 0;
}

int run_archive(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "archive", 1, 1, "spec ref");
  SpecUpdate update;
  update.status = Status::archived;
  const auto [before, base] = base_of(context, arguments);
  const SpecPtr after = context.filesystem_source().update(before->id, update, base);
  print_written(context, *before, *after, "archived");
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
