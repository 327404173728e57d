// Implements SpecsService of include/leanspec/specs_service.hpp. Each configured source is a
// Route: the source, the CachingSource over it, its health, and per project the last full spec
// list read from it (the fallback). Calls go to the cache while the source is ok; when it fails
// (a database error, the specs directory gone) they are answered from a Snapshot built from the
// fallback. A probe thread reopens or re-reads a failing database every probe_interval and
// keeps the database fallbacks fresh; the filesystem route follows the watcher's events.
#include "core/change_notifier.hpp"
#include "db/database_url.hpp"
#include "snapshot/snapshot.hpp"

#include <condition_variable>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/specs_service.hpp>
#include <map>
#include <mutex>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stop_token>
#include <thread>

namespace leanspec {

namespace {

using Steady = std::chrono::steady_clock;

Timestamp now_utc() {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
  Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size())
    throw Error(ErrorCode::internal, "SHA-256 failed (OpenSSL)");
  return digest;
}

// The last full spec list read from a source for one project, and the snapshot built from it
// the first time it is needed.
struct Fallback {
  std::shared_ptr<const SpecList> specs;
  Steady::time_point read_at;
  bool dirty = false; // a change event came after it was read
  std::shared_ptr<const detail::Snapshot> snapshot;
};

struct Route {
  SourceKind kind = SourceKind::filesystem;
  bool configured = false;
  mutable std::mutex mutex; // guards everything below
  std::string description;
  std::shared_ptr<const SpecSource> raw; // FilesystemSource or DatabaseSource; null until open
  std::shared_ptr<DatabaseSource> database;
  std::shared_ptr<CachingSource> cache;
  Subscription subscription; // to the cache's events
  SourceState state = SourceState::ok;
  std::string error;
  Timestamp since = now_utc();
  std::map<std::string, Fallback, std::less<>> fallbacks;
};

} // namespace

struct SpecsService::Impl {
  ServiceConfig config;
  std::filesystem::path specs_dir;
  std::string fs_project_id;
  std::optional<Digest> revalidation_digest;
  detail::ChangeNotifier notifier;
  Route fs, db;

  std::mutex known_mutex; // the registered projects last read, for defaults and outages
  std::vector<Project> known_projects;
  std::optional<Steady::time_point> known_at;
  std::vector<RegisteredProject> known_registrations;

  // The GitHub sync over the opened DatabaseSource (guarded by db.mutex), and whether the host
  // asked for its scheduler.
  std::shared_ptr<GithubSync> sync;
  bool sync_wanted = false;

  std::jthread prober; // started last, stopped first

