/* leanspec.h compiles alone as strict C11 (-std=c11 -Wall -Wextra -pedantic -Werror), and its
 * option initializers fill every field. */
#include "leanspec.h"

int leanspec_headertest(void);
int leanspec_headertest(void) {
  leanspec_fs_options fs = LEANSPEC_FS_OPTIONS_INIT;
  leanspec_db_options db = LEANSPEC_DB_OPTIONS_INIT;
  leanspec_cache_options cache = LEANSPEC_CACHE_OPTIONS_INIT;
  leanspec_string str = {0, 0};
  leanspec_change_cb change = 0;
  (void)change, (void)str;
  return (int)(fs.version + db.version + cache.version) + LEANSPEC_VERSION_CHECK(0, 1, 0);
}
