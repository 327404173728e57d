// The leanspec command-line tool: global options, dispatch to a command, help, exit codes.
#include "arguments.hpp"
#include "command.hpp"
#include "terminal.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <leanspec/error.hpp>
#include <leanspec/version.hpp>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace leanspec::cli {

namespace {

/// Exit codes a script can rely on (documented in `leanspec --help`).
enum ExitCode : int {
  exit_ok = 0,
  exit_problems = 1,  ///< validate found errors
  exit_usage = 2,     ///< unknown command or option, bad value
  exit_not_found = 3, ///< a ref naming no spec, a missing specs directory
  exit_ambiguous = 4, ///< a ref naming several specs
  exit_failure = 5,   ///< anything else: I/O, config, internal
  exit_conflict = 6,  ///< a write based on a version that moved on (update, check, archive)
};

constexpr const Command *all_commands[] = {
    &list_command,    &show_command,   &search_command,   &stats_command,
    &board_command,   &deps_command,   &validate_command, &watch_command,
    &project_command, &import_command, &status_command,   &sync_command,
    &create_command,  &update_command, &check_command,    &archive_command,
};

const Command *find_command(std::string_view name) noexcept {
  for (const Command *command : all_commands)
    if (command->name == name)
      return command;
  return nullptr;
}

std::optional<std::span<const OptionSpec>> options_of(std::string_view name) {
  if (name == "help")
    return std::span<const OptionSpec>{};
  if (const Command *command = find_command(name))
    return command->options;
  return std::nullopt;
}

std::string general_help() {
  std::string text = R"(leanspec - read and update a LeanSpec specs directory

Usage: leanspec <command> [options] [--specs-dir DIR] [--json]

Commands:
)";
  for (const Command *command : all_commands) {
    text += "  ";
    text += command->name;
    text.append(10 - command->name.size(), ' ');
    text += command->summary;
    text += '\n';
  }
  text += R"(  help      Show the help of a command (leanspec help list)

Global options (accepted anywhere on the line):
  --specs-dir DIR   the specs directory; default: specsDir of ./.lean-spec/config.json,
                    else ./specs
  --json            machine-readable JSON output on stdout
  -h, --help        show this help, or a command's help (leanspec list --help)
  --version         print the version

Exit codes:
  0  success
  1  validate found errors (or warnings, with --warnings-as-errors)
  2  usage error: unknown command or option, missing argument, bad value
  3  not found: a ref that names no spec, or a missing specs directory
  4  ambiguous ref: it names several specs (the message lists them)
  5  any other error (I/O, configuration)
  6  conflict: update, check or archive found the spec changed after it was read; nothing
     written

Errors go to stderr as "leanspec: <message>". Colour is used only when stdout is a
terminal and NO_COLOR is not set.
)";
  return text;
}

std::string command_help(const Command &command) {
  std::string text(command.help);
  text += "\nGlobal options: --specs-dir DIR, --json, -h/--help, --version (see leanspec --help)\n";
  return text;
}

int exit_code_of(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::invalid_argument:
    return exit_usage;
  case ErrorCode::not_found:
    return exit_not_found;
  case ErrorCode::ambiguous:
    return exit_ambiguous;
  case ErrorCode::conflict:
    return exit_conflict;
  default:
    return exit_failure;
  }
}

bool write_all(std::FILE *stream, const std::string &text) noexcept {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stream) != text.size())
    return false;
  return std::fflush(stream) == 0;
}

/// Whether the command may write to the database (and so create it).
bool writes_database(const Command &command, const Arguments &arguments) {
  if (&command == &import_command || &command == &sync_command)
    return true;
  if (&command != &project_command || arguments.positionals.empty())
    return false;
  const std::string &action = arguments.positionals[0];
  return action == "add" || action == "remove";
}

/// Runs one command line and writes its output; `context` is left for main() to dispose of.
int run(int argc, char **argv, std::optional<Context> &context) {
  std::string err;
  std::string out;
  int code = exit_ok;
  bool json = false; // stdout is JSON (escaped as JSON does), not text for a person
  try {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    CommandLine line = parse_command_line(args, options_of);
    json = line.global.json;
    const Command *command = find_command(line.command);
    if (line.global.version) {
      out = std::string("leanspec ") + leanspec::version() + "\n";
    } else if (line.command == "help") {
      if (line.arguments.positionals.empty()) {
        out = general_help();
      } else {
        const Command *topic = find_command(line.arguments.positionals[0]);
        if (!topic)
          usage_error("unknown command '" + line.arguments.positionals[0] +
                      "' (see 'leanspec --help')");
        out = command_help(*topic);
      }
    } else if (line.global.help) {
      out = command ? command_help(*command) : general_help();
    } else if (!command) {
      err = general_help();
      code = exit_usage;
    } else {
      context.emplace(line.global, Terminal::detect(), command->summaries_only,
                      writes_database(*command, line.arguments));
      try {
        code = command->run(*context, line.arguments);
        out = std::move(context->out);
        err = std::move(context->err);
      } catch (...) {
        err = std::move(context->err); // keep what the command reported before failing
        throw;
      }
    }
  } catch (const Error &e) {
    out.clear();
    err += "leanspec: ";
    err += e.what();
    err += '\n';
    code = exit_code_of(e.code());
  } catch (const std::bad_alloc &) {
    out.clear();
    err += "leanspec: out of memory\n";
    code = exit_failure;
  } catch (const std::exception &e) {
    out.clear();
    err += "leanspec: ";
    err += e.what();
    err += '\n';
    code = exit_failure;
  }

  // The one place the CLI writes: whatever a command put together, no control character from a
  // spec (or an argument, or an error message quoting one) reaches the terminal raw.
  const Terminal terminal = context ? context->terminal() : Terminal();
  if (!json)
    out = terminal.safe(out);
  err = Terminal().safe(err); // stderr gets no colour
  if (!write_all(stdout, out)) {
    const int error = errno;
    err += "leanspec: cannot write to stdout: ";
    err += std::strerror(error);
    err += '\n';
    code = exit_failure;
  }
  write_all(stderr, err);
  return code;
}

} // namespace

} // namespace leanspec::cli

// Sanitizer builds free everything, so LeakSanitizer still checks the library behind the CLI.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LEANSPEC_CLI_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                         \
    __has_feature(memory_sanitizer)
#define LEANSPEC_CLI_FREE_AT_EXIT 1
#endif
#endif

int main(int argc, char **argv) {
  std::optional<leanspec::cli::Context> context;
  const int code = leanspec::cli::run(argc, argv, context);
  if (context)
    context->close_database(); // a database written to is left checkpointed
#ifdef LEANSPEC_CLI_FREE_AT_EXIT
  return code;
#else
  // Output is written and flushed. Like clang's -disable-free, a one-shot process does not
  // free the loaded snapshot (thousands of allocations) one by one: the kernel reclaims it.
  std::_Exit(code);
#endif
}
