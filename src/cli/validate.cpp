// `leanspec validate`: every diagnostic of the specs directory; exit 1 when any is an error.
#include "command.hpp"

#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>
#include <set>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--warnings-as-errors", false}};

constexpr std::string_view help = R"~(Usage: leanspec validate [--warnings-as-errors]

Check every spec (frontmatter, YAML, dates, relationships, duplicate numbers, cycles, ...)
and print each problem as file:line: severity: [code] message, then a summary line.
Exit code 1 when an error was found (or a warning, with --warnings-as-errors), else 0.

Options:
  --warnings-as-errors   fail on warnings too
)~";

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "validate", 0, 0, "");
  const auto diagnostics = context.source().validate();
  std::size_t errors = 0, warnings = 0;
  std::set<std::string> specs_with_problems;
  for (const auto &diagnostic : *diagnostics) {
    (diagnostic.severity == Diagnostic::Severity::error ? errors : warnings)++;
    specs_with_problems.insert(diagnostic.spec_id);
  }
  const bool failed = errors > 0 || (warnings > 0 && arguments.has("--warnings-as-errors"));

  if (context.json()) {
    context.out += to_json(*diagnostics);
    context.out += '\n';
    return failed ? 1 : 0;
  }

  for (const auto &diagnostic : *diagnostics)
    context.format_diagnostic(context.out, diagnostic, true);
  ListQuery all;
  const std::size_t total = context.source().list(all)->total;
  auto plural = [](std::size_t n, std::string_view word) {
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
  };
  const Terminal &terminal = context.terminal();
  if (!diagnostics->empty())
    context.out += '\n';
  if (errors == 0 && warnings == 0) {
    terminal.paint(context.out, "ok:", Style::green);
    append(context.out, " ", plural(total, "spec"), " checked, no problems\n");
  } else {
    specs_with_problems.erase("");
    terminal.paint(context.out, failed ? "failed:" : "ok:", failed ? Style::red : Style::yellow);
    append(context.out, " ", plural(errors, "error"), ", ", plural(warnings, "warning"), " in ",
           plural(specs_with_problems.size(), "spec"), " (", std::to_string(total), " checked)\n");
  }
  return failed ? 1 : 0;
}

} // namespace

const Command validate_command = {
    "validate", "Check every spec; exit 1 when errors are found", help, options, run, true};

} // namespace leanspec::cli
