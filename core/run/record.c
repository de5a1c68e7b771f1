/* core/run/record.c - records: preparing one from an input line, attachments, dead-letters.
 *
 * tp_record_prepare() is the one place an input line becomes a record, for `textpipe run` and
 * for the harness alike: UTF-8 check of the raw line, one parse (json_fast.h, else cJSON's),
 * the object check and
 * the text field lookup by dotted path. It never copies the line.
 */
#include "record.h"

#include "json_alloc.h"
#include "json_fast.h"
#include "json_literals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t tp_utf8_valid_prefix(const char *text, size_t length) {
  const unsigned char *bytes = (const unsigned char *)text;
  size_t at = 0;
  while (at < length) {
    /* ASCII fast path: 16 bytes a step with SSE2 (every x86-64; the movemask gathers the high
     * bits, its lowest set bit is the first non-ASCII byte), then eight at a time. */
#ifdef __SSE2__
    while (length - at >= 16) {
      unsigned high =
          (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(bytes + at)));
      if (high != 0) {
        at += (size_t)__builtin_ctz(high);
        break;
      }
      at += 16;
    }
#endif
    while (at + 8 <= length) {
      uint64_t word;
      memcpy(&word, bytes + at, sizeof word);
      if (word & 0x8080808080808080ull)
        break;
      at += 8;
    }
    if (at >= length)
      break;
    unsigned char lead = bytes[at];
    if (lead < 0x80) {
      at++;
      continue;
    }
    size_t need;
    unsigned char low = 0x80, high = 0xBF; /* allowed range of the second byte */
    if (lead >= 0xC2 && lead <= 0xDF) {
      need = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      need = 2;
      if (lead == 0xE0)
        low = 0xA0; /* no overlongs */
      else if (lead == 0xED)
        high = 0x9F; /* no surrogates */
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      need = 3;
      if (lead == 0xF0)
        low = 0x90;
      else if (lead == 0xF4)
        high = 0x8F; /* nothing above U+10FFFF */
    } else {
      return at;
    }
    if (at + need >= length) /* truncated sequence */
      return at;
    if (bytes[at + 1] < low || bytes[at + 1] > high)
      return at;
    for (size_t k = 2; k <= need; k++)
      if ((bytes[at + k] & 0xC0) != 0x80)
        return at;
    at += need + 1;
  }
  return length;
}

/* The length of the prefix of `bytes` that is valid UTF-8 and holds no NUL byte. */
static size_t carriable_prefix(const char *bytes, size_t length) {
  size_t valid = tp_utf8_valid_prefix(bytes, length);
  const char *nul = memchr(bytes, '\0', valid);
  return nul != NULL ? (size_t)(nul - bytes) : valid;
}

cJSON *tp_json_string_lossy(const char *bytes, size_t length) {
  /* Worst case every byte becomes the 3-byte U+FFFD. */
  size_t good = carriable_prefix(bytes, length);
  char *fixed = malloc(good == length ? length + 1 : length * 3 + 1);
  if (fixed == NULL)
    return NULL;
  size_t used = 0, at = 0;
  for (;;) {
    memcpy(fixed + used, bytes + at, good);
    used += good;
    at += good;
    if (at >= length)
      break;
    memcpy(fixed + used, "\xEF\xBF\xBD", 3);
    used += 3;
    at++;
    good = carriable_prefix(bytes + at, length - at);
  }
  fixed[used] = '\0';
  cJSON *string = cJSON_CreateString(fixed);
  free(fixed);
  return string;
}

cJSON *tp_dead_letter_create(const tp_position *position, const char *stage_id, const char *reason,
                             const char *input, size_t input_length) {
  cJSON *letter = cJSON_CreateObject();
  if (letter == NULL)
    return NULL;
  cJSON *input_json = tp_json_string_lossy(input, input_length);
  if ((position->id[0] != '\0'
           ? cJSON_AddStringToObject(letter, "entry_id", position->id)
           : cJSON_AddNumberToObject(letter, "line", (double)position->number)) == NULL ||
      (stage_id != NULL ? cJSON_AddStringToObject(letter, "stage", stage_id)
                        : cJSON_AddNullToObject(letter, "stage")) == NULL ||
      cJSON_AddStringToObject(letter, "reason", reason) == NULL || input_json == NULL ||
      !cJSON_AddItemToObject(letter, "input", input_json)) {
    cJSON_Delete(input_json);
    cJSON_Delete(letter);
    return NULL;
  }
  return letter;
}

