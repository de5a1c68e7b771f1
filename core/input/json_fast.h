/* core/input/json_fast.h - a fast parse of the plain JSON records most input lines are, giving
 * the very tree cJSON would.
 *
 * cJSON's parser walks a record byte by byte with a bounds check at each step, copies every
 * string in two passes and converts every number with strtod: about a fifth of the core's work
 * on a record of the default pipeline. tp_json_parse_plain() parses a common subset of JSON
 * in one pass, builds the tree from cJSON's own allocator, and answers NULL for anything
 * outside the subset, so that the caller then runs cJSON_ParseWithLengthOpts(), which gives
 * the same tree or its own error (and error position) as before. The subset: an object at the
 * top; whitespace of space, tab, CR and LF; strings without \u escapes and without control
 * bytes; numbers in JSON's grammar of at most 32 characters; nesting up to 64 levels.
 * So a text it takes holds no NUL character, neither a 0 byte (a control byte in a string is
 * outside the subset, and anywhere else no JSON) nor \u0000: tp_record_prepare() looks for
 * NULs to replace only in the lines it leaves to cJSON.
 * tests/unit/test_json_fast.c compares its trees with cJSON's, node by node.
 */
#ifndef TP_CORE_JSON_FAST_H
#define TP_CORE_JSON_FAST_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The tree of the `length` bytes of `text` (text[length] must be readable: the caller's NUL),
 * exactly as cJSON_ParseWithLengthOpts(text, length + 1, NULL, 1) would build it; or NULL when
 * the text is outside the subset above, is not valid JSON, or memory runs out (the caller
 * then asks cJSON). Caller owns the tree (cJSON_Delete). */
cJSON *tp_json_parse_plain(const char *text, size_t length);

/* A string of a parsed tree and its length in bytes (to its NUL). */
typedef struct tp_json_string {
  const char *text;
  size_t length;
} tp_json_string;

/* tp_json_parse_plain, also giving in *longest the longest string of the tree (a value or a
 * member name; of equal lengths the last): the record's text nearly always is, and the caller
 * that compares its node's valuestring with longest->text has its length without a strlen.
 * *longest is {NULL, 0} when the answer is NULL. */
cJSON *tp_json_parse_plain_longest(const char *text, size_t length, tp_json_string *longest);

#endif /* TP_CORE_JSON_FAST_H */
