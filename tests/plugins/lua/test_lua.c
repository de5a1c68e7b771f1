/* tests/plugins/lua/test_lua.c - the lua stage through the textpipe binary (real loader, host,
 * workers): every sandbox escape is refused or dead-letters its record while the stream goes
 * on, start-up errors name file:line, and results are the same on 1 and 2 workers.
 *
 * Scripts are in tests/plugins/lua/scripts/; each escape script attacks only on the records
 * whose text is "attack". Runs use tests/fault/run_support.h.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check_main.h"
#include "run_support.h"

#define RECORDS 300 /* more than two batches, so two workers both get records */

/* A pipeline running scripts/<script>.lua with `config_extra` ("" or ", \"allow\": [...]"). */
static char *lua_pipeline(const char *script, const char *config_extra) {
  static char text[2048];
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  snprintf(text, sizeof text,
           "{\"name\": \"lua-test\", \"stages\": [{\"plugin\": \"lua\", \"config\": "
           "{\"script\": \"%s/tests/plugins/lua/scripts/%s.lua\"%s}}]}",
           root != NULL ? root : ".", script, config_extra);
  return text;
}

/* RECORDS records; those at lines 50, 150 and 250 have the text "attack". */
static char *attack_input(void) {
  size_t capacity = RECORDS * 80;
  char *text = malloc(capacity);
  ck_assert_ptr_nonnull(text);
  size_t used = 0;
  for (int line = 1; line <= RECORDS; line++)
    used += (size_t)snprintf(text + used, capacity - used,
                             line % 100 == 50 ? "{\"id\":%d,\"text\":\"attack\"}\n"
                                              : "{\"id\":%d,\"text\":\"record %d is fine\"}\n",
                             line, line);
  return text;
}

typedef struct escape_case {
  const char *script;
  const char *config_extra;
  const char *reason; /* every dead-letter's reason starts with this */
} escape_case;

static const escape_case escape_cases[] = {
    {"os_execute", "", "os_execute.lua:5: attempt to index a nil value (global 'os')"},
    {"io_open", "", "io_open.lua:5: attempt to index a nil value (global 'io')"},
    {"load_bytecode", ", \"allow\": [\"load\"]",
     "load_bytecode.lua:6: attempt to load a binary chunk (mode is 't')"},
    {"string_rep", ", \"call_memory_mb\": 8",
     "string_rep.lua:5: memory limit of 8 MB per call exceeded"},
    {"memory_concat", ", \"call_memory_mb\": 8",
     "memory_concat.lua:8: memory limit of 8 MB per call exceeded"},
    {"infinite_loop", ", \"instruction_limit\": 100000",
     "infinite_loop.lua:6: instruction budget of 100000 per call exceeded"},
    /* Lua's own stack limit or the memory cap, whichever comes first: both stop it here. */
    {"stack_overflow", ", \"call_memory_mb\": 8", "stack_overflow.lua:4: "},
    {"error_table", "", "error_table.lua:5: error() raised a table value, not a message"},
    {"set_foreign_key", "",
     "set_foreign_key.lua:5: record:set(\"text_length\"): the key is not in the script's "
     "provides"},
};

/* Runs the escape case on `workers` workers and checks the stream: the three attack records
 * dead-lettered with the expected reason, every other record out with "ok". Returns the
 * output (caller frees). */
static char *run_escape(const escape_case *test, const char *input, const char *workers) {
  run_spec spec = {.pipeline = lua_pipeline(test->script, test->config_extra),
                   .input = input,
                   .workers = workers};
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == 1, "%s: exit %d, stderr:\n%s", test->script,
                result.exit_status, result.err);
  ck_assert_int_eq(support_check_counts(&result), RECORDS);
  ck_assert_int_eq(support_count(&result, "dead_letter"), 3);
  ck_assert_int_eq(support_check_lines(result.out, result.out_length), RECORDS - 3);
  ck_assert_ptr_null(strstr(result.out, "attack"));
  int dead = 0;
  for (char *line = result.dead; line != NULL && *line != '\0'; dead++) {
    char *newline = strchr(line, '\n');
    ck_assert_ptr_nonnull(newline);
    *newline = '\0';
    cJSON *letter = cJSON_Parse(line);
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(letter, "reason");
    ck_assert_msg(cJSON_IsString(reason), "dead letter without a reason: %s", line);
    ck_assert_msg(strncmp(reason->valuestring, test->reason, strlen(test->reason)) == 0,
                  "%s: reason \"%s\", expected \"%s...\"", test->script, reason->valuestring,
                  test->reason);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(letter, "line")->valueint, dead * 100 + 50);
    cJSON_Delete(letter);
    line = newline + 1;
  }
  ck_assert_int_eq(dead, 3);
  char *output = strdup(result.out);
  support_run_free(&result);
  return output;
}

