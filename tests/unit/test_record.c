/* tests/unit/test_record.c - records: UTF-8 check, preparing a record from a line (every kind
 * of bad input), attachments, dead-letter records. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "record.h"
#include "test_pipeline.h"

typedef struct utf8_case {
  const char *bytes;
  size_t length;
  size_t valid; /* expected valid prefix */
} utf8_case;

static const utf8_case utf8_cases[] = {
    {"plain ascii text, long enough for the fast path", 48, 48},
    {"caf\xC3\xA9", 5, 5},
    {"\xE2\x82\xAC euro", 8, 8},
    {"\xF0\x9F\x98\x80 smile", 10, 10},
    {"ab\xC3", 3, 2},           /* truncated sequence */
    {"\xC0\xAF", 2, 0},         /* overlong '/' */
    {"\xE0\x80\xAF", 3, 0},     /* overlong three bytes */
    {"x\xED\xA0\x80", 4, 1},    /* UTF-16 surrogate */
    {"\xF4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
    {"abcdefgh\xFFxyz", 12, 8}, /* invalid byte after the fast path */
    {"\xE2\x28\xA1", 3, 0},     /* bad continuation */
    {"", 0, 0},
};

/* One sequence at each place of ASCII text, across the 16- and 8-byte fast paths and the
 * bytes after them: a valid one ("\xC3\xA9"), an invalid byte, a truncated sequence and an
 * overlong one; the valid prefix ends just before a bad one. */
START_TEST(utf8_sequence_at_every_place) {
  static const struct {
    const char *bytes;
    size_t valid; /* of the sequence's own bytes */
  } sequences[] = {{"\xC3\xA9", 2},
                   {"\xFF", 0},
                   {"\xC3"
                    "a",
                    0},
                   {"\xE0\x80\xAF", 0}};
  char text[56];
  for (size_t s = 0; s < sizeof sequences / sizeof *sequences; s++) {
    size_t size = strlen(sequences[s].bytes);
    for (size_t length = size; length <= sizeof text; length++)
      for (size_t at = 0; at + size <= length; at++) {
        memset(text, 'a', sizeof text);
        memcpy(text + at, sequences[s].bytes, size);
        size_t expected = sequences[s].valid == size ? length : at;
        ck_assert_msg(tp_utf8_valid_prefix(text, length) == expected,
                      "sequence %zu at %zu of %zu: %zu", s, at, length,
                      tp_utf8_valid_prefix(text, length));
      }
  }
}
END_TEST

START_TEST(utf8_valid_prefix_table) {
  const utf8_case *c = &utf8_cases[_i];
  ck_assert_uint_eq(tp_utf8_valid_prefix(c->bytes, c->length), c->valid);
}
END_TEST

typedef struct prepare_case {
  const char *line;
  tp_input_format format;
  const char *text_field;
  const char *reason; /* NULL: prepared fine */
  const char *text;   /* expected text when fine */
} prepare_case;

static const prepare_case prepare_cases[] = {
    {"{\"id\": 1, \"text\": \"hello\"}", TP_INPUT_NDJSON, "text", NULL, "hello"},
    /* the text's length: from the fast parse when it is the longest string (escapes counted
     * unescaped), else measured: a longer member after it, a longer name, one as long */
    {"{\"text\": \"a\\tb\\\"c\\\\\"}", TP_INPUT_NDJSON, "text", NULL, "a\tb\"c\\"},
    {"{\"text\": \"short\", \"title\": \"a longer string\"}", TP_INPUT_NDJSON, "text", NULL,
     "short"},
    {"{\"text\": \"short\", \"a longer member name\": 1}", TP_INPUT_NDJSON, "text", NULL, "short"},
    {"{\"text\": \"tie\", \"and\": \"two\"}", TP_INPUT_NDJSON, "text", NULL, "tie"},
    {"{\"comment\": {\"body\": \"deep\"}}", TP_INPUT_NDJSON, "comment.body", NULL, "deep"},
    /* names that start as a part of the path does, longer or shorter, are other members */
    {"{\"textual\": \"no\", \"tex\": \"no\", \"text\": \"yes\"}", TP_INPUT_NDJSON, "text", NULL,
     "yes"},
    {"{\"commentary\": {\"body\": \"no\"}, \"comment\": {\"bod\": 1, \"bodywork\": 2, "
     "\"body\": \"deep\"}}",
     TP_INPUT_NDJSON, "comment.body", NULL, "deep"},
    {"{\"comment\": {\"body\": 3}}", TP_INPUT_NDJSON, "comment.body",
     "text field \"comment.body\" is a number, expected a string", NULL},
    {"{\"comment\": \"flat\"}", TP_INPUT_NDJSON, "comment.body",
     "missing text field \"comment.body\"", NULL},
    {"{\"id\": 1}", TP_INPUT_NDJSON, "text", "missing text field \"text\"", NULL},
    {"{\"text\": null}", TP_INPUT_NDJSON, "text", "text field \"text\" is null, expected a string",
     NULL},
    {"[1, 2]", TP_INPUT_NDJSON, "text", "expected a JSON object, got an array", NULL},
    {"\"just a string\"", TP_INPUT_NDJSON, "text", "expected a JSON object, got a string", NULL},
    {"{\"text\": \"a\"} trailing", TP_INPUT_NDJSON, "text", "invalid JSON at column 15", NULL},
    {"{\"text\": ", TP_INPUT_NDJSON, "text", "invalid JSON: unexpected end of line", NULL},
    {"{\"text\": \"caf\xC3\"}", TP_INPUT_NDJSON, "text", "invalid UTF-8 at byte 14", NULL},
    {"plain words", TP_INPUT_LINES, "text", NULL, "plain words"},
    {"{\"not\": \"parsed\"}", TP_INPUT_LINES, "text", NULL, "{\"not\": \"parsed\"}"},
    {"bad \xFF byte", TP_INPUT_LINES, "text", "invalid UTF-8 at byte 5", NULL},
};

START_TEST(prepare_table) {
  const prepare_case *c = &prepare_cases[_i];
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, c->format, c->text_field);
  tp_record record = {0};
  char reason[TP_REASON_SIZE] = "";
  int status =
      tp_record_prepare(&record, pipeline, c->line, strlen(c->line), 7, reason, sizeof reason);
  if (c->reason != NULL) {
    ck_assert_int_eq(status, -1);
    ck_assert_str_eq(reason, c->reason);
    ck_assert_ptr_null(record.json);
  } else {
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(record.text, c->text);
    ck_assert_uint_eq(record.text_length, strlen(c->text));
    ck_assert_uint_eq(record.line, 7);
    ck_assert_ptr_eq(record.input, c->line);
  }
  tp_record_release(&record);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(lines_record_shape) {
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, TP_INPUT_LINES, NULL);
  tp_record record = {0};
  char reason[TP_REASON_SIZE];
  ck_assert_int_eq(tp_record_prepare(&record, pipeline, "say \"hi\"", 8, 42, reason, sizeof reason),
                   0);
  char *printed = cJSON_PrintUnformatted(record.json);
  ck_assert_str_eq(printed, "{\"id\":42,\"text\":\"say \\\"hi\\\"\"}");
  free(printed);
  tp_record_release(&record);
  test_pipeline_free(pipeline);
}
END_TEST

