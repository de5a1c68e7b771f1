/* core/run/host.c - the host API table plugins call (tp_host of plugin.h).
 *
 * The record functions act on the record a worker runs and on record->stage, the stage whose
 * process() is running (set by tp_stage_process). record_set and record_attach enforce the
 * ownership rule: a stage writes only keys listed in its descriptor's `provides_keys` or in
 * its instance's stage_keys() (ABI 2.1).
 *
 * No fault injection here: the test-only textpipe-fault binary fails allocations (host->alloc
 * included) by wrapping malloc at link time (tests/fault/fail_alloc.c).
 */
#include "host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_print.h"
#include "log.h"
#include "pointer_slot.h"
#include "record.h"
#include "stages.h"

static void host_log(const tp_stage *stage, tp_log_level level, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  tp_logv(level, stage != NULL ? stage->id : NULL, fmt, args);
  va_end(args);
}

/* Plain malloc: allocation failures are injected only in the test-only textpipe-fault binary
 * (tests/fault/fail_alloc.c wraps malloc at link time), never in this release code. */
static void *host_alloc(size_t size) {
  return malloc(size);
}

static void *host_realloc(void *ptr, size_t size) {
  return realloc(ptr, size);
}

static void host_free(void *ptr) {
  free(ptr);
}

static const cJSON *host_record_json(const tp_record *record) {
  return record->json;
}

static const char *host_record_text(const tp_record *record, size_t *length) {
  if (length != NULL)
    *length = record->text_length;
  return record->text;
}

static uint64_t host_record_line(const tp_record *record) {
  return record->line;
}

/* The `provides_keys` entry equal to `key` of the stage running `record`, or NULL (logged once
 * per stage when the stage writes a key it does not own). */
static const char *owned_key(tp_record *record, const char *key, const char *what) {
  const tp_stage *stage = record->stage;
  if (stage == NULL || key == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s called outside process()", what);
    return NULL;
  }
  const char *const *provides = stage->handle->plugin->provides_keys;
  /* A plugin nearly always passes its own `provides` entry: equal pointers settle it. */
  for (size_t i = 0; provides != NULL && provides[i] != NULL; i++)
    if (provides[i] == key)
      return provides[i];
  for (size_t i = 0; provides != NULL && provides[i] != NULL; i++)
    if (strcmp(provides[i], key) == 0)
      return provides[i];
  for (size_t i = 0; stage->keys != NULL && stage->keys[i] != NULL; i++)
    if (strcmp(stage->keys[i], key) == 0)
      return stage->keys[i];
  if (record->key_warned == NULL || !(atomic_fetch_or(&record->key_warned[stage->index], 1) & 1))
    tp_log(TP_LOG_ERROR, stage->id, "%s: key \"%s\" is not in the plugin's provides_keys", what,
           key);
  return NULL;
}

/* Whether `key` is the first part of the pipeline's text field, the bytes before its first '.'
 * (replacing it would pull the text out from under later stages). Compared inline: this runs
 * at every record_set, and nearly every key differs from the field in its first byte. */
static int is_text_root(const tp_record *record, const char *key) {
  const char *field = record->stage->pipeline != NULL ? record->stage->pipeline->text_field : NULL;
  if (field == NULL)
    field = "text";
  size_t at = 0;
  for (; field[at] != '\0' && field[at] != '.'; at++)
    if (key[at] != field[at]) /* also when the key ends first */
      return 0;
  return key[at] == '\0';
}

/* is_valid_utf8_string's slow path: strlen and the word-at-a-time check. */
static __attribute__((noinline)) int is_valid_utf8_long(const char *text) {
  size_t length = strlen(text);
  return tp_utf8_valid_prefix(text, length) == length;
}

/* Whether the NUL-terminated `text` is valid UTF-8. Most strings a stage writes are short ASCII
 * keys and labels, settled by one pass over at most 16 bytes; the rest take strlen and the
 * word-at-a-time check. */
