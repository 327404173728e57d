// Implements GithubSync::Impl::handle_webhook (src/github/github_sync_impl.hpp): one delivery
// checked (size, signature, event, delivery id), matched to a registered project and branch,
// and queued in the store as a sync, with a hint when the push lists every spec file it touched.
// The pure parts (signature, payload, paths, hint) are in webhook.cpp.
#include "github/github_sync_impl.hpp"
#include "github/repo_paths.hpp"
#include "github/webhook.hpp"
#include "tree/spec_names.hpp"

#include <algorithm>
#include <cctype>
#include <leanspec/error.hpp>

namespace leanspec {

using detail::is_sha;
using detail::printable_path;
using detail::ProjectRecord;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> header_of(const Headers &headers, std::string_view name) {
  for (const auto &[key, value] : headers)
    if (lower(key) == name)
      return value;
  return std::nullopt;
}

WebhookResult answer(int status, WebhookAction action, std::string message,
                     std::string project_id = {}) {
  return WebhookResult{status, action, std::move(message), std::move(project_id)};
}

// The answer to a delivery that is not a signed push (too large, unsigned, a ping, another
// event); none for a signed push event.
std::optional<WebhookResult> screen(const Headers &headers, std::string_view body,
                                    const std::vector<std::string> &secrets) {
  if (body.size() > detail::max_webhook_body)
    return answer(413, WebhookAction::rejected, "payload larger than GitHub's 25 MB cap");
  if (std::none_of(secrets.begin(), secrets.end(), [](const std::string &s) { return !s.empty(); }))
    return answer(401, WebhookAction::rejected, "no webhook secret is configured");
  const auto signature = header_of(headers, "x-hub-signature-256");
  if (!signature)
    return answer(401, WebhookAction::rejected, "missing X-Hub-Signature-256");
  if (!detail::signature_matches(secrets, *signature, body))
    return answer(401, WebhookAction::rejected, "X-Hub-Signature-256 does not match the payload");
  const auto event = header_of(headers, "x-github-event");
  if (!event)
    return answer(400, WebhookAction::rejected, "missing X-GitHub-Event");
  if (*event == "ping")
    return answer(200, WebhookAction::ping, "pong");
  if (*event != "push")
    return answer(202, WebhookAction::ignored,
                  "event '" + printable_path(*event) + "' is not handled");
  return std::nullopt;
}

// The push's spec files (under the project's specs folder) as a sync hint.
detail::SyncHint hint_of(const detail::PushEvent &push, const ProjectRecord &project) {
  detail::SyncHint hint{push.before, push.after, {}, {}};
  auto is_spec = [&](const std::string &path) {
    const auto relative = detail::relative_to(path, project.specs_path);
    return relative && detail::spec_file_of(*relative).has_value();
  };
  for (const auto &path : push.changed)
    if (is_spec(path))
      hint.changed.push_back(path);
  for (const auto &path : push.removed)
    if (is_spec(path))
      hint.removed.push_back(path);
  return hint;
}

} // namespace

WebhookResult GithubSync::Impl::handle_webhook(const Headers &headers, std::string_view body) {
  if (auto screened = screen(headers, body, options.webhook_secrets))
    return std::move(*screened);
  const auto delivery = header_of(headers, "x-github-delivery");
  if (!delivery || delivery->empty() || delivery->size() > 200)
    return answer(400, WebhookAction::rejected, "missing or malformed X-GitHub-Delivery");
  detail::PushEvent push;
  try {
    push = detail::parse_push_event(body);
  } catch (const Error &e) {
    return answer(400, WebhookAction::rejected, e.what());
  }
  std::optional<ProjectRecord> project;
  for (auto &p : store.projects())
    if (lower(p.id) == lower(push.repository))
      project = std::move(p);
  if (!project)
    return answer(202, WebhookAction::ignored,
                  "repository '" + printable_path(push.repository) +
                      "' is not a registered project");
  if (push.ref != "refs/heads/" + project->branch)
    return answer(202, WebhookAction::ignored,
                  "push to '" + printable_path(push.ref) + "', not branch '" + project->branch +
                      "'",
                  project->id);
  if (push.deleted)
    return answer(202, WebhookAction::ignored, "the branch was deleted", project->id);
  const bool complete = !push.forced && !push.created && push.paths_usable &&
                        push.commits < detail::push_commit_cap && is_sha(push.after) &&
                        !project->commit_sha.empty() && push.before == project->commit_sha;
  const detail::SyncHint hint = hint_of(push, *project);
  const bool capped = push.commits >= detail::push_commit_cap || !push.paths_usable;
  if (hint.changed.empty() && hint.removed.empty() && !capped && !push.forced)
    return answer(202, WebhookAction::ignored, "the push touches no spec file", project->id);
  if (store.has_delivery(*delivery))
    return answer(202, WebhookAction::ignored, "delivery already handled", project->id);
  store.request_sync(project->id, complete ? detail::encode_hint(hint) : std::string());
  store.record_delivery(*delivery); // only once the sync is durably queued
  notify();
  return answer(202, WebhookAction::queued,
                complete ? "sync of " + std::to_string(hint.changed.size() + hint.removed.size()) +
                               " spec file(s) queued"
                         : "sync queued (checked against the tree)",
                project->id);
}

} // namespace leanspec
