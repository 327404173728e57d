// Binds include/leanspec/database_source.hpp: DatabaseSource, its project registry
// (RegisteredProject) and import_directory (ImportResult). Every database call releases the
// GIL.
#include "common.hpp"

namespace leanspec::python {

namespace {

// RegisteredProject: a registered project and its sync state.
void bind_registered_project(py::module_ &m) {
  py::enum_<WriteMode> mode(m, "WriteMode",
                            "How a write to a GitHub project lands: a commit on its branch, "
                            "or a pull request.");
  mode.value("COMMIT", WriteMode::commit).value("PULL_REQUEST", WriteMode::pull_request);
  bind_text(mode);
  py::class_<RegisteredProject>(m, "RegisteredProject", "A registered project and its sync state.")
      .def_readonly("id", &RegisteredProject::id)
      .def_readonly("branch", &RegisteredProject::branch)
      .def_readonly("specs_path", &RegisteredProject::specs_path)
      .def_readonly("sync_interval", &RegisteredProject::sync_interval)
      .def_readonly("sync_state", &RegisteredProject::sync_state)
      .def_readonly("sync_error", &RegisteredProject::sync_error)
      .def_readonly("commit_sha", &RegisteredProject::commit_sha)
      .def_property_readonly("last_commit",
                             [](const RegisteredProject &p) {
                               if (PyErr_WarnEx(PyExc_DeprecationWarning,
                                                "RegisteredProject.last_commit is deprecated: "
                                                "use commit_sha",
                                                1) < 0)
                                 throw py::error_already_set();
                               return p.commit_sha;
                             })
      .def_property_readonly(
          "last_synced_at",
          [](const RegisteredProject &p) {
            return p.last_synced_at == 0
                       ? py::none()
                       : to_datetime(Timestamp(std::chrono::milliseconds(p.last_synced_at)));
          })
      .def_property_readonly(
          "sync_interrupted_at",
          [](const RegisteredProject &p) {
            return p.sync_interrupted_at == 0
                       ? py::none()
                       : to_datetime(Timestamp(std::chrono::milliseconds(p.sync_interrupted_at)));
          })
      .def_readonly("snapshot_version", &RegisteredProject::snapshot_version)
      .def_readonly("spec_count", &RegisteredProject::spec_count)
      .def_readonly("write_mode", &RegisteredProject::write_mode);
}

} // namespace

void bind_database_source(py::module_ &m) {
  bind_registered_project(m);
  py::class_<ImportResult>(m, "ImportResult", "What storing a snapshot changed.")
      .def_readonly("added", &ImportResult::added)
      .def_readonly("updated", &ImportResult::updated)
      .def_readonly("removed", &ImportResult::removed)
      .def_readonly("version", &ImportResult::version);

  py::class_<DatabaseSource, SpecSource, std::shared_ptr<DatabaseSource>> database(
      m, "DatabaseSource", "Specs of registered projects in SQLite or PostgreSQL.");
  database
      .def(py::init([](std::string database_url, std::chrono::milliseconds recheck,
                       std::string project_id, std::size_t cache_bytes) {
             DatabaseOptions options{.database_url = std::move(database_url),
                                     .recheck = recheck,
                                     .project_id = std::move(project_id),
                                     .cache_bytes = cache_bytes};
             const ReleaseGil nogil_body;
             return python_owned(make_database_source(std::move(options)));
           }),
           py::arg("database_url") = "", py::kw_only(),
           py::arg("recheck") = std::chrono::milliseconds(20), py::arg("project_id") = "",
           py::arg("cache_bytes") = DatabaseOptions{}.cache_bytes)
      .def_property_readonly("description", &DatabaseSource::description);
  bind_registry(database);
}

} // namespace leanspec::python