static const char *json_type_name(const cJSON *item) {
  if (cJSON_IsObject(item))
    return "an object";
  if (cJSON_IsArray(item))
    return "an array";
  if (cJSON_IsString(item))
    return "a string";
  if (cJSON_IsNumber(item))
    return "a number";
  if (cJSON_IsBool(item))
    return "a boolean";
  return "null";
}

/* Whether the member name `name` is the `length` bytes at `part` (none of them NUL). Inline
 * rather than strncmp: names and path parts are a few bytes, and this runs for each member of
 * each record. */
static inline int name_is(const char *name, const char *part, size_t length) {
  for (size_t at = 0; at < length; at++)
    if (name[at] != part[at]) /* also where `name` ends first */
      return 0;
  return name[length] == '\0';
}

/* Follows a dotted path ("comment.body") through nested objects. Sets *duplicate when a key of
 * the path appears twice in its object: JSON readers disagree on which one counts (cJSON and
 * so the stages would see the first, Python's json the last), so such a record is refused. */
static cJSON *field_at_path(const cJSON *object, const char *path, int *duplicate) {
  cJSON *at = (cJSON *)object; /* the caller's constness is its own */
  const char *part = path;
  *duplicate = 0;
  for (;;) {
    size_t part_length = 0; /* to the next '.' or the end: one pass, no strchr and strlen */
    while (part[part_length] != '\0' && part[part_length] != '.')
      part_length++;
    const char *dot = part[part_length] == '.' ? part + part_length : NULL;
    if (at == NULL || (at->type & 0xff) != cJSON_Object) /* cJSON_IsObject, without its call */
      return NULL;
    cJSON *found = NULL;
    for (cJSON *child = at->child; child != NULL; child = child->next) {
      if (child->string != NULL && name_is(child->string, part, part_length)) {
        if (found != NULL) {
          *duplicate = 1;
          return found;
        }
        found = child;
      }
    }
    if (found == NULL || dot == NULL)
      return found;
    at = found;
    part = dot + 1;
  }
}

cJSON *tp_record_field_at(const cJSON *object, const char *path) {
  int duplicate;
  return field_at_path(object, path, &duplicate);
}

/* Whether a record made from `line` would carry a NUL character: a raw 0 byte, or, when `json`
 * is set, the string escape \u0000. Backslashes are only looked at in a line cJSON has
 * accepted, where each one starts an escape. */
static int has_nul_character(const char *line, size_t length, int json) {
  if (memchr(line, '\0', length) != NULL)
    return 1;
  const char *at = line;
  const char *end = line + length;
  while (json && at < end && (at = memchr(at, '\\', (size_t)(end - at))) != NULL) {
    if (end - at >= 6 && memcmp(at + 1, "u0000", 5) == 0)
      return 1;
    at += 2; /* past the escaped character, which may itself be a backslash */
  }
  return 0;
}

/* A copy of `line` in which every NUL character is U+FFFD: a raw 0 byte becomes its three
 * UTF-8 bytes and (with `json`) the escape \u0000 becomes \uFFFD. cJSON strings end at the
 * first NUL, so without this the rest of the text would be lost without a word; HTML parsers
 * make the same replacement. Returns the copy (malloc'd, NUL-terminated, its length in
 * *copy_length), or NULL on OOM. */
