#pragma once
// Internal to the Python module: what every bind_*.cpp file shares. Each file binds one public
// header of include/leanspec/; module.cpp calls them in dependency order.

#include <chrono>
#include <cmath>
#include <leanspec/leanspec.hpp>
#include <memory>
#include <pybind11/chrono.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <string>

namespace py = pybind11;

namespace pybind11::detail {

/// The durations of the API from Python: a datetime.timedelta or a number of seconds, int or
/// float (pybind11's own caster refuses an int, so `sync_interval=300` was a TypeError). A bool
/// is refused (TypeError); NaN, an infinity or a value the duration cannot hold is a ValueError.
template <class Duration> class number_duration_caster : public duration_caster<Duration> {
public:
  bool load(handle src, bool convert) {
    if (PyBool_Check(src.ptr()) || !(PyLong_Check(src.ptr()) || PyFloat_Check(src.ptr())))
      return duration_caster<Duration>::load(src, convert);
    const double seconds = PyFloat_AsDouble(src.ptr()); // an int too large: OverflowError
    if (seconds == -1.0 && PyErr_Occurred())
      throw error_already_set();
    const double limit = std::chrono::duration<double>(Duration::max()).count() / 2;
    if (!std::isfinite(seconds) || std::fabs(seconds) >= limit)
      throw value_error("a duration must be a finite number of seconds, within " +
                        std::to_string(static_cast<long long>(limit)) + " of 0");
    this->value = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
    return true;
  }
};
template <>
class type_caster<std::chrono::seconds> : public number_duration_caster<std::chrono::seconds> {};
template <>
class type_caster<std::chrono::milliseconds>
    : public number_duration_caster<std::chrono::milliseconds> {};

} // namespace pybind11::detail

