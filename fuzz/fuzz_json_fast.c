/* fuzz/fuzz_json_fast.c - the fast record parse against cJSON, on arbitrary bytes.
 *
 * tp_json_parse_plain() (core/input/json_fast.h) promises the very tree cJSON builds for what
 * it accepts, and NULL for everything else. Here the input bytes, NUL-terminated as a batch
 * line is, go to both parsers: whenever the fast parse answers a tree, cJSON must accept the
 * same text and build an equal tree (types, names, strings, valueint, the bits of valuedouble,
 * child order and prev links). A fast parse answering NULL is never a failure: cJSON decides
 * those records, as in a run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_fast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SAME(condition, what)                                                                      \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      fprintf(stderr, "json_fast differs from cJSON: %s\n", what);                                 \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* Aborts unless the sibling lists `fast` and `reference` are equal node by node; `children`:
 * they are an object's or array's children (their first's prev is their last). */
static void check_same_list(const cJSON *fast, const cJSON *reference, int children) {
  const cJSON *first_fast = fast;
  const cJSON *previous_fast = NULL, *previous_reference = NULL;
  for (; fast != NULL && reference != NULL; fast = fast->next, reference = reference->next) {
    SAME(fast->type == reference->type, "type");
    SAME((fast->string == NULL) == (reference->string == NULL), "a member name");
    SAME(fast->string == NULL || strcmp(fast->string, reference->string) == 0, "a member name");
    SAME((fast->valuestring == NULL) == (reference->valuestring == NULL), "a string");
    SAME(fast->valuestring == NULL || strcmp(fast->valuestring, reference->valuestring) == 0,
         "a string");
    SAME(fast->valueint == reference->valueint, "valueint");
    SAME(memcmp(&fast->valuedouble, &reference->valuedouble, sizeof(double)) == 0, "valuedouble");
    if (fast != first_fast)
      SAME(fast->prev == previous_fast && reference->prev == previous_reference, "prev links");
    previous_fast = fast;
    previous_reference = reference;
    check_same_list(fast->child, reference->child, 1);
  }
  SAME(fast == NULL && reference == NULL, "the number of members or elements");
  if (first_fast != NULL)
    SAME(first_fast->prev == (children ? previous_fast : NULL), "the first child's prev");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  cJSON *fast = tp_json_parse_plain(text, size);
  if (fast != NULL) {
    cJSON *reference = cJSON_ParseWithLengthOpts(text, size + 1, NULL, 1);
    SAME(reference != NULL, "the fast parse took a text cJSON refuses");
    check_same_list(fast, reference, 0);
    cJSON_Delete(reference);
  }
  cJSON_Delete(fast);
  free(text);
  return 0;
}
