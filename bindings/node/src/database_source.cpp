// Binds include/leanspec/database_source.hpp: DatabaseSource (opened on the thread pool:
// opening migrates the database) and its project registry and import, all as Promises; the
// registry's results resolve as the library's JSON (to_json), which index.js parses.
#include "source_wrap.hpp"

#include <leanspec/database_source.hpp>

namespace leanspec::node {

std::pair<std::string, ProjectPatch> read_project_patch(Napi::Env env, const Napi::Value &value) {
  constexpr const char *what = "project";
  if (!value.IsObject())
    throw_invalid(env, "project: expected an object");
  const auto o = options_object(
      env, value, what,
      {"id", "branch", "specsPath", "syncIntervalMs", "syncIntervalSeconds", "writeMode"});
  auto id = optional_string(o, "id", what);
  if (!id)
    throw_invalid(env, "project.id: expected a string");
  ProjectPatch patch{.branch = optional_string(o, "branch", what),
                     .specs_path = optional_string(o, "specsPath", what)};
  const auto ms = optional_count(o, "syncIntervalMs", what);
  const auto seconds = optional_count(o, "syncIntervalSeconds", what); // deprecated alias
  if (ms && seconds)
    throw_invalid(env,
                  "project: give syncIntervalMs or syncIntervalSeconds (deprecated), not both");
  if (ms)
    patch.sync_interval =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::milliseconds(*ms));
  else if (seconds)
    patch.sync_interval = std::chrono::seconds(*seconds);
  if (const auto mode = optional_string(o, "writeMode", what)) {
    patch.write_mode = write_mode_from(*mode);
    if (!patch.write_mode)
      throw_invalid(env, "project.writeMode: '" + *mode + "' is not commit or pull_request");
  }
  return {std::move(*id), std::move(patch)};
}

RegisteredProject read_project(Napi::Env env, const Napi::Value &value) {
  auto [id, patch] = read_project_patch(env, value);
  RegisteredProject project{.id = std::move(id)};
  project.branch = patch.branch.value_or(project.branch);
  project.specs_path = patch.specs_path.value_or(project.specs_path);
  project.sync_interval = patch.sync_interval.value_or(project.sync_interval);
  project.write_mode = patch.write_mode.value_or(project.write_mode);
  return project;
}

namespace {

class DatabaseSourceWrap final : public SourceWrap<DatabaseSourceWrap, DatabaseSource> {
public:
  static constexpr const char *js_name = "DatabaseSource";
  static constexpr const char *factory_name = "DatabaseSource.open()";
  using SourceWrap::SourceWrap;

  static Napi::FunctionReference &constructor(Napi::Env env) {
    return addon_data(env).database_source;
  }

  static Napi::Function define(Napi::Env env) {
    auto methods = source_methods();
    for (auto &m : registry_methods())
      methods.push_back(m);
    methods.push_back(InstanceAccessor("description", &DatabaseSourceWrap::description, nullptr));
    return DefineClass(env, js_name, methods);
  }

private:
  // DatabaseSource::description() (no I/O) -> readonly description: string
  Napi::Value description(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), native(info.Env())->description());
  }
};

// make_database_source(options) -> openDatabase(options?): Promise<DatabaseSource>
Napi::Value open_database(const Napi::CallbackInfo &info) {
  constexpr const char *what = "database options";
  const auto o = options_object(info.Env(), info[0], what,
                                {"databaseUrl", "recheckMs", "projectId", "cacheBytes"});
  DatabaseOptions options;
  options.database_url = optional_string(o, "databaseUrl", what).value_or("");
  if (auto ms = optional_count(o, "recheckMs", what))
    options.recheck = std::chrono::milliseconds(*ms);
  options.project_id = optional_string(o, "projectId", what).value_or("");
  if (auto bytes = optional_count(o, "cacheBytes", what))
    options.cache_bytes = static_cast<std::size_t>(*bytes);
  return run_async(info.Env(), [options = std::move(options)]() -> Finish {
    auto source = make_database_source(options);
    return [source = std::move(source)](Napi::Env env) -> Napi::Value {
      return DatabaseSourceWrap::wrap(env, source);
    };
  });
}

} // namespace

void init_database_source(Napi::Env env, Napi::Object exports) {
  auto ctor = DatabaseSourceWrap::define(env);
  auto &data = addon_data(env);
  data.database_source = Napi::Persistent(ctor);
  data.unwrappers.push_back(&DatabaseSourceWrap::try_unwrap);
  exports.Set("DatabaseSource", ctor);
  exports.Set("openDatabase", Napi::Function::New(env, open_database, "openDatabase"));
}

} // namespace leanspec::node
