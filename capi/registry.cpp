// Implements the project registry section of capi/leanspec.h: the calls database sources and
// services answer (convert.hpp's with_registry() picks which).
#include "guard.hpp"

using namespace leanspec;
using namespace leanspec::capi;

extern "C" {

leanspec_status leanspec_source_add_project(leanspec_source *source,
                                            const char *project_json) noexcept {
  return guard([&] {
    with_registry(source, "leanspec_source_add_project",
                  [&](auto &db) { db.add_project(parse_project(project_json, "project_json")); });
  });
}

leanspec_status leanspec_source_update_project(leanspec_source *source,
                                               const char *project_json) noexcept {
  return guard([&] {
    with_registry(source, "leanspec_source_update_project", [&](auto &db) {
      const auto [id, patch] = parse_project_patch(project_json, "project_json");
      db.update_project(id, patch);
    });
  });
}

leanspec_status leanspec_source_remove_project(bool *out, leanspec_source *source,
                                               const char *project_id) noexcept {
  return guard([&] {
    with_registry(source, "leanspec_source_remove_project", [&](auto &db) {
      const bool removed = db.remove_project(require(project_id, "project_id"));
      if (out != nullptr)
        *out = removed;
    });
  });
}

leanspec_status leanspec_source_registered_projects(leanspec_string *out,
                                                    const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    with_registry(source, "leanspec_source_registered_projects",
                  [&](auto &db) { set_string(out, to_json(db.registered_projects())); });
  });
}

leanspec_status leanspec_source_import_directory(leanspec_string *out, leanspec_source *source,
                                                 const char *project_id,
                                                 const char *specs_dir) noexcept {
  return guard([&] {
    reset(out);
    with_registry(source, "leanspec_source_import_directory", [&](auto &db) {
      const auto result =
          db.import_directory(require(project_id, "project_id"), require(specs_dir, "specs_dir"));
      set_string(out, to_json(result));
    });
  });
}

} // extern "C"
