/* core/util/json_print.h - prints a cJSON tree as compact JSON, byte for byte what
 * cJSON_PrintUnformatted() prints, several times faster.
 *
 * Why not cJSON's printer: it formats every non-integer number with snprintf("%1.15g") and
 * parses it back with sscanf to check the round trip, and scans every string twice. Stages
 * add several such numbers per record (scores), and printing was a quarter of a run of two
 * analysis stages. This printer takes a short exact decimal when the number has one
 * (nearly always) and falls back to cJSON's own steps otherwise, so the output is identical
 * (tests/unit/test_json_print.c compares both on tables of values).
 */
#ifndef TP_CORE_JSON_PRINT_H
#define TP_CORE_JSON_PRINT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Appends the compact JSON of `item` to the growable buffer *buffer (*used bytes used out of
 * *capacity; realloc'ed as needed, owned by the caller). Nothing is NUL-terminated.
 * Returns 0; -1 on OOM or an item cJSON could not print either (a raw item without text, an
 * unknown type): then *used is unchanged and *buffer may have grown. */
int tp_json_print_append(const cJSON *item, char **buffer, size_t *used, size_t *capacity);

/* The constant strings (keys marked cJSON_StringIsConst, strings marked cJSON_IsReference)
 * printed already, quoted, by address: a stage's output repeats a few of them many times. One
 * memo may serve several prints when every tree printed with it was made before the first of
 * them and none changes until printed: then a constant at an address the memo holds is the one
 * memoized, unchanged (a tree freed after its print leaves addresses in the memo, but nothing
 * printed later can have been made there). The records of one batch slice are such trees. */
#define TP_JSON_CONSTANT_SLOTS 64 /* a power of two; filled by tp_pointer_probe */
#define TP_JSON_CONSTANT_BYTES 32 /* a quoted constant and a ':' up to this long are memoized */

typedef struct tp_json_constants {
  const char *text[TP_JSON_CONSTANT_SLOTS];     /* the constant each slot holds, or NULL */
  unsigned char length[TP_JSON_CONSTANT_SLOTS]; /* its quoted length; 0: too long to memoize */
  char quoted[TP_JSON_CONSTANT_SLOTS][TP_JSON_CONSTANT_BYTES]; /* quoted, then ':' (for keys) */
} tp_json_constants;

/* Empties `constants` (before its first print). */
void tp_json_constants_clear(tp_json_constants *constants);

/* tp_json_print_append() with the memo `constants` (cleared once, then kept across the prints
 * its comment allows) instead of one of its own. */
int tp_json_print_append_with(const cJSON *item, tp_json_constants *constants, char **buffer,
                              size_t *used, size_t *capacity);

/* Writes cJSON's text for the number `value` (`integer`: its valueint, unused by cJSON 1.7.15) into
 * out[0..32) with a NUL; returns its length. Exposed for the tests. */
size_t tp_json_print_number(double value, int integer, char out[32]);

#endif /* TP_CORE_JSON_PRINT_H */
