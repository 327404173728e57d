/* capi_test: drives every function of leanspec.h from plain C11 on a spec tree it writes into a
 * temporary directory: results, errors (status and message), NULL arguments, change events
 * from real file edits, the GitHub sync and webhooks of a service against the fake GitHub
 * (tests/support/fake_github.py, serving a git repository the test commits to, over loopback)
 * into a real SQLite file, and every string and handle freed (under ASan, LeakSanitizer turns a
 * forgotten free into a failure). Exit status: 0 when every check passed.
 *
 *   capi_test          everything
 *   capi_test events   the change events only (callbacks on library threads: the TSan run)
 *
 * LEANSPEC_PYTHON3 and LEANSPEC_FAKE_GITHUB_SCRIPT (the interpreter and the server script) come
 * from CMake. */
#define _XOPEN_SOURCE 700

#include "leanspec.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int failures;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond,      \
              leanspec_last_error());                                                              \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)
#define CHECK_STATUS(call, expected) CHECK((call) == (expected))
/* The string contains `needle`. */
#define CONTAINS(str, needle) ((str).data != NULL && strstr((str).data, (needle)) != NULL)
#define ERROR_SAYS(needle) (strstr(leanspec_last_error(), (needle)) != NULL)

static char root[256];
static char specs[300];

/* Writes `base`/`relative`, creating the folders on the way. */
static void write_file_at(const char *base, const char *relative, const char *content) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", base, relative);
  char dir[512];
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = dir + strlen(base) + 1; *p; ++p)
    if (*p == '/') {
      *p = '\0';
      mkdir(dir, 0755);
      *p = '/';
    }
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    perror(path);
    exit(100);
  }
  fputs(content, f);
  fclose(f);
}

static void write_file(const char *relative, const char *content) {
  write_file_at(specs, relative, content);
}

