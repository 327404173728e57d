// Binds the value types of include/leanspec/github_sync.hpp that SpecsService hands out:
// SyncRun (a sync run, its times as aware datetimes), SyncOutcome, WebhookResult and
// WebhookAction. The calls that make them are SpecsService's (specs_service.cpp).
#include "common.hpp"

namespace leanspec::python {
namespace {

// Unix milliseconds as an aware UTC datetime; 0 (not known, not ended) is None.
py::object from_unix_ms(std::int64_t ms) {
  return ms == 0 ? py::none() : to_datetime(Timestamp(std::chrono::milliseconds(ms)));
}

} // namespace

void bind_github_sync(py::module_ &m) {
  py::enum_<SyncOutcome> outcome(m, "SyncOutcome",
                                 "How a sync run ended; RUNNING: under way (or its process died).");
  outcome.value("OK", SyncOutcome::ok)
      .value("NOT_MODIFIED", SyncOutcome::not_modified)
      .value("ERROR", SyncOutcome::error)
      .value("RATE_LIMITED", SyncOutcome::rate_limited)
      .value("RUNNING", SyncOutcome::running);
  bind_text(outcome);
  py::enum_<WebhookAction> action(m, "WebhookAction", "What handle_webhook did with a delivery.");
  action.value("REJECTED", WebhookAction::rejected)
      .value("PING", WebhookAction::ping)
      .value("IGNORED", WebhookAction::ignored)
      .value("QUEUED", WebhookAction::queued);
  bind_text(action);

  py::class_<SyncRun>(m, "SyncRun", "One sync of one project, as the store recorded it.")
      .def_readonly("id", &SyncRun::id)
      .def_readonly("project_id", &SyncRun::project_id)
      .def_readonly("outcome", &SyncRun::outcome)
      .def_property_readonly("started_at",
                             [](const SyncRun &r) { return from_unix_ms(r.started_at); })
      .def_property_readonly("ended_at", [](const SyncRun &r) { return from_unix_ms(r.ended_at); })
      .def_readonly("added", &SyncRun::added)
      .def_readonly("updated", &SyncRun::updated)
      .def_readonly("removed", &SyncRun::removed)
      .def_readonly("requests", &SyncRun::requests)
      .def_readonly("not_modified", &SyncRun::not_modified)
      .def_readonly("bytes", &SyncRun::bytes)
      .def_readonly("duration", &SyncRun::duration)
      .def_readonly("rate_limit_remaining", &SyncRun::rate_limit_remaining)
      .def_readonly("path", &SyncRun::path)
      .def_readonly("commit_sha", &SyncRun::commit_sha)
      .def_readonly("commit", &SyncRun::commit_sha) // deprecated alias, for one release
      .def_property_readonly("retry_at", [](const SyncRun &r) { return from_unix_ms(r.retry_at); })
      .def_readonly("error", &SyncRun::error)
      .def("to_json", [](const SyncRun &r) { return to_json(r); });

  py::class_<WebhookResult>(m, "WebhookResult", "The HTTP answer to one webhook delivery.")
      .def_readonly("status", &WebhookResult::status)
      .def_readonly("action", &WebhookResult::action)
      .def_readonly("message", &WebhookResult::message)
      .def_readonly("project_id", &WebhookResult::project_id)
      .def("to_json", [](const WebhookResult &r) { return to_json(r); });
}

} // namespace leanspec::python
