// Binds include/leanspec/spec_source.hpp: SpecSource (every call, keyword arguments, the GIL
// released while the library works), ChangeEvent and Subscription.
//
// Change events run a Python callable on the source's dispatcher thread: the trampoline takes
// the GIL, and whatever the callable raises goes to sys.unraisablehook, never into the
// library's thread. A Subscription unsubscribes on close(), at the end of a `with` block or
// when collected; it releases the GIL while it waits for a running callback, so a callback
// that needs the GIL cannot deadlock against it.
#include "common.hpp"

namespace leanspec::python {
namespace {

// The Python callable of a subscription; its reference is dropped with the GIL held, from
// whichever thread destroys the std::function.
struct Callable {
  py::object fn;
  explicit Callable(py::object f) : fn(std::move(f)) {}
  Callable(const Callable &) = delete;
  Callable &operator=(const Callable &) = delete;
  ~Callable() {
    if (_Py_IsFinalizing()) {
      fn.release(); // the interpreter is going away: leaking beats taking a dead GIL
      return;
    }
    py::gil_scoped_acquire gil;
    fn = py::object();
  }
};

class PySubscription {
public:
  PySubscription(std::shared_ptr<const SpecSource> source, Subscription subscription)
      : source_(std::move(source)), subscription_(std::move(subscription)) {}
  PySubscription(const PySubscription &) = delete;
  PySubscription &operator=(const PySubscription &) = delete;
  ~PySubscription() {
    if (PyGILState_Check()) {
      const ReleaseGil nogil;
      reset();
    } else {
      reset();
    }
  }
  /// Called with the GIL held.
  void close() {
    const ReleaseGil nogil;
    reset();
  }
  bool active() const noexcept { return static_cast<bool>(subscription_); }

private:
  void reset() noexcept {
    subscription_.reset();
    source_.reset();
  }
  std::shared_ptr<const SpecSource> source_;
  Subscription subscription_;
};

ChangeCallback trampoline(py::function fn) {
  auto callable = std::make_shared<Callable>(std::move(fn));
  return [callable](const ChangeEvent &event) noexcept {
    if (_Py_IsFinalizing())
      return;
    py::gil_scoped_acquire gil;
    try {
      callable->fn(event);
    } catch (py::error_already_set &e) {
      e.discard_as_unraisable(callable->fn);
    } catch (const std::exception &e) { // a failed conversion of the event
      PyErr_SetString(PyExc_RuntimeError, e.what());
      PyErr_WriteUnraisable(callable->fn.ptr());
    }
  };
}

using SourceClass = py::class_<SpecSource, std::shared_ptr<SpecSource>>;
using Src = const SpecSource &;
using Text = std::string_view;

// ChangeEvent and Subscription: what subscribe() delivers and returns.
void bind_change_events(py::module_ &m) {
  py::class_<ChangeEvent>(m, "ChangeEvent", "What one new snapshot of a project changed.")
      .def_readonly("project_id", &ChangeEvent::project_id)
      .def_readonly("version", &ChangeEvent::version)
      .def_readonly("added", &ChangeEvent::added)
      .def_readonly("changed", &ChangeEvent::changed)
      .def_readonly("removed", &ChangeEvent::removed);

  py::class_<PySubscription>(m, "Subscription",
                             "Change events go to a callable until close() (or `with` ends).")
      .def("close", &PySubscription::close,
           "Unsubscribes; when it returns the callable is not running and will not run again "
           "(unless called from inside the callable, which is allowed).")
      .def_property_readonly("active", &PySubscription::active)
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](PySubscription &s, const py::args &) { s.close(); });
}

