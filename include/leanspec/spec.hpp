#pragma once
// Spec: one spec folder (`NNN-slug`) read from README.md and its sub-spec files, with the
// Diagnostics found while reading it. Specs are immutable once published and shared as
// SpecPtr between threads and snapshots. Parsed in src/model/.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec {

/// A spec's lifecycle state. Aliases are accepted when parsing (`in_progress`, `completed`, ...).
enum class Status { draft, planned, in_progress, complete, archived };
/// A spec's priority.
enum class Priority { low, medium, high, critical };

/// The canonical text of a status: "draft", "planned", "in-progress", "complete", "archived".
std::string_view to_string(Status status) noexcept;
/// The canonical text of a priority: "low", "medium", "high", "critical".
std::string_view to_string(Priority priority) noexcept;
/// Parses a status, accepting case and separator variants and aliases
/// ("In Progress", "in_progress", "wip", "done", "completed", ...). Empty when unknown.
std::optional<Status> parse_status(std::string_view text) noexcept;
/// Parses a priority (case-insensitive; "urgent" means critical). Empty when unknown.
std::optional<Priority> parse_priority(std::string_view text) noexcept;

/// A point in time from a frontmatter date (UTC; a bare date is its midnight).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
/// Parses "2025-11-14", "2025-11-14T05:50:48Z", "2025-11-14 05:50:48.128+02:00", ...
/// Empty when the text is not such a date.
std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept;

struct Field;

/// A frontmatter value exactly as written: every scalar keeps its text (a bare `049` stays
/// "049", a bare date stays "2025-11-14"); sequences and mappings keep their order.
struct Value {
  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  std::string text;          ///< scalar text (empty otherwise)
  int line = 0;              ///< 1-based line where it starts (0: unknown)
  bool quoted = false;       ///< a scalar written in quotes or as a block
  std::vector<Value> items;  ///< sequence items
  std::vector<Field> fields; ///< mapping entries, in file order

  bool is_null() const noexcept { return kind == Kind::null; }
  bool is_scalar() const noexcept { return kind == Kind::scalar; }
  /// The entry under `key` of a mapping, or nullptr.
  const Value *find(std::string_view key) const noexcept;
};

/// One entry of a mapping Value (a separate type, not std::pair, so that Value may contain
/// itself with every standard library).
struct Field {
  std::string key;
  Value value;
};

/// One problem found in a spec file or across specs. Defects are values: the spec stays listed.
struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  std::string spec_id; ///< the spec it concerns (empty for directory-level problems)
  std::string file;    ///< path relative to the specs directory, e.g. "018-x/README.md"
  int line = 0;        ///< 1-based line in `file`, 0 when not tied to a line
  std::string code;    ///< stable kebab-case kind, e.g. "yaml-syntax", "dangling-depends-on"
  std::string message; ///< what is wrong, for a person
};
std::string_view to_string(Diagnostic::Severity severity) noexcept;

/// An entry of `transitions`: the status a spec moved to, and when (text as written).
struct Transition {
  Status status = Status::planned;
  std::string at; ///< as written; empty when it is not a date (an `invalid-date` diagnostic)
};

/// Another `*.md` file of the spec folder (DESIGN.md, IMPLEMENTATION.md, ...).
struct SubSpec {
  std::string file;         ///< file name, e.g. "DESIGN.md"
  std::string name;         ///< display name: its first heading, else from the file name
  std::string content;      ///< the Markdown text (frontmatter, if any, included)
  std::string content_hash; ///< git blob SHA-1 of the file, 40 hex digits
};

/// One spec. Fields hold what the files say; `frontmatter` keeps every key as written and
/// `custom_fields` the keys the model does not know.
struct Spec {
  std::string id;          ///< the folder name, e.g. "018-spec-validation" (unique per specs dir)
  std::string number_text; ///< the leading digits as written, e.g. "018"
  int number = -1;         ///< those digits as a number (18); -1 when the folder has none
  std::string slug;        ///< the folder name after the number, e.g. "spec-validation"
  std::string path;        ///< folder path relative to the specs directory ("archived/001-x")
  std::string title;       ///< first `# ` heading outside code fences, else the id

  Status status = Status::planned;
  std::optional<Priority> priority;
  std::vector<std::string> tags;
  std::string assignee;
  // The dates, as written. A text that is not a date (parse_timestamp) is no date: the field is
  // empty, an `invalid-date` diagnostic names it, and the text stays in `frontmatter`.
  std::string created; ///< `created` (usually a date)
  /// When the spec was created: `created_at` (usually a timestamp), else `created`.
  std::string created_at;
  std::string updated_at; ///< `updated_at`
  /// When the spec was completed: `completed_at`, else `completed`.
  std::string completed_at;
  std::string completed; ///< `completed` (usually a date)
  std::vector<Transition> transitions;
  std::vector<std::string> depends_on; ///< refs as written
  std::string parent;                  ///< ref as written, empty when none
  std::vector<std::string> related;    ///< legacy `related` refs
  bool archived = false;               ///< status archived, or under the legacy `archived/`

  Value frontmatter;                ///< the whole mapping, as written
  std::vector<Field> custom_fields; ///< keys the model does not know
  std::string body;                 ///< the Markdown after the frontmatter
  int body_line = 1;                ///< the README.md line where `body` starts
  std::string content_hash;         ///< git blob SHA-1 of README.md (empty when unreadable)
  std::vector<SubSpec> sub_specs;
  std::vector<Diagnostic> diagnostics; ///< problems found reading this spec's files

  /// created_at as a point in time (`created` when a hand-built Spec leaves created_at empty).
  std::optional<Timestamp> created_time() const noexcept;
  /// updated_at as a point in time.
  std::optional<Timestamp> updated_time() const noexcept;
  /// completed_at as a point in time (`completed` when a hand-built Spec leaves it empty).
  std::optional<Timestamp> completed_time() const noexcept;
  bool has_errors() const noexcept;
};

/// A published spec; it stays valid however the source reloads.
using SpecPtr = std::shared_ptr<const Spec>;

/// Splits a folder name into number text and slug ("018-x" -> {"018", "x"}); empty number
/// text when the name does not start with digits and a dash.
std::pair<std::string_view, std::string_view> split_spec_id(std::string_view id) noexcept;

/// Parses one spec folder's files. `readme` is README.md's bytes (nullopt when the file is
/// missing); `sub_files` are the other `*.md` files as {name, bytes}. `path` is the folder
/// relative to the specs directory. Never throws for bad content: defects become diagnostics.
Spec parse_spec(std::string_view path, const std::optional<std::string> &readme,
                std::vector<std::pair<std::string, std::string>> sub_files = {});

/// The git blob SHA-1 of `content` ("blob <size>\0<content>"), as 40 lower-case hex digits:
/// the same hash GitHub reports for the file.
std::string git_blob_sha1(std::string_view content);

/// Renders Markdown to HTML with cmark-gfm and the GFM extensions (tables, strikethrough,
/// autolink, task lists, tagfilter). Raw HTML in the Markdown is omitted unless
/// `allow_raw_html` (then GFM's tagfilter still disarms <script>, <iframe>, ...): specs synced
/// from other people's repositories are untrusted input. Thread-safe.
std::string render_html(std::string_view markdown, bool allow_raw_html = false);

} // namespace leanspec
