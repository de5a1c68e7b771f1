/* core/input/json_literals.h - keeping the text of input numbers that would not print back
 * (64-bit ids).
 */
#ifndef TP_CORE_JSON_LITERALS_H
#define TP_CORE_JSON_LITERALS_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* For each number in `root` (parsed by cJSON from the `length` bytes of JSON at `text`) that
 * would not print back as it was (magnitude 10^15 or more, or out of range), stores its text
 * as written in the item's valuestring (allocated with cJSON_malloc, freed by cJSON_Delete);
 * json_print.c prints it in place of the double. Returns 0, or -1 on OOM (literals attached so
 * far stay; the record is still valid). */
int tp_json_keep_number_literals(cJSON *root, const char *text, size_t length);

#endif /* TP_CORE_JSON_LITERALS_H */
