/* tests/unit/test_report.c - the report object (keys in the documented order, counts,
 * per-stage entries, sections), writing it to a file, and the summary line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "report.h"
#include "test_pipeline.h"
#include "tp_config.h"

START_TEST(report_shape) {
  const tp_plugin *plugins[] = {&test_plugin_filter, &test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 2, TP_INPUT_LINES, NULL);
  tp_run_counts counts = {
      .in = 12, .out = 9, .dropped = 2, .dead_letter = 1, .skipped_empty = 3, .bytes = 6568};
  tp_stage_stats stats[2] = {{.seconds = 0.00123, .records = 12, .dropped = 2, .errors = 1},
                             {.seconds = 0.5, .records = 9}};
  cJSON *sections = cJSON_CreateObject();
  cJSON_AddObjectToObject(sections, "count1");
  cJSON *report = tp_report_build(pipeline, "stdin", &counts, 2, 0.0125, stats, sections);
  ck_assert_ptr_nonnull(report);
  char *printed = cJSON_PrintUnformatted(report);
  char expected[1024];
  snprintf(expected, sizeof expected,
           "{\"textpipe\":\"%s\",\"pipeline\":\"test\","
           "\"input\":{\"format\":\"lines\",\"bytes\":6568,\"source\":\"stdin\"},"
           "\"counts\":{\"in\":12,\"out\":9,\"dropped\":2,\"dead_letter\":1,\"not_written\":0,"
           "\"skipped_empty\":3},"
           "\"workers\":2,\"seconds\":0.013,"
           "\"stages\":[{\"id\":\"filter0\",\"plugin\":\"filter\",\"version\":\"0.1.0\","
           "\"seconds\":0.001,\"records\":12,\"dropped\":2,\"errors\":1},"
           "{\"id\":\"count1\",\"plugin\":\"count\",\"version\":\"1.0.0\",\"seconds\":0.5,"
           "\"records\":9,\"dropped\":0,\"errors\":0}],"
           "\"sections\":{\"count1\":{}}}",
           TP_VERSION);
  ck_assert_str_eq(printed, expected);
  free(printed);
  cJSON_Delete(report);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(report_written_to_file) {
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, TP_INPUT_NDJSON, NULL);
  tp_run_counts counts = {.in = 1, .out = 1};
  cJSON *report = tp_report_build(pipeline, "in.ndjson", &counts, 1, 0.0, NULL, NULL);
  char path[] = "/tmp/textpipe-report-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  tp_error err = {{0}};
  ck_assert_int_eq(tp_report_write(report, path, &err), 0);
  FILE *file = fopen(path, "r");
  char text[2048] = "";
  size_t length = fread(text, 1, sizeof text - 1, file);
  fclose(file);
  unlink(path);
  ck_assert_uint_gt(length, 0);
  ck_assert_int_eq(text[length - 1], '\n');
  cJSON *back = cJSON_Parse(text);
  ck_assert(cJSON_Compare(back, report, 1));
  cJSON_Delete(back);
  ck_assert_int_eq(tp_report_write(report, "/nonexistent/dir/report.json", &err), -1);
  ck_assert_str_eq(err.message,
                   "/nonexistent/dir/report.json: cannot write the report: no such file or "
                   "directory");
  cJSON_Delete(report);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(summary_line) {
  tp_run_counts counts = {
      .in = 10, .out = 7, .dropped = 1, .dead_letter = 2, .skipped_empty = 4, .bytes = 3000000};
  char line[256];
  tp_report_summary(&counts, 1.5, line, sizeof line);
  ck_assert_str_eq(line, "summary: in 10, out 7, dropped 1, dead-letter 2, skipped 4; 1.500 s, "
                         "2.0 MB/s");
  tp_report_summary(&(tp_run_counts){0}, 0.0, line, sizeof line);
  ck_assert_str_eq(line, "summary: in 0, out 0, dropped 0, dead-letter 0, skipped 0; 0.000 s, "
                         "0.0 MB/s");
}
END_TEST

static Suite *report_suite(void) {
  Suite *suite = suite_create("report");
  TCase *build = tcase_create("build");
  tcase_add_test(build, report_shape);
  tcase_add_test(build, report_written_to_file);
  suite_add_tcase(suite, build);
  TCase *summary = tcase_create("summary");
  tcase_add_test(summary, summary_line);
  suite_add_tcase(suite, summary);
  return suite;
}

int main(void) {
  return tp_check_run(report_suite());
}