// The queries: projects, list, get and search.
void bind_source_queries(SourceClass &source) {
  const auto nogil = py::call_guard<ReleaseGil>();
  source.def("projects", &SpecSource::projects, nogil)
      .def(
          "list",
          [](Src s, std::string project_id, py::handle status, py::handle priority, py::handle tags,
             std::string_view tags_match, std::optional<std::string> assignee,
             std::optional<bool> archived, py::handle sort, bool descending, std::size_t limit,
             std::string cursor) {
            ListQuery q{.project_id = std::move(project_id),
                        .filter = to_filter(status, priority, tags, tags_match, std::move(assignee),
                                            archived),
                        .limit = limit,
                        .cursor = std::move(cursor)};
            if (py::isinstance<py::str>(sort)) {
              const auto name = sort.cast<std::string>();
              const auto key = parse_sort_key(name);
              if (!key)
                throw Error(ErrorCode::invalid_argument, "sort: unknown sort key '" + name + "'");
              q.sort.key = *key;
            } else {
              q.sort.key = sort.cast<Sort::Key>();
            }
            q.sort.descending = descending;
            const ReleaseGil nogil_body;
            return share(s.list(q));
          },
          py::kw_only(), py::arg("project_id") = "", py::arg("status") = py::none(),
          py::arg("priority") = py::none(), py::arg("tags") = py::none(),
          py::arg("tags_match") = "all", py::arg("assignee") = py::none(),
          py::arg("archived") = py::none(), py::arg("sort") = "number",
          py::arg("descending") = false, py::arg("limit") = 0, py::arg("cursor") = "",
          "A filtered, sorted page of specs.")
      .def(
          "get", [](Src s, Text ref, Text project_id) { return share(s.get(ref, project_id)); },
          py::arg("ref"), py::kw_only(), py::arg("project_id") = "", nogil,
          "The spec a ref (id, number or slug) names, or None.")
      .def(
          "search",
          [](Src s, std::string text, std::string project_id, std::size_t limit, py::handle status,
             py::handle priority, py::handle tags, std::string_view tags_match,
             std::optional<std::string> assignee, std::optional<bool> archived,
             std::string cursor) {
            SearchQuery q{.project_id = std::move(project_id),
                          .text = std::move(text),
                          .filter = to_filter(status, priority, tags, tags_match,
                                              std::move(assignee), archived),
                          .limit = limit,
                          .cursor = std::move(cursor)};
            const ReleaseGil nogil_body;
            return share(s.search(q));
          },
          py::arg("query"), py::kw_only(), py::arg("project_id") = "", py::arg("limit") = 50,
          py::arg("status") = py::none(), py::arg("priority") = py::none(),
          py::arg("tags") = py::none(), py::arg("tags_match") = "all",
          py::arg("assignee") = py::none(), py::arg("archived") = py::none(),
          py::arg("cursor") = "",
          "Specs matching a query in LeanSpec's query language, best first.");
}

// What a source derives from its specs: stats, relationships, validation, by-status groups.
void bind_source_summaries(SourceClass &source) {
  const auto nogil = py::call_guard<ReleaseGil>();
  source
      .def(
          "stats", [](Src s, Text project_id) { return share(s.stats(project_id)); }, py::kw_only(),
          py::arg("project_id") = "", nogil)
      .def(
          "relationships",
          [](Src s, Text ref, Text project_id) { return share(s.relationships(ref, project_id)); },
          py::arg("ref"), py::kw_only(), py::arg("project_id") = "", nogil,
          "The relationships of the spec a ref names, or None.")
      .def(
          "validate", [](Src s, Text project_id) { return *s.validate(project_id); }, py::kw_only(),
          py::arg("project_id") = "", nogil)
      .def(
          "by_status",
          [](Src s, Text project_id) {
            std::map<Status, std::vector<std::shared_ptr<Spec>>> groups;
            for (auto &[status, specs] : s.by_status(project_id))
              for (auto &spec : specs)
                groups[status].push_back(share(std::move(spec)));
            return groups;
          },
          py::kw_only(), py::arg("project_id") = "", nogil,
          "Every spec grouped by status, by number.");
}

} // namespace

void bind_spec_source(py::module_ &m) {
  bind_change_events(m);
  SourceClass source(m, "SpecSource", "Any source of specs; every call is thread-safe.");
  bind_source_queries(source);
  bind_source_summaries(source);
  source.def(
      "subscribe",
      [](const std::shared_ptr<SpecSource> &s, py::function callback) {
        auto callback_fn = trampoline(std::move(callback));
        const ReleaseGil nogil_body;
        auto subscription = s->subscribe(std::move(callback_fn));
        return std::make_unique<PySubscription>(s, std::move(subscription));
      },
      py::arg("callback"),
      "Calls callback(ChangeEvent) on the source's own thread for every change.");
}

} // namespace leanspec::python
