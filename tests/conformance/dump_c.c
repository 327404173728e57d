/* The C front-end of tests/conformance (see conformance.py for the protocol): each operation
 * becomes one leanspec.h call, its filter a JSON object built from the key=value tokens. */
#define _POSIX_C_SOURCE 200809L
#include "leanspec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends `text` to the JSON being built in buf (fixed size: the operations are short). */
static void append(char *buf, size_t size, const char *text) {
  strncat(buf, text, size - strlen(buf) - 1);
}

/* "status=a,b limit=2" -> {"status":["a","b"],"limit":2} */
static void list_json(char *json, size_t size, char *args) {
  snprintf(json, size, "{");
  int first = 1;
  for (char *token = strtok(args, " "); token != NULL; token = strtok(NULL, " ")) {
    char *eq = strchr(token, '=');
    if (eq == NULL)
      continue;
    *eq = '\0';
    const char *key = token, *value = eq + 1;
    append(json, size, first ? "\"" : ",\"");
    first = 0;
    append(json, size, key);
    append(json, size, "\":");
    if (!strcmp(key, "status") || !strcmp(key, "priority") || !strcmp(key, "tags")) {
      append(json, size, "[\"");
      for (const char *p = value; *p; ++p) {
        char one[2] = {*p, '\0'};
        append(json, size, *p == ',' ? "\",\"" : one);
      }
      append(json, size, "\"]");
    } else if (!strcmp(key, "archived") || !strcmp(key, "descending") || !strcmp(key, "limit")) {
      append(json, size, value);
    } else {
      append(json, size, "\"");
      append(json, size, value);
      append(json, size, "\"");
    }
  }
  append(json, size, "}");
}

static leanspec_status run(leanspec_string *out, leanspec_source *src, char *line, int *absent) {
  char *rest = strchr(line, ' ');
  if (rest != NULL)
    *rest++ = '\0';
  else
    rest = line + strlen(line);
  if (!strcmp(line, "list")) {
    char json[1024];
    list_json(json, sizeof json, rest);
    return leanspec_source_list(out, src, json);
  }
  if (!strcmp(line, "get")) {
    const leanspec_status status = leanspec_source_get(out, src, rest, NULL);
    *absent = status == LEANSPEC_ENOTFOUND;
    return status;
  }
  if (!strcmp(line, "search")) {
    char options[64];
    char *query = strchr(rest, ' ');
    *query++ = '\0';
    snprintf(options, sizeof options, "{\"limit\":%s}", rest);
    return leanspec_source_search(out, src, query, options);
  }
  if (!strcmp(line, "stats"))
    return leanspec_source_stats(out, src, NULL);
  fprintf(stderr, "unknown operation %s\n", line);
  exit(2);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: dump_c <specs dir> <project id>\n");
    return 2;
  }
  leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
  opts.specs_dir = argv[1];
  opts.project_id = argv[2];
  leanspec_source *src = NULL;
  if (leanspec_source_open_filesystem(&src, &opts) != LEANSPEC_OK) {
    fprintf(stderr, "%s\n", leanspec_last_error());
    return 1;
  }
  char line[4096];
  while (fgets(line, sizeof line, stdin) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    leanspec_string out = {NULL, 0};
    int absent = 0;
    const leanspec_status status = run(&out, src, line, &absent);
    if (status == LEANSPEC_OK)
      fwrite(out.data, 1, out.size, stdout);
    else if (absent)
      fputs("null", stdout);
    else
      printf("error %s: %s", leanspec_status_name(status), leanspec_last_error());
    fputc('\n', stdout);
    leanspec_string_free(&out);
  }
  leanspec_source_free(src);
  return 0;
}
