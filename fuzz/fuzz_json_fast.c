/* fuzz/fuzz_json_fast.c - the fast record parse against cJSON, on arbitrary bytes.
 *
 * tp_json_parse_plain() (core/input/json_fast.h) promises the very tree cJSON builds for what
 * it accepts, and NULL for everything else. Here the input bytes, NUL-terminated as a batch
 * line is, go to both parsers: whenever the fast parse answers a tree, cJSON must accept the
 * same text and build an equal tree (tests/support/json_tree_compare.h). A fast parse
 * answering NULL is never a failure: cJSON decides those records, as in a run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_fast.h"
#include "json_tree_compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  cJSON *fast = tp_json_parse_plain(text, size);
  if (fast != NULL) {
    cJSON *reference = cJSON_ParseWithLengthOpts(text, size + 1, NULL, 1);
    char why[256];
    if (reference == NULL)
      snprintf(why, sizeof why, "the fast parse took a text cJSON refuses");
    if (reference == NULL || json_tree_differs(fast, reference, "(root)", 0, why, sizeof why)) {
      fprintf(stderr, "json_fast differs from cJSON: %s\n", why);
      abort();
    }
    cJSON_Delete(reference);
  }
  cJSON_Delete(fast);
  free(text);
  return 0;
}
