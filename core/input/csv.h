/* core/input/csv.h - CSV input (RFC 4180): where a record ends, its fields, the record object.
 *
 * The reader cuts its byte stream into records with tp_csv_scan(), which knows whether a line
 * break lies inside a quoted field, so a record may span several lines. Each record is then
 * split into unescaped fields (tp_csv_split) and, with the header row's column names, turned
 * into a JSON object of strings (tp_csv_object). Strict RFC 4180: a field holding a quote,
 * comma or line break is quoted, a quote inside it is doubled, and nothing may follow the
 * closing quote but a comma or the end of the record. A record that breaks a rule is refused
 * with a reason naming the field, so the stream dead-letters it with its line number; the
 * records around it are unaffected (except after a quote that never closes, which runs to the
 * end of the input).
 */
#ifndef TP_CORE_CSV_H
#define TP_CORE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "textpipe/plugin.h"

/* ---- Finding the end of a record ----------------------------------------------------------- */

typedef struct tp_csv_scanner {
  int state; /* where in a record the last byte left the scanner (csv.c) */
} tp_csv_scanner;

/* Starts at the beginning of a record. */
void tp_csv_scanner_reset(tp_csv_scanner *scanner);

/* Scans `length` more bytes of the current record. Returns the offset of the line feed that
 * ends the record (the scanner is then reset for the next one), or `length` when the record
 * goes on past these bytes (a line feed inside quotes does not end it). */
size_t tp_csv_scan(tp_csv_scanner *scanner, const char *bytes, size_t length);

/* ---- Fields -------------------------------------------------------------------------------- */

typedef struct tp_csv_row {
  char *bytes;     /* the unescaped fields, each followed by a NUL */
  size_t *offsets; /* field i starts at bytes + offsets[i] */
  size_t *lengths; /* and has lengths[i] bytes (it may hold NULs of its own) */
  size_t count;    /* fields */
  size_t bytes_capacity, fields_capacity;
} tp_csv_row;

/* An empty row (no allocation yet). */
void tp_csv_row_init(tp_csv_row *row);

/* Frees the row's memory; the row is empty and reusable afterwards. */
void tp_csv_row_free(tp_csv_row *row);

/* Splits one whole record (`length` bytes, without the line feed that ended it; a final
 * carriage return is ignored) into `row`, replacing what it held. An empty record is one empty
 * field. Returns 0, or -1 with a reason such as "field 3: text after the closing quote" in
 * `err` (also -1 on OOM: "out of memory"). */
int tp_csv_split(tp_csv_row *row, const char *record, size_t length, char *err, size_t err_size);

/* ---- The header and the record object ------------------------------------------------------ */

/* Reads the header row: `line` (`length` bytes; `full_length` > `length` when it was cut at
 * the record limit) is checked for UTF-8, split into `header` and checked with
 * tp_csv_header_check(). `text_field` NULL means "text". Returns 0, or -1 with a reason. */
int tp_csv_header_read(tp_csv_row *header, const char *line, size_t length, uint64_t full_length,
                       const char *text_field, char *err, size_t err_size);

/* Checks a split header row: every column named, no name twice, and (when `text_field` is not
 * NULL) a column named `text_field`. A UTF-8 byte order mark before the first name is removed
 * in place. Returns 0, or -1 with a reason in `err`. */
int tp_csv_header_check(tp_csv_row *header, const char *text_field, char *err, size_t err_size);

/* Builds the record object {"<column>": "<field>", ...} in header order from a split row; a NUL
 * byte in a field becomes U+FFFD.
 * Returns a new object the caller frees with cJSON_Delete, or NULL with a reason in `err` when
 * the row does not have one field per column (or on OOM). */
cJSON *tp_csv_object(const tp_csv_row *header, const tp_csv_row *row, char *err, size_t err_size);

/* ---- Records -------------------------------------------------------------------------------- */

/* Makes `record` (reset) from one CSV record `line` (`length` bytes, NUL after them; it must
 * stay valid while the record is used) starting at input line `line_number`, with the columns
 * of `header` (checked by tp_csv_header_check with `text_field`): UTF-8 check, split, object,
 * text. The CSV counterpart of tp_record_prepare (record.h). Returns 0, or -1 with a one-line
 * reason in `reason` (the record stays reset). */
int tp_csv_record_prepare(tp_record *record, const tp_csv_row *header, const char *text_field,
                          const char *line, size_t length, uint64_t line_number, char *reason,
                          size_t reason_size);

#endif /* TP_CORE_CSV_H */
