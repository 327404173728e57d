// Implements include/leanspec/github_sync.hpp: GithubSync's construction, one sync and the
// record it leaves, over GithubClient (src/github/github_client.hpp) and the store
// (src/db/store.hpp) a DatabaseSource owns. Syncer (syncer.hpp) runs one sync; the lease, the
// scheduler and the webhook entry are in sync_lease.cpp, sync_scheduler.cpp, webhook_entry.cpp.
//
// A sync, in as few requests as the facts allow:
//   1. GET /repos/o/r/commits/{branch} (Accept: application/vnd.github.sha, If-None-Match the
//      stored ETag): a 304, or the SHA last synced, ends it.
//   2. Before that, a webhook hint that is complete (not forced, `before` the stored head,
//      fewer than 20 commits) and that GitHub confirms (GET /compare/{before}...{after} names
//      the same spec files changed and removed; a signed payload may still lie by omission):
//      GET /contents/{path}?ref={after} for each changed spec file, in parallel, and nothing
//      else (path "contents"): the sync goes to `after`. Any disagreement: steps 1 and 3.
//   3. Else GET /git/trees/{commit}?recursive=1 (a truncated listing: the specs folder walked
//      level by level without `recursive`); the specs folder's tree SHA unchanged ends it; spec
//      files are compared by blob SHA with the stored snapshot and the kept blobs, and only the
//      rest is fetched: /git/blobs/{sha} in parallel (path "blobs"), or, when many are needed
//      and the repository is not huge, one /tarball/{commit} read with libarchive ("tarball").
//      A failed tarball is not asked for again: the blobs come instead.
//   4. Every fetched file's git blob SHA is checked against the tree, then the whole set goes
//      to Store::replace_specs (one transaction, only changed folders written) and the project
//      row and sync run are updated. A failure anywhere leaves the stored snapshot as it was.
// Every HTTP request counts against the sync's deadline (SyncOptions::deadline); past it the
// sync fails with a message naming it. Nothing GitHub sends is trusted: invalid JSON or base64,
// unsafe tree paths outside the specs folder, absurd sizes, and tarball entries that climb out,
// link where a file belongs or expand past the tree's weight fail the sync with the path named;
// inside the specs folder, entries whose names no specs tree holds (src/tree/spec_names.hpp) are
// passed over and named in the run's record, as the filesystem source passes them over. No file
// is ever written.
#include "core/scrub.hpp"
#include "core/unix_ms.hpp"
#include "db/database_source_access.hpp"
#include "github/github_sync_impl.hpp"
#include "github/syncer.hpp"

#include <cstdlib>
#include <leanspec/error.hpp>
#include <unistd.h>

