// Implements the project part of include/leanspec/json.hpp: Project, RegisteredProject (a
// database project's registration), ImportResult and the service's ServedProject.
#include "json/json_writer.hpp"
#include <leanspec/json.hpp>

namespace leanspec {
namespace {

using detail::JsonWriter;

void write_project(JsonWriter &w, const Project &project) {
  w.begin_object();
  w.key("id").value(project.id);
  w.key("name").value(project.name);
  w.key("specsDir").string_or_null(project.specs_dir);
  w.end_object();
}

// A registration's members but its id; the caller opens and closes the object.
void write_registration_fields(JsonWriter &w, const RegisteredProject &r) {
  using namespace std::chrono;
  w.key("branch").value(r.branch);
  w.key("specsPath").value(r.specs_path);
  w.key("syncIntervalMs")
      .value(static_cast<long long>(duration_cast<milliseconds>(r.sync_interval).count()));
  // deprecated: syncIntervalMs (one release)
  w.key("syncIntervalSeconds")
      .value(static_cast<long long>(duration_cast<seconds>(r.sync_interval).count()));
  w.key("syncState").value(r.sync_state);
  w.key("syncError").string_or_null(r.sync_error);
  w.key("commitSha").string_or_null(r.commit_sha);
  w.key("lastCommit").string_or_null(r.commit_sha); // deprecated: commitSha (one release)
  w.key("lastSyncedAt").value(static_cast<long long>(r.last_synced_at));
  w.key("syncInterruptedAt").value(static_cast<long long>(r.sync_interrupted_at));
  w.key("snapshotVersion").value(static_cast<std::size_t>(r.snapshot_version));
  w.key("specCount").value(r.spec_count);
  w.key("writeMode").value(to_string(r.write_mode));
}

void write_registered_project(JsonWriter &w, const RegisteredProject &project) {
  w.begin_object();
  w.key("id").value(project.id);
  write_registration_fields(w, project);
  w.end_object();
}

void write_served_project(JsonWriter &w, const ServedProject &served) {
  w.begin_object();
  w.key("id").value(served.project.id);
  w.key("name").value(served.project.name);
  w.key("specsDir").value(served.project.specs_dir);
  w.key("source").value(to_string(served.source));
  w.key("stale").value(served.stale);
  w.key("registration");
  if (const auto &r = served.registration) {
    w.begin_object();
    write_registration_fields(w, *r);
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
}

} // namespace

std::string to_json(const Project &project) { return detail::json_of(project, write_project); }

std::string to_json(const std::vector<Project> &projects) {
  return detail::json_array_of(projects, write_project);
}

std::string to_json(const RegisteredProject &project) {
  return detail::json_of(project, write_registered_project);
}

std::string to_json(const std::vector<RegisteredProject> &projects) {
  return detail::json_array_of(projects, write_registered_project);
}

std::string to_json(const ImportResult &result) {
  JsonWriter w;
  w.begin_object();
  w.key("added").value(result.added);
  w.key("updated").value(result.updated);
  w.key("removed").value(result.removed);
  w.key("version").value(static_cast<std::size_t>(result.version));
  w.end_object();
  return std::move(w.out());
}

std::string to_json(const ServedProject &served) {
  return detail::json_of(served, write_served_project);
}

std::string to_json(const std::vector<ServedProject> &projects) {
  return detail::json_array_of(projects, write_served_project);
}

} // namespace leanspec
