// Implements the GitHub sync part of include/leanspec/json.hpp: SyncRun and WebhookResult.
#include "json/json_writer.hpp"
#include <leanspec/json.hpp>

namespace leanspec {
namespace {

using detail::JsonWriter;

void write_sync_run(JsonWriter &w, const SyncRun &run) {
  w.begin_object();
  w.key("id").value(static_cast<long long>(run.id));
  w.key("projectId").value(run.project_id);
  w.key("outcome").value(to_string(run.outcome));
  w.key("startedAt").value(static_cast<long long>(run.started_at));
  w.key("endedAt").value(static_cast<long long>(run.ended_at));
  w.key("added").value(run.added);
  w.key("updated").value(run.updated);
  w.key("removed").value(run.removed);
  w.key("requests").value(run.requests);
  w.key("notModified").value(run.not_modified);
  w.key("bytes").value(static_cast<std::size_t>(run.bytes));
  w.key("durationMs").value(static_cast<long long>(run.duration.count()));
  w.key("rateLimitRemaining").value(run.rate_limit_remaining);
  w.key("path").value(run.path);
  w.key("commitSha").string_or_null(run.commit_sha);
  w.key("commit").string_or_null(run.commit_sha); // deprecated: commitSha (one release)
  w.key("retryAt").value(static_cast<long long>(run.retry_at));
  w.key("error").string_or_null(run.error);
  w.end_object();
}

} // namespace

std::string to_json(const SyncRun &run) { return detail::json_of(run, write_sync_run); }

std::string to_json(const std::vector<SyncRun> &runs) {
  return detail::json_array_of(runs, write_sync_run);
}

std::string to_json(const WebhookResult &result) {
  JsonWriter w;
  w.begin_object();
  w.key("status").value(result.status);
  w.key("action").value(to_string(result.action));
  w.key("message").value(result.message);
  w.key("projectId").string_or_null(result.project_id);
  w.end_object();
  return std::move(w.out());
}

} // namespace leanspec