namespace leanspec {

std::string_view to_string(SyncOutcome outcome) noexcept {
  switch (outcome) {
  case SyncOutcome::ok:
    return "ok";
  case SyncOutcome::not_modified:
    return "not_modified";
  case SyncOutcome::error:
    return "error";
  case SyncOutcome::rate_limited:
    return "rate_limited";
  case SyncOutcome::running:
    return "running";
  }
  return "error";
}

std::string_view to_string(WebhookAction action) noexcept {
  switch (action) {
  case WebhookAction::rejected:
    return "rejected";
  case WebhookAction::ping:
    return "ping";
  case WebhookAction::ignored:
    return "ignored";
  case WebhookAction::queued:
    return "queued";
  }
  return "rejected";
}

namespace {

using detail::GithubClient;
using detail::ProjectRecord;
using detail::scrub;
using detail::SteadyClock;
using detail::Syncer;
using detail::unix_ms;

std::string env(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

// The token or the GitHub App a sync authenticates with: the options' own, else the
// environment's (GITHUB_TOKEN, GITHUB_APP_*); fills options.token and the app fields.
detail::GithubAppSettings app_settings_of(SyncOptions &options) {
  detail::GithubAppSettings app{options.app_id, options.app_private_key,
                                options.app_private_key_file, options.app_installation_id};
  if (!options.token.empty()) {
    if (app.is_set())
      throw Error(ErrorCode::config, "token and a GitHub App (app_id, app_private_key, ...) are "
                                     "both set; give one of the two");
    return app;
  }
  const bool own_app = app.is_set();
  const detail::GithubAppSettings from_env = detail::app_settings_from_env();
  if (!app.app_id)
    app.app_id = from_env.app_id;
  if (app.private_key.empty() && app.private_key_file.empty()) {
    app.private_key = from_env.private_key;
    app.private_key_file = from_env.private_key_file;
  }
  if (!app.installation_id)
    app.installation_id = from_env.installation_id;
  if (!own_app) {
    options.token = env("GITHUB_TOKEN");
    if (!options.token.empty() && app.is_set())
      throw Error(ErrorCode::config, "GITHUB_TOKEN and a GitHub App (GITHUB_APP_ID, "
                                     "GITHUB_APP_PRIVATE_KEY, ...) are both set; give one of "
                                     "the two");
  }
  options.app_id = app.app_id;
  options.app_private_key = app.private_key;
  options.app_private_key_file = app.private_key_file;
  options.app_installation_id = app.installation_id;
  return app;
}

std::string default_holder() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" +
         std::to_string(random() & 0xffffff);
}

} // namespace

GithubSync::Impl::Impl(std::shared_ptr<DatabaseSource> s, SyncOptions o)
    : source(std::move(s)), store(detail::DatabaseSourceAccess::store(*source)),
      options(std::move(o)) {
  if (options.api_url.empty())
    options.api_url = env("GITHUB_API_URL");
  if (options.api_url.empty())
    options.api_url = "https://api.github.com";
  const detail::GithubAppSettings app_settings = app_settings_of(options);
  if (options.holder.empty())
    options.holder = default_holder();
  if (options.webhook_secrets.size() > 2)
    throw Error(ErrorCode::config, "webhook_secrets: at most two secrets may be active, got " +
                                       std::to_string(options.webhook_secrets.size()));
  if (options.lease_ttl < std::chrono::milliseconds(300))
    throw Error(ErrorCode::config, "lease_ttl: at least 300 ms");
  if (options.points_per_minute == 0)
    throw Error(ErrorCode::config, "points_per_minute: at least 1");
  if (options.deadline <= std::chrono::milliseconds(0))
    throw Error(ErrorCode::config,
                "deadline: " + std::to_string(options.deadline.count()) + " ms is not positive");
  client_options.api_url = options.api_url;
  client_options.token = options.token;
  client_options.max_concurrency = std::max(1u, options.concurrency);
  client_options.connect_timeout = options.connect_timeout;
  client_options.request_timeout = options.request_timeout;
  client_options.max_retries = options.max_retries;
  client_options.retry_base = options.retry_base;
  // A tarball is the largest answer; others (trees, blobs) are far below it.
  client_options.max_body_size = std::max<std::size_t>(options.tarball_max_bytes, 64u << 20);
  GithubClient check(client_options); // throws config for a bad api_url
  client_options.cancel = &cancel;
  if (app_settings.is_set())
    app = std::make_shared<detail::GithubApp>(app_settings, client_options); // checks the key
  // Secrets under 4 characters are not scrubbed: every "a" of a message would go.
  for (const std::string &secret : options.webhook_secrets)
    if (secret.size() >= 4)
      secrets.push_back(secret);
  if (options.token.size() >= 4)
    secrets.push_back(options.token);
  if (!options.app_private_key.empty())
    secrets.push_back(options.app_private_key);
}

std::shared_ptr<detail::Credential>
GithubSync::Impl::credential_for(const ProjectRecord &project,
                                 std::chrono::steady_clock::time_point deadline) {
  if (!app)
    return std::make_shared<detail::TokenCredential>(client_options.token);
  return app->credential(project.owner, project.repo, deadline);
}

std::string GithubSync::Impl::budget_key(const ProjectRecord &project) const {
  if (!app)
    return detail::token_budget_key(client_options.token);
  if (const auto installation = app->known_installation(project.owner, project.repo))
    return detail::installation_budget_key(*installation);
  return "app:" + std::to_string(app->app_id());
}

std::shared_ptr<detail::RateBudget> GithubSync::Impl::budget_of(const ProjectRecord &project) {
  return budgets.get(budget_key(project));
}

void GithubSync::Impl::notify() {
  {
    const std::lock_guard lock(mutex);
    ++notifications;
  }
  wake.notify_all();
}

SyncRun GithubSync::Impl::busy(std::string_view project_id, const std::string &why) {
  SyncRun run;
  run.project_id = project_id;
  run.outcome = SyncOutcome::error;
  run.error = why;
  return run;
}

namespace {

// SyncRun::commit, deprecated for one release, holds commit_sha's value.
void fill_deprecated(SyncRun &run) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  run.commit = run.commit_sha;
#pragma GCC diagnostic pop
}

// The store's record of a finished run: the project's sync fields (only those are written:
// settings changed meanwhile stay) and the run's row.
detail::SyncFinish record_of(const ProjectRecord &project, const SyncRun &run,
                             const Syncer::Result &result) {
  detail::SyncFinish f;
  f.project = project;
  if (run.outcome == SyncOutcome::ok || run.outcome == SyncOutcome::not_modified) {
    f.project.commit_sha = result.commit_sha;
    f.project.last_tree = result.specs_tree;
    f.project.commit_tree = result.commit_tree;
    f.project.etags_json = result.etags_json;
    f.project.sync_state = "ok";
    f.project.sync_error.clear();
    f.project.last_synced_at = unix_ms();
  } else {
    f.project.sync_state = "error";
    f.project.sync_error = run.error;
  }
  f.run.id = run.id;
  f.run.project_id = project.id;
  f.run.ended_at = run.ended_at;
  f.run.outcome = to_string(run.outcome);
  f.run.requests = run.requests;
  f.run.not_modified = run.not_modified;
  f.run.rate_limit_remaining = run.rate_limit_remaining;
  f.run.error = run.error;
  f.run.details = {run.path, static_cast<std::int64_t>(run.bytes), run.duration.count(),
                   run.commit_sha};
  f.run.retry_at = run.retry_at;
  return f;
}

} // namespace

