// Binds include/leanspec/error.hpp: leanspec.Error and one subclass per ErrorCode, named after
// the code (invalid_argument -> InvalidArgumentError, io -> IoError), each with a `code`
// attribute holding ErrorCode's text. The one place where leanspec::Error becomes Python's.
#include "common.hpp"

#include <array>
#include <string>

namespace leanspec::python {
namespace {

constexpr std::size_t code_count = static_cast<std::size_t>(ErrorCode::internal) + 1;
static_assert(code_count == 11, "ErrorCode changed: name the new Python class below");
constexpr std::array<const char *, code_count> class_names = {
    "InvalidArgumentError", "NotFoundError",    "AmbiguousError",
    "ConfigError",          "IoError",          "DatabaseError",
    "NetworkError",         "RateLimitedError", "UnauthorizedError",
    "ConflictError",        "InternalError"};

// Owned by the module for the life of the interpreter (never released: translators may run
// until the very end).
std::array<PyObject *, code_count> classes{};

PyObject *new_class(py::module_ &m, const char *name, PyObject *base, const char *doc) {
  const std::string qualified = std::string("leanspec.") + name;
  PyObject *cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (cls == nullptr)
    throw py::error_already_set();
  m.add_object(name, py::handle(cls)); // add_object takes its own reference
  return cls;
}

} // namespace

void bind_error(py::module_ &m) {
  PyObject *base = new_class(m, "Error", PyExc_Exception,
                             "A failure of libleanspec; `code` names its kind (ErrorCode).");
  py::handle(base).attr("code") = py::none();
  for (std::size_t i = 0; i < code_count; ++i) {
    const auto code = static_cast<ErrorCode>(i);
    classes[i] = new_class(m, class_names[i], base, nullptr);
    py::handle(classes[i]).attr("code") = py::str(std::string(to_string(code)));
  }
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown)
        std::rethrow_exception(thrown);
    } catch (const Error &e) {
      PyErr_SetString(classes[static_cast<std::size_t>(e.code())], e.what());
    }
  });
}

} // namespace leanspec::python