static inline int is_valid_utf8_string(const char *text) {
  const unsigned char *bytes = (const unsigned char *)text;
  for (size_t at = 0; at < 16; at++) {
    /* byte - 1 < 0x7f: 1 to 0x7f, ASCII and not the end */
    if ((unsigned char)(bytes[at] - 1) >= 0x7f)
      return bytes[at] == '\0' ? 1 : is_valid_utf8_long(text);
  }
  return is_valid_utf8_long(text);
}

/* Constant strings found valid during one record_set call, by address. A stage's value repeats
 * a few of them many times (member names like "compound" once per sentence, labels): cJSON marks
 * them as not the node's own (cJSON_StringIsConst on a key, cJSON_IsReference on a string
 * value), and each is checked once a call. Within the call no string changes, so the address
 * settles it; nothing is kept between calls. */
/* A power of two. 16: a value holds a dozen constants at most (sentiment's with sentences: 8
 * member names and a label), and the memo is emptied at every call, about 4.5 a record with the
 * default pipeline, most of them holding no constant at all: clearing 64 slots took 68
 * instructions a call (2.8 M of 43.5 M in record_set on the first 5 MB), and the fuller
 * table's extra probes cost back 0.6 M. */
#define VALID_SLOTS 16

typedef struct valid_constants {
  const char *text[VALID_SLOTS];
} valid_constants;

/* is_valid_utf8_string for a constant string, memoized in `memo`. */
static inline int is_valid_constant(valid_constants *memo, const char *text) {
  int found;
  size_t slot = tp_pointer_probe(memo->text, VALID_SLOTS, text, &found);
  if (found)
    return 1;
  if (!is_valid_utf8_string(text))
    return 0;
  memo->text[slot] = text;
  return 1;
}

/* Whether every string and member name in `value` is valid UTF-8, so that the output stays
 * valid NDJSON whatever a plugin hands over. The type test is cJSON_IsString's, inline. */
static int is_valid_utf8_tree(valid_constants *memo, const cJSON *value) {
  for (; value != NULL; value = value->next) {
    if (value->string != NULL &&
        !((value->type & cJSON_StringIsConst) ? is_valid_constant(memo, value->string)
                                              : is_valid_utf8_string(value->string)))
      return 0;
    if ((value->type & 0xff) == cJSON_String && value->valuestring != NULL &&
        !((value->type & cJSON_IsReference) ? is_valid_constant(memo, value->valuestring)
                                            : is_valid_utf8_string(value->valuestring)))
      return 0;
    if (value->child != NULL && !is_valid_utf8_tree(memo, value->child))
      return 0;
  }
  return 1;
}

/* cJSON_GetObjectItemCaseSensitive(object, key) != NULL, without a strcmp call per member: the
 * first bytes are compared inline first. */
static const cJSON *member_named(const cJSON *object, const char *key) {
  for (const cJSON *child = object->child; child != NULL; child = child->next)
    if (child->string != NULL && child->string[0] == key[0] && strcmp(child->string, key) == 0)
      return child;
  return NULL;
}

static int host_record_set(tp_record *record, const char *key, cJSON *value) {
  const char *owned = owned_key(record, key, "record_set");
  if (owned == NULL || value == NULL || record->json == NULL) {
    cJSON_Delete(value);
    return -1;
  }
  /* Only `value` itself, not its siblings (a plugin may hand over a detached item). */
  cJSON *next = value->next;
  value->next = NULL;
  valid_constants memo = {{NULL}};
  int valid = is_valid_utf8_tree(&memo, value);
  value->next = next;
  if (!valid) {
    /* Bit 2 of key_warned: logged once per stage, like a foreign key (bit 1). */
    if (record->key_warned == NULL ||
        !(atomic_fetch_or(&record->key_warned[record->stage->index], 2) & 2))
      tp_log(TP_LOG_ERROR, record->stage->id, "record_set: \"%s\": a string is not valid UTF-8",
             owned);
    cJSON_Delete(value);
    return -1;
  }
  if (is_text_root(record, owned)) {
    tp_log(TP_LOG_ERROR, record->stage->id, "record_set: \"%s\" holds the text field", owned);
    cJSON_Delete(value);
    return -1;
  }
  if (member_named(record->json, owned) != NULL) {
    if (!cJSON_ReplaceItemInObjectCaseSensitive(record->json, owned, value)) {
      cJSON_Delete(value);
      return -1;
    }
    return 0;
  }
  /* The key string is the plugin's own constant: no copy per record. */
  if (!cJSON_AddItemToObjectCS(record->json, owned, value)) {
    cJSON_Delete(value);
    return -1;
  }
  return 0;
}