GithubSync::Impl::Queued GithubSync::Impl::queued(const detail::SyncSchedule &schedule) {
  Queued out;
  out.retry_at = schedule.retry_at;
  if (schedule.requested_at > 0) {
    out.request_seq = schedule.request_seq;
    out.hint = detail::decode_hint(schedule.hint);
  }
  return out;
}

GithubSync::Impl::Queued GithubSync::Impl::queued(const std::string &id) {
  for (const auto &schedule : store.sync_schedules())
    if (schedule.project_id == id)
      return queued(schedule);
  return {};
}

SyncRun GithubSync::Impl::sync_locked(ProjectRecord project, const Queued *known) {
  const auto started = SteadyClock::now();
  // The request being answered, read before the head check, so a request arriving during the
  // sync stays queued (the scheduler's older reading: one queued since stays queued too).
  const Queued request = known ? *known : queued(project.id);
  SyncRun run;
  run.project_id = project.id;
  run.started_at = unix_ms();
  run.id = store.begin_sync_run(project.id, run.started_at); // marks the project "syncing"
  project.sync_state = "syncing";

  const auto deadline = Syncer::deadline_of(options.deadline);
  const std::shared_ptr<detail::Credential> credential = credential_for(project, deadline);
  detail::GithubClientOptions sync_client = client_options;
  sync_client.deadline = deadline;
  if (app) {
    sync_client.token.clear();
    sync_client.credential = credential;
  }
  sync_client.budget = budgets.get(budget_key(project)); // without a request
  Syncer syncer(store, options, std::move(sync_client), project, request.hint, cancel);
  Syncer::Result result = syncer.run();
  std::vector<std::string> run_secrets = secrets; // with the tokens this sync was given
  for (std::string &token : credential->secrets())
    run_secrets.push_back(std::move(token));
  const auto counters = syncer.counters();
  run.outcome = result.outcome;
  run.requests = static_cast<int>(counters.requests);
  run.not_modified = static_cast<int>(counters.not_modified);
  run.bytes = counters.bytes;
  run.rate_limit_remaining = counters.last_rate_limit.remaining;
  run.path = result.path;
  run.commit_sha = result.commit_sha;
  fill_deprecated(run);
  run.retry_at = result.retry_at;
  run.error = scrub(result.error, run_secrets);
  run.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  run.ended_at = unix_ms();

  // The snapshot, the project's sync fields and the run's record go in one transaction.
  detail::ReplaceResult replaced;
  try {
    replaced = store.finish_sync(project.id, result.snapshot ? &*result.snapshot : nullptr,
                                 record_of(project, run, result));
  } catch (const Error &e) {
    if (!result.snapshot || e.code() == ErrorCode::database)
      throw;
    // The store refused the snapshot (a path or name it does not take): the run fails as a
    // whole and the previous snapshot stays.
    run.outcome = SyncOutcome::error;
    run.error = scrub(e.what(), run_secrets);
    result.snapshot.reset();
    store.finish_sync(project.id, nullptr, record_of(project, run, result));
  }
  run.added = replaced.added;
  run.updated = replaced.updated;
  run.removed = replaced.removed;
  settle_queue(project.id, run, request, result.used_kept_blobs);
  prune_runs(project.id);
  if (run.added + run.updated + run.removed > 0)
    detail::DatabaseSourceAccess::invalidate(*source, project.id);
  return run;
}

