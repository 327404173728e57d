// Implements capi/leanspec.h. Every function is `return guard([&] { ... });` around a few lines
// of conversion (capi/convert.hpp): the one place where C++ exceptions become a
// leanspec_status and the thread-local message.
#include "leanspec.h"

#include "convert.hpp"
#include "handles.hpp"

#include <cstdlib>
#include <new>
#include <string>

using namespace leanspec;
using namespace leanspec::capi;

namespace {

// One C status per ErrorCode; the static_asserts below fail when either side changes alone.
constexpr leanspec_status to_status(ErrorCode code) noexcept {
  switch (code) {
  case ErrorCode::invalid_argument:
    return LEANSPEC_EINVALID;
  case ErrorCode::not_found:
    return LEANSPEC_ENOTFOUND;
  case ErrorCode::ambiguous:
    return LEANSPEC_EAMBIGUOUS;
  case ErrorCode::config:
    return LEANSPEC_ECONFIG;
  case ErrorCode::io:
    return LEANSPEC_EIO;
  case ErrorCode::database:
    return LEANSPEC_EDATABASE;
  case ErrorCode::network:
    return LEANSPEC_ENETWORK;
  case ErrorCode::rate_limited:
    return LEANSPEC_ERATELIMITED;
  case ErrorCode::unauthorized:
    return LEANSPEC_EUNAUTHORIZED;
  case ErrorCode::internal:
    return LEANSPEC_ERROR;
  }
  return LEANSPEC_ERROR;
}
static_assert(static_cast<int>(ErrorCode::internal) == 9,
              "ErrorCode changed: map the new code in to_status() and leanspec.h");
static_assert(to_status(ErrorCode::invalid_argument) == -2 &&
              to_status(ErrorCode::not_found) == -3 && to_status(ErrorCode::ambiguous) == -4 &&
              to_status(ErrorCode::config) == -5 && to_status(ErrorCode::io) == -6 &&
              to_status(ErrorCode::database) == -7 && to_status(ErrorCode::network) == -8 &&
              to_status(ErrorCode::rate_limited) == -9 &&
              to_status(ErrorCode::unauthorized) == -10 && LEANSPEC_ENOMEM == -11 &&
              LEANSPEC_EUSER == -12);
static_assert(LEANSPEC_VERSION_NUMBER == LEANSPEC_VERSION_MAJOR * 10000 +
                                             LEANSPEC_VERSION_MINOR * 100 + LEANSPEC_VERSION_PATCH);

thread_local std::string last_error;

leanspec_status fail(leanspec_status status, const char *message) noexcept {
  try {
    last_error = message;
  } catch (...) {
    last_error.clear(); // no memory for the message: the status still says what happened
  }
  return status;
}

template <class F> leanspec_status guard(F &&body) noexcept {
  try {
    body();
    last_error.clear();
    return LEANSPEC_OK;
  } catch (const Error &e) {
    return fail(to_status(e.code()), e.what());
  } catch (const std::bad_alloc &) {
    return fail(LEANSPEC_ENOMEM, "out of memory");
  } catch (const std::exception &e) {
    return fail(LEANSPEC_ERROR, e.what());
  } catch (...) {
    return fail(LEANSPEC_ERROR, "unknown error");
  }
}

// Resets an out-parameter first, so that it is {NULL, 0} or NULL whatever happens next.
void reset(leanspec_string *out) { *require(out, "out") = {nullptr, 0}; }
template <class T> void reset(T **out) { *require(out, "out") = nullptr; }

template <class Options> const Options &check(const Options *opts, unsigned int version) {
  if (require(opts, "opts")->version != version)
    throw Error(ErrorCode::invalid_argument, "opts->version is " + std::to_string(opts->version) +
                                                 ", expected " + std::to_string(version));
  return *opts;
}

std::string get_json(const SpecSource &source, const char *ref, const char *project_id) {
  const auto spec = source.get(require(ref, "ref"), optional_text(project_id));
  if (!spec)
    throw Error(ErrorCode::not_found, "no spec matches ref '" + std::string(ref) + "'");
  return to_json(*spec);
}

} // namespace

