// Implements the sources sections of capi/leanspec.h: opening a filesystem, database or
// caching source, the reads every source answers, and the calls of filesystem and caching
// sources.
#include "guard.hpp"
#include "options.hpp"

#include <string>

using namespace leanspec;
using namespace leanspec::capi;

namespace {

std::string get_json(const SpecSource &source, const char *ref, const char *project_id) {
  const auto spec = source.get(require(ref, "ref"), optional_text(project_id));
  if (!spec)
    throw Error(ErrorCode::not_found, "no spec matches ref '" + std::string(ref) + "'");
  return to_json(*spec);
}

} // namespace

extern "C" {

leanspec_status leanspec_source_open_filesystem(leanspec_source **out,
                                                const leanspec_fs_options *opts) noexcept {
  return guard([&] {
    reset(out);
    const auto o = read_options(opts, false);
    FilesystemOptions options{.specs_dir = require(o.specs_dir, "opts->specs_dir"),
                              .pattern = o.pattern == LEANSPEC_PATTERN_DATE_GROUPED
                                             ? FolderPattern::date_grouped
                                             : FolderPattern::flat,
                              .project_id = std::string(optional_text(o.project_id)),
                              .threads = o.threads,
                              .cache_dir = optional_text(o.cache_dir),
                              .summaries_only = o.summaries_only,
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
    const auto o = read_options(opts, true);
    *out = new leanspec_source{
        make_database_source({.database_url = std::string(optional_text(o.database_url)),
                              .recheck = std::chrono::milliseconds(o.recheck_ms),
                              .project_id = std::string(optional_text(o.project_id)),
                              .create_if_missing = o.create_if_missing})};
  });
}

leanspec_status leanspec_source_open_caching(leanspec_source **out, const leanspec_source *inner,
                                             const leanspec_cache_options *opts) noexcept {
  return guard([&] {
    reset(out);
    const auto o = read_options(opts, true);
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
    set_string(out, to_json(require(source, "source")->impl->projects()));
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
    set_string(out, to_json(groups));
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
    set_string(out, to_json(cache.counters()));
  });
}

} // extern "C"
