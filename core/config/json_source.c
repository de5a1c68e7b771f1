/* core/config/json_source.c - reading JSON files with precise syntax errors, and JSON paths.
 *
 * The checker is a small recursive-descent walk that builds nothing: it only finds the first
 * mistake, its byte offset and a reason worded for the person editing the file. cJSON then
 * parses the (known good) text. See json_source.h for why cJSON's error pointer is not enough.
 */
#include "json_source.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

#define NESTING_LIMIT 512

typedef struct scanner {
  const unsigned char *text;
  size_t length;
  size_t offset;
  int depth;
  size_t error_offset;
  char *reason;
  size_t reason_size;
} scanner;

static int fail_at(scanner *scan, size_t offset, const char *fmt, ...) TP_PRINTF(3, 4);

static int fail_at(scanner *scan, size_t offset, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(scan->reason, scan->reason_size, fmt, args);
  va_end(args);
  scan->error_offset = offset;
  return -1;
}

static int at_end(const scanner *scan) {
  return scan->offset >= scan->length;
}

static int peek(const scanner *scan) {
  return at_end(scan) ? -1 : scan->text[scan->offset];
}

static void skip_space(scanner *scan) {
  while (!at_end(scan)) {
    unsigned char c = scan->text[scan->offset];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return;
    scan->offset++;
  }
}

/* "'x'" for a printable character, "byte 0x01" otherwise, "end of file" at the end. */
static const char *show_char(int c, char *buffer, size_t size) {
  if (c < 0)
    tp_format(buffer, size, "end of file");
  else if (c >= 0x20 && c < 0x7f)
    tp_format(buffer, size, "'%c'", c);
  else
    tp_format(buffer, size, "byte 0x%02x", (unsigned)c);
  return buffer;
}

/* Length of the valid UTF-8 sequence starting at `s` (at most `left` bytes), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t left) {
  size_t need;
  unsigned int min;
  unsigned int code;
  if (s[0] < 0x80)
    return 1;
  if ((s[0] & 0xe0) == 0xc0) {
    need = 2, min = 0x80, code = s[0] & 0x1f;
  } else if ((s[0] & 0xf0) == 0xe0) {
    need = 3, min = 0x800, code = s[0] & 0x0f;
  } else if ((s[0] & 0xf8) == 0xf0) {
    need = 4, min = 0x10000, code = s[0] & 0x07;
  } else {
    return 0;
  }
  if (left < need)
    return 0;
  for (size_t i = 1; i < need; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    code = (code << 6) | (s[i] & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
    return 0;
  return need;
}

/* The value of the \\uXXXX escape at text[at] (the backslash), or -1 if it is not one. */
static long hex_unit(const scanner *scan, size_t at) {
  long unit = 0;
  for (size_t i = 2; i < 6; i++) {
    if (at + i >= scan->length || !isxdigit(scan->text[at + i]))
      return -1;
    unsigned char digit = scan->text[at + i];
    unit = unit * 16 + (isdigit(digit) ? digit - '0' : (tolower(digit) - 'a' + 10));
  }
  return unit;
}

static int scan_string(scanner *scan) {
  size_t start = scan->offset;
  scan->offset++; /* the opening quote */
  while (!at_end(scan)) {
    unsigned char c = scan->text[scan->offset];
    if (c == '"') {
      scan->offset++;
      return 0;
    }
    if (c == '\n' || c == '\r')
      return fail_at(scan, scan->offset, "unterminated string (a string cannot span lines)");
    if (c < 0x20)
      return fail_at(scan, scan->offset, "control character 0x%02x in a string (escape it)", c);
    if (c == '\\') {
      if (scan->offset + 1 >= scan->length)
        break;
      unsigned char escaped = scan->text[scan->offset + 1];
      if (escaped == 'u') {
        long unit = hex_unit(scan, scan->offset);
        if (unit < 0)
          return fail_at(scan, scan->offset, "invalid \\u escape (expected 4 hex digits)");
        /* UTF-16 surrogates come in pairs: cJSON cannot decode one alone. */
        if (unit >= 0xDC00 && unit <= 0xDFFF)
          return fail_at(scan, scan->offset,
                         "invalid \\u escape: \\u%04lX is the second half of a surrogate pair "
                         "with no first half",
                         unit);
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          long low = scan->offset + 7 < scan->length && scan->text[scan->offset + 6] == '\\' &&
                             scan->text[scan->offset + 7] == 'u'
                         ? hex_unit(scan, scan->offset + 6)
                         : -1;
          if (low < 0xDC00 || low > 0xDFFF)
            return fail_at(scan, scan->offset,
                           "invalid \\u escape: \\u%04lX starts a surrogate pair but no "
                           "\\uDC00-\\uDFFF follows it",
                           unit);
          scan->offset += 6;
        }
        scan->offset += 6;
        continue;
      }
      if (strchr("\"\\/bfnrt", escaped) == NULL || escaped == 0) {
        char shown[16];
        return fail_at(scan, scan->offset, "invalid escape '\\%s' in a string",
                       escaped >= 0x20 && escaped < 0x7f
                           ? (tp_format(shown, sizeof shown, "%c", escaped), shown)
                           : "?");
      }
      scan->offset += 2;
      continue;
    }
    size_t sequence = utf8_sequence(scan->text + scan->offset, scan->length - scan->offset);
    if (sequence == 0)
      return fail_at(scan, scan->offset, "invalid UTF-8 byte 0x%02x in a string", c);
    scan->offset += sequence;
  }
  return fail_at(scan, start, "unterminated string");
}

