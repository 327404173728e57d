#pragma once
// Internal: the pure parts of GitHub push webhooks (webhook.cpp) that GithubSync::handle_webhook
// (webhook_entry.cpp) builds on, kept apart so a fuzz target can drive them: the
// X-Hub-Signature-256 check (HMAC-SHA256, OpenSSL, constant-time), the push payload read with
// simdjson, which repository paths are spec files, and the sync hint a push leaves in the store's
// queue. Thread-safe (no shared state).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

/// GitHub's cap on a webhook payload (25 MB); larger bodies are rejected before hashing.
inline constexpr std::size_t max_webhook_body = 25u * 1024u * 1024u;
/// GitHub lists at most this many commits in a push payload; a full list may be capped.
inline constexpr std::size_t push_commit_cap = 20;

/// "sha256=" + the lower-case hex HMAC-SHA256 of `body` under `secret`.
std::string webhook_signature(std::string_view secret, std::string_view body);
/// Whether `header` (an X-Hub-Signature-256 value) is the signature of `body` under one of
/// `secrets`; every secret is checked, in constant time for equal lengths. Empty secrets never
/// match.
bool signature_matches(const std::vector<std::string> &secrets, std::string_view header,
                       std::string_view body);

/// What a push payload says.
struct PushEvent {
  std::string ref;        ///< "refs/heads/main"
  std::string before;     ///< the branch's previous head (all zeros when created)
  std::string after;      ///< the new head (all zeros when deleted)
  std::string repository; ///< repository.full_name, "owner/repo"
  bool forced = false, created = false, deleted = false;
  std::size_t commits = 0; ///< entries of `commits` (GitHub caps the list at 20)
  /// The union over commits (and head_commit) of added + modified, and of removed, each path
  /// once, in order of first appearance. A path both removed and added again is in both.
  std::vector<std::string> changed, removed;
  /// False when some listed path cannot be used (not a string, control characters): the
  /// lists are then incomplete and the tree must decide.
  bool paths_usable = true;
};

/// @throws leanspec::Error invalid_argument naming the field for a body that is not a JSON
///         object or lacks ref, before, after or repository.full_name, or has them mistyped
PushEvent parse_push_event(std::string_view body);

/// The spec folder and file name of a path relative to a specs directory, when it names a
/// spec file as the filesystem source reads them: `<folder>/<name>.md` or
/// `<group>/<folder>/<name>.md` (any group: `archived`, a date group, ...), where folder is a
/// spec name (`NNN-slug`) and every name is accepted by name_use() (src/tree/spec_names.hpp).
std::optional<std::pair<std::string, std::string>> spec_file_of(std::string_view relative);
/// The path relative to `specs_path` ("" or "." means the repository root), if it lies inside.
std::optional<std::string_view> relative_to(std::string_view path, std::string_view specs_path);

/// A push's hint for the sync: the files it changed between two commits.
struct SyncHint {
  std::string before, after;
  std::vector<std::string> changed, removed; ///< repository paths of spec files
};
/// One line "before after", then "+path" / "-path" lines.
std::string encode_hint(const SyncHint &hint);
/// Empty for "" or text that is not a hint.
std::optional<SyncHint> decode_hint(std::string_view text);

} // namespace leanspec::detail
