/* test_sentiment_harness.c - Check suite of the sentiment stage through the real loader, host
 * and harness (core/harness.h), after the real tokenize stage: enriched records (labels,
 * per-sentence scores, lexicon_extra), the report section, and a configuration error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void pipeline_path(const char *name, char *path, size_t size) {
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  snprintf(path, size, "%s/tests/plugins/sentiment/%s", root ? root : ".", name);
}

/* Runs one line and returns its "sentiment" object (owned by *record). */
static const cJSON *run_line(tp_harness *harness, const char *line, cJSON **record) {
  char *output = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_harness_process_line(harness, line, &output, &err), TP_HARNESS_OUT);
  *record = cJSON_Parse(output);
  free(output);
  ck_assert_ptr_nonnull(*record);
  const cJSON *sentiment = cJSON_GetObjectItem(*record, "sentiment");
  ck_assert_ptr_nonnull(sentiment);
  return sentiment;
}

static const char *label_of(const cJSON *sentiment) {
  return cJSON_GetObjectItem(sentiment, "label")->valuestring;
}

START_TEST(test_records_and_report) {
  char path[4096];
  pipeline_path("pipeline.json", path, sizeof path);
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_harness_open(path, &harness, &err) == 0, "%s", err.message);
  cJSON *record = NULL;

  const cJSON *sentiment = run_line(
      harness, "{\"id\":\"a\",\"text\":\"I love this phone. The battery is great!\"}", &record);
  ck_assert_str_eq(label_of(sentiment), "positive");
  ck_assert_double_gt(cJSON_GetObjectItem(sentiment, "compound")->valuedouble, 0.5);
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(sentiment, "sentences")), 2);
  double parts = cJSON_GetObjectItem(sentiment, "positive")->valuedouble +
                 cJSON_GetObjectItem(sentiment, "neutral")->valuedouble +
                 cJSON_GetObjectItem(sentiment, "negative")->valuedouble;
  ck_assert_double_eq_tol(parts, 1.0, 0.002);
  cJSON_Delete(record);

  sentiment =
      run_line(harness, "{\"id\":\"b\",\"text\":\"It is not good, it broke in a week.\"}", &record);
  ck_assert_str_eq(label_of(sentiment), "negative");
  cJSON_Delete(record);

  sentiment = run_line(harness, "{\"id\":\"c\",\"text\":\"The box is brown.\"}", &record);
  ck_assert_str_eq(label_of(sentiment), "neutral");
  cJSON_Delete(record);

  sentiment = run_line(harness, "{\"id\":\"d\",\"text\":\"That is mission washing.\"}", &record);
  ck_assert_str_eq(label_of(sentiment), "negative"); /* lexicon_extra */
  cJSON_Delete(record);

  sentiment = run_line(harness, "{\"text\":\"This is the WORST thing EVER!!!\"}", &record);
  ck_assert_str_eq(label_of(sentiment), "negative");
  cJSON_Delete(record);

  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  const cJSON *section = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "sentiment");
  ck_assert_ptr_nonnull(section);
  ck_assert_int_eq(cJSON_GetObjectItem(section, "records")->valueint, 5);
  const cJSON *labels = cJSON_GetObjectItem(section, "labels");
  ck_assert_int_eq(cJSON_GetObjectItem(labels, "positive")->valueint, 1);
  ck_assert_int_eq(cJSON_GetObjectItem(labels, "neutral")->valueint, 1);
  ck_assert_int_eq(cJSON_GetObjectItem(labels, "negative")->valueint, 3);
  const cJSON *best = cJSON_GetArrayItem(cJSON_GetObjectItem(section, "most_positive"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(best, "id")->valuestring, "a");
  const cJSON *worst = cJSON_GetArrayItem(cJSON_GetObjectItem(section, "most_negative"), 0);
  ck_assert_int_eq(cJSON_GetObjectItem(worst, "id")->valueint, 5); /* no "id": its line */
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(section, "most_negative")), 2);
  const cJSON *histogram = cJSON_GetObjectItem(section, "histogram");
  ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(histogram, "counts")), 20);
  cJSON_Delete(report);
  tp_harness_close(harness);
}
END_TEST

START_TEST(test_config_error) {
  char path[4096];
  pipeline_path("bad_extra.json", path, sizeof path);
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_harness_open(path, &harness, &err), -1);
  ck_assert_msg(strstr(err.message, "lexicon_extra") != NULL, "got \"%s\"", err.message);
  ck_assert_msg(strstr(err.message, "mission washing") != NULL, "got \"%s\"", err.message);
}
END_TEST

static Suite *sentiment_harness_suite(void) {
  Suite *suite = suite_create("sentiment_harness");
  TCase *records = tcase_create("records_and_report");
  tcase_add_test(records, test_records_and_report);
  suite_add_tcase(suite, records);
  TCase *config = tcase_create("config_error");
  tcase_add_test(config, test_config_error);
  suite_add_tcase(suite, config);
  return suite;
}

int main(void) {
  SRunner *runner = srunner_create(sentiment_harness_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
