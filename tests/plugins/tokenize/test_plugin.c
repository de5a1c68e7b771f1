/* tests/plugins/tokenize/test_plugin.c - the built tokenize.so, driven through its descriptor.
 *
 * Opens tokenize.so through the real loader (tests/support/plugin_under_test.h), checks the
 * descriptor (ABI, flags, provides, options against libstemmer), then runs create / partials /
 * process / merge / finish / export / import with the real host, records and config schema:
 * what a record gets attached (tp_text) and written ("tokens") for each "emit"
 * setting.
 * (test_harness.c runs the same .so through the core's harness and the textpipe binary.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libstemmer.h>

#include "textpipe/plugin.h"
#include "textpipe/text.h"

#include "check_main.h"
#include "plugin_under_test.h"

static put_plugin put;
static const tp_plugin *plugin;

static void open_plugin(void) {
  put_open(&put, "tokenize");
  plugin = put.plugin;
}

static void close_plugin(void) {
  put_close(&put);
}

/* The tp_text the record got attached, after checking it is the record's only attachment and
 * sits under TP_TEXT_KEY. */
static const tp_text *attached_text(const tp_record *record) {
  ck_assert_uint_eq(record->attachment_count, 1);
  ck_assert_str_eq(record->attachments[0].key, TP_TEXT_KEY);
  return record->attachments[0].data;
}

/* The record line {"text": text} (text has no characters JSON needs escaped). */
static tp_record *text_record(const char *text) {
  char json[512];
  snprintf(json, sizeof json, "{\"text\": \"%s\"}", text);
  return put_record(&put, json, 1);
}

/* Runs one text through a fresh instance; returns the record (free with put_record_free). */
static tp_record *run_one(const char *overrides, const char *text) {
  void *instance = NULL;
  char err[256] = "";
  ck_assert_msg(put_create(&put, overrides, &instance, err, sizeof err) == 0, "%s", err);
  void *partial = plugin->partial_create(instance);
  ck_assert_ptr_nonnull(partial);
  tp_record *record = text_record(text);
  ck_assert_int_eq(put_process(&put, instance, partial, record, err, sizeof err), TP_KEEP);
  plugin->partial_destroy(instance, partial);
  plugin->destroy(instance);
  return record;
}

START_TEST(test_descriptor) {
  ck_assert_uint_eq(plugin->abi_major, TP_ABI_MAJOR);
  ck_assert_uint_eq(plugin->abi_minor, TP_ABI_MINOR);
  ck_assert_uint_eq(plugin->struct_size, sizeof(tp_plugin));
  ck_assert_str_eq(plugin->name, "tokenize");
  ck_assert(plugin->flags & TP_PLUGIN_CONCURRENT);
  /* one key, on every record: the attachment, and with "emit" its JSON */
  ck_assert_str_eq(plugin->provides_keys[0], TP_TEXT_KEY);
  ck_assert_ptr_null(plugin->provides_keys[1]);
  /* "language" offers exactly libstemmer's algorithms */
  const tp_option *language = &plugin->options[0];
  ck_assert_str_eq(language->name, "language");
  size_t offered = 0;
  for (; language->choices[offered]; offered++) {
    struct sb_stemmer *stemmer = sb_stemmer_new(language->choices[offered], NULL);
    ck_assert_msg(stemmer != NULL, "%s is not a libstemmer language", language->choices[offered]);
    sb_stemmer_delete(stemmer);
  }
  size_t available = 0;
  for (const char **name = sb_stemmer_list(); *name; name++) {
    available++;
  }
  ck_assert_uint_eq(offered, available);
}
END_TEST

START_TEST(test_attaches_text) {
  tp_record *record = run_one("{}", "Great phone!!! I LOVE it :) Calvin M. Redshaw agreed.");
  const tp_text *text = attached_text(record);
  ck_assert_ptr_nonnull(text);
  ck_assert_ptr_eq(text->text, record->text);
  ck_assert_uint_eq(text->struct_size, sizeof(tp_text));
  ck_assert_uint_eq(text->token_size, sizeof(tp_token));
  ck_assert_uint_eq(text->sentence_size, sizeof(tp_sentence));
  ck_assert_str_eq(text->language, "english");
  ck_assert_uint_eq(text->sentence_count, 2);
  ck_assert_uint_eq(text->token_count, 13);
  ck_assert_uint_eq(text->tokens[2].type, TP_TOKEN_PUNCT);
  ck_assert_uint_eq(text->tokens[2].length, 3);
  ck_assert_str_eq(text->tokens[4].norm, "love");
  ck_assert(text->tokens[4].flags & TP_TOKEN_ALL_CAPS);
  ck_assert_uint_eq(text->tokens[6].type, TP_TOKEN_EMOTICON);
  ck_assert_uint_eq(text->tokens[12].sentence, 1);
  ck_assert_uint_eq(text->tokens[3].sentence, 1);
  ck_assert_uint_eq(text->tokens[2].sentence, 0);
  ck_assert_str_eq(text->tokens[11].stem, "agre");
  /* emit "none": nothing written into the record, which holds only its input "text" */
  ck_assert_int_eq(cJSON_GetArraySize(record->json), 1);
  ck_assert_str_eq(record->json->child->string, "text");
  put_record_free(record);
}
END_TEST

START_TEST(test_emit_sentences) {
  tp_record *record = run_one("{\"emit\": \"sentences\"}", "One. Two two!");
  char *json = cJSON_PrintUnformatted(record->json);
  ck_assert_str_eq(
      json, "{\"text\":\"One. Two two!\",\"tokens\":{\"sentences\":[{\"text\":\"One.\",\"start\":0,"
            "\"end\":4},{\"text\":\"Two two!\",\"start\":5,\"end\":13}]}}");
  free(json);
  put_record_free(record);
}
END_TEST