static int scan_digits(scanner *scan, const char *after) {
  if (at_end(scan) || !isdigit(scan->text[scan->offset]))
    return fail_at(scan, scan->offset, "invalid number: expected a digit after %s", after);
  while (!at_end(scan) && isdigit(scan->text[scan->offset]))
    scan->offset++;
  return 0;
}

static int scan_number(scanner *scan) {
  size_t start = scan->offset;
  if (peek(scan) == '-')
    scan->offset++;
  if (peek(scan) == '0') {
    scan->offset++;
    if (isdigit(peek(scan)))
      return fail_at(scan, start, "invalid number: leading zero");
  } else if (scan_digits(scan, "'-'") != 0) {
    return -1;
  }
  if (peek(scan) == '.') {
    scan->offset++;
    if (scan_digits(scan, "'.'") != 0)
      return -1;
  }
  if (peek(scan) == 'e' || peek(scan) == 'E') {
    scan->offset++;
    if (peek(scan) == '+' || peek(scan) == '-')
      scan->offset++;
    if (scan_digits(scan, "the exponent") != 0)
      return -1;
  }
  return 0;
}

static int scan_literal(scanner *scan) {
  static const char *const literals[] = {"true", "false", "null"};
  size_t start = scan->offset;
  size_t end = start;
  while (end < scan->length && isalnum(scan->text[end]))
    end++;
  for (size_t i = 0; i < 3; i++) {
    size_t length = strlen(literals[i]);
    if (end - start == length && memcmp(scan->text + start, literals[i], length) == 0) {
      scan->offset = end;
      return 0;
    }
  }
  int shown = (int)(end - start > 20 ? 20 : end - start);
  return fail_at(scan, start,
                 "invalid literal '%.*s' (expected a value: a string in double quotes, a "
                 "number, true, false, null, an object or an array)",
                 shown, (const char *)scan->text + start);
}

static int scan_value(scanner *scan);

static int scan_container(scanner *scan, char close) {
  const char *kind = close == '}' ? "an object" : "an array";
  size_t open_offset = scan->offset;
  char shown[24];
  if (++scan->depth > NESTING_LIMIT)
    return fail_at(scan, scan->offset, "nesting deeper than %d levels", NESTING_LIMIT);
  scan->offset++;
  skip_space(scan);
  if (peek(scan) == close) {
    scan->offset++;
    scan->depth--;
    return 0;
  }
  for (;;) {
    skip_space(scan);
    if (close == '}') {
      int c = peek(scan);
      if (c < 0)
        return fail_at(scan, open_offset, "unterminated object (no matching '}')");
      if (c == '\'')
        return fail_at(scan, scan->offset, "keys must use double quotes, not single quotes");
      if (c != '"')
        return fail_at(scan, scan->offset, "expected a key in double quotes, got %s",
                       show_char(c, shown, sizeof shown));
      if (scan_string(scan) != 0)
        return -1;
      skip_space(scan);
      if (peek(scan) != ':')
        return fail_at(scan, scan->offset, "expected ':' after the key, got %s",
                       show_char(peek(scan), shown, sizeof shown));
      scan->offset++;
    }
    skip_space(scan);
    if (scan_value(scan) != 0)
      return -1;
    skip_space(scan);
    int c = peek(scan);
    if (c == close) {
      scan->offset++;
      scan->depth--;
      return 0;
    }
    if (c < 0)
      return fail_at(scan, open_offset, "unterminated %s (no matching '%c')",
                     close == '}' ? "object" : "array", close);
    if (c != ',') {
      if (close == '}' && c == '"')
        return fail_at(scan, scan->offset, "missing ',' between object members");
      return fail_at(scan, scan->offset, "expected ',' or '%c' in %s, got %s", close, kind,
                     show_char(c, shown, sizeof shown));
    }
    size_t comma = scan->offset++;
    skip_space(scan);
    if (peek(scan) == close)
      return fail_at(scan, comma, "trailing comma before '%c'", close);
  }
}

