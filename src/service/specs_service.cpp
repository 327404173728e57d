// Implements SpecsService of include/leanspec/specs_service.hpp: startup (the configured
// routes), shutdown and change events. Calls go to the cache while a source is ok; when it fails
// (a database error, the specs directory gone) they are answered from a Snapshot built from the
// fallback. Routing, health, fallbacks, the database prober, cache control, the registry and the
// sync live beside this file (src/service/specs_service_impl.hpp lists them).
#include "db/database_url.hpp"
#include "service/specs_service_impl.hpp"

#include <leanspec/filesystem_source.hpp>

namespace leanspec::detail {

Timestamp now_utc() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

} // namespace leanspec::detail

namespace leanspec {

SpecsService::Impl::~Impl() {
  if (prober.joinable()) {
    prober.request_stop();
    prober.join();
  }
  std::shared_ptr<GithubSync> stopping;
  {
    const std::lock_guard lock(db.mutex);
    stopping = std::move(sync);
  }
  stopping.reset();        // stops and joins the scheduler
  fs.subscription.reset(); // waits for a running callback, which may lock a route
  Subscription database_events;
  {
    const std::lock_guard lock(db.mutex);
    database_events = std::move(db.subscription);
  }
  database_events.reset();
}

void SpecsService::Impl::on_event(Route &route, const ChangeEvent &event) {
  if (route.kind == SourceKind::filesystem) {
    std::error_code ec;
    if (!std::filesystem::is_directory(specs_dir, ec)) {
      fail(route, "specs directory '" + specs_dir.string() +
                      "' is missing (removed or renamed); serving the last snapshot read "
                      "from it until it is back");
      return; // held back: what the service serves has not changed
    }
    try {
      keep_fallback(route, fs_project_id, Refresh::always);
    } catch (...) {
    }
    recover(route);
  } else {
    const std::lock_guard lock(route.mutex);
    if (const auto it = route.fallbacks.find(event.project_id); it != route.fallbacks.end())
      it->second.dirty = true;
  }
  notifier.publish(event);
}

// Opens the watched FilesystemSource of the specs directory (its folder pattern from the
// project's config file when that describes the same directory), its cache, and its fallback.
void SpecsService::Impl::open_filesystem() {
  FilesystemOptions options;
  if (config.specs_dir.empty()) {
    options = discover_options(".");
  } else {
    options.specs_dir = config.specs_dir;
    try { // the folder pattern, when the project's config file describes this directory
      const auto discovered = discover_options(options.specs_dir.parent_path());
      std::error_code ec;
      if (std::filesystem::equivalent(discovered.specs_dir, options.specs_dir, ec))
        options.pattern = discovered.pattern;
    } catch (const Error &) {
    }
  }
  options.watch = true;
  specs_dir = options.specs_dir;
  auto source = make_filesystem_source(std::move(options));
  fs_project_id = source->projects().front().id;
  fs.description = source->projects().front().specs_dir;
  fs.raw = source;
  fs.filesystem = source;
  fs.cache = make_caching_source(source, CacheOptions{config.cache_ttl, {}});
  fs.subscription = fs.cache->subscribe([this](const ChangeEvent &e) { on_event(fs, e); });
  keep_fallback(fs, fs_project_id, Refresh::always);
}

SpecsService::SpecsService(ServiceConfig config) : impl_(std::make_unique<Impl>()) {
  Impl &s = *impl_;
  if (auto problems = config.problems(); !problems.empty()) {
    std::string text = "bad configuration:";
    for (const auto &p : problems)
      text += "\n  " + p;
    throw Error(ErrorCode::config, text);
  }
  s.config = std::move(config);
  if (!s.config.revalidation_secret.empty())
    s.revalidation_digest = sha256(s.config.revalidation_secret);

  s.fs.kind = SourceKind::filesystem;
  s.db.kind = SourceKind::database;
  s.fs.configured = s.config.mode != SpecsMode::database;
  s.db.configured = s.config.mode != SpecsMode::filesystem;

  if (s.fs.configured)
    s.open_filesystem();
  if (s.db.configured) {
    s.db.description = detail::parse_database_url(s.config.database_url).description;
    s.db.state = SourceState::down;
    s.db.error = "not opened yet";
    s.open_database();
    s.prober = std::jthread([impl = impl_.get()](std::stop_token stop) { impl->run_prober(stop); });
  }
}

SpecsService::~SpecsService() = default;

SpecsMode SpecsService::mode() const noexcept { return impl_->config.mode; }
const ServiceConfig &SpecsService::config() const noexcept { return impl_->config; }
const std::string &SpecsService::filesystem_project_id() const noexcept {
  return impl_->fs_project_id;
}

std::shared_ptr<SpecsService> make_specs_service(ServiceConfig config) {
  return std::make_shared<SpecsService>(std::move(config));
}

} // namespace leanspec
