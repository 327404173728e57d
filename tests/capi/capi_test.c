/* capi_test: drives every function of leanspec.h from plain C11 on a spec tree it writes into a
 * temporary directory: results, errors (status and message), NULL arguments, a change event
 * from a real file edit, and every string and handle freed (under ASan, LeakSanitizer turns a
 * forgotten free into a failure). Exit status: the number of failed checks (0: pass). */
#define _XOPEN_SOURCE 700

#include "leanspec.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static void write_file(const char *relative, const char *content) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", specs, relative);
  char dir[512];
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = dir + strlen(specs) + 1; *p; ++p)
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
  write_file("003-gamma-two/README.md", "---\nstatus: draft\n---\n# Gamma two\n");
  write_file("004-child/README.md", "---\nstatus: planned\nparent: 002-beta\n---\n# Child\n");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
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
  opts.version = 99;
  CHECK_STATUS(leanspec_source_open_filesystem(&src, &opts), LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("version"));

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
  CHECK(ERROR_SAYS("not a database source"));

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
}

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

  /* a real edit of a watched file */
  write_file("001-alpha/README.md", "---\nstatus: complete\npriority: high\n---\n# Alpha done\n");
  CHECK(wait_events(&ev, 1));
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
  CHECK(strstr(cached.last, "\"added\":[\"005-new\"]") != NULL);
  CHECK(event_count(&ev) == before);

  /* reload() is thread-safe and publishes nothing when nothing changed */
  CHECK_STATUS(leanspec_source_reload(src), LEANSPEC_OK);
  leanspec_subscription_free(cached_sub);
  leanspec_source_free(cache);
  leanspec_source_free(src);
}

int main(void) {
  write_tree();
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
  test_events();

  nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (failures)
    fprintf(stderr, "capi_test: %d check(s) failed\n", failures);
  else
    printf("capi_test: all checks passed\n");
  return failures ? 1 : 0;
}