static char *replace_nul_characters(const char *line, size_t length, int json,
                                    size_t *copy_length) {
  char *copy = malloc(length * 3 + 1);
  if (copy == NULL)
    return NULL;
  size_t used = 0;
  for (size_t at = 0; at < length; at++) {
    if (line[at] == '\0') {
      memcpy(copy + used, "\xEF\xBF\xBD", 3);
      used += 3;
    } else if (json && line[at] == '\\' && at + 1 < length && line[at + 1] != '\0') {
      int nul_escape = length - at >= 6 && memcmp(line + at + 1, "u0000", 5) == 0;
      memcpy(copy + used, nul_escape ? "\\uFFFD" : line + at, nul_escape ? 6 : 2);
      used += nul_escape ? 6 : 2;
      at += nul_escape ? 5 : 1;
    } else {
      copy[used++] = line[at];
    }
  }
  copy[used] = '\0';
  *copy_length = used;
  return copy;
}

/* The 1-based column in `line` of byte `offset` of its replace_nul_characters() copy, where
 * each raw NUL byte became three bytes (escapes keep their length). */
static size_t original_column(const char *line, size_t length, size_t offset) {
  size_t at = 0, copied = 0;
  while (at < length && copied < offset)
    copied += line[at++] == '\0' ? 3 : 1;
  return at + 1;
}

static int prepare_lines_record(tp_record *record, const char *line, uint64_t line_number,
                                char *reason, size_t reason_size) {
  cJSON *object = cJSON_CreateObject();
  cJSON *text = NULL;
  if (object == NULL || cJSON_AddNumberToObject(object, "id", (double)line_number) == NULL ||
      (text = cJSON_AddStringToObject(object, "text", line)) == NULL) {
    cJSON_Delete(object);
    snprintf(reason, reason_size, "out of memory");
    return -1;
  }
  record->json = object;
  record->text = text->valuestring;
  record->text_length = strlen(text->valuestring); /* NUL bytes were replaced first */
  return 0;
}

int tp_record_start(tp_record *record, const char *line, size_t length, uint64_t line_number,
                    char *reason, size_t reason_size) {
  record->line = line_number;
  record->input = line;
  record->input_length = length;
  size_t valid = tp_utf8_valid_prefix(line, length);
  if (valid < length) {
    snprintf(reason, reason_size, "invalid UTF-8 at byte %zu", valid + 1);
    return -1;
  }
  return 0;
}

