// Binds include/leanspec/caching_source.hpp: CachingSource and CacheCounters.
#include "common.hpp"

namespace leanspec::python {

void bind_caching_source(py::module_ &m) {
  py::class_<CacheCounters>(m, "CacheCounters", "A caching source's hit and miss counts.")
      .def_readonly("hits", &CacheCounters::hits)
      .def_readonly("misses", &CacheCounters::misses)
      .def_readonly("entries", &CacheCounters::entries);

  py::class_<CachingSource, SpecSource, std::shared_ptr<CachingSource>>(
      m, "CachingSource", "Keeps the results of another source for a time to live.")
      .def(py::init([](std::shared_ptr<SpecSource> inner, std::chrono::milliseconds ttl) {
             if (!inner)
               throw Error(ErrorCode::invalid_argument, "inner: expected a source, got None");
             return python_owned(make_caching_source(std::move(inner), {.ttl = ttl}));
           }),
           py::arg("inner"), py::kw_only(), py::arg("ttl") = std::chrono::milliseconds(60'000))
      .def(
          "invalidate",
          [](CachingSource &c, std::optional<std::string> ref, std::string_view project_id,
             std::optional<std::string> id) {
            if (id) { // the keyword's old name, kept for one release
              if (PyErr_WarnEx(PyExc_DeprecationWarning,
                               "CachingSource.invalidate(id=...) is deprecated: use ref=", 1) < 0)
                throw py::error_already_set();
              if (!ref)
                ref = std::move(id);
            }
            const ReleaseGil nogil;
            ref ? c.invalidate(*ref, project_id) : c.invalidate();
          },
          py::arg("ref") = py::none(), py::kw_only(), py::arg("project_id") = "",
          py::arg("id") = py::none(),
          "Drops every cached result, or those that may mention the spec `ref` names (id, number "
          "or slug).")
      .def("counters", &CachingSource::counters)
      .def_property_readonly("inner",
                             [](const CachingSource &c) { return python_owned(share(c.inner())); });
}

} // namespace leanspec::python
