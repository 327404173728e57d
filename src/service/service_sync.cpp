// Implements the GitHub sync and webhooks of include/leanspec/specs_service.hpp, over the
// GithubSync of the database route (database_probe.cpp opens it).
#include "service/specs_service_impl.hpp"

namespace leanspec {

void SpecsService::start_sync() {
  if (!impl_->db.configured)
    throw Error(ErrorCode::not_found,
                "the GitHub sync needs the database, and database mode is off "
                "(SPECS_MODE=filesystem)");
  std::shared_ptr<GithubSync> github;
  {
    const std::lock_guard lock(impl_->db.mutex);
    impl_->sync_wanted = true;
    github = impl_->sync; // empty while the database is down: open_database() starts it
  }
  if (github)
    github->start();
}

void SpecsService::stop_sync() noexcept {
  std::shared_ptr<GithubSync> github;
  {
    const std::lock_guard lock(impl_->db.mutex);
    impl_->sync_wanted = false;
    github = impl_->sync;
  }
  if (github)
    github->stop();
}

SyncRun SpecsService::sync_now(std::string_view project_id) {
  const auto github = impl_->github();
  SyncRun run;
  try {
    run = github->sync_now(project_id);
  } catch (const Error &e) {
    if (e.code() == ErrorCode::database)
      impl_->fail(impl_->db, e.what());
    throw;
  }
  if (run.added + run.updated + run.removed > 0) {
    if (const auto cache = impl_->any_cache(impl_->db))
      cache->invalidate();
    try {
      impl_->keep_fallback(impl_->db, std::string(project_id), Impl::Refresh::always);
    } catch (const Error &) {
    }
  }
  return run;
}

std::vector<SyncRun> SpecsService::sync_runs(std::string_view project_id, std::size_t limit) const {
  const auto github = impl_->github();
  try {
    return github->sync_runs(project_id, limit);
  } catch (const Error &e) {
    if (e.code() == ErrorCode::database)
      impl_->fail(impl_->db, e.what());
    throw;
  }
}

void SpecsService::request_sync(std::string_view project_id) {
  const auto github = impl_->github();
  try {
    github->request_sync(project_id);
  } catch (const Error &e) {
    if (e.code() == ErrorCode::database)
      impl_->fail(impl_->db, e.what());
    throw;
  }
}

WebhookResult
SpecsService::handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                             std::string_view body) noexcept {
  WebhookResult result;
  result.action = WebhookAction::rejected;
  try {
    const auto github = impl_->github();
    return github->handle_webhook(headers, body);
  } catch (const Error &e) {
    if (e.code() == ErrorCode::not_found) {
      result.status = 404;
      result.message = "no GitHub projects here: database mode is off";
    } else if (e.code() == ErrorCode::database) {
      impl_->fail(impl_->db, e.what());
      result.status = 503;
      result.message = "the database is unreachable; redeliver later";
    } else {
      result.status = 500;
      result.message = "webhook failed: " + std::string(to_string(e.code()));
    }
  } catch (...) {
    result.status = 500;
    result.message = "webhook failed";
  }
  return result;
}

} // namespace leanspec
