// Implements the health of include/leanspec/specs_service.hpp: each route's state machine
// (ok; stale: failing with data to answer from; down: failing with none), SpecsService::health()
// and is_stale(), and the words of SourceKind and SourceState.
#include "service/specs_service_impl.hpp"

namespace leanspec {

void SpecsService::Impl::fail(Route &route, std::string message) {
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

void SpecsService::Impl::recover(Route &route) {
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

std::shared_ptr<CachingSource> SpecsService::Impl::healthy_cache(Route &route) const {
  const std::lock_guard lock(route.mutex);
  return route.state == SourceState::ok ? route.cache : nullptr;
}

std::shared_ptr<CachingSource> SpecsService::Impl::any_cache(Route &route) const {
  const std::lock_guard lock(route.mutex);
  return route.cache;
}

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

std::string_view to_string(SourceKind kind) noexcept {
  return kind == SourceKind::database ? "database" : "filesystem";
}

std::string_view to_string(SourceState state) noexcept {
  switch (state) {
  case SourceState::ok:
    return "ok";
  case SourceState::stale:
    return "stale";
  case SourceState::down:
    return "down";
  }
  return "ok";
}

} // namespace leanspec
