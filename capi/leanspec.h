/*
 * leanspec.h: the C API of libleanspec (C11). Opaque handles over the C++ sources
 * (include/leanspec/), structured input and every result as UTF-8 JSON, the same JSON as the
 * C++ to_json() (camelCase keys, fixed order). Implemented in capi/ (a .cpp file per section
 * below); link with -lleanspec_c (CMake: leanspec::leanspec_c).
 *
 * Conventions (libgit2's):
 *   - Every fallible call returns a leanspec_status: LEANSPEC_OK (0) or a negative code. On
 *     failure leanspec_last_error() says what went wrong, naming the argument, file or field.
 *   - Out-parameters come first and are named `out`. On failure `*out` is set to NULL (handles)
 *     or {NULL, 0} (strings), so freeing it is always safe.
 *   - Strings in are NUL-terminated UTF-8. A `project_id` may be NULL or "" for the source's
 *     default project.
 *   - Strings out are leanspec_string, owned by the caller and released with
 *     leanspec_string_free(); never free() library memory.
 *   - Each handle type has one leanspec_<type>_free() that accepts NULL. A borrowed handle
 *     (the source leanspec_service_source() lends) is never freed.
 *   - No C++ exception ever leaves a function (LEANSPEC_NOEXCEPT).
 *
 * Threads: sources and services are thread-safe: any number of threads may call one at once.
 * Freeing a handle must not race with calls on that same handle.
 *
 *   leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
 *   opts.specs_dir = "specs";
 *   leanspec_source *src;
 *   if (leanspec_source_open_filesystem(&src, &opts) != LEANSPEC_OK) {
 *     fprintf(stderr, "%s\n", leanspec_last_error());
 *     return 1;
 *   }
 *   leanspec_string page;
 *   if (leanspec_source_list(&page, src, "{\"status\":\"planned\",\"limit\":20}") == LEANSPEC_OK)
 *     puts(page.data);
 *   leanspec_string_free(&page);
 *   leanspec_source_free(src);
 */
#ifndef LEANSPEC_H
#define LEANSPEC_H

