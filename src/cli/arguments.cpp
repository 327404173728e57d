// Hand-written argument parser of the leanspec CLI (see arguments.hpp).
#include "arguments.hpp"

#include <algorithm>
#include <charconv>
#include <leanspec/error.hpp>

namespace leanspec::cli {

namespace {

constexpr OptionSpec global_options[] = {
    {"--specs-dir", true}, {"--json", false}, {"--help", false},   {"-h", false},
    {"--version", false},  {"--db", true},    {"--project", true},
};

const OptionSpec *find_option(std::span<const OptionSpec> options, std::string_view name) {
  auto it = std::find_if(options.begin(), options.end(),
                         [&](const OptionSpec &o) { return o.name == name; });
  return it == options.end() ? nullptr : &*it;
}

void apply_global(GlobalOptions &global, std::string_view name, std::string value) {
  if (name == "--specs-dir") {
    if (value.empty())
      usage_error("--specs-dir needs a non-empty directory");
    global.specs_dir = std::filesystem::path(std::move(value));
  } else if (name == "--db") {
    if (value.empty())
      usage_error("--db needs a database URL (sqlite:FILE or postgres://...)");
    global.database_url = std::move(value);
  } else if (name == "--project") {
    if (value.empty())
      usage_error("--project needs a project id (owner/repo)");
    global.project = std::move(value);
  } else if (name == "--json") {
    global.json = true;
  } else if (name == "--help" || name == "-h") {
    global.help = true;
  } else if (name == "--version") {
    global.version = true;
  }
}

} // namespace

void usage_error(const std::string &message) { throw Error(ErrorCode::invalid_argument, message); }

void Arguments::add(std::string name, std::string value) {
  options_.emplace_back(std::move(name), std::move(value));
}

bool Arguments::has(std::string_view name) const noexcept {
  return std::any_of(options_.begin(), options_.end(),
                     [&](const auto &option) { return option.first == name; });
}

const std::string *Arguments::last(std::string_view name) const noexcept {
  for (auto it = options_.rbegin(); it != options_.rend(); ++it)
    if (it->first == name)
      return &it->second;
  return nullptr;
}

std::vector<std::string> Arguments::all(std::string_view name, bool split_commas) const {
  std::vector<std::string> values;
  for (const auto &[option, value] : options_) {
    if (option != name)
      continue;
    if (!split_commas) {
      values.push_back(value);
      continue;
    }
    std::string_view rest = value;
    while (true) {
      auto comma = rest.find(',');
      auto part = rest.substr(0, comma);
      if (!part.empty())
        values.emplace_back(part);
      if (comma == std::string_view::npos)
        break;
      rest.remove_prefix(comma + 1);
    }
  }
  return values;
}

std::optional<std::size_t> Arguments::count(std::string_view name) const {
  const std::string *text = last(name);
  if (!text)
    return std::nullopt;
  std::size_t value = 0;
  const char *end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end)
    usage_error("invalid value '" + *text + "' for " + std::string(name) +
                " (expected a non-negative integer)");
  return value;
}

CommandLine parse_command_line(std::span<const std::string_view> args, OptionLookup lookup) {
  CommandLine line;
  std::span<const OptionSpec> command_options;
  bool options_ended = false;

  auto add_positional = [&](std::string_view word) {
    if (line.command.empty()) {
      auto options = lookup(word);
      if (!options)
        usage_error("unknown command '" + std::string(word) + "' (see 'leanspec --help')");
      line.command = word;
      command_options = *options;
    } else {
      line.arguments.positionals.emplace_back(word);
    }
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view word = args[i];
    if (options_ended || word.size() < 2 || word[0] != '-') {
      add_positional(word);
      continue;
    }
    if (word == "--") {
      options_ended = true;
      continue;
    }
    std::string_view name = word;
    std::optional<std::string> inline_value;
    if (auto eq = word.find('='); word.starts_with("--") && eq != std::string_view::npos) {
      name = word.substr(0, eq);
      inline_value = std::string(word.substr(eq + 1));
    }
    const OptionSpec *spec = find_option(global_options, name);
    const bool is_global = spec != nullptr;
    if (!spec)
      spec = find_option(command_options, name);
    if (!spec) {
      std::string where = line.command.empty() ? "" : " for '" + line.command + "'";
      std::string hint =
          line.command.empty() ? "leanspec --help" : "leanspec " + line.command + " --help";
      usage_error("unknown option '" + std::string(name) + "'" + where + " (see '" + hint + "')");
    }
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = std::move(*inline_value);
      } else if (i + 1 < args.size()) {
        value = std::string(args[++i]);
      } else {
        usage_error("option '" + std::string(name) + "' needs a value");
      }
    } else if (inline_value) {
      usage_error("option '" + std::string(name) + "' takes no value");
    }
    if (is_global)
      apply_global(line.global, name, std::move(value));
    else
      line.arguments.add(std::string(name), std::move(value));
  }
  return line;
}

} // namespace leanspec::cli