namespace leanspec::python {

/// py::gil_scoped_release, but its destructor may unwind. At interpreter exit a daemon thread
/// coming back from a call re-takes the GIL in PyEval_RestoreThread, which ends the thread with
/// pthread_exit, a forced unwind: through pybind11's noexcept destructor that was
/// std::terminate, aborting the whole process. Used alone or as py::call_guard<ReleaseGil>.
/// Each one counts as a call in flight (calls_in_flight.cpp) until the library returns.
class ReleaseGil {
public:
  ReleaseGil() : state_((enter_call(), PyEval_SaveThread())) {}
  ReleaseGil(const ReleaseGil &) = delete;
  ReleaseGil &operator=(const ReleaseGil &) = delete;
  ~ReleaseGil() noexcept(false) {
    leave_call();
    PyEval_RestoreThread(state_);
  }

private:
  static void enter_call() noexcept;
  static void leave_call() noexcept;
  PyThreadState *state_;
};

/// Binds _wait_for_calls, which leanspec/__init__.py registers with atexit: at interpreter exit
/// it waits, the GIL released, until no thread is inside the library or `seconds` have passed.
/// Python runs atexit callbacks while daemon threads still run, before exit() destroys static
/// objects (simdjson's, the private libstdc++'s) that a thread still in a call would use.
void bind_calls_in_flight(py::module_ &m);

/// pybind11 holders are std::shared_ptr<T>; the library hands out std::shared_ptr<const T>.
/// Every attribute bound on these types is read-only, so Python never writes through the
/// dropped const.
template <class T> std::shared_ptr<T> share(std::shared_ptr<const T> p) noexcept {
  return std::const_pointer_cast<T>(std::move(p));
}

/// A source handed to Python: when Python drops the last reference, the source is destroyed
/// with the GIL released. Its destructor joins the source's threads, and its change-event
/// thread may be waiting for the GIL (to run a callable, or to drop one), so destroying it
/// with the GIL held could deadlock.
template <class T> std::shared_ptr<T> python_owned(std::shared_ptr<T> source) {
  T *raw = source.get();
  return std::shared_ptr<T>(raw, [keep = std::move(source)](T *) mutable noexcept {
    if (PyGILState_Check()) {
      const ReleaseGil nogil;
      keep.reset();
    } else {
      keep.reset();
    }
  });
}

/// Gives an enum the read-only property `text`: to_string() of the value.
template <class Enum> void bind_text(py::enum_<Enum> &e) {
  e.def_property_readonly(
      "text", [](Enum v) { return std::string(to_string(v)); }, "the canonical text");
}

/// A Timestamp as an aware UTC datetime, or None.
py::object to_datetime(const std::optional<Timestamp> &time);

/// The filter keywords shared by list() and search(): each of status and priority is None, an
/// enum value, its text, or an iterable of those; tags is None, a string or an iterable.
/// @throws leanspec::Error invalid_argument naming the keyword
Filter to_filter(py::handle status, py::handle priority, py::handle tags,
                 std::string_view tags_match, std::optional<std::string> assignee,
                 std::optional<bool> archived);

/// The list and enum keywords of SpecsService.update(): status and priority are None, an enum
/// value or its text; each list is None, a string or an iterable of strings.
/// @throws leanspec::Error invalid_argument naming the keyword
/// A write mode: None (nullopt), WriteMode or its text. @throws Error invalid_argument
std::optional<WriteMode> to_write_mode(py::handle value);

/// A NewSpec from create()'s keywords (status, priority: None, an enum or its text; tags: None,
/// a string or an iterable). @throws Error invalid_argument naming the keyword
NewSpec to_new_spec(std::string title, std::string slug, py::handle status, py::handle priority,
                    py::handle tags, std::string assignee, std::string body);

/// The registry of GitHub projects, the same on DatabaseSource and SpecsService: add_project,
/// update_project, remove_project, registered_projects and import_directory, each releasing
/// the GIL around the call.
template <class Registry, class... Options>
void bind_registry(py::class_<Registry, Options...> &c) {
  const auto nogil = py::call_guard<ReleaseGil>();
  c.def(
       "add_project",
       [](Registry &r, std::string id, std::string branch, std::string specs_path,
          std::chrono::seconds sync_interval, py::handle write_mode) {
         RegisteredProject project{.id = std::move(id),
                                   .branch = std::move(branch),
                                   .specs_path = std::move(specs_path),
                                   .sync_interval = sync_interval};
         project.write_mode = to_write_mode(write_mode).value_or(WriteMode::commit);
         const ReleaseGil released;
         r.add_project(project);
       },
       py::arg("id"), py::kw_only(), py::arg("branch") = "main", py::arg("specs_path") = "specs",
       py::arg("sync_interval") = std::chrono::seconds(300), py::arg("write_mode") = py::none())
      .def(
          "update_project",
          [](Registry &r, std::string_view id, std::optional<std::string> branch,
             std::optional<std::string> specs_path, std::optional<std::chrono::seconds> interval,
             py::handle write_mode) {
            const ProjectPatch patch{.branch = std::move(branch),
                                     .specs_path = std::move(specs_path),
                                     .sync_interval = interval,
                                     .write_mode = to_write_mode(write_mode)};
            const ReleaseGil released;
            r.update_project(id, patch);
          },
          py::arg("id"), py::kw_only(), py::arg("branch") = py::none(),
          py::arg("specs_path") = py::none(), py::arg("sync_interval") = py::none(),
          py::arg("write_mode") = py::none(),
          "Changes the given fields of a registered project; the others keep their value.")
      .def("remove_project", &Registry::remove_project, py::arg("id"), nogil)
      .def("registered_projects", &Registry::registered_projects, nogil)
      .def("import_directory", &Registry::import_directory, py::arg("project_id"),
           py::arg("specs_dir"), nogil);
}

SpecUpdate to_spec_update(py::handle status, py::handle priority, py::handle tags_add,
                          py::handle tags_remove, py::handle depends_on_add,
                          py::handle depends_on_remove);

void bind_error(py::module_ &m);
void bind_spec(py::module_ &m);
void bind_query(py::module_ &m);
void bind_spec_source(py::module_ &m);
void bind_filesystem_source(py::module_ &m);
void bind_caching_source(py::module_ &m);
void bind_database_source(py::module_ &m);
void bind_github_sync(py::module_ &m);
void bind_specs_service(py::module_ &m);
void bind_json(py::module_ &m);

} // namespace leanspec::python
