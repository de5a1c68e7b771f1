/* tests/unit/test_host.c - the host API table: record access, keys enforcement (a stage
 * writes only its `provides`), attachments, stage ids, report sections during finish and
 * whether those sections are wanted (report_wanted, ABI 2.3). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "host.h"
#include "record.h"
#include "stages.h"
#include "test_pipeline.h"

static const char line[] = "{\"id\": 5, \"text\": \"hello world\"}";

START_TEST(table_is_versioned) {
  const tp_host *host = tp_host_api();
  ck_assert_uint_eq(host->abi_major, TP_ABI_MAJOR);
  ck_assert_uint_eq(host->abi_minor, TP_ABI_MINOR);
  ck_assert_uint_eq(host->struct_size, sizeof(tp_host));
  ck_assert_ptr_eq(host, tp_host_api());
}
END_TEST

START_TEST(record_accessors) {
  tp_pipeline *pipeline = test_pipeline_new(NULL, 0, TP_INPUT_NDJSON, NULL);
  const tp_host *host = tp_host_api();
  tp_record record = {0};
  char reason[TP_REASON_SIZE];
  ck_assert_int_eq(
      tp_record_prepare(&record, pipeline, line, strlen(line), 9, reason, sizeof reason), 0);
  size_t length = 0;
  ck_assert_str_eq(host->record_text(&record, &length), "hello world");
  ck_assert_uint_eq(length, 11);
  ck_assert_uint_eq(host->record_line(&record), 9);
  ck_assert_int_eq(cJSON_GetObjectItem(host->record_json(&record), "id")->valueint, 5);
  /* Outside process() no stage owns anything. */
  ck_assert_int_eq(host->record_set(&record, "x", cJSON_CreateTrue()), -1);
  tp_record_release(&record);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(keys_are_enforced) {
  const tp_plugin *plugins[] = {&test_plugin_count, &test_plugin_thief};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 2, TP_INPUT_NDJSON, NULL);
  tp_error err;
  void **partials = tp_partials_create(pipeline, &err);
  ck_assert_ptr_nonnull(partials);
  tp_record record = {0};
  atomic_int warned[2] = {0, 0};
  record.key_warned = warned;
  char reason[TP_REASON_SIZE];
  tp_stage_stats stats[2] = {{0}};
  for (int round = 0; round < 2; round++) {
    ck_assert_int_eq(
        tp_record_prepare(&record, pipeline, line, strlen(line), 1, reason, sizeof reason), 0);
    for (size_t s = 0; s < 2; s++)
      ck_assert_int_eq(tp_stage_process(&pipeline->stages[s], partials[s], &record, &stats[s],
                                        reason, sizeof reason),
                       TP_KEEP);
    char *printed = cJSON_PrintUnformatted(record.json);
    /* count kept its value, the thief's foreign write and text replacement were refused. */
    ck_assert_str_eq(printed, round == 0 ? "{\"id\":5,\"text\":\"hello world\",\"count\":1,"
                                           "\"thief\":[-1,0,-1,-1]}"
                                         : "{\"id\":5,\"text\":\"hello world\",\"count\":2,"
                                           "\"thief\":[-1,0,-1,-1]}");
    free(printed);
    ck_assert_ptr_nonnull(tp_record_attachment(&record, "tokens"));
    ck_assert_ptr_null(tp_record_attachment(&record, "other"));
    ck_assert_ptr_null(record.stage);
    tp_record_reset(&record);
  }
  ck_assert_int_eq(atomic_load(&warned[1]), 1); /* logged once, not per record */
  ck_assert_uint_eq(stats[1].records, 2);
  tp_record_release(&record);
  tp_partials_destroy(pipeline, partials);
  test_pipeline_free(pipeline);
}
END_TEST

