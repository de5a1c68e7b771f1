/* core/input/csv.c - CSV input (RFC 4180): record ends, fields, record objects (see csv.h).
 *
 * The scanner and the splitter follow the same four states; the scanner only needs them to
 * tell a line feed inside quotes from one that ends the record, the splitter also unescapes
 * and checks. The scanner is lenient (a stray quote is left for the splitter to refuse) so
 * that one bad record never shifts where the next one starts.
 */
#include "csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

enum {
  FIELD_START = 0, /* at the start of a field */
  UNQUOTED,        /* inside a field that did not start with a quote */
  QUOTED,          /* inside a quoted field */
  QUOTE_SEEN,      /* a quote inside a quoted field: its end, or the first of a doubled "" */
};

void tp_csv_scanner_reset(tp_csv_scanner *scanner) {
  scanner->state = FIELD_START;
}

size_t tp_csv_scan(tp_csv_scanner *scanner, const char *bytes, size_t length) {
  size_t position = 0;
  int state = scanner->state;
  while (position < length) {
    if (state == QUOTED) {
      /* Most of a quoted field is plain bytes: jump to the next quote. */
      const char *quote = memchr(bytes + position, '"', length - position);
      if (quote == NULL) {
        position = length;
        break;
      }
      position = (size_t)(quote - bytes) + 1;
      state = QUOTE_SEEN;
      continue;
    }
    char byte = bytes[position];
    if (byte == '\n') {
      scanner->state = FIELD_START;
      return position;
    }
    if (byte == ',')
      state = FIELD_START;
    else if (byte == '"')
      state = state == FIELD_START || state == QUOTE_SEEN ? QUOTED : UNQUOTED;
    else if (state == FIELD_START || (state == QUOTE_SEEN && byte != '\r'))
      state = UNQUOTED;
    position++;
  }
  scanner->state = state;
  return length;
}

void tp_csv_row_init(tp_csv_row *row) {
  memset(row, 0, sizeof *row);
}

void tp_csv_row_free(tp_csv_row *row) {
  free(row->bytes);
  free(row->offsets);
  free(row->lengths);
  tp_csv_row_init(row);
}

/* Room for `bytes` unescaped bytes and `fields` fields; false on OOM. */
static bool row_reserve(tp_csv_row *row, size_t bytes, size_t fields) {
  if (bytes > row->bytes_capacity) {
    char *grown = realloc(row->bytes, bytes);
    if (grown == NULL)
      return false;
    row->bytes = grown;
    row->bytes_capacity = bytes;
  }
  if (fields > row->fields_capacity) {
    size_t capacity = row->fields_capacity != 0 ? row->fields_capacity : 16;
    while (capacity < fields)
      capacity *= 2;
    size_t *offsets = realloc(row->offsets, capacity * sizeof *offsets);
    if (offsets != NULL)
      row->offsets = offsets;
    size_t *lengths = offsets != NULL ? realloc(row->lengths, capacity * sizeof *lengths) : NULL;
    if (lengths == NULL)
      return false;
    row->lengths = lengths;
    row->fields_capacity = capacity;
  }
  return true;
}

int tp_csv_split(tp_csv_row *row, const char *record, size_t length, char *err, size_t err_size) {
  if (length > 0 && record[length - 1] == '\r')
    length--;
  /* Unescaped fields are never longer than the record; each adds a NUL. Count the fields an
   * upper bound at a time: one per comma, plus one. */
  size_t commas = 0;
  for (const char *at = record; (at = memchr(at, ',', (size_t)(record + length - at))) != NULL;
       at++)
    commas++;
  if (!row_reserve(row, length + commas + 1, commas + 1)) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  row->count = 0;
  size_t out = 0, field_start = 0;
  int state = FIELD_START;
  for (size_t position = 0; position <= length; position++) {
    bool at_end = position == length;
    char byte = at_end ? ',' : record[position];
    if (state == QUOTED) {
      if (at_end) {
        snprintf(err, err_size, "field %zu: a quoted field never closes", row->count + 1);
        return -1;
      }
      if (byte == '"')
        state = QUOTE_SEEN;
      else
        row->bytes[out++] = byte;
      continue;
    }
    if (state == QUOTE_SEEN && byte == '"') {
      row->bytes[out++] = '"'; /* a doubled quote */
      state = QUOTED;
      continue;
    }
    if (byte == ',') {
      row->offsets[row->count] = field_start;
      row->lengths[row->count] = out - field_start;
      row->bytes[out++] = '\0';
      row->count++;
      field_start = out;
      state = FIELD_START;
      continue;
    }
    if (state == QUOTE_SEEN) {
      snprintf(err, err_size,
               "field %zu: text after the closing quote (a quote inside a quoted "
               "field is written \"\")",
               row->count + 1);
      return -1;
    }
    if (byte == '"') {
      if (state == FIELD_START) {
        state = QUOTED;
        continue;
      }
      snprintf(err, err_size,
               "field %zu: a quote inside an unquoted field (quote the field "
               "and double the quote)",
               row->count + 1);
      return -1;
    }
    row->bytes[out++] = byte;
    state = UNQUOTED;
  }
  return 0;
}

