// Binds include/leanspec/spec_source.hpp: the SpecSource calls shared by every source class
// (results as the library's JSON, parsed by index.js) and Subscription, whose change events
// reach JS through a Napi::ThreadSafeFunction.
//
// Thread-safe function rules kept here: (1) the library calls it only between subscribe() and
// Subscription::reset(), which returns only once no callback runs; (2) it is released once,
// right after that reset (unsubscribe(), garbage collection, or the env cleanup hook, which is
// registered after the TSFN and so runs before Node tears it down); (3) events queued before
// the release may still arrive: index.js drops those for listeners that are gone.
#include "source_wrap.hpp"

#include <leanspec/json.hpp>

namespace leanspec::node {
namespace {

// Subscription: unsubscribe(): void. Holds the library Subscription and the TSFN.
class SubscriptionWrap final : public Napi::ObjectWrap<SubscriptionWrap> {
public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Subscription",
                       {InstanceMethod("unsubscribe", &SubscriptionWrap::unsubscribe),
                        InstanceAccessor("active", &SubscriptionWrap::active, nullptr)});
  }

  explicit SubscriptionWrap(const Napi::CallbackInfo &info)
      : Napi::ObjectWrap<SubscriptionWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw Napi::TypeError::New(info.Env(), "Subscription objects are made by subscribe()");
  }
  ~SubscriptionWrap() override { stop(); }

  void start(Napi::Env env, const std::shared_ptr<SpecSource> &source, Napi::Function listener,
             bool persistent) {
    tsfn_ = Tsfn::New(env, listener, "leanspec change events", 0, 1);
    if (!persistent)
      tsfn_.Unref(env);
    env_ = env;
    if (napi_add_env_cleanup_hook(env, &SubscriptionWrap::teardown, this) != napi_ok)
      throw Napi::Error::New(env, "napi_add_env_cleanup_hook failed");
    subscription_ = source->subscribe([tsfn = tsfn_](const ChangeEvent &event) mutable {
      auto json = std::make_unique<std::string>(to_json(event));
      if (tsfn.NonBlockingCall(json.get()) == napi_ok)
        (void)json.release(); // call_js owns it now
    });
  }

private:
  static void call_js(Napi::Env env, Napi::Function listener, std::nullptr_t *,
                      std::string *data) noexcept {
    const std::unique_ptr<std::string> json(data);
    if (env == nullptr || listener.IsEmpty())
      return; // torn down
    try {
      listener.Call({Napi::String::New(env, *json)});
    } catch (const Napi::Error &e) {
      // An uncaught exception, as from any event listener. While the env shuts down nothing
      // can be thrown any more; then it is dropped.
      (void)napi_throw(env, e.Value());
    } catch (...) {
      // bad_alloc or the env going away mid-call: nothing to tell JS
    }
  }
  using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, std::string, call_js>;

  // The env is going away: stop before Node finalizes the TSFN.
  static void teardown(void *self) noexcept { static_cast<SubscriptionWrap *>(self)->stop(true); }

  void stop(bool from_teardown = false) noexcept {
    if (!tsfn_)
      return;
    subscription_.reset(); // no callback runs once this returns
    tsfn_.Release();
    tsfn_ = Tsfn();
    if (!from_teardown)
      napi_remove_env_cleanup_hook(env_, &SubscriptionWrap::teardown, this);
  }

  // Subscription::reset() -> unsubscribe(): void
  void unsubscribe(const Napi::CallbackInfo &) { stop(); }
  Napi::Value active(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), static_cast<bool>(tsfn_));
  }

  Tsfn tsfn_;
  Subscription subscription_;
  Napi::Env env_ = nullptr;
};

} // namespace

Napi::Value SourceCalls::projects(Napi::Env env, std::shared_ptr<SpecSource> source) {
  return run_async(env, [source] { return finish_string(to_json(source->projects())); });
}

Napi::Value SourceCalls::list(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source) {
  auto query = list_query(info.Env(), info[0]);
  return run_async(info.Env(), [source, query = std::move(query)] {
    return finish_string(to_json(*source->list(query)));
  });
}

