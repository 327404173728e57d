// Implements the routing of SpecsService (include/leanspec/specs_service.hpp): which route
// (filesystem or database) serves a project id, the registered projects behind the default
// one, and the SpecSource calls, each routed to the cache or the fallback.
#include "service/specs_service_impl.hpp"

namespace leanspec {

// The route serving `requested`, and the project id to ask it for.
Route &SpecsService::Impl::route_for(std::string_view requested, std::string &project) {
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
std::vector<Project> SpecsService::Impl::database_projects() {
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

std::string SpecsService::Impl::default_database_project() {
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

void SpecsService::Impl::forget_projects() {
  const std::lock_guard lock(known_mutex);
  known_at.reset();
}

// The open DatabaseSource for registry calls. @throws Error not_found (no database mode),
// database (not reachable)
std::shared_ptr<DatabaseSource> SpecsService::Impl::database() {
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
std::shared_ptr<GithubSync> SpecsService::Impl::github() {
  (void)database(); // the same errors
  const std::lock_guard lock(db.mutex);
  return sync;
}

void SpecsService::Impl::registry_changed() {
  forget_projects();
  if (const auto cache = any_cache(db))
    cache->invalidate();
}

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
  if (const auto set = detail::parse_project_set(query.project_id))
    return impl_->list_set(query, *set);
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
  if (const auto set = detail::parse_project_set(query.project_id))
    return impl_->search_set(query, *set);
  std::string project;
  Route &route = impl_->route_for(query.project_id, project);
  SearchQuery routed = query;
  routed.project_id = project;
  return impl_->read<SearchResult>(
      route, project, [&](const SpecSource &s) { return s.search(routed); },
      [&](const detail::Snapshot &snapshot) { return snapshot.search(routed); });
}

std::shared_ptr<const Stats> SpecsService::stats(std::string_view project_id) const {
  if (const auto set = detail::parse_project_set(project_id))
    return impl_->stats_set(*set);
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

} // namespace leanspec
