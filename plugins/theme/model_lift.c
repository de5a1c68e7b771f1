/* plugins/theme/model_lift.c - a model file's number arrays read straight from its text
 * (model_lift.h). */
#include "model_lift.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "jsonnum.h"

static const char *skip_space(const char *at) {
  while (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r')
    at++;
  return at;
}

/* The array whose '[' is at `open`, when it holds one or more numbers and nothing else: its
 * numbers into *values (grown as needed, *count of them) and its ']'; NULL otherwise. -1 in
 * *oom when memory ran out. */
static const char *read_numbers(const char *open, double **values, size_t *count, size_t *capacity,
                                int *oom) {
  const char *at = skip_space(open + 1);
  for (;;) {
    double value;
    const char *end = jsonnum_read(at, &value);
    if (!end)
      return NULL;
    if (*count == *capacity &&
        th_grow((void **)values, capacity, 2 * *capacity + 64, sizeof(double))) {
      *oom = 1;
      return NULL;
    }
    (*values)[(*count)++] = value;
    at = skip_space(end);
    if (*at == ']')
      return at;
    if (*at != ',')
      return NULL;
    at = skip_space(at + 1);
  }
}

int th_lift_number_arrays(const char *text, size_t length, char *out, size_t *out_length,
                          th_lifted *lifted) {
  size_t copied = 0, written = 0; /* text[0..copied) is in out[0..written) */
  for (size_t at = 0; at < length; at++) {
    if (text[at] == '"') { /* to the closing quote; the loop steps past it */
      for (at++; at < length && text[at] != '"'; at++)
        if (text[at] == '\\')
          at++;
      continue;
    }
    if (text[at] != '[')
      continue;
    size_t ordinal = lifted->ordinals++;
    double *values = NULL;
    size_t count = 0, capacity = 0;
    int oom = 0;
    const char *close = read_numbers(text + at, &values, &count, &capacity, &oom);
    if (!close || th_grow((void **)&lifted->arrays, &lifted->capacity, lifted->count + 1,
                          sizeof(th_lifted_array))) {
      th_free(values);
      if (oom || close)
        return -1;
      continue;
    }
    lifted->arrays[lifted->count++] = (th_lifted_array){ordinal, values, count, NULL};
    memcpy(out + written, text + copied, at + 1 - copied); /* up to the '[' */
    written += at + 1 - copied;
    at = (size_t)(close - text);
    copied = at; /* from the ']' */
  }
  if (copied < length) {
    memcpy(out + written, text + copied, length - copied);
    written += length - copied;
  }
  out[written] = '\0';
  *out_length = written;
  return 0;
}

/* Walks `node` and its siblings in document order, numbering the arrays and binding the lifted
 * ones; 0, or -1 when an array that was lifted is not empty in the tree. */
static int bind_walk(th_lifted *lifted, const cJSON *node, size_t *ordinal, size_t *next) {
  for (; node; node = node->next) {
    if (cJSON_IsArray(node)) {
      size_t mine = (*ordinal)++;
      if (*next < lifted->count && lifted->arrays[*next].ordinal == mine) {
        if (node->child)
          return -1;
        lifted->arrays[(*next)++].node = node;
      }
    }
    if (node->child && bind_walk(lifted, node->child, ordinal, next))
      return -1;
  }
  return 0;
}

static int compare_nodes(const void *left, const void *right) {
  uintptr_t a = (uintptr_t)((const th_lifted_array *)left)->node;
  uintptr_t b = (uintptr_t)((const th_lifted_array *)right)->node;
  return (a > b) - (a < b);
}

int th_lifted_bind(th_lifted *lifted, const cJSON *json) {
  size_t ordinal = 0, next = 0;
  if (bind_walk(lifted, json, &ordinal, &next) || next != lifted->count ||
      ordinal != lifted->ordinals)
    return -1;
  if (lifted->count > 1) /* none lifted: arrays is NULL, which qsort may not be given */
    qsort(lifted->arrays, lifted->count, sizeof(th_lifted_array), compare_nodes);
  return 0;
}

const th_lifted_array *th_lifted_find(const th_lifted *lifted, const cJSON *node) {
  if (!lifted || lifted->count == 0)
    return NULL;
  th_lifted_array key = {.node = node};
  return bsearch(&key, lifted->arrays, lifted->count, sizeof(th_lifted_array), compare_nodes);
}

void th_lifted_release(th_lifted *lifted) {
  for (size_t i = 0; i < lifted->count; i++)
    th_free(lifted->arrays[i].values);
  th_free(lifted->arrays);
  memset(lifted, 0, sizeof(*lifted));
}
