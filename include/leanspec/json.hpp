#pragma once
// to_json(): JSON text for every value type of the API, with the field names of LeanSpec's HTTP
// API (camelCase: specNumber, specName, createdAt, dependsOn, requiredBy, subSpecs, ...), so its
// UI can read them. The one writer of the library's JSON: the CLI prints it, the C API returns
// it, the Node addon hands it to index.js, Python's to_json() methods return it. Output is
// compact, UTF-8, keys in a fixed order. Implemented in src/json/.

#include <leanspec/caching_source.hpp>
#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <leanspec/spec_source.hpp>
#include <leanspec/specs_service.hpp>
#include <map>
#include <string>
#include <vector>

namespace leanspec {

/// How much of a spec to write: a summary (lists) or the detail (one spec: body, sub-specs,
/// frontmatter, diagnostics).
enum class JsonDetail { summary, full };

// --- specs (to_json.cpp) -----------------------------------------------------------------------

std::string to_json(const Spec &spec, JsonDetail detail = JsonDetail::full);
/// {"name", "file", "contentHash", "content"}: one entry of a spec's "subSpecs".
std::string to_json(const SubSpec &sub);
std::string to_json(const SpecList &list);
std::string to_json(const SearchResult &result);
std::string to_json(const Stats &stats);
std::string to_json(const Relationships &relationships);
std::string to_json(const Diagnostic &diagnostic);
std::string to_json(const std::vector<Diagnostic> &diagnostics);
/// SpecSource::by_status(): {"draft": [summary, ...], "planned": [...], ...}, in Status order,
/// each spec as to_json(spec, JsonDetail::summary).
std::string to_json(const std::map<Status, std::vector<SpecPtr>> &by_status);
/// {"projectId", "version", "added", "changed", "removed"}: one line, no newline.
std::string to_json(const ChangeEvent &event);

// --- projects (project_json.cpp) ---------------------------------------------------------------

/// {"id", "name", "specsDir"}.
std::string to_json(const Project &project);
std::string to_json(const std::vector<Project> &projects);
/// {"id", "branch", "specsPath", "syncIntervalMs", "syncIntervalSeconds" (deprecated),
/// "syncState", "syncError", "commitSha", "lastCommit" (deprecated: commitSha), "lastSyncedAt",
/// "syncInterruptedAt", "snapshotVersion", "specCount"}: syncError and commitSha null when
/// empty, times in unix ms.
std::string to_json(const RegisteredProject &project);
std::string to_json(const std::vector<RegisteredProject> &projects);
/// {"added", "updated", "removed", "version"}.
std::string to_json(const ImportResult &result);
/// {"id", "name", "specsDir", "source", "stale", "registration"}: registration is the keys of
/// to_json(RegisteredProject) but "id", or null (the filesystem project).
std::string to_json(const ServedProject &project);
std::string to_json(const std::vector<ServedProject> &projects);

// --- the service's health and cache (service_json.cpp) -----------------------------------------

/// {"hits", "misses", "entries"}.
std::string to_json(const CacheCounters &counters);
/// {"hits", "misses", "entries", "hitRate", "sources": [{"source", "hits", ...}]}.
std::string to_json(const CacheStats &stats);
/// {"mode", "stale", "sources": [{"source", "state", "description", "error", "since"}]};
/// `since` as unix ms.
std::string to_json(const ServiceHealth &health);

// --- GitHub sync (sync_json.cpp) ---------------------------------------------------------------

/// {"id", "projectId", "outcome", "startedAt", "endedAt", "added", "updated", "removed",
/// "requests", "notModified", "bytes", "durationMs", "rateLimitRemaining", "path", "commitSha",
/// "commit" (deprecated: commitSha), "retryAt", "error"}: `outcome` as to_string(SyncOutcome),
/// times in unix ms (endedAt 0 while running), retryAt in unix ms, commitSha and error
/// null when empty.
std::string to_json(const SyncRun &run);
/// A JSON array of to_json(SyncRun), in the given order.
std::string to_json(const std::vector<SyncRun> &runs);
/// {"status", "action", "message", "projectId"}: `action` as to_string(WebhookAction),
/// projectId null when unknown.
std::string to_json(const WebhookResult &result);

} // namespace leanspec
