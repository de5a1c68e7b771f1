/* tests/unit/test_harness.c - the synchronous harness: outcomes (out, dropped, dead, blank),
 * error messages with line numbers, the report at the end, and opening a missing pipeline. */
#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "harness.h"
#include "test_pipeline.h"

START_TEST(outcomes_and_report) {
  const tp_plugin *plugins[] = {&test_plugin_filter, &test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 2, TP_INPUT_NDJSON, NULL);
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_harness_open_pipeline(pipeline, &harness, &err), 0);
  char *output = NULL;

  ck_assert_int_eq(
      tp_harness_process_line(harness, "{\"id\":1,\"text\":\"keep\"}\n", &output, &err),
      TP_HARNESS_OUT);
  ck_assert_str_eq(output, "{\"id\":1,\"text\":\"keep\",\"filter\":true,\"count\":1}");
  free(output);

  ck_assert_int_eq(tp_harness_process_line(harness, "{\"text\":\"drop me\"}", &output, &err),
                   TP_HARNESS_DROPPED);
  ck_assert_ptr_null(output);
  ck_assert_str_eq(err.message, "line 2: dropped by filter0");

  ck_assert_int_eq(tp_harness_process_line(harness, "{\"text\":\"fail now\"}", &output, &err),
                   TP_HARNESS_DEAD);
  ck_assert_str_eq(err.message, "line 3: filter0: asked to fail");

  ck_assert_int_eq(tp_harness_process_line(harness, "  \r\n", &output, &err), TP_HARNESS_DROPPED);
  ck_assert_str_eq(err.message, "line 4: empty line skipped");

  ck_assert_int_eq(tp_harness_process_line(harness, "[1]", &output, &err), TP_HARNESS_DEAD);
  ck_assert_str_eq(err.message, "line 5: expected a JSON object, got an array");

  ck_assert_int_eq(tp_harness_process_line(harness, "{\"id\":6,\"text\":\"again\"}", &output, &err),
                   TP_HARNESS_OUT);
  ck_assert_str_eq(output, "{\"id\":6,\"text\":\"again\",\"filter\":true,\"count\":2}");
  free(output);

  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  const cJSON *counts = cJSON_GetObjectItem(report, "counts");
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "in")->valueint, 5);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "out")->valueint, 2);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "dropped")->valueint, 1);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "dead_letter")->valueint, 2);
  ck_assert_int_eq(cJSON_GetObjectItem(counts, "skipped_empty")->valueint, 1);
  const cJSON *section = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "count1");
  ck_assert_int_eq(cJSON_GetObjectItem(section, "records")->valueint, 2);
  ck_assert_int_eq(cJSON_GetObjectItem(section, "line_sum")->valueint, 7);
  cJSON_Delete(report);
  ck_assert_ptr_null(tp_harness_finish(harness, &err));
  ck_assert_str_eq(err.message, "the harness was already finished");
  tp_harness_close(harness);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(oversize_line_is_dead) {
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, TP_INPUT_NDJSON, NULL);
  pipeline->max_record_bytes = 10;
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_harness_open_pipeline(pipeline, &harness, &err), 0);
  char *output = NULL;
  ck_assert_int_eq(tp_harness_process_line(harness, "{\"text\":\"0123456789\"}", &output, &err),
                   TP_HARNESS_DEAD);
  ck_assert_str_eq(err.message, "line 1: record of 21 bytes is over the limit of 10 bytes");
  tp_harness_close(harness);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(missing_pipeline_file) {
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_harness_open("/nonexistent/pipeline.json", &harness, &err), -1);
  ck_assert_ptr_null(harness);
  ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/pipeline.json"));
}
END_TEST

/* The real loader, host and .so files: what plugin tests do with their own plugin. */
START_TEST(fixture_plugins_through_the_loader) {
  const char *build = getenv("TEXTPIPE_BUILD_ROOT");
  ck_assert_ptr_nonnull(build);
  char plugin_path[4096];
  snprintf(plugin_path, sizeof plugin_path, "%s/tests/fixtures/plugins", build);
  setenv("TEXTPIPE_PLUGIN_PATH", plugin_path, 1);
  char path[] = "/tmp/textpipe-harness-XXXXXX";
  int fd = mkstemp(path);
  const char *pipeline = "{\"name\": \"h\", \"stages\": [{\"plugin\": \"echo\", \"config\": "
                         "{\"prefix\": \"> \"}}, {\"plugin\": \"flaky\"}]}";
  ck_assert_int_eq(write(fd, pipeline, strlen(pipeline)), (ssize_t)strlen(pipeline));
  close(fd);
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  int opened = tp_harness_open(path, &harness, &err);
  unlink(path);
  ck_assert_msg(opened == 0, "%s", err.message);
  char *output = NULL;
  ck_assert_int_eq(tp_harness_process_line(harness, "{\"text\":\"one\"}", &output, &err),
                   TP_HARNESS_OUT);
  ck_assert_str_eq(output, "{\"text\":\"one\",\"echo\":\"> one\"}");
  free(output);
  ck_assert_int_eq(tp_harness_process_line(harness, "{\"text\":\"two\"}", &output, &err),
                   TP_HARNESS_DEAD);
  ck_assert_str_eq(err.message, "line 2: flaky: rejected line 2 (this fixture fails every even "
                                "line)");
  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  const cJSON *echo = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "echo");
  ck_assert_int_eq(cJSON_GetObjectItem(echo, "records")->valueint, 2);
  const cJSON *stages = cJSON_GetObjectItem(report, "stages");
  ck_assert_int_eq(cJSON_GetArraySize(stages), 2);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(stages, 1), "id")->valuestring, "flaky");
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(stages, 1), "errors")->valueint, 1);
  cJSON_Delete(report);
  tp_harness_close(harness);
}
END_TEST

static Suite *harness_suite(void) {
  Suite *suite = suite_create("harness");
  TCase *process = tcase_create("process");
  tcase_add_test(process, outcomes_and_report);
  tcase_add_test(process, oversize_line_is_dead);
  suite_add_tcase(suite, process);
  TCase *open = tcase_create("open");
  tcase_add_test(open, missing_pipeline_file);
  tcase_add_test(open, fixture_plugins_through_the_loader);
  suite_add_tcase(suite, open);
  return suite;
}

int main(void) {
  return tp_check_run(harness_suite());
}
