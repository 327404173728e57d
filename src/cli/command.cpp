// Context and the helpers shared by the leanspec CLI commands (see command.hpp).
#include "command.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <leanspec/error.hpp>

namespace leanspec::cli {

Context::Context(GlobalOptions global, Terminal terminal, bool summaries_only, bool writes)
    : global_(std::move(global)), terminal_(terminal), summaries_only_(summaries_only),
      writes_(writes) {}

FilesystemOptions Context::source_options() {
  FilesystemOptions options;
  if (global_.specs_dir) {
    options.specs_dir = *global_.specs_dir;
  } else {
    options = discover_options(std::filesystem::current_path());
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(options.specs_dir, ec))
    throw Error(ErrorCode::not_found,
                "specs directory not found: " + options.specs_dir.string() +
                    (global_.specs_dir
                         ? ""
                         : " (use --specs-dir DIR, or set specsDir in .lean-spec/config.json)"));
  specs_dir_ = options.specs_dir;
  return options;
}

DatabaseSource &Context::database() { return *shared_database(); }

std::shared_ptr<DatabaseSource> Context::shared_database() {
  if (!database_) {
    DatabaseOptions options;
    if (global_.database_url)
      options.database_url = *global_.database_url;
    else if (const char *url = std::getenv("DATABASE_URL"))
      options.database_url = url;
    options.project_id = global_.project.value_or("");
    options.create_if_missing = writes_;
    database_ = make_database_source(std::move(options));
  }
  return database_;
}

void Context::close_database() noexcept {
  if (writes_)
    database_.reset(); // nothing else holds it once the command has returned
}

bool Context::has_project_set() const noexcept {
  return global_.project &&
         (*global_.project == "*" || global_.project->find(',') != std::string::npos);
}

void Context::all_projects(const Arguments &arguments) {
  if (!arguments.has("--all-projects"))
    return;
  if (global_.project && *global_.project != "*")
    usage_error("--all-projects reads every project; it cannot be combined with --project '" +
                *global_.project + "'");
  global_.project = "*";
}

// A project set's service: the specs directory (when there is one) and the database (when it
// exists, or is named by --db or $DATABASE_URL).
SpecsService &Context::service() {
  if (service_)
    return *service_;
  ServiceConfig config;
  config.cache_ttl = std::chrono::milliseconds(0); // one command: nothing to cache
  bool files = false, database_ok = false;
  try {
    config.specs_dir = source_options().specs_dir;
    files = true;
  } catch (const Error &e) {
    if (e.code() != ErrorCode::not_found || global_.specs_dir)
      throw;
  }
  const char *env_url = std::getenv("DATABASE_URL");
  try {
    (void)database();
    database_ok = true;
  } catch (const Error &e) {
    if (e.code() != ErrorCode::not_found || global_.database_url || (env_url && *env_url))
      throw;
  }
  if (!files && !database_ok)
    throw Error(ErrorCode::not_found, "no specs directory and no database to read projects from "
                                      "(use --specs-dir DIR or --db URL)");
  if (global_.database_url)
    config.database_url = *global_.database_url;
  else if (env_url)
    config.database_url = env_url;
  config.mode = files && database_ok ? SpecsMode::both
                : files              ? SpecsMode::filesystem
                                     : SpecsMode::database;
  service_ = std::make_shared<SpecsService>(std::move(config));
  return *service_;
}

const SpecSource &Context::source() {
  if (has_project_set())
    return service();
  if (global_.project)
    return database();
  if (source_)
    return *source_;
  FilesystemOptions options = source_options();
  options.summaries_only = summaries_only_;
  options.keep_search_index = false; // a command searches once, then the process exits
  // Parsed frontmatter (or, for a summaries-only command, whole summaries) is kept between runs
  // in the user's cache directory: a run parses only specs that changed. LEANSPEC_NO_CACHE=1
  // turns that off.
  if (const char *off = std::getenv("LEANSPEC_NO_CACHE");
      !off || !*off || std::string_view(off) == "0")
    options.cache_dir = default_cache_dir();
  source_ = make_filesystem_source(std::move(options));
  return *source_;
}

FilesystemSource &Context::filesystem_source() {
  if (global_.project)
    throw Error(ErrorCode::internal, "--project " + *global_.project +
                                         ": the specs directory's source asked for a GitHub "
                                         "project's write");
  source();
  return *source_;
}

std::string Context::display_path(std::string_view file) {
  if (specs_dir_display_.empty()) {
    std::filesystem::path dir = specs_dir_.value_or(global_.specs_dir.value_or("specs"));
    if (dir.is_absolute()) {
      std::error_code ec;
      auto cwd = std::filesystem::current_path(ec);
      if (!ec) {
        auto relative = dir.lexically_proximate(cwd);
        if (!relative.empty() && *relative.begin() != "..")
          dir = relative;
      }
    }
    specs_dir_display_ = dir.lexically_normal().generic_string();
    while (specs_dir_display_.size() > 1 && specs_dir_display_.back() == '/')
      specs_dir_display_.pop_back();
  }
  if (file.empty())
    return specs_dir_display_;
  if (specs_dir_display_ == ".")
    return std::string(file);
  return specs_dir_display_ + "/" + std::string(file);
}

SpecPtr Context::require_spec(std::string_view ref) {
  SpecPtr spec = global_.project || source_ ? source().get(ref) : load_spec(source_options(), ref);
  if (!spec)
    throw Error(ErrorCode::not_found, "no spec matches '" + std::string(ref) + "'");
  return spec;
}

void Context::format_diagnostic(std::string &to, const Diagnostic &diagnostic, bool with_code) {
  to += single_line(display_path(diagnostic.file));
  if (diagnostic.line > 0) {
    to += ':';
    to += std::to_string(diagnostic.line);
  }
  to += ": ";
  to += to_string(diagnostic.severity);
  to += ": ";
  if (with_code && !diagnostic.code.empty()) {
    to += '[';
    to += single_line(diagnostic.code);
    to += "] ";
  }
  to += single_line(diagnostic.message);
  to += '\n';
}

std::string with_first_member(std::string_view object, std::string_view key,
                              std::string_view value_json) {
  std::string out = "{";
  append(out, json_string(key), ":", value_json);
  if (object.size() > 2)
    out += ',';
  out += object.substr(1);
  return out;
}

std::string with_last_member(std::string_view object, std::string_view key,
                             std::string_view value_json) {
  std::string out(object.substr(0, object.size() - 1));
  if (object.size() > 2)
    out += ',';
  append(out, json_string(key), ":", value_json, "}");
  return out;
}

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
        out += buffer;
      } else {
        out += c;
      }
    }
  }
  out += '"';
  return out;
}

