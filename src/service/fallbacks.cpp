// Implements the fallbacks of SpecsService (src/service/specs_service_impl.hpp): per project,
// the last full spec list read from a source, and the Snapshot answering from it while the
// source fails.
#include "service/specs_service_impl.hpp"

namespace leanspec {

// Reads the project's whole spec list from the source itself (not the cache, so the cache's
// counters stay the host's) and keeps it as the project's fallback.
void SpecsService::Impl::keep_fallback(Route &route, const std::string &project, Refresh refresh) {
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

std::shared_ptr<const detail::Snapshot>
SpecsService::Impl::fallback_snapshot(Route &route, const std::string &project) {
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

Error SpecsService::Impl::unavailable(Route &route, std::string_view project) const {
  const std::lock_guard lock(route.mutex);
  return Error(ErrorCode::database, "the " + std::string(to_string(route.kind)) + " source " +
                                        route.description + " is unavailable and nothing of " +
                                        "project '" + std::string(project) +
                                        "' was read from it before: " + route.error);
}

// After a good read: make sure the project has a fallback (read once; the prober refreshes).
void SpecsService::Impl::remember(Route &route, const std::string &project) noexcept {
  try {
    keep_fallback(route, project, Refresh::if_missing);
  } catch (const Error &e) {
    if (e.code() == ErrorCode::database)
      fail(route, e.what());
  } catch (...) {
  }
}

} // namespace leanspec
