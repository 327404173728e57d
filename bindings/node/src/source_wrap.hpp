#pragma once
// Internal to the Node addon: SourceWrap<Self, Native>, the ObjectWrap base of the
// FilesystemSource, CachingSource, DatabaseSource and SpecsService classes. It holds the source as
// a std::shared_ptr (in-flight promises hold it too, so dropping the JS object never frees a source
// a worker is using) and binds the SpecSource calls every source has. Each method names the C++
// call it wraps and the TS signature it gives index.js (which parses the JSON).

#include "addon.hpp"

#include <cstdint>
#include <leanspec/json.hpp>
#include <string>
#include <vector>

namespace leanspec::node {

/// The SpecSource calls, as native methods returning Promises of JSON text.
struct SourceCalls {
  static Napi::Value projects(Napi::Env env, std::shared_ptr<SpecSource> source);
  static Napi::Value list(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source);
  static Napi::Value get(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source);
  static Napi::Value search(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source);
  static Napi::Value stats(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source);
  static Napi::Value relationships(const Napi::CallbackInfo &info,
                                   std::shared_ptr<SpecSource> source);
  static Napi::Value validate(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source);
  static Napi::Value by_status(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source);
  static Napi::Value subscribe(const Napi::CallbackInfo &info, std::shared_ptr<SpecSource> source);
};

template <class Self, class Native> class SourceWrap : public Napi::ObjectWrap<Self> {
public:
  /// JS cannot construct these: only the factories (an External carries the source).
  // The External must carry this class's type tag: another addon's External is refused.
  explicit SourceWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Self>(info) {
    using Handle = Napi::External<std::shared_ptr<Native>>;
    if (info.Length() != 1 || !info[0].IsExternal() ||
        !info[0].template As<Handle>().CheckTypeTag(&tag))
      throw Napi::TypeError::New(info.Env(), std::string(Self::js_name) + " objects are made by " +
                                                 Self::factory_name);
    source_ = *info[0].template As<Handle>().Data();
  }

  /// A new JS object holding `source`.
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<Native> source) {
    const auto handle = Napi::External<std::shared_ptr<Native>>::New(env, &source);
    handle.TypeTag(&tag);
    return Self::constructor(env).New({handle});
  }

  /// The source behind `value` when it is a Self object, else null.
  static std::shared_ptr<SpecSource> try_unwrap(Napi::Env env, const Napi::Value &value) {
    if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(Self::constructor(env).Value()))
      return {};
    return Self::Unwrap(value.As<Napi::Object>())->native(env);
  }

  /// The source, or invalid_argument once close() was called.
  std::shared_ptr<Native> native(Napi::Env env) const {
    if (!source_)
      throw make_error(env, "invalid_argument", std::string(Self::js_name) + " is closed");
    return source_;
  }

protected:
  using Method = typename Napi::ObjectWrap<Self>::InstanceMethodCallback;
  /// The methods every source has, for DefineClass.
  static std::vector<typename Napi::ObjectWrap<Self>::PropertyDescriptor> source_methods() {
    return {
        Self::InstanceMethod("projects", static_cast<Method>(&SourceWrap::projects)),
        Self::InstanceMethod("list", static_cast<Method>(&SourceWrap::list)),
        Self::InstanceMethod("get", static_cast<Method>(&SourceWrap::get)),
        Self::InstanceMethod("search", static_cast<Method>(&SourceWrap::search)),
        Self::InstanceMethod("stats", static_cast<Method>(&SourceWrap::stats)),
        Self::InstanceMethod("relationships", static_cast<Method>(&SourceWrap::relationships)),
        Self::InstanceMethod("validate", static_cast<Method>(&SourceWrap::validate)),
        Self::InstanceMethod("byStatus", static_cast<Method>(&SourceWrap::by_status)),
        Self::InstanceMethod("subscribe", static_cast<Method>(&SourceWrap::subscribe)),
        Self::InstanceMethod("close", static_cast<Method>(&SourceWrap::close)),
    };
  }

  /// The project registry, for the sources that have one (DatabaseSource, SpecsService: the
  /// same member names); instantiated only by them.
  static std::vector<typename Napi::ObjectWrap<Self>::PropertyDescriptor> registry_methods() {
    return {
        Self::InstanceMethod("addProject", static_cast<Method>(&SourceWrap::add_project)),
        Self::InstanceMethod("updateProject", static_cast<Method>(&SourceWrap::update_project)),
        Self::InstanceMethod("removeProject", static_cast<Method>(&SourceWrap::remove_project)),
        Self::InstanceMethod("registeredProjects",
                             static_cast<Method>(&SourceWrap::registered_projects)),
        Self::InstanceMethod("importDirectory", static_cast<Method>(&SourceWrap::import_directory)),
    };
  }

