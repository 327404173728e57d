// Command-line parsing for the leanspec CLI: global options anywhere, then per-command options.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::cli {

/// One option a command accepts, e.g. {"--status", true}.
struct OptionSpec {
  std::string_view name;    ///< the long form with its dashes ("--status")
  bool takes_value = false; ///< "--status S" / "--status=S"; else a flag
};

/// The options and positional arguments given to one command, in command-line order.
class Arguments {
public:
  std::vector<std::string> positionals;

  void add(std::string name, std::string value);
  bool has(std::string_view name) const noexcept;
  /// The last value given for `name`, or nullptr.
  const std::string *last(std::string_view name) const noexcept;
  /// Every value given for `name`, each split at commas when `split_commas`.
  std::vector<std::string> all(std::string_view name, bool split_commas = false) const;
  /// The last value of `name` as a non-negative integer.
  /// @throws leanspec::Error invalid_argument naming the option when it is not one
  std::optional<std::size_t> count(std::string_view name) const;

private:
  std::vector<std::pair<std::string, std::string>> options_;
};

/// The options every command accepts, wherever they appear.
struct GlobalOptions {
  std::optional<std::filesystem::path> specs_dir;
  std::optional<std::string> database_url; ///< --db (else $DATABASE_URL)
  std::optional<std::string> project;      ///< --project: read this database project
  bool json = false;
  bool help = false;
  bool version = false;
};

struct CommandLine {
  GlobalOptions global;
  std::string command; ///< empty when none was given
  Arguments arguments;
};

/// Looks up the options of a command by name; nullopt for an unknown command.
using OptionLookup = std::optional<std::span<const OptionSpec>> (*)(std::string_view command);

/// Parses argv[1..]: the first non-option word is the command; `--` ends the options.
/// @throws leanspec::Error invalid_argument for an unknown command or option, a missing value
///         or a value given to a flag (the message names the argument)
CommandLine parse_command_line(std::span<const std::string_view> args, OptionLookup lookup);

/// Throws a usage error (exit code 2).
[[noreturn]] void usage_error(const std::string &message);

} // namespace leanspec::cli
