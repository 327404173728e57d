#pragma once
// Internal to capi/: the conversions between C arguments and C++ values that leanspec.cpp is
// made of: JSON input (simdjson) to queries and projects, C++ results to JSON text and
// leanspec_string. Every failure is a leanspec::Error invalid_argument naming the argument
// and key (e.g. "query_json.status: unknown status 'x'").

#include "handles.hpp"
#include "leanspec.h"

#include <leanspec/leanspec.hpp>
#include <string>
#include <string_view>

namespace leanspec::capi {

/// Throws invalid_argument "<name> is NULL" when `p` is NULL.
template <class T> T *require(T *p, const char *name) {
  if (p == nullptr)
    throw Error(ErrorCode::invalid_argument, std::string(name) + " is NULL");
  return p;
}
/// A NUL-terminated argument that may be NULL (then empty).
inline std::string_view optional_text(const char *s) noexcept {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

ListQuery parse_list_query(const char *json, const char *argument);
SearchQuery parse_search_options(const char *json, const char *argument);
/// A project from `json`; keys it omits keep their value in `registered` (for updates).
RegisteredProject parse_project(const char *json, const char *argument,
                                const std::vector<RegisteredProject> &registered = {});

/// Moves `text` into `*out` (a malloc'd copy with a NUL); throws bad_alloc.
void set_string(leanspec_string *out, std::string_view text);

std::string projects_json(const std::vector<Project> &projects);
std::string registered_projects_json(const std::vector<RegisteredProject> &projects);
std::string import_result_json(const ImportResult &result);
std::string cache_counters_json(const CacheCounters &counters);
std::string by_status_json(const std::map<Status, std::vector<SpecPtr>> &groups);

/// The source as T, or invalid_argument "<function>: not a <what> source".
template <class T> T &as(const leanspec_source *source, const char *function, const char *what) {
  auto *typed = dynamic_cast<T *>(require(source, "source")->impl.get());
  if (typed == nullptr)
    throw Error(ErrorCode::invalid_argument,
                std::string(function) + ": source is not a " + what + " source");
  return *typed;
}

} // namespace leanspec::capi