START_TEST(test_emit_tokens) {
  tp_record *record = run_one("{\"emit\": \"tokens\"}", "Cats 😀");
  const cJSON *emitted = cJSON_GetObjectItem(record->json, "tokens");
  char *json = cJSON_PrintUnformatted(cJSON_GetObjectItem(emitted, "tokens"));
  ck_assert_str_eq(json, "[{\"text\":\"Cats\",\"norm\":\"cats\",\"stem\":\"cat\",\"type\":\"word\","
                         "\"start\":0,\"end\":4,\"sentence\":0},"
                         "{\"text\":\"😀\",\"norm\":\"😀\",\"stem\":\"😀\",\"type\":\"emoji\","
                         "\"start\":5,\"end\":9,\"sentence\":0}]");
  free(json);
  ck_assert_ptr_nonnull(cJSON_GetObjectItem(emitted, "sentences"));
  put_record_free(record);
}
END_TEST

static const struct {
  const char *config;
  const char *text;
  size_t token;
  const char *stem;
  int stopword;
} language_cases[] = {
    {"{}", "the", 0, "the", 1},
    {"{\"stopwords\": false}", "the", 0, "the", 0},
    {"{\"extra_stopwords\": [\"Phone\"]}", "phones phone", 1, "phone", 1},
    {"{\"language\": \"german\"}", "die Häuser", 1, "haus", 0},
    {"{\"language\": \"german\"}", "die Häuser", 0, "die", 1},
    {"{\"language\": \"french\"}", "les maisons", 1, "maison", 0},
    {"{\"language\": \"russian\"}", "книги", 0, "книг", 0},
};

START_TEST(test_languages_and_stopwords) {
  tp_record *record = run_one(language_cases[_i].config, language_cases[_i].text);
  const tp_text *text = attached_text(record);
  ck_assert_uint_gt(text->token_count, language_cases[_i].token);
  const tp_token *token = &text->tokens[language_cases[_i].token];
  ck_assert_str_eq(token->stem, language_cases[_i].stem);
  ck_assert_int_eq((token->flags & TP_TOKEN_STOPWORD) != 0, language_cases[_i].stopword);
  put_record_free(record);
}
END_TEST

START_TEST(test_partials_report) {
  void *instance = NULL;
  char err[256] = "";
  ck_assert_int_eq(put_create(&put, "{}", &instance, err, sizeof err), 0);
  void *first = plugin->partial_create(instance), *second = plugin->partial_create(instance);
  const char *texts[] = {"One two. Three.", "Four!", "Five six seven"};
  for (size_t index = 0; index < 3; index++) {
    tp_record *record = text_record(texts[index]);
    ck_assert_int_eq(put_process(&put, instance, index ? second : first, record, err, sizeof err),
                     TP_KEEP);
    put_record_free(record);
  }
  cJSON *exported = plugin->partial_export(instance, second);
  void *imported = plugin->partial_import(instance, exported, err, sizeof err);
  ck_assert_ptr_nonnull(imported);
  ck_assert_int_eq(plugin->merge(instance, first, imported, err, sizeof err), 0);
  cJSON *section = cJSON_CreateObject();
  ck_assert_int_eq(plugin->finish(instance, first, section, err, sizeof err), 0);
  char *json = cJSON_PrintUnformatted(section);
  ck_assert_str_eq(json, "{\"language\":\"english\",\"records\":3,\"tokens\":10,\"sentences\":4,"
                         "\"blocks\":[{\"type\":\"tiles\",\"items\":["
                         "{\"label\":\"records\",\"value\":3},{\"label\":\"tokens\",\"value\":10},"
                         "{\"label\":\"sentences\",\"value\":4},"
                         "{\"label\":\"tokens per record\",\"value\":3.3},"
                         "{\"label\":\"language\",\"value\":\"english\"}]}]}");
  free(json);
  cJSON *bad = cJSON_Parse("{\"records\": -1}");
  ck_assert_ptr_null(plugin->partial_import(instance, bad, err, sizeof err));
  ck_assert_str_eq(err, "partial: \"records\" must be a non-negative number");
  cJSON_Delete(bad);
  cJSON_Delete(section);
  cJSON_Delete(exported);
  plugin->partial_destroy(instance, imported);
  plugin->partial_destroy(instance, second);
  plugin->partial_destroy(instance, first);
  plugin->destroy(instance);
}
END_TEST

static Suite *plugin_suite(void) {
  Suite *suite = suite_create("tokenize_plugin");
  TCase *descriptor = tcase_create("descriptor");
  tcase_add_checked_fixture(descriptor, open_plugin, close_plugin);
  tcase_add_test(descriptor, test_descriptor);
  suite_add_tcase(suite, descriptor);
  TCase *records = tcase_create("records");
  tcase_add_checked_fixture(records, open_plugin, close_plugin);
  tcase_add_test(records, test_attaches_text);
  tcase_add_test(records, test_emit_sentences);
  tcase_add_test(records, test_emit_tokens);
  suite_add_tcase(suite, records);
  TCase *languages = tcase_create("languages_and_stopwords");
  tcase_add_checked_fixture(languages, open_plugin, close_plugin);
  tcase_add_loop_test(languages, test_languages_and_stopwords, 0,
                      (int)(sizeof language_cases / sizeof language_cases[0]));
  suite_add_tcase(suite, languages);
  TCase *partials = tcase_create("partials");
  tcase_add_checked_fixture(partials, open_plugin, close_plugin);
  tcase_add_test(partials, test_partials_report);
  suite_add_tcase(suite, partials);
  return suite;
}

int main(void) {
  return tp_check_run(plugin_suite());
}