  ~Impl() {
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

  // --- health -------------------------------------------------------------------------------

  void fail(Route &route, std::string message) {
    const std::lock_guard lock(route.mutex);
    bool has_data = false;
    for (const auto &[id, f] : route.fallbacks)
      has_data = has_data || f.specs;
    const SourceState next = has_data ? SourceState::stale : SourceState::down;
    if (route.state != next)
      route.since = now_utc();
    if (route.error != message)
      for (auto &[id, f] : route.fallbacks)
        f.snapshot.reset(); // rebuilt with the new error as its diagnostic
    route.state = next;
    route.error = std::move(message);
  }

  void recover(Route &route) {
    std::shared_ptr<CachingSource> cache;
    {
      const std::lock_guard lock(route.mutex);
      if (route.state == SourceState::ok)
        return;
      route.state = SourceState::ok;
      route.error.clear();
      route.since = now_utc();
      for (auto &[id, f] : route.fallbacks)
        f.snapshot.reset();
      cache = route.cache;
    }
    if (cache)
      cache->invalidate(); // whatever it kept may predate the outage
  }

  std::shared_ptr<CachingSource> healthy_cache(Route &route) const {
    const std::lock_guard lock(route.mutex);
    return route.state == SourceState::ok ? route.cache : nullptr;
  }

  std::shared_ptr<CachingSource> any_cache(Route &route) const {
    const std::lock_guard lock(route.mutex);
    return route.cache;
  }

  // --- fallbacks ----------------------------------------------------------------------------

  enum class Refresh { if_missing, if_old, always };

  // Reads the project's whole spec list from the source itself (not the cache, so the cache's
  // counters stay the host's) and keeps it as the project's fallback.
  void keep_fallback(Route &route, const std::string &project, Refresh refresh) {
    std::shared_ptr<const SpecSource> raw;
    {
      const std::lock_guard lock(route.mutex);
      const auto it = route.fallbacks.find(project);
      const bool have = it != route.fallbacks.end() && it->second.specs;
      if (have && refresh == Refresh::if_missing)
        return;
      if (have && refresh == Refresh::if_old && !it->second.dirty &&
          Steady::now() - it->second.read_at < config.probe_interval)
        return;
      raw = route.raw;
    }
    if (!raw)
      return;
    ListQuery all;
    all.project_id = project;
    const Steady::time_point started = Steady::now();
    auto specs = raw->list(all); // may throw; callers decide
    const std::lock_guard lock(route.mutex);
    Fallback &f = route.fallbacks[project];
    f.specs = std::move(specs);
    f.read_at = started;
    f.dirty = false;
    f.snapshot.reset();
  }

  std::shared_ptr<const detail::Snapshot> fallback_snapshot(Route &route,
                                                            const std::string &project) {
    const std::lock_guard lock(route.mutex);
    const auto it = route.fallbacks.find(project);
    if (it == route.fallbacks.end() || !it->second.specs)
      return nullptr;
    Fallback &f = it->second;
    if (!f.snapshot) {
      const char *code =
          route.kind == SourceKind::filesystem ? "specs-dir-missing" : "database-unavailable";
      std::vector<Diagnostic> diagnostics{{Diagnostic::Severity::error,
                                           {},
                                           {},
                                           0,
                                           code,
                                           route.error + " (answers are the last data read)"}};
      f.snapshot =
          std::make_shared<const detail::Snapshot>(project, f.specs->specs, std::move(diagnostics));
    }
    return f.snapshot;
  }

  Error unavailable(Route &route, std::string_view project) const {
    const std::lock_guard lock(route.mutex);
    return Error(ErrorCode::database, "the " + std::string(to_string(route.kind)) + " source " +
                                          route.description + " is unavailable and nothing of " +
                                          "project '" + std::string(project) +
                                          "' was read from it before: " + route.error);
  }

  // One routed read: the cache while the source is ok, else the fallback.
  template <class T, class Call, class Answer>
  std::shared_ptr<const T> read(Route &route, const std::string &project, Call &&call,
                                Answer &&answer) {
    if (const auto cache = healthy_cache(route)) {
      try {
        auto result = call(*cache);
        if (route.kind == SourceKind::database)
          remember(route, project);
        return result;
      } catch (const Error &e) {
        if (e.code() != ErrorCode::database)
          throw;
        fail(route, e.what());
      }
    }
    const auto snapshot = fallback_snapshot(route, project);
    if (!snapshot)
      throw unavailable(route, project);
    return answer(*snapshot);
  }

  // After a good read: make sure the project has a fallback (read once; the prober refreshes).
  void remember(Route &route, const std::string &project) noexcept {
    try {
      keep_fallback(route, project, Refresh::if_missing);
    } catch (const Error &e) {
      if (e.code() == ErrorCode::database)
        fail(route, e.what());
    } catch (...) {
    }
  }

  // --- routing ------------------------------------------------------------------------------

  // The route serving `requested`, and the project id to ask it for.
  Route &route_for(std::string_view requested, std::string &project) {
    if (fs.configured && (requested.empty() || requested == fs_project_id)) {
      project = fs_project_id;
      return fs;
    }
    if (!db.configured)
      throw Error(ErrorCode::not_found,
                  "project '" + std::string(requested) +
                      "' is not served: database mode is off (SPECS_MODE=filesystem serves only "
                      "the filesystem project '" +
                      fs_project_id + "')");
    project = requested.empty() ? default_database_project() : std::string(requested);
    return db;
  }

  // The registered projects, read again when older than the cache TTL; on a database failure
  // the last ones read. @throws Error database when none were ever read
  std::vector<Project> database_projects() {
    {
      const std::lock_guard lock(known_mutex);
      if (known_at && Steady::now() - *known_at < config.cache_ttl)
        return known_projects;
    }
    std::shared_ptr<const SpecSource> raw;
    {
      const std::lock_guard lock(db.mutex);
      if (db.state == SourceState::ok)
        raw = db.raw;
    }
    if (raw) {
      try {
        auto projects = raw->projects();
        const std::lock_guard lock(known_mutex);
        known_projects = projects;
        known_at = Steady::now();
        return projects;
      } catch (const Error &e) {
        if (e.code() != ErrorCode::database)
          throw;
        fail(db, e.what());
      }
    }
    const std::lock_guard lock(known_mutex);
    if (!known_at)
      throw unavailable(db, "(any)");
    return known_projects;
  }

  std::string default_database_project() {
    const auto projects = database_projects();
    if (projects.size() == 1)
      return projects.front().id;
    if (projects.empty()) {
      const std::lock_guard lock(db.mutex);
      throw Error(ErrorCode::invalid_argument,
                  "no project id given, and no project is registered in the database (" +
                      db.description + ")");
    }
    std::string names;
    for (std::size_t i = 0; i < projects.size() && i < 5; ++i)
      names += (i ? ", " : "") + projects[i].id;
    throw Error(ErrorCode::invalid_argument,
                "a project id is needed: " + std::to_string(projects.size()) +
                    " projects are registered (" + names + (projects.size() > 5 ? ", ..." : "") +
                    ")");
  }

  void forget_projects() {
    const std::lock_guard lock(known_mutex);
    known_at.reset();
  }

  // The open DatabaseSource for registry calls. @throws Error not_found (no database mode),
  // database (not reachable)
  std::shared_ptr<DatabaseSource> database() {
    if (!db.configured)
      throw Error(ErrorCode::not_found, "the project registry needs the database, and database "
                                        "mode is off (SPECS_MODE=filesystem)");
    const std::lock_guard lock(db.mutex);
    if (!db.database)
      throw Error(ErrorCode::database,
                  "the database " + db.description + " is unreachable: " + db.error);
    return db.database;
  }

  // The GitHub sync. @throws Error not_found (no database mode), database (not reachable)
  std::shared_ptr<GithubSync> github() {
    (void)database(); // the same errors
    const std::lock_guard lock(db.mutex);
    return sync;
  }

  // Runs a registry call, noting a database failure in the health.
  template <class F> auto registry(F &&body) {
    const auto database_source = database();
    try {
      return body(*database_source);
    } catch (const Error &e) {
      if (e.code() == ErrorCode::database)
        fail(db, e.what());
      throw;
    }
  }

  void registry_changed() {
    forget_projects();
    if (const auto cache = any_cache(db))
      cache->invalidate();
  }

  // --- events -------------------------------------------------------------------------------

  void on_event(Route &route, const ChangeEvent &event) {
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

  // --- the database and its prober ----------------------------------------------------------

  void open_database() {
    try {
      DatabaseOptions options;
      options.database_url = config.database_url;
      // The cache decides how fresh answers are: each of its misses looks at the stored version
      // (one indexed read), so invalidate() and revalidate() take effect at once.
      options.recheck = std::chrono::milliseconds(0);
      auto database_source = make_database_source(options);
      auto cache = make_caching_source(database_source, CacheOptions{config.cache_ttl, {}});
      auto subscription =
          cache->subscribe([this](const ChangeEvent &event) { on_event(db, event); });
      SyncOptions sync_options;
      sync_options.api_url = config.github_api_url;
      sync_options.token = config.github_token;
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

  void probe_database() noexcept {
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

  void run_prober(const std::stop_token &stop) {
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
};

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

  if (s.fs.configured) {
    FilesystemOptions options;
    if (s.config.specs_dir.empty()) {
      options = discover_options(".");
    } else {
      options.specs_dir = s.config.specs_dir;
      try { // the folder pattern, when the project's config file describes this directory
        const auto discovered = discover_options(options.specs_dir.parent_path());
        std::error_code ec;
        if (std::filesystem::equivalent(discovered.specs_dir, options.specs_dir, ec))
          options.pattern = discovered.pattern;
      } catch (const Error &) {
      }
    }
    options.watch = true;
    s.specs_dir = options.specs_dir;
    auto source = make_filesystem_source(std::move(options));
    s.fs_project_id = source->projects().front().id;
    s.fs.description = source->projects().front().specs_dir;
    s.fs.raw = source;
    s.fs.cache = make_caching_source(source, CacheOptions{s.config.cache_ttl, {}});
    s.fs.subscription = s.fs.cache->subscribe(
        [impl = impl_.get()](const ChangeEvent &e) { impl->on_event(impl->fs, e); });
    s.keep_fallback(s.fs, s.fs_project_id, Impl::Refresh::always);
  }
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

// --- SpecSource ---------------------------------------------------------------------------

std::vector<Project> SpecsService::projects() const {
  std::vector<Project> out;
  if (impl_->fs.configured)
    out = impl_->fs.raw->projects();
  if (impl_->db.configured) {
    try {
      for (auto &p : impl_->database_projects())
        out.push_back(std::move(p));
    } catch (const Error &e) {
      if (e.code() != ErrorCode::database || !impl_->fs.configured)
        throw;
    }
  }
  return out;
}

std::shared_ptr<const SpecList> SpecsService::list(const ListQuery &query) const {
  std::string project;
  Route &route = impl_->route_for(query.project_id, project);
  ListQuery routed = query;
  routed.project_id = project;
  return impl_->read<SpecList>(
      route, project, [&](const SpecSource &s) { return s.list(routed); },
      [&](const detail::Snapshot &snapshot) { return snapshot.list(routed); });
}

SpecPtr SpecsService::get(std::string_view ref, std::string_view project_id) const {
  std::string project;
  Route &route = impl_->route_for(project_id, project);
  return impl_->read<Spec>(
      route, project, [&](const SpecSource &s) { return s.get(ref, project); },
      [&](const detail::Snapshot &snapshot) { return snapshot.get(ref); });
}

std::shared_ptr<const SearchResult> SpecsService::search(const SearchQuery &query) const {
  std::string project;
  Route &route = impl_->route_for(query.project_id, project);
  SearchQuery routed = query;
  routed.project_id = project;
  return impl_->read<SearchResult>(
      route, project, [&](const SpecSource &s) { return s.search(routed); },
      [&](const detail::Snapshot &snapshot) { return snapshot.search(routed); });
}

std::shared_ptr<const Stats> SpecsService::stats(std::string_view project_id) const {
  std::string project;
  Route &route = impl_->route_for(project_id, project);
  return impl_->read<Stats>(
      route, project, [&](const SpecSource &s) { return s.stats(project); },
      [&](const detail::Snapshot &snapshot) { return snapshot.stats(); });
}

std::shared_ptr<const Relationships>
SpecsService::relationships(std::string_view ref, std::string_view project_id) const {
  std::string project;
  Route &route = impl_->route_for(project_id, project);
  return impl_->read<Relationships>(
      route, project, [&](const SpecSource &s) { return s.relationships(ref, project); },
      [&](const detail::Snapshot &snapshot) { return snapshot.relationships(ref); });
}

std::shared_ptr<const std::vector<Diagnostic>>
SpecsService::validate(std::string_view project_id) const {
  std::string project;
  Route &route = impl_->route_for(project_id, project);
  return impl_->read<std::vector<Diagnostic>>(
      route, project, [&](const SpecSource &s) { return s.validate(project); },
      [&](const detail::Snapshot &snapshot) { return snapshot.validate(); });
}

Subscription SpecsService::subscribe(ChangeCallback callback) const {
  return impl_->notifier.subscribe(std::move(callback));
}

std::vector<ServedProject> SpecsService::served_projects() const {
  std::vector<ServedProject> out;
  const ServiceHealth now = health();
  const auto stale = [&](SourceKind kind) {
    for (const auto &h : now.sources)
      if (h.source == kind)
        return h.state != SourceState::ok;
    return false;
  };
  if (impl_->fs.configured)
    for (auto &p : impl_->fs.raw->projects())
      out.push_back({std::move(p), SourceKind::filesystem, stale(SourceKind::filesystem), {}});
  if (!impl_->db.configured)
    return out;
  std::vector<RegisteredProject> registrations;
  try {
    registrations = impl_->registry([](DatabaseSource &d) { return d.registered_projects(); });
    const std::lock_guard lock(impl_->known_mutex);
    impl_->known_registrations = registrations;
  } catch (const Error &e) {
    if (e.code() != ErrorCode::database)
      throw;
    const std::lock_guard lock(impl_->known_mutex);
    if (impl_->known_registrations.empty() && !impl_->fs.configured)
      throw;
    registrations = impl_->known_registrations;
  }
  const bool db_stale = stale(SourceKind::database);
  for (auto &r : registrations)
    out.push_back({Project{r.id, r.id, r.specs_path}, SourceKind::database, db_stale, r});
  return out;
}

// --- health and cache control -------------------------------------------------------------

ServiceHealth SpecsService::health() const {
  ServiceHealth out;
  out.mode = impl_->config.mode;
  for (const Route *route : {&impl_->fs, &impl_->db}) {
    if (!route->configured)
      continue;
    const std::lock_guard lock(route->mutex);
    out.sources.push_back(
        {route->kind, route->state, route->description, route->error, route->since});
    out.stale = out.stale || route->state != SourceState::ok;
  }
  return out;
}

bool SpecsService::is_stale(std::string_view project_id) const {
  std::string project;
  const Route &route = impl_->route_for(project_id, project);
  const std::lock_guard lock(route.mutex);
  return route.state != SourceState::ok;
}

void SpecsService::invalidate() noexcept {
  for (Route *route : {&impl_->fs, &impl_->db})
    if (const auto cache = impl_->any_cache(*route))
      cache->invalidate();
  impl_->forget_projects();
}

void SpecsService::invalidate(std::string_view ref, std::string_view project_id) noexcept {
  try {
    std::string project;
    Route &route = impl_->route_for(project_id, project);
    const auto cache = impl_->any_cache(route);
    if (!cache)
      return;
    // The cache keeps get() results by spec id: find the id a number or slug stands for.
    std::string id(ref);
    if (impl_->healthy_cache(route)) {
      try {
        if (const auto spec = cache->get(ref, project))
          id = spec->id;
      } catch (const Error &) {
      }
    }
    cache->invalidate(id, project);
    if (id != ref)
      cache->invalidate(ref, project);
    const std::lock_guard lock(route.mutex);
    if (const auto it = route.fallbacks.find(project); it != route.fallbacks.end())
      it->second.dirty = true;
  } catch (...) {
    invalidate();
  }
}

bool SpecsService::revalidate(std::string_view presented_secret,
                              std::optional<std::string_view> ref,
                              std::string_view project_id) noexcept {
  try {
    if (!impl_->revalidation_digest)
      return false;
    const Digest presented = sha256(presented_secret);
    const bool equal =
        CRYPTO_memcmp(presented.data(), impl_->revalidation_digest->data(), presented.size()) == 0;
    if (!equal || presented_secret.empty())
      return false;
    if (ref)
      invalidate(*ref, project_id);
    else
      invalidate();
    return true;
  } catch (...) {
    return false;
  }
}

CacheStats SpecsService::cache_stats() const {
  CacheStats out;
  for (Route *route : {&impl_->fs, &impl_->db}) {
    const auto cache = impl_->any_cache(*route);
    if (!cache)
      continue;
    SourceCacheStats stats{route->kind, cache->counters(), 0};
    const auto calls = stats.counters.hits + stats.counters.misses;
    stats.hit_rate = calls ? static_cast<double>(stats.counters.hits) / calls : 0;
    out.total.hits += stats.counters.hits;
    out.total.misses += stats.counters.misses;
    out.total.entries += stats.counters.entries;
    out.sources.push_back(stats);
  }
  const auto calls = out.total.hits + out.total.misses;
  out.hit_rate = calls ? static_cast<double>(out.total.hits) / calls : 0;
  return out;
}

// --- the project registry -----------------------------------------------------------------

void SpecsService::add_project(const RegisteredProject &project) {
  impl_->registry([&](DatabaseSource &d) { d.add_project(project); });
  impl_->registry_changed();
}

void SpecsService::update_project(std::string_view id, const ProjectPatch &patch) {
  impl_->registry([&](DatabaseSource &d) { d.update_project(id, patch); });
  impl_->registry_changed();
}

bool SpecsService::remove_project(std::string_view id) {
  const bool removed = impl_->registry([&](DatabaseSource &d) { return d.remove_project(id); });
  impl_->registry_changed();
  const std::lock_guard lock(impl_->db.mutex);
  if (const auto it = impl_->db.fallbacks.find(id); it != impl_->db.fallbacks.end())
    impl_->db.fallbacks.erase(it);
  return removed;
}

std::vector<RegisteredProject> SpecsService::registered_projects() const {
  return impl_->registry([](DatabaseSource &d) { return d.registered_projects(); });
}

ImportResult SpecsService::import_directory(std::string_view project_id,
                                            const std::filesystem::path &specs_dir) {
  const auto result =
      impl_->registry([&](DatabaseSource &d) { return d.import_directory(project_id, specs_dir); });
  impl_->registry_changed();
  try {
    impl_->keep_fallback(impl_->db, std::string(project_id), Impl::Refresh::always);
  } catch (const Error &) {
  }
  return result;
}

// --- GitHub sync and webhooks -------------------------------------------------------------

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

std::shared_ptr<SpecsService> make_specs_service(ServiceConfig config) {
  return std::make_shared<SpecsService>(std::move(config));
}

} // namespace leanspec
