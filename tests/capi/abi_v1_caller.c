/* abi_v1_caller: a program compiled against version 1 of leanspec.h's options structs (the
 * header of 0.1.0), run against this library (ctest capi_abi_v1). It does not include
 * leanspec.h: it declares what that header declared, as an old binary sees it, and checks that
 *   - each version-1 struct opens its source, the fields later versions appended at their
 *     defaults (leanspec.h's rule: the library reads only the fields the caller's version has);
 *   - a version above the library's is refused with LEANSPEC_EINVALID naming the struct.
 * Each struct sits at the very end of a readable page, with an unreadable page after it, so a
 * library that read past a version-1 struct crashes; and its padding, where version 2 put its
 * bool, holds the value the default is not, so a library that read it there answers wrong. */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700

#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- version 1 of leanspec.h: the parts this program uses, copied from it ---------------- */

typedef int32_t leanspec_status;
enum { LEANSPEC_OK = 0, LEANSPEC_EINVALID = -2 };
typedef struct leanspec_source leanspec_source;
typedef struct leanspec_string {
  char *data;
  size_t size;
} leanspec_string;

typedef struct leanspec_fs_options {
  unsigned int version;
  const char *specs_dir;
  const char *project_id;
  int32_t pattern;
  uint32_t threads;
  const char *cache_dir;
  bool watch;
  uint32_t debounce_ms;
  uint32_t poll_interval_ms;
  bool force_polling;
} leanspec_fs_options;
#define LEANSPEC_FS_OPTIONS_INIT                                                                   \
  { 1, NULL, NULL, 0, 0, NULL, false, 20, 1000, false }

typedef struct leanspec_db_options {
  unsigned int version;
  const char *database_url;
  const char *project_id;
  uint32_t recheck_ms;
} leanspec_db_options;
#define LEANSPEC_DB_OPTIONS_INIT                                                                   \
  { 1, NULL, NULL, 20 }

typedef struct leanspec_cache_options {
  unsigned int version;
  uint32_t ttl_ms;
} leanspec_cache_options;
#define LEANSPEC_CACHE_OPTIONS_INIT                                                                \
  { 1, 60000 }

const char *leanspec_last_error(void);
void leanspec_string_free(leanspec_string *str);
leanspec_status leanspec_source_open_filesystem(leanspec_source **out,
                                                const leanspec_fs_options *opts);
leanspec_status leanspec_source_open_database(leanspec_source **out,
                                              const leanspec_db_options *opts);
leanspec_status leanspec_source_open_caching(leanspec_source **out, const leanspec_source *inner,
                                             const leanspec_cache_options *opts);
leanspec_status leanspec_source_get(leanspec_string *out, const leanspec_source *source,
                                    const char *ref, const char *project_id);
void leanspec_source_free(leanspec_source *source);

/* ---- the test ----------------------------------------------------------------------------- */

static int failures;
#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond,      \
              leanspec_last_error());                                                              \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)
#define ERROR_SAYS(needle) (strstr(leanspec_last_error(), (needle)) != NULL)

/* `size` bytes, each `fill`, ending where an unreadable page begins. */
static void *at_page_end(size_t size, unsigned char fill) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  unsigned char *pages =
      mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED || mprotect(pages + page, page, PROT_NONE) != 0) {
    perror("mmap");
    exit(2);
  }
  memset(pages + page - size, fill, size);
  return pages + page - size;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int main(void) {
  char root[] = "/tmp/leanspec_abi_v1_XXXXXX";
  if (mkdtemp(root) == NULL)
    return 2;
  char specs[64], folder[96], readme[128], url[96];
  snprintf(specs, sizeof specs, "%s/specs", root);
  snprintf(folder, sizeof folder, "%s/001-alpha", specs);
  snprintf(readme, sizeof readme, "%s/README.md", folder);
  snprintf(url, sizeof url, "sqlite:%s/new/specs.db", root);
  FILE *f = (mkdir(specs, 0755) == 0 && mkdir(folder, 0755) == 0) ? fopen(readme, "w") : NULL;
  if (f == NULL)
    return 2;
  fputs("---\nstatus: planned\n---\n# Alpha\n\nThe body of alpha.\n", f);
  fclose(f);

  /* Version 2 appended summaries_only (default false) in the padding: 1s there. */
  leanspec_fs_options *fs = at_page_end(sizeof *fs, 1);
  const leanspec_fs_options fs_init = LEANSPEC_FS_OPTIONS_INIT;
  fs->version = fs_init.version, fs->specs_dir = specs, fs->project_id = NULL;
  fs->pattern = fs_init.pattern, fs->threads = 1, fs->cache_dir = NULL, fs->watch = false;
  fs->debounce_ms = 20, fs->poll_interval_ms = 1000, fs->force_polling = false;
  leanspec_source *src = NULL;
  CHECK(leanspec_source_open_filesystem(&src, fs) == LEANSPEC_OK);
  leanspec_string s = {NULL, 0};
  CHECK(leanspec_source_get(&s, src, "1", NULL) == LEANSPEC_OK);
  CHECK(s.data != NULL && strstr(s.data, "The body of alpha.") != NULL); /* not summaries only */
  leanspec_string_free(&s);

  /* Version 1 of the cache options is the library's too. */
  leanspec_cache_options *cache_opts = at_page_end(sizeof *cache_opts, 0);
  cache_opts->version = 1, cache_opts->ttl_ms = 1000;
  leanspec_source *cache = NULL;
  CHECK(leanspec_source_open_caching(&cache, src, cache_opts) == LEANSPEC_OK);
  leanspec_source_free(cache);
  leanspec_source_free(src);

  /* Version 2 appended create_if_missing (default true) in the padding: 0s there. The file
   * does not exist, so only the default opens it. */
  leanspec_db_options *db_opts = at_page_end(sizeof *db_opts, 0);
  db_opts->version = 1, db_opts->database_url = url, db_opts->project_id = NULL;
  db_opts->recheck_ms = 20;
  leanspec_source *db = NULL;
  CHECK(leanspec_source_open_database(&db, db_opts) == LEANSPEC_OK);
  leanspec_source_free(db);

  /* A header newer than the library: refused, naming the struct. */
  fs->version = 99;
  CHECK(leanspec_source_open_filesystem(&src, fs) == LEANSPEC_EINVALID && src == NULL);
  CHECK(ERROR_SAYS("leanspec_fs_options") && ERROR_SAYS("99"));
  db_opts->version = 99;
  CHECK(leanspec_source_open_database(&db, db_opts) == LEANSPEC_EINVALID && db == NULL);
  CHECK(ERROR_SAYS("leanspec_db_options"));
  cache_opts->version = 2;
  CHECK(leanspec_source_open_caching(&cache, NULL, cache_opts) == LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("leanspec_cache_options"));
  fs->version = 0; /* never initialized */
  CHECK(leanspec_source_open_filesystem(&src, fs) == LEANSPEC_EINVALID);
  CHECK(ERROR_SAYS("leanspec_fs_options"));

  nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (failures)
    fprintf(stderr, "abi_v1_caller: %d check(s) failed\n", failures);
  else
    printf("abi_v1_caller: all checks passed\n");
  return failures ? 1 : 0;
}
