/* tests/unit/test_csv.c - CSV input: record ends across reads, RFC 4180 fields, the header
 * and the record object. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "csv.h"
#include "reader.h"
#include "record.h"

/* ---- splitting one record ----------------------------------------------------------------- */

#define MAX_FIELDS 4
static const struct {
  const char *record;
  int count; /* expected fields; -1: refused */
  const char *fields[MAX_FIELDS];
  const char *reason; /* start of the expected reason when refused */
} split_cases[] = {
    {"a,b,c", 3, {"a", "b", "c"}, NULL},
    {"a,,c", 3, {"a", "", "c"}, NULL},
    {",", 2, {"", ""}, NULL},
    {"", 1, {""}, NULL},
    {"a,b,", 3, {"a", "b", ""}, NULL},
    {"\"a,b\",c", 2, {"a,b", "c"}, NULL},
    {"\"a\"\"b\",c", 2, {"a\"b", "c"}, NULL},
    {"\"\"", 1, {""}, NULL},
    {"\"\",\"\"", 2, {"", ""}, NULL},
    {"\"\"\"\"", 1, {"\""}, NULL},
    {"\"a\"\",b\"", 1, {"a\",b"}, NULL},
    {"\"line 1\nline 2\",x", 2, {"line 1\nline 2", "x"}, NULL},
    {"\"para 1\n\npara 2\",x", 2, {"para 1\n\npara 2", "x"}, NULL},
    {"\"crlf\r\ninside\",y\r", 2, {"crlf\r\ninside", "y"}, NULL},
    {"a,b\r", 2, {"a", "b"}, NULL},
    {" a b , c ", 2, {" a b ", " c "}, NULL},
    {"caf\xC3\xA9,\"\xE2\x98\x95, \xC3\xBC\"", 2, {"caf\xC3\xA9", "\xE2\x98\x95, \xC3\xBC"}, NULL},
    {"\"x\"y,z", -1, {NULL}, "field 1: text after the closing quote"},
    {"a,\"b\" ,c", -1, {NULL}, "field 2: text after the closing quote"},
    {"ab\"c,d", -1, {NULL}, "field 1: a quote inside an unquoted field"},
    {"a, \"b\"", -1, {NULL}, "field 2: a quote inside an unquoted field"},
    {"\"abc", -1, {NULL}, "field 1: a quoted field never closes"},
    {"a,\"b\nc", -1, {NULL}, "field 2: a quoted field never closes"},
};

START_TEST(test_split_table) {
  tp_csv_row row;
  tp_csv_row_init(&row);
  char err[256] = "";
  const char *record = split_cases[_i].record;
  int status = tp_csv_split(&row, record, strlen(record), err, sizeof err);
  if (split_cases[_i].count < 0) {
    ck_assert_int_eq(status, -1);
    ck_assert_msg(strncmp(err, split_cases[_i].reason, strlen(split_cases[_i].reason)) == 0,
                  "reason: %s", err);
  } else {
    ck_assert_msg(status == 0, "refused: %s", err);
    ck_assert_uint_eq(row.count, (size_t)split_cases[_i].count);
    for (size_t field = 0; field < row.count; field++) {
      ck_assert_str_eq(row.bytes + row.offsets[field], split_cases[_i].fields[field]);
      ck_assert_uint_eq(row.lengths[field], strlen(split_cases[_i].fields[field]));
    }
  }
  tp_csv_row_free(&row);
}
END_TEST