int tp_record_prepare(tp_record *record, const tp_pipeline *pipeline, const char *line,
                      size_t length, uint64_t line_number, char *reason, size_t reason_size) {
  if (tp_record_start(record, line, length, line_number, reason, reason_size) != 0)
    return -1;
  int json_input = pipeline->input_format != TP_INPUT_LINES;
  if (!json_input) {
    if (!has_nul_character(line, length, 0))
      return prepare_lines_record(record, line, line_number, reason, reason_size);
    size_t copy_length;
    char *copy = replace_nul_characters(line, length, 0, &copy_length);
    int status = copy != NULL ? prepare_lines_record(record, copy, line_number, reason, reason_size)
                              : (snprintf(reason, reason_size, "out of memory"), -1);
    free(copy);
    record->nul_replaced = status == 0;
    return status;
  }

  const char *end = NULL;
  /* The plain records most lines are in one fast pass (json_fast.h); the rest, and every
   * error, through cJSON. length + 1 covers the NUL after the line, so trailing garbage is an
   * error. */
  tp_json_string longest;
  cJSON *json = tp_json_parse_plain_longest(line, length, &longest);
  int may_hold_nul = json == NULL; /* a line the fast parse takes holds none (json_fast.h) */
  if (json == NULL)
    json = cJSON_ParseWithLengthOpts(line, length + 1, &end, 1);
  if (json == NULL) {
    size_t column = end != NULL && end >= line ? (size_t)(end - line) + 1 : 1;
    if (column > length)
      snprintf(reason, reason_size, "invalid JSON: unexpected end of line");
    else
      snprintf(reason, reason_size, "invalid JSON at column %zu", column);
    return -1;
  }
  if (may_hold_nul && has_nul_character(line, length, 1)) { /* rare: parse again without them */
    cJSON_Delete(json);
    size_t copy_length;
    char *copy = replace_nul_characters(line, length, 1, &copy_length);
    const char *copy_end = NULL;
    json = copy != NULL ? cJSON_ParseWithLengthOpts(copy, copy_length + 1, &copy_end, 1) : NULL;
    if (copy != NULL && json == NULL) {
      /* cJSON skips a raw NUL as white space; as U+FFFD outside a string it is an error. */
      size_t column = copy_end != NULL && copy_end >= copy
                          ? original_column(line, length, (size_t)(copy_end - copy))
                          : 1;
      free(copy);
      snprintf(reason, reason_size, "invalid JSON at column %zu (a NUL byte outside a string?)",
               column);
      return -1;
    }
    if (json != NULL && tp_json_keep_number_literals(json, copy, copy_length) != 0) {
      cJSON_Delete(json);
      json = NULL;
    }
    free(copy);
    if (json == NULL) {
      snprintf(reason, reason_size, "out of memory");
      return -1;
    }
    record->nul_replaced = 1;
  } else if (tp_json_keep_number_literals(json, line, length) != 0) {
    cJSON_Delete(json);
    snprintf(reason, reason_size, "out of memory");
    return -1;
  }
  if (!cJSON_IsObject(json)) {
    snprintf(reason, reason_size, "expected a JSON object, got %s", json_type_name(json));
    cJSON_Delete(json);
    return -1;
  }
  const char *field_path = pipeline->text_field != NULL ? pipeline->text_field : "text";
  int duplicate = 0;
  cJSON *text = field_at_path(json, field_path, &duplicate);
  if (duplicate) {
    snprintf(reason, reason_size, "duplicate key on the text field's path \"%s\"", field_path);
    cJSON_Delete(json);
    return -1;
  }
  if (text == NULL) {
    snprintf(reason, reason_size, "missing text field \"%s\"", field_path);
    cJSON_Delete(json);
    return -1;
  }
  if (!cJSON_IsString(text)) {
    snprintf(reason, reason_size, "text field \"%s\" is %s, expected a string", field_path,
             json_type_name(text));
    cJSON_Delete(json);
    return -1;
  }
  record->json = json;
  record->text = text->valuestring;
  /* the text is nearly always the longest string the fast parse copied: its length is known */
  record->text_length =
      text->valuestring == longest.text ? longest.length : strlen(text->valuestring);
  return 0;
}

void tp_record_reset(tp_record *record) {
  for (size_t i = 0; i < record->attachment_count; i++) {
    tp_attachment *attachment = &record->attachments[i];
    if (attachment->free_fn != NULL)
      attachment->free_fn(attachment->data);
  }
  record->attachment_count = 0;
  tp_json_delete(record->json); /* cJSON_Delete, the nodes straight into the worker's cache */
  record->json = NULL;
  record->text = NULL;
  record->text_length = 0;
  record->nul_replaced = 0;
  record->input = NULL;
  record->input_length = 0;
  record->stage = NULL;
}

void tp_record_release(tp_record *record) {
  tp_record_reset(record);
  free(record->attachments);
  record->attachments = NULL;
  record->attachment_capacity = 0;
}

int tp_record_attach(tp_record *record, const char *key, void *data, void (*free_fn)(void *)) {
  for (size_t i = 0; i < record->attachment_count; i++) {
    tp_attachment *attachment = &record->attachments[i];
    if (strcmp(attachment->key, key) == 0) {
      if (attachment->free_fn != NULL)
        attachment->free_fn(attachment->data);
      attachment->data = data;
      attachment->free_fn = free_fn;
      return 0;
    }
  }
  if (record->attachment_count == record->attachment_capacity) {
    size_t capacity = record->attachment_capacity ? record->attachment_capacity * 2 : 4;
    tp_attachment *grown = realloc(record->attachments, capacity * sizeof *grown);
    if (grown == NULL) {
      if (free_fn != NULL)
        free_fn(data);
      return -1;
    }
    record->attachments = grown;
    record->attachment_capacity = capacity;
  }
  record->attachments[record->attachment_count++] = (tp_attachment){key, data, free_fn};
  return 0;
}

void *tp_record_attachment(const tp_record *record, const char *key) {
  for (size_t i = 0; i < record->attachment_count; i++)
    if (strcmp(record->attachments[i].key, key) == 0)
      return record->attachments[i].data;
  return NULL;
}
