// Binds include/leanspec/query.hpp: SortKey and the results SpecList, SearchResult (of
// SearchHit), Stats, Relationships, Project. Results are the library's shared objects: a list
// of 300 specs costs one reference count, and each Spec is created only when it is reached.
#include "common.hpp"

namespace leanspec::python {
namespace {

template <class Enum>
Enum to_enum(py::handle item, std::optional<Enum> (*parse)(std::string_view) noexcept,
             const char *keyword) {
  if (py::isinstance<py::str>(item)) {
    const auto text = item.cast<std::string>();
    if (const auto value = parse(text))
      return *value;
    throw Error(ErrorCode::invalid_argument,
                std::string(keyword) + ": unknown " + keyword + " '" + text + "'");
  }
  try {
    return item.cast<Enum>();
  } catch (const py::cast_error &) {
    throw Error(ErrorCode::invalid_argument,
                std::string(keyword) + ": expected a string or leanspec enum, got " +
                    std::string(py::str(item.get_type().attr("__name__"))));
  }
}

// None, one value, or an iterable of values.
template <class T, class Convert> std::vector<T> to_list(py::handle value, Convert convert) {
  std::vector<T> out;
  if (value.is_none())
    return out;
  if (py::isinstance<py::str>(value) || !py::isinstance<py::iterable>(value)) {
    out.push_back(convert(value));
    return out;
  }
  for (const auto item : value)
    out.push_back(convert(item));
  return out;
}

} // namespace

Filter to_filter(py::handle status, py::handle priority, py::handle tags,
                 std::string_view tags_match, std::optional<std::string> assignee,
                 std::optional<bool> archived) {
  Filter filter;
  filter.statuses = to_list<Status>(
      status, [](py::handle h) { return to_enum<Status>(h, &parse_status, "status"); });
  filter.priorities = to_list<Priority>(
      priority, [](py::handle h) { return to_enum<Priority>(h, &parse_priority, "priority"); });
  filter.tags = to_list<std::string>(tags, [](py::handle h) {
    if (!py::isinstance<py::str>(h))
      throw Error(ErrorCode::invalid_argument, "tags: expected strings");
    return h.cast<std::string>();
  });
  const auto match = parse_tags_match(tags_match);
  if (!match)
    throw Error(ErrorCode::invalid_argument, "tags_match: expected 'all' or 'any'");
  filter.tags_match = *match;
  filter.assignee = std::move(assignee);
  filter.archived = archived;
  return filter;
}

SpecUpdate to_spec_update(py::handle status, py::handle priority, py::handle tags_add,
                          py::handle tags_remove, py::handle depends_on_add,
                          py::handle depends_on_remove) {
  SpecUpdate update;
  if (!status.is_none())
    update.status = to_enum<Status>(status, &parse_status, "status");
  if (!priority.is_none())
    update.priority = to_enum<Priority>(priority, &parse_priority, "priority");
  const auto texts = [](py::handle value, const char *keyword) {
    return to_list<std::string>(value, [keyword](py::handle h) {
      if (!py::isinstance<py::str>(h))
        throw Error(ErrorCode::invalid_argument, std::string(keyword) + ": expected strings");
      return h.cast<std::string>();
    });
  };
  update.tags_add = texts(tags_add, "tags_add");
  update.tags_remove = texts(tags_remove, "tags_remove");
  update.depends_on_add = texts(depends_on_add, "depends_on_add");
  update.depends_on_remove = texts(depends_on_remove, "depends_on_remove");
  return update;
}

std::optional<WriteMode> to_write_mode(py::handle value) {
  if (value.is_none())
    return std::nullopt;
  return to_enum<WriteMode>(value, &write_mode_from, "write_mode");
}

NewSpec to_new_spec(std::string title, std::string slug, py::handle status, py::handle priority,
                    py::handle tags, std::string assignee, std::string body) {
  NewSpec spec;
  spec.title = std::move(title);
  spec.slug = std::move(slug);
  if (!status.is_none())
    spec.status = to_enum<Status>(status, &parse_status, "status");
  if (!priority.is_none())
    spec.priority = to_enum<Priority>(priority, &parse_priority, "priority");
  spec.tags = to_list<std::string>(tags, [](py::handle h) {
    if (!py::isinstance<py::str>(h))
      throw Error(ErrorCode::invalid_argument, "tags: expected strings");
    return h.cast<std::string>();
  });
  spec.assignee = std::move(assignee);
  spec.body = std::move(body);
  return spec;
}

void bind_query(py::module_ &m) {
  py::enum_<Sort::Key>(m, "SortKey", "The order of a list.")
      .value("NUMBER", Sort::Key::number)
      .value("ID", Sort::Key::id)
      .value("TITLE", Sort::Key::title)
      .value("STATUS", Sort::Key::status)
      .value("PRIORITY", Sort::Key::priority)
      .value("CREATED", Sort::Key::created)
      .value("UPDATED", Sort::Key::updated);

  py::class_<SpecList, std::shared_ptr<SpecList>>(m, "SpecList",
                                                  "A page of specs; a sequence of Spec.")
      .def("__len__", [](const SpecList &l) { return l.specs.size(); })
      .def("__getitem__",
           [](const SpecList &l, py::ssize_t i) {
             const auto n = static_cast<py::ssize_t>(l.specs.size());
             if (i < 0)
               i += n;
             if (i < 0 || i >= n)
               throw py::index_error("SpecList index out of range");
             return share(l.specs[static_cast<std::size_t>(i)]);
           })
      .def_readonly("total", &SpecList::total, "matches over all pages")
      .def_property_readonly("next_cursor",
                             [](const SpecList &l) -> py::object {
                               return l.next_cursor.empty() ? py::none()
                                                            : py::object(py::str(l.next_cursor));
                             })
      .def_readonly("project_ids", &SpecList::project_ids,
                    "a list over a project set: each spec's project id; else empty");

  py::class_<SearchHit>(m, "SearchHit", "One search result.")
      .def_property_readonly("spec", [](const SearchHit &h) { return share(h.spec); })
      .def_readonly("score", &SearchHit::score)
      .def_readonly("snippet", &SearchHit::snippet)
      .def_property_readonly(
          "project_id",
          [](const SearchHit &h) -> py::object {
            return h.project_id.empty() ? py::none() : py::object(py::str(h.project_id));
          },
          "a search over a project set: the hit's project; else None");
  py::class_<SearchResult, std::shared_ptr<SearchResult>>(
      m, "SearchResult", "Ranked search results, best first; a sequence of SearchHit.")
      .def("__len__", [](const SearchResult &r) { return r.hits.size(); })
      .def(
          "__getitem__",
          [](const SearchResult &r, py::ssize_t i) -> const SearchHit & {
            const auto n = static_cast<py::ssize_t>(r.hits.size());
            if (i < 0)
              i += n;
            if (i < 0 || i >= n)
              throw py::index_error("SearchResult index out of range");
            return r.hits[static_cast<std::size_t>(i)];
          },
          py::return_value_policy::reference_internal)
      .def_readonly("total", &SearchResult::total, "matches before the limit")
      .def_property_readonly("next_cursor", [](const SearchResult &r) -> py::object {
        return r.next_cursor.empty() ? py::none() : py::object(py::str(r.next_cursor));
      });

  py::class_<Stats, std::shared_ptr<Stats>>(m, "Stats", "Counts over a project's specs.")
      .def_readonly("total", &Stats::total)
      .def_readonly("by_status", &Stats::by_status)
      .def_readonly("by_priority", &Stats::by_priority)
      .def_readonly("without_priority", &Stats::without_priority)
      .def_readonly("by_tag", &Stats::by_tag)
      .def_readonly("by_assignee", &Stats::by_assignee)
      .def_readonly("completion_rate", &Stats::completion_rate)
      .def_readonly("by_project", &Stats::by_project,
                    "stats over a project set: each project's count per status; else empty");

  py::class_<Relationships, std::shared_ptr<Relationships>>(
      m, "Relationships", "The depends_on and parent neighbourhood of one spec, as ids.")
      .def_readonly("id", &Relationships::id)
      .def_readonly("depends_on", &Relationships::depends_on)
      .def_readonly("required_by", &Relationships::required_by)
      .def_property_readonly("parent",
                             [](const Relationships &r) -> py::object {
                               return r.parent.empty() ? py::none() : py::object(py::str(r.parent));
                             })
      .def_readonly("children", &Relationships::children)
      .def_readonly("depends_on_transitive", &Relationships::depends_on_transitive)
      .def_readonly("required_by_transitive", &Relationships::required_by_transitive)
      .def_readonly("ancestors", &Relationships::ancestors)
      .def_readonly("cycles", &Relationships::cycles);

  py::class_<Project>(m, "Project", "A set of specs a source serves.")
      .def_readonly("id", &Project::id)
      .def_readonly("name", &Project::name)
      .def_property_readonly("specs_dir", [](const Project &p) -> py::object {
        return p.specs_dir.empty() ? py::none() : py::object(py::str(p.specs_dir));
      });
}

} // namespace leanspec::python
