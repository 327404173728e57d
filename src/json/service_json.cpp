// Implements the service part of include/leanspec/json.hpp: CacheCounters, CacheStats and
// ServiceHealth.
#include "json/json_writer.hpp"
#include <leanspec/json.hpp>

namespace leanspec {
namespace {

using detail::JsonWriter;

void write_counter_fields(JsonWriter &w, const CacheCounters &c) {
  w.key("hits").value(static_cast<std::size_t>(c.hits));
  w.key("misses").value(static_cast<std::size_t>(c.misses));
  w.key("entries").value(static_cast<std::size_t>(c.entries));
}

} // namespace

std::string to_json(const CacheCounters &counters) {
  JsonWriter w;
  w.begin_object();
  write_counter_fields(w, counters);
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const CacheStats &stats) {
  JsonWriter w;
  w.begin_object();
  write_counter_fields(w, stats.total);
  w.key("hitRate").value(stats.hit_rate);
  w.key("sources").begin_array();
  for (const auto &s : stats.sources) {
    w.begin_object();
    w.key("source").value(to_string(s.source));
    write_counter_fields(w, s.counters);
    w.key("hitRate").value(s.hit_rate);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const ServiceHealth &health) {
  JsonWriter w;
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

} // namespace leanspec
