// The extension module leanspec._leanspec: one bind_* per public header (STYLE.md §7); the
// idioms (to_dict, iteration, __repr__) live in leanspec/__init__.py.
#include "common.hpp"

#include <leanspec/version.hpp>

PYBIND11_MODULE(_leanspec, m) {
  using namespace leanspec::python;
  m.doc() = "libleanspec: LeanSpec specs from a directory or a database (C++ core)";
  m.attr("__version__") = leanspec::version();
  bind_error(m);
  bind_spec(m);
  bind_query(m);
  bind_spec_source(m);
  bind_filesystem_source(m);
  bind_caching_source(m);
  bind_database_source(m);
  bind_github_sync(m);
  bind_specs_service(m);
  bind_json(m);
  bind_calls_in_flight(m);
}
