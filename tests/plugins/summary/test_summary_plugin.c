/* tests/plugins/summary/test_summary_plugin.c - the summary plugin through the real loader and
 * host (core/run/harness.h) behind the real tokenize stage: per-record summaries (limits, white
 * space made single spaces) and short comments, the digest in the report, an empty section
 * when nobody reads the report, and configuration errors as the user sees them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "harness.h"
#include "host.h"

/* Writes a pipeline [tokenize, summary with `config`] (or just [summary] when `tokenize` is 0)
 * to a temporary file; returns its path (caller frees and unlinks). */
static char *write_pipeline(const char *config, int tokenize) {
  char *path = strdup("/tmp/textpipe-summary-XXXXXX.json");
  int fd = mkstemps(path, 5);
  ck_assert_int_ge(fd, 0);
  FILE *file = fdopen(fd, "w");
  fprintf(file,
          "{\"name\": \"summary-test\", \"input\": {\"format\": \"ndjson\", \"text_field\": "
          "\"text\"},\n \"stages\": [%s{\"plugin\": \"summary\", \"config\": %s}]}\n",
          tokenize ? "{\"plugin\": \"tokenize\"}, " : "", config);
  fclose(file);
  return path;
}

static tp_harness *open_pipeline(const char *config, char **path) {
  tp_harness *harness = NULL;
  tp_error err;
  *path = write_pipeline(config, 1);
  if (tp_harness_open(*path, &harness, &err) != 0)
    ck_abort_msg("pipeline did not open: %s", err.message);
  return harness;
}

static void close_pipeline(tp_harness *harness, char *path) {
  tp_harness_close(harness);
  unlink(path);
  free(path);
}

/* Runs one line; returns the enriched record (caller deletes). */
static cJSON *run_line(tp_harness *harness, const char *line) {
  char *output = NULL;
  tp_error err;
  int outcome = tp_harness_process_line(harness, line, &output, &err);
  if (outcome != TP_HARNESS_OUT)
    ck_abort_msg("record did not come out (%d): %s", outcome, err.message);
  cJSON *record = cJSON_Parse(output);
  free(output);
  ck_assert_ptr_nonnull(record);
  return record;
}

static const char *const long_comment =
    "{\"id\": \"c1\", \"text\": \"The hotel room was clean and quiet. We arrived late at night "
    "after a long flight from Boston. The room was clean, quiet, and the bed was comfortable. "
    "Breakfast was fine. The staff at the desk was friendly and the room was spotless. Parking "
    "costs extra.\"}";

typedef struct limit_case {
  const char *config;
  int max_sentences, max_words;
} limit_case;

static const limit_case limit_cases[] = {
    {"{}", 2, 60},
    {"{\"max_sentences\": 1}", 1, 60},
    {"{\"max_sentences\": 3, \"max_words\": 12}", 3, 12},
};

static int count_words(const char *text) {
  int words = 0;
  for (const char *c = text; *c; c++)
    words += (c == text || c[-1] == ' ') && *c != ' ';
  return words;
}

START_TEST(long_comment_gets_summary_within_limits) {
  char *path;
  tp_harness *harness = open_pipeline(limit_cases[_i].config, &path);
  cJSON *record = run_line(harness, long_comment);
  const cJSON *summary = cJSON_GetObjectItem(record, "summary");
  ck_assert(cJSON_IsString(summary));
  const char *text = cJSON_GetObjectItem(record, "text")->valuestring;
  /* Each summary sentence is a sentence of the comment, in order. */
  int sentences = 0;
  const char *cursor = text;
  char *copy = strdup(summary->valuestring);
  for (char *piece = strtok(copy, "."); piece; piece = strtok(NULL, ".")) {
    while (*piece == ' ')
      piece++;
    if (!*piece)
      continue;
    const char *found = strstr(cursor, piece);
    ck_assert_msg(found != NULL, "\"%s\" not in order in the comment", piece);
    cursor = found + strlen(piece);
    sentences++;
  }
  free(copy);
  ck_assert_int_ge(sentences, 1);
  ck_assert_int_le(sentences, limit_cases[_i].max_sentences);
  ck_assert_int_le(count_words(summary->valuestring), limit_cases[_i].max_words);
  cJSON_Delete(record);
  close_pipeline(harness, path);
}
END_TEST

