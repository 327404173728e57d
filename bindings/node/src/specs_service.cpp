// Binds include/leanspec/specs_service.hpp: SpecsService (opened on the thread pool, from a
// config object or the environment), its health, cache control, project registry, and its GitHub
// sync and webhooks; results resolve as the library's JSON (to_json), which index.js parses. The
// config's secrets go in and never come back out.
#include "source_wrap.hpp"

#include <algorithm>
#include <leanspec/specs_service.hpp>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace leanspec::node {
namespace {

constexpr const char *what = "service config";

ServiceConfig read_config(Napi::Env env, const Napi::Value &value) {
  const auto o = options_object(
      env, value, what,
      {"mode", "specsDir", "databaseUrl", "githubToken", "githubApiUrl", "githubAppId",
       "githubAppPrivateKey", "githubAppPrivateKeyFile", "githubAppInstallationId", "cacheTtlMs",
       "cacheBytes", "webhookSecrets", "revalidationSecret", "probeIntervalMs", "syncDeadlineMs"});
  ServiceConfig config;
  if (auto mode = optional_string(o, "mode", what)) {
    const auto parsed = parse_specs_mode(*mode);
    if (!parsed)
      throw_invalid(env, std::string(what) + ".mode: expected 'filesystem', 'database' or " +
                             "'both', got '" + *mode + "'");
    config.mode = *parsed;
  }
  if (auto dir = optional_string(o, "specsDir", what))
    config.specs_dir = *dir;
  config.database_url = optional_string(o, "databaseUrl", what).value_or("");
  config.github_token = optional_string(o, "githubToken", what).value_or("");
  if (auto url = optional_string(o, "githubApiUrl", what))
    config.github_api_url = *url;
  if (auto id = optional_count(o, "githubAppId", what))
    config.github_app_id = static_cast<std::int64_t>(*id);
  config.github_app_private_key = optional_string(o, "githubAppPrivateKey", what).value_or("");
  config.github_app_private_key_file =
      optional_string(o, "githubAppPrivateKeyFile", what).value_or("");
  if (auto id = optional_count(o, "githubAppInstallationId", what))
    config.github_app_installation_id = static_cast<std::int64_t>(*id);
  if (auto ms = optional_count(o, "cacheTtlMs", what))
    config.cache_ttl = std::chrono::milliseconds(*ms);
  if (auto bytes = optional_count(o, "cacheBytes", what))
    config.cache_bytes = static_cast<std::size_t>(*bytes);
  const auto secrets = o.Get("webhookSecrets");
  if (!secrets.IsUndefined() && !secrets.IsNull()) {
    if (!secrets.IsArray())
      throw_invalid(env, std::string(what) + ".webhookSecrets: expected an array of strings");
    const auto array = secrets.As<Napi::Array>();
    for (std::uint32_t i = 0; i < array.Length(); ++i) {
      if (!array.Get(i).IsString())
        throw_invalid(env, std::string(what) + ".webhookSecrets: expected an array of strings");
      config.webhook_secrets.push_back(array.Get(i).As<Napi::String>().Utf8Value());
    }
  }
  config.revalidation_secret = optional_string(o, "revalidationSecret", what).value_or("");
  if (auto ms = optional_count(o, "probeIntervalMs", what))
    config.probe_interval = std::chrono::milliseconds(*ms);
  if (auto ms = optional_count(o, "syncDeadlineMs", what))
    config.sync_deadline = std::chrono::milliseconds(*ms);
  return config;
}

class SpecsServiceWrap final : public SourceWrap<SpecsServiceWrap, SpecsService> {
public:
  static constexpr const char *js_name = "SpecsService";
  static constexpr const char *factory_name = "SpecsService.open()";
  using SourceWrap::SourceWrap;

  static Napi::FunctionReference &constructor(Napi::Env env) {
    return addon_data(env).specs_service;
  }

