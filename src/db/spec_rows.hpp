#pragma once
// Internal: what both Store backends share: checking projects and snapshots before writing
// them, the row a spec folder becomes (parsed with leanspec::parse_spec), search tokens and
// the clock (unix_ms(), core/unix_ms.hpp). Implemented in spec_rows.cpp. Thread-safe (pure
// functions).

#include "core/unix_ms.hpp"
#include "db/store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace leanspec::detail {

/// `project` with id, owner and repo made consistent (an empty id is "owner/repo"; empty
/// owner and repo come from the id) and the specs path without trailing '/'.
/// @throws leanspec::Error invalid_argument as Store::add_project documents
ProjectRecord checked_project(const ProjectRecord &project);
/// The write mode a projects row stores. @throws Error database for any other text
WriteMode write_mode_of(std::string_view stored);
/// `patch` of project `id` checked as checked_project() checks the fields it gives (and the
/// id), with the specs path normalized the same way.
/// @throws leanspec::Error invalid_argument as Store::add_project documents
ProjectPatch checked_patch(std::string_view id, const ProjectPatch &patch);

/// A spec folder ready to compare and write: files in stored order (README.md first, then by
/// name) with their blob SHAs, and the digest of the names and SHAs.
struct PreparedSpec {
  const StoredSpec *spec = nullptr;
  std::vector<const StoredFile *> files;
  std::vector<std::string> content_hashes; ///< parallel to files
  std::string files_hash;
};

/// Checks a snapshot and prepares each folder, in input order.
/// @throws leanspec::Error invalid_argument as Store::replace_specs documents
std::vector<PreparedSpec> prepare_specs(const std::vector<StoredSpec> &specs);

/// The columns of a `specs` row and its relationship rows, from parsing the folder.
struct SpecRow {
  std::string id, number_text, slug, title, status;
  std::optional<int> number;
  std::optional<std::string> priority;
  std::string tags_json, assignee, created, created_at, updated_at, completed, completed_at, parent;
  bool archived = false;
  std::string frontmatter_json; ///< the frontmatter mapping as JSON, or "null"
  std::string body;
  std::string content_hash; ///< README.md's blob SHA, empty without one
  /// The distinct search tokens (search_tokens' rule) of the title, of the tags and id, and
  /// of the body, each in first-seen order: what the full-text indexes hold. A body word is
  /// indexed once per spec, not once per occurrence: three times fewer tokens to index for
  /// the same candidates (ranking weighs fields, not repeats).
  std::vector<std::string> title_terms, key_terms, body_terms;
  struct Relationship {
    const char *kind; ///< "depends_on" | "parent" | "related"
    int position;
    std::string ref;
  };
  std::vector<Relationship> relationships;
};

SpecRow make_spec_row(const PreparedSpec &spec);

/// Rows parsed ahead of a write transaction, so that parsing (the costly part of a write)
/// holds no lock: built for the folders whose files differ from `stored` (path -> files_hash,
/// read just before), in parallel when there are many. row() parses a folder it lacks (one
/// that changed between that read and the transaction). Single-thread once built.
class SpecRows {
public:
  SpecRows(const std::vector<PreparedSpec> &prepared,
           const std::unordered_map<std::string, std::string> &stored);
  const SpecRow &row(const PreparedSpec &spec);

private:
  std::unordered_map<const PreparedSpec *, SpecRow> rows_;
};

/// Calls body(0) ... body(count - 1), on a thread per core when `count` is at least
/// `parallel_from` (else on the caller's thread alone). The first exception stops the rest
/// and is rethrown.
void for_each_parallel(std::size_t count, std::size_t parallel_from,
                       const std::function<void(std::size_t)> &body);

/// The distinct search tokens of `text` (search_tokens' rule), in first-seen order.
std::vector<std::string> distinct_tokens(std::string_view text);

} // namespace leanspec::detail
