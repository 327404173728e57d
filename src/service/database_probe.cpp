// Implements the database side of SpecsService (src/service/specs_service_impl.hpp): opening
// the DatabaseSource with its cache and GitHub sync, and the prober thread that reopens or
// re-reads a failing database every probe_interval and keeps its fallbacks fresh.
#include "service/specs_service_impl.hpp"

#include <condition_variable>

namespace leanspec {

void SpecsService::Impl::open_database() {
  try {
    DatabaseOptions options;
    options.database_url = config.database_url;
    options.cache_bytes = config.cache_bytes;
    // The cache decides how fresh answers are: each of its misses looks at the stored version
    // (one indexed read), so invalidate() and revalidate() take effect at once.
    options.recheck = std::chrono::milliseconds(0);
    auto database_source = make_database_source(options);
    auto cache = make_caching_source(database_source, CacheOptions{config.cache_ttl, {}});
    auto subscription = cache->subscribe([this](const ChangeEvent &event) { on_event(db, event); });
    SyncOptions sync_options;
    sync_options.api_url = config.github_api_url;
    sync_options.token = config.github_token;
    sync_options.app_id = config.github_app_id;
    sync_options.app_private_key = config.github_app_private_key;
    sync_options.app_private_key_file = config.github_app_private_key_file;
    sync_options.app_installation_id = config.github_app_installation_id;
    sync_options.webhook_secrets = config.webhook_secrets;
    sync_options.lease_ttl = config.sync_lease_ttl;
    sync_options.poll = config.sync_poll;
    sync_options.deadline = config.sync_deadline;
    auto github = make_github_sync(database_source, std::move(sync_options));
    bool start = false;
    {
      const std::lock_guard lock(db.mutex);
      sync = github;
      start = sync_wanted;
      db.description = database_source->description();
      db.raw = database_source;
      db.database = std::move(database_source);
      db.cache = std::move(cache);
      db.subscription = std::move(subscription);
      db.state = SourceState::down; // recover() below marks it ok
    }
    if (start)
      github->start();
    forget_projects();
    recover(db);
  } catch (const Error &e) {
    if (e.code() != ErrorCode::database)
      throw;
    fail(db, e.what());
  }
}

void SpecsService::Impl::probe_database() noexcept {
  try {
    std::shared_ptr<const SpecSource> raw;
    SourceState state;
    std::vector<std::string> projects;
    {
      const std::lock_guard lock(db.mutex);
      raw = db.raw;
      state = db.state;
      for (const auto &[id, f] : db.fallbacks)
        projects.push_back(id);
    }
    if (!raw)
      return open_database();
    if (state != SourceState::ok) {
      (void)raw->projects(); // one cheap query: is it back?
      forget_projects();
      recover(db);
    }
    for (const auto &project : projects)
      keep_fallback(db, project, Refresh::if_old);
  } catch (const Error &e) {
    if (e.code() == ErrorCode::database || e.code() == ErrorCode::config)
      fail(db, e.what());
    // not_found: a project removed meanwhile; its fallback simply ages
  } catch (...) {
  }
}

void SpecsService::Impl::run_prober(const std::stop_token &stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  while (!wake.wait_for(lock, stop, config.probe_interval, [] { return false; }) &&
         !stop.stop_requested()) {
    lock.unlock();
    probe_database();
    lock.lock();
  }
}

} // namespace leanspec