static void write_tree(void) {
  snprintf(root, sizeof root, "%s", "/tmp/leanspec-capi-XXXXXX");
  if (mkdtemp(root) == NULL) {
    perror("mkdtemp");
    exit(100);
  }
  snprintf(specs, sizeof specs, "%s/specs", root);
  mkdir(specs, 0755);
  write_file("001-alpha/README.md",
             "---\nstatus: planned\npriority: high\ntags: [core, api]\n"
             "created: 2025-11-01\n---\n# Alpha cache\n\nThe cache layer.\n");
  write_file("002-beta/README.md", "---\nstatus: in-progress\npriority: medium\ntags: [api]\n"
                                   "depends_on: [001-alpha]\nassignee: ada\n---\n# Beta\n\nUses "
                                   "alpha.\n");
  write_file("002-beta/DESIGN.md", "# Beta design\n\nDetails.\n");
  write_file("003-gamma-one/README.md", "---\nstatus: complete\n---\n# Gamma one\n");
  write_file("003-gamma-two/README.md",
             "---\nstatus: draft\ncreated_at: 1e100\n---\n# Gamma two\n");
  write_file("004-child/README.md", "---\nstatus: planned\nparent: 002-beta\n---\n# Child\n");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

/* The "contentHash" of a spec's JSON, into `hash` (41 bytes). */
static void content_hash_of(const leanspec_string *spec, char hash[41]) {
  hash[0] = '\0';
  const char *at = spec->data ? strstr(spec->data, "\"contentHash\":\"") : NULL;
  if (at != NULL)
    snprintf(hash, 41, "%s", at + strlen("\"contentHash\":\""));
}

/* ---- writes ----------------------------------------------------------------------------- */

static void test_writes(void) {
  char dir[512], config[1024];
  snprintf(dir, sizeof dir, "%s/write-specs", root);
  mkdir(dir, 0755);
  write_file_at(dir, "001-alpha/README.md",
                "---\nstatus: planned\ntags: [core]\n---\n# A\n\n- [ ] one\n");
  snprintf(config, sizeof config, "{\"specsDir\":\"%s\",\"cacheTtlMs\":600000}", dir);
  leanspec_service *svc = NULL;
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_OK);
  leanspec_string s = {NULL, 0};
  char before[41], after[41];
  CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "1", NULL), LEANSPEC_OK);
  content_hash_of(&s, before);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_update(&s, svc, "1",
                                       "{\"status\":\"complete\",\"tagsAdd\":\"api\","
                                       "\"fields\":{\"owner\":\"web\"}}",
                                       before, NULL),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"status\":\"complete\""));
  CHECK(CONTAINS(s, "\"tags\":[\"core\",\"api\"]"));
  content_hash_of(&s, after);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "1", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"status\":\"complete\"")); /* the service's next read sees it */
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_update(&s, svc, "1", "{\"priority\":\"high\"}", before, NULL),
               LEANSPEC_ECONFLICT);
  CHECK(ERROR_SAYS("changed since"));
  CHECK(s.data == NULL);
  CHECK_STATUS(leanspec_service_update(&s, svc, "1", "{\"priorty\":\"high\"}", after, NULL),
               LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("priorty"));
  CHECK_STATUS(leanspec_service_update(&s, svc, "1", "{}", NULL, NULL), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_service_toggle_checklist_item(&s, svc, "1", 1, after, NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "- [x] one"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_toggle_checklist_item(&s, svc, "1", 2, after, NULL),
               LEANSPEC_ECONFLICT);
  CHECK_STATUS(leanspec_service_update(&s, svc, "1", "{}", after, "acme/web"), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(leanspec_service_create(&s, svc,
                                       "{\"title\":\"From C\",\"tags\":[\"c\"],"
                                       "\"priority\":\"low\"}",
                                       NULL),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"id\":\"002-from-c\""));
  CHECK(CONTAINS(s, "\"priority\":\"low\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "2", NULL), LEANSPEC_OK);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_create(&s, svc, "{\"slug\":\"x\"}", NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("title"));
  leanspec_service_free(svc);
}

/* ---- version, status names, strings ---------------------------------------------------- */

static void test_version_and_names(void) {
  CHECK(leanspec_version_number() == LEANSPEC_VERSION_NUMBER);
  CHECK(strcmp(leanspec_version_string(), LEANSPEC_VERSION_STRING) == 0);
  CHECK(LEANSPEC_VERSION_CHECK(0, 0, 1));
  CHECK(strcmp(leanspec_status_name(LEANSPEC_OK), "ok") == 0);
  CHECK(strcmp(leanspec_status_name(LEANSPEC_ENOTFOUND), "not_found") == 0);
  CHECK(strcmp(leanspec_status_name(LEANSPEC_EAMBIGUOUS), "ambiguous") == 0);
  CHECK(strcmp(leanspec_status_name(LEANSPEC_EUNAUTHORIZED), "unauthorized") == 0);
  CHECK(strcmp(leanspec_status_name(LEANSPEC_ECONFLICT), "conflict") == 0);
  CHECK(strcmp(leanspec_status_name(12345), "unknown") == 0);
  CHECK(leanspec_last_error() != NULL);

  leanspec_string empty = {NULL, 0};
  leanspec_string_free(&empty); /* a zeroed string and NULL are accepted */
  leanspec_string_free(NULL);
  leanspec_source_free(NULL);
  leanspec_subscription_free(NULL);
}

/* ---- opening ---------------------------------------------------------------------------- */

static void test_open_errors(void) {
  leanspec_source *src = (leanspec_source *)&failures; /* must be reset to NULL on failure */
  CHECK_STATUS(leanspec_source_open_filesystem(&src, NULL), LEANSPEC_EINVALID);
  CHECK(src == NULL);
  CHECK(ERROR_SAYS("opts"));

  leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
  CHECK_STATUS(leanspec_source_open_filesystem(&src, &opts), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("specs_dir"));
  CHECK_STATUS(leanspec_source_open_filesystem(NULL, &opts), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("out"));

  char missing[400];
  snprintf(missing, sizeof missing, "%s/no-such-dir", root);
  opts.specs_dir = missing;
  CHECK_STATUS(leanspec_source_open_filesystem(&src, &opts), LEANSPEC_ENOTFOUND);
  CHECK(ERROR_SAYS("no-such-dir"));
  CHECK(src == NULL);

  opts.specs_dir = specs;
  opts.version = 99; /* a header newer than the library */
  CHECK_STATUS(leanspec_source_open_filesystem(&src, &opts), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("version") && ERROR_SAYS("leanspec_fs_options"));
  leanspec_cache_options cache_opts = LEANSPEC_CACHE_OPTIONS_INIT;
  cache_opts.version = 0; /* not initialized with the macro */
  CHECK_STATUS(leanspec_source_open_caching(&src, NULL, &cache_opts), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("leanspec_cache_options"));

  /* version 2's summaries_only: bodies stay empty, the rest is read */
  opts.version = LEANSPEC_FS_OPTIONS_VERSION;
  opts.summaries_only = true;
  CHECK_STATUS(leanspec_source_open_filesystem(&src, &opts), LEANSPEC_OK);
  leanspec_string s = {NULL, 0};
  CHECK_STATUS(leanspec_source_get(&s, src, "1", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"id\":\"001-alpha\"") && !CONTAINS(s, "The cache layer."));
  leanspec_string_free(&s);
  leanspec_source_free(src);

  CHECK_STATUS(leanspec_source_open_caching(&src, NULL, NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("inner"));
}

/* ---- the read calls on a filesystem source -------------------------------------------- */

static void test_reads(leanspec_source *src) {
  leanspec_string s = {NULL, 0};

  CHECK_STATUS(leanspec_source_list(&s, src, NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":5"));
  CHECK(CONTAINS(s, "\"id\":\"001-alpha\""));
  CHECK(s.size == strlen(s.data));
  CHECK(strcmp(leanspec_last_error(), "") == 0); /* success clears the message */
  leanspec_string_free(&s);
  CHECK(s.data == NULL && s.size == 0);

  CHECK_STATUS(leanspec_source_list(&s, src,
                                    "{\"status\":[\"planned\"],\"sort\":\"id\","
                                    "\"descending\":true,\"limit\":1}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":2"));
  CHECK(CONTAINS(s, "004-child"));
  CHECK(!CONTAINS(s, "001-alpha")); /* limit 1, descending by id */
  CHECK(!CONTAINS(s, "\"nextCursor\":null"));
  leanspec_string_free(&s);

  CHECK_STATUS(leanspec_source_list(&s, src, "{\"tags\":\"api\",\"priority\":\"high\"}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":1"));
  leanspec_string_free(&s);

  /* bad JSON input: EINVALID, the message names the argument (and the key) */
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"status\":"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("query_json"));
  CHECK(s.data == NULL && s.size == 0);
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"status\":\"nonsense\"}"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("query_json.status") && ERROR_SAYS("nonsense"));
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"colour\":1}"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("colour"));
  CHECK_STATUS(leanspec_source_list(&s, src, "[1]"), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"limit\":-1}"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("query_json.limit"));
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"cursor\":\"garbage\"}"), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_source_list(&s, NULL, NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("source"));
  CHECK_STATUS(leanspec_source_list(NULL, src, NULL), LEANSPEC_EINVALID);

  /* get: by number, slug, id; absence; ambiguity; NULL */
  CHECK_STATUS(leanspec_source_get(&s, src, "1", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"id\":\"001-alpha\""));
  CHECK(CONTAINS(s, "\"contentMd\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, src, "beta", ""), LEANSPEC_OK);
  CHECK(CONTAINS(s, "DESIGN.md"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, src, "999", NULL), LEANSPEC_ENOTFOUND);
  CHECK(ERROR_SAYS("999"));
  CHECK_STATUS(leanspec_source_get(&s, src, "3", NULL), LEANSPEC_EAMBIGUOUS);
  CHECK(ERROR_SAYS("003-gamma-one") && ERROR_SAYS("003-gamma-two"));
  CHECK_STATUS(leanspec_source_get(&s, src, NULL, NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("ref"));
  CHECK_STATUS(leanspec_source_get(&s, src, "../etc", NULL), LEANSPEC_EINVALID);
  /* A date that is no date is null, with a diagnostic naming the field. */
  CHECK_STATUS(leanspec_source_get(&s, src, "003-gamma-two", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"createdAt\":null") && !CONTAINS(s, "\"createdAt\":\"1e100\""));
  CHECK(CONTAINS(s, "\"code\":\"invalid-date\"") && CONTAINS(s, "created_at '1e100'"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, src, "1", "other-project"), LEANSPEC_ENOTFOUND);

  /* search */
  CHECK_STATUS(leanspec_source_search(&s, src, "cache", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"results\":[{\"id\":\"001-alpha\""));
  CHECK(CONTAINS(s, "\"score\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_search(&s, src, "alpha", "{\"status\":\"in-progress\",\"limit\":5}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "002-beta") && !CONTAINS(s, "\"id\":\"001-alpha\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_search(&s, src, "(unbalanced", NULL), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_source_search(&s, src, "x", "{\"limit\":\"ten\"}"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("options_json.limit"));
  CHECK_STATUS(leanspec_source_search(&s, src, NULL, NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("query"));
  {
    /* A query over the core's 4096-byte cap is refused, like every front-end refuses it. */
    static char huge[1 << 20];
    memset(huge, 'x', sizeof huge - 1);
    CHECK_STATUS(leanspec_source_search(&s, src, huge, NULL), LEANSPEC_EINVALID);
    CHECK(ERROR_SAYS("4096 bytes"));
  }

  /* stats, relationships, validate, by_status, projects */
  CHECK_STATUS(leanspec_source_stats(&s, src, NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"totalSpecs\":5"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_relationships(&s, src, "2", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"dependsOn\":[\"001-alpha\"]"));
  CHECK(CONTAINS(s, "\"children\":[\"004-child\"]"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_relationships(&s, src, "nope", NULL), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(leanspec_source_relationships(&s, src, "3", NULL), LEANSPEC_EAMBIGUOUS);
  CHECK_STATUS(leanspec_source_validate(&s, src, NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"code\":\"duplicate-number\"") || CONTAINS(s, "003-gamma"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_by_status(&s, src, NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"planned\":[{\"id\":\"001-alpha\""));
  CHECK(CONTAINS(s, "\"archived\":[]"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_projects(&s, src), LEANSPEC_OK);
  CHECK(s.data != NULL && s.data[0] == '[' && CONTAINS(s, "\"specsDir\""));
  leanspec_string_free(&s);

  /* calls of other kinds of source */
  CHECK_STATUS(leanspec_source_cache_stats(&s, src), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("not a caching source"));
  CHECK_STATUS(leanspec_source_invalidate(src, NULL, NULL), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_source_add_project(src, "{\"id\":\"a/b\"}"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("neither a database source nor a service"));

  uint64_t version = 0;
  CHECK_STATUS(leanspec_source_version(&version, src), LEANSPEC_OK);
  CHECK(version >= 1);
  CHECK_STATUS(leanspec_source_version(NULL, src), LEANSPEC_EINVALID);
}

/* ---- caching ------------------------------------------------------------------------------ */

static void test_caching(leanspec_source *inner) {
  leanspec_source *cache = NULL;
  leanspec_cache_options opts = LEANSPEC_CACHE_OPTIONS_INIT;
  opts.ttl_ms = 60000;
  CHECK_STATUS(leanspec_source_open_caching(&cache, inner, &opts), LEANSPEC_OK);
  leanspec_string s = {NULL, 0};
  for (int i = 0; i < 3; ++i) {
    CHECK_STATUS(leanspec_source_get(&s, cache, "1", NULL), LEANSPEC_OK);
    leanspec_string_free(&s);
  }
  CHECK_STATUS(leanspec_source_cache_stats(&s, cache), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"hits\":2,\"misses\":1"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_invalidate(cache, "001-alpha", NULL), LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_invalidate(cache, NULL, NULL), LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_cache_stats(&s, cache), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"entries\":0"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_reload(cache), LEANSPEC_EINVALID); /* not a filesystem source */

  /* the caching source keeps its inner source alive */
  leanspec_source *cache2 = NULL;
  CHECK_STATUS(leanspec_source_open_caching(&cache2, cache, NULL), LEANSPEC_OK);
  leanspec_source_free(cache);
  CHECK_STATUS(leanspec_source_list(&s, cache2, "{\"limit\":2}"), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":5"));
  leanspec_string_free(&s);
  leanspec_source_free(cache2);
}

/* ---- database ---------------------------------------------------------------------------- */

static void test_database(void) {
  char url[400];
  snprintf(url, sizeof url, "sqlite:%s/specs.db", root);
  leanspec_db_options opts = LEANSPEC_DB_OPTIONS_INIT;
  opts.database_url = url;
  leanspec_source *db = NULL;
  CHECK_STATUS(leanspec_source_open_database(&db, &opts), LEANSPEC_OK);
  leanspec_string s = {NULL, 0};

  CHECK_STATUS(leanspec_source_add_project(db, "{\"id\":\"acme/web\",\"branch\":\"dev\"}"),
               LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_add_project(db, "{\"id\":\"acme/web\"}"), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_source_add_project(db, "{\"branch\":\"x\"}"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("project_json"));
  CHECK_STATUS(leanspec_source_add_project(db, NULL), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_source_update_project(db, "{\"id\":\"acme/web\",\"specsPath\":\"docs/"
                                                  "specs\",\"syncIntervalMs\":60000}"),
               LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_update_project(db, "{\"id\":\"no/such\"}"), LEANSPEC_ENOTFOUND);

  CHECK_STATUS(leanspec_source_import_directory(&s, db, "acme/web", specs), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"added\":5"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_import_directory(&s, db, "no/such", specs), LEANSPEC_ENOTFOUND);

  CHECK_STATUS(leanspec_source_registered_projects(&s, db), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"id\":\"acme/web\",\"branch\":\"dev\",\"specsPath\":\"docs/specs\","
                    "\"syncIntervalMs\":60000"));
  CHECK(CONTAINS(s, "\"specCount\":5"));
  leanspec_string_free(&s);

  /* a patch changes the keys it names; the others keep their stored value */
  CHECK_STATUS(leanspec_source_update_project(db, "{\"id\":\"acme/web\",\"branch\":\"release\"}"),
               LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_update_project(
                   db, "{\"id\":\"acme/web\",\"branch\":\"x\",\"specsPath\":\"../out\"}"),
               LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("../out"));
  CHECK_STATUS(leanspec_source_update_project(db, "{\"id\":\"acme/web\",\"interval\":1}"),
               LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("interval"));
  CHECK_STATUS(leanspec_source_registered_projects(&s, db), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"id\":\"acme/web\",\"branch\":\"release\",\"specsPath\":\"docs/specs\","
                    "\"syncIntervalMs\":60000"));
  leanspec_string_free(&s);

  CHECK_STATUS(leanspec_source_list(&s, db, "{\"projectId\":\"acme/web\",\"status\":\"planned\"}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":2"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, db, "alpha", "acme/web"), LEANSPEC_OK);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_list(&s, db, "{\"projectId\":\"no/such\"}"), LEANSPEC_ENOTFOUND);

  bool removed = false;
  CHECK_STATUS(leanspec_source_remove_project(&removed, db, "acme/web"), LEANSPEC_OK);
  CHECK(removed);
  CHECK_STATUS(leanspec_source_remove_project(&removed, db, "acme/web"), LEANSPEC_OK);
  CHECK(!removed);
  CHECK_STATUS(leanspec_source_remove_project(NULL, db, NULL), LEANSPEC_EINVALID);
  leanspec_source_free(db);

  opts.database_url = "mysql://nope";
  CHECK_STATUS(leanspec_source_open_database(&db, &opts), LEANSPEC_ECONFIG);
  CHECK(db == NULL);

  /* version 2's create_if_missing: false opens only a database that exists */
  snprintf(url, sizeof url, "sqlite:%s/missing.db", root);
  opts.database_url = url;
  opts.create_if_missing = false;
  CHECK_STATUS(leanspec_source_open_database(&db, &opts), LEANSPEC_ENOTFOUND);
  CHECK(ERROR_SAYS("missing.db") && db == NULL);
}

/* ---- services ---------------------------------------------------------------------------- */

static void test_service(void) {
  char config[1024];
  snprintf(config, sizeof config,
           "{\"mode\":\"filesystem\",\"specsDir\":\"%s\",\"revalidationSecret\":\"s3cret\","
           "\"cacheTtlMs\":60000}",
           specs);
  leanspec_service *svc = NULL;
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_OK);
  leanspec_string s = {NULL, 0};
  CHECK_STATUS(leanspec_source_list(&s, leanspec_service_source(svc), "{\"status\":\"planned\"}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":2"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "1", NULL), LEANSPEC_OK);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "3", NULL),
               LEANSPEC_EAMBIGUOUS);

  CHECK_STATUS(leanspec_service_health(&s, svc), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"stale\":false") && CONTAINS(s, "\"state\":\"ok\""));
  leanspec_string_free(&s);
  bool flag = true;
  CHECK_STATUS(leanspec_service_is_stale(&flag, svc, NULL), LEANSPEC_OK);
  CHECK(!flag);
  CHECK_STATUS(leanspec_service_filesystem_project_id(&s, svc), LEANSPEC_OK);
  char project[300] = "";
  if (s.data != NULL)
    snprintf(project, sizeof project, "{\"id\":\"%s\"", s.data);
  CHECK(s.size > 0);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_served_projects(&s, svc), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"source\":\"filesystem\""));
  CHECK(CONTAINS(s, project)); /* the served filesystem project has that id */
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_cache_stats(&s, leanspec_service_source(svc)), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"hitRate\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_invalidate(leanspec_service_source(svc), "1", NULL), LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_invalidate(leanspec_service_source(svc), NULL, NULL), LEANSPEC_OK);

  CHECK_STATUS(leanspec_service_revalidate(&flag, svc, "wrong", NULL, NULL), LEANSPEC_OK);
  CHECK(!flag);
  CHECK_STATUS(leanspec_service_revalidate(&flag, svc, "s3cret", "1", NULL), LEANSPEC_OK);
  CHECK(flag);
  CHECK_STATUS(leanspec_service_revalidate(NULL, svc, "s3cret", NULL, NULL), LEANSPEC_EINVALID);

  /* filesystem mode has no registry: not found, saying why */
  CHECK_STATUS(leanspec_source_add_project(leanspec_service_source(svc), "{\"id\":\"a/b\"}"),
               LEANSPEC_ENOTFOUND);
  leanspec_service_free(svc);

  CHECK_STATUS(leanspec_service_health(&s, NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("service"));
  CHECK(leanspec_service_source(NULL) == NULL);
  leanspec_service_free(NULL);

  /* configuration errors name the key; a secret's value never appears */
  CHECK_STATUS(leanspec_service_open(&svc, "{\"mode\":\"sideways\"}"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("config_json.mode"));
  CHECK_STATUS(leanspec_service_open(&svc, "{\"specsDir\":\"/no/such/dir\"}"), LEANSPEC_ECONFIG);
  CHECK(ERROR_SAYS("SPECS_DIR"));
  snprintf(config, sizeof config, "{\"specsDir\":\"%s\",\"githubToken\":\"ghp_topsecret\\u0001\"}",
           specs);
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_ECONFIG);
  CHECK(ERROR_SAYS("GITHUB_TOKEN") && !ERROR_SAYS("topsecret"));
  CHECK(svc == NULL);
  /* a GitHub App whose key is not one: named, never shown */
  snprintf(config, sizeof config,
           "{\"specsDir\":\"%s\",\"githubAppId\":12,\"githubAppPrivateKey\":"
           "\"-----BEGIN RSA PRIVATE KEY-----\\nc2VjcmV0\\n-----END RSA PRIVATE KEY-----\\n\"}",
           specs);
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_ECONFIG);
  CHECK(ERROR_SAYS("GITHUB_APP_PRIVATE_KEY") && !ERROR_SAYS("c2VjcmV0"));
  CHECK(svc == NULL);
}

/* ---- project sets: list, search and stats over "*" and "a,b" ------------------------------ */

static void test_project_sets(void) {
  char url[400];
  snprintf(url, sizeof url, "sqlite:%s/sets.db", root);
  leanspec_db_options opts = LEANSPEC_DB_OPTIONS_INIT;
  opts.database_url = url;
  leanspec_source *db = NULL;
  CHECK_STATUS(leanspec_source_open_database(&db, &opts), LEANSPEC_OK);
  leanspec_string s = {NULL, 0};
  const char *ids[] = {"acme/web", "acme/api"};
  for (int i = 0; i < 2; ++i) {
    char project[64];
    snprintf(project, sizeof project, "{\"id\":\"%s\"}", ids[i]);
    CHECK_STATUS(leanspec_source_add_project(db, project), LEANSPEC_OK);
    CHECK_STATUS(leanspec_source_import_directory(&s, db, ids[i], specs), LEANSPEC_OK);
    leanspec_string_free(&s);
  }
  leanspec_source_free(db);

  char config[1024];
  snprintf(config, sizeof config, "{\"mode\":\"both\",\"specsDir\":\"%s\",\"databaseUrl\":\"%s\"}",
           specs, url);
  leanspec_service *svc = NULL;
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_OK);
  const leanspec_source *src = leanspec_service_source(svc);

  /* every project: the filesystem one and both database ones, each spec with its project */
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"projectId\":\"*\",\"status\":\"planned\"}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":6"));
  CHECK(CONTAINS(s, "\"projectIds\":[\"acme/api\",\"acme/web\","));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"projectId\":\"acme/web,acme/api\",\"limit\":1}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"projectIds\":[\"acme/api\"]") && CONTAINS(s, "\"nextCursor\":\""));
  leanspec_string_free(&s);
  /* one project: no projectIds, as before */
  CHECK_STATUS(leanspec_source_list(&s, src, "{\"projectId\":\"acme/web\"}"), LEANSPEC_OK);
  CHECK(!CONTAINS(s, "projectIds"));
  leanspec_string_free(&s);

  CHECK_STATUS(leanspec_source_search(&s, src, "alpha", "{\"projectId\":\"*\",\"limit\":1}"),
               LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"projectId\":") && CONTAINS(s, "\"nextCursor\":\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_search(&s, src, "alpha", "{\"projectId\":\"*\",\"cursor\":7}"),
               LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("cursor"));

  CHECK_STATUS(leanspec_source_stats(&s, src, "*"), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"byProject\":{\"acme/api\":[{\"status\":\"draft\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_stats(&s, src, "acme/web"), LEANSPEC_OK);
  CHECK(!CONTAINS(s, "byProject"));
  leanspec_string_free(&s);

  /* bad sets: an empty member is invalid, an unknown project not found */
  CHECK_STATUS(leanspec_source_stats(&s, src, "acme/web,,acme/api"), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("acme/web,,acme/api"));
  CHECK_STATUS(leanspec_source_stats(&s, src, "acme/web,no/such"), LEANSPEC_ENOTFOUND);
  CHECK(ERROR_SAYS("no/such"));
  leanspec_service_free(svc);
}

/* ---- GitHub sync and webhooks: a service against the fake GitHub ------------------------ */

/* Runs argv (argv[0] a full path) to completion; its stdout, up to `size` - 1 bytes without the
 * trailing newline, goes to `out` when not NULL. Returns whether it exited with status 0. */
static int run(char *const argv[], char *out, size_t size) {
  int fd[2];
  if (pipe(fd) != 0)
    return 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd[1], 1);
  posix_spawn_file_actions_addclose(&actions, fd[0]);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fd[1]);
  size_t used = 0;
  char buffer[256];
  ssize_t n;
  while (rc == 0 && (n = read(fd[0], buffer, sizeof buffer)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    for (ssize_t i = 0; i < n && out != NULL && used + 1 < size; ++i)
      out[used++] = buffer[i];
  }
  close(fd[0]);
  if (out != NULL) {
    out[used] = '\0';
    while (used > 0 && (out[used - 1] == '\n' || out[used - 1] == '\r'))
      out[--used] = '\0';
  }
  int status = 0;
  if (rc != 0 || waitpid(pid, &status, 0) != pid)
    return 0;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static char repo[300];

/* git -C repo <args...>; stdout into `out` (may be NULL). Exits the test when git fails. */
static void git(char *out, size_t size, const char *a1, const char *a2, const char *a3,
                const char *a4) {
  char *argv[] = {"/usr/bin/git", "-C", repo, (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
  if (!run(argv, out, size)) {
    fprintf(stderr, "git %s %s failed\n", a1, a2 ? a2 : "");
    exit(100);
  }
}

static void git_commit(char *head, size_t size, const char *message) {
  git(NULL, 0, "add", "-A", NULL, NULL);
  git(NULL, 0, "commit", "-q", "-m", message);
  git(head, size, "rev-parse", "HEAD", NULL, NULL);
}

/* The fake GitHub (fake_github.py) serving `repo`; its API URL goes to `api_url`. Its
 * tarballs: "git" (as git archive writes them) or "pax" (names as pax records in UTF-8). */
static pid_t start_fake_github(const char *token, const char *tarball_format, char *api_url,
                               size_t size) {
  char parent[32];
  snprintf(parent, sizeof parent, "%d", (int)getpid());
  char *argv[] = {LEANSPEC_PYTHON3,
                  LEANSPEC_FAKE_GITHUB_SCRIPT,
                  "--repo",
                  repo,
                  "--owner",
                  "acme",
                  "--name",
                  "web",
                  "--token",
                  (char *)token,
                  "--tarball-format",
                  (char *)tarball_format,
                  "--parent-pid",
                  parent,
                  NULL};
  int fd[2];
  if (pipe(fd) != 0)
    exit(100);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd[1], 1);
  posix_spawn_file_actions_addclose(&actions, fd[0]);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fd[1]);
  if (rc != 0) {
    fprintf(stderr, "cannot start %s: %s\n", argv[1], strerror(rc));
    exit(100);
  }
  /* The first line is "API_PORT CODELOAD_PORT"; the server prints it once it listens. */
  char line[64] = "";
  size_t used = 0;
  struct pollfd in = {fd[0], POLLIN, 0};
  while (strchr(line, '\n') == NULL && used + 1 < sizeof line) {
    if (poll(&in, 1, 20000) <= 0)
      break; /* no line within 20 s: fails below */
    const ssize_t n = read(fd[0], line + used, sizeof line - 1 - used);
    if (n <= 0)
      break;
    used += (size_t)n;
    line[used] = '\0';
  }
  close(fd[0]);
  int api_port = 0;
  if (sscanf(line, "%d", &api_port) != 1) {
    fprintf(stderr, "fake_github.py printed no port line ('%s')\n", line);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    exit(100);
  }
  snprintf(api_url, size, "http://127.0.0.1:%d", api_port);
  return pid;
}

static void stop_fake_github(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0); /* a clean stop, no crash */
}

/* "sha256=" + hex HMAC-SHA256 of `body` under `secret`, as GitHub signs a delivery. */
static void sign(char out[72], const char *secret, const char *body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, strlen(body), digest,
       &length);
  strcpy(out, "sha256=");
  for (unsigned int i = 0; i < length && i < 32; ++i)
    snprintf(out + 7 + 2 * i, 3, "%02x", digest[i]);
}

/* The integer after "key": in a JSON text, or -1. */
static long long json_int(const leanspec_string *s, const char *key) {
  char needle[64];
  snprintf(needle, sizeof needle, "\"%s\":", key);
  const char *at = s->data == NULL ? NULL : strstr(s->data, needle);
  long long value = -1;
  if (at == NULL || sscanf(at + strlen(needle), "%lld", &value) != 1)
    return -1;
  return value;
}

/* How many times `needle` occurs in `s`. */
static int occurrences(const leanspec_string *s, const char *needle) {
  int count = 0;
  for (const char *at = s->data; at != NULL && (at = strstr(at, needle)) != NULL; ++at)
    ++count;
  return count;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

/* A delivery: event, delivery id, signature (NULL: none) and the body. */
static leanspec_status deliver(leanspec_string *out, leanspec_service *svc, const char *event,
                               const char *id, const char *signature, const char *body) {
  const leanspec_header headers[] = {{"X-GitHub-Event", event},
                                     {"x-github-delivery", id},
                                     {"Content-Type", "application/json"},
                                     {"X-Hub-Signature-256", signature}};
  const size_t count = signature == NULL ? 3 : 4;
  return leanspec_service_handle_webhook(out, svc, headers, count, body, strlen(body));
}

/* Non-ASCII folder and file names through the tarball (a first sync reads it), with the
 * process locale "C" as in any C host that never calls setlocale. */
static void test_sync_non_ascii(void) {
  static const char token[] = "ghp_capiTestToken0123456789";
  snprintf(repo, sizeof repo, "%s/repo-utf8", root);
  {
    char *init[] = {"/usr/bin/git", "init", "-q", "-b", "main", repo, NULL};
    if (!run(init, NULL, 0))
      exit(100);
  }
  git(NULL, 0, "config", "commit.gpgsign", "false", NULL);
  write_file_at(repo, "specs/001-caf\xc3\xa9-cr\xc3\xa8me/README.md",
                "---\nstatus: planned\n---\n# Caf\xc3\xa9\n");
  write_file_at(repo, "specs/001-caf\xc3\xa9-cr\xc3\xa8me/\xc3\xb1otes-\xe6\x97\xa5\xe6\x9c\xac.md",
                "# Notes\n");
  write_file_at(repo, "specs/002-beta/README.md", "---\nstatus: draft\n---\n# Beta\n");
  char head[64];
  git_commit(head, sizeof head, "initial");
  char api_url[64];
  const pid_t server = start_fake_github(token, "pax", api_url, sizeof api_url);
  char config[1024];
  snprintf(config, sizeof config,
           "{\"mode\":\"database\",\"databaseUrl\":\"sqlite:%s/utf8.db\",\"githubApiUrl\":\"%s\","
           "\"githubToken\":\"%s\",\"syncDeadlineMs\":120000}",
           root, api_url, token);
  leanspec_service *svc = NULL;
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_OK);
  if (svc != NULL) {
    leanspec_string s = {NULL, 0};
    CHECK_STATUS(leanspec_source_add_project(leanspec_service_source(svc), "{\"id\":\"acme/web\"}"),
                 LEANSPEC_OK);
    CHECK_STATUS(leanspec_service_sync_now(&s, svc, "acme/web"), LEANSPEC_OK);
    CHECK(CONTAINS(s, "\"outcome\":\"ok\"") && CONTAINS(s, "\"path\":\"tarball\""));
    CHECK(json_int(&s, "added") == 2);
    if (!CONTAINS(s, "\"outcome\":\"ok\""))
      fprintf(stderr, "sync run: %s\n", s.data ? s.data : "(null)");
    leanspec_string_free(&s);
    CHECK_STATUS(leanspec_source_list(&s, leanspec_service_source(svc), NULL), LEANSPEC_OK);
    CHECK(CONTAINS(s, "\"total\":2"));
    CHECK(CONTAINS(s, "\"id\":\"001-caf\xc3\xa9-cr\xc3\xa8me\""));
    leanspec_string_free(&s);
    CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "1", NULL), LEANSPEC_OK);
    CHECK(CONTAINS(s, "\"title\":\"Caf\xc3\xa9\""));
    leanspec_string_free(&s);
    leanspec_service_free(svc);
  }
  stop_fake_github(server);
  /* a configuration error names the field */
  snprintf(config, sizeof config,
           "{\"mode\":\"database\",\"databaseUrl\":\"sqlite:%s/utf8.db\",\"syncDeadlineMs\":0}",
           root);
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_ECONFIG);
  CHECK(ERROR_SAYS("SYNC_DEADLINE_MS"));
}

static void test_sync(void) {
  static const char token[] = "ghp_capiTestToken0123456789";
  static const char secret[] = "hook-secret";
  snprintf(repo, sizeof repo, "%s/repo", root);
  {
    char *init[] = {"/usr/bin/git", "init", "-q", "-b", "main", repo, NULL};
    if (!run(init, NULL, 0))
      exit(100);
  }
  git(NULL, 0, "config", "commit.gpgsign", "false", NULL);
  write_file_at(repo, "specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha\n");
  write_file_at(repo, "specs/002-beta/README.md",
                "---\nstatus: draft\ndepends_on: [001-alpha]\n---\n# Beta\n");
  write_file_at(repo, "README.md", "# acme/web\n");
  char first[64], second[64];
  git_commit(first, sizeof first, "initial");

  char api_url[64];
  const pid_t server = start_fake_github(token, "git", api_url, sizeof api_url);
  char config[1024];
  /* cacheTtlMs 0: what the scheduler syncs on its own threads shows at once */
  snprintf(config, sizeof config,
           "{\"mode\":\"database\",\"databaseUrl\":\"sqlite:%s/sync.db\",\"githubApiUrl\":\"%s\","
           "\"githubToken\":\"%s\",\"webhookSecrets\":[\"%s\"],\"cacheTtlMs\":0}",
           root, api_url, token, secret);
  leanspec_service *svc = NULL;
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_OK);
  if (svc == NULL) {
    stop_fake_github(server);
    return;
  }
  leanspec_string s = {NULL, 0};

  CHECK_STATUS(leanspec_service_filesystem_project_id(&s, svc), LEANSPEC_OK);
  CHECK(s.data != NULL && s.size == 0); /* database mode: no filesystem project */
  leanspec_string_free(&s);

  /* the registry of a service: update_project reaches it */
  CHECK_STATUS(leanspec_source_add_project(leanspec_service_source(svc), "{\"id\":\"acme/web\"}"),
               LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_update_project(leanspec_service_source(svc),
                                              "{\"id\":\"acme/web\",\"syncIntervalMs\":"
                                              "7200000}"),
               LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_registered_projects(&s, leanspec_service_source(svc)), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"specsPath\":\"specs\",\"syncIntervalMs\":7200000"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_update_project(leanspec_service_source(svc), "{\"id\":\"no/such\"}"),
               LEANSPEC_ENOTFOUND);

  /* nothing synced yet: no runs, no specs */
  CHECK_STATUS(leanspec_service_sync_runs(&s, svc, "acme/web", 0), LEANSPEC_OK);
  CHECK(s.data != NULL && strcmp(s.data, "[]") == 0);
  leanspec_string_free(&s);

  /* sync_now: the specs of the repository, at its head commit */
  CHECK_STATUS(leanspec_service_sync_now(&s, svc, "acme/web"), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"projectId\":\"acme/web\",\"outcome\":\"ok\""));
  CHECK(json_int(&s, "added") == 2 && json_int(&s, "updated") == 0);
  CHECK(json_int(&s, "id") > 0 && json_int(&s, "requests") > 0 && json_int(&s, "bytes") > 0);
  CHECK(json_int(&s, "startedAt") > 0 && json_int(&s, "endedAt") >= json_int(&s, "startedAt"));
  CHECK(CONTAINS(s, first)); /* "commit" */
  CHECK(CONTAINS(s, "\"error\":null"));
  CHECK(!CONTAINS(s, token));
  const long long first_id = json_int(&s, "id");
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_list(&s, leanspec_service_source(svc), NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"total\":2"));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "1", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"title\":\"Alpha\""));
  leanspec_string_free(&s);

  /* unchanged: one conditional request answered 304 */
  CHECK_STATUS(leanspec_service_sync_now(&s, svc, "acme/web"), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"outcome\":\"not_modified\""));
  CHECK(json_int(&s, "requests") == 1 && json_int(&s, "notModified") == 1);
  leanspec_string_free(&s);

  /* sync_runs: both, newest first; a limit; another project has none */
  CHECK_STATUS(leanspec_service_sync_runs(&s, svc, "acme/web", 0), LEANSPEC_OK);
  CHECK(s.data != NULL && s.data[0] == '[');
  CHECK(occurrences(&s, "\"projectId\":\"acme/web\"") == 2);
  {
    const char *not_modified = strstr(s.data, "\"outcome\":\"not_modified\"");
    const char *ok = strstr(s.data, "\"outcome\":\"ok\"");
    CHECK(not_modified != NULL && ok != NULL && not_modified < ok);
  }
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_sync_runs(&s, svc, "acme/web", 1), LEANSPEC_OK);
  CHECK(occurrences(&s, "\"projectId\"") == 1 && CONTAINS(s, "\"outcome\":\"not_modified\""));
  CHECK(json_int(&s, "id") > first_id);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_sync_runs(&s, svc, "other/repo", 0), LEANSPEC_OK);
  CHECK(s.data != NULL && strcmp(s.data, "[]") == 0);
  leanspec_string_free(&s);

  /* errors: unknown project, NULL arguments */
  CHECK_STATUS(leanspec_service_sync_now(&s, svc, "no/such"), LEANSPEC_ENOTFOUND);
  CHECK(ERROR_SAYS("no/such"));
  CHECK(s.data == NULL);
  CHECK_STATUS(leanspec_service_sync_now(&s, svc, NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("project_id"));
  CHECK_STATUS(leanspec_service_sync_now(NULL, svc, "acme/web"), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_service_request_sync(svc, "no/such"), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(leanspec_service_request_sync(svc, NULL), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_service_sync_runs(&s, svc, NULL, 0), LEANSPEC_EINVALID);

  /* webhooks: a forged signature and a missing one are rejected, a signed ping answered */
  const char *ping = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":7}";
  char signature[72];
  sign(signature, "not-the-secret", ping);
  CHECK_STATUS(deliver(&s, svc, "ping", "d-1", signature, ping), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"action\":\"rejected\""));
  CHECK(json_int(&s, "status") >= 400 && json_int(&s, "status") < 500);
  CHECK(!CONTAINS(s, secret));
  leanspec_string_free(&s);
  CHECK_STATUS(deliver(&s, svc, "ping", "d-2", NULL, ping), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"action\":\"rejected\""));
  leanspec_string_free(&s);
  sign(signature, secret, ping);
  CHECK_STATUS(deliver(&s, svc, "ping", "d-3", signature, ping), LEANSPEC_OK);
  CHECK(json_int(&s, "status") == 200 && CONTAINS(s, "\"action\":\"ping\""));
  leanspec_string_free(&s);
  /* the signature covers the exact bytes: one byte more is a forgery */
  {
    const leanspec_header headers[] = {{"X-GitHub-Event", "ping"},
                                       {"X-GitHub-Delivery", "d-4"},
                                       {"X-Hub-Signature-256", signature}};
    char longer[128];
    snprintf(longer, sizeof longer, "%s ", ping);
    CHECK_STATUS(leanspec_service_handle_webhook(&s, svc, headers, 3, longer, strlen(longer)),
                 LEANSPEC_OK);
    CHECK(CONTAINS(s, "\"action\":\"rejected\""));
    leanspec_string_free(&s);
    const leanspec_header broken[] = {{"X-GitHub-Event", NULL}};
    CHECK_STATUS(leanspec_service_handle_webhook(&s, svc, broken, 1, ping, strlen(ping)),
                 LEANSPEC_EINVALID);
    CHECK(ERROR_SAYS("headers[0].value"));
    CHECK_STATUS(leanspec_service_handle_webhook(&s, svc, NULL, 2, ping, strlen(ping)),
                 LEANSPEC_EINVALID);
    CHECK_STATUS(leanspec_service_handle_webhook(&s, svc, headers, 3, NULL, 5), LEANSPEC_EINVALID);
    CHECK(ERROR_SAYS("body"));
    CHECK(s.data == NULL);
  }

  /* a signed push that changes a spec queues a sync; the scheduler runs it */
  write_file_at(repo, "specs/001-alpha/README.md", "---\nstatus: planned\n---\n# Alpha two\n");
  git_commit(second, sizeof second, "retitle alpha");
  char push[1024];
  snprintf(push, sizeof push,
           "{\"ref\":\"refs/heads/main\",\"before\":\"%s\",\"after\":\"%s\",\"created\":false,"
           "\"deleted\":false,\"forced\":false,\"repository\":{\"full_name\":\"acme/web\"},"
           "\"commits\":[{\"id\":\"%s\",\"added\":[],\"removed\":[],"
           "\"modified\":[\"specs/001-alpha/README.md\"]}],\"head_commit\":{\"id\":\"%s\","
           "\"added\":[],\"removed\":[],\"modified\":[\"specs/001-alpha/README.md\"]}}",
           first, second, second, second);
  sign(signature, secret, push);
  CHECK_STATUS(deliver(&s, svc, "push", "d-5", signature, push), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"action\":\"queued\"") && CONTAINS(s, "\"projectId\":\"acme/web\""));
  CHECK(json_int(&s, "status") >= 200 && json_int(&s, "status") < 300);
  leanspec_string_free(&s);
  CHECK_STATUS(deliver(&s, svc, "push", "d-5", signature, push), LEANSPEC_OK);
  CHECK(!CONTAINS(s, "\"action\":\"queued\"")); /* a redelivery queues nothing more */
  leanspec_string_free(&s);

  CHECK_STATUS(leanspec_service_start_sync(svc), LEANSPEC_OK);
  CHECK_STATUS(leanspec_service_start_sync(svc), LEANSPEC_OK); /* running already: no-op */
  int synced = 0;
  for (int i = 0; i < 600 && !synced; ++i) { /* at most 60 s */
    if (leanspec_service_sync_runs(&s, svc, "acme/web", 1) == LEANSPEC_OK && CONTAINS(s, second) &&
        CONTAINS(s, "\"outcome\":\"ok\"")) {
      synced = 1;
      CHECK(json_int(&s, "updated") == 1 && json_int(&s, "added") == 0);
    }
    leanspec_string_free(&s);
    if (!synced)
      sleep_ms(100);
  }
  CHECK(synced);
  CHECK_STATUS(leanspec_service_stop_sync(svc), LEANSPEC_OK);
  CHECK_STATUS(leanspec_service_stop_sync(svc), LEANSPEC_OK); /* stopped already: no-op */
  CHECK_STATUS(leanspec_source_get(&s, leanspec_service_source(svc), "1", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"title\":\"Alpha two\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_service_request_sync(svc, "acme/web"), LEANSPEC_OK); /* stays queued */
  leanspec_service_free(svc);
  stop_fake_github(server);

  /* a filesystem-mode service: no sync, webhooks answered 404; other sources: EINVALID */
  snprintf(config, sizeof config, "{\"mode\":\"filesystem\",\"specsDir\":\"%s\"}", specs);
  CHECK_STATUS(leanspec_service_open(&svc, config), LEANSPEC_OK);
  CHECK_STATUS(leanspec_service_start_sync(svc), LEANSPEC_ENOTFOUND);
  CHECK(ERROR_SAYS("database mode is off"));
  CHECK_STATUS(leanspec_service_stop_sync(svc), LEANSPEC_OK);
  CHECK_STATUS(leanspec_service_sync_now(&s, svc, "acme/web"), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(leanspec_service_sync_runs(&s, svc, "acme/web", 0), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(leanspec_service_request_sync(svc, "acme/web"), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(deliver(&s, svc, "ping", "d-6", signature, ping), LEANSPEC_OK);
  CHECK(json_int(&s, "status") == 404 && CONTAINS(s, "\"action\":\"rejected\""));
  leanspec_string_free(&s);
  leanspec_service_free(svc);
}

/* ---- deprecated: the service calls that took a leanspec_source, for one more release ---- */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void test_deprecated_service_calls(void) {
  char config[512];
  snprintf(config, sizeof config,
           "{\"mode\":\"filesystem\",\"specsDir\":\"%s\",\"revalidationSecret\":\"s3cret\"}",
           specs);
  leanspec_source *svc = NULL;
  CHECK_STATUS(leanspec_source_open_service(&svc, config), LEANSPEC_OK);
  leanspec_string s = {NULL, 0};
  CHECK_STATUS(leanspec_source_get(&s, svc, "1", NULL), LEANSPEC_OK);
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_health(&s, svc), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"mode\":\"filesystem\""));
  leanspec_string_free(&s);
  bool flag = true;
  CHECK_STATUS(leanspec_source_is_stale(&flag, svc, NULL), LEANSPEC_OK);
  CHECK(!flag);
  CHECK_STATUS(leanspec_source_served_projects(&s, svc), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"source\":\"filesystem\""));
  leanspec_string_free(&s);
  CHECK_STATUS(leanspec_source_revalidate(&flag, svc, "s3cret", NULL, NULL), LEANSPEC_OK);
  CHECK(flag);
  CHECK_STATUS(leanspec_source_filesystem_project_id(&s, svc), LEANSPEC_OK);
  CHECK(s.size > 0);
  leanspec_string_free(&s);
  /* filesystem mode: the sync calls say database mode is off, a webhook is answered 404 */
  CHECK_STATUS(leanspec_source_start_sync(svc), LEANSPEC_ENOTFOUND);
  CHECK(ERROR_SAYS("database mode is off"));
  CHECK_STATUS(leanspec_source_stop_sync(svc), LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_sync_now(&s, svc, "acme/web"), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(leanspec_source_sync_runs(&s, svc, "acme/web", 0), LEANSPEC_ENOTFOUND);
  CHECK_STATUS(leanspec_source_request_sync(svc, "acme/web"), LEANSPEC_ENOTFOUND);
  const leanspec_header headers[] = {{"X-GitHub-Event", "ping"}};
  CHECK_STATUS(leanspec_source_handle_webhook(&s, svc, headers, 1, "{}", 2), LEANSPEC_OK);
  CHECK(json_int(&s, "status") == 404);
  leanspec_string_free(&s);
  leanspec_source_free(svc);

  /* the source a service lends takes them too */
  leanspec_service *service = NULL;
  CHECK_STATUS(leanspec_service_open(&service, config), LEANSPEC_OK);
  CHECK_STATUS(leanspec_source_health(&s, leanspec_service_source(service)), LEANSPEC_OK);
  leanspec_string_free(&s);
  leanspec_service_free(service);

  /* on any other source they fail at run time, naming the call, with `*out` reset */
  leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
  opts.specs_dir = specs;
  leanspec_source *fs = NULL;
  CHECK_STATUS(leanspec_source_open_filesystem(&fs, &opts), LEANSPEC_OK);
  s.data = config;
  CHECK_STATUS(leanspec_source_sync_runs(&s, fs, "acme/web", 0), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("leanspec_source_sync_runs: source is not a service") && s.data == NULL);
  CHECK_STATUS(leanspec_source_start_sync(fs), LEANSPEC_EINVALID);
  CHECK_STATUS(leanspec_source_stop_sync(NULL), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("source is NULL"));
  leanspec_source_free(fs);
}
#pragma GCC diagnostic pop

/* ---- change events ---------------------------------------------------------------------- */

struct events {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  int count;
  char last[1024];
  pthread_t thread;
};

static void on_change(const char *json, size_t size, void *user_data) {
  struct events *ev = user_data;
  pthread_mutex_lock(&ev->mutex);
  ++ev->count;
  snprintf(ev->last, sizeof ev->last, "%.*s", (int)size, json);
  ev->thread = pthread_self();
  pthread_cond_broadcast(&ev->cond);
  pthread_mutex_unlock(&ev->mutex);
}

/* A callback that reads the source it hears from and ends its own subscription on the first
 * event (both allowed on the dispatcher thread). */
struct reentrant {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  const leanspec_source *source;
  leanspec_subscription *subscription; /* NULL once the callback freed it */
  int calls;
  leanspec_status get_status;
  int saw_new_title;
};

static void on_change_reentrant(const char *json, size_t size, void *user_data) {
  (void)json, (void)size;
  struct reentrant *r = user_data;
  leanspec_string s = {NULL, 0};
  const leanspec_status status = leanspec_source_get(&s, r->source, "1", NULL);
  const int saw = CONTAINS(s, "Alpha done");
  leanspec_string_free(&s);
  pthread_mutex_lock(&r->mutex);
  ++r->calls;
  r->get_status = status;
  r->saw_new_title = saw;
  leanspec_subscription *sub = r->subscription;
  r->subscription = NULL;
  pthread_mutex_unlock(&r->mutex);
  leanspec_subscription_free(sub); /* from inside: this call is the last */
  pthread_mutex_lock(&r->mutex);
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->mutex);
}

static int event_count(struct events *ev) {
  pthread_mutex_lock(&ev->mutex);
  const int count = ev->count;
  pthread_mutex_unlock(&ev->mutex);
  return count;
}

/* Waits (at most 10 s) until `count` events arrived; returns whether they did. */
static int wait_events(struct events *ev, int count) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock(&ev->mutex);
  int rc = 0;
  while (ev->count < count && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&ev->cond, &ev->mutex, &deadline);
  const int arrived = ev->count >= count;
  pthread_mutex_unlock(&ev->mutex);
  return arrived;
}