  static Napi::Function define(Napi::Env env) {
    auto methods = source_methods();
    for (auto &m : registry_methods())
      methods.push_back(m);
    methods.push_back(InstanceAccessor("mode", &SpecsServiceWrap::mode, nullptr));
    methods.push_back(
        InstanceAccessor("filesystemProjectId", &SpecsServiceWrap::filesystem_project_id, nullptr));
    methods.push_back(InstanceMethod("servedProjects", &SpecsServiceWrap::served_projects));
    methods.push_back(InstanceMethod("update", &SpecsServiceWrap::update));
    methods.push_back(InstanceMethod("create", &SpecsServiceWrap::create));
    methods.push_back(
        InstanceMethod("toggleChecklistItem", &SpecsServiceWrap::toggle_checklist_item));
    methods.push_back(InstanceMethod("health", &SpecsServiceWrap::health));
    methods.push_back(InstanceMethod("isStale", &SpecsServiceWrap::is_stale));
    methods.push_back(InstanceMethod("invalidate", &SpecsServiceWrap::invalidate));
    methods.push_back(InstanceMethod("revalidate", &SpecsServiceWrap::revalidate));
    methods.push_back(InstanceMethod("cacheStats", &SpecsServiceWrap::cache_stats));
    methods.push_back(InstanceMethod("startSync", &SpecsServiceWrap::start_sync));
    methods.push_back(InstanceMethod("stopSync", &SpecsServiceWrap::stop_sync));
    methods.push_back(InstanceMethod("syncNow", &SpecsServiceWrap::sync_now));
    methods.push_back(InstanceMethod("requestSync", &SpecsServiceWrap::request_sync));
    methods.push_back(InstanceMethod("syncRuns", &SpecsServiceWrap::sync_runs));
    methods.push_back(InstanceMethod("handleWebhook", &SpecsServiceWrap::handle_webhook));
    return DefineClass(env, js_name, methods);
  }

private:
  // SpecsService::mode() -> readonly mode: 'filesystem' | 'database' | 'both'
  Napi::Value mode(const Napi::CallbackInfo &info) {
    const auto text = to_string(native(info.Env())->mode());
    return Napi::String::New(info.Env(), text.data(), text.size());
  }
  // SpecsService::filesystem_project_id() -> readonly filesystemProjectId: string
  Napi::Value filesystem_project_id(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), native(info.Env())->filesystem_project_id());
  }
  // SpecsService::served_projects() -> servedProjects(): Promise<string> (JSON array)
  Napi::Value served_projects(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = native(info.Env())] {
      return finish_string(to_json(source->served_projects()));
    });
  }
  // SpecsService::health() -> health(): Promise<string>
  Napi::Value health(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = native(info.Env())] {
      return finish_string(to_json(source->health()));
    });
  }
  // SpecsService::is_stale(project_id) -> isStale(projectId?: string): Promise<boolean>
  Napi::Value is_stale(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()),
                      id = optional_string_argument(info, 0, "projectId")]() -> Finish {
                       const bool stale = source->is_stale(id);
                       return [stale](Napi::Env env) -> Napi::Value {
                         return Napi::Boolean::New(env, stale);
                       };
                     });
  }
  // SpecsService::invalidate() / invalidate(ref, project_id) (noexcept, in memory) ->
  //   invalidate(ref?: string, projectId?: string): void
  void invalidate(const Napi::CallbackInfo &info) {
    const auto source = native(info.Env());
    if (info.Length() == 0 || info[0].IsUndefined())
      return source->invalidate();
    source->invalidate(string_argument(info, 0, "ref"),
                       optional_string_argument(info, 1, "projectId"));
  }
  // SpecsService::revalidate(secret, ref, project_id) (noexcept, in memory) ->
  //   revalidate(secret: string, ref?: string, projectId?: string): boolean
  Napi::Value revalidate(const Napi::CallbackInfo &info) {
    const auto source = native(info.Env());
    const auto secret = optional_string_argument(info, 0, "secret");
    std::optional<std::string> ref;
    if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull())
      ref = string_argument(info, 1, "ref");
    const auto project_id = optional_string_argument(info, 2, "projectId");
    const bool done = ref ? source->revalidate(secret, std::string_view(*ref), project_id)
                          : source->revalidate(secret, std::nullopt, project_id);
    return Napi::Boolean::New(info.Env(), done);
  }
  // SpecsService::cache_stats() (counters in memory) -> cacheStats(): string (JSON)
  Napi::Value cache_stats(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), to_json(native(info.Env())->cache_stats()));
  }

  // SpecsService::start_sync() (takes the database's lock, starts threads) ->
  //   startSync(): Promise<void>
  Napi::Value start_sync(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()), schedulers = addon_data(info.Env()).schedulers] {
                       schedulers->start([&] { source->start_sync(); }, source,
                                         [s = std::weak_ptr(source)] {
                                           if (const auto alive = s.lock())
                                             alive->stop_sync();
                                         });
                       return finish_undefined();
                     });
  }
  // SpecsService::stop_sync() (waits for a sync under way to be cancelled) ->
  //   stopSync(): Promise<void>
  Napi::Value stop_sync(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = native(info.Env())] {
      source->stop_sync();
      return finish_undefined();
    });
  }
  // SpecsService::sync_now(project_id) -> syncNow(projectId: string): Promise<SyncRun>
  Napi::Value sync_now(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()), id = string_argument(info, 0, "projectId")] {
                       return finish_string(to_json(source->sync_now(id)));
                     });
  }
  // SpecsService::request_sync(project_id) -> requestSync(projectId: string): Promise<void>
  Napi::Value request_sync(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()), id = string_argument(info, 0, "projectId")] {
                       source->request_sync(id);
                       return finish_undefined();
                     });
  }
  // SpecsService::sync_runs(project_id, limit) ->
  //   syncRuns(projectId: string, options?: {limit?: number}): Promise<SyncRun[]>
  Napi::Value sync_runs(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()), id = string_argument(info, 0, "projectId"),
                      limit = read_runs_limit(info.Env(), info[1])] {
                       return finish_string(to_json(source->sync_runs(id, limit)));
                     });
  }
  // SpecsService::update(ref, update, base_hash, project_id) ->
  //   update(ref, update: object, baseHash: string, projectId?): Promise<string> (the spec's JSON)
  Napi::Value update(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()), ref = string_argument(info, 0, "ref"),
                      update = spec_update(info.Env(), info[1]),
                      base = string_argument(info, 2, "baseHash"),
                      project = optional_string_argument(info, 3, "projectId")] {
                       return finish_string(to_json(*source->update(ref, update, base, project)));
                     });
  }
  // SpecsService::create(spec, project_id) ->
  //   create(spec: object, projectId?): Promise<string> (the new spec's JSON)
  Napi::Value create(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = native(info.Env()), spec = new_spec(info.Env(), info[0]),
                                  project = optional_string_argument(info, 1, "projectId")] {
      return finish_string(to_json(*source->create(spec, project)));
    });
  }
  // SpecsService::toggle_checklist_item(ref, index, base_hash, project_id) ->
  //   toggleChecklistItem(ref, index: number, baseHash, projectId?): Promise<string>
  Napi::Value toggle_checklist_item(const Napi::CallbackInfo &info) {
    if (info.Length() < 2 || !info[1].IsNumber() || info[1].As<Napi::Number>().DoubleValue() < 1 ||
        info[1].As<Napi::Number>().DoubleValue() > 1e6 ||
        info[1].As<Napi::Number>().DoubleValue() != info[1].As<Napi::Number>().Int32Value())
      throw_invalid(info.Env(), "index: expected an integer from 1");
    return run_async(info.Env(), [source = native(info.Env()),
                                  ref = string_argument(info, 0, "ref"),
                                  index = info[1].As<Napi::Number>().Int32Value(),
                                  base = string_argument(info, 2, "baseHash"),
                                  project = optional_string_argument(info, 3, "projectId")] {
      return finish_string(to_json(*source->toggle_checklist_item(ref, index, base, project)));
    });
  }
  // SpecsService::handle_webhook(headers, body) (noexcept; reads the store) ->
  //   handleWebhook(headers: {[name]: string}, body: Buffer | string): Promise<WebhookResult>
  Napi::Value handle_webhook(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = native(info.Env()), delivery = read_delivery(info)] {
      return finish_string(to_json(source->handle_webhook(delivery.headers, delivery.body)));
    });
  }
};