int tp_csv_header_check(tp_csv_row *header, const char *text_field, char *err, size_t err_size) {
  if (header->count > 0 && header->lengths[0] >= 3 &&
      memcmp(header->bytes + header->offsets[0], "\xEF\xBB\xBF", 3) == 0) {
    header->offsets[0] += 3; /* a byte order mark from a spreadsheet's export */
    header->lengths[0] -= 3;
  }
  bool found = text_field == NULL;
  for (size_t column = 0; column < header->count; column++) {
    const char *name = header->bytes + header->offsets[column];
    if (header->lengths[column] == 0) {
      snprintf(err, err_size, "column %zu has no name", column + 1);
      return -1;
    }
    if (strlen(name) != header->lengths[column]) {
      snprintf(err, err_size, "column %zu's name holds a NUL byte", column + 1);
      return -1;
    }
    for (size_t earlier = 0; earlier < column; earlier++) {
      if (strcmp(name, header->bytes + header->offsets[earlier]) == 0) {
        snprintf(err, err_size, "column \"%.100s\" appears twice (columns %zu and %zu)", name,
                 earlier + 1, column + 1);
        return -1;
      }
    }
    if (text_field != NULL && strcmp(name, text_field) == 0)
      found = true;
  }
  if (!found) {
    int used = snprintf(err, err_size, "no column \"%s\" (the text_field); columns:", text_field);
    for (size_t column = 0; column < header->count && used >= 0 && (size_t)used < err_size;
         column++)
      used += snprintf(err + used, err_size - (size_t)used, "%s %s", column == 0 ? "" : ",",
                       header->bytes + header->offsets[column]);
    return -1;
  }
  return 0;
}

int tp_csv_header_read(tp_csv_row *header, const char *line, size_t length, uint64_t full_length,
                       const char *text_field, char *err, size_t err_size) {
  if (full_length > length) {
    snprintf(err, err_size, "longer than the record limit (%llu bytes)",
             (unsigned long long)full_length);
    return -1;
  }
  size_t valid = tp_utf8_valid_prefix(line, length);
  if (valid < length) {
    snprintf(err, err_size, "invalid UTF-8 at byte %zu", valid + 1);
    return -1;
  }
  if (tp_csv_split(header, line, length, err, err_size) != 0)
    return -1;
  return tp_csv_header_check(header, text_field != NULL ? text_field : "text", err, err_size);
}

cJSON *tp_csv_object(const tp_csv_row *header, const tp_csv_row *row, char *err, size_t err_size) {
  if (row->count != header->count) {
    snprintf(err, err_size, "the row has %zu field%s, the header has %zu column%s", row->count,
             row->count == 1 ? "" : "s", header->count, header->count == 1 ? "" : "s");
    return NULL;
  }
  cJSON *object = cJSON_CreateObject();
  for (size_t column = 0; object != NULL && column < row->count; column++) {
    const char *value = row->bytes + row->offsets[column];
    /* a NUL byte would end the string: it becomes U+FFFD, as in the other input formats */
    cJSON *string = strlen(value) != row->lengths[column]
                        ? tp_json_string_lossy(value, row->lengths[column])
                        : cJSON_CreateString(value);
    if (string == NULL ||
        !cJSON_AddItemToObject(object, header->bytes + header->offsets[column], string)) {
      cJSON_Delete(string);
      cJSON_Delete(object);
      object = NULL;
    }
  }
  if (object == NULL)
    snprintf(err, err_size, "out of memory");
  return object;
}

int tp_csv_record_prepare(tp_record *record, const tp_csv_row *header, const char *text_field,
                          const char *line, size_t length, uint64_t line_number, char *reason,
                          size_t reason_size) {
  if (text_field == NULL)
    text_field = "text";
  if (tp_record_start(record, line, length, line_number, reason, reason_size) != 0)
    return -1;
  tp_csv_row row;
  tp_csv_row_init(&row);
  char err[256];
  cJSON *object = NULL;
  if (tp_csv_split(&row, line, length, err, sizeof err) == 0)
    object = tp_csv_object(header, &row, err, sizeof err);
  tp_csv_row_free(&row);
  if (object == NULL) {
    snprintf(reason, reason_size, "CSV row: %s", err);
    return -1;
  }
  const cJSON *text = cJSON_GetObjectItemCaseSensitive(object, text_field);
  if (!cJSON_IsString(text)) { /* the header was checked: only OOM gets here */
    snprintf(reason, reason_size, "CSV row: no \"%s\" field", text_field);
    cJSON_Delete(object);
    return -1;
  }
  record->json = object;
  record->text = text->valuestring;
  record->text_length = strlen(text->valuestring);
  record->nul_replaced = memchr(line, '\0', length) != NULL;
  return 0;
}