/* NUL characters cannot travel in a cJSON string (it ends at the first one), so a line that
 * would carry one gets U+FFFD in its place, and the rest of its text is kept. */
typedef struct nul_case {
  const char *line;
  size_t length;
  tp_input_format format;
  const char *text; /* the record's text */
  int nul_replaced; /* record->nul_replaced */
} nul_case;

/* A string literal and its length (the NUL bytes inside included). */
#define LINE(literal) literal, sizeof(literal) - 1
#define FFFD          "\xEF\xBF\xBD"

static const nul_case nul_cases[] = {
    {LINE("ab\0cd"), TP_INPUT_LINES, "ab" FFFD "cd", 1},
    {LINE("\0"), TP_INPUT_LINES, FFFD, 1},
    {LINE("{\"text\": \"a\0b\"}"), TP_INPUT_NDJSON, "a" FFFD "b", 1},
    {LINE("{\"text\": \"a\\u0000b\"}"), TP_INPUT_NDJSON, "a" FFFD "b", 1},
    {LINE("{\"x\": \"\\u0000\", \"text\": \"ok\"}"), TP_INPUT_NDJSON, "ok", 1},
    /* an escaped backslash followed by the letters u0000: no NUL */
    {LINE("{\"text\": \"a\\\\u0000b\"}"), TP_INPUT_NDJSON, "a\\u0000b", 0},
    {LINE("{\"text\": \"a\\\\\\u0000b\"}"), TP_INPUT_NDJSON, "a\\" FFFD "b", 1},
    {LINE("{\"text\": \"\\u00001\"}"), TP_INPUT_NDJSON, FFFD "1", 1},
    {LINE("{\"text\": \"\\u0001\"}"), TP_INPUT_NDJSON, "\x01", 0},
    {LINE("u0000 \\u0000"), TP_INPUT_LINES, "u0000 \\u0000", 0},
};

START_TEST(nul_character_table) {
  const nul_case *c = &nul_cases[_i];
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, c->format, NULL);
  tp_record record = {0};
  char reason[TP_REASON_SIZE] = "";
  int status = tp_record_prepare(&record, pipeline, c->line, c->length, 1, reason, sizeof reason);
  ck_assert_msg(status == 0, "refused: %s", reason);
  ck_assert_str_eq(record.text, c->text);
  ck_assert_uint_eq(record.text_length, strlen(c->text));
  ck_assert_int_eq(record.nul_replaced, c->nul_replaced);
  ck_assert_ptr_eq(record.input, c->line); /* dead-letters still show the original */
  tp_record_release(&record);
  ck_assert_int_eq(record.nul_replaced, 0);
  test_pipeline_free(pipeline);
}
END_TEST