START_TEST(test_split_reuses_row) {
  tp_csv_row row;
  tp_csv_row_init(&row);
  char err[128];
  ck_assert_int_eq(
      tp_csv_split(&row, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18", 44, err, sizeof err), 0);
  ck_assert_uint_eq(row.count, 18);
  ck_assert_str_eq(row.bytes + row.offsets[17], "18");
  ck_assert_int_eq(tp_csv_split(&row, "x", 1, err, sizeof err), 0);
  ck_assert_uint_eq(row.count, 1);
  ck_assert_str_eq(row.bytes + row.offsets[0], "x");
  ck_assert_int_eq(tp_csv_split(&row, "\"a\0b\",c", 7, err, sizeof err), 0);
  ck_assert_uint_eq(row.lengths[0], 3); /* a NUL inside a field is kept, with its length */
  tp_csv_row_free(&row);
}
END_TEST

/* ---- record ends across reads ------------------------------------------------------------- */

static const char stream_text[] = "h1,h2\r\n"
                                  "\"a\nb\",c\r\n"
                                  "\"x\"\"\n\",y\n"
                                  "ab\"c,d\n"
                                  "\"\"\"\",\"\n\n\"\n"
                                  "last,\"q\"";
static const char *const stream_records[] = {
    "h1,h2\r", "\"a\nb\",c\r", "\"x\"\"\n\",y", "ab\"c,d", "\"\"\"\",\"\n\n\"",
};
enum { STREAM_RECORDS = sizeof stream_records / sizeof stream_records[0] };

/* Feeds stream_text in pieces of `piece` bytes, the way the reader gets it. */
START_TEST(test_scan_across_reads) {
  size_t piece = (size_t)_i + 1;
  size_t total = sizeof stream_text - 1;
  tp_csv_scanner scanner;
  tp_csv_scanner_reset(&scanner);
  char current[256];
  size_t current_length = 0;
  int found = 0;
  for (size_t start = 0; start < total; start += piece) {
    size_t length = total - start < piece ? total - start : piece;
    const char *bytes = stream_text + start;
    while (length > 0) {
      size_t end = tp_csv_scan(&scanner, bytes, length);
      size_t take = end < length ? end : length;
      memcpy(current + current_length, bytes, take);
      current_length += take;
      if (end == length)
        break;
      current[current_length] = '\0';
      ck_assert_int_lt(found, STREAM_RECORDS);
      ck_assert_str_eq(current, stream_records[found]);
      found++;
      current_length = 0;
      bytes += end + 1;
      length -= end + 1;
    }
  }
  ck_assert_int_eq(found, STREAM_RECORDS);
  current[current_length] = '\0';
  ck_assert_str_eq(current, "last,\"q\""); /* no final newline: the end of input ends it */
}
END_TEST

START_TEST(test_scan_unterminated_quote_runs_on) {
  tp_csv_scanner scanner;
  tp_csv_scanner_reset(&scanner);
  const char *text = "\"open,\nnext,1\nmore\n";
  ck_assert_uint_eq(tp_csv_scan(&scanner, text, strlen(text)), strlen(text));
}
END_TEST

/* ---- header and record object ------------------------------------------------------------- */

static void split(tp_csv_row *row, const char *record) {
  char err[128];
  ck_assert_int_eq(tp_csv_split(row, record, strlen(record), err, sizeof err), 0);
}

static const struct {
  const char *header;
  const char *reason; /* NULL: accepted */
} header_cases[] = {
    {"id,text,author", NULL},
    {"\xEF\xBB\xBFtext,id", NULL},
    {"id,,text", "column 2 has no name"},
    {"text,id,text", "column \"text\" appears twice (columns 1 and 3)"},
    {"id,body", "no column \"text\" (the text_field); columns: id, body"},
};

START_TEST(test_header_table) {
  tp_csv_row header;
  tp_csv_row_init(&header);
  split(&header, header_cases[_i].header);
  char err[256] = "";
  int status = tp_csv_header_check(&header, "text", err, sizeof err);
  if (header_cases[_i].reason == NULL)
    ck_assert_msg(status == 0, "refused: %s", err);
  else {
    ck_assert_int_eq(status, -1);
    ck_assert_str_eq(err, header_cases[_i].reason);
  }
  tp_csv_row_free(&header);
}
END_TEST

START_TEST(test_object_from_row) {
  tp_csv_row header, row;
  tp_csv_row_init(&header);
  tp_csv_row_init(&row);
  split(&header, "\xEF\xBB\xBFid,text,score");
  char err[256] = "";
  ck_assert_int_eq(tp_csv_header_check(&header, "text", err, sizeof err), 0);
  split(&row, "7,\"Hello, \"\"world\"\"\n!\",0.5");
  cJSON *object = tp_csv_object(&header, &row, err, sizeof err);
  ck_assert_msg(object != NULL, "%s", err);
  char *json = cJSON_PrintUnformatted(object);
  ck_assert_str_eq(json, "{\"id\":\"7\",\"text\":\"Hello, \\\"world\\\"\\n!\",\"score\":\"0.5\"}");
  free(json);
  cJSON_Delete(object);

  split(&row, "8,short");
  ck_assert_ptr_null(tp_csv_object(&header, &row, err, sizeof err));
  ck_assert_str_eq(err, "the row has 2 fields, the header has 3 columns");
  split(&row, "1,2,3,4");
  ck_assert_ptr_null(tp_csv_object(&header, &row, err, sizeof err));
  ck_assert_str_eq(err, "the row has 4 fields, the header has 3 columns");
  /* a NUL byte in a field becomes U+FFFD instead of ending the string */
  ck_assert_int_eq(tp_csv_split(&row, "9,a\0b,1", 8, err, sizeof err), 0);
  object = tp_csv_object(&header, &row, err, sizeof err);
  ck_assert_msg(object != NULL, "%s", err);
  ck_assert_str_eq(cJSON_GetObjectItem(object, "text")->valuestring, "a\xEF\xBF\xBD"
                                                                     "b");
  cJSON_Delete(object);
  tp_csv_row_free(&header);
  tp_csv_row_free(&row);
}
END_TEST

/* ---- the reader's framer in CSV mode ------------------------------------------------------ */

typedef struct framed {
  char records[8][64];
  uint64_t lines[8];
  int count;
} framed;

static int collect(void *context, const char *line, size_t length, uint64_t number,
                   uint64_t full_length) {
  framed *out = context;
  ck_assert_uint_eq(full_length, length);
  ck_assert_int_lt(out->count, 8);
  memcpy(out->records[out->count], line, length);
  out->records[out->count][length] = '\0';
  out->lines[out->count++] = number;
  return 0;
}

static const char framed_text[] = "id,text\r\n"
                                  "1,\"two\r\nlines\"\r\n"
                                  "\r\n"
                                  "2,\"blank\n\nline inside\"\n"
                                  "3,plain";

/* Records keep their inner line breaks and carry the number of their first line, however the
 * input is cut into reads. */
START_TEST(test_framer_numbers_csv_records) {
  size_t piece = (size_t)_i + 1, total = sizeof framed_text - 1;
  framed out = {0};
  tp_framer framer;
  tp_csv_scanner scanner;
  tp_framer_init(&framer, 1024, collect, &out);
  tp_csv_scanner_reset(&scanner);
  framer.csv = &scanner;
  for (size_t start = 0; start < total; start += piece) {
    int failed = 0;
    size_t length = total - start < piece ? total - start : piece;
    ck_assert_uint_eq(tp_framer_feed(&framer, framed_text + start, length, &failed), length);
    ck_assert_int_eq(failed, 0);
  }
  ck_assert_int_eq(tp_framer_end(&framer), 0);
  tp_framer_free(&framer);
  ck_assert_int_eq(out.count, 4);
  ck_assert_str_eq(out.records[0], "id,text");
  ck_assert_str_eq(out.records[1], "1,\"two\r\nlines\"");
  ck_assert_str_eq(out.records[2], "2,\"blank\n\nline inside\"");
  ck_assert_str_eq(out.records[3], "3,plain");
  ck_assert_uint_eq(out.lines[0], 1);
  ck_assert_uint_eq(out.lines[1], 2);
  ck_assert_uint_eq(out.lines[2], 5); /* line 4 was blank */
  ck_assert_uint_eq(out.lines[3], 8);
  ck_assert_uint_eq(framer.skipped_empty, 1);
  ck_assert_uint_eq(framer.bytes, total);
}
END_TEST

/* ---- records ------------------------------------------------------------------------------- */

START_TEST(test_record_prepare) {
  tp_csv_row header;
  tp_csv_row_init(&header);
  char reason[256] = "";
  ck_assert_int_eq(tp_csv_header_read(&header, "id,body", 7, 7, "body", reason, sizeof reason), 0);
  tp_record record = {0};
  const char line[] = "7,\"Hi, \"\"you\"\"\"";
  ck_assert_int_eq(tp_csv_record_prepare(&record, &header, "body", line, sizeof line - 1, 12,
                                         reason, sizeof reason),
                   0);
  ck_assert_str_eq(record.text, "Hi, \"you\"");
  ck_assert_uint_eq(record.text_length, 9);
  ck_assert_uint_eq(record.line, 12);
  ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(record.json, "id")->valuestring, "7");
  tp_record_release(&record);

  tp_record bad = {0};
  ck_assert_int_eq(
      tp_csv_record_prepare(&bad, &header, "body", "1,\xFF", 3, 3, reason, sizeof reason), -1);
  ck_assert_str_eq(reason, "invalid UTF-8 at byte 3");
  ck_assert_int_eq(
      tp_csv_record_prepare(&bad, &header, "body", "1,2,3", 5, 4, reason, sizeof reason), -1);
  ck_assert_str_eq(reason, "CSV row: the row has 3 fields, the header has 2 columns");
  ck_assert_ptr_null(bad.json);
  tp_record_release(&bad);

  ck_assert_int_eq(tp_csv_header_read(&header, "id,body", 7, 900, NULL, reason, sizeof reason), -1);
  ck_assert_str_eq(reason, "longer than the record limit (900 bytes)");
  ck_assert_int_eq(tp_csv_header_read(&header, "id,\xC3", 4, 4, NULL, reason, sizeof reason), -1);
  ck_assert_str_eq(reason, "invalid UTF-8 at byte 4");
  ck_assert_int_eq(tp_csv_header_read(&header, "id,\"x", 5, 5, NULL, reason, sizeof reason), -1);
  ck_assert_str_eq(reason, "field 2: a quoted field never closes");
  tp_csv_row_free(&header);
}
END_TEST

static Suite *csv_suite(void) {
  Suite *suite = suite_create("csv");
  TCase *fields = tcase_create("fields");
  tcase_add_loop_test(fields, test_split_table, 0, sizeof split_cases / sizeof split_cases[0]);
  tcase_add_test(fields, test_split_reuses_row);
  suite_add_tcase(suite, fields);

  TCase *records = tcase_create("record_ends");
  tcase_add_loop_test(records, test_scan_across_reads, 0, (int)sizeof stream_text - 1);
  tcase_add_test(records, test_scan_unterminated_quote_runs_on);

  tcase_add_loop_test(records, test_framer_numbers_csv_records, 0, (int)sizeof framed_text - 1);
  suite_add_tcase(suite, records);

  TCase *objects = tcase_create("header_and_object");
  tcase_add_test(objects, test_record_prepare);
  tcase_add_loop_test(objects, test_header_table, 0, sizeof header_cases / sizeof header_cases[0]);
  tcase_add_test(objects, test_object_from_row);
  suite_add_tcase(suite, objects);
  return suite;
}

int main(void) {
  return tp_check_run(csv_suite());
}
