// Implements the services section of capi/leanspec.h: the leanspec_service handle (opening,
// freeing, its view as a source) and the calls only a service answers (health, served
// projects, revalidation).
#include "guard.hpp"

using namespace leanspec;
using namespace leanspec::capi;

extern "C" {

leanspec_status leanspec_service_open(leanspec_service **out, const char *config_json) noexcept {
  return guard([&] {
    reset(out);
    auto config = parse_service_config(config_json, "config_json");
    *out = new leanspec_service(make_specs_service(std::move(config)));
  });
}

void leanspec_service_free(leanspec_service *service) noexcept { delete service; }

leanspec_source *leanspec_service_source(leanspec_service *service) noexcept {
  return service == nullptr ? nullptr : &service->source;
}

leanspec_status leanspec_service_health(leanspec_string *out,
                                        const leanspec_service *service) noexcept {
  return guard([&] {
    reset(out);
    set_string(out, to_json(require(service, "service")->impl->health()));
  });
}

leanspec_status leanspec_service_is_stale(bool *out, const leanspec_service *service,
                                          const char *project_id) noexcept {
  return guard([&] {
    *require(out, "out") = require(service, "service")->impl->is_stale(optional_text(project_id));
  });
}

leanspec_status leanspec_service_served_projects(leanspec_string *out,
                                                 const leanspec_service *service) noexcept {
  return guard([&] {
    reset(out);
    set_string(out, to_json(require(service, "service")->impl->served_projects()));
  });
}

leanspec_status leanspec_service_revalidate(bool *out, leanspec_service *service,
                                            const char *secret, const char *ref,
                                            const char *project_id) noexcept {
  return guard([&] {
    auto &impl = *require(service, "service")->impl;
    const auto ref_view = ref == nullptr ? std::nullopt : std::optional<std::string_view>(ref);
    *require(out, "out") =
        impl.revalidate(optional_text(secret), ref_view, optional_text(project_id));
  });
}

leanspec_status leanspec_service_filesystem_project_id(leanspec_string *out,
                                                       const leanspec_service *service) noexcept {
  return guard([&] {
    reset(out);
    set_string(out, require(service, "service")->impl->filesystem_project_id());
  });
}

} // extern "C"