// One service per configuration in a process: a web framework evaluates the module that opens
// it more than once (Next.js: once for pages, once for route handlers, again on each dev
// reload), and each service would read the specs and watch them again. A service lives while
// a wrapper holds it; the last wrapper closed or collected closes it.
std::shared_ptr<SpecsService> shared_service(const ServiceConfig &config) {
  static std::mutex mutex;
  static std::vector<std::pair<ServiceConfig, std::weak_ptr<SpecsService>>> open;
  const std::lock_guard lock(mutex); // held while opening: a concurrent twin waits, then shares
  std::erase_if(open, [](const auto &entry) { return entry.second.expired(); });
  for (const auto &[existing, service] : open) {
    if (existing == config) {
      if (auto alive = service.lock())
        return alive;
    }
  }
  auto service = make_specs_service(config);
  open.emplace_back(config, service);
  return service;
}

// make_specs_service(config or ServiceConfig::from_env()), shared (shared_service) ->
//   openService(config?: object): Promise<SpecsService>
Napi::Value open_service(const Napi::CallbackInfo &info) {
  const bool from_env = info.Length() == 0 || info[0].IsUndefined() || info[0].IsNull();
  auto config = from_env ? ServiceConfig{} : read_config(info.Env(), info[0]);
  return run_async(info.Env(), [config = std::move(config), from_env]() -> Finish {
    auto service = shared_service(from_env ? ServiceConfig::from_env() : config);
    return [service = std::move(service)](Napi::Env env) -> Napi::Value {
      return SpecsServiceWrap::wrap(env, service);
    };
  });
}

// ServiceConfig::problems() (looks at the specs directory) ->
//   serviceConfigProblems(config: object): Promise<string[]>
Napi::Value config_problems(const Napi::CallbackInfo &info) {
  auto config = read_config(info.Env(), info[0]);
  return run_async(info.Env(), [config = std::move(config)]() -> Finish {
    auto problems = config.problems();
    return [problems = std::move(problems)](Napi::Env env) -> Napi::Value {
      auto array = Napi::Array::New(env, problems.size());
      for (std::uint32_t i = 0; i < problems.size(); ++i)
        array.Set(i, Napi::String::New(env, problems[i]));
      return array;
    };
  });
}

} // namespace

void init_specs_service(Napi::Env env, Napi::Object exports) {
  auto ctor = SpecsServiceWrap::define(env);
  auto &data = addon_data(env);
  data.specs_service = Napi::Persistent(ctor);
  data.unwrappers.push_back(&SpecsServiceWrap::try_unwrap);
  exports.Set("SpecsService", ctor);
  exports.Set("openService", Napi::Function::New(env, open_service, "openService"));
  exports.Set("serviceConfigProblems",
              Napi::Function::New(env, config_problems, "serviceConfigProblems"));
}

} // namespace leanspec::node
