/* tests/plugins/tokenize/test_harness.c - tokenize.so through the real loader, host and stage
 * runner (core/run/harness.h), and through the textpipe binary.
 *
 * Pipelines come from tests/plugins/tokenize/pipelines/ and pipelines/; the test plugin
 * tokens-reader (tokens_reader.c) stands in for the later stages that read the attachment.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "harness.h"

static char path_buffer[4096];

/* $TEXTPIPE_SOURCE_ROOT/<relative> (static buffer). */
static const char *source_path(const char *relative) {
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  snprintf(path_buffer, sizeof path_buffer, "%s/%s", root ? root : ".", relative);
  return path_buffer;
}

static void use_test_plugins(void) {
  const char *build = getenv("TEXTPIPE_BUILD_ROOT");
  char folder[4096];
  snprintf(folder, sizeof folder, "%s/tests/plugins/tokenize", build ? build : "build");
  setenv("TEXTPIPE_PLUGIN_PATH", folder, 1);
}

static tp_harness *open_pipeline(const char *relative) {
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_harness_open(source_path(relative), &harness, &err) == 0, "%s", err.message);
  return harness;
}

/* Runs one line and returns the output record (caller frees), failing the test otherwise. */
static char *run_line(tp_harness *harness, const char *line) {
  char *output = NULL;
  tp_error err = {{0}};
  int outcome = tp_harness_process_line(harness, line, &output, &err);
  ck_assert_msg(outcome == TP_HARNESS_OUT, "outcome %d: %s", outcome, err.message);
  return output;
}

START_TEST(test_default_pipeline_attaches_only) {
  tp_harness *harness = open_pipeline("pipelines/tokenize-only.json");
  char *output = run_line(harness, "{\"id\":7,\"text\":\"Nothing is written. Only attached!\"}");
  ck_assert_str_eq(output, "{\"id\":7,\"text\":\"Nothing is written. Only attached!\"}");
  free(output);
  tp_error err = {{0}};
  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  cJSON *tokenize = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "tokenize");
  /* the data members; the blocks are the plugin test's business */
  ck_assert(cJSON_IsArray(cJSON_GetObjectItem(tokenize, "blocks")));
  cJSON_DeleteItemFromObject(tokenize, "blocks");
  char *section = cJSON_PrintUnformatted(tokenize);
  ck_assert_str_eq(section,
                   "{\"language\":\"english\",\"records\":1,\"tokens\":7,\"sentences\":2}");
  free(section);
  cJSON_Delete(report);
  tp_harness_close(harness);
}
END_TEST

/* Member `key` ("sentences" or "tokens") of what "emit" wrote under the record's "tokens". */
static const cJSON *emitted(const cJSON *record, const char *key) {
  return cJSON_GetObjectItem(cJSON_GetObjectItem(record, "tokens"), key);
}

/* "text norm type start end" of each emitted token of the record, space-separated lines. */
static char *token_lines(const char *output) {
  cJSON *record = cJSON_Parse(output);
  ck_assert_ptr_nonnull(record);
  static char lines[2048];
  size_t used = 0;
  const cJSON *token;
  cJSON_ArrayForEach(token, emitted(record, "tokens")) {
    used += (size_t)snprintf(lines + used, sizeof lines - used, "%s %s %s %d %d\n",
                             cJSON_GetStringValue(cJSON_GetObjectItem(token, "text")),
                             cJSON_GetStringValue(cJSON_GetObjectItem(token, "norm")),
                             cJSON_GetStringValue(cJSON_GetObjectItem(token, "type")),
                             cJSON_GetObjectItem(token, "start")->valueint,
                             cJSON_GetObjectItem(token, "end")->valueint);
    ck_assert_uint_lt(used, sizeof lines);
  }
  cJSON_Delete(record);
  return lines;
}

/* HTML character references are read as their characters (norm, type), while the tokens'
 * text and offsets stay those of the record's own text; html_entities false turns it off. */
