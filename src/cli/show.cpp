// `leanspec show <ref>`: one spec's metadata and body, its rendered HTML, or one sub-spec.
#include "command.hpp"

#include <algorithm>
#include <cctype>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--html", false}, {"--sub", true}};

constexpr std::string_view help = R"~(Usage: leanspec show <ref> [--html] [--sub NAME]

Show one spec: a metadata block, then its Markdown body. <ref> is the spec's id
(018-spec-validation), number (18 or 018) or slug (spec-validation). The spec's own
diagnostics are printed to stderr as file:line: severity: message.

Options:
  --html       print the body rendered to HTML instead (only the HTML)
  --sub NAME   print one sub-spec instead of README.md: NAME is its file (DESIGN.md, or
               DESIGN) or its display name (its first heading), case-insensitive
With --json: the whole spec (or, with --sub, the sub-spec); --html adds a "contentHtml" key
(and, deprecated, the same as "html").
)~";

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

const SubSpec &find_sub_spec(const Spec &spec, std::string_view name) {
  for (const auto &sub : spec.sub_specs) {
    std::string_view file = sub.file;
    std::string_view stem = file;
    if (stem.size() > 3 && equals_ignoring_case(stem.substr(stem.size() - 3), ".md"))
      stem.remove_suffix(3);
    if (equals_ignoring_case(file, name) || equals_ignoring_case(stem, name) ||
        equals_ignoring_case(sub.name, name))
      return sub;
  }
  std::vector<std::string> files;
  for (const auto &sub : spec.sub_specs)
    files.push_back(sub.file);
  throw Error(ErrorCode::not_found,
              "spec " + spec.id + " has no sub-spec '" + std::string(name) + "'" +
                  (files.empty() ? " (it has none)" : " (it has: " + join(files, ", ") + ")"));
}

void metadata_line(Context &context, std::string_view key, std::string_view value,
                   Style style = Style::none) {
  if (value.empty())
    return;
  std::string &out = context.out;
  context.terminal().paint(out, key, Style::bold);
  out += ':';
  out.append(key.size() < 12 ? 12 - key.size() : 1, ' ');
  context.terminal().paint(out, value, style);
  out += '\n';
}

void print_metadata(Context &context, const Spec &spec) {
  std::string &out = context.out;
  context.terminal().paint(out, spec.id, Style::cyan);
  out += "  ";
  context.terminal().paint(out, single_line(spec.title), Style::bold);
  out += '\n';
  metadata_line(context, "status", to_string(spec.status), status_style(spec.status));
  metadata_line(context, "priority", spec.priority ? to_string(*spec.priority) : "-",
                priority_style(spec.priority));
  metadata_line(context, "tags", join(spec.tags, ", "));
  metadata_line(context, "assignee", spec.assignee);
  metadata_line(context, "created", spec.created_at);
  metadata_line(context, "updated", spec.updated_at);
  metadata_line(context, "completed", spec.completed_at);
  metadata_line(context, "depends on", join(spec.depends_on, ", "));
  metadata_line(context, "parent", spec.parent);
  metadata_line(context, "related", join(spec.related, ", "));
  std::vector<std::string> subs;
  for (const auto &sub : spec.sub_specs)
    subs.push_back(sub.name.empty() || sub.name == sub.file ? sub.file
                                                            : sub.file + " (" + sub.name + ")");
  metadata_line(context, "sub-specs", join(subs, ", "));
  metadata_line(context, "path", context.display_path(spec.path));
}

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "show", 1, 1, "spec ref");
  const SpecPtr spec = context.require_spec(arguments.positionals[0]);
  const bool html = arguments.has("--html");
  const SubSpec *sub = nullptr;
  if (const auto *name = arguments.last("--sub"))
    sub = &find_sub_spec(*spec, *name);

  for (const auto &diagnostic : spec->diagnostics)
    context.format_diagnostic(context.err, diagnostic, false);

  if (context.json()) {
    std::string object = sub ? with_first_member(to_json(*sub), "specId", json_string(spec->id))
                             : to_json(*spec, JsonDetail::full);
    if (html) { // "html" is the deprecated name of "contentHtml", written for one release
      const std::string rendered = json_string(render_html(sub ? sub->content : spec->body));
      object =
          with_last_member(with_last_member(object, "contentHtml", rendered), "html", rendered);
    }
    append(context.out, object, "\n");
    return 0;
  }

  const std::string &markdown = sub ? sub->content : spec->body;
  if (html) {
    context.out += render_html(markdown);
  } else if (sub) {
    context.out += markdown;
  } else {
    print_metadata(context, *spec);
    context.out += '\n';
    const auto first = markdown.find_first_not_of("\r\n");
    if (first != std::string::npos)
      context.out.append(markdown, first);
  }
  if (!context.out.empty() && context.out.back() != '\n')
    context.out += '\n';
  return 0;
}

} // namespace

const Command show_command = {"show", "Show one spec (metadata and body, HTML, or a sub-spec)",
                              help, options, run};

} // namespace leanspec::cli
