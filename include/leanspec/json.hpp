#pragma once
// to_json(): JSON text for every result type, with the field names of LeanSpec's HTTP API
// (camelCase: specNumber, specName, createdAt, dependsOn, requiredBy, subSpecs, ...), so its
// UI can read them. Output is compact, UTF-8, keys in a fixed order. Implemented in src/json/.

#include <leanspec/github_sync.hpp>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <leanspec/spec_source.hpp>
#include <string>
#include <vector>

namespace leanspec {

/// How much of a spec to write: a summary (lists) or the detail (one spec: body, sub-specs,
/// frontmatter, diagnostics).
enum class JsonDetail { summary, full };

std::string to_json(const Spec &spec, JsonDetail detail = JsonDetail::full);
std::string to_json(const SpecList &list);
std::string to_json(const SearchResult &result);
std::string to_json(const Stats &stats);
std::string to_json(const Relationships &relationships);
std::string to_json(const Diagnostic &diagnostic);
std::string to_json(const std::vector<Diagnostic> &diagnostics);
std::string to_json(const Project &project);
/// {"projectId", "version", "added", "changed", "removed"}: one line, no newline.
std::string to_json(const ChangeEvent &event);
/// {"id", "projectId", "outcome", "startedAt", "endedAt", "added", "updated", "removed",
/// "requests", "notModified", "bytes", "durationMs", "rateLimitRemaining", "path", "commit",
/// "retryAt", "error"}: `outcome` as to_string(SyncOutcome), times in unix ms (endedAt 0 while
/// running), retryAt in unix ms, commit and error null when empty.
std::string to_json(const SyncRun &run);
/// A JSON array of to_json(SyncRun), in the given order.
std::string to_json(const std::vector<SyncRun> &runs);
/// {"status", "action", "message", "projectId"}: `action` as to_string(WebhookAction),
/// projectId null when unknown.
std::string to_json(const WebhookResult &result);

} // namespace leanspec