START_TEST(test_html_entities) {
  const char *line = "{\"text\":\"I &lt;3 fish &amp; chips, don&#39;t you? &gt;:(\"}";
  tp_harness *harness = open_pipeline("tests/plugins/tokenize/pipelines/emit-tokens.json");
  char *output = run_line(harness, line);
  ck_assert_str_eq(token_lines(output), "I i word 0 1\n"
                                        "&lt;3 <3 emoticon 2 7\n"
                                        "fish fish word 8 12\n"
                                        "&amp; & punct 13 18\n"
                                        "chips chips word 19 24\n"
                                        ", , punct 24 25\n"
                                        "don&#39;t don't word 26 35\n"
                                        "you you word 36 39\n"
                                        "? ? punct 39 40\n"
                                        "&gt;:( >:( emoticon 41 47\n");
  free(output);
  tp_harness_close(harness);
  harness = open_pipeline("tests/plugins/tokenize/pipelines/emit-tokens-raw-entities.json");
  output = run_line(harness, line);
  ck_assert_ptr_nonnull(strstr(token_lines(output), "amp amp word 14 17\n"));
  free(output);
  tp_harness_close(harness);
}
END_TEST

START_TEST(test_emit_tokens) {
  tp_harness *harness = open_pipeline("tests/plugins/tokenize/pipelines/emit-tokens.json");
  char *output = run_line(harness, "{\"text\":\"Sooo GOOD :) #win\"}");
  ck_assert_str_eq(
      output,
      "{\"text\":\"Sooo GOOD :) #win\",\"tokens\":{\"sentences\":[{\"text\":\"Sooo GOOD :) #win\","
      "\"start\":0,\"end\":17}],\"tokens\":[{\"text\":\"Sooo\",\"norm\":\"sooo\",\"stem\":\"sooo\","
      "\"type\":"
      "\"word\",\"start\":0,\"end\":4,\"sentence\":0},{\"text\":\"GOOD\",\"norm\":\"good\","
      "\"stem\":\"good\",\"type\":\"word\",\"start\":5,\"end\":9,\"sentence\":0},{\"text\":\":)\","
      "\"norm\":\":)\",\"stem\":\":)\",\"type\":\"emoticon\",\"start\":10,\"end\":12,\"sentence\":"
      "0},{\"text\":\"#win\",\"norm\":\"#win\",\"stem\":\"#win\",\"type\":\"hashtag\",\"start\":13,"
      "\"end\":17,\"sentence\":0}]}}");
  free(output);
  tp_harness_close(harness);
}
END_TEST

START_TEST(test_later_stage_reads_attachment) {
  use_test_plugins();
  tp_harness *harness = open_pipeline("tests/plugins/tokenize/pipelines/reader.json");
  char *output = run_line(harness, "{\"text\":\"The CATS don’t run. Calvin M. Redshaw ran.\"}");
  cJSON *record = cJSON_Parse(output);
  char *seen = cJSON_PrintUnformatted(cJSON_GetObjectItem(record, "tokens_seen"));
  ck_assert_str_eq(seen, "{\"tokens\":11,\"sentences\":2,\"language\":\"english\",\"words\":"
                         "\"the/the/15 cats/cat/12 don’t/don't/11 run/run/10 calvin/calvin/14 "
                         "m/m/11 redshaw/redshaw/14 ran/ran/10\"}");
  free(seen);
  cJSON_Delete(record);
  free(output);
  tp_harness_close(harness);
}
END_TEST

START_TEST(test_lines_input_and_language) {
  use_test_plugins();
  tp_harness *harness = open_pipeline("tests/plugins/tokenize/pipelines/german-lines.json");
  char *output = run_line(harness, "Die Häuser sind schön. Wir kaufen sie!");
  cJSON *record = cJSON_Parse(output);
  char *seen = cJSON_PrintUnformatted(cJSON_GetObjectItem(record, "tokens_seen"));
  ck_assert_str_eq(seen, "{\"tokens\":9,\"sentences\":2,\"language\":\"german\",\"words\":"
                         "\"die/die/15 häuser/haus/14 sind/sind/11 schön/schon/10 wir/wir/15 "
                         "kaufen/kauf/10 sie/sie/11\"}");
  ck_assert_int_eq(cJSON_GetArraySize(emitted(record, "sentences")), 2);
  free(seen);
  cJSON_Delete(record);
  free(output);
  tp_harness_close(harness);
}
END_TEST

/* Text the core accepts but that is hostile to a tokenizer: NULs (U+FFFD by the time a stage
 * sees them, see tests/unit/test_record.c), controls, empty, no text. */
