// Implements the to_json() overloads of include/leanspec/specs_service.hpp with the JsonWriter
// every other to_json() uses (src/json/json_writer.hpp).
#include "json/json_writer.hpp"
#include <leanspec/json.hpp>
#include <leanspec/specs_service.hpp>

namespace leanspec {

namespace {

void write_counters(detail::JsonWriter &w, const CacheCounters &c, double hit_rate) {
  w.key("hits").value(static_cast<long long>(c.hits));
  w.key("misses").value(static_cast<long long>(c.misses));
  w.key("entries").value(static_cast<long long>(c.entries));
  w.key("hitRate").value(hit_rate);
}

} // namespace

std::string to_json(const ServiceHealth &health) {
  detail::JsonWriter w;
  w.begin_object();
  w.key("mode").value(to_string(health.mode));
  w.key("stale").value(health.stale);
  w.key("sources").begin_array();
  for (const auto &s : health.sources) {
    w.begin_object();
    w.key("source").value(to_string(s.source));
    w.key("state").value(to_string(s.state));
    w.key("description").value(s.description);
    w.key("error").string_or_null(s.error);
    w.key("since").value(static_cast<long long>(s.since.time_since_epoch().count()));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const CacheStats &stats) {
  detail::JsonWriter w;
  w.begin_object();
  write_counters(w, stats.total, stats.hit_rate);
  w.key("sources").begin_array();
  for (const auto &s : stats.sources) {
    w.begin_object();
    w.key("source").value(to_string(s.source));
    write_counters(w, s.counters, s.hit_rate);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const ServedProject &served) {
  detail::JsonWriter w;
  w.begin_object();
  w.key("id").value(served.project.id);
  w.key("name").value(served.project.name);
  w.key("specsDir").value(served.project.specs_dir);
  w.key("source").value(to_string(served.source));
  w.key("stale").value(served.stale);
  w.key("registration");
  if (const auto &r = served.registration) {
    w.begin_object();
    w.key("branch").value(r->branch);
    w.key("specsPath").value(r->specs_path);
    w.key("syncIntervalSeconds").value(static_cast<long long>(r->sync_interval.count()));
    w.key("syncState").value(r->sync_state);
    w.key("syncError").string_or_null(r->sync_error);
    w.key("lastCommit").string_or_null(r->commit_sha);
    w.key("lastSyncedAt").value(static_cast<long long>(r->last_synced_at));
    w.key("syncInterruptedAt").value(static_cast<long long>(r->sync_interrupted_at));
    w.key("snapshotVersion").value(static_cast<long long>(r->snapshot_version));
    w.key("specCount").value(r->spec_count);
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
  return std::move(w.out());
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
