// Binds include/leanspec/spec.hpp: Status, Priority, Spec, SubSpec, Transition, Diagnostic.
// Specs are read-only views of the library's shared, immutable objects (no copy).
//
// Dates: `created_at`, `updated_at` and `completed_at` are aware UTC datetimes (a bare date is
// its midnight), None when the spec has none or its text is not a date; `created_at` is the
// `created_at` key, else `created` (so is `completed_at`: docs/GLOSSARY.md). Their text as
// written is `<name>_text`: `created_text`, `created_at_text`, `updated_at_text`,
// `completed_text` and `completed_at_text` (None when absent or not a date: an invalid-date
// diagnostic names the field, and `frontmatter` keeps the text).
#include "common.hpp"

namespace leanspec::python {

py::object to_datetime(const std::optional<Timestamp> &time) {
  if (!time)
    return py::none();
  // Leaked on purpose: a static py::object would be released after the interpreter is gone.
  static const py::handle datetime = py::module_::import("datetime").release();
  const auto epoch =
      datetime.attr("datetime")(1970, 1, 1, 0, 0, 0, 0, datetime.attr("timezone").attr("utc"));
  const auto ms = time->time_since_epoch().count();
  return epoch + datetime.attr("timedelta")(py::arg("milliseconds") = ms);
}

namespace {

py::object optional_text(const std::string &text) {
  return text.empty() ? py::none() : py::object(py::str(text));
}

// A frontmatter Value as Python data: scalars stay the text as written (str), sequences are
// lists, mappings dicts in file order, null None.
py::object to_python(const Value &value) {
  switch (value.kind) {
  case Value::Kind::null:
    return py::none();
  case Value::Kind::scalar:
    return py::str(value.text);
  case Value::Kind::sequence: {
    py::list items;
    for (const auto &item : value.items)
      items.append(to_python(item));
    return items;
  }
  case Value::Kind::mapping: {
    py::dict fields;
    for (const auto &field : value.fields)
      fields[py::str(field.key)] = to_python(field.value);
    return fields;
  }
  }
  return py::none();
}

// Status, Priority and Severity, and the parsers of a status's and a priority's text.
void bind_spec_enums(py::module_ &m) {
  py::enum_<Status> status(m, "Status", "A spec's lifecycle state.");
  status.value("DRAFT", Status::draft)
      .value("PLANNED", Status::planned)
      .value("IN_PROGRESS", Status::in_progress)
      .value("COMPLETE", Status::complete)
      .value("ARCHIVED", Status::archived);
  bind_text(status);
  py::enum_<Priority> priority(m, "Priority", "A spec's priority.");
  priority.value("LOW", Priority::low)
      .value("MEDIUM", Priority::medium)
      .value("HIGH", Priority::high)
      .value("CRITICAL", Priority::critical);
  bind_text(priority);
  py::enum_<Diagnostic::Severity> severity(m, "Severity", "How bad a diagnostic is.");
  severity.value("ERROR", Diagnostic::Severity::error)
      .value("WARNING", Diagnostic::Severity::warning);
  bind_text(severity);

  m.def("parse_status", &parse_status, py::arg("text"),
        "The Status a text names (aliases such as 'wip' or 'done' included), or None.");
  m.def("parse_priority", &parse_priority, py::arg("text"),
        "The Priority a text names ('urgent' is CRITICAL), or None.");
}

// Diagnostic, Transition and SubSpec: the values a Spec holds.
void bind_spec_parts(py::module_ &m) {
  py::class_<Diagnostic>(m, "Diagnostic", "One problem found in a spec file or across specs.")
      .def_readonly("severity", &Diagnostic::severity)
      .def_property_readonly("spec_id",
                             [](const Diagnostic &d) { return optional_text(d.spec_id); })
      .def_readonly("file", &Diagnostic::file)
      .def_readonly("line", &Diagnostic::line)
      .def_readonly("code", &Diagnostic::code)
      .def_readonly("message", &Diagnostic::message);

  py::class_<Transition>(m, "Transition", "A status a spec moved to, and when.")
      .def_readonly("status", &Transition::status)
      .def_property_readonly("at",
                             [](const Transition &t) { return to_datetime(parse_timestamp(t.at)); })
      .def_property_readonly("at_text", [](const Transition &t) { return optional_text(t.at); });

  py::class_<SubSpec>(m, "SubSpec", "Another Markdown file of the spec folder (DESIGN.md, ...).")
      .def_readonly("file", &SubSpec::file)
      .def_readonly("name", &SubSpec::name)
      .def_readonly("content", &SubSpec::content)
      .def_readonly("content_hash", &SubSpec::content_hash);
}

// Spec itself.
void bind_spec_class(py::module_ &m) {
  using S = const Spec &;
  py::class_<Spec, std::shared_ptr<Spec>>(m, "Spec", "One spec folder, read-only.")
      .def_readonly("id", &Spec::id)
      .def_property_readonly("number",
                             [](S s) -> py::object {
                               return s.number < 0 ? py::none() : py::object(py::int_(s.number));
                             })
      .def_readonly("number_text", &Spec::number_text)
      .def_readonly("slug", &Spec::slug)
      .def_readonly("path", &Spec::path)
      .def_readonly("title", &Spec::title)
      .def_readonly("status", &Spec::status)
      .def_readonly("priority", &Spec::priority)
      .def_readonly("tags", &Spec::tags)
      .def_property_readonly("assignee", [](S s) { return optional_text(s.assignee); })
      .def_property_readonly("created_at", [](S s) { return to_datetime(s.created_time()); })
      .def_property_readonly("updated_at", [](S s) { return to_datetime(s.updated_time()); })
      .def_property_readonly("completed_at", [](S s) { return to_datetime(s.completed_time()); })
      .def_property_readonly("created_text", [](S s) { return optional_text(s.created); })
      .def_property_readonly("created_at_text", [](S s) { return optional_text(s.created_at); })
      .def_property_readonly("updated_at_text", [](S s) { return optional_text(s.updated_at); })
      .def_property_readonly("completed_text", [](S s) { return optional_text(s.completed); })
      .def_property_readonly("completed_at_text", [](S s) { return optional_text(s.completed_at); })
      .def_readonly("transitions", &Spec::transitions)
      .def_readonly("depends_on", &Spec::depends_on)
      .def_property_readonly("parent", [](S s) { return optional_text(s.parent); })
      .def_readonly("related", &Spec::related)
      .def_readonly("archived", &Spec::archived)
      .def_property_readonly("frontmatter",
                             [](S s) {
                               return s.frontmatter.is_null() ? py::object(py::dict())
                                                              : to_python(s.frontmatter);
                             })
      .def_property_readonly("custom_fields",
                             [](S s) {
                               py::dict fields;
                               for (const auto &field : s.custom_fields)
                                 fields[py::str(field.key)] = to_python(field.value);
                               return fields;
                             })
      .def_readonly("body", &Spec::body)
      .def_readonly("body_line", &Spec::body_line)
      .def_readonly("content_hash", &Spec::content_hash)
      .def_readonly("sub_specs", &Spec::sub_specs)
      .def_readonly("diagnostics", &Spec::diagnostics)
      .def_property_readonly("has_errors", &Spec::has_errors);
}

} // namespace

void bind_spec(py::module_ &m) {
  bind_spec_enums(m);
  m.def("render_html", &render_html, py::arg("markdown"), py::arg("allow_raw_html") = false,
        py::call_guard<ReleaseGil>(),
        "Markdown to HTML (GitHub Flavored); raw HTML is dropped unless allow_raw_html.");
  bind_spec_parts(m);
  bind_spec_class(m);
}

} // namespace leanspec::python