std::string join(const std::vector<std::string> &parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i)
      out += separator;
    out += parts[i];
  }
  return out;
}

Style status_style(Status status) noexcept {
  switch (status) {
  case Status::draft:
    return Style::dim;
  case Status::planned:
    return Style::blue;
  case Status::in_progress:
    return Style::yellow;
  case Status::complete:
    return Style::green;
  case Status::archived:
    return Style::dim;
  }
  return Style::none;
}

Style priority_style(std::optional<Priority> priority) noexcept {
  if (!priority)
    return Style::dim;
  switch (*priority) {
  case Priority::critical:
    return Style::red;
  case Priority::high:
    return Style::yellow;
  case Priority::medium:
    return Style::none;
  case Priority::low:
    return Style::dim;
  }
  return Style::none;
}

void expect_positionals(const Arguments &arguments, std::string_view command, std::size_t min,
                        std::size_t max, std::string_view what) {
  const auto n = arguments.positionals.size();
  if (n < min)
    usage_error(std::string(command) + ": missing " + std::string(what) + " (see 'leanspec " +
                std::string(command) + " --help')");
  if (n > max)
    usage_error(std::string(command) + ": unexpected argument '" + arguments.positionals[max] +
                "' (see 'leanspec " + std::string(command) + " --help')");
}

std::optional<std::string> subject_project(const Context &context, const Arguments &arguments,
                                           std::string_view command, std::size_t index) {
  const auto &option = context.project();
  if (arguments.positionals.size() <= index)
    return option;
  const std::string &positional = arguments.positionals[index];
  if (option && *option != positional)
    usage_error(std::string(command) + ": the project id '" + positional + "' and --project '" +
                *option + "' disagree (give one of them)");
  return positional;
}

std::string utc_time(std::int64_t unix_ms) {
  if (unix_ms <= 0)
    return "never";
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string sync_state_text(const RegisteredProject &project) {
  if (project.sync_state == "interrupted")
    return "interrupted at " + utc_time(project.sync_interrupted_at);
  if (project.sync_error.empty())
    return project.sync_state;
  return project.sync_state + ": " + project.sync_error;
}

} // namespace leanspec::cli
