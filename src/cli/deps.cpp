// `leanspec deps <ref>`: a spec's dependencies, dependants, parent and children.
#include "command.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--transitive", false}};

constexpr std::string_view help = R"~(Usage: leanspec deps <ref> [--transitive]

Show a spec's relationships: what it depends on (depends_on), what requires it, its
parent and its children; cycles through it are always reported.

Options:
  --transitive   also everything reachable through depends_on, everything that requires
                 it indirectly, and its ancestors
With --json: every field (the transitive sets included).
)~";

void section(Context &context, std::string_view heading, const std::vector<std::string> &ids) {
  std::string &out = context.out;
  const Terminal &terminal = context.terminal();
  terminal.paint(out, heading, Style::bold);
  append(out, " (", std::to_string(ids.size()), ")\n");
  if (ids.empty()) {
    out += "  (none)\n";
    return;
  }
  std::vector<std::string> shown; // the ids as printed
  std::size_t width = 0;
  for (const auto &id : ids)
    width = std::max(width, display_width(shown.emplace_back(single_line(id))));
  const SpecSource &source = context.source();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out += "  ";
    terminal.paint(out, shown[i], Style::cyan);
    SpecPtr spec;
    try {
      spec = source.get(ids[i]);
    } catch (const Error &) {
    }
    if (spec) {
      out.append(width - display_width(shown[i]) + 2, ' ');
      out += single_line(spec->title);
    }
    out += '\n';
  }
}

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "deps", 1, 1, "spec ref");
  const std::string &ref = arguments.positionals[0];
  const auto relationships = context.source().relationships(ref);
  if (!relationships)
    throw Error(ErrorCode::not_found, "no spec matches '" + ref + "'");
  if (context.json()) {
    context.out += to_json(*relationships);
    context.out += '\n';
    return 0;
  }

  const SpecPtr self = context.source().get(relationships->id);
  std::string &out = context.out;
  context.terminal().paint(out, relationships->id, Style::cyan);
  if (self)
    append(out, "  ", single_line(self->title));
  out += "\n\n";
  section(context, "depends on", relationships->depends_on);
  section(context, "required by", relationships->required_by);
  section(context, "parent",
          relationships->parent.empty() ? std::vector<std::string>{}
                                        : std::vector<std::string>{relationships->parent});
  section(context, "children", relationships->children);
  if (arguments.has("--transitive")) {
    section(context, "depends on, transitively", relationships->depends_on_transitive);
    section(context, "required by, transitively", relationships->required_by_transitive);
    section(context, "ancestors", relationships->ancestors);
  }
  if (!relationships->cycles.empty()) {
    context.terminal().paint(out, "cycles", Style::red);
    append(out, " (", std::to_string(relationships->cycles.size()), ")\n");
    for (const auto &cycle : relationships->cycles) {
      append(out, "  ", single_line(join(cycle, " -> ")));
      if (cycle.size() > 1 && cycle.front() != cycle.back())
        append(out, " -> ", single_line(cycle.front())); // close it
      out += '\n';
    }
  }
  return 0;
}

} // namespace

const Command deps_command = {"deps", "Show a spec's dependencies, dependants, parent and children",
                              help,   options,
                              run,    true};

} // namespace leanspec::cli
