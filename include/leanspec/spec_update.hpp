#pragma once
// Edits of one spec's README that keep the author's text: only the lines an edit touches change.
// Key order, comments, quoting style, flow or block lists, line endings (LF or CRLF) and the
// body stay byte for byte, and an update that changes nothing returns the same bytes. Pure
// functions over text; thread-safe. Writing the result back (atomically, guarded by the content
// hash the edit was based on) is the job of the source that owns the file.
//
//   leanspec::SpecUpdate update;
//   update.status = leanspec::Status::in_progress;
//   update.tags_add = {"api"};
//   std::string edited = leanspec::update_readme(readme, update, std::chrono::system_clock::now());

#include <chrono>
#include <leanspec/spec.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec {

/// A change to a spec's frontmatter and body; what is left unset keeps what the file says.
struct SpecUpdate {
  /// A new status appends a `transitions` entry (`status`, `at`), and `complete` sets
  /// `completed_at`, as LeanSpec's tools do.
  std::optional<Status> status;
  std::optional<Priority> priority;
  std::vector<std::string> tags_add;    ///< added at the end when absent
  std::vector<std::string> tags_remove; ///< removed when present
  std::vector<std::string> depends_on_add;
  std::vector<std::string> depends_on_remove;
  std::optional<std::string> parent;   ///< empty: the key is removed
  std::optional<std::string> assignee; ///< empty: the key is removed
  /// Any other top-level key: its new text, or nullopt to remove it.
  std::map<std::string, std::optional<std::string>> fields;
  /// The Markdown after the frontmatter, whole.
  std::optional<std::string> body;
};

/// A spec to create (FilesystemSource::create, SpecsService::create).
struct NewSpec {
  std::string title;
  std::string slug; ///< empty: from the title (lower-case ASCII letters and digits, '-')
  Status status = Status::planned;
  std::optional<Priority> priority;
  std::vector<std::string> tags;
  std::string assignee;
  std::string body; ///< the Markdown after the frontmatter; empty: "# <title>"
};

/// The folder, relative to the specs folder, of a new spec beside `existing` in a flat project
/// (a GitHub project's stored folders; FilesystemSource::create also knows date groups and
/// sequenceDigits): "<number>-<slug>", one past the highest number, padded as wide as that
/// number is written (at least 3 digits).
/// @throws Error invalid_argument for an empty or multi-line title, or a title (or slug) with
///         no ASCII letter or digit to name the folder with
std::string next_spec_folder(const NewSpec &spec, const std::vector<SpecPtr> &existing,
                             std::chrono::system_clock::time_point now);

/// The README.md of a new spec: `template_text` with LeanSpec's placeholders filled ({name}:
/// the title, {date}, {status}, {priority}), else a minimal frontmatter and the body (or
/// "# <title>"); then the spec's status, priority, tags and assignee set, and created_at and
/// updated_at `now`. A template's body is kept unless the spec has one.
/// @throws Error invalid_argument when the template's frontmatter does not take the fields
std::string new_spec_readme(const NewSpec &spec, std::chrono::system_clock::time_point now,
                            std::string_view template_text = {});

/// `title` as a folder slug: ASCII letters and digits lower-cased, every other run of
/// characters one '-', none at either end ("Fix the API: v2" -> "fix-the-api-v2").
std::string slug_of(std::string_view title);

/// `readme` with `update` applied. When anything changes, `updated_at` becomes `now` (UTC, ISO
/// 8601 with microseconds, as LeanSpec writes it). A README without frontmatter gets one.
/// @throws Error invalid_argument naming the field: a frontmatter that does not parse, a field
///         written as a list or mapping where the update needs text (or text where it needs a
///         list), a value with a line break, a key `fields` may not set (`status`, `tags`, ...)
std::string update_readme(std::string_view readme, const SpecUpdate &update,
                          std::chrono::system_clock::time_point now);

/// The body's task-list items (`- [ ]`, `- [x]`), in document order, as the Markdown parser
/// sees them: items in code blocks are not items.
struct ChecklistItem {
  int line = 0; ///< 1-based line in the README
  bool checked = false;
  std::string text; ///< the item's first line after the box
};
std::vector<ChecklistItem> checklist_items(std::string_view readme);

/// `readme` with its `index`-th (1-based) task-list item checked or unchecked; only the box's
/// character changes.
/// @throws Error not_found when the body has fewer items
std::string toggle_checklist_item(std::string_view readme, int index);

} // namespace leanspec
