// Binds include/leanspec/caching_source.hpp: CachingSource over any source object,
// cache_options_from_env(). Making one does no I/O, so it is synchronous.
#include "source_wrap.hpp"

#include <leanspec/caching_source.hpp>

namespace leanspec::node {
namespace {

class CachingSourceWrap final : public SourceWrap<CachingSourceWrap, CachingSource> {
public:
  static constexpr const char *js_name = "CachingSource";
  static constexpr const char *factory_name = "new CachingSource(inner, options)";
  using SourceWrap::SourceWrap;

  static Napi::FunctionReference &constructor(Napi::Env env) {
    return addon_data(env).caching_source;
  }

  static Napi::Function define(Napi::Env env) {
    auto methods = source_methods();
    methods.push_back(InstanceMethod("invalidate", &CachingSourceWrap::invalidate));
    methods.push_back(InstanceMethod("counters", &CachingSourceWrap::counters));
    return DefineClass(env, js_name, methods);
  }

private:
  // CachingSource::invalidate() / invalidate(ref, project_id) (noexcept, a lock and a map
  // erase) -> invalidate(ref?: string, projectId?: string): void
  void invalidate(const Napi::CallbackInfo &info) {
    const auto source = native(info.Env());
    if (info.Length() == 0 || info[0].IsUndefined())
      return source->invalidate();
    source->invalidate(string_argument(info, 0, "ref"),
                       optional_string_argument(info, 1, "projectId"));
  }
  // CachingSource::counters() -> counters(): string (JSON {hits, misses, entries})
  Napi::Value counters(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), to_json(native(info.Env())->counters()));
  }
};

CacheOptions read_options(Napi::Env env, const Napi::Value &value) {
  constexpr const char *what = "cache options";
  const auto o = options_object(env, value, what, {"ttlMs"});
  CacheOptions options;
  if (auto ttl = optional_count(o, "ttlMs", what))
    options.ttl = std::chrono::milliseconds(*ttl);
  return options;
}

// make_caching_source(inner, options) -> makeCaching(inner, options?): CachingSource
Napi::Value make_caching(const Napi::CallbackInfo &info) {
  auto inner = unwrap_source(info.Env(), info[0], "inner");
  auto options = read_options(info.Env(), info[1]);
  return CachingSourceWrap::wrap(
      info.Env(), translate(info.Env(), [&] { return make_caching_source(inner, options); }));
}

// cache_options_from_env() -> cacheOptionsFromEnv(): {ttlMs}
Napi::Value options_from_env(const Napi::CallbackInfo &info) {
  const auto options = translate(info.Env(), [] { return cache_options_from_env(); });
  auto o = Napi::Object::New(info.Env());
  o.Set("ttlMs", static_cast<double>(options.ttl.count()));
  return o;
}

} // namespace

void init_caching_source(Napi::Env env, Napi::Object exports) {
  auto ctor = CachingSourceWrap::define(env);
  auto &data = addon_data(env);
  data.caching_source = Napi::Persistent(ctor);
  data.unwrappers.push_back(&CachingSourceWrap::try_unwrap);
  exports.Set("CachingSource", ctor);
  exports.Set("makeCaching", Napi::Function::New(env, make_caching, "makeCaching"));
  exports.Set("cacheOptionsFromEnv",
              Napi::Function::New(env, options_from_env, "cacheOptionsFromEnv"));
}

} // namespace leanspec::node
