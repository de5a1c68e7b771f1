/* test_sentiment_harness.c - Check suite of the sentiment stage through the real loader, host
 * and harness (core/run/harness.h), after the real tokenize stage: enriched records (labels,
 * per-sentence scores, lexicon_extra), the report section, and a configuration error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
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
  /* the blocks: tiles, histogram, timeline, then the listed records quoted with their text */
  const char *types[] = {"tiles", "histogram", "timeline", "quotes", "quotes"};
  const cJSON *blocks = cJSON_GetObjectItem(section, "blocks");
  ck_assert_int_eq(cJSON_GetArraySize(blocks), 5);
  for (int index = 0; index < 5; index++)
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, index), "type")->valuestring,
                     types[index]);
  const cJSON *bins = cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 1), "bins");
  ck_assert_int_eq(cJSON_GetArraySize(bins), 20);
  ck_assert(cJSON_GetObjectItem(cJSON_GetArrayItem(bins, 0), "from")->valuedouble == -1);
  const cJSON *quote =
      cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 4), "items"), 0);
  ck_assert_str_eq(cJSON_GetObjectItem(quote, "text")->valuestring,
                   "This is the WORST thing EVER!!!");
  ck_assert_int_eq(cJSON_GetObjectItem(quote, "record")->valueint, 5);
  cJSON_Delete(report);
  tp_harness_close(harness);
}
END_TEST

/* With time_field, the report also has the mean per time bucket; records whose field is missing
 * or not a time are counted as untimed, and still scored. */
START_TEST(test_time_timeline) {
  char path[4096];
  pipeline_path("pipeline_time.json", path, sizeof path);
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_harness_open(path, &harness, &err) == 0, "%s", err.message);
  static const char *const lines[] = {
      "{\"text\":\"I love it\",\"meta\":{\"created_at\":\"2024-05-01T10:00:00Z\"}}",
      "{\"text\":\"I hate it\",\"meta\":{\"created_at\":\"2024-05-01T12:30:00+02:00\"}}",
      "{\"text\":\"Great\",\"meta\":{\"created_at\":1714561200}}", /* 11:00Z */
      "{\"text\":\"No time here\"}",
      "{\"text\":\"Bad time\",\"meta\":{\"created_at\":\"soon\"}}",
  };
  double compounds[5];
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    cJSON *record = NULL;
    compounds[i] =
        cJSON_GetObjectItem(run_line(harness, lines[i], &record), "compound")->valuedouble;
    cJSON_Delete(record);
  }
  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  const cJSON *section = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "sentiment");
  const cJSON *timeline = cJSON_GetObjectItem(section, "time_timeline");
  /* 10:00, 10:30 and 11:00 UTC: one-minute buckets from 10:00 to 11:01 */
  ck_assert_str_eq(cJSON_GetObjectItem(timeline, "field")->valuestring, "meta.created_at");
  ck_assert_int_eq(cJSON_GetObjectItem(timeline, "bucket_seconds")->valueint, 60);
  ck_assert_str_eq(cJSON_GetObjectItem(timeline, "start")->valuestring, "2024-05-01T10:00:00Z");
  ck_assert_str_eq(cJSON_GetObjectItem(timeline, "end")->valuestring, "2024-05-01T11:01:00Z");
  ck_assert_int_eq(cJSON_GetObjectItem(timeline, "untimed")->valueint, 2);
  const cJSON *means = cJSON_GetObjectItem(timeline, "means");
  const cJSON *counts = cJSON_GetObjectItem(timeline, "counts");
  ck_assert_int_eq(cJSON_GetArraySize(means), 61);
  static const int filled[3] = {0, 30, 60}; /* records 0, 1, 2 */
  for (int bucket = 0, next = 0; bucket < 61; bucket++) {
    if (next < 3 && bucket == filled[next]) {
      ck_assert_double_eq_tol(cJSON_GetArrayItem(means, bucket)->valuedouble, compounds[next],
                              1e-4);
      ck_assert_int_eq(cJSON_GetArrayItem(counts, bucket)->valueint, 1);
      next++;
    } else {
      ck_assert(cJSON_IsNull(cJSON_GetArrayItem(means, bucket)));
      ck_assert_int_eq(cJSON_GetArrayItem(counts, bucket)->valueint, 0);
    }
  }
  ck_assert_int_eq(cJSON_GetObjectItem(section, "records")->valueint, 5);
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
  tcase_add_test(records, test_time_timeline);
  suite_add_tcase(suite, records);
  TCase *config = tcase_create("config_error");
  tcase_add_test(config, test_config_error);
  suite_add_tcase(suite, config);
  return suite;
}

int main(void) {
  return tp_check_run(sentiment_harness_suite());
}
