#pragma once
// Internal to the Python module: what every bind_*.cpp file shares. Each file binds one public
// header of include/leanspec/; module.cpp calls them in dependency order.

#include <leanspec/leanspec.hpp>
#include <memory>
#include <pybind11/chrono.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

namespace py = pybind11;

namespace leanspec::python {

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
      py::gil_scoped_release nogil;
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
