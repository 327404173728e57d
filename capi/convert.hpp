#pragma once
// Internal to capi/: the conversions between C arguments and C++ values that capi/*.cpp are
// made of: JSON input (simdjson) to queries and projects, C++ results (to_json()) to
// leanspec_string. Every failure is a leanspec::Error invalid_argument naming the argument
// and key (e.g. "query_json.status: unknown status 'x'").

#include "handles.hpp"
#include "leanspec.h"

#include <leanspec/leanspec.hpp>
#include <leanspec/specs_service.hpp>
#include <string>
#include <string_view>
#include <utility>

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
/// A project to register from `json`; keys it omits keep RegisteredProject's defaults.
RegisteredProject parse_project(const char *json, const char *argument);
/// The id and the patch of an update from `json`: keys it omits stay empty in the patch.
std::pair<std::string, ProjectPatch> parse_project_patch(const char *json, const char *argument);

/// A SpecUpdate from `json`: {"status", "priority", "tagsAdd", "tagsRemove", "dependsOnAdd",
/// "dependsOnRemove" (a string or an array), "parent", "assignee", "body" (strings), "fields"
/// (an object of strings or nulls)}; invalid_argument names a bad key or value.
SpecUpdate parse_spec_update(const char *json, const char *argument);
/// A NewSpec from {"title", "slug", "status", "priority", "tags", "assignee", "body"} ("title"
/// required). @throws Error invalid_argument naming the argument and key
NewSpec parse_new_spec(const char *json, const char *argument);

/// A service configuration from `json` (see leanspec_source_open_service); NULL or "" is
/// ServiceConfig::from_env().
ServiceConfig parse_service_config(const char *json, const char *argument);

/// `count` C headers as name/value pairs; invalid_argument "headers[i].name is NULL" and the
/// like for a NULL pointer.
std::vector<std::pair<std::string, std::string>> header_pairs(const leanspec_header *headers,
                                                              std::size_t count);

/// Calls `f` with the source as a DatabaseSource or a SpecsService (the two with a registry).
template <class F>
decltype(auto) with_registry(const leanspec_source *source, const char *function, F &&f) {
  auto *impl = require(source, "source")->impl.get();
  if (auto *db = dynamic_cast<DatabaseSource *>(impl))
    return f(*db);
  if (auto *service = dynamic_cast<SpecsService *>(impl))
    return f(*service);
  throw Error(ErrorCode::invalid_argument,
              std::string(function) + ": source is neither a database source nor a service");
}

/// Moves `text` into `*out` (a malloc'd copy with a NUL); throws bad_alloc.
void set_string(leanspec_string *out, std::string_view text);

/// The source as T, or invalid_argument "<function>: not a <what> source".
template <class T> T &as(const leanspec_source *source, const char *function, const char *what) {
  auto *typed = dynamic_cast<T *>(require(source, "source")->impl.get());
  if (typed == nullptr)
    throw Error(ErrorCode::invalid_argument,
                std::string(function) + ": source is not a " + what + " source");
  return *typed;
}

} // namespace leanspec::capi
