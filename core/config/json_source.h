/* core/config/json_source.h - JSON text in, cJSON out, with errors a person can act on.
 *
 * Pipeline files are small and hand-written, so before cJSON parses them a strict syntax
 * checker walks the text and, on the first mistake, reports `file:line:col: <reason>` with a
 * reason such as "trailing comma before '}'" or "unterminated string". (cJSON's own error
 * pointer is often a few characters off and carries no reason; it is only the fallback.)
 *
 * The JSON path builder gives semantic errors their location: `stages[2].config.max_sentences`.
 */
#ifndef TP_CORE_JSON_SOURCE_H
#define TP_CORE_JSON_SOURCE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "pipeline.h"

/* Reads the whole file at `path` and parses it (see tp_json_parse_text). `path` is also the
 * label in messages. Returns 0 and sets *out (the caller frees it with cJSON_Delete), or -1
 * with err filled ("x.json: cannot read: No such file or directory", "x.json:3:9: ..."). */
int tp_json_load_file(const char *path, cJSON **out, tp_error *err);

/* tp_json_load_file() that also hands over the file's text (NUL-terminated, `*length_out`
 * bytes; the caller frees it) when it parsed. */
int tp_json_load_file_text(const char *path, cJSON **out, char **text_out, size_t *length_out,
                           tp_error *err);
/* tp_json_load_file_text() for files of another kind and size: more than `max_bytes` is
 * refused as "PATH: too large for a KIND (more than N MiB)". */
int tp_json_load_file_capped(const char *path, size_t max_bytes, const char *kind, cJSON **out,
                             char **text_out, size_t *length_out, tp_error *err);

/* The byte offset in `text` (a document that passed the syntax check) of what JSON path `path`
 * ("stages[2].config.max_sentences") names: the key's opening quote for an object member, the
 * value for an array element (for a key that repeats, its last occurrence). When only a prefix
 * of the path exists, the offset of the deepest part found; 0 when nothing of it is found. */
size_t tp_json_locate(const char *text, size_t length, const char *path);

/* Parses `length` bytes of `text` as one JSON document. Returns 0 and sets *out (caller
 * frees with cJSON_Delete), or -1 with err set to "<label>:<line>:<col>: <reason>". */
int tp_json_parse_text(const char *label, const char *text, size_t length, cJSON **out,
                       tp_error *err);

/* Strict syntax check (RFC 8259, UTF-8). Returns 0 when `text` is one valid JSON document,
 * or -1 with *error_offset set to the byte offset of the mistake and `reason` filled. */
int tp_json_check_syntax(const char *text, size_t length, size_t *error_offset, char *reason,
                         size_t reason_size);

/* Converts a byte offset into a 1-based line and column (columns count UTF-8 characters). */
void tp_json_position(const char *text, size_t offset, size_t *line, size_t *column);

/* Writes a short rendering of `value` into `buffer` for messages: strings quoted, numbers and
 * literals as JSON, "an array"/"an object" for containers; long strings are cut with "...".
 * Returns `buffer`. */
const char *tp_json_describe(const cJSON *value, char *buffer, size_t size);

/* The most tp_json_load_file and tp_json_load_file_text read: pipeline files are a few KiB, so
 * a bigger file is a mistake (a data file, /dev/zero), refused before it fills memory. */
#define TP_JSON_FILE_MAX_BYTES (4 * 1024 * 1024)

/* The first member of `object` whose key repeats an earlier member's key, or NULL (also for
 * non-objects). cJSON keeps both; textpipe refuses the ambiguity. */
const cJSON *tp_json_duplicate_key(const cJSON *object);

/* A JSON path under construction, e.g. "stages[2].config.max_sentences". */
typedef struct tp_json_path {
  char text[512];
  size_t length;
} tp_json_path;

/* Empties the path (the document root). */
void tp_json_path_init(tp_json_path *path);
/* Appends ".key" (or "key" at the root; ["key"] when the key is not a plain word). Returns the
 * previous length, for tp_json_path_restore. Too long a path is cut, never overflowed. */
size_t tp_json_path_key(tp_json_path *path, const char *key);
/* Appends "[index]". Returns the previous length. */
size_t tp_json_path_index(tp_json_path *path, size_t index);
/* Cuts the path back to `length` (a value returned by _key or _index). */
void tp_json_path_restore(tp_json_path *path, size_t length);

#endif /* TP_CORE_JSON_SOURCE_H */
