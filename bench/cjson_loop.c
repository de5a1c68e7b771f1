/* bench/cjson_loop.c - the reference for the throughput target: a bare cJSON parse + print
 * loop over stdin lines (no framing across reads beyond getline, no validation, no stages).
 * bench/core.sh compares `textpipe run` with a no-stage pipeline against it on the same input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

int main(void) {
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;
  while ((length = getline(&line, &capacity, stdin)) > 0) {
    cJSON *record = cJSON_ParseWithLength(line, (size_t)length);
    if (record == NULL)
      continue;
    char *printed = cJSON_PrintUnformatted(record);
    if (printed != NULL) {
      fputs(printed, stdout);
      fputc('\n', stdout);
    }
    free(printed);
    cJSON_Delete(record);
  }
  free(line);
  return ferror(stdout) ? 1 : 0;
}