static void test_events(void) {
  leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
  opts.specs_dir = specs;
  opts.project_id = "demo";
  opts.watch = true;
  opts.debounce_ms = 10;
  leanspec_source *src = NULL;
  CHECK_STATUS(leanspec_source_open_filesystem(&src, &opts), LEANSPEC_OK);

  struct events ev = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, "", pthread_self()};
  leanspec_subscription *sub = NULL;
  CHECK_STATUS(leanspec_source_subscribe(&sub, src, NULL, &ev), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("callback"));
  CHECK_STATUS(leanspec_source_subscribe(&sub, src, on_change, &ev), LEANSPEC_OK);
  struct reentrant re = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, src, NULL, 0, 0, 0};
  leanspec_subscription *re_sub = NULL;
  CHECK_STATUS(leanspec_source_subscribe(&re_sub, src, on_change_reentrant, &re), LEANSPEC_OK);
  pthread_mutex_lock(&re.mutex);
  re.subscription = re_sub; /* under the mutex: the callback thread reads it */
  pthread_mutex_unlock(&re.mutex);

  /* a real edit of a watched file */
  write_file("001-alpha/README.md", "---\nstatus: complete\npriority: high\n---\n# Alpha done\n");
  CHECK(wait_events(&ev, 1));
  {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&re.mutex);
    int rc = 0;
    while (re.calls == 0 && rc != ETIMEDOUT)
      rc = pthread_cond_timedwait(&re.cond, &re.mutex, &deadline);
    CHECK(re.calls == 1 && re.get_status == LEANSPEC_OK && re.saw_new_title);
    CHECK(re.subscription == NULL);
    pthread_mutex_unlock(&re.mutex);
  }
  pthread_mutex_lock(&ev.mutex);
  CHECK(strstr(ev.last, "\"projectId\":\"demo\"") != NULL);
  CHECK(strstr(ev.last, "\"changed\":[\"001-alpha\"]") != NULL);
  CHECK(!pthread_equal(ev.thread, pthread_self())); /* the source's own thread */
  pthread_mutex_unlock(&ev.mutex);
  leanspec_string s = {NULL, 0};
  CHECK_STATUS(leanspec_source_get(&s, src, "1", NULL), LEANSPEC_OK);
  CHECK(CONTAINS(s, "\"status\":\"complete\""));
  leanspec_string_free(&s);

  /* a caching source passes events on; a freed subscription hears nothing more */
  leanspec_source *cache = NULL;
  CHECK_STATUS(leanspec_source_open_caching(&cache, src, NULL), LEANSPEC_OK);
  struct events cached = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, "",
                          pthread_self()};
  leanspec_subscription *cached_sub = NULL;
  CHECK_STATUS(leanspec_source_subscribe(&cached_sub, cache, on_change, &cached), LEANSPEC_OK);
  leanspec_subscription_free(sub);
  const int before = event_count(&ev);
  write_file("005-new/README.md", "---\nstatus: draft\n---\n# New\n");
  CHECK(wait_events(&cached, 1));
  pthread_mutex_lock(&cached.mutex);
  CHECK(strstr(cached.last, "\"added\":[\"005-new\"]") != NULL);
  pthread_mutex_unlock(&cached.mutex);
  CHECK(event_count(&ev) == before);
  pthread_mutex_lock(&re.mutex);
  CHECK(re.calls == 1); /* it unsubscribed itself */
  pthread_mutex_unlock(&re.mutex);

  /* reload() is thread-safe and publishes nothing when nothing changed */
  CHECK_STATUS(leanspec_source_reload(src), LEANSPEC_OK);
  leanspec_subscription_free(cached_sub);
  leanspec_source_free(cache);
  leanspec_source_free(src);
}

