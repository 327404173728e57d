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