START_TEST(short_comment_has_no_summary) {
  char *path;
  tp_harness *harness = open_pipeline("{}", &path);
  cJSON *record = run_line(harness, "{\"id\": 7, \"text\": \"Great room. Friendly staff.\"}");
  ck_assert_ptr_null(cJSON_GetObjectItem(record, "summary"));
  cJSON_Delete(record);
  close_pipeline(harness, path);
}
END_TEST

/* Comments whose every sentence makes the summary (distinct words, room for all): the summary
 * is the text with each run of white space made one space and none at the ends, whether the
 * sentences are plain (copied whole) or not (tabs, line breaks, runs of spaces, also across
 * an 8-byte boundary, and a control byte, which is kept). */
static const char *const spacing_texts[] = {
    "Plain words here. Another plain sentence follows now.",
    "Tabs\there  and   there. Line\nbreaks inside\r\nthis one. Last\f one\vhere.",
    "  Leading space first.   Second sentence follows.  ",
    "abcdefg  hijklmn opqrstu. Abcdefghijklmno  pq rs. Short.",
    "Odd\001byte sits here. Fine sentence too.",
};

static int is_white(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

START_TEST(summary_normalizes_white_space) {
  char *path;
  tp_harness *harness =
      open_pipeline("{\"min_sentences\": 1, \"max_sentences\": 10, \"max_words\": 100}", &path);
  cJSON *line = cJSON_CreateObject();
  cJSON_AddStringToObject(line, "text", spacing_texts[_i]);
  char *input = cJSON_PrintUnformatted(line);
  cJSON *record = run_line(harness, input);
  char expected[256];
  size_t length = 0;
  for (const char *c = spacing_texts[_i]; *c; c++) {
    if (is_white(*c)) {
      if (length > 0 && expected[length - 1] != ' ')
        expected[length++] = ' ';
      continue;
    }
    expected[length++] = *c;
  }
  while (length > 0 && expected[length - 1] == ' ')
    length--;
  expected[length] = '\0';
  const cJSON *summary = cJSON_GetObjectItem(record, "summary");
  ck_assert(cJSON_IsString(summary));
  ck_assert_str_eq(summary->valuestring, expected);
  cJSON_Delete(record);
  cJSON_free(input);
  cJSON_Delete(line);
  close_pipeline(harness, path);
}
END_TEST

START_TEST(report_has_diverse_digest_with_ids) {
  static const char *const lines[] = {
      "{\"id\": \"a\", \"text\": \"The room was clean.\"}",
      "{\"id\": \"b\", \"text\": \"The room was very clean.\"}",
      "{\"id\": \"c\", \"text\": \"Our room was clean and tidy.\"}",
      "{\"id\": \"d\", \"text\": \"The staff was friendly.\"}",
      "{\"text\": \"Friendly and helpful staff.\"}",
      "{\"id\": \"f\", \"text\": \"The location is great.\"}",
      "{\"id\": \"g\", \"text\": \"Great location near the station.\"}",
  };
  char *path;
  tp_harness *harness = open_pipeline("{\"digest_size\": 3}", &path);
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
    cJSON_Delete(run_line(harness, lines[i]));
  tp_error err;
  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  const cJSON *digest = cJSON_GetObjectItem(
      cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "summary"), "digest");
  ck_assert_int_eq(cJSON_GetArraySize(digest), 3);
  int clean = 0;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, digest) {
    const cJSON *id = cJSON_GetObjectItem(entry, "id");
    ck_assert(cJSON_IsString(id) || (cJSON_IsNumber(id) && id->valueint == 5)); /* line 5 */
    clean += strstr(cJSON_GetObjectItem(entry, "text")->valuestring, "clean") != NULL;
  }
  ck_assert_int_eq(clean, 1);
  /* the digest is the first block, quoted in the same order with its records */
  const cJSON *block = cJSON_GetArrayItem(
      cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "summary"),
                          "blocks"),
      0);
  ck_assert_str_eq(cJSON_GetObjectItem(block, "type")->valuestring, "quotes");
  const cJSON *items = cJSON_GetObjectItem(block, "items");
  ck_assert_int_eq(cJSON_GetArraySize(items), 3);
  int index = 0;
  cJSON_ArrayForEach(entry, digest) {
    const cJSON *item = cJSON_GetArrayItem(items, index++);
    ck_assert_str_eq(cJSON_GetObjectItem(item, "text")->valuestring,
                     cJSON_GetObjectItem(entry, "text")->valuestring);
    ck_assert(
        cJSON_Compare(cJSON_GetObjectItem(item, "record"), cJSON_GetObjectItem(entry, "id"), 1));
  }
  cJSON_Delete(report);
  close_pipeline(harness, path);
}
END_TEST

