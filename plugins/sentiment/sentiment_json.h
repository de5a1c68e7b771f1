/* sentiment_json.h - the nodes of a record's "sentiment" value, made and linked directly
 * (internal to the sentiment plugin).
 *
 * A record with per-sentence scores gets about eight JSON nodes per sentence. cJSON_CreateNumber
 * and cJSON_AddItemToObjectCS spent more instructions on their checks and calls than on the
 * node itself; these helpers make the same nodes (one cJSON_malloc each, through the host's
 * allocator hooks, so the core frees them like any other with cJSON_Delete) and link them the
 * way cJSON does (a parent's first child keeps the last one in `prev`). Keys are constant
 * strings, marked cJSON_StringIsConst as cJSON_AddItemToObjectCS marks them.
 */
#ifndef TP_SENTIMENT_JSON_H
#define TP_SENTIMENT_JSON_H

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

/* A new node of `type` with nothing else set, or NULL. */
static inline cJSON *sx_json_node(int type) {
  cJSON *node = cJSON_malloc(sizeof *node);
  if (node != NULL) {
    memset(node, 0, sizeof *node);
    node->type = type;
  }
  return node;
}

/* A number node as cJSON_CreateNumber makes it (valueint saturated), or NULL. Most numbers
 * here are scores in -1..1 (or byte counts), whose valueint is their integer part: tested
 * first, in one comparison. */
static inline cJSON *sx_json_number(double value) {
  cJSON *node = sx_json_node(cJSON_Number);
  if (node != NULL) {
    node->valuedouble = value;
    if (__builtin_expect(fabs(value) <= 1.0, 1)) {
      node->valueint = (int)value;
    } else {
      node->valueint = value >= INT_MAX ? INT_MAX : value <= (double)INT_MIN ? INT_MIN : (int)value;
    }
  }
  return node;
}

/* A string node referring to a constant string (cJSON_CreateStringReference), or NULL. */
static inline cJSON *sx_json_constant_string(const char *constant) {
  cJSON *node = sx_json_node(cJSON_String | cJSON_IsReference);
  if (node != NULL) {
    node->valuestring = (char *)constant;
  }
  return node;
}

/* Appends `node` to `parent`, under `constant_key` (an object's member) or none (NULL, an
 * array's element). Returns 0, or -1 when `node` is NULL (out of memory). */
static inline int sx_json_append(cJSON *parent, const char *constant_key, cJSON *node) {
  if (node == NULL) {
    return -1;
  }
  if (constant_key != NULL) {
    node->string = (char *)constant_key;
    node->type |= cJSON_StringIsConst;
  }
  cJSON *first = parent->child;
  if (first == NULL) {
    parent->child = node;
    node->prev = node;
  } else {
    first->prev->next = node;
    node->prev = first->prev;
    first->prev = node;
  }
  return 0;
}

/* round(value * scale) / scale, with the rounding (half away from zero) done inline: below
 * 2^52 the fraction `scaled - whole` is exact, so the result is round()'s to the bit. */
static inline double sx_round(double value, double scale) {
  double scaled = value * scale;
  if (!(fabs(scaled) < 4.0e15)) {
    return round(scaled) / scale; /* huge, infinite or NaN */
  }
  double whole = copysign((double)(int64_t)scaled, scaled);
  if (fabs(scaled - whole) >= 0.5) {
    whole += copysign(1.0, scaled);
  }
  return whole / scale;
}

#endif /* TP_SENTIMENT_JSON_H */
