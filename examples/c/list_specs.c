/* list_specs: prints the specs of a directory that match a JSON filter, through the C API.
 *
 *   cc -std=c11 list_specs.c $(pkg-config ...) or CMake: target_link_libraries(app
 * leanspec::leanspec_c)
 *   ./list_specs specs '{"status":["planned","in-progress"],"sort":"priority","descending":true}'
 */
#include "leanspec.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <specs dir> [filter json]\n", argv[0]);
    return 2;
  }
  leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
  opts.specs_dir = argv[1];
  opts.summaries_only = true; /* a list shows no body: skip reading them */
  leanspec_source *source = NULL;
  if (leanspec_source_open_filesystem(&source, &opts) != LEANSPEC_OK) {
    fprintf(stderr, "%s\n", leanspec_last_error());
    return 1;
  }
  leanspec_string page = {NULL, 0};
  const leanspec_status status = leanspec_source_list(&page, source, argc > 2 ? argv[2] : NULL);
  if (status == LEANSPEC_OK)
    printf("%s\n", page.data); /* {"specs":[...],"total":N,"nextCursor":null} */
  else
    fprintf(stderr, "%s: %s\n", leanspec_status_name(status), leanspec_last_error());
  leanspec_string_free(&page);
  leanspec_source_free(source);
  return status == LEANSPEC_OK ? 0 : 1;
}