int main(int argc, char **argv) {
  /* git (here and in the fake GitHub) without the user's or the system's configuration */
  setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
  setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
  setenv("GIT_AUTHOR_NAME", "capi_test", 1);
  setenv("GIT_AUTHOR_EMAIL", "capi@test.invalid", 1);
  setenv("GIT_COMMITTER_NAME", "capi_test", 1);
  setenv("GIT_COMMITTER_EMAIL", "capi@test.invalid", 1);
  write_tree();
  if (argc > 1 && strcmp(argv[1], "events") == 0) {
    test_events();
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("capi_test events: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
  }
  test_version_and_names();
  test_open_errors();

  leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
  opts.specs_dir = specs;
  leanspec_source *src = NULL;
  CHECK_STATUS(leanspec_source_open_filesystem(&src, &opts), LEANSPEC_OK);
  if (src != NULL) {
    test_reads(src);
    test_caching(src);
    leanspec_source_free(src);
  }
  test_database();
  test_service();
  test_writes();
  test_project_sets();
  test_sync();
  test_sync_non_ascii();
  test_deprecated_service_calls();
  test_events();

  nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (failures)
    fprintf(stderr, "capi_test: %d check(s) failed\n", failures);
  else
    printf("capi_test: all checks passed\n");
  return failures ? 1 : 0;
}