static int scan_value(scanner *scan) {
  char shown[24];
  int c = peek(scan);
  if (c < 0)
    return fail_at(scan, scan->offset, "unexpected end of file, expected a value");
  switch (c) {
  case '{':
    return scan_container(scan, '}');
  case '[':
    return scan_container(scan, ']');
  case '"':
    return scan_string(scan);
  case '}':
  case ']':
  case ',':
    return fail_at(scan, scan->offset, "missing value before '%c'", c);
  case '\'':
    return fail_at(scan, scan->offset, "strings must use double quotes, not single quotes");
  default:
    break;
  }
  if (c == '-' || isdigit(c))
    return scan_number(scan);
  if (isalpha(c))
    return scan_literal(scan);
  return fail_at(scan, scan->offset, "unexpected character %s, expected a value",
                 show_char(c, shown, sizeof shown));
}

int tp_json_check_syntax(const char *text, size_t length, size_t *error_offset, char *reason,
                         size_t reason_size) {
  scanner scan = {(const unsigned char *)text, length, 0, 0, 0, reason, reason_size};
  skip_space(&scan);
  if (at_end(&scan)) {
    fail_at(&scan, scan.offset, "%s",
            length == 0 ? "empty file: expected a JSON value" : "no JSON value, only white space");
  } else if (scan_value(&scan) == 0) {
    skip_space(&scan);
    if (at_end(&scan))
      return 0;
    fail_at(&scan, scan.offset, "extra data after the document");
  }
  *error_offset = scan.error_offset;
  return -1;
}

void tp_json_position(const char *text, size_t offset, size_t *line, size_t *column) {
  size_t current_line = 1;
  size_t current_column = 1;
  for (size_t i = 0; i < offset; i++) {
    if (text[i] == '\n') {
      current_line++;
      current_column = 1;
    } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
      current_column++;
    }
  }
  *line = current_line;
  *column = current_column;
}

