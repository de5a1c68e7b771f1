/* core/run/record.h - one record in flight: the definition of plugin.h's opaque tp_record.
 *
 * A record is the parsed JSON object of one input line plus what the core needs around it:
 * a pointer to its text (inside the JSON tree), its input line number, the attachments later
 * stages read, the stage now running on it and the original line for dead-letters. Records
 * live in the runner's batches and are reused from record to record (tp_record_reset), so
 * the steady state allocates nothing but the cJSON tree itself.
 */
#ifndef TP_CORE_RECORD_H
#define TP_CORE_RECORD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "pipeline.h"
#include "position.h"

/* How many bytes of an oversize line a dead-letter keeps as "input". */
#define TP_RECORD_INPUT_PREFIX 1024
/* Room for one dead-letter reason (also the err buffer handed to plugins). */
#define TP_REASON_SIZE 512

typedef struct tp_attachment {
  const char *key; /* the stage's own `provides` entry (lives as long as the plugin) */
  void *data;
  void (*free_fn)(void *data);
} tp_attachment;

struct tp_record {
  cJSON *json;      /* the parsed object; owned; NULL before parse / after reset */
  const char *text; /* the text field's string inside `json` (or the line, for "lines") */
  size_t text_length;
  uint64_t line;     /* 1-based input line number */
  const char *input; /* the original line (not owned; valid while the record is) */
  size_t input_length;
  const tp_stage *stage;      /* the stage whose process() runs now; NULL outside process() */
  tp_attachment *attachments; /* owned array */
  size_t attachment_count;
  size_t attachment_capacity;
  int nul_replaced;       /* the input carried NUL characters, now U+FFFD (record.c) */
  atomic_int *key_warned; /* per stage index, logged already: bit 1 "wrote outside provides",
                             bit 2 "invalid UTF-8" (host.c); or NULL */
};

/* Parses `line` (`length` bytes, followed by a NUL at line[length]) as one record of
 * `pipeline` into `record` (which must be reset): UTF-8 check, JSON object (or the "lines"
 * record {"id": line, "text": ...}), text field. NUL characters (a raw 0 byte, or \u0000 in
 * JSON) become U+FFFD, and record->nul_replaced says so. `line` must stay valid while the record is
 * in use. Returns 0, or -1 with a one-line reason in `reason` (the record stays reset). */
int tp_record_prepare(tp_record *record, const tp_pipeline *pipeline, const char *line,
                      size_t length, uint64_t line_number, char *reason, size_t reason_size);

/* The first step of making a record, whatever the input format: sets its line number and
 * original input and checks the input is UTF-8. Returns 0, or -1 with a reason. */
int tp_record_start(tp_record *record, const char *line, size_t length, uint64_t line_number,
                    char *reason, size_t reason_size);

/* Frees the record's JSON tree and attachments (calling their free functions) and clears it
 * for reuse; the attachment array is kept. Safe on a zeroed record. */
void tp_record_reset(tp_record *record);

/* tp_record_reset() plus freeing the attachment array: the record's memory is all gone. */
void tp_record_release(tp_record *record);

/* Adds an attachment (replacing an earlier one with the same key). Takes ownership of `data`
 * in all cases: on failure free_fn(data) runs at once. Returns 0, or -1 on OOM. */
int tp_record_attach(tp_record *record, const char *key, void *data, void (*free_fn)(void *));

/* The attachment under `key`, or NULL. */
void *tp_record_attachment(const tp_record *record, const char *key);

/* Follows a dotted path ("comment.body") through nested objects of `object`: the member found,
 * or NULL when a part is missing or not an object. Borrowed from `object`. */
cJSON *tp_record_field_at(const cJSON *object, const char *path);

/* The first invalid byte of `length` bytes of `text`, as an offset; or `length` when all of
 * it is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
size_t tp_utf8_valid_prefix(const char *text, size_t length);

/* A new JSON string holding `length` bytes of `bytes`, with each invalid UTF-8 sequence and
 * each NUL byte replaced by U+FFFD (so any input can go into a dead-letter). Caller owns it; NULL
 * on OOM. */
cJSON *tp_json_string_lossy(const char *bytes, size_t length);

/* A new dead-letter object {"line", "stage", "reason", "input"} for a record from a file, or
 * {"entry_id", "stage", "reason", "input"} for a broker's entry (position->id not empty);
 * stage_id NULL gives null. Caller owns it (cJSON_Delete); NULL on OOM. */
cJSON *tp_dead_letter_create(const tp_position *position, const char *stage_id, const char *reason,
                             const char *input, size_t input_length);

#endif /* TP_CORE_RECORD_H */