static const char *const hostile_lines[] = {
    "{\"text\":\"a\\u0000b\\u0001c\\u001b[0m \\u0000\"}",
    "{\"text\":\"a\\u0001b\\u0002c\\u001b[0m \\u007f\"}",
    "{\"text\":\"\"}",
    "{\"text\":\"   \\n\\n\\t \"}",
    "{\"text\":\"\\ud83d\\ude00\\u200d\\u200d\\ufe0f\\u20e3#\\ufe0f\"}",
    "{\"text\":\"\\u0301\\u0301 x\\u0301\"}",
};

START_TEST(test_hostile_text) {
  tp_harness *harness = open_pipeline("tests/plugins/tokenize/pipelines/emit-tokens.json");
  char *output = run_line(harness, hostile_lines[_i]);
  cJSON *record = cJSON_Parse(output);
  ck_assert_ptr_nonnull(record);
  ck_assert(cJSON_IsArray(emitted(record, "tokens")));
  cJSON_Delete(record);
  free(output);
  tp_harness_close(harness);
}
END_TEST

static const struct {
  const char *pipeline;
  const char *message; /* must appear in the error */
} config_errors[] = {
    {"tests/plugins/tokenize/pipelines/bad-language.json", "stages[0].config.language"},
    {"tests/plugins/tokenize/pipelines/reader-first.json", "tokens"},
};

START_TEST(test_config_errors) {
  use_test_plugins();
  tp_harness *harness = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_harness_open(source_path(config_errors[_i].pipeline), &harness, &err), -1);
  ck_assert_msg(strstr(err.message, config_errors[_i].message) != NULL, "%s", err.message);
}
END_TEST

START_TEST(test_binary_emits_tokens) {
  const char *binary = getenv("TEXTPIPE_BINARY");
  ck_assert_ptr_nonnull(binary);
  char command[8192];
  snprintf(command, sizeof command, "printf '%%s\\n' '%s' '%s' | '%s' run -q '%s'",
           "{\"id\":1,\"text\":\"Dr. Who? Yes.\"}", "{\"id\":2,\"text\":\"ok\"}", binary,
           source_path("tests/plugins/tokenize/pipelines/emit-tokens.json"));
  FILE *pipe = popen(command, "r");
  ck_assert_ptr_nonnull(pipe);
  char line[4096];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, pipe));
  cJSON *first = cJSON_Parse(line);
  ck_assert_ptr_nonnull(first);
  char *sentences = cJSON_PrintUnformatted(emitted(first, "sentences"));
  ck_assert_str_eq(sentences, "[{\"text\":\"Dr. Who?\",\"start\":0,\"end\":8},"
                              "{\"text\":\"Yes.\",\"start\":9,\"end\":13}]");
  ck_assert_int_eq(cJSON_GetArraySize(emitted(first, "tokens")), 5);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, pipe));
  ck_assert_ptr_nonnull(strstr(line, "\"tokens\":{\"sentences\":[{\"text\":\"ok\""));
  ck_assert_ptr_null(fgets(line, sizeof line, pipe));
  ck_assert_int_eq(pclose(pipe), 0);
  free(sentences);
  cJSON_Delete(first);
}
END_TEST

static Suite *harness_suite(void) {
  Suite *suite = suite_create("tokenize_harness");
  TCase *records = tcase_create("records");
  tcase_add_test(records, test_default_pipeline_attaches_only);
  tcase_add_test(records, test_emit_tokens);
  tcase_add_test(records, test_html_entities);
  tcase_add_test(records, test_later_stage_reads_attachment);
  tcase_add_test(records, test_lines_input_and_language);
  tcase_add_loop_test(records, test_hostile_text, 0,
                      (int)(sizeof hostile_lines / sizeof hostile_lines[0]));
  suite_add_tcase(suite, records);
  TCase *errors = tcase_create("config_errors");
  tcase_add_loop_test(errors, test_config_errors, 0,
                      (int)(sizeof config_errors / sizeof config_errors[0]));
  suite_add_tcase(suite, errors);
  TCase *binary = tcase_create("binary");
  tcase_set_timeout(binary, 30);
  tcase_add_test(binary, test_binary_emits_tokens);
  suite_add_tcase(suite, binary);
  return suite;
}

int main(void) {
  return tp_check_run(harness_suite());
}
