// Implements the deprecated section of capi/leanspec.h: the service calls that took a
// leanspec_source before leanspec_service, each forwarded to the leanspec_service_* call of the
// same name. Removed, with this file, in the next release.
#include "guard.hpp"

#include <optional>
#include <string>

using namespace leanspec;
using namespace leanspec::capi;

namespace {

// Calls `call` with a handle sharing the service behind `source`; LEANSPEC_EINVALID naming
// `function` when there is none. `out` (may be NULL) is reset first, as every call does.
template <class F>
leanspec_status forward(const leanspec_source *source, const char *function, F &&call,
                        leanspec_string *out = nullptr) noexcept {
  if (out != nullptr)
    *out = {nullptr, 0};
  std::optional<leanspec_service> service;
  const leanspec_status found = guard([&] {
    auto impl = std::dynamic_pointer_cast<SpecsService>(require(source, "source")->impl);
    if (!impl)
      throw Error(ErrorCode::invalid_argument, std::string(function) + ": source is not a service");
    service.emplace(std::move(impl));
  });
  return found == LEANSPEC_OK ? call(&*service) : found;
}

} // namespace

extern "C" {

leanspec_status leanspec_source_open_service(leanspec_source **out,
                                             const char *config_json) noexcept {
  return guard([&] {
    reset(out);
    auto config = parse_service_config(config_json, "config_json");
    *out = new leanspec_source{make_specs_service(std::move(config))};
  });
}

leanspec_status leanspec_source_health(leanspec_string *out,
                                       const leanspec_source *source) noexcept {
  return forward(
      source, "leanspec_source_health", [&](auto *s) { return leanspec_service_health(out, s); },
      out);
}

leanspec_status leanspec_source_is_stale(bool *out, const leanspec_source *source,
                                         const char *project_id) noexcept {
  return forward(source, "leanspec_source_is_stale",
                 [&](auto *s) { return leanspec_service_is_stale(out, s, project_id); });
}

leanspec_status leanspec_source_served_projects(leanspec_string *out,
                                                const leanspec_source *source) noexcept {
  return forward(
      source, "leanspec_source_served_projects",
      [&](auto *s) { return leanspec_service_served_projects(out, s); }, out);
}

leanspec_status leanspec_source_revalidate(bool *out, leanspec_source *source, const char *secret,
                                           const char *ref, const char *project_id) noexcept {
  return forward(source, "leanspec_source_revalidate", [&](auto *s) {
    return leanspec_service_revalidate(out, s, secret, ref, project_id);
  });
}

leanspec_status leanspec_source_filesystem_project_id(leanspec_string *out,
                                                      const leanspec_source *source) noexcept {
  return forward(
      source, "leanspec_source_filesystem_project_id",
      [&](auto *s) { return leanspec_service_filesystem_project_id(out, s); }, out);
}

leanspec_status leanspec_source_start_sync(leanspec_source *source) noexcept {
  return forward(source, "leanspec_source_start_sync",
                 [&](auto *s) { return leanspec_service_start_sync(s); });
}

leanspec_status leanspec_source_stop_sync(leanspec_source *source) noexcept {
  return forward(source, "leanspec_source_stop_sync",
                 [&](auto *s) { return leanspec_service_stop_sync(s); });
}

leanspec_status leanspec_source_sync_now(leanspec_string *out, leanspec_source *source,
                                         const char *project_id) noexcept {
  return forward(
      source, "leanspec_source_sync_now",
      [&](auto *s) { return leanspec_service_sync_now(out, s, project_id); }, out);
}

leanspec_status leanspec_source_request_sync(leanspec_source *source,
                                             const char *project_id) noexcept {
  return forward(source, "leanspec_source_request_sync",
                 [&](auto *s) { return leanspec_service_request_sync(s, project_id); });
}

leanspec_status leanspec_source_sync_runs(leanspec_string *out, const leanspec_source *source,
                                          const char *project_id, size_t limit) noexcept {
  return forward(
      source, "leanspec_source_sync_runs",
      [&](auto *s) { return leanspec_service_sync_runs(out, s, project_id, limit); }, out);
}

leanspec_status leanspec_source_handle_webhook(leanspec_string *out, leanspec_source *source,
                                               const leanspec_header *headers, size_t header_count,
                                               const char *body, size_t body_size) noexcept {
  return forward(
      source, "leanspec_source_handle_webhook",
      [&](auto *s) {
        return leanspec_service_handle_webhook(out, s, headers, header_count, body, body_size);
      },
      out);
}

} // extern "C"