#include "leanspec_version.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define LEANSPEC_NOEXCEPT noexcept
extern "C" {
#else
#define LEANSPEC_NOEXCEPT
#endif

/* LEANSPEC_API marks what the shared library exports. On Windows a consumer imports it
 * (dllimport) and the library's own build, which defines LEANSPEC_C_EXPORTS (capi/CMakeLists.txt),
 * exports it; elsewhere it has default visibility in a library built with hidden visibility. */
#if defined(_WIN32) || defined(__CYGWIN__)
#ifdef LEANSPEC_C_EXPORTS
#define LEANSPEC_API __declspec(dllexport)
#else
#define LEANSPEC_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define LEANSPEC_API __attribute__((visibility("default")))
#else
#define LEANSPEC_API
#endif

/* LEANSPEC_DEPRECATED(message) marks an entry point kept for one release after its
 * replacement: calling it warns with `message`. */
#if defined(__GNUC__) || defined(__clang__)
#define LEANSPEC_DEPRECATED(message) __attribute__((deprecated(message)))
#elif defined(_MSC_VER)
#define LEANSPEC_DEPRECATED(message) __declspec(deprecated(message))
#else
#define LEANSPEC_DEPRECATED(message)
#endif

/* ---- status and errors ------------------------------------------------------------------ */

/** The result of every fallible call: 0 or one of the negative codes below. */
typedef int32_t leanspec_status;

enum {
  LEANSPEC_OK = 0,
  LEANSPEC_ERROR = -1,          /**< generic failure (an internal error) */
  LEANSPEC_EINVALID = -2,       /**< a bad argument, option, JSON input or query */
  LEANSPEC_ENOTFOUND = -3,      /**< nothing matches (a spec ref, a project, a specs directory) */
  LEANSPEC_EAMBIGUOUS = -4,     /**< a ref matches several specs; the message lists them */
  LEANSPEC_ECONFIG = -5,        /**< a bad configuration value */
  LEANSPEC_EIO = -6,            /**< the file system failed */
  LEANSPEC_EDATABASE = -7,      /**< the database failed */
  LEANSPEC_ENETWORK = -8,       /**< the network failed */
  LEANSPEC_ERATELIMITED = -9,   /**< a remote API's rate limit */
  LEANSPEC_EUNAUTHORIZED = -10, /**< credentials were refused */
  LEANSPEC_ENOMEM = -11,        /**< out of memory */
  LEANSPEC_ECONFLICT = -12      /**< a write based on a version that moved on; nothing written */
};

/**
 * The message of the last failed call on this thread; "" after a successful call.
 * Never NULL. Valid until the next leanspec call on the same thread.
 * Thread-safety: thread-safe (the message is thread-local).
 */
LEANSPEC_API const char *leanspec_last_error(void) LEANSPEC_NOEXCEPT;

/**
 * The stable name of a status: "ok", "invalid_argument", "not_found", "ambiguous", "config",
 * "io", "database", "network", "rate_limited", "unauthorized", "out_of_memory", "conflict",
 * "internal" (LEANSPEC_ERROR), or "unknown". The names of C++ ErrorCode / JS err.code. Never
 * NULL; a static string.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API const char *leanspec_status_name(leanspec_status status) LEANSPEC_NOEXCEPT;

/* ---- version ---------------------------------------------------------------------------- */

/**
 * The version of the library linked at run time, as LEANSPEC_VERSION_NUMBER (compare with the
 * header's macro to detect a mismatch). Thread-safety: thread-safe.
 */
LEANSPEC_API uint32_t leanspec_version_number(void) LEANSPEC_NOEXCEPT;
/** The run-time version as text, e.g. "0.1.0". A static string. Thread-safety: thread-safe. */
LEANSPEC_API const char *leanspec_version_string(void) LEANSPEC_NOEXCEPT;

/* ---- strings ---------------------------------------------------------------------------- */

/**
 * A string the library hands out: `size` bytes of UTF-8 at `data`, followed by a NUL.
 * Owned by the caller; release it with leanspec_string_free().
 */
typedef struct leanspec_string {
  char *data;
  size_t size;
} leanspec_string;

/**
 * Releases `str->data` and resets `*str` to {NULL, 0}. Accepts NULL and an already freed or
 * zeroed string. Thread-safety: thread-safe for distinct strings.
 */
LEANSPEC_API void leanspec_string_free(leanspec_string *str) LEANSPEC_NOEXCEPT;

/* ---- sources ---------------------------------------------------------------------------- */

/**
 * A source of specs: a filesystem source, a database source, a caching source over any source,
 * or a service seen as a source (leanspec_service_source()). One handle type for all; the calls
 * below that only some kinds answer fail with LEANSPEC_EINVALID on the others. Thread-safe.
 */
typedef struct leanspec_source leanspec_source;

/*
 * Options structs (libgit2's rule). The first field is `version`, which the struct's _INIT
 * macro sets to the header's LEANSPEC_<NAME>_OPTIONS_VERSION. Fields are only ever appended,
 * and each release that appends one bumps the version (the field's doc says "since version N").
 * The library accepts every version from 1 up to its own: it reads the fields the caller's
 * version has and gives the others their _INIT value, so a program compiled against an older
 * header keeps working with a newer library. A version of 0 or above the library's (a header
 * newer than the library) is refused with LEANSPEC_EINVALID naming the struct. Always start
 * from the _INIT macro and set fields by name.
 */

/** leanspec_fs_options.pattern */
enum { LEANSPEC_PATTERN_FLAT = 0, LEANSPEC_PATTERN_DATE_GROUPED = 1 };

#define LEANSPEC_FS_OPTIONS_VERSION 2
/** Options of a filesystem source. Initialize with LEANSPEC_FS_OPTIONS_INIT. Strings are
 *  copied; they need not outlive the call. */
typedef struct leanspec_fs_options {
  unsigned int version;      /**< LEANSPEC_FS_OPTIONS_VERSION */
  const char *specs_dir;     /**< the specs directory; required */
  const char *project_id;    /**< NULL: the name of the specs directory's parent */
  int32_t pattern;           /**< LEANSPEC_PATTERN_FLAT or LEANSPEC_PATTERN_DATE_GROUPED */
  uint32_t threads;          /**< loader threads; 0: one per core */
  const char *cache_dir;     /**< where parsed frontmatter is kept between runs; NULL: none */
  bool watch;                /**< follow changes (a thread, inotify) and send change events */
  uint32_t debounce_ms;      /**< quiet time that ends a burst of changes */
  uint32_t poll_interval_ms; /**< polling period when inotify is unavailable */
  bool force_polling;        /**< poll even where inotify works */
  /** Since version 2. Read only what summaries need: a spec's "contentMd" and its sub-specs'
   *  "content" stay empty (so search finds no word of a body); the rest is a full read's. */
  bool summaries_only;
} leanspec_fs_options;
#define LEANSPEC_FS_OPTIONS_INIT                                                                   \
  {                                                                                                \
    LEANSPEC_FS_OPTIONS_VERSION, NULL, NULL, LEANSPEC_PATTERN_FLAT, 0, NULL, false, 20, 1000,      \
        false, false                                                                               \
  }

#define LEANSPEC_DB_OPTIONS_VERSION 2
/** Options of a database source. Initialize with LEANSPEC_DB_OPTIONS_INIT. */
typedef struct leanspec_db_options {
  unsigned int version;     /**< LEANSPEC_DB_OPTIONS_VERSION */
  const char *database_url; /**< "sqlite:/path/x.db", a path, "postgres://..."; NULL: default */
  const char *project_id;   /**< the project of calls that name none; NULL: the only one */
  uint32_t recheck_ms;      /**< how long a project's snapshot is served unchecked */
  /** Since version 2. false: a SQLite file that does not exist (LEANSPEC_ENOTFOUND) or is
   *  empty (LEANSPEC_EDATABASE) is an error and nothing is created (for programs that only
   *  read). */
  bool create_if_missing;
} leanspec_db_options;
#define LEANSPEC_DB_OPTIONS_INIT                                                                   \
  { LEANSPEC_DB_OPTIONS_VERSION, NULL, NULL, 20, true }

#define LEANSPEC_CACHE_OPTIONS_VERSION 1
/** Options of a caching source. Initialize with LEANSPEC_CACHE_OPTIONS_INIT. */
typedef struct leanspec_cache_options {
  unsigned int version; /**< LEANSPEC_CACHE_OPTIONS_VERSION */
  uint32_t ttl_ms;      /**< how long a result is served; 0 disables caching */
} leanspec_cache_options;
#define LEANSPEC_CACHE_OPTIONS_INIT                                                                \
  { LEANSPEC_CACHE_OPTIONS_VERSION, 60000 }

/**
 * Opens a filesystem source: reads every spec folder of `opts->specs_dir` (in parallel).
 * On success `*out` is a new handle; free it with leanspec_source_free().
 * Returns LEANSPEC_ENOTFOUND when the specs directory does not exist, LEANSPEC_EINVALID for a
 * NULL `opts`, a version this library does not know or a NULL `specs_dir`.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_open_filesystem(
    leanspec_source **out, const leanspec_fs_options *opts) LEANSPEC_NOEXCEPT;

/**
 * Opens (and migrates) a database source. `opts` may be NULL for the defaults.
 * Returns LEANSPEC_ECONFIG for a bad URL, LEANSPEC_EDATABASE when it cannot be opened.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_open_database(
    leanspec_source **out, const leanspec_db_options *opts) LEANSPEC_NOEXCEPT;

/**
 * Opens a caching source over `inner` (any source). The new handle shares `inner`: either may
 * be freed first. `opts` may be NULL for the defaults (a 60 s time to live).
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_source_open_caching(leanspec_source **out, const leanspec_source *inner,
                             const leanspec_cache_options *opts) LEANSPEC_NOEXCEPT;

/**
 * Releases a source handle; accepts NULL. Sources shared with other handles (a caching
 * source's inner one) live on until their last handle is freed. Joins the source's threads
 * when it is the last one, so it must not be called from inside one of its change callbacks.
 * Thread-safety: must not race with other calls on the same handle.
 */
LEANSPEC_API void leanspec_source_free(leanspec_source *source) LEANSPEC_NOEXCEPT;

/**
 * The projects the source serves, as a JSON array of {"id","name","specsDir"}.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_source_projects(leanspec_string *out, const leanspec_source *source) LEANSPEC_NOEXCEPT;

/**
 * A filtered, sorted page of specs: {"specs":[summary...],"total":N,"nextCursor":...}.
 * `query_json` (NULL or "" for everything) is an object with any of:
 *   "projectId": string, "status": string or [string], "priority": string or [string],
 *   "tags": string or [string], "tagsMatch": "all" | "any", "assignee": string,
 *   "archived": bool, "sort": "number"|"id"|"title"|"status"|"priority"|"created"|"updated",
 *   "descending": bool, "limit": integer (0: all), "cursor": string (a previous nextCursor).
 * "projectId" may name a project set: "a,b" or "*" (every project); the result then has
 * "projectIds" (each spec's project, parallel to "specs").
 * Returns LEANSPEC_EINVALID for malformed JSON, an unknown key or a bad value (the message
 * names `query_json` and the key), LEANSPEC_ENOTFOUND for an unknown project.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_list(leanspec_string *out,
                                                  const leanspec_source *source,
                                                  const char *query_json) LEANSPEC_NOEXCEPT;

/**
 * The spec a ref names (its id "018-x", number "18"/"018" or slug "x"), in full: summary
 * fields plus body, sub-specs, frontmatter and diagnostics.
 * Returns LEANSPEC_ENOTFOUND when nothing matches, LEANSPEC_EAMBIGUOUS when several specs do
 * (the message lists them), LEANSPEC_EINVALID for a NULL ref or one that leaves the specs
 * directory.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_get(leanspec_string *out,
                                                 const leanspec_source *source, const char *ref,
                                                 const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * Specs matching `query` (LeanSpec's query language), best first:
 * {"results":[summary + "score","snippet"...],"total":N}, and "nextCursor" when a page
 * follows. `options_json` (NULL or "") takes "projectId" (one project, "a,b" or "*": each hit
 * then has "projectId"), "limit" (default 50; 0: all), "cursor" (a previous nextCursor) and
 * the filter keys of leanspec_source_list().
 * Returns LEANSPEC_EINVALID for a query that does not parse, one longer than 4096 bytes or
 * with more than 64 terms or 8 fuzzy terms (the core's limits, leanspec/query.hpp), or bad
 * options.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_search(leanspec_string *out,
                                                    const leanspec_source *source,
                                                    const char *query,
                                                    const char *options_json) LEANSPEC_NOEXCEPT;

/**
 * Counts over the project's specs: {"totalSpecs", "specsByStatus", "specsByPriority",
 * "specsWithoutPriority", "specsByTag", "specsByAssignee", "completionRate"}. For a project
 * set (`project_id` "a,b" or "*") the counts are totals and "byProject" maps each project id
 * to its [{"status","count"}...].
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_stats(leanspec_string *out,
                                                   const leanspec_source *source,
                                                   const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * The dependency and hierarchy neighbourhood of the spec a ref names: {"id", "dependsOn",
 * "requiredBy", "parent", "children", "dependsOnTransitive", "requiredByTransitive",
 * "ancestors", "cycles"}. Errors as leanspec_source_get().
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_source_relationships(leanspec_string *out, const leanspec_source *source, const char *ref,
                              const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * Every diagnostic of the project (each spec's own and the cross-spec checks), as a JSON
 * array of {"severity","specId","file","line","code","message"}.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_validate(leanspec_string *out,
                                                      const leanspec_source *source,
                                                      const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * Every spec of the project grouped by status, by number: an object with one key per status
 * ("draft", "planned", "in-progress", "complete", "archived"; empty ones included) whose value
 * is an array of spec summaries.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_by_status(leanspec_string *out,
                                                       const leanspec_source *source,
                                                       const char *project_id) LEANSPEC_NOEXCEPT;

/* ---- filesystem sources ------------------------------------------------------------------ */

/**
 * Reads the specs directory again and publishes a new snapshot when anything changed.
 * Returns LEANSPEC_ENOTFOUND when the directory has gone (the old snapshot stays),
 * LEANSPEC_EINVALID when `source` is not a filesystem source.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_reload(leanspec_source *source) LEANSPEC_NOEXCEPT;

/**
 * The version of a filesystem source's current snapshot (1 after opening, +1 per snapshot).
 * Returns LEANSPEC_EINVALID when `source` is not a filesystem source.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_version(uint64_t *out, const leanspec_source *source)
    LEANSPEC_NOEXCEPT;

/* ---- caching sources --------------------------------------------------------------------- */

/**
 * Drops cached results of a caching source or a service's source: everything when `ref` is
 * NULL, else those that may mention the spec `ref` names (its id, number or slug, as
 * leanspec_source_get() takes) in `project_id`. Returns LEANSPEC_EINVALID for other sources.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_invalidate(leanspec_source *source, const char *ref,
                                                        const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * A caching source's counters: {"hits":N,"misses":N,"entries":N}; a service's source's:
 * {"hits","misses","entries","hitRate","sources":[{"source","hits",...}]}.
 * Returns LEANSPEC_EINVALID for other sources. Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_source_cache_stats(leanspec_string *out, const leanspec_source *source) LEANSPEC_NOEXCEPT;

/* ---- the project registry: database sources and services' sources --------------------- */

/**
 * Registers a project. `project_json`: {"id": "owner/repo" (required), "branch": "main",
 * "specsPath": "specs", "syncIntervalMs": 300000}. Returns LEANSPEC_EINVALID for bad JSON, a
 * bad value or an id already registered, or when `source` is neither a database source nor a
 * service's source. A service in `filesystem` mode returns LEANSPEC_ENOTFOUND (no registry).
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_source_add_project(leanspec_source *source, const char *project_json) LEANSPEC_NOEXCEPT;

/**
 * Changes the settings `project_json` names of a registered project, in one write: a patch
 * {"id": "owner/repo" (required), "branch"?, "specsPath"?, "syncIntervalMs"?} whose absent keys
 * keep their stored value. Returns LEANSPEC_ENOTFOUND for an unknown project, LEANSPEC_EINVALID
 * for bad JSON, an unknown key or a bad value (nothing is changed then).
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_source_update_project(leanspec_source *source, const char *project_json) LEANSPEC_NOEXCEPT;

/**
 * Removes a project and everything stored for it. `*out` (may be NULL) is set to whether
 * there was one. Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_remove_project(
    bool *out, leanspec_source *source, const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * Every registered project with its sync state, as a JSON array of {"id", "branch",
 * "specsPath", "syncIntervalMs", "syncIntervalSeconds" (deprecated), "syncState", "syncError",
 * "commitSha", "lastCommit" (deprecated: "commitSha"), "lastSyncedAt", "syncInterruptedAt",
 * "snapshotVersion", "specCount"}; "syncState" "interrupted" (with
 * "syncInterruptedAt", unix ms) is a sync whose holder died. Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_registered_projects(
    leanspec_string *out, const leanspec_source *source) LEANSPEC_NOEXCEPT;

/**
 * Stores the spec folders of a local specs directory as the project's snapshot; `*out` is
 * {"added","updated","removed","version"}. Returns LEANSPEC_ENOTFOUND for an unknown project
 * or a missing directory. Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_source_import_directory(leanspec_string *out, leanspec_source *source,
                                 const char *project_id, const char *specs_dir) LEANSPEC_NOEXCEPT;

/* ---- services ------------------------------------------------------------------------------ */

/**
 * A service (SpecsService): the sources SPECS_MODE names, each behind a cache, routed by
 * project id. The calls only a service answers take this handle, so the compiler rejects them
 * on a plain source; leanspec_service_source() lends it as a source for all the others.
 * Thread-safe.
 */
typedef struct leanspec_service leanspec_service;

/**
 * Opens a service; on success `*out` is a new handle, freed with leanspec_service_free().
 * `config_json` NULL or "": the configuration from the environment (SPECS_MODE, SPECS_DIR,
 * DATABASE_URL, GITHUB_TOKEN, GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_PRIVATE_KEY_FILE,
 * GITHUB_APP_INSTALLATION_ID, GITHUB_API_URL, CACHE_TTL_MS, WEBHOOK_SECRET,
 * WEBHOOK_SECRET_PREVIOUS, REVALIDATION_SECRET, SYNC_DEADLINE_MS). Otherwise an object with any of
 * "mode" ("filesystem" | "database" | "both"), "specsDir", "databaseUrl", "githubToken",
 * "githubAppId", "githubAppPrivateKey" (PEM), "githubAppPrivateKeyFile",
 * "githubAppInstallationId" (a GitHub App instead of a token; keys left out, and the token when
 * no app is given, come from the environment's GITHUB_APP_* and GITHUB_TOKEN),
 * "githubApiUrl", "cacheTtlMs", "webhookSecrets" ([string]), "revalidationSecret",
 * "probeIntervalMs", "syncDeadlineMs" (the most one sync may take, every request counted). Returns
 * LEANSPEC_ECONFIG listing every problem of the configuration (never a secret's value),
 * LEANSPEC_EINVALID for bad JSON.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_open(leanspec_service **out,
                                                   const char *config_json) LEANSPEC_NOEXCEPT;

/**
 * Releases a service handle (and the source leanspec_service_source() lent); accepts NULL.
 * Subscriptions and caching sources over the service keep it alive; the last of them stops
 * its sync scheduler and joins its threads, so it must not be called from inside one of its
 * change callbacks.
 * Thread-safety: must not race with other calls on the same handle.
 */
LEANSPEC_API void leanspec_service_free(leanspec_service *service) LEANSPEC_NOEXCEPT;

/**
 * The service as a source, for every leanspec_source_* call: reads (a call without a project
 * id goes to the filesystem project), the registry calls, leanspec_source_invalidate(),
 * leanspec_source_cache_stats(), leanspec_source_subscribe() and leanspec_source_open_caching().
 * Borrowed: valid until leanspec_service_free(`service`); never pass it to
 * leanspec_source_free(). NULL when `service` is NULL.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_source *leanspec_service_source(leanspec_service *service) LEANSPEC_NOEXCEPT;

/**
 * A service's health: {"mode","stale","sources":[{"source","state","description","error",
 * "since"}]} (`state` "ok", "stale" or "down"; `since` unix ms). Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_service_health(leanspec_string *out, const leanspec_service *service) LEANSPEC_NOEXCEPT;

/**
 * Whether the source answering `project_id` in a service is not ok (answers may be old).
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_is_stale(bool *out, const leanspec_service *service,
                                                       const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * The projects a service serves with the source of each: a JSON array of {"id","name",
 * "specsDir","source","stale","registration"}. Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_served_projects(
    leanspec_string *out, const leanspec_service *service) LEANSPEC_NOEXCEPT;

/**
 * For a host's revalidation endpoint: when `secret` equals the service's revalidation secret
 * (constant-time comparison), drops the cached results of `ref` (NULL: everything) and sets
 * `*out` to true; otherwise `*out` is false and nothing happens. Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_revalidate(bool *out, leanspec_service *service,
                                                         const char *secret, const char *ref,
                                                         const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * The id of a service's filesystem project (what a call without a project id reads in
 * `filesystem` and `both` modes), or "" in `database` mode. The mode itself is the "mode" of
 * leanspec_service_health(). Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_filesystem_project_id(
    leanspec_string *out, const leanspec_service *service) LEANSPEC_NOEXCEPT;

/* ---- GitHub sync and webhooks: services in `database` and `both` modes ------------------ */

/*
 * A service syncs its registered projects from GitHub (its "githubApiUrl" and "githubToken")
 * and takes GitHub's push webhooks (signed with one of its "webhookSecrets"). A sync run is
 * the JSON object {"id", "projectId", "outcome", "startedAt", "endedAt", "added", "updated",
 * "removed", "requests", "notModified", "bytes", "durationMs", "rateLimitRemaining", "path",
 * "commitSha", "commit" (deprecated: "commitSha"), "retryAt", "error"}: "outcome" is "ok",
 * "not_modified", "error", "rate_limited" or "running" (a run under way, or whose process
 * died); times are unix ms ("endedAt" 0 while running), "retryAt" unix ms
 * (rate_limited), "commitSha" and "error" null when empty.
 * On a service in `filesystem` mode each of these calls returns LEANSPEC_ENOTFOUND (saying
 * that database mode is off), except leanspec_service_stop_sync() (nothing to stop) and
 * leanspec_service_handle_webhook() (its answer is a 404).
 */

/**
 * Starts the service's sync scheduler on its own threads: every registered project synced at
 * its interval, webhook-queued syncs as soon as possible (several processes may run one: a
 * lease lets one of them sync a project at a time). While the database is down the scheduler
 * starts once it is back. Does nothing when it runs already.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_start_sync(leanspec_service *service)
    LEANSPEC_NOEXCEPT;

/**
 * Stops the sync scheduler and returns when its threads have ended (a sync under way stops at
 * its next batch of requests). Does nothing when it is not running (or cannot run: a service
 * in `filesystem` mode). leanspec_service_free() stops it too.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_stop_sync(leanspec_service *service)
    LEANSPEC_NOEXCEPT;

/**
 * Syncs the registered project `project_id` now, on the calling thread (blocking network and
 * database I/O), and sets `*out` to the sync run; the next reads show what was synced. A
 * failed sync (HTTP, GitHub, its rate limit, another instance holding the project's lease) is
 * LEANSPEC_OK with "outcome" "error" or "rate_limited" and the reason in "error"; the stored
 * specs stay as they were. Returns LEANSPEC_ENOTFOUND for an unknown project,
 * LEANSPEC_EDATABASE when the database fails, LEANSPEC_EINVALID for a NULL `project_id`.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_sync_now(leanspec_string *out,
                                                       leanspec_service *service,
                                                       const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * Queues a sync of `project_id`, durably: a scheduler (this one, a later one, or another
 * process's on the same database) runs it as soon as it can. Returns at once.
 * Returns LEANSPEC_ENOTFOUND for an unknown project, LEANSPEC_EDATABASE when the database
 * fails. Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status
leanspec_service_request_sync(leanspec_service *service, const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * The latest `limit` sync runs of `project_id` (0: all of them) as a JSON array, newest first,
 * whichever process ran them; an unknown project has none ([]).
 * Returns LEANSPEC_EDATABASE when the database fails.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_sync_runs(leanspec_string *out,
                                                        const leanspec_service *service,
                                                        const char *project_id,
                                                        size_t limit) LEANSPEC_NOEXCEPT;

/** One HTTP request header: NUL-terminated name (any case) and value. */
typedef struct leanspec_header {
  const char *name;
  const char *value;
} leanspec_header;

/**
 * Handles one GitHub webhook delivery for a host's HTTP route: `headers` (`header_count` of
 * them, as received) and the raw request body (`body_size` bytes; NULL when 0). Checks
 * X-Hub-Signature-256 against the webhook secrets, answers "ping", ignores other events,
 * redeliveries and pushes that touch no spec file, and queues an incremental sync for a push;
 * returns at once. `*out` is {"status", "action", "message", "projectId"}: the HTTP status
 * and one-line message to answer GitHub with, "action" one of "rejected", "ping", "ignored",
 * "queued", and the project concerned (null when unknown). A bad delivery is LEANSPEC_OK with
 * a 4xx status; with no webhook secret configured every delivery is rejected; a service in
 * `filesystem` mode answers 404, one whose database is down 503. Returns LEANSPEC_EINVALID
 * only for bad arguments (a NULL name or value, NULL `headers` or `body` with a non-zero
 * count or size).
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_handle_webhook(leanspec_string *out,
                                                             leanspec_service *service,
                                                             const leanspec_header *headers,
                                                             size_t header_count, const char *body,
                                                             size_t body_size) LEANSPEC_NOEXCEPT;

/* ---- writes ------------------------------------------------------------------------------ */

/**
 * Writes `update_json` into the README.md of the spec `ref` names in the filesystem project
 * (`project_id` NULL or ""), if the file's content hash is still `base_hash` (the "contentHash"
 * the caller read), changing only the lines the update touches, atomically; sets `*out` to the
 * spec as written (JSON), which the service's next call also sees. `update_json` is an object
 * of "status", "priority", "tagsAdd", "tagsRemove", "dependsOnAdd", "dependsOnRemove" (a string
 * or an array of strings), "parent", "assignee" ("" removes the key), "body", and "fields" (an
 * object of strings, or null to remove a key). Returns LEANSPEC_ECONFLICT when the file moved
 * on (nothing written; a GitHub project: or its branch), LEANSPEC_ENOTFOUND (no such spec),
 * LEANSPEC_EAMBIGUOUS, LEANSPEC_EINVALID (a bad key or value, NULL arguments), LEANSPEC_EIO; a
 * GitHub project's spec is committed to its repository (LEANSPEC_EUNAUTHORIZED: the token may
 * not write, LEANSPEC_ERATELIMITED, LEANSPEC_ENETWORK).
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_update(leanspec_string *out,
                                                     leanspec_service *service, const char *ref,
                                                     const char *update_json, const char *base_hash,
                                                     const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * Checks or unchecks the `index`-th task-list item (from 1) of the spec's README.md, as
 * leanspec_service_update() writes; LEANSPEC_ENOTFOUND when the body has fewer items.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_toggle_checklist_item(
    leanspec_string *out, leanspec_service *service, const char *ref, int32_t index,
    const char *base_hash, const char *project_id) LEANSPEC_NOEXCEPT;

/**
 * Creates a spec numbered after the others and sets `out` to it (JSON): in the specs directory
 * (the project's template when .lean-spec names one), or committed to the GitHub project
 * `project_id` names (NULL or "": the service's default project). `spec_json` is an object of
 * "title" (required), "slug", "status", "priority", "tags" (a string or an array), "assignee"
 * and "body". Returns LEANSPEC_EINVALID for a bad key or value, and what
 * leanspec_service_update() returns for a write.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_service_create(leanspec_string *out,
                                                     leanspec_service *service,
                                                     const char *spec_json,
                                                     const char *project_id) LEANSPEC_NOEXCEPT;

/* ---- change events ----------------------------------------------------------------------- */

/**
 * Receives one change event: `event_json` ({"projectId","version","added","changed",
 * "removed"}, `size` bytes, NUL-terminated) is valid only during the call.
 * Calling thread: the source's change-event dispatcher thread (one per source, never the
 * thread that subscribed), one event at a time, in version order. It may call the source and
 * may free its own subscription; it must not free the source. A slow callback delays later
 * events, never the source.
 */
typedef void (*leanspec_change_cb)(const char *event_json, size_t size, void *user_data);

/** A subscription to change events; leanspec_subscription_free() ends it. */
typedef struct leanspec_subscription leanspec_subscription;

/**
 * Calls `callback` with every change event of `source` until the subscription is freed.
 * Events come from a watched filesystem source (opts.watch) and leanspec_source_reload(), a
 * database source (for the projects it has served: its own writes and other processes'),
 * the source a caching source wraps, and every source of a service (its source, from
 * leanspec_service_source()). The subscription keeps the source alive. `user_data` is passed
 * back untouched.
 * Thread-safety: thread-safe.
 */
LEANSPEC_API leanspec_status leanspec_source_subscribe(leanspec_subscription **out,
                                                       const leanspec_source *source,
                                                       leanspec_change_cb callback,
                                                       void *user_data) LEANSPEC_NOEXCEPT;

/**
 * Unsubscribes and releases the subscription; accepts NULL. When it returns the callback is
 * not running and will not run again, except when called from inside the callback itself
 * (allowed): then the running call is the last.
 * Thread-safety: must not race with other calls on the same subscription.
 */
LEANSPEC_API void leanspec_subscription_free(leanspec_subscription *subscription) LEANSPEC_NOEXCEPT;

/* ---- deprecated: removed in the next release ------------------------------------------ */

/*
 * Before leanspec_service, a service was a leanspec_source and the calls only a service
 * answers took a source (LEANSPEC_EINVALID at run time on any other). They still work, on a
 * source that leanspec_source_open_service() opened or that leanspec_service_source() lent,
 * each as the leanspec_service_* call of the same name; freed with leanspec_source_free().
 */
#define LEANSPEC_DEPRECATED_SERVICE_CALL                                                           \
  LEANSPEC_DEPRECATED("take a leanspec_service: use the leanspec_service_* call of this name")

/** Deprecated: leanspec_service_open() and leanspec_service_source(). */
LEANSPEC_DEPRECATED("use leanspec_service_open()")
LEANSPEC_API leanspec_status
leanspec_source_open_service(leanspec_source **out, const char *config_json) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status
leanspec_source_health(leanspec_string *out, const leanspec_source *source) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status leanspec_source_is_stale(
    bool *out, const leanspec_source *source, const char *project_id) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status leanspec_source_served_projects(
    leanspec_string *out, const leanspec_source *source) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status
leanspec_source_revalidate(bool *out, leanspec_source *source, const char *secret, const char *ref,
                           const char *project_id) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status leanspec_source_filesystem_project_id(
    leanspec_string *out, const leanspec_source *source) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status
leanspec_source_start_sync(leanspec_source *source) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status
leanspec_source_stop_sync(leanspec_source *source) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status leanspec_source_sync_now(
    leanspec_string *out, leanspec_source *source, const char *project_id) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status
leanspec_source_request_sync(leanspec_source *source, const char *project_id) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status
leanspec_source_sync_runs(leanspec_string *out, const leanspec_source *source,
                          const char *project_id, size_t limit) LEANSPEC_NOEXCEPT;
LEANSPEC_DEPRECATED_SERVICE_CALL LEANSPEC_API leanspec_status leanspec_source_handle_webhook(
    leanspec_string *out, leanspec_source *source, const leanspec_header *headers,
    size_t header_count, const char *body, size_t body_size) LEANSPEC_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* LEANSPEC_H */