void GithubSync::Impl::settle_queue(const std::string &id, const SyncRun &run,
                                    const Queued &request,
                                    const std::vector<std::string> &used_kept_blobs) {
  const bool done = run.outcome == SyncOutcome::ok || run.outcome == SyncOutcome::not_modified;
  if (run.outcome == SyncOutcome::rate_limited) {
    store.set_retry_at(id, run.retry_at);
    return;
  }
  if (request.request_seq >= 0)
    store.clear_sync_request(id, request.request_seq);
  if (done) {
    store.drop_blobs(used_kept_blobs);
    if (request.retry_at)
      store.set_retry_at(id, 0);
  }
}

// The run history within max_sync_runs and max_sync_run_age; a failure to prune fails
// no sync (the next run prunes again).
void GithubSync::Impl::prune_runs(const std::string &id) noexcept {
  const auto age =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.max_sync_run_age).count();
  try {
    store.prune_sync_runs(id, options.max_sync_runs, age > 0 ? unix_ms() - age : 0);
  } catch (const std::exception &) {
  }
}

GithubSync::GithubSync(std::shared_ptr<DatabaseSource> source, SyncOptions options) {
  if (!source)
    throw Error(ErrorCode::invalid_argument, "GithubSync needs a DatabaseSource");
  impl_ = std::make_shared<Impl>(std::move(source), std::move(options));
}

GithubSync::~GithubSync() { stop(); }

SyncRun GithubSync::sync_now(std::string_view project_id) { return impl_->sync(project_id); }

std::vector<SyncRun> GithubSync::sync_runs(std::string_view project_id, std::size_t limit) const {
  std::vector<SyncRun> out;
  for (auto &record : impl_->store.sync_runs(project_id, limit)) {
    SyncRun &run = out.emplace_back();
    run.id = record.id;
    run.project_id = std::move(record.project_id);
    run.outcome = SyncOutcome::error;
    for (auto outcome : {SyncOutcome::ok, SyncOutcome::not_modified, SyncOutcome::rate_limited,
                         SyncOutcome::running})
      if (record.outcome == to_string(outcome))
        run.outcome = outcome;
    run.started_at = record.started_at;
    run.ended_at = record.ended_at;
    run.added = record.added;
    run.updated = record.updated;
    run.removed = record.removed;
    run.requests = record.requests;
    run.not_modified = record.not_modified;
    run.bytes = static_cast<std::uint64_t>(record.details.bytes);
    run.duration = std::chrono::milliseconds(record.details.duration_ms);
    run.rate_limit_remaining = record.rate_limit_remaining;
    run.path = std::move(record.details.path);
    run.commit_sha = std::move(record.details.commit_sha);
    fill_deprecated(run);
    run.retry_at = record.retry_at;
    run.error = std::move(record.error);
  }
  return out;
}

void GithubSync::request_sync(std::string_view project_id) {
  impl_->store.request_sync(project_id, "");
  impl_->notify();
}

void GithubSync::start() {
  const std::lock_guard lock(impl_->mutex);
  if (!impl_->workers.empty())
    return;
  impl_->cancel = false;
  for (unsigned i = 0; i < std::max(1u, impl_->options.workers); ++i)
    impl_->workers.emplace_back([impl = impl_.get()](std::stop_token stop) { impl->worker(stop); });
}

void GithubSync::stop() noexcept {
  std::vector<std::jthread> workers;
  {
    const std::lock_guard lock(impl_->mutex);
    workers.swap(impl_->workers);
  }
  if (workers.empty())
    return;
  impl_->cancel = true;
  for (auto &w : workers)
    w.request_stop();
  impl_->wake.notify_all();
  workers.clear(); // joins
  impl_->cancel = false;
}

bool GithubSync::is_running() const noexcept {
  const std::lock_guard lock(impl_->mutex);
  return !impl_->workers.empty();
}

WebhookResult
GithubSync::handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                           std::string_view body) {
  WebhookResult result = impl_->handle_webhook(headers, body);
  result.message = scrub(std::move(result.message), impl_->secrets);
  return result;
}

std::shared_ptr<GithubSync> make_github_sync(std::shared_ptr<DatabaseSource> source,
                                             SyncOptions options) {
  return std::make_shared<GithubSync>(std::move(source), std::move(options));
}

} // namespace leanspec
