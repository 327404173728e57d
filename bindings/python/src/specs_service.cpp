// Binds include/leanspec/specs_service.hpp: SpecsService (a SpecSource routed by project id),
// its configuration (keywords, or from_env()), health, cache control, the registry, the GitHub
// sync and webhooks. Every call that does I/O or waits releases the GIL.
#include "common.hpp"

#include <map>

namespace leanspec::python {
namespace {

std::shared_ptr<SpecsService> open(ServiceConfig config) {
  const ReleaseGil nogil;
  return python_owned(make_specs_service(std::move(config)));
}

// A str header name or value; anything else is invalid_argument naming `where`.
std::string header_text(py::handle value, const std::string &where) {
  if (!py::isinstance<py::str>(value))
    throw Error(ErrorCode::invalid_argument,
                where + ": expected str, got " +
                    py::type::of(value).attr("__name__").cast<std::string>());
  return value.cast<std::string>();
}

// handle_webhook's headers: a mapping (dict, an HTTP library's header object: anything with
// items()) or an iterable of (name, value) pairs, each a str.
std::vector<std::pair<std::string, std::string>> to_headers(py::handle headers) {
  std::vector<std::pair<std::string, std::string>> out;
  if (py::isinstance<py::str>(headers) || py::isinstance<py::bytes>(headers))
    throw Error(ErrorCode::invalid_argument,
                "headers: expected a mapping or (name, value) pairs, not a string");
  const py::object pairs = py::hasattr(headers, "items")
                               ? headers.attr("items")()
                               : py::reinterpret_borrow<py::object>(headers);
  if (!py::isinstance<py::iterable>(pairs))
    throw Error(ErrorCode::invalid_argument, "headers: expected a mapping or (name, value) pairs");
  std::size_t i = 0;
  for (const auto item : pairs) {
    const std::string where = "headers[" + std::to_string(i++) + "]";
    if (!py::isinstance<py::sequence>(item) || py::isinstance<py::str>(item) || py::len(item) != 2)
      throw Error(ErrorCode::invalid_argument, where + ": expected a (name, value) pair");
    const auto pair = py::reinterpret_borrow<py::sequence>(item);
    out.emplace_back(header_text(pair[0], where + " name"), header_text(pair[1], where + " value"));
  }
  return out;
}

// handle_webhook's body: the raw bytes of the request (bytes, bytearray, memoryview: any
// contiguous buffer). A str is refused: the signature covers bytes, not text.
std::string to_body(py::handle body) {
  if (py::isinstance<py::str>(body))
    throw Error(ErrorCode::invalid_argument,
                "body: expected bytes (the raw request body), not str");
  Py_buffer view;
  if (PyObject_GetBuffer(body.ptr(), &view, PyBUF_SIMPLE) != 0) {
    PyErr_Clear();
    throw Error(ErrorCode::invalid_argument, "body: expected bytes, bytearray or memoryview");
  }
  const std::unique_ptr<Py_buffer, void (*)(Py_buffer *)> release(&view, PyBuffer_Release);
  std::string bytes(static_cast<const char *>(view.buf), static_cast<std::size_t>(view.len));
  return bytes;
}

using ServiceClass = py::class_<SpecsService, SpecSource, std::shared_ptr<SpecsService>>;
// SpecsMode, SourceKind, SourceState.
void bind_service_enums(py::module_ &m) {
  py::enum_<SpecsMode> mode(m, "SpecsMode", "Which sources a service serves (SPECS_MODE).");
  mode.value("FILESYSTEM", SpecsMode::filesystem)
      .value("DATABASE", SpecsMode::database)
      .value("BOTH", SpecsMode::both);
  bind_text(mode);
  py::enum_<SourceKind> kind(m, "SourceKind", "Which kind of source serves a project.");
  kind.value("FILESYSTEM", SourceKind::filesystem).value("DATABASE", SourceKind::database);
  bind_text(kind);
  py::enum_<SourceState> state(m, "SourceState", "A source's condition.");
  state.value("OK", SourceState::ok)
      .value("STALE", SourceState::stale)
      .value("DOWN", SourceState::down);
  bind_text(state);
}

// SourceHealth, ServiceHealth and ServedProject: what health() and served_projects() return.
void bind_service_health(py::module_ &m) {
  py::class_<SourceHealth>(m, "SourceHealth", "The condition of one configured source.")
      .def_readonly("source", &SourceHealth::source)
      .def_readonly("state", &SourceHealth::state)
      .def_readonly("description", &SourceHealth::description)
      .def_readonly("error", &SourceHealth::error)
      .def_property_readonly("since", [](const SourceHealth &h) { return to_datetime(h.since); });
  py::class_<ServiceHealth>(m, "ServiceHealth", "The condition of a whole service.")
      .def_readonly("mode", &ServiceHealth::mode)
      .def_readonly("sources", &ServiceHealth::sources)
      .def_readonly("stale", &ServiceHealth::stale)
      .def("to_json", [](const ServiceHealth &h) { return to_json(h); });
  py::class_<ServedProject>(m, "ServedProject", "A project a service serves, and by which source.")
      .def_readonly("project", &ServedProject::project)
      .def_readonly("source", &ServedProject::source)
      .def_readonly("stale", &ServedProject::stale)
      .def_readonly("registration", &ServedProject::registration)
      .def("to_json", [](const ServedProject &p) { return to_json(p); });
}

// SourceCacheStats and CacheStats: what cache_stats() returns.
void bind_cache_stats(py::module_ &m) {
  py::class_<SourceCacheStats>(m, "SourceCacheStats", "The cache counters of one source.")
      .def_readonly("source", &SourceCacheStats::source)
      .def_readonly("counters", &SourceCacheStats::counters)
      .def_readonly("hit_rate", &SourceCacheStats::hit_rate);
  py::class_<CacheStats>(m, "CacheStats", "A service's cache counters, per source and in total.")
      .def_readonly("sources", &CacheStats::sources)
      .def_readonly("total", &CacheStats::total)
      .def_readonly("hit_rate", &CacheStats::hit_rate)
      .def("to_json", [](const CacheStats &c) { return to_json(c); });
}

// SpecsService's construction: ServiceConfig's fields as keywords, or from_env().
void bind_service_config(ServiceClass &service) {
  using std::chrono::milliseconds;
  service
      .def(py::init([](SpecsMode specs_mode, std::filesystem::path specs_dir,
                       std::string database_url, std::string github_token,
                       std::string github_api_url, std::int64_t github_app_id,
                       std::string github_app_private_key, std::string github_app_private_key_file,
                       std::int64_t github_app_installation_id, milliseconds cache_ttl,
                       std::size_t cache_bytes, std::vector<std::string> webhook_secrets,
                       std::string revalidation_secret, milliseconds probe_interval,
                       milliseconds sync_deadline) {
             return open({.mode = specs_mode,
                          .specs_dir = std::move(specs_dir),
                          .database_url = std::move(database_url),
                          .github_token = std::move(github_token),
                          .github_api_url = std::move(github_api_url),
                          .github_app_id = github_app_id,
                          .github_app_private_key = std::move(github_app_private_key),
                          .github_app_private_key_file = std::move(github_app_private_key_file),
                          .github_app_installation_id = github_app_installation_id,
                          .cache_ttl = cache_ttl,
                          .cache_bytes = cache_bytes,
                          .webhook_secrets = std::move(webhook_secrets),
                          .revalidation_secret = std::move(revalidation_secret),
                          .probe_interval = probe_interval,
                          .sync_deadline = sync_deadline});
           }),
           py::kw_only(), py::arg("mode") = SpecsMode::filesystem,
           py::arg("specs_dir") = std::filesystem::path(), py::arg("database_url") = "",
           py::arg("github_token") = "", py::arg("github_api_url") = "https://api.github.com",
           py::arg("github_app_id") = 0, py::arg("github_app_private_key") = "",
           py::arg("github_app_private_key_file") = "", py::arg("github_app_installation_id") = 0,
           py::arg("cache_ttl") = milliseconds(60'000),
           py::arg("cache_bytes") = ServiceConfig{}.cache_bytes,
           py::arg("webhook_secrets") = std::vector<std::string>{},
           py::arg("revalidation_secret") = "", py::arg("probe_interval") = milliseconds(5'000),
           py::arg("sync_deadline") = milliseconds(300'000))
      .def_static(
          "from_env", [] { return open(ServiceConfig::from_env()); },
          "A service configured by SPECS_MODE, SPECS_DIR, DATABASE_URL, ... (see the C++ docs).");
}

// What a service serves and how fresh: projects, health, staleness, invalidation, cache counters.
void bind_service_serving(ServiceClass &service) {
  const auto nogil = py::call_guard<ReleaseGil>();
  service.def_property_readonly("mode", &SpecsService::mode)
      .def_property_readonly("filesystem_project_id", &SpecsService::filesystem_project_id)
      .def("served_projects", &SpecsService::served_projects, nogil)
      .def("health", &SpecsService::health, nogil)
      .def("is_stale", &SpecsService::is_stale, py::kw_only(), py::arg("project_id") = "", nogil)
      .def(
          "invalidate",
          [](SpecsService &s, std::optional<std::string> ref, std::string_view project_id) {
            ref ? s.invalidate(*ref, project_id) : s.invalidate();
          },
          py::arg("ref") = py::none(), py::kw_only(), py::arg("project_id") = "", nogil)
      .def(
          "revalidate",
          [](SpecsService &s, std::string_view secret, std::optional<std::string> ref,
             std::string_view project_id) {
            return ref ? s.revalidate(secret, *ref, project_id)
                       : s.revalidate(secret, {}, project_id);
          },
          py::arg("secret"), py::arg("ref") = py::none(), py::kw_only(), py::arg("project_id") = "",
          nogil)
      .def("cache_stats", &SpecsService::cache_stats, nogil);
}

// Writes to the filesystem project's specs.
void bind_service_writes(ServiceClass &service) {
  service
      .def(
          "update",
          [](SpecsService &s, std::string_view ref, std::string_view base_hash, py::handle status,
             py::handle priority, py::handle tags_add, py::handle tags_remove,
             py::handle depends_on_add, py::handle depends_on_remove,
             std::optional<std::string> parent, std::optional<std::string> assignee,
             std::map<std::string, std::optional<std::string>> fields,
             std::optional<std::string> body, std::string_view project_id) {
            SpecUpdate update = to_spec_update(status, priority, tags_add, tags_remove,
                                               depends_on_add, depends_on_remove);
            update.parent = std::move(parent);
            update.assignee = std::move(assignee);
            update.fields = std::move(fields);
            update.body = std::move(body);
            const ReleaseGil nogil;
            return s.update(ref, update, base_hash, project_id);
          },
          py::arg("ref"), py::kw_only(), py::arg("base_hash"), py::arg("status") = py::none(),
          py::arg("priority") = py::none(), py::arg("tags_add") = py::none(),
          py::arg("tags_remove") = py::none(), py::arg("depends_on_add") = py::none(),
          py::arg("depends_on_remove") = py::none(), py::arg("parent") = py::none(),
          py::arg("assignee") = py::none(),
          py::arg("fields") = std::map<std::string, std::optional<std::string>>{},
          py::arg("body") = py::none(), py::arg("project_id") = "",
          "Writes the change into the spec's README.md if its content hash is still base_hash "
          "(only the lines it touches change) and returns the spec as written; ConflictError "
          "when the file moved on (nothing written).")
      .def(
          "create",
          [](SpecsService &s, std::string title, std::string slug, py::handle status,
             py::handle priority, py::handle tags, std::string assignee, std::string body,
             std::string_view project_id) {
            const NewSpec spec = to_new_spec(std::move(title), std::move(slug), status, priority,
                                             tags, std::move(assignee), std::move(body));
            const ReleaseGil nogil;
            return s.create(spec, project_id);
          },
          py::arg("title"), py::kw_only(), py::arg("slug") = "", py::arg("status") = py::none(),
          py::arg("priority") = py::none(), py::arg("tags") = py::none(), py::arg("assignee") = "",
          py::arg("body") = "", py::arg("project_id") = "",
          "Creates a spec numbered after the others (the project's template when .lean-spec "
          "names one) and returns it; for a GitHub project it is committed to the repository.")
      .def("toggle_checklist_item", &SpecsService::toggle_checklist_item, py::arg("ref"),
           py::arg("index"), py::kw_only(), py::arg("base_hash"), py::arg("project_id") = "",
           py::call_guard<ReleaseGil>(),
           "Checks or unchecks the spec's index-th task-list item (from 1), as update() writes.");
}

// The GitHub sync and its webhooks.
void bind_service_sync(ServiceClass &service) {
  const auto nogil = py::call_guard<ReleaseGil>();
  service
      .def("start_sync", &SpecsService::start_sync, nogil,
           "Starts the sync scheduler on the service's threads (no-op when running).")
      .def("stop_sync", &SpecsService::stop_sync, nogil,
           "Stops the sync scheduler; returns when its threads have ended.")
      .def("sync_now", &SpecsService::sync_now, py::arg("project_id"), nogil,
           "Syncs one project now, on this thread, and returns the SyncRun.")
      .def("request_sync", &SpecsService::request_sync, py::arg("project_id"), nogil,
           "Queues a sync of the project, durably; returns at once.")
      .def("sync_runs", &SpecsService::sync_runs, py::arg("project_id"), py::kw_only(),
           py::arg("limit") = 20, nogil,
           "The project's latest sync runs, newest first (limit 0: all).")
      .def(
          "handle_webhook",
          [](SpecsService &s, py::handle headers, py::handle body) {
            const auto pairs = to_headers(headers);
            const auto bytes = to_body(body);
            const ReleaseGil nogil_body;
            return s.handle_webhook(pairs, bytes);
          },
          py::arg("headers"), py::arg("body"),
          "Handles one GitHub webhook delivery (headers: a mapping or (name, value) pairs of "
          "str; body: the raw bytes) and returns the WebhookResult to answer with.");
}

} // namespace

void bind_specs_service(py::module_ &m) {
  bind_service_enums(m);
  bind_service_health(m);
  bind_cache_stats(m);
  ServiceClass service(m, "SpecsService",
                       "The sources SPECS_MODE names, cached, routed by project id.");
  bind_service_config(service);
  bind_service_serving(service);
  bind_service_writes(service);
  bind_registry(service);
  bind_service_sync(service);
}

} // namespace leanspec::python
