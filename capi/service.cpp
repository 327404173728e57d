// Implements the services section of capi/leanspec.h: opening a service (SpecsService) and the
// calls only a service answers (health, served projects, revalidation).
#include "guard.hpp"

using namespace leanspec;
using namespace leanspec::capi;

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
  return guard([&] {
    reset(out);
    set_string(out,
               to_json(as<SpecsService>(source, "leanspec_source_health", "service").health()));
  });
}

leanspec_status leanspec_source_is_stale(bool *out, const leanspec_source *source,
                                         const char *project_id) noexcept {
  return guard([&] {
    const auto &service = as<SpecsService>(source, "leanspec_source_is_stale", "service");
    *require(out, "out") = service.is_stale(optional_text(project_id));
  });
}

leanspec_status leanspec_source_served_projects(leanspec_string *out,
                                                const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    const auto &service = as<SpecsService>(source, "leanspec_source_served_projects", "service");
    set_string(out, served_projects_json(service.served_projects()));
  });
}

leanspec_status leanspec_source_revalidate(bool *out, leanspec_source *source, const char *secret,
                                           const char *ref, const char *project_id) noexcept {
  return guard([&] {
    auto &service = as<SpecsService>(source, "leanspec_source_revalidate", "service");
    const auto ref_view = ref == nullptr ? std::nullopt : std::optional<std::string_view>(ref);
    *require(out, "out") =
        service.revalidate(optional_text(secret), ref_view, optional_text(project_id));
  });
}

leanspec_status leanspec_source_filesystem_project_id(leanspec_string *out,
                                                      const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    const auto &service =
        as<SpecsService>(source, "leanspec_source_filesystem_project_id", "service");
    set_string(out, service.filesystem_project_id());
  });
}

} // extern "C"
