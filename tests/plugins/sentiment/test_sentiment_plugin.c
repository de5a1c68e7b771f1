/* test_sentiment_plugin.c - Check suite of the built sentiment.so, loaded with dlopen and
 * driven through its descriptor with a small stand-in host: the descriptor, configuration
 * errors, process() output (with per-sentence scores and lexicon_extra), and the report of
 * two merged worker partials. (The core's harness tests the same .so through the real loader.)
 */
#include <check.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textpipe/plugin.h>
#include <textpipe/text.h>

#include "mini_text.h"

/* The stand-in record: its JSON, its tokens, and what the stage set. */
struct tp_record {
  cJSON *json;
  tp_text *text;
  cJSON *sentiment;
  uint64_t line;
};

static void host_log(const tp_stage *stage, tp_log_level level, const char *fmt, ...) {
  (void)stage, (void)level, (void)fmt;
}
static const cJSON *host_record_json(const tp_record *record) {
  return record->json;
}
static uint64_t host_record_line(const tp_record *record) {
  return record->line;
}
static int host_record_set(tp_record *record, const char *key, cJSON *value) {
  if (strcmp(key, "sentiment") != 0) {
    cJSON_Delete(value);
    return -1;
  }
  cJSON_Delete(record->sentiment);
  record->sentiment = value;
  return 0;
}
static void *host_record_attachment(const tp_record *record, const char *key) {
  return strcmp(key, TP_TEXT_KEY) == 0 ? record->text : NULL;
}

static const tp_host host = {
    .abi_major = TP_ABI_MAJOR,
    .abi_minor = TP_ABI_MINOR,
    .struct_size = sizeof(tp_host),
    .log = host_log,
    .alloc = malloc,
    .realloc = realloc,
    .free = free,
    .record_json = host_record_json,
    .record_line = host_record_line,
    .record_set = host_record_set,
    .record_attachment = host_record_attachment,
};

static void *library;
static const tp_plugin *plugin;

static void open_plugin(void) {
  const char *root = getenv("TEXTPIPE_BUILD_ROOT");
  char path[4096];
  snprintf(path, sizeof path, "%s/plugins/sentiment/sentiment.so", root ? root : "build");
  library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  ck_assert_msg(library != NULL, "dlopen: %s", dlerror());
  tp_plugin_entry_fn entry = (tp_plugin_entry_fn)dlsym(library, TP_PLUGIN_ENTRY_SYMBOL);
  ck_assert_ptr_nonnull(entry);
  plugin = entry();
}

static void close_plugin(void) {
  dlclose(library);
}

/* The config the core would pass: the defaults, then `json` on top. */
static cJSON *config_with(const char *json) {
  cJSON *config = cJSON_CreateObject();
  for (const tp_option *option = plugin->options; option->name != NULL; option++) {
    if (option->default_json != NULL) {
      cJSON_AddItemToObject(config, option->name, cJSON_Parse(option->default_json));
    }
  }
  cJSON *given = cJSON_Parse(json);
  ck_assert_ptr_nonnull(given);
  cJSON *item = NULL;
  cJSON_ArrayForEach(item, given) {
    cJSON_DeleteItemFromObject(config, item->string);
    cJSON_AddItemToObject(config, item->string, cJSON_Duplicate(item, 1));
  }
  cJSON_Delete(given);
  return config;
}

START_TEST(test_descriptor) {
  ck_assert_int_eq(plugin->abi_major, TP_ABI_MAJOR);
  ck_assert_str_eq(plugin->name, "sentiment");
  ck_assert_str_eq(plugin->requires[0], TP_TEXT_KEY);
  ck_assert_str_eq(plugin->provides[0], "sentiment");
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
    {"{\"lexicon\": \"/nonexistent/words.tsv\"}", "/nonexistent/words.tsv: cannot read file"},
};

START_TEST(test_config_errors) {
  cJSON *config = config_with(config_error_cases[_i].config);
  void *instance = NULL;
  char err[256] = "";
  ck_assert_int_eq(plugin->create(&host, NULL, config, &instance, err, sizeof err), -1);
  ck_assert_msg(
      strncmp(err, config_error_cases[_i].message, strlen(config_error_cases[_i].message)) == 0,
      "got \"%s\"", err);
  cJSON_Delete(config);
}
END_TEST

static tp_result run(void *instance, void *partial, const char *text, uint64_t line,
                     cJSON **sentiment) {
  char err[256];
  tp_record record = {.json = cJSON_CreateObject(), .text = mini_text_new(text), .line = line};
  cJSON_AddNumberToObject(record.json, "id", (double)(line * 10));
  tp_result result = plugin->process(instance, partial, &record, err, sizeof err);
  *sentiment = record.sentiment;
  cJSON_Delete(record.json);
  mini_text_free(record.text);
  return result;
}

START_TEST(test_process_and_report) {
  cJSON *config = config_with("{\"sentences\": true, \"lexicon_extra\": {\"mission washing\": "
                              "-1.5}, \"report_top\": 1}");
  void *instance = NULL;
  char err[256] = "";
  ck_assert_int_eq(plugin->create(&host, NULL, config, &instance, err, sizeof err), 0);
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

  tp_record bare = {.json = cJSON_CreateObject(), .line = 4};
  ck_assert_int_eq(plugin->process(instance, first, &bare, err, sizeof err), TP_ERROR);
  ck_assert_ptr_nonnull(strstr(err, "tokenize"));
  cJSON_Delete(bare.json);

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
  cJSON_Delete(config);
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
  suite_add_tcase(suite, config);
  TCase *process = tcase_create("process_and_report");
  tcase_add_checked_fixture(process, open_plugin, close_plugin);
  tcase_add_test(process, test_process_and_report);
  suite_add_tcase(suite, process);
  return suite;
}

int main(void) {
  SRunner *runner = srunner_create(sentiment_plugin_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
