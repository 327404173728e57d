// Binds include/leanspec/filesystem_source.hpp: FilesystemSource and FolderPattern. The
// constructor reads the whole directory with the GIL released (inside the factory, after the
// arguments are converted: never a call_guard on py::init, pybind11/pybind11#6172).
#include "common.hpp"

namespace leanspec::python {

void bind_filesystem_source(py::module_ &m) {
  py::enum_<FolderPattern>(m, "FolderPattern", "How spec folders are laid out.")
      .value("FLAT", FolderPattern::flat)
      .value("DATE_GROUPED", FolderPattern::date_grouped);

  using std::chrono::milliseconds;
  py::class_<FilesystemSource, SpecSource, std::shared_ptr<FilesystemSource>>(
      m, "FilesystemSource", "The specs directory, served from memory; watch=True follows it.")
      .def(py::init([](std::filesystem::path specs_dir, std::string project_id,
                       FolderPattern pattern, bool watch, milliseconds debounce,
                       milliseconds poll_interval, bool force_polling, unsigned threads,
                       std::optional<std::filesystem::path> cache_dir, std::size_t max_file_size) {
             FilesystemOptions options{.specs_dir = std::move(specs_dir),
                                       .pattern = pattern,
                                       .project_id = std::move(project_id),
                                       .max_file_size = max_file_size,
                                       .threads = threads,
                                       .cache_dir = cache_dir.value_or(std::filesystem::path()),
                                       .watch = watch,
                                       .debounce = debounce,
                                       .poll_interval = poll_interval,
                                       .force_polling = force_polling};
             const ReleaseGil nogil;
             return python_owned(make_filesystem_source(std::move(options)));
           }),
           py::arg("specs_dir"), py::kw_only(), py::arg("project_id") = "",
           py::arg("pattern") = FolderPattern::flat, py::arg("watch") = false,
           py::arg("debounce") = milliseconds(20), py::arg("poll_interval") = milliseconds(1000),
           py::arg("force_polling") = false, py::arg("threads") = 0u,
           py::arg("cache_dir") = py::none(), py::arg("max_file_size") = std::size_t{8} << 20)
      .def("reload", &FilesystemSource::reload, py::call_guard<ReleaseGil>(),
           "Reads the directory again; publishes a new snapshot when anything changed.")
      .def_property_readonly("version", &FilesystemSource::version)
      .def_property_readonly("specs_dir",
                             [](const FilesystemSource &s) { return s.options().specs_dir; });

  m.def("default_cache_dir", &default_cache_dir);
}

} // namespace leanspec::python
