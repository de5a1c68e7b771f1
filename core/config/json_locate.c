/* core/config/json_locate.c - finding where a JSON path's value starts in the original text.
 *
 * Errors about a config key name file:line:col, so the loader needs the byte offset of a value
 * that cJSON has already parsed. cJSON keeps no positions; these walkers re-read the raw text,
 * which has passed tp_json_check_syntax(), and follow the path one segment at a time.
 */
#include "json_source.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Locating a JSON path in the text ---------------------------------------------------- */
/* The text has passed tp_json_check_syntax(), so these walkers trust its shape. */

static size_t locate_space(const char *text, size_t length, size_t at) {
  while (at < length &&
         (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r'))
    at++;
  return at;
}

/* Past the string starting at text[at] == '"'. */
static size_t locate_string(const char *text, size_t length, size_t at) {
  for (at++; at < length && text[at] != '"'; at++)
    if (text[at] == '\\')
      at++;
  return at + 1;
}

/* Past the value starting at text[at]. */
static size_t locate_value(const char *text, size_t length, size_t at) {
  if (text[at] == '"')
    return locate_string(text, length, at);
  if (text[at] != '{' && text[at] != '[') {
    while (at < length && strchr(",]} \t\r\n", text[at]) == NULL)
      at++;
    return at;
  }
  int depth = 0;
  while (at < length) {
    char c = text[at];
    if (c == '"') {
      at = locate_string(text, length, at);
      continue;
    }
    depth += (c == '{' || c == '[') - (c == '}' || c == ']');
    at++;
    if (depth == 0)
      break;
  }
  return at;
}

/* The next segment of a JSON path (tp_json_path's syntax) at *path: a key (bare, or ["..."]
 * with JSON escapes as written) into key/key_length, or an index into *index (key NULL).
 * Returns 0, or -1 at the end or on a malformed path. */
static int next_segment(const char **path, const char **key, size_t *key_length, long *index) {
  const char *at = *path;
  if (*at == '.')
    at++;
  if (*at == '\0')
    return -1;
  if (at[0] == '[' && at[1] == '"') {
    const char *end = at + 2;
    while (*end != '\0' && !(end[0] == '"' && end[1] == ']'))
      end += end[0] == '\\' && end[1] != '\0' ? 2 : 1;
    if (*end == '\0')
      return -1;
    *key = at + 2;
    *key_length = (size_t)(end - at - 2);
    *path = end + 2;
    return 0;
  }
  if (at[0] == '[') {
    char *end = NULL;
    *index = strtol(at + 1, &end, 10);
    if (end == NULL || *end != ']' || *index < 0)
      return -1;
    *key = NULL;
    *path = end + 1;
    return 0;
  }
  *key = at;
  *key_length = strcspn(at, ".[");
  *path = at + *key_length;
  return 0;
}

/* The code unit of the 4 hex digits at hex[0..4) (checked by the syntax checker). */
static unsigned long hex4(const char *hex) {
  unsigned long unit = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char digit = (unsigned char)hex[i];
    unit = unit * 16 + (unsigned long)(isdigit(digit) ? digit - '0' : tolower(digit) - 'a' + 10);
  }
  return unit;
}

/* Whether the string body raw[0..raw_length), escapes as written in the file, decodes to
 * key[0..key_length) (a decoded key, as paths hold them): "\u0062ogus" is the key "bogus". */
static int key_matches(const char *raw, size_t raw_length, const char *key, size_t key_length) {
  if (memchr(raw, '\\', raw_length) == NULL)
    return raw_length == key_length && memcmp(raw, key, key_length) == 0;
  size_t at = 0, matched = 0;
  while (at < raw_length) {
    char decoded[4];
    size_t decoded_length = 1;
    if (raw[at] != '\\' || at + 1 >= raw_length) {
      decoded[0] = raw[at++];
    } else if (raw[at + 1] != 'u' || at + 6 > raw_length) {
      const char *from = "bfnrt", *to = "\b\f\n\r\t";
      const char *simple = strchr(from, raw[at + 1]);
      decoded[0] = simple != NULL && *simple != '\0' ? to[simple - from] : raw[at + 1];
      at += 2;
    } else {
      unsigned long code = hex4(raw + at + 2);
      at += 6;
      if (code >= 0xD800 && code <= 0xDBFF && at + 6 <= raw_length && raw[at] == '\\' &&
          raw[at + 1] == 'u') {
        code = 0x10000 + ((code - 0xD800) << 10) + (hex4(raw + at + 2) - 0xDC00);
        at += 6;
      }
      if (code < 0x80) {
        decoded[0] = (char)code;
      } else if (code < 0x800) {
        decoded[0] = (char)(0xC0 | code >> 6), decoded[1] = (char)(0x80 | (code & 0x3F));
        decoded_length = 2;
      } else if (code < 0x10000) {
        decoded[0] = (char)(0xE0 | code >> 12), decoded[1] = (char)(0x80 | (code >> 6 & 0x3F));
        decoded[2] = (char)(0x80 | (code & 0x3F));
        decoded_length = 3;
      } else {
        decoded[0] = (char)(0xF0 | code >> 18), decoded[1] = (char)(0x80 | (code >> 12 & 0x3F));
        decoded[2] = (char)(0x80 | (code >> 6 & 0x3F)), decoded[3] = (char)(0x80 | (code & 0x3F));
        decoded_length = 4;
      }
    }
    if (matched + decoded_length > key_length ||
        memcmp(key + matched, decoded, decoded_length) != 0)
      return 0;
    matched += decoded_length;
  }
  return matched == key_length;
}

size_t tp_json_locate(const char *text, size_t length, const char *path) {
  size_t at = locate_space(text, length, 0), found = 0;
  const char *key;
  size_t key_length;
  long index;
  while (at < length && next_segment(&path, &key, &key_length, &index) == 0) {
    int matched = 0;
    if (key != NULL && text[at] == '{') {
      for (at = locate_space(text, length, at + 1); at < length && text[at] == '"';) {
        size_t key_start = at, key_end = locate_string(text, length, at);
        int same = key_matches(text + key_start + 1, key_end - key_start - 2, key, key_length);
        at = locate_space(text, length, key_end);
        at = locate_space(text, length, at + 1); /* past ':' */
        if (same) {
          found = key_start;
          matched = 1;
          if (*path != '\0')
            break; /* the last segment goes on: a repeated key is named where it repeats */
        }
        at = locate_space(text, length, locate_value(text, length, at));
        if (at < length && text[at] == ',')
          at = locate_space(text, length, at + 1);
      }
    } else if (key == NULL && text[at] == '[') {
      at = locate_space(text, length, at + 1);
      for (long element = 0; at < length && text[at] != ']'; element++) {
        if (element == index) {
          found = at;
          matched = 1;
          break;
        }
        at = locate_space(text, length, locate_value(text, length, at));
        if (at < length && text[at] == ',')
          at = locate_space(text, length, at + 1);
      }
    }
    if (!matched)
      break;
  }
  return found;
}
