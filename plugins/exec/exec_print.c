/* plugins/exec/exec_print.c - the request printer of the exec stage (exec_print.h). */
#include "exec_print.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Room for `more` bytes after `used`. 0, or -1 on OOM. */
static int reserve(exec_buffer *buffer, const tp_host *host, size_t more) {
  if (buffer->capacity - buffer->used >= more)
    return 0;
  size_t needed = buffer->used + more;
  size_t grown = buffer->capacity * 2 > needed ? buffer->capacity * 2 : needed;
  if (grown < 65536)
    grown = 65536;
  char *bigger = host->realloc(buffer->bytes, grown);
  if (bigger == NULL)
    return -1;
  buffer->bytes = bigger;
  buffer->capacity = grown;
  return 0;
}

static int append(exec_buffer *buffer, const tp_host *host, const char *bytes, size_t length) {
  if (reserve(buffer, host, length) != 0)
    return -1;
  memcpy(buffer->bytes + buffer->used, bytes, length);
  buffer->used += length;
  return 0;
}

/* Whether byte `c` must be escaped in a JSON string. */
static int needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

/* The end of the run of bytes from `at` that need no escape (at most `end`). Eight bytes at a
 * time: in a word, a byte is below 0x20 when subtracting 0x20 borrows into its clear high
 * bit, and '"' or '\\' when it is zero after xor with that byte; the first flagged byte may
 * be a false alarm only after a real one, which the byte test settles. */
static size_t plain_run_end(const char *text, size_t at, size_t end) {
  const uint64_t low = 0x0101010101010101u, high = 0x8080808080808080u;
  while (end - at >= 8) {
    uint64_t word;
    memcpy(&word, text + at, 8);
    uint64_t quote = word ^ (low * '"'), backslash = word ^ (low * '\\');
    uint64_t flagged =
        ((word - low * 0x20) & ~word) | ((quote - low) & ~quote) | ((backslash - low) & ~backslash);
    if ((flagged & high) != 0)
      break;
    at += 8;
  }
  while (at < end && !needs_escape((unsigned char)text[at]))
    at++;
  return at;
}

/* A JSON string: `"`, `\` and control characters escaped, every other byte as it is (the
 * core hands valid UTF-8). Runs of plain bytes are copied whole. */
static int append_string(exec_buffer *buffer, const tp_host *host, const char *text) {
  size_t length = strlen(text);
  /* At worst every byte becomes \u00XX; quotes around. */
  if (reserve(buffer, host, length * 6 + 2) != 0)
    return -1;
  char *out = buffer->bytes + buffer->used;
  *out++ = '"';
  size_t i = 0;
  while (i < length) {
    size_t run = plain_run_end(text, i, length);
    memcpy(out, text + i, run - i);
    out += run - i;
    if (run == length)
      break;
    unsigned char c = (unsigned char)text[run];
    const char *short_form = c == '"'    ? "\\\""
                             : c == '\\' ? "\\\\"
                             : c == '\b' ? "\\b"
                             : c == '\f' ? "\\f"
                             : c == '\n' ? "\\n"
                             : c == '\r' ? "\\r"
                             : c == '\t' ? "\\t"
                                         : NULL;
    if (short_form != NULL) {
      memcpy(out, short_form, 2);
      out += 2;
    } else {
      out += sprintf(out, "\\u%04x", c);
    }
    i = run + 1;
  }
  *out++ = '"';
  buffer->used = (size_t)(out - buffer->bytes);
  return 0;
}

static int append_number(exec_buffer *buffer, const tp_host *host, const cJSON *item) {
  if (item->valuestring != NULL) /* the input's own text, kept by the core */
    return append(buffer, host, item->valuestring, strlen(item->valuestring));
  double value = item->valuedouble;
  char text[32];
  int length;
  if (!isfinite(value))
    return append(buffer, host, "null", 4);
  if (value == floor(value) && fabs(value) < TP_JSON_PRINTED_EXACTLY_BELOW) {
    length = snprintf(text, sizeof text, "%lld", (long long)value);
  } else {
    length = snprintf(text, sizeof text, "%1.15g", value);
    double back;
    if (sscanf(text, "%lg", &back) != 1 || back != value)
      length = snprintf(text, sizeof text, "%1.17g", value);
  }
  return append(buffer, host, text, (size_t)length);
}

static int append_value(exec_buffer *buffer, const tp_host *host, const cJSON *item) {
  switch (item->type & 0xff) {
  case cJSON_NULL:
    return append(buffer, host, "null", 4);
  case cJSON_False:
    return append(buffer, host, "false", 5);
  case cJSON_True:
    return append(buffer, host, "true", 4);
  case cJSON_Number:
    return append_number(buffer, host, item);
  case cJSON_String:
    return append_string(buffer, host, item->valuestring);
  case cJSON_Raw:
    return append(buffer, host, item->valuestring, strlen(item->valuestring));
  case cJSON_Array:
  case cJSON_Object: {
    int object = (item->type & 0xff) == cJSON_Object;
    if (append(buffer, host, object ? "{" : "[", 1) != 0)
      return -1;
    for (const cJSON *member = item->child; member != NULL; member = member->next) {
      if (member != item->child && append(buffer, host, ",", 1) != 0)
        return -1;
      if (object &&
          (append_string(buffer, host, member->string) != 0 || append(buffer, host, ":", 1) != 0))
        return -1;
      if (append_value(buffer, host, member) != 0)
        return -1;
    }
    return append(buffer, host, object ? "}" : "]", 1);
  }
  default: /* an invalid item: nothing a parsed record holds */
    return append(buffer, host, "null", 4);
  }
}

int exec_print_request(exec_buffer *buffer, const tp_host *host, uint64_t id, const cJSON *record) {
  size_t before = buffer->used;
  /* {"id":<digits>,"record": - digits written backwards from the end (no snprintf per record) */
  static const char prefix[] = "{\"id\":", suffix[] = ",\"record\":";
  char head[48];
  char *at = head + sizeof head - (sizeof suffix - 1);
  memcpy(at, suffix, sizeof suffix - 1);
  do {
    *--at = (char)('0' + id % 10);
    id /= 10;
  } while (id != 0);
  at -= sizeof prefix - 1;
  memcpy(at, prefix, sizeof prefix - 1);
  if (append(buffer, host, at, (size_t)(head + sizeof head - at)) != 0 ||
      append_value(buffer, host, record) != 0 || append(buffer, host, "}\n", 2) != 0) {
    buffer->used = before;
    return -1;
  }
  return 0;
}
