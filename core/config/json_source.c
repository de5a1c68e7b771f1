/* core/config/json_source.c - reading JSON files with precise syntax errors.
 *
 * The checker is a small recursive-descent walk that builds nothing: it only finds the first
 * mistake, its byte offset and a reason worded for the person editing the file. cJSON then
 * parses the (known good) text. See json_source.h for why cJSON's error pointer is not enough.
 */
#include "json_source.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
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
  return tp_json_load_file_capped(path, TP_JSON_FILE_MAX_BYTES, "pipeline file", out, text_out,
                                  length_out, err);
}

int tp_json_load_file_capped(const char *path, size_t max_bytes, const char *kind, cJSON **out,
                             char **text_out, size_t *length_out, tp_error *err) {
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
    if (length > max_bytes) { /* /dev/zero, or the wrong file */
      tp_format(err->message, sizeof err->message, "%s: too large for a %s (more than %zu MiB)",
                path, kind, max_bytes >> 20);
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
