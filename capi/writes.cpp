// Implements the writes section of capi/leanspec.h: SpecsService::update(),
// toggle_checklist_item() and create(), JSON in and out.
#include "guard.hpp"

using namespace leanspec;
using namespace leanspec::capi;

extern "C" {

leanspec_status leanspec_service_update(leanspec_string *out, leanspec_service *service,
                                        const char *ref, const char *update_json,
                                        const char *base_hash, const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    auto &impl = *require(service, "service")->impl;
    const SpecUpdate update = parse_spec_update(require(update_json, "update_json"), "update_json");
    set_string(out,
               to_json(*impl.update(require(ref, "ref"), update, require(base_hash, "base_hash"),
                                    optional_text(project_id))));
  });
}

leanspec_status leanspec_service_toggle_checklist_item(leanspec_string *out,
                                                       leanspec_service *service, const char *ref,
                                                       int32_t index, const char *base_hash,
                                                       const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    auto &impl = *require(service, "service")->impl;
    set_string(out, to_json(*impl.toggle_checklist_item(require(ref, "ref"), index,
                                                        require(base_hash, "base_hash"),
                                                        optional_text(project_id))));
  });
}

leanspec_status leanspec_service_create(leanspec_string *out, leanspec_service *service,
                                        const char *spec_json, const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    auto &impl = *require(service, "service")->impl;
    const NewSpec spec = parse_new_spec(require(spec_json, "spec_json"), "spec_json");
    set_string(out, to_json(*impl.create(spec, optional_text(project_id))));
  });
}

} // extern "C"