START_TEST(test_escape_dead_letters_only_its_record) {
  const escape_case *test = &escape_cases[_i];
  char *input = attack_input();
  char *one = run_escape(test, input, "1");
  char *two = run_escape(test, input, "2");
  ck_assert_str_eq(one, two);
  free(one);
  free(two);
  free(input);
}
END_TEST

typedef struct start_case {
  const char *script;
  const char *config_extra;
  const char *message; /* stderr holds this */
} start_case;

static const start_case start_cases[] = {
    {"syntax_error", "", "failed to start: syntax_error.lua:4: ')' expected near 'true'\n"},
    {"no_process", "",
     "failed to start: no_process.lua: defines no function process(record, "
     "state)\n"},
    {"load_loop", ", \"instruction_limit\": 5000",
     "failed to start: load_loop.lua:3: instruction budget of 5000 per call exceeded\n"},
    {"bad_provides", "",
     "failed to start: bad_provides.lua: provides[2]: \"not a key\" is not a key name "
     "([A-Za-z0-9_-], 1-64 characters)\n"},
    {"bytecode_file", "",
     "failed to start: bytecode_file.lua: a precompiled (bytecode) script is refused; give the "
     "source\n"},
    {"os_execute", ", \"allow\": [\"os\", \"sockets\"]",
     "failed to start: allow: \"sockets\" is not one of os, io, require, load, dump, debug, "
     "collectgarbage\n"},
};

START_TEST(test_start_errors_name_the_place) {
  const start_case *test = &start_cases[_i];
  run_spec spec = {.pipeline = lua_pipeline(test->script, test->config_extra),
                   .input = "{\"text\":\"x\"}\n"};
  run_result result = support_run(&spec);
  ck_assert_int_eq(result.exit_status, 2);
  ck_assert_msg(strstr(result.err, test->message) != NULL, "stderr:\n%s\nexpected: %s", result.err,
                test->message);
  support_run_free(&result);
}
END_TEST

/* The report's lua section, printed. */
static char *lua_section(const run_result *result) {
  ck_assert_ptr_nonnull(result->report);
  const cJSON *section = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(result->report, "sections"), "lua");
  ck_assert_ptr_nonnull(section);
  return cJSON_PrintUnformatted(section);
}

START_TEST(test_state_merges_across_workers) {
  size_t capacity = RECORDS * 100;
  char *input = malloc(capacity);
  size_t used = 0;
  for (int line = 1; line <= RECORDS; line++)
    used += (size_t)snprintf(input + used, capacity - used,
                             line == 7     ? "{\"id\":%d,\"text\":\"ALL CAPS HERE\"}\n"
                             : line == 200 ? "{\"id\":%d,\"text\":\"x\",\"meta\":{\"drop\":true}}\n"
                                           : "{\"id\":%d,\"text\":\"one two three\"}\n",
                             line);
  char *outputs[2], *sections[2];
  for (int w = 0; w < 2; w++) {
    run_spec spec = {
        .pipeline = lua_pipeline("rules", ""), .input = input, .workers = w == 0 ? "1" : "2"};
    run_result result = support_run(&spec);
    ck_assert_msg(result.exit_status == 0, "exit %d:\n%s", result.exit_status, result.err);
    ck_assert_int_eq(support_check_counts(&result), RECORDS);
    ck_assert_int_eq(support_count(&result, "dropped"), 1);
    ck_assert_ptr_nonnull(strstr(result.out, "{\"id\":7,\"text\":\"ALL CAPS HERE\",\"words\":3,"
                                             "\"shout\":true}\n"));
    ck_assert_ptr_nonnull(
        strstr(result.out, "{\"id\":8,\"text\":\"one two three\",\"words\":3}\n"));
    outputs[w] = strdup(result.out);
    sections[w] = lua_section(&result);
    support_run_free(&result);
  }
  ck_assert_str_eq(outputs[0], outputs[1]);
  ck_assert_str_eq(sections[0], sections[1]);
  /* 298 records of 3 words, one of 3 (caps), one of 1 (dropped after counting). */
  ck_assert_str_eq(sections[0], "{\"lengths\":{\"0\":1,\"10\":299},\"line\":0,\"records\":300,"
                                "\"words\":898}");
  for (int w = 0; w < 2; w++) {
    free(outputs[w]);
    free(sections[w]);
  }
  free(input);
}
END_TEST