extern "C" {

const char *leanspec_last_error(void) noexcept { return last_error.c_str(); }

const char *leanspec_status_name(leanspec_status status) noexcept {
  switch (status) {
  case LEANSPEC_OK:
    return "ok";
  case LEANSPEC_ERROR:
    return "internal";
  case LEANSPEC_ENOMEM:
    return "out_of_memory";
  case LEANSPEC_EUSER:
    return "user";
  default:
    break;
  }
  for (int code = 0; code <= static_cast<int>(ErrorCode::internal); ++code)
    if (to_status(static_cast<ErrorCode>(code)) == status)
      return to_string(static_cast<ErrorCode>(code)).data(); // static NUL-terminated names
  return "unknown";
}

// This library carries the header it was built with, so its macros are the run-time version.
uint32_t leanspec_version_number(void) noexcept { return LEANSPEC_VERSION_NUMBER; }

const char *leanspec_version_string(void) noexcept { return LEANSPEC_VERSION_STRING; }

void leanspec_string_free(leanspec_string *str) noexcept {
  if (str == nullptr)
    return;
  std::free(str->data);
  *str = {nullptr, 0};
}

leanspec_status leanspec_source_open_filesystem(leanspec_source **out,
                                                const leanspec_fs_options *opts) noexcept {
  return guard([&] {
    reset(out);
    const auto &o = check(opts, LEANSPEC_FS_OPTIONS_VERSION);
    FilesystemOptions options{.specs_dir = require(o.specs_dir, "opts->specs_dir"),
                              .pattern = o.pattern == LEANSPEC_PATTERN_DATE_GROUPED
                                             ? FolderPattern::date_grouped
                                             : FolderPattern::flat,
                              .project_id = std::string(optional_text(o.project_id)),
                              .threads = o.threads,
                              .cache_dir = optional_text(o.cache_dir),
                              .watch = o.watch,
                              .debounce = std::chrono::milliseconds(o.debounce_ms),
                              .poll_interval = std::chrono::milliseconds(o.poll_interval_ms),
                              .force_polling = o.force_polling};
    *out = new leanspec_source{make_filesystem_source(std::move(options))};
  });
}

leanspec_status leanspec_source_open_database(leanspec_source **out,
                                              const leanspec_db_options *opts) noexcept {
  return guard([&] {
    reset(out);
    const leanspec_db_options defaults = LEANSPEC_DB_OPTIONS_INIT;
    const auto &o = opts == nullptr ? defaults : check(opts, LEANSPEC_DB_OPTIONS_VERSION);
    *out = new leanspec_source{
        make_database_source({.database_url = std::string(optional_text(o.database_url)),
                              .recheck = std::chrono::milliseconds(o.recheck_ms),
                              .project_id = std::string(optional_text(o.project_id))})};
  });
}

leanspec_status leanspec_source_open_caching(leanspec_source **out, const leanspec_source *inner,
                                             const leanspec_cache_options *opts) noexcept {
  return guard([&] {
    reset(out);
    const leanspec_cache_options defaults = LEANSPEC_CACHE_OPTIONS_INIT;
    const auto &o = opts == nullptr ? defaults : check(opts, LEANSPEC_CACHE_OPTIONS_VERSION);
    auto source = make_caching_source(require(inner, "inner")->impl,
                                      {.ttl = std::chrono::milliseconds(o.ttl_ms)});
    *out = new leanspec_source{std::move(source)};
  });
}

void leanspec_source_free(leanspec_source *source) noexcept { delete source; }

leanspec_status leanspec_source_projects(leanspec_string *out,
                                         const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    set_string(out, projects_json(require(source, "source")->impl->projects()));
  });
}

leanspec_status leanspec_source_list(leanspec_string *out, const leanspec_source *source,
                                     const char *query_json) noexcept {
  return guard([&] {
    reset(out);
    const auto query = parse_list_query(query_json, "query_json");
    set_string(out, to_json(*require(source, "source")->impl->list(query)));
  });
}

leanspec_status leanspec_source_get(leanspec_string *out, const leanspec_source *source,
                                    const char *ref, const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    set_string(out, get_json(*require(source, "source")->impl, ref, project_id));
  });
}

leanspec_status leanspec_source_search(leanspec_string *out, const leanspec_source *source,
                                       const char *query, const char *options_json) noexcept {
  return guard([&] {
    reset(out);
    auto search = parse_search_options(options_json, "options_json");
    search.text = require(query, "query");
    set_string(out, to_json(*require(source, "source")->impl->search(search)));
  });
}

leanspec_status leanspec_source_stats(leanspec_string *out, const leanspec_source *source,
                                      const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    const auto stats = require(source, "source")->impl->stats(optional_text(project_id));
    set_string(out, to_json(*stats));
  });
}

