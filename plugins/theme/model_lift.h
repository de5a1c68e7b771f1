/* plugins/theme/model_lift.h - a model file's number arrays read straight from its text.
 *
 * Most of a model file (model.h) is numbers: the vocabulary's hashes and weights and each
 * theme's centroid terms, some 70 thousand for a fit on a few MB. As a cJSON tree each is a
 * node allocated, filled, walked and freed. Instead, th_lift_number_arrays reads every array of
 * the text that holds numbers only into a plain array of doubles and copies the text without
 * its contents, so that the parse of the copy has an empty array there; th_lifted_bind then
 * pairs each lifted array with its node (arrays are numbered by the position of their '[' in
 * the text, which is the order a walk of the tree meets them). The doubles are the ones the
 * tree would hold: each number converted by lib/jsonnum (jsonnum.h: strtod's double, as cJSON
 * converts it), numbers in JSON's grammar of at most 32 characters (an array with another is
 * left to the tree).
 */
#ifndef THEME_MODEL_LIFT_H
#define THEME_MODEL_LIFT_H

#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct th_lifted_array {
  size_t ordinal; /* position among all the arrays of the text, 0 for the first '[' */
  double *values;
  size_t count;      /* at least 1 */
  const cJSON *node; /* its (empty) node in the copy's tree, after th_lifted_bind */
} th_lifted_array;

typedef struct th_lifted {
  th_lifted_array *arrays; /* by ordinal until th_lifted_bind, then by node */
  size_t count, capacity;
  size_t ordinals; /* arrays seen in the text, lifted or not */
} th_lifted;

/* Lifts the number arrays of the `length` bytes of `text` (NUL-terminated) into `lifted` (zeroed
 * by the caller) and copies the text without their contents to `out` (length + 1 bytes), its
 * length in *out_length, NUL-terminated. Strings are skipped as JSON reads them (a backslash
 * escapes the next byte), so no '[' inside one counts. 0, or -1 on OOM. */
int th_lift_number_arrays(const char *text, size_t length, char *out, size_t *out_length,
                          th_lifted *lifted);

/* Pairs the lifted arrays with the array nodes of `json`, the parse of the copy. 0, or
 * -1 when its arrays are not the ones the text showed (then use the tree of the text as it
 * was, without `lifted`). */
int th_lifted_bind(th_lifted *lifted, const cJSON *json);

/* The lifted numbers of the array `node` (bound), or NULL (its elements are in the tree). */
const th_lifted_array *th_lifted_find(const th_lifted *lifted, const cJSON *node);

/* Frees the arrays (not the struct). */
void th_lifted_release(th_lifted *lifted);

#endif /* THEME_MODEL_LIFT_H */