START_TEST(test_example_mentions_on_two_workers) {
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  char pipeline[1024];
  snprintf(pipeline, sizeof pipeline, "%s/examples/lua/pipeline.json", root ? root : ".");
  size_t capacity = RECORDS * 100;
  char *input = malloc(capacity);
  size_t used = 0;
  for (int line = 1; line <= RECORDS; line++)
    used += (size_t)snprintf(input + used, capacity - used,
                             line % 3 == 0 ? "{\"id\":%d,\"text\":\"my Pixel beats Apple\"}\n"
                                           : "{\"id\":%d,\"text\":\"pixels and apples\"}\n",
                             line);
  char *sections[2];
  for (int w = 0; w < 2; w++) {
    run_spec spec = {.pipeline_path = pipeline, .input = input, .workers = w == 0 ? "1" : "2"};
    run_result result = support_run(&spec);
    ck_assert_msg(result.exit_status == 0, "exit %d:\n%s", result.exit_status, result.err);
    ck_assert_int_eq(support_check_counts(&result), RECORDS);
    ck_assert_ptr_nonnull(strstr(result.out, "{\"id\":3,\"text\":\"my Pixel beats Apple\","
                                             "\"mentions\":[\"Apple\",\"Pixel\"]}\n"));
    ck_assert_ptr_nonnull(strstr(result.out, "{\"id\":4,\"text\":\"pixels and apples\"}\n"));
    sections[w] = lua_section(&result);
    support_run_free(&result);
  }
  ck_assert_str_eq(sections[0], sections[1]);
  ck_assert_ptr_nonnull(strstr(sections[0], "\"per_name\":{\"Apple\":100,\"OnePlus\":0,"
                                            "\"Pixel\":100,\"Samsung\":0},\"records\":300"));
  free(sections[0]);
  free(sections[1]);
  free(input);
}
END_TEST

START_TEST(test_tokens_sentences_and_fields) {
  char pipeline[2048];
  snprintf(pipeline, sizeof pipeline,
           "{\"name\": \"lua-tokens\", \"stages\": [{\"plugin\": \"tokenize\"}, {\"plugin\": "
           "\"lua\", \"config\": {\"script\": \"%s/tests/plugins/lua/scripts/tokens.lua\"}}]}",
           getenv("TEXTPIPE_SOURCE_ROOT") ? getenv("TEXTPIPE_SOURCE_ROOT") : ".");
  run_spec spec = {.pipeline = pipeline,
                   .input =
                       "{\"text\":\"Cats were running. Dogs!\",\"meta\":{\"author\":\"ann\"}}\n"};
  run_result result = support_run(&spec);
  ck_assert_msg(result.exit_status == 0, "exit %d:\n%s", result.exit_status, result.err);
  ck_assert_str_eq(result.out,
                   "{\"text\":\"Cats were running. Dogs!\",\"meta\":{\"author\":\"ann\"},"
                   "\"token_summary\":{\"author\":\"ann\",\"last_sentence_of_last_token\":2,"
                   "\"sentences\":[\"Cats were running.\",\"Dogs!\"],\"words\":[\"cats/cat\","
                   "\"were/were\",\"running/run\",\"dogs/dog\"]}}\n");
  support_run_free(&result);
}
END_TEST

static Suite *lua_suite(void) {
  Suite *suite = suite_create("lua");
  TCase *escapes = tcase_create("escapes");
  tcase_set_timeout(escapes, 120);
  tcase_add_loop_test(escapes, test_escape_dead_letters_only_its_record, 0,
                      (int)(sizeof escape_cases / sizeof escape_cases[0]));
  suite_add_tcase(suite, escapes);
  TCase *start = tcase_create("start-up errors");
  tcase_add_loop_test(start, test_start_errors_name_the_place, 0,
                      (int)(sizeof start_cases / sizeof start_cases[0]));
  suite_add_tcase(suite, start);
  TCase *state = tcase_create("state and report");
  tcase_set_timeout(state, 60);
  tcase_add_test(state, test_state_merges_across_workers);
  tcase_add_test(state, test_example_mentions_on_two_workers);
  tcase_add_test(state, test_tokens_sentences_and_fields);
  suite_add_tcase(suite, state);
  return suite;
}

int main(void) {
  return tp_check_run(lua_suite());
}