leanspec_status leanspec_source_relationships(leanspec_string *out, const leanspec_source *source,
                                              const char *ref, const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    const auto found = require(source, "source")
                           ->impl->relationships(require(ref, "ref"), optional_text(project_id));
    if (!found)
      throw Error(ErrorCode::not_found, "no spec matches ref '" + std::string(ref) + "'");
    set_string(out, to_json(*found));
  });
}

leanspec_status leanspec_source_validate(leanspec_string *out, const leanspec_source *source,
                                         const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    const auto diagnostics = require(source, "source")->impl->validate(optional_text(project_id));
    set_string(out, to_json(*diagnostics));
  });
}

leanspec_status leanspec_source_by_status(leanspec_string *out, const leanspec_source *source,
                                          const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    const auto groups = require(source, "source")->impl->by_status(optional_text(project_id));
    set_string(out, by_status_json(groups));
  });
}

leanspec_status leanspec_source_reload(leanspec_source *source) noexcept {
  return guard(
      [&] { as<FilesystemSource>(source, "leanspec_source_reload", "filesystem").reload(); });
}

leanspec_status leanspec_source_version(uint64_t *out, const leanspec_source *source) noexcept {
  return guard([&] {
    const auto &fs = as<FilesystemSource>(source, "leanspec_source_version", "filesystem");
    *require(out, "out") = fs.version();
  });
}

leanspec_status leanspec_source_invalidate(leanspec_source *source, const char *ref,
                                           const char *project_id) noexcept {
  return guard([&] {
    if (auto *service = dynamic_cast<SpecsService *>(require(source, "source")->impl.get()))
      return ref == nullptr ? service->invalidate()
                            : service->invalidate(ref, optional_text(project_id));
    auto &cache = as<CachingSource>(source, "leanspec_source_invalidate", "caching");
    ref == nullptr ? cache.invalidate() : cache.invalidate(ref, optional_text(project_id));
  });
}

leanspec_status leanspec_source_cache_stats(leanspec_string *out,
                                            const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    if (auto *service = dynamic_cast<SpecsService *>(require(source, "source")->impl.get()))
      return set_string(out, to_json(service->cache_stats()));
    const auto &cache = as<CachingSource>(source, "leanspec_source_cache_stats", "caching");
    set_string(out, cache_counters_json(cache.counters()));
  });
}

leanspec_status leanspec_source_add_project(leanspec_source *source,
                                            const char *project_json) noexcept {
  return guard([&] {
    with_registry(source, "leanspec_source_add_project",
                  [&](auto &db) { db.add_project(parse_project(project_json, "project_json")); });
  });
}

leanspec_status leanspec_source_update_project(leanspec_source *source,
                                               const char *project_json) noexcept {
  return guard([&] {
    with_registry(source, "leanspec_source_update_project", [&](auto &db) {
      const auto [id, patch] = parse_project_patch(project_json, "project_json");
      db.update_project(id, patch);
    });
  });
}

leanspec_status leanspec_source_remove_project(bool *out, leanspec_source *source,
                                               const char *project_id) noexcept {
  return guard([&] {
    with_registry(source, "leanspec_source_remove_project", [&](auto &db) {
      const bool removed = db.remove_project(require(project_id, "project_id"));
      if (out != nullptr)
        *out = removed;
    });
  });
}

leanspec_status leanspec_source_registered_projects(leanspec_string *out,
                                                    const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    with_registry(source, "leanspec_source_registered_projects", [&](auto &db) {
      set_string(out, registered_projects_json(db.registered_projects()));
    });
  });
}

leanspec_status leanspec_source_import_directory(leanspec_string *out, leanspec_source *source,
                                                 const char *project_id,
                                                 const char *specs_dir) noexcept {
  return guard([&] {
    reset(out);
    with_registry(source, "leanspec_source_import_directory", [&](auto &db) {
      const auto result =
          db.import_directory(require(project_id, "project_id"), require(specs_dir, "specs_dir"));
      set_string(out, import_result_json(result));
    });
  });
}

leanspec_status leanspec_source_open_service(leanspec_source **out,
                                             const char *config_json) noexcept {
  return guard([&] {
    reset(out);
    auto config = parse_service_config(config_json, "config_json");
    *out = new leanspec_source{make_specs_service(std::move(config))};
  });
}