/* When the run throws the sections away (`run` without --report: host->report_wanted 0),
 * finish leaves the section empty; the records are those of a run whose report is read. */
START_TEST(unread_report_leaves_the_section_empty) {
  char *unread_path = write_pipeline("{\"min_sentences\": 1}", 1), *path;
  tp_loader_options loader = {getenv("TEXTPIPE_PLUGIN_PATH"), tp_host_api()};
  tp_pipeline *pipeline = NULL;
  tp_error err;
  ck_assert_msg(tp_pipeline_load(unread_path, &loader, &pipeline, &err) == 0, "%s", err.message);
  unlink(unread_path);
  free(unread_path);
  pipeline->sections_discarded = 1;
  tp_harness *unread = NULL, *read = open_pipeline("{\"min_sentences\": 1}", &path);
  ck_assert_msg(tp_harness_open_pipeline(pipeline, &unread, &err) == 0, "%s", err.message);
  cJSON *record = run_line(unread, long_comment), *expected = run_line(read, long_comment);
  ck_assert(cJSON_Compare(record, expected, 1));
  cJSON_Delete(record);
  cJSON_Delete(expected);
  cJSON *report = tp_harness_finish(unread, &err);
  ck_assert_ptr_nonnull(report);
  char *printed = cJSON_PrintUnformatted(
      cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "summary"));
  ck_assert_str_eq(printed, "{}");
  free(printed);
  cJSON_Delete(report);
  tp_harness_close(unread);
  tp_pipeline_free(pipeline);
  close_pipeline(read, path);
}
END_TEST

typedef struct config_case {
  const char *config;
  int tokenize;
  const char *message; /* expected in the error */
} config_case;

static const config_case config_cases[] = {
    {"{\"digest_size\": 10, \"pool_size\": 4}", 1, "stages[1].config.pool_size: stage"},
    {"{\"max_words\": 0}", 1, "max_words"},
    {"{\"max_sentence\": 2}", 1, "max_sentence"},
    {"{\"redundancy\": \"high\"}", 1, "redundancy"},
    {"{}", 0, "tokens"},
};

START_TEST(config_errors_name_the_key) {
  const config_case *test_case = &config_cases[_i];
  char *path = write_pipeline(test_case->config, test_case->tokenize);
  tp_harness *harness = NULL;
  tp_error err;
  ck_assert_int_eq(tp_harness_open(path, &harness, &err), -1);
  ck_assert_msg(strstr(err.message, test_case->message) != NULL, "error \"%s\" lacks \"%s\"",
                err.message, test_case->message);
  unlink(path);
  free(path);
}
END_TEST

static Suite *summary_plugin_suite(void) {
  Suite *suite = suite_create("summary_plugin");
  TCase *record = tcase_create("per_record");
  tcase_add_loop_test(record, long_comment_gets_summary_within_limits, 0,
                      sizeof limit_cases / sizeof *limit_cases);
  tcase_add_test(record, short_comment_has_no_summary);
  tcase_add_loop_test(record, summary_normalizes_white_space, 0,
                      sizeof spacing_texts / sizeof *spacing_texts);
  suite_add_tcase(suite, record);
  TCase *report = tcase_create("report");
  tcase_add_test(report, report_has_diverse_digest_with_ids);
  tcase_add_test(report, unread_report_leaves_the_section_empty);
  suite_add_tcase(suite, report);
  TCase *config = tcase_create("config_errors");
  tcase_add_loop_test(config, config_errors_name_the_key, 0,
                      sizeof config_cases / sizeof *config_cases);
  suite_add_tcase(suite, config);
  return suite;
}

int main(void) {
  return tp_check_run(summary_plugin_suite());
}