START_TEST(report_sections_in_order) {
  /* thief first: count0 has not finished yet, so it sees null; then the other order. */
  const tp_plugin *orders[2][2] = {{&test_plugin_thief, &test_plugin_count},
                                   {&test_plugin_count, &test_plugin_thief}};
  tp_pipeline *pipeline = test_pipeline_new(orders[_i], 2, TP_INPUT_NDJSON, NULL);
  if (_i == 0) { /* call the count stage "count0" although it runs second */
    free(pipeline->stages[1].id);
    pipeline->stages[1].id = strdup("count0");
  }
  tp_error err;
  void **partials = tp_partials_create(pipeline, &err);
  /* Feed the count stage three records directly. */
  size_t count_index = _i == 0 ? 1 : 0;
  tp_record record = {0};
  char reason[TP_REASON_SIZE];
  tp_stage_stats stats = {0};
  for (int i = 0; i < 3; i++) {
    tp_record_prepare(&record, pipeline, line, strlen(line), (uint64_t)i + 1, reason,
                      sizeof reason);
    tp_stage_process(&pipeline->stages[count_index], partials[count_index], &record, &stats, reason,
                     sizeof reason);
    tp_record_reset(&record);
  }
  cJSON *sections = cJSON_CreateObject();
  void **per_worker[1] = {partials};
  ck_assert_int_eq(tp_stages_finish(pipeline, per_worker, 1, sections, &err), 0);
  char *printed = cJSON_PrintUnformatted(sections);
  if (_i == 0)
    ck_assert_str_eq(printed, "{\"thief0\":{\"seen\":null,\"stage\":\"thief0\"},"
                              "\"count0\":{\"records\":3,\"line_sum\":6,\"workers_merged\":0}}");
  else
    ck_assert_str_eq(printed, "{\"count0\":{\"records\":3,\"line_sum\":6,\"workers_merged\":0},"
                              "\"thief1\":{\"seen\":3,\"stage\":\"thief1\"}}");
  free(printed);
  cJSON_Delete(sections);
  tp_record_release(&record);
  tp_partials_destroy(pipeline, partials);
  test_pipeline_free(pipeline);
}
END_TEST

/* Sections are wanted unless the run throws them away (`run` without --report sets
 * sections_discarded); a stage outside any pipeline is answered "wanted" too. */
START_TEST(report_wanted_follows_the_run) {
  const tp_plugin *plugins[1] = {&test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 1, TP_INPUT_NDJSON, NULL);
  const tp_host *host = tp_host_api();
  ck_assert(TP_HOST_HAS(host, report_wanted));
  ck_assert_int_eq(host->report_wanted(&pipeline->stages[0]), 1);
  pipeline->sections_discarded = 1;
  ck_assert_int_eq(host->report_wanted(&pipeline->stages[0]), 0);
  pipeline->sections_discarded = 0;
  ck_assert_int_eq(host->report_wanted(&pipeline->stages[0]), 1);
  ck_assert_int_eq(host->report_wanted(NULL), 1);
  test_pipeline_free(pipeline);
}
END_TEST

/* The release host has no fault switch: the old TEXTPIPE_FAIL_ALLOC=N of 1.x fails nothing
 * (allocation faults live in the test-only textpipe-fault binary, tests/fault). */
START_TEST(release_host_has_no_fault_switch) {
  setenv("TEXTPIPE_FAIL_ALLOC", "1", 1);
  setenv("TEXTPIPE_FAIL_ALLOC_AT", "1", 1);
  const tp_host *host = tp_host_api();
  void *first = host->alloc(8);
  void *second = host->realloc(NULL, 8);
  void *third = host->alloc(8);
  ck_assert_ptr_nonnull(first);
  ck_assert_ptr_nonnull(second);
  ck_assert_ptr_nonnull(third);
  host->free(first);
  host->free(second);
  host->free(third);
  host->free(NULL);
  unsetenv("TEXTPIPE_FAIL_ALLOC");
  unsetenv("TEXTPIPE_FAIL_ALLOC_AT");
}
END_TEST

/* record_set refuses a value holding a string that is not valid UTF-8, also when its constant
 * strings (keys marked cJSON_StringIsConst, cJSON_IsReference values) are checked once a call
 * by address: many valid constants repeated first, then one invalid constant (as a key, as a
 * value) wherever it lands in the memo. */
static char valid_texts[64][8];
static char invalid_texts[8][8];