private:
  // A tag per class (FNV-1a of its JS name, twice seeded), for the constructor's External.
  static constexpr std::uint64_t fnv(std::uint64_t h) {
    for (const char *c = Self::js_name; *c != 0; ++c)
      h = (h ^ static_cast<unsigned char>(*c)) * 0x100000001b3ull;
    return h;
  }
  static constexpr napi_type_tag tag = {fnv(0xcbf29ce484222325ull), fnv(0x6c65616e73706563ull)};

  // Native::add_project(project) -> addProject(project): Promise<void>
  Napi::Value add_project(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()), project = read_project(info.Env(), info[0])] {
                       source->add_project(project);
                       return finish_undefined();
                     });
  }
  // Native::update_project(id, patch) -> updateProject(patch): Promise<void>
  Napi::Value update_project(const Napi::CallbackInfo &info) {
    return run_async(
        info.Env(), [source = native(info.Env()), patch = read_project_patch(info.Env(), info[0])] {
          source->update_project(patch.first, patch.second);
          return finish_undefined();
        });
  }
  // Native::remove_project(id) -> removeProject(id: string): Promise<boolean>
  Napi::Value remove_project(const Napi::CallbackInfo &info) {
    return run_async(
        info.Env(), [source = native(info.Env()), id = string_argument(info, 0, "id")]() -> Finish {
          const bool removed = source->remove_project(id);
          return
              [removed](Napi::Env env) -> Napi::Value { return Napi::Boolean::New(env, removed); };
        });
  }
  // Native::registered_projects() -> registeredProjects(): Promise<string> (JSON array)
  Napi::Value registered_projects(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = native(info.Env())] {
      return finish_string(to_json(source->registered_projects()));
    });
  }
  // Native::import_directory(project_id, dir) ->
  //   importDirectory(projectId: string, specsDir: string): Promise<string> (JSON)
  Napi::Value import_directory(const Napi::CallbackInfo &info) {
    return run_async(info.Env(),
                     [source = native(info.Env()), id = string_argument(info, 0, "projectId"),
                      dir = string_argument(info, 1, "specsDir")] {
                       return finish_string(to_json(source->import_directory(id, dir)));
                     });
  }
  // SpecSource::projects() -> projects(): Promise<string>
  Napi::Value projects(const Napi::CallbackInfo &info) {
    return SourceCalls::projects(info.Env(), native(info.Env()));
  }
  // SpecSource::list(ListQuery) -> list(query?: object): Promise<string>
  Napi::Value list(const Napi::CallbackInfo &info) {
    return SourceCalls::list(info, native(info.Env()));
  }
  // SpecSource::get(ref, project_id) (+ render_html) ->
  //   get(ref: string, projectId?: string, html?: boolean): Promise<null | string[]>
  Napi::Value get(const Napi::CallbackInfo &info) {
    return SourceCalls::get(info, native(info.Env()));
  }
  // SpecSource::search(SearchQuery) -> search(text: string, options?: object): Promise<string>
  Napi::Value search(const Napi::CallbackInfo &info) {
    return SourceCalls::search(info, native(info.Env()));
  }
  // SpecSource::stats(project_id) -> stats(projectId?: string): Promise<string>
  Napi::Value stats(const Napi::CallbackInfo &info) {
    return SourceCalls::stats(info, native(info.Env()));
  }
  // SpecSource::relationships(ref, project_id) ->
  //   relationships(ref: string, projectId?: string): Promise<string | null>
  Napi::Value relationships(const Napi::CallbackInfo &info) {
    return SourceCalls::relationships(info, native(info.Env()));
  }
  // SpecSource::validate(project_id) -> validate(projectId?: string): Promise<string>
  Napi::Value validate(const Napi::CallbackInfo &info) {
    return SourceCalls::validate(info, native(info.Env()));
  }
  // SpecSource::by_status(project_id) -> byStatus(projectId?: string): Promise<string>
  Napi::Value by_status(const Napi::CallbackInfo &info) {
    return SourceCalls::by_status(info, native(info.Env()));
  }
  // SpecSource::subscribe(callback) ->
  //   subscribe(listener: (eventJson: string) => void, persistent: boolean): Subscription
  Napi::Value subscribe(const Napi::CallbackInfo &info) {
    return SourceCalls::subscribe(info, native(info.Env()));
  }
  // drops this object's reference (on the thread pool: a watched source joins its threads) ->
  //   close(): Promise<void>; later calls throw invalid_argument
  Napi::Value close(const Napi::CallbackInfo &info) {
    return run_async(info.Env(), [source = std::move(source_)]() mutable {
      source.reset();
      return finish_undefined();
    });
  }

  std::shared_ptr<Native> source_;
};

} // namespace leanspec::node
