// Binds include/leanspec/filesystem_source.hpp: FilesystemSource (opened on the thread pool:
// construction reads the whole directory), discover_options(), default_cache_dir().
#include "source_wrap.hpp"

#include <leanspec/filesystem_source.hpp>

namespace leanspec::node {
namespace {

constexpr const char *what = "filesystem options";

FilesystemOptions read_options(Napi::Env env, const Napi::Value &value) {
  const auto o =
      options_object(env, value, what,
                     {"specsDir", "pattern", "projectId", "maxFileSize", "threads", "cacheDir",
                      "watch", "debounceMs", "pollIntervalMs", "forcePolling"});
  FilesystemOptions options;
  if (auto dir = optional_string(o, "specsDir", what))
    options.specs_dir = *dir;
  if (auto pattern = optional_string(o, "pattern", what)) {
    if (*pattern == "flat")
      options.pattern = FolderPattern::flat;
    else if (*pattern == "date-grouped")
      options.pattern = FolderPattern::date_grouped;
    else
      throw_invalid(env, std::string(what) + ".pattern: expected 'flat' or 'date-grouped', got '" +
                             *pattern + "'");
  }
  options.project_id = optional_string(o, "projectId", what).value_or("");
  if (auto size = optional_count(o, "maxFileSize", what))
    options.max_file_size = *size;
  if (auto threads = optional_count(o, "threads", what)) {
    if (*threads > 1024)
      throw_invalid(env, std::string(what) + ".threads: at most 1024");
    options.threads = static_cast<unsigned>(*threads);
  }
  if (auto dir = optional_string(o, "cacheDir", what))
    options.cache_dir = *dir;
  options.watch = optional_bool(o, "watch", what).value_or(false);
  if (auto ms = optional_count(o, "debounceMs", what))
    options.debounce = std::chrono::milliseconds(*ms);
  if (auto ms = optional_count(o, "pollIntervalMs", what))
    options.poll_interval = std::chrono::milliseconds(*ms);
  options.force_polling = optional_bool(o, "forcePolling", what).value_or(false);
  return options;
}

Napi::Object write_options(Napi::Env env, const FilesystemOptions &options) {
  auto o = Napi::Object::New(env);
  o.Set("specsDir", options.specs_dir.string());
  o.Set("pattern", options.pattern == FolderPattern::flat ? "flat" : "date-grouped");
  o.Set("projectId", options.project_id);
  o.Set("maxFileSize", static_cast<double>(options.max_file_size));
  o.Set("threads", options.threads);
  o.Set("cacheDir", options.cache_dir.string());
  o.Set("watch", options.watch);
  o.Set("debounceMs", static_cast<double>(options.debounce.count()));
  o.Set("pollIntervalMs", static_cast<double>(options.poll_interval.count()));
  o.Set("forcePolling", options.force_polling);
  return o;
}

class FilesystemSourceWrap final : public SourceWrap<FilesystemSourceWrap, FilesystemSource> {
public:
  static constexpr const char *js_name = "FilesystemSource";
  static constexpr const char *factory_name = "FilesystemSource.open()";
  using SourceWrap::SourceWrap;

  static Napi::FunctionReference &constructor(Napi::Env env) {
    return addon_data(env).filesystem_source;
  }

  static Napi::Function define(Napi::Env env) {
    auto methods = source_methods();
    methods.push_back(InstanceMethod("reload", &FilesystemSourceWrap::reload));
    methods.push_back(InstanceAccessor("version", &FilesystemSourceWrap::version, nullptr));
    methods.push_back(InstanceAccessor("options", &FilesystemSourceWrap::options, nullptr));
    return DefineClass(env, js_name, methods);
  }

private:
  // FilesystemSource::reload() -> reload(): Promise<void>
  Napi::Value reload(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = native(info.Env())] {
      source->reload();
      return finish_undefined();
    });
  }
  // FilesystemSource::version() (an atomic load) -> readonly version: number
  Napi::Value version(const Napi::CallbackInfo &info) {
    return Napi::Number::New(info.Env(), static_cast<double>(native(info.Env())->version()));
  }
  // FilesystemSource::options() -> readonly options: FilesystemOptions
  Napi::Value options(const Napi::CallbackInfo &info) {
    return write_options(info.Env(), native(info.Env())->options());
  }
};

// make_filesystem_source(options) -> openFilesystem(options?): Promise<FilesystemSource>
Napi::Value open_filesystem(const Napi::CallbackInfo &info) {
  auto options = read_options(info.Env(), info[0]);
  return run_async(info.Env(), [options = std::move(options)]() -> Finish {
    auto source = make_filesystem_source(options);
    return [source = std::move(source)](Napi::Env env) -> Napi::Value {
      return FilesystemSourceWrap::wrap(env, source);
    };
  });
}

// discover_options(project_dir) -> discoverOptions(projectDir: string): Promise<FilesystemOptions>
Napi::Value discover(const Napi::CallbackInfo &info) {
  auto dir = string_argument(info, 0, "projectDir");
  return run_async(info.Env(), [dir = std::move(dir)]() -> Finish {
    auto options = discover_options(dir);
    return [options = std::move(options)](Napi::Env env) -> Napi::Value {
      return write_options(env, options);
    };
  });
}

// default_cache_dir() (reads two environment variables) -> defaultCacheDir(): string
Napi::Value cache_dir(const Napi::CallbackInfo &info) {
  return Napi::String::New(info.Env(), default_cache_dir().string());
}

} // namespace

void init_filesystem_source(Napi::Env env, Napi::Object exports) {
  auto ctor = FilesystemSourceWrap::define(env);
  auto &data = addon_data(env);
  data.filesystem_source = Napi::Persistent(ctor);
  data.unwrappers.push_back(&FilesystemSourceWrap::try_unwrap);
  exports.Set("FilesystemSource", ctor);
  exports.Set("openFilesystem", Napi::Function::New(env, open_filesystem, "openFilesystem"));
  exports.Set("discoverOptions", Napi::Function::New(env, discover, "discoverOptions"));
  exports.Set("defaultCacheDir", Napi::Function::New(env, cache_dir, "defaultCacheDir"));
}

} // namespace leanspec::node
