/* test_sentiment_plugin.c - Check suite of the built sentiment.so, opened through the real
 * loader and driven callback by callback with the real host, config schema and records
 * (tests/support/plugin_under_test.h), tokens from mini_text.c: the descriptor, configuration
 * errors, process() output (with per-sentence scores and lexicon_extra), and the report of
 * two merged worker partials. (test_sentiment_harness.c runs it after the real tokenize.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textpipe/plugin.h>
#include <textpipe/text.h>

#include "check_main.h"
#include "config_bind.h"
#include "host.h"
#include "mini_text.h"
#include "plugin_under_test.h"

static put_plugin put;
static const tp_plugin *plugin;

static void open_plugin(void) {
  put_open(&put, "sentiment");
  plugin = put.plugin;
}

static void close_plugin(void) {
  put_close(&put);
}

static void text_free(void *text) {
  mini_text_free(text);
}

/* A real record {"id": line * 10, "text": text} with mini_text's tokens attached under
 * TP_TEXT_KEY, as the tokenize stage would leave it. */
static tp_record *tokenized_record(const char *text, uint64_t line) {
  cJSON *object = cJSON_CreateObject();
  cJSON_AddNumberToObject(object, "id", (double)(line * 10));
  cJSON_AddStringToObject(object, "text", text);
  char *json = cJSON_PrintUnformatted(object);
  tp_record *record = put_record(&put, json, line);
  free(json);
  cJSON_Delete(object);
  ck_assert_int_eq(tp_record_attach(record, TP_TEXT_KEY, mini_text_new(text), text_free), 0);
  return record;
}

START_TEST(test_descriptor) {
  ck_assert_int_eq(plugin->abi_major, TP_ABI_MAJOR);
  ck_assert_str_eq(plugin->name, "sentiment");
  ck_assert_str_eq(plugin->requires_keys[0], TP_TEXT_KEY);
  ck_assert_str_eq(plugin->provides_keys[0], "sentiment");
  ck_assert_uint_ne(plugin->flags & TP_PLUGIN_CONCURRENT, 0);
  ck_assert_ptr_nonnull(plugin->merge);
  ck_assert_ptr_nonnull(plugin->partial_export);
}
END_TEST

static const struct {
  const char *config;
  const char *message;
} config_error_cases[] = {
    {"{\"lexicon_extra\": {\"mission washing\": \"bad\"}}",
     "config.lexicon_extra.\"mission washing\": expected a valence from -4 to 4"},
    {"{\"lexicon_extra\": {\"good\": 9}}", "config.lexicon_extra.\"good\": expected a valence"},
    {"{\"positive_threshold\": -0.2, \"negative_threshold\": 0.2}",
     "config.negative_threshold (0.2) is above config.positive_threshold (-0.2)"},
    {"{\"language\": \"klingon\"}", "no Snowball stemmer for language \"klingon\""},
    /* the core's schema check rejects an unreadable PATH before create() runs */
    {"{\"lexicon\": \"/nonexistent/words.tsv\"}",
     "sentiment test: config.lexicon: cannot read \"/nonexistent/words.tsv\""},
};

START_TEST(test_config_errors) {
  void *instance = NULL;
  char err[256] = "";
  ck_assert_int_eq(put_create(&put, config_error_cases[_i].config, &instance, err, sizeof err), -1);
  ck_assert_msg(
      strncmp(err, config_error_cases[_i].message, strlen(config_error_cases[_i].message)) == 0,
      "got \"%s\"", err);
}
END_TEST

/* A lexicon that was readable when the config was checked but is gone at create(): the
 * plugin's own check names the file. */
START_TEST(test_lexicon_gone_at_create) {
  cJSON *config = NULL;
  tp_error config_err = {""};
  ck_assert_msg(put_config(&put, "{}", &config, &config_err) == 0, "%s", config_err.message);
  cJSON_DeleteItemFromObjectCaseSensitive(config, "lexicon");
  cJSON_AddStringToObject(config, "lexicon", "/nonexistent/words.tsv");
  void *instance = NULL;
  char err[256] = "";
  put.stage.bound_config = calloc(1, plugin->config_size); /* host->stage_config, as loaded */
  ck_assert_ptr_nonnull(put.stage.bound_config);
  tp_config_bind(plugin->options, config, put.stage.bound_config);
  ck_assert_int_eq(plugin->create(tp_host_api(), &put.stage, config, &instance, err, sizeof err),
                   -1);
  ck_assert_str_eq(err, "/nonexistent/words.tsv: cannot read file");
  free(put.stage.bound_config);
  put.stage.bound_config = NULL;
  cJSON_Delete(config);
}
END_TEST

static tp_result run(void *instance, void *partial, const char *text, uint64_t line,
                     cJSON **sentiment) {
  char err[256];
  tp_record *record = tokenized_record(text, line);
  tp_result result = put_process(&put, instance, partial, record, err, sizeof err);
  *sentiment = cJSON_DetachItemFromObjectCaseSensitive(record->json, "sentiment");
  put_record_free(record);
  return result;
}