/* A NUL inside a line that is not JSON: the JSON error, with the original's column. */
START_TEST(nul_in_invalid_json) {
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, TP_INPUT_NDJSON, NULL);
  tp_record record = {0};
  char reason[TP_REASON_SIZE] = "";
  ck_assert_int_eq(
      tp_record_prepare(&record, pipeline, LINE("{\"text\": \"a\0\" x"), 1, reason, sizeof reason),
      -1);
  ck_assert_str_eq(reason, "invalid JSON at column 15");
  tp_record_release(&record);
  test_pipeline_free(pipeline);
}
END_TEST

static int freed_count;
static void count_free(void *data) {
  freed_count++;
  free(data);
}

START_TEST(attachments_replace_and_free) {
  tp_record record = {0};
  freed_count = 0;
  /* Keys must outlive the record (the host passes the plugin's provides entries). */
  static const char *const keys[] = {"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"};
  for (int i = 0; i < 10; i++) {
    ck_assert_int_eq(tp_record_attach(&record, keys[i], malloc(4), count_free), 0);
  }
  ck_assert_uint_eq(record.attachment_count, 10);
  void *replacement = malloc(4);
  ck_assert_int_eq(tp_record_attach(&record, "k3", replacement, count_free), 0);
  ck_assert_int_eq(freed_count, 1);
  ck_assert_ptr_eq(tp_record_attachment(&record, "k3"), replacement);
  ck_assert_ptr_null(tp_record_attachment(&record, "missing"));
  tp_record_reset(&record);
  ck_assert_int_eq(freed_count, 11);
  ck_assert_uint_eq(record.attachment_count, 0);
  ck_assert_ptr_null(tp_record_attachment(&record, "k3"));
  tp_record_release(&record);
}
END_TEST

START_TEST(dead_letter_shape) {
  cJSON *letter = tp_dead_letter_create(&(tp_position){.number = 12}, NULL,
                                        "invalid JSON at column 3", "{x\xFF", 3);
  char *printed = cJSON_PrintUnformatted(letter);
  ck_assert_str_eq(printed, "{\"line\":12,\"stage\":null,\"reason\":\"invalid JSON at column "
                            "3\",\"input\":\"{x\xEF\xBF\xBD\"}");
  free(printed);
  cJSON_Delete(letter);
  letter = tp_dead_letter_create(&(tp_position){.number = 3}, "sentiment", "boom", "{}", 2);
  printed = cJSON_PrintUnformatted(letter);
  ck_assert_str_eq(printed,
                   "{\"line\":3,\"stage\":\"sentiment\",\"reason\":\"boom\",\"input\":\"{}\"}");
  free(printed);
  cJSON_Delete(letter);
  /* a broker's entry is named by its id, not by the order this run read it in */
  letter = tp_dead_letter_create(&(tp_position){.number = 7, .id = "1700000000000-3"}, NULL,
                                 "no field \"record\"", "", 0);
  printed = cJSON_PrintUnformatted(letter);
  ck_assert_str_eq(printed, "{\"entry_id\":\"1700000000000-3\",\"stage\":null,\"reason\":"
                            "\"no field \\\"record\\\"\",\"input\":\"\"}");
  free(printed);
  cJSON_Delete(letter);
}
END_TEST

START_TEST(lossy_string_keeps_valid_text) {
  cJSON *string = tp_json_string_lossy("a\xC3\xA9\xFF\xFE z", 7);
  ck_assert_str_eq(string->valuestring, "a\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD z");
  cJSON_Delete(string);
  /* a NUL byte would end the string: it becomes U+FFFD too, and the rest is kept */
  string = tp_json_string_lossy("x\0y\xFF", 4);
  ck_assert_str_eq(string->valuestring, "x\xEF\xBF\xBDy\xEF\xBF\xBD");
  cJSON_Delete(string);
}
END_TEST

static Suite *record_suite(void) {
  Suite *suite = suite_create("record");
  TCase *utf8 = tcase_create("utf8");
  tcase_add_loop_test(utf8, utf8_valid_prefix_table, 0,
                      (int)(sizeof utf8_cases / sizeof utf8_cases[0]));
  tcase_add_test(utf8, utf8_sequence_at_every_place);
  tcase_add_test(utf8, lossy_string_keeps_valid_text);
  suite_add_tcase(suite, utf8);
  TCase *prepare = tcase_create("prepare");
  tcase_add_loop_test(prepare, prepare_table, 0,
                      (int)(sizeof prepare_cases / sizeof prepare_cases[0]));
  tcase_add_test(prepare, lines_record_shape);
  tcase_add_loop_test(prepare, nul_character_table, 0,
                      (int)(sizeof nul_cases / sizeof nul_cases[0]));
  tcase_add_test(prepare, nul_in_invalid_json);
  suite_add_tcase(suite, prepare);
  TCase *attachments = tcase_create("attachments");
  tcase_add_test(attachments, attachments_replace_and_free);
  suite_add_tcase(suite, attachments);
  TCase *dead = tcase_create("dead_letter");
  tcase_add_test(dead, dead_letter_shape);
  suite_add_tcase(suite, dead);
  return suite;
}

int main(void) {
  return tp_check_run(record_suite());
}