leanspec_status leanspec_source_health(leanspec_string *out,
                                       const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    set_string(out,
               to_json(as<SpecsService>(source, "leanspec_source_health", "service").health()));
  });
}

leanspec_status leanspec_source_is_stale(bool *out, const leanspec_source *source,
                                         const char *project_id) noexcept {
  return guard([&] {
    const auto &service = as<SpecsService>(source, "leanspec_source_is_stale", "service");
    *require(out, "out") = service.is_stale(optional_text(project_id));
  });
}

leanspec_status leanspec_source_served_projects(leanspec_string *out,
                                                const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    const auto &service = as<SpecsService>(source, "leanspec_source_served_projects", "service");
    set_string(out, served_projects_json(service.served_projects()));
  });
}

leanspec_status leanspec_source_revalidate(bool *out, leanspec_source *source, const char *secret,
                                           const char *ref, const char *project_id) noexcept {
  return guard([&] {
    auto &service = as<SpecsService>(source, "leanspec_source_revalidate", "service");
    const auto ref_view = ref == nullptr ? std::nullopt : std::optional<std::string_view>(ref);
    *require(out, "out") =
        service.revalidate(optional_text(secret), ref_view, optional_text(project_id));
  });
}

leanspec_status leanspec_source_filesystem_project_id(leanspec_string *out,
                                                      const leanspec_source *source) noexcept {
  return guard([&] {
    reset(out);
    const auto &service =
        as<SpecsService>(source, "leanspec_source_filesystem_project_id", "service");
    set_string(out, service.filesystem_project_id());
  });
}

leanspec_status leanspec_source_start_sync(leanspec_source *source) noexcept {
  return guard(
      [&] { as<SpecsService>(source, "leanspec_source_start_sync", "service").start_sync(); });
}

leanspec_status leanspec_source_stop_sync(leanspec_source *source) noexcept {
  return guard(
      [&] { as<SpecsService>(source, "leanspec_source_stop_sync", "service").stop_sync(); });
}

leanspec_status leanspec_source_sync_now(leanspec_string *out, leanspec_source *source,
                                         const char *project_id) noexcept {
  return guard([&] {
    reset(out);
    auto &service = as<SpecsService>(source, "leanspec_source_sync_now", "service");
    set_string(out, to_json(service.sync_now(require(project_id, "project_id"))));
  });
}

leanspec_status leanspec_source_request_sync(leanspec_source *source,
                                             const char *project_id) noexcept {
  return guard([&] {
    auto &service = as<SpecsService>(source, "leanspec_source_request_sync", "service");
    service.request_sync(require(project_id, "project_id"));
  });
}

leanspec_status leanspec_source_sync_runs(leanspec_string *out, const leanspec_source *source,
                                          const char *project_id, size_t limit) noexcept {
  return guard([&] {
    reset(out);
    const auto &service = as<SpecsService>(source, "leanspec_source_sync_runs", "service");
    set_string(out, to_json(service.sync_runs(require(project_id, "project_id"), limit)));
  });
}

leanspec_status leanspec_source_handle_webhook(leanspec_string *out, leanspec_source *source,
                                               const leanspec_header *headers, size_t header_count,
                                               const char *body, size_t body_size) noexcept {
  return guard([&] {
    reset(out);
    auto &service = as<SpecsService>(source, "leanspec_source_handle_webhook", "service");
    const auto pairs = header_pairs(headers, header_count);
    const std::string_view raw =
        body_size == 0 ? std::string_view() : std::string_view(require(body, "body"), body_size);
    set_string(out, to_json(service.handle_webhook(pairs, raw)));
  });
}

leanspec_status leanspec_source_subscribe(leanspec_subscription **out,
                                          const leanspec_source *source,
                                          leanspec_change_cb callback, void *user_data) noexcept {
  return guard([&] {
    reset(out);
    require(callback, "callback");
    auto sub = std::make_unique<leanspec_subscription>();
    sub->source = require(source, "source")->impl;
    sub->impl = sub->source->subscribe([callback, user_data](const ChangeEvent &event) {
      const auto json = to_json(event); // a throw here is dropped by the notifier, never C's
      callback(json.c_str(), json.size(), user_data);
    });
    *out = sub.release();
  });
}

void leanspec_subscription_free(leanspec_subscription *subscription) noexcept {
  delete subscription; // Subscription's destructor unsubscribes, then the source reference goes
}

} // extern "C"