static int host_record_attach(tp_record *record, const char *key, void *data,
                              void (*free_fn)(void *data)) {
  const char *owned = owned_key(record, key, "record_attach");
  if (owned == NULL) {
    if (free_fn != NULL)
      free_fn(data);
    return -1;
  }
  return tp_record_attach(record, owned, data, free_fn);
}

static void *host_record_attachment(const tp_record *record, const char *key) {
  if (key == NULL)
    return NULL;
  return tp_record_attachment(record, key);
}

static const char *host_stage_id(const tp_stage *stage) {
  return stage != NULL ? stage->id : NULL;
}

/* The section of the stage `stage_id` of the same pipeline, once that stage has finished
 * (tp_stages_finish keeps it on the stage while later stages finish). */
static const cJSON *host_report_section(const tp_stage *stage, const char *stage_id) {
  if (stage == NULL || stage->pipeline == NULL || stage_id == NULL)
    return NULL;
  const tp_pipeline *pipeline = stage->pipeline;
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    if (strcmp(pipeline->stages[s].id, stage_id) == 0)
      return pipeline->stages[s].section;
  }
  return NULL;
}

/* The id rule of plugin.h: "id" as JSON text when it is a string or a number, else the line. */
static size_t host_record_id(const tp_record *record, char *buffer, size_t size) {
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(record->json, "id");
  char number[64];
  char *printed = NULL;
  const char *text = number;
  if (cJSON_IsNumber(id) && id->valuestring != NULL)
    text = id->valuestring; /* the input's own digits (plugin.h: record_json) */
  else if (cJSON_IsNumber(id) && tp_json_print_number(id->valuedouble, id->valueint, number) > 0)
    text = number;
  else if (cJSON_IsString(id) && (printed = cJSON_PrintUnformatted(id)) != NULL)
    text = printed;
  else
    snprintf(number, sizeof number, "%llu", (unsigned long long)record->line);
  size_t length = strlen(text);
  if (size > 0) {
    size_t copied = length < size ? length : size - 1;
    memcpy(buffer, text, copied);
    buffer[copied] = '\0';
  }
  cJSON_free(printed);
  return length;
}

static const cJSON *host_record_field(const tp_record *record, const char *path) {
  if (record == NULL || path == NULL)
    return NULL;
  return tp_record_field_at(record->json, path);
}

static const void *host_stage_config(const tp_stage *stage) {
  return stage != NULL ? stage->bound_config : NULL;
}

/* 1 unless the run throws the sections away (tp_pipeline.sections_discarded). */
static int host_report_wanted(const tp_stage *stage) {
  return stage == NULL || stage->pipeline == NULL || !stage->pipeline->sections_discarded;
}

static const tp_host host_api = {
    .abi_major = TP_ABI_MAJOR,
    .abi_minor = TP_ABI_MINOR,
    .struct_size = sizeof(tp_host),
    .log = host_log,
    .alloc = host_alloc,
    .realloc = host_realloc,
    .free = host_free,
    .record_json = host_record_json,
    .record_text = host_record_text,
    .record_line = host_record_line,
    .record_set = host_record_set,
    .record_attach = host_record_attach,
    .record_attachment = host_record_attachment,
    .stage_id = host_stage_id,
    .report_section = host_report_section,
    .record_id = host_record_id,
    .record_field = host_record_field,
    .stage_config = host_stage_config,
    .report_wanted = host_report_wanted,
};

const tp_host *tp_host_api(void) {
  return &host_api;
}
