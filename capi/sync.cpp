// Implements the GitHub sync and webhooks section of capi/leanspec.h: a service's sync
// scheduler, sync runs and webhook deliveries.
#include "guard.hpp"

using namespace leanspec;
using namespace leanspec::capi;

extern "C" {

leanspec_status leanspec_source_start_sync(leanspec_source *source) noexcept {
  return guard(
      [&] { as<SpecsService>(source, "leanspec_source_start_sync", "service").start_sync(); });
}

leanspec_status leanspec_source_stop_sync(leanspec_source *source) noexcept {
  return guard(
      [&] { as<SpecsService>(source, "leanspec_source_stop_sync", "service").stop_sync(); });
}

leanspec_status leanspec_source_sync_now(leanspec_string *out, leanspec_source *source,
                                         const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    auto &service = as<SpecsService>(source, "leanspec_source_sync_now", "service");
    set_string(out, to_json(service.sync_now(require(project_id, "project_id"))));
  });
}

leanspec_status leanspec_source_request_sync(leanspec_source *source,
                                             const char *project_id) noexcept {
  return guard([&] {
    auto &service = as<SpecsService>(source, "leanspec_source_request_sync", "service");
    service.request_sync(require(project_id, "project_id"));
  });
}

leanspec_status leanspec_source_sync_runs(leanspec_string *out, const leanspec_source *source,
                                          const char *project_id, size_t limit) noexcept {
  return guard([&] {
    reset(out);
    const auto &service = as<SpecsService>(source, "leanspec_source_sync_runs", "service");
    set_string(out, to_json(service.sync_runs(require(project_id, "project_id"), limit)));
  });
}

leanspec_status leanspec_source_handle_webhook(leanspec_string *out, leanspec_source *source,
                                               const leanspec_header *headers, size_t header_count,
                                               const char *body, size_t body_size) noexcept {
  return guard([&] {
    reset(out);
    auto &service = as<SpecsService>(source, "leanspec_source_handle_webhook", "service");
    const auto pairs = header_pairs(headers, header_count);
    const std::string_view raw =
        body_size == 0 ? std::string_view() : std::string_view(require(body, "body"), body_size);
    set_string(out, to_json(service.handle_webhook(pairs, raw)));
  });
}

} // extern "C"
