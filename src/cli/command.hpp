// Command and Context: what every leanspec CLI command gets, and the table of commands.
#pragma once

#include "arguments.hpp"
#include "terminal.hpp"

#include <filesystem>
#include <leanspec/database_source.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/spec.hpp>
#include <leanspec/specs_service.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::cli {

/// The state of one run: global options, the terminal, and the stdout/stderr buffers that
/// main() writes with one fwrite each. Single-thread.
class Context {
public:
  /// `summaries_only`: the command reads no spec body (FilesystemOptions::summaries_only).
  /// `writes`: the command may write to the database (import, sync, project add/remove), so
  /// it may create it; other commands fail on a database file that is missing or empty.
  Context(GlobalOptions global, Terminal terminal, bool summaries_only = false,
          bool writes = false);

  bool json() const noexcept { return global_.json; }
  /// --project: the database project to read, when given (or a project set: "a,b", "*").
  const std::optional<std::string> &project() const noexcept { return global_.project; }
  /// The project id list, search and stats ask for: --project, "*" after all_projects(), or
  /// empty (the source's own project).
  std::string project_id() const { return global_.project.value_or(""); }
  /// Whether --project names a project set ("a,b" or "*").
  bool has_project_set() const noexcept;
  /// `--all-projects` of list, board, search and stats: read every project ("*"). Call before
  /// source(). @throws leanspec::Error invalid_argument when --project names other projects
  void all_projects(const Arguments &arguments);
  const Terminal &terminal() const noexcept { return terminal_; }
  /// The global options as given (--specs-dir, --db, ...).
  const GlobalOptions &global() const noexcept { return global_; }

  /// Where the specs are: `--specs-dir`, else discover_options() of the current directory.
  /// @throws leanspec::Error not_found (no specs directory), config
  FilesystemOptions source_options();

  /// The database --db names (else $DATABASE_URL, else the default SQLite file), opened on
  /// first use; its default project is --project.
  /// @throws leanspec::Error config, database
  DatabaseSource &database();
  /// The same, shared (for objects that keep it, such as GithubSync).
  std::shared_ptr<DatabaseSource> shared_database();
  /// Closes the database if this run wrote to it (a SQLite store then leaves its file
  /// checkpointed); main() calls it before exiting without freeing the rest.
  void close_database() noexcept;

  /// The specs directory's source, read on first use: `--specs-dir`, else discover_options()
  /// of the current directory (.lean-spec/config.json, else ./specs). For a project set
  /// (has_project_set()): a SpecsService over the specs directory (when there is one) and the
  /// database (--db, else $DATABASE_URL, else the default file when it exists).
  /// @throws leanspec::Error not_found (no specs directory), config, io
  const SpecSource &source();

  /// The specs directory's source, for a write (update, check, create, archive) without
  /// --project (with it they commit to the GitHub project: update.cpp).
  /// @throws leanspec::Error internal with --project
  FilesystemSource &filesystem_source();
  /// `file` (relative to the specs directory) as a path a person can open from here.
  std::string display_path(std::string_view file);

  /// The spec `ref` names. From the specs directory (unless source() has read it already) only
  /// its folder is read (leanspec::load_spec()); with --project, from the database.
  /// @throws leanspec::Error not_found when none, ambiguous as get()
  SpecPtr require_spec(std::string_view ref);

  /// Appends "file:line: severity: [code] message\n" (no line when 0; code when `with_code`).
  void format_diagnostic(std::string &to, const Diagnostic &diagnostic, bool with_code);

  std::string out; ///< what goes to stdout
  std::string err; ///< what goes to stderr

private:
  GlobalOptions global_;
  Terminal terminal_;
  bool summaries_only_;
  bool writes_;
  std::shared_ptr<FilesystemSource> source_;
  std::shared_ptr<DatabaseSource> database_;
  std::shared_ptr<SpecsService> service_;          // for a project set
  std::optional<std::filesystem::path> specs_dir_; // once source_options() has found it
  std::string specs_dir_display_;

  SpecsService &service();
};

/// One subcommand: its name, help and options, and the function that runs it.
struct Command {
  std::string_view name;
  std::string_view summary; ///< one line for `leanspec --help`
  std::string_view help;    ///< the text of `leanspec <name> --help`
  std::span<const OptionSpec> options;
  /// Runs the command; returns the exit code (0, or 1 when validate finds problems).
  int (*run)(Context &context, const Arguments &arguments);
  /// It reads no spec body or sub-spec text, so the source may load summaries only.
  bool summaries_only = false;
};

extern const Command list_command;
extern const Command show_command;
extern const Command search_command;
extern const Command stats_command;
extern const Command board_command;
extern const Command deps_command;
extern const Command validate_command;
extern const Command watch_command;
extern const Command project_command;
extern const Command import_command;
extern const Command status_command;
extern const Command sync_command;
extern const Command update_command;
extern const Command check_command;
extern const Command create_command;
extern const Command archive_command;

/// Appends every piece to `out`, like absl::StrAppend: no temporaries, and none of GCC 12's
/// false -Wrestrict warnings on `"literal" + std::string` (GCC bug 105329).
template <class... Pieces> void append(std::string &out, const Pieces &...pieces) {
  (out += ... += pieces);
}

/// `text` as a JSON string literal, quotes included.
std::string json_string(std::string_view text);
/// The library's JSON object `object` (to_json()) with one member of the CLI's own added as its
/// first or last member: `value_json` is JSON text ("projectId" of an import, "html").
std::string with_first_member(std::string_view object, std::string_view key,
                              std::string_view value_json);
std::string with_last_member(std::string_view object, std::string_view key,
                             std::string_view value_json);
std::string join(const std::vector<std::string> &parts, std::string_view separator);
/// The colour of a status or a priority in tables.
Style status_style(Status status) noexcept;
Style priority_style(std::optional<Priority> priority) noexcept;
/// Throws a usage error unless `command` got between `min` and `max` positional arguments;
/// `what` names the missing one ("spec ref").
void expect_positionals(const Arguments &arguments, std::string_view command, std::size_t min,
                        std::size_t max, std::string_view what);
/// The project id a command is about: its positional argument `index` when given, else
/// --project; empty when neither. Both given and different: a usage error naming both.
std::optional<std::string> subject_project(const Context &context, const Arguments &arguments,
                                           std::string_view command, std::size_t index);
/// Unix ms as "2025-11-01T09:30:00Z"; "never" for 0.
std::string utc_time(std::int64_t unix_ms);
/// A registration's sync state for a table: "interrupted at <time>" (a sync whose holder
/// died), else the state, with ": error" when the last sync failed.
std::string sync_state_text(const RegisteredProject &project);

} // namespace leanspec::cli