START_TEST(test_process_and_report) {
  void *instance = NULL;
  char err[256] = "";
  ck_assert_int_eq(put_create(&put,
                              "{\"sentences\": true, \"lexicon_extra\": {\"mission washing\": "
                              "-1.5}, \"report_top\": 1}",
                              &instance, err, sizeof err),
                   0);
  void *first = plugin->partial_create(instance);
  void *second = plugin->partial_create(instance);
  cJSON *sentiment = NULL;
  ck_assert_int_eq(run(instance, first, "I love it. It is mission washing!", 1, &sentiment),
                   TP_KEEP);
  ck_assert_str_eq(cJSON_GetObjectItem(sentiment, "label")->valuestring, "positive");
  const cJSON *sentences = cJSON_GetObjectItem(sentiment, "sentences");
  ck_assert_int_eq(cJSON_GetArraySize(sentences), 2);
  ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(sentences, 1), "label")->valuestring,
                   "negative");
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(sentences, 1), "start")->valueint, 11);
  cJSON_Delete(sentiment);
  ck_assert_int_eq(run(instance, second, "This is terrible.", 2, &sentiment), TP_KEEP);
  ck_assert_str_eq(cJSON_GetObjectItem(sentiment, "label")->valuestring, "negative");
  cJSON_Delete(sentiment);
  ck_assert_int_eq(run(instance, second, "The table is brown.", 3, &sentiment), TP_KEEP);
  ck_assert_str_eq(cJSON_GetObjectItem(sentiment, "label")->valuestring, "neutral");
  cJSON_Delete(sentiment);

  /* A record without tokens (no tokenize stage before): an error naming tokenize. */
  tp_record *bare = put_record(&put, "{\"id\": 40, \"text\": \"\"}", 4);
  ck_assert_int_eq(put_process(&put, instance, first, bare, err, sizeof err), TP_ERROR);
  ck_assert_ptr_nonnull(strstr(err, "tokenize"));
  put_record_free(bare);

  ck_assert_int_eq(plugin->merge(instance, first, second, err, sizeof err), 0);
  plugin->partial_destroy(instance, second);
  cJSON *section = cJSON_CreateObject();
  ck_assert_int_eq(plugin->finish(instance, first, section, err, sizeof err), 0);
  ck_assert_int_eq(cJSON_GetObjectItem(section, "records")->valueint, 3);
  const cJSON *labels = cJSON_GetObjectItem(section, "labels");
  ck_assert_int_eq(cJSON_GetObjectItem(labels, "positive")->valueint, 1);
  ck_assert_int_eq(cJSON_GetObjectItem(labels, "neutral")->valueint, 1);
  ck_assert_int_eq(cJSON_GetObjectItem(labels, "negative")->valueint, 1);
  const cJSON *worst = cJSON_GetObjectItem(section, "most_negative");
  ck_assert_int_eq(cJSON_GetArraySize(worst), 1);
  ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(worst, 0), "id")->valueint, 20);
  ck_assert_int_eq(
      cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(section, "histogram"), "counts")),
      20);

  cJSON *exported = plugin->partial_export(instance, first);
  void *imported = plugin->partial_import(instance, exported, err, sizeof err);
  ck_assert_ptr_nonnull(imported);
  cJSON *again = cJSON_CreateObject();
  ck_assert_int_eq(plugin->finish(instance, imported, again, err, sizeof err), 0);
  ck_assert_int_eq(cJSON_Compare(section, again, 1), 1);
  cJSON_Delete(again);
  cJSON_Delete(exported);
  cJSON_Delete(section);
  plugin->partial_destroy(instance, imported);
  plugin->partial_destroy(instance, first);
  plugin->destroy(instance);
}
END_TEST

static Suite *sentiment_plugin_suite(void) {
  Suite *suite = suite_create("sentiment_plugin");
  TCase *descriptor = tcase_create("descriptor");
  tcase_add_checked_fixture(descriptor, open_plugin, close_plugin);
  tcase_add_test(descriptor, test_descriptor);
  suite_add_tcase(suite, descriptor);
  TCase *config = tcase_create("config_errors");
  tcase_add_checked_fixture(config, open_plugin, close_plugin);
  tcase_add_loop_test(config, test_config_errors, 0,
                      sizeof config_error_cases / sizeof config_error_cases[0]);
  tcase_add_test(config, test_lexicon_gone_at_create);
  suite_add_tcase(suite, config);
  TCase *process = tcase_create("process_and_report");
  tcase_add_checked_fixture(process, open_plugin, close_plugin);
  tcase_add_test(process, test_process_and_report);
  suite_add_tcase(suite, process);
  return suite;
}

int main(void) {
  return tp_check_run(sentiment_plugin_suite());
}
