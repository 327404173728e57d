#pragma once
// Internal to the Node addon (bindings/node): per-env state, the promise worker, error
// translation and argument reading shared by the files that bind one public header each.
// Everything here runs on the JS thread except the `work` of run_async().

#include <functional>
#include <leanspec/leanspec.hpp>
#include <memory>
#include <mutex>
#include <napi.h>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leanspec::node {

/// The sync schedulers started from JS (schedulers.cpp). Thread-safe.
class Schedulers {
public:
  /// Runs `start` (on any thread) unless stop_all() ran; stop_all() will call `stop`, which
  /// must hold `owner` weakly (it is forgotten once `owner` is gone).
  void start(const std::function<void()> &start, std::weak_ptr<void> owner,
             std::function<void()> stop);
  /// Stops every scheduler started, waiting for them; later start() calls do nothing.
  void stop_all() noexcept;

private:
  struct Started {
    std::weak_ptr<void> owner;
    std::function<void()> stop;
  };
  std::mutex mutex_;
  bool exiting_ = false;
  std::vector<Started> started_;
};

/// Per-env state (env.SetInstanceData): the constructors of the native classes.
struct AddonData {
  Napi::FunctionReference filesystem_source;
  Napi::FunctionReference caching_source;
  Napi::FunctionReference database_source;
  Napi::FunctionReference specs_service;
  Napi::FunctionReference github_sync;
  Napi::FunctionReference subscription;
  /// One per source class: the SpecSource behind a JS value of that class, or null.
  std::vector<std::shared_ptr<SpecSource> (*)(Napi::Env, const Napi::Value &)> unwrappers;
  /// Shared with the workers that start schedulers, which may outlive the env.
  std::shared_ptr<Schedulers> schedulers = std::make_shared<Schedulers>();
};
AddonData &addon_data(Napi::Env env);

// --- errors (error.cpp) ------------------------------------------------------------------------

/// A JS Error with `code` (an ErrorCode's text, e.g. "not_found").
Napi::Error make_error(Napi::Env env, std::string_view code, const std::string &message);
/// Throws a JS Error with code "invalid_argument".
[[noreturn]] void throw_invalid(Napi::Env env, const std::string &message);

/// Calls `f` on the JS thread, turning a leanspec::Error into a JS Error with its code.
template <class F> decltype(auto) translate(Napi::Env env, F &&f) {
  try {
    return f();
  } catch (const Error &e) {
    throw make_error(env, to_string(e.code()), e.what());
  }
}

/// An exception caught on a worker thread, to be rejected with on the JS thread.
struct Failure {
  std::string code;
  std::string message;
};
/// Describes the exception being handled (call only inside a catch block).
Failure current_failure() noexcept;

// --- promises (error.cpp) ----------------------------------------------------------------------

/// Converts a worker's result to JS, on the JS thread.
using Finish = std::function<Napi::Value(Napi::Env)>;
/// Runs `work` on the libuv thread pool and returns a Promise settled with what its Finish
/// returns, or rejected with a leanspec Error (code) when `work` throws.
Napi::Promise run_async(Napi::Env env, std::function<Finish()> work);
/// A Finish that resolves with a string (a result's JSON).
Finish finish_string(std::string text);
/// A Finish that resolves with undefined.
Finish finish_undefined();

// --- arguments (query.cpp) ---------------------------------------------------------------------

/// Reads an options object: every key must be one of `known`, else invalid_argument naming it.
/// Undefined/null reads as an empty object.
Napi::Object options_object(Napi::Env env, const Napi::Value &value, const char *what,
                            std::initializer_list<std::string_view> known);
std::optional<std::string> optional_string(const Napi::Object &o, const char *key,
                                           const char *what);
std::optional<bool> optional_bool(const Napi::Object &o, const char *key, const char *what);
/// A non-negative integer below 2^53.
std::optional<std::uint64_t> optional_count(const Napi::Object &o, const char *key,
                                            const char *what);
/// A required string argument.
std::string string_argument(const Napi::CallbackInfo &info, std::size_t index, const char *name);
/// An optional string argument (undefined/null: empty).
std::string optional_string_argument(const Napi::CallbackInfo &info, std::size_t index,
                                     const char *name);

ListQuery list_query(Napi::Env env, const Napi::Value &value);
/// A SpecUpdate from {status, priority, tagsAdd, tagsRemove, dependsOnAdd, dependsOnRemove,
/// parent, assignee, fields: {key: string | null}, body}.
SpecUpdate spec_update(Napi::Env env, const Napi::Value &value);
/// A NewSpec from {title, slug?, status?, priority?, tags?, assignee?, body?}.
NewSpec new_spec(Napi::Env env, const Napi::Value &value);
SearchQuery search_query(Napi::Env env, const Napi::Value &text, const Napi::Value &options);

// --- sources (spec_source.cpp and one file per source class) ---------------------------------

/// The SpecSource behind a FilesystemSource, CachingSource or DatabaseSource object, or
/// invalid_argument naming `name`.
std::shared_ptr<SpecSource> unwrap_source(Napi::Env env, const Napi::Value &value,
                                          const char *name);

/// The module's init: every binding below, on a fresh AddonData.
Napi::Object init(Napi::Env env, Napi::Object exports);
/// The id and patch of {id, branch?, specsPath?, syncIntervalMs?, syncIntervalSeconds?
/// (deprecated)}: absent (undefined or null) keys stay empty in the patch (database_source.cpp).
std::pair<std::string, ProjectPatch> read_project_patch(Napi::Env env, const Napi::Value &value);
/// A RegisteredProject from the same object, absent keys at RegisteredProject's defaults.
RegisteredProject read_project(Napi::Env env, const Napi::Value &value);

// --- GitHub sync arguments (github_sync.cpp): one reading for GithubSync and SpecsService ----

/// The `limit` of a syncRuns options object ({limit?}: default 20, 0 all).
std::size_t read_runs_limit(Napi::Env env, const Napi::Value &value);

/// One webhook delivery as the host received it: headers {name: string} (info[0]) and the raw
/// body, a Buffer or a string (info[1]), copied on the JS thread for the worker.
struct WebhookDelivery {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};
WebhookDelivery read_delivery(const Napi::CallbackInfo &info);

void init_spec(Napi::Env env, Napi::Object exports);
void init_spec_source(Napi::Env env, Napi::Object exports);
void init_filesystem_source(Napi::Env env, Napi::Object exports);
void init_caching_source(Napi::Env env, Napi::Object exports);
void init_database_source(Napi::Env env, Napi::Object exports);
void init_specs_service(Napi::Env env, Napi::Object exports);
void init_github_sync(Napi::Env env, Napi::Object exports);
void init_schedulers(Napi::Env env, Napi::Object exports);

} // namespace leanspec::node
