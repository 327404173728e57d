// Binds include/leanspec/json.hpp: a to_json() method on every result type, the same bytes as
// C++ to_json() and the C API (tests/conformance checks it).
#include "common.hpp"

namespace leanspec::python {
namespace {

template <class T, class Holder = std::unique_ptr<T>>
void add_to_json(py::module_ &m, const char *name) {
  auto cls = py::reinterpret_borrow<py::class_<T, Holder>>(m.attr(name));
  cls.def(
      "to_json", [](const T &value) { return to_json(value); }, py::call_guard<ReleaseGil>(),
      "Compact JSON, camelCase keys in a fixed order.");
}

} // namespace

void bind_json(py::module_ &m) {
  auto spec = py::reinterpret_borrow<py::class_<Spec, std::shared_ptr<Spec>>>(m.attr("Spec"));
  spec.def(
      "to_json",
      [](const Spec &s, bool full) {
        return to_json(s, full ? JsonDetail::full : JsonDetail::summary);
      },
      py::kw_only(), py::arg("full") = true, py::call_guard<ReleaseGil>(),
      "Compact JSON: the detail (body, sub-specs, frontmatter, diagnostics), or with "
      "full=False the summary that lists carry.");
  add_to_json<SpecList, std::shared_ptr<SpecList>>(m, "SpecList");
  add_to_json<SearchResult, std::shared_ptr<SearchResult>>(m, "SearchResult");
  add_to_json<Stats, std::shared_ptr<Stats>>(m, "Stats");
  add_to_json<Relationships, std::shared_ptr<Relationships>>(m, "Relationships");
  add_to_json<Diagnostic>(m, "Diagnostic");
  add_to_json<Project>(m, "Project");
  add_to_json<ChangeEvent>(m, "ChangeEvent");
}

} // namespace leanspec::python
