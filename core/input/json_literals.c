/* core/input/json_literals.c - numbers of an input record that would not print back
 * keep their text.
 *
 * cJSON parses every number into a double, so a 64-bit id such as 1460323737035677698 (tweet
 * and database ids) would come out as 1.4603237370356777e+18, 9007199254740991 as
 * 9.00719925474099e+15, and 1e999 as null: the record's own fields changed on the way through.
 * After parsing, tp_json_keep_number_literals() finds the numbers that would not print back
 * (magnitude 10^15 and beyond, out of range values) and
 * stores their original text in the number item's valuestring, which cJSON frees with the item
 * and core/util/json_print.c prints instead of the double. Stages still read the double.
 *
 * The literals are found by walking the line's JSON text in document order beside the parsed
 * tree (cJSON keeps members and elements in that order), so the k-th number of the text is the
 * k-th number item of the tree. Nearly every record skips all of this: the tree walk that
 * looks for an inexact number comes first.
 */
#include "json_literals.h"

#include "textpipe/plugin.h"

#include <math.h>
#include <string.h>

/* From TP_JSON_PRINTED_EXACTLY_BELOW (10^15) on, cJSON's printer (which json_print.c matches
 * byte for byte) writes a number with 15 significant digits whenever that reads back within
 * its tolerance, so a 16-digit id loses its last digit, and from 2^53 on the double itself is
 * not exact. */
static int is_inexact(const cJSON *item) {
  return !isfinite(item->valuedouble) || fabs(item->valuedouble) >= TP_JSON_PRINTED_EXACTLY_BELOW;
}

/* Whether the tree under `item` holds a number whose text would not survive. */
static int has_inexact_number(const cJSON *item) {
  for (; item != NULL; item = item->next) {
    if (cJSON_IsNumber(item) && is_inexact(item))
      return 1;
    if (item->child != NULL && has_inexact_number(item->child))
      return 1;
  }
  return 0;
}

/* Moves *at past the number literals of `text` (`length` bytes) up to and including the next
 * one; returns that literal's start and sets *literal_length, or returns NULL when there is
 * none. Strings are skipped whole, escapes included. */
static const char *next_number(const char *text, size_t length, size_t *at,
                               size_t *literal_length) {
  while (*at < length) {
    char c = text[*at];
    if (c == '"') {
      for ((*at)++; *at < length && text[*at] != '"'; (*at)++)
        if (text[*at] == '\\')
          (*at)++;
      (*at)++;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = *at;
      while (*at < length && strchr("+-.0123456789eE", text[*at]) != NULL && text[*at] != '\0')
        (*at)++;
      *literal_length = *at - start;
      return text + start;
    } else {
      (*at)++;
    }
  }
  return NULL;
}

/* Pairs the number items under `item` (document order) with the literals of the text from
 * *at on. Returns 0, or -1 on OOM or when text and tree disagree. */
static int attach_literals(cJSON *item, const char *text, size_t length, size_t *at) {
  for (; item != NULL; item = item->next) {
    if (cJSON_IsNumber(item)) {
      size_t literal_length = 0;
      const char *literal = next_number(text, length, at, &literal_length);
      if (literal == NULL)
        return -1;
      if (is_inexact(item) && item->valuestring == NULL) {
        char *copy = cJSON_malloc(literal_length + 1);
        if (copy == NULL)
          return -1;
        memcpy(copy, literal, literal_length);
        copy[literal_length] = '\0';
        item->valuestring = copy;
      }
    } else if (item->child != NULL && attach_literals(item->child, text, length, at) != 0) {
      return -1;
    }
  }
  return 0;
}

int tp_json_keep_number_literals(cJSON *root, const char *text, size_t length) {
  if (root == NULL || !has_inexact_number(root))
    return 0;
  size_t at = 0;
  if (cJSON_IsNumber(root)) /* a bare number: the tree is the item itself */
    return attach_literals(root, text, length, &at);
  return attach_literals(root->child, text, length, &at);
}