int tp_json_parse_text(const char *label, const char *text, size_t length, cJSON **out,
                       tp_error *err) {
  size_t skipped = 0;
  if (length >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
    skipped = 3; /* a UTF-8 byte order mark: editors add it, cJSON does not accept it */
  char reason[200];
  size_t error_offset = 0;
  size_t line;
  size_t column;
  if (tp_json_check_syntax(text + skipped, length - skipped, &error_offset, reason,
                           sizeof reason) != 0) {
    tp_json_position(text, skipped + error_offset, &line, &column);
    tp_format(err->message, sizeof err->message, "%s:%zu:%zu: %s", label, line, column, reason);
    return -1;
  }
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(text + skipped, length - skipped, &end, 0);
  if (root == NULL) {
    /* The checker accepted it, so this is cJSON's nesting limit or memory. */
    size_t offset = end != NULL ? (size_t)(end - text) : skipped;
    tp_json_position(text, offset, &line, &column);
    tp_format(err->message, sizeof err->message, "%s:%zu:%zu: cannot parse (out of memory?)", label,
              line, column);
    return -1;
  }
  *out = root;
  return 0;
}

int tp_json_load_file(const char *path, cJSON **out, tp_error *err) {
  return tp_json_load_file_text(path, out, NULL, NULL, err);
}

int tp_json_load_file_text(const char *path, cJSON **out, char **text_out, size_t *length_out,
                           tp_error *err) {
  FILE *file = fopen(path, "rb");
  char *text = NULL;
  size_t length = 0;
  int status = -1;
  if (file == NULL) {
    tp_format(err->message, sizeof err->message, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  size_t capacity = 0;
  for (;;) {
    if (length == capacity) {
      capacity = capacity == 0 ? 4096 : capacity * 2;
      char *grown = realloc(text, capacity + 1);
      if (grown == NULL) {
        tp_format(err->message, sizeof err->message, "%s: out of memory", path);
        goto done;
      }
      text = grown;
    }
    size_t got = fread(text + length, 1, capacity - length, file);
    length += got;
    if (got == 0)
      break;
    if (length > TP_JSON_FILE_MAX_BYTES) { /* /dev/zero, or the wrong file */
      tp_format(err->message, sizeof err->message,
                "%s: too large for a pipeline file (more than %d MiB)", path,
                TP_JSON_FILE_MAX_BYTES >> 20);
      goto done;
    }
  }
  if (ferror(file)) {
    tp_format(err->message, sizeof err->message, "%s: cannot read: %s", path, strerror(errno));
    goto done;
  }
  text[length] = '\0';
  status = tp_json_parse_text(path, text, length, out, err);
  if (status == 0 && text_out != NULL) {
    *text_out = text;
    *length_out = length;
    text = NULL;
  }
done:
  free(text);
  fclose(file);
  return status;
}

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

const char *tp_json_describe(const cJSON *value, char *buffer, size_t size) {
  if (cJSON_IsString(value)) {
    const char *string = value->valuestring;
    if (strlen(string) > 40)
      tp_format(buffer, size, "\"%.37s...\"", string);
    else
      tp_format(buffer, size, "\"%s\"", string);
  } else if (cJSON_IsArray(value)) {
    tp_format(buffer, size, "an array");
  } else if (cJSON_IsObject(value)) {
    tp_format(buffer, size, "an object");
  } else if (cJSON_IsTrue(value)) {
    tp_format(buffer, size, "true");
  } else if (cJSON_IsFalse(value)) {
    tp_format(buffer, size, "false");
  } else if (cJSON_IsNull(value)) {
    tp_format(buffer, size, "null");
  } else if (cJSON_IsNumber(value) && !isfinite(value->valuedouble)) {
    tp_format(buffer, size, "a number out of range");
  } else if (cJSON_IsNumber(value)) {
    /* The shortest of 15 or 17 digits that reads back the same: 0.1, not 0.10000000000000001. */
    tp_format(buffer, size, "%.15g", value->valuedouble);
    if (strtod(buffer, NULL) != value->valuedouble)
      tp_format(buffer, size, "%.17g", value->valuedouble);
  } else {
    tp_format(buffer, size, "nothing");
  }
  return buffer;
}

static uint64_t key_hash(const char *key) {
  uint64_t hash = 1469598103934665603u; /* FNV-1a */
  for (; *key != '\0'; key++)
    hash = (hash ^ (unsigned char)*key) * 1099511628211u;
  return hash;
}

const cJSON *tp_json_duplicate_key(const cJSON *object) {
  if (!cJSON_IsObject(object))
    return NULL;
  size_t count = 0;
  for (const cJSON *member = object->child; member != NULL; member = member->next)
    count++;
  /* Members in a hash set, in order: linear, so a file of a million keys is not a hang. */
  size_t slots = 64;
  while (slots < 2 * count)
    slots *= 2;
  const cJSON **set = count > 16 ? calloc(slots, sizeof *set) : NULL;
  if (set != NULL) {
    const cJSON *found = NULL;
    for (const cJSON *member = object->child; member != NULL && found == NULL;
         member = member->next) {
      size_t slot = (size_t)key_hash(member->string) & (slots - 1);
      while (set[slot] != NULL && strcmp(set[slot]->string, member->string) != 0)
        slot = (slot + 1) & (slots - 1);
      if (set[slot] != NULL)
        found = member;
      set[slot] = member;
    }
    free(set);
    return found;
  }
  for (const cJSON *member = object->child; member != NULL; member = member->next) {
    for (const cJSON *earlier = object->child; earlier != member; earlier = earlier->next) {
      if (strcmp(earlier->string, member->string) == 0)
        return member;
    }
  }
  return NULL;
}

void tp_json_path_init(tp_json_path *path) {
  path->text[0] = '\0';
  path->length = 0;
}

static void path_append(tp_json_path *path, const char *fmt, ...) TP_PRINTF(2, 3);

static void path_append(tp_json_path *path, const char *fmt, ...) {
  size_t room = sizeof path->text - path->length;
  va_list args;
  va_start(args, fmt);
  int written = vsnprintf(path->text + path->length, room, fmt, args);
  va_end(args);
  if (written < 0)
    written = 0;
  path->length += (size_t)written < room ? (size_t)written : room - 1;
}

static int is_plain_key(const char *key) {
  if (*key == '\0')
    return 0;
  for (const char *c = key; *c != '\0'; c++) {
    if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
      return 0;
  }
  return 1;
}

size_t tp_json_path_key(tp_json_path *path, const char *key) {
  size_t previous = path->length;
  if (!is_plain_key(key))
    path_append(path, "[\"%s\"]", key);
  else
    path_append(path, "%s%s", path->length == 0 ? "" : ".", key);
  return previous;
}

size_t tp_json_path_index(tp_json_path *path, size_t index) {
  size_t previous = path->length;
  path_append(path, "[%zu]", index);
  return previous;
}

void tp_json_path_restore(tp_json_path *path, size_t length) {
  if (length < path->length) {
    path->length = length;
    path->text[length] = '\0';
  }
}
