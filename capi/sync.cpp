// Implements the GitHub sync and webhooks section of capi/leanspec.h: a service's sync
// scheduler, sync runs and webhook deliveries.
#include "guard.hpp"

using namespace leanspec;
using namespace leanspec::capi;

extern "C" {

leanspec_status leanspec_service_start_sync(leanspec_service *service) noexcept {
  return guard([&] { require(service, "service")->impl->start_sync(); });
}

leanspec_status leanspec_service_stop_sync(leanspec_service *service) noexcept {
  return guard([&] { require(service, "service")->impl->stop_sync(); });
}

leanspec_status leanspec_service_sync_now(leanspec_string *out, leanspec_service *service,
                                          const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    auto &impl = *require(service, "service")->impl;
    set_string(out, to_json(impl.sync_now(require(project_id, "project_id"))));
  });
}

leanspec_status leanspec_service_request_sync(leanspec_service *service,
                                              const char *project_id) noexcept {
  return guard(
      [&] { require(service, "service")->impl->request_sync(require(project_id, "project_id")); });
}

leanspec_status leanspec_service_sync_runs(leanspec_string *out, const leanspec_service *service,
                                           const char *project_id, size_t limit) noexcept {
  return guard([&] {
    reset(out);
    const auto &impl = *require(service, "service")->impl;
    set_string(out, to_json(impl.sync_runs(require(project_id, "project_id"), limit)));
  });
}

leanspec_status leanspec_service_handle_webhook(leanspec_string *out, leanspec_service *service,
                                                const leanspec_header *headers, size_t header_count,
                                                const char *body, size_t body_size) noexcept {
  return guard([&] {
    reset(out);
    auto &impl = *require(service, "service")->impl;
    const auto pairs = header_pairs(headers, header_count);
    const std::string_view raw =
        body_size == 0 ? std::string_view() : std::string_view(require(body, "body"), body_size);
    set_string(out, to_json(impl.handle_webhook(pairs, raw)));
  });
}

} // extern "C"