Napi::Value SourceCalls::get(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source) {
  auto ref = string_argument(info, 0, "ref");
  auto project_id = optional_string_argument(info, 1, "projectId");
  const bool html = info.Length() > 2 && info[2].ToBoolean().Value();
  return run_async(
      info.Env(),
      [source, ref = std::move(ref), project_id = std::move(project_id), html]() -> Finish {
        const auto spec = source->get(ref, project_id);
        if (!spec)
          return [](Napi::Env env) -> Napi::Value { return env.Null(); };
        // [json, html of the body, html of each sub-spec...] when html; else [json].
        std::vector<std::string> parts{to_json(*spec)};
        if (html) {
          parts.push_back(render_html(spec->body));
          for (const auto &sub : spec->sub_specs)
            parts.push_back(render_html(sub.content));
        }
        return [parts = std::move(parts)](Napi::Env env) -> Napi::Value {
          auto array = Napi::Array::New(env, parts.size());
          for (std::uint32_t i = 0; i < parts.size(); ++i)
            array.Set(i, Napi::String::New(env, parts[i]));
          return array;
        };
      });
}

Napi::Value SourceCalls::search(const Napi::CallbackInfo &info,
                                std::shared_ptr<SpecSource> source) {
  auto query = search_query(info.Env(), info[0], info[1]);
  return run_async(info.Env(), [source, query = std::move(query)] {
    return finish_string(to_json(*source->search(query)));
  });
}

Napi::Value SourceCalls::stats(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source) {
  auto project_id = optional_string_argument(info, 0, "projectId");
  return run_async(info.Env(), [source, project_id = std::move(project_id)] {
    return finish_string(to_json(*source->stats(project_id)));
  });
}

Napi::Value SourceCalls::relationships(const Napi::CallbackInfo &info,
                                       std::shared_ptr<SpecSource> source) {
  auto ref = string_argument(info, 0, "ref");
  auto project_id = optional_string_argument(info, 1, "projectId");
  return run_async(info.Env(),
                   [source, ref = std::move(ref), project_id = std::move(project_id)]() -> Finish {
                     const auto found = source->relationships(ref, project_id);
                     if (!found)
                       return [](Napi::Env env) -> Napi::Value { return env.Null(); };
                     return finish_string(to_json(*found));
                   });
}

Napi::Value SourceCalls::validate(const Napi::CallbackInfo &info,
                                  std::shared_ptr<SpecSource> source) {
  auto project_id = optional_string_argument(info, 0, "projectId");
  return run_async(info.Env(), [source, project_id = std::move(project_id)] {
    return finish_string(to_json(*source->validate(project_id)));
  });
}

Napi::Value SourceCalls::by_status(const Napi::CallbackInfo &info,
                                   std::shared_ptr<SpecSource> source) {
  auto project_id = optional_string_argument(info, 0, "projectId");
  return run_async(info.Env(), [source, project_id = std::move(project_id)] {
    return finish_string(to_json(source->by_status(project_id)));
  });
}

Napi::Value SourceCalls::subscribe(const Napi::CallbackInfo &info,
                                   std::shared_ptr<SpecSource> source) {
  const Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction())
    throw_invalid(env, "listener: expected a function");
  const bool persistent = info.Length() < 2 || info[1].ToBoolean().Value();
  auto object = addon_data(env).subscription.New({Napi::External<void>::New(env, nullptr)});
  SubscriptionWrap::Unwrap(object)->start(env, source, info[0].As<Napi::Function>(), persistent);
  return object;
}

std::shared_ptr<SpecSource> unwrap_source(Napi::Env env, const Napi::Value &value,
                                          const char *name) {
  for (const auto unwrap : addon_data(env).unwrappers)
    if (auto source = unwrap(env, value))
      return source;
  throw_invalid(env, std::string(name) + ": expected a FilesystemSource, CachingSource or "
                                         "DatabaseSource");
}

void init_spec_source(Napi::Env env, Napi::Object exports) {
  auto ctor = SubscriptionWrap::define(env);
  addon_data(env).subscription = Napi::Persistent(ctor);
  exports.Set("Subscription", ctor);
}

} // namespace leanspec::node
