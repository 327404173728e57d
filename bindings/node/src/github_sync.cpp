// Binds include/leanspec/github_sync.hpp: GithubSync over a DatabaseSource object (made on the
// thread pool), sync_now, request_sync, sync_runs, handle_webhook as Promises; start/stop of the
// scheduler. SyncRun and WebhookResult resolve as the library's JSON (to_json), which index.js
// parses. The token and webhook secrets go in and never come back out.
#include "addon.hpp"

#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/json.hpp>

namespace leanspec::node {
namespace {

constexpr const char *what = "sync options";

SyncOptions read_options(Napi::Env env, const Napi::Value &value) {
  const auto o =
      options_object(env, value, what,
                     {"apiUrl", "token", "webhookSecrets", "concurrency", "workers", "deadlineMs"});
  SyncOptions options;
  options.api_url = optional_string(o, "apiUrl", what).value_or("");
  options.token = optional_string(o, "token", what).value_or("");
  if (auto n = optional_count(o, "concurrency", what))
    options.concurrency = static_cast<unsigned>(*n);
  if (auto n = optional_count(o, "workers", what))
    options.workers = static_cast<unsigned>(*n);
  if (auto ms = optional_count(o, "deadlineMs", what))
    options.deadline = std::chrono::milliseconds(*ms);
  const auto secrets = o.Get("webhookSecrets");
  if (!secrets.IsUndefined() && !secrets.IsNull()) {
    if (!secrets.IsArray())
      throw_invalid(env, std::string(what) + ".webhookSecrets: expected an array of strings");
    const auto array = secrets.As<Napi::Array>();
    for (std::uint32_t i = 0; i < array.Length(); ++i) {
      if (!array.Get(i).IsString())
        throw_invalid(env, std::string(what) + ".webhookSecrets: expected an array of strings");
      options.webhook_secrets.push_back(array.Get(i).As<Napi::String>().Utf8Value());
    }
  }
  return options;
}

} // namespace

std::size_t read_runs_limit(Napi::Env env, const Napi::Value &value) {
  const auto o = options_object(env, value, "syncRuns options", {"limit"});
  return static_cast<std::size_t>(optional_count(o, "limit", "syncRuns options").value_or(20));
}

WebhookDelivery read_delivery(const Napi::CallbackInfo &info) {
  const auto env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    throw_invalid(env, "headers: expected an object of strings");
  WebhookDelivery delivery;
  const auto object = info[0].As<Napi::Object>();
  const auto names = object.GetPropertyNames();
  for (std::uint32_t i = 0; i < names.Length(); ++i) {
    const auto name = names.Get(i).ToString();
    const auto header = object.Get(name);
    if (!header.IsString())
      throw_invalid(env, "headers." + name.Utf8Value() + ": expected a string");
    delivery.headers.emplace_back(name.Utf8Value(), header.As<Napi::String>().Utf8Value());
  }
  if (info.Length() > 1 && info[1].IsBuffer()) {
    const auto buffer = info[1].As<Napi::Buffer<char>>();
    delivery.body.assign(buffer.Data(), buffer.Length());
  } else if (info.Length() > 1 && info[1].IsString()) {
    delivery.body = info[1].As<Napi::String>().Utf8Value();
  } else {
    throw_invalid(env, "body: expected a Buffer or a string");
  }
  return delivery;
}

namespace {

class GithubSyncWrap final : public Napi::ObjectWrap<GithubSyncWrap> {
public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "GithubSync",
                       {InstanceMethod("syncNow", &GithubSyncWrap::sync_now),
                        InstanceMethod("requestSync", &GithubSyncWrap::request_sync),
                        InstanceMethod("syncRuns", &GithubSyncWrap::sync_runs),
                        InstanceMethod("handleWebhook", &GithubSyncWrap::handle_webhook),
                        InstanceMethod("start", &GithubSyncWrap::start),
                        InstanceMethod("stop", &GithubSyncWrap::stop),
                        InstanceAccessor("running", &GithubSyncWrap::running, nullptr)});
  }

  explicit GithubSyncWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<GithubSyncWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw_invalid(info.Env(), "GithubSync objects are made by GithubSync.open()");
    sync_ = *info[0].As<Napi::External<std::shared_ptr<GithubSync>>>().Data();
  }

private:
  std::shared_ptr<GithubSync> sync_;

  // GithubSync::sync_now(project_id) -> syncNow(projectId: string): Promise<SyncRun>
  Napi::Value sync_now(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [sync = sync_, id = string_argument(info, 0, "projectId")] {
      return finish_string(to_json(sync->sync_now(id)));
    });
  }

  // GithubSync::request_sync(project_id) -> requestSync(projectId: string): Promise<void>
  Napi::Value request_sync(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [sync = sync_, id = string_argument(info, 0, "projectId")] {
      sync->request_sync(id);
      return finish_undefined();
    });
  }

  // GithubSync::sync_runs(project_id, limit) ->
  //   syncRuns(projectId: string, options?: {limit?: number}): Promise<SyncRun[]>
  Napi::Value sync_runs(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [sync = sync_, id = string_argument(info, 0, "projectId"),
                                  limit = read_runs_limit(info.Env(), info[1])] {
      return finish_string(to_json(sync->sync_runs(id, limit)));
    });
  }

  // GithubSync::handle_webhook(headers, body) ->
  //   handleWebhook(headers: {[name]: string}, body: Buffer | string): Promise<WebhookResult>
  Napi::Value handle_webhook(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [sync = sync_, delivery = read_delivery(info)] {
      return finish_string(to_json(sync->handle_webhook(delivery.headers, delivery.body)));
    });
  }

  Napi::Value start(const Napi::CallbackInfo &info) {
    translate(info.Env(), [&] {
      addon_data(info.Env())
          .schedulers->start([&] { sync_->start(); }, sync_,
                             [s = std::weak_ptr(sync_)] {
                               if (const auto alive = s.lock())
                                 alive->stop();
                             });
    });
    return info.Env().Undefined();
  }

  // stop() waits for a sync under way to be cancelled: off the event loop.
  Napi::Value stop(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [sync = sync_]() -> Finish {
      sync->stop();
      return finish_undefined();
    });
  }

  Napi::Value running(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), sync_->is_running());
  }
};

// openGithubSync(database: DatabaseSource native, options?) -> Promise<GithubSync native>
Napi::Value open_github_sync(const Napi::CallbackInfo &info) {
  auto source =
      std::dynamic_pointer_cast<DatabaseSource>(unwrap_source(info.Env(), info[0], "database"));
  if (!source)
    throw_invalid(info.Env(), "database: expected a DatabaseSource");
  auto options = read_options(info.Env(), info[1]);
  return run_async(info.Env(),
                   [source = std::move(source), options = std::move(options)]() -> Finish {
                     auto sync = make_github_sync(source, options);
                     return [sync = std::move(sync)](Napi::Env env) -> Napi::Value {
                       auto external = Napi::External<std::shared_ptr<GithubSync>>::New(
                           env, new std::shared_ptr<GithubSync>(sync),
                           [](Napi::Env, std::shared_ptr<GithubSync> *p) { delete p; });
                       return addon_data(env).github_sync.New({external});
                     };
                   });
}

} // namespace

void init_github_sync(Napi::Env env, Napi::Object exports) {
  addon_data(env).github_sync = Napi::Persistent(GithubSyncWrap::define(env));
  exports.Set("openGithubSync", Napi::Function::New(env, open_github_sync, "openGithubSync"));
}

} // namespace leanspec::node