START_TEST(constant_strings_are_checked) {
  const tp_plugin *plugins[] = {&test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 1, TP_INPUT_NDJSON, NULL);
  const tp_host *host = tp_host_api();
  tp_record record = {0};
  char reason[TP_REASON_SIZE];
  for (size_t i = 0; i < 64; i++)
    snprintf(valid_texts[i], sizeof valid_texts[i], "k\xc3\xa9%zu", i);
  for (size_t i = 0; i < 8; i++)
    snprintf(invalid_texts[i], sizeof invalid_texts[i], "b\xff%zu", i);
  for (int as_key = 0; as_key < 2; as_key++) {
    for (size_t bad = 0; bad <= 8; bad++) { /* bad == 8: none invalid */
      ck_assert_int_eq(
          tp_record_prepare(&record, pipeline, line, strlen(line), 1, reason, sizeof reason), 0);
      record.stage = &pipeline->stages[0];
      cJSON *value = cJSON_CreateArray();
      for (int round = 0; round < 3; round++) {
        cJSON *object = cJSON_CreateObject();
        for (size_t i = 0; i < 64; i++)
          cJSON_AddItemToObjectCS(object, valid_texts[i],
                                  cJSON_CreateStringReference(valid_texts[63 - i]));
        cJSON_AddItemToArray(value, object);
      }
      if (bad < 8) {
        cJSON *last = cJSON_CreateObject();
        if (as_key)
          cJSON_AddItemToObjectCS(last, invalid_texts[bad], cJSON_CreateNumber(1));
        else
          cJSON_AddItemToObjectCS(last, "x", cJSON_CreateStringReference(invalid_texts[bad]));
        cJSON_AddItemToArray(value, last);
      }
      ck_assert_int_eq(host->record_set(&record, "count", value), bad < 8 ? -1 : 0);
      ck_assert((cJSON_GetObjectItemCaseSensitive(record.json, "count") != NULL) == (bad == 8));
      record.stage = NULL;
      tp_record_reset(&record);
    }
  }
  tp_record_release(&record);
  test_pipeline_free(pipeline);
}
END_TEST

/* The key that holds the text field is the field's first part: with "comment.body", "comment"
 * is refused; keys that only share its first bytes, or extend it, are not. */
START_TEST(text_root_is_refused) {
  static const char nested[] = "{\"comment\": {\"body\": \"hello\"}}";
  static const char *const keys[] = {"comment", "comm", "commentx", "c", "body", NULL};
  static const int refused[] = {1, 0, 0, 0, 0};
  const tp_plugin *plugins[] = {&test_plugin_count};
  tp_pipeline *pipeline = test_pipeline_new(plugins, 1, TP_INPUT_NDJSON, "comment.body");
  pipeline->stages[0].keys = keys;
  const tp_host *host = tp_host_api();
  tp_record record = {0};
  char reason[TP_REASON_SIZE];
  for (size_t k = 0; keys[k] != NULL; k++) {
    ck_assert_int_eq(
        tp_record_prepare(&record, pipeline, nested, strlen(nested), 1, reason, sizeof reason), 0);
    record.stage = &pipeline->stages[0];
    ck_assert_int_eq(host->record_set(&record, keys[k], cJSON_CreateTrue()), refused[k] ? -1 : 0);
    ck_assert_str_eq(host->record_text(&record, NULL), "hello");
    record.stage = NULL;
    tp_record_reset(&record);
  }
  pipeline->stages[0].keys = NULL;
  tp_record_release(&record);
  test_pipeline_free(pipeline);
}
END_TEST

static Suite *host_suite(void) {
  Suite *suite = suite_create("host");
  TCase *memory = tcase_create("memory");
  tcase_add_test(memory, release_host_has_no_fault_switch);
  suite_add_tcase(suite, memory);
  TCase *table = tcase_create("table");
  tcase_add_test(table, table_is_versioned);
  tcase_add_test(table, record_accessors);
  suite_add_tcase(suite, table);
  TCase *keys = tcase_create("keys");
  tcase_add_test(keys, keys_are_enforced);
  tcase_add_test(keys, constant_strings_are_checked);
  tcase_add_test(keys, text_root_is_refused);
  suite_add_tcase(suite, keys);
  TCase *report = tcase_create("report_section");
  tcase_add_loop_test(report, report_sections_in_order, 0, 2);
  tcase_add_test(report, report_wanted_follows_the_run);
  suite_add_tcase(suite, report);
  return suite;
}

int main(void) {
  return tp_check_run(host_suite());
}
