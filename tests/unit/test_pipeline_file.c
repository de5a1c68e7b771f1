/* tests/unit/test_pipeline_file.c - loading pipeline files: every semantic error with its JSON
 * path, and what a good file turns into. Pipelines are written to a temporary folder; plugins
 * come from the fixture folder (build/tests/fixtures/plugins). */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "config_support.h"
#include "pipeline.h"

typedef struct error_case {
  const char *pipeline; /* the file's text */
  const char *message;  /* expected error after "<file>: " */
} error_case;

static const error_case error_cases[] = {
    {"[]", "expected a JSON object with \"stages\", got an array"},
    {"{\"name\": \"x\"}", "missing \"stages\" (an array of stages, may be empty)"},
    {"{\"stages\": [], \"stage\": []}",
     "stage: unknown key (did you mean \"stages\"?); allowed keys: name, description, input, "
     "stages, on_error, source, sink"},
    {"{\"stages\": [], \"stages\": []}", "stages: duplicate key"},
    {"{\"name\": 3, \"stages\": []}", "name: expected a non-empty string, got 3"},
    {"{\"name\": \"\", \"stages\": []}", "name: expected a non-empty string, got \"\""},
    {"{\"description\": [], \"stages\": []}", "description: expected a string, got an array"},
    {"{\"stages\": {}}", "stages: expected an array of stages, got an object"},
    {"{\"input\": \"ndjson\", \"stages\": []}", "input: expected an object, got \"ndjson\""},
    {"{\"input\": {\"format\": \"tsv\"}, \"stages\": []}",
     "input.format: expected \"ndjson\", \"lines\" or \"csv\", got \"tsv\""},
    {"{\"input\": {\"text_feld\": \"x\"}, \"stages\": []}",
     "input.text_feld: unknown key (did you mean \"text_field\"?); allowed keys: format, "
     "text_field, max_record_bytes"},
    {"{\"input\": {\"text_field\": \"comment..body\"}, \"stages\": []}",
     "input.text_field: expected a field name or dotted path such as \"comment.body\", got "
     "\"comment..body\""},
    {"{\"input\": {\"text_field\": \"\"}, \"stages\": []}",
     "input.text_field: expected a field name or dotted path such as \"comment.body\", got "
     "\"\""},
    {"{\"input\": {\"max_record_bytes\": 0}, \"stages\": []}",
     "input.max_record_bytes: expected an integer from 1 to 1073741824, got 0"},
    {"{\"input\": {\"max_record_bytes\": 1.5}, \"stages\": []}",
     "input.max_record_bytes: expected an integer from 1 to 1073741824, got 1.5"},
    {"{\"stages\": [], \"on_error\": \"ignore\"}",
     "on_error: expected \"dead_letter\" or \"stop\", got \"ignore\""},
    {"{\"stages\": [\"echo\"]}",
     "stages[0]: expected a stage object such as {\"plugin\": \"NAME\"}, got \"echo\""},
    {"{\"stages\": [{}]}",
     "stages[0]: give either \"plugin\" (a plugin name) or \"path\" (a .so file)"},
    {"{\"stages\": [{\"plugin\": \"echo\", \"path\": \"echo.so\"}]}",
     "stages[0]: give either \"plugin\" (a plugin name) or \"path\" (a .so file), not both"},
    {"{\"stages\": [{\"plugin\": \"echo\", \"conf\": {}}]}",
     "stages[0].conf: unknown key (did you mean \"config\"?); allowed keys: plugin, path, id, "
     "config"},
    {"{\"stages\": [{\"plugin\": 3}]}", "stages[0].plugin: expected a plugin name, got 3"},
    {"{\"stages\": [{\"plugin\": \"../echo\"}]}",
     "stages[0].plugin: invalid plugin name \"../echo\" (use only a-z, 0-9, '_' and '-'; to "
     "load a file, give \"path\" instead)"},
    {"{\"stages\": [{\"plugin\": \"echo\"}, {\"plugin\": \"ecko\"}]}",
     "stages[1].plugin: unknown plugin \"ecko\" (did you mean \"echo\"?); available: "
     "abi-major, abi-minor, bad-default, create-fails, echo, exec, flaky, frozen-2-0, "
     "half-overlap, "
     "lengths, lua, "
     "needs-echo, needs-missing, no-entry, no-merge, no-process, *"},
    {"{\"stages\": [{\"path\": \"nothere.so\"}]}",
     "stages[0].path: DIR/nothere.so: cannot open plugin: No such file or directory"},
    {"{\"stages\": [{\"plugin\": \"abi-major\"}]}",
     "stages[0].plugin: FIXTURES/abi-major.so: plugin ABI 3.0 is incompatible with textpipe's "
     "ABI 2.4 (the major versions differ); rebuild the plugin against this textpipe"},
    {"{\"stages\": [{\"plugin\": \"no-entry\"}]}",
     "stages[0].plugin: FIXTURES/no-entry.so: not a textpipe plugin (no tp_plugin_entry() "
     "symbol; define it with TP_PLUGIN_DEFINE)"},
    {"{\"stages\": [{\"plugin\": \"echo\"}, {\"plugin\": \"echo\"}]}",
     "stages[1]: duplicate stage id \"echo\" (stages[0] has it too); give one of them an "
     "\"id\""},
    {"{\"stages\": [{\"plugin\": \"echo\", \"id\": \"a\"}, {\"plugin\": \"flaky\", \"id\": "
     "\"a\"}]}",
     "stages[1].id: duplicate stage id \"a\" (stages[0] has it too)"},
    {"{\"stages\": [{\"plugin\": \"echo\", \"id\": \"Has Space\"}]}",
     "stages[0].id: expected an id of a-z, 0-9, '_' and '-', got \"Has Space\""},
    {"{\"stages\": [{\"plugin\": \"echo\", \"config\": {\"repeat\": \"three\"}}]}",
     "stages[0].config.repeat: expected an integer from 1 to 5, got \"three\""},
    {"{\"stages\": [{\"plugin\": \"echo\", \"config\": {\"mod\": \"upper\"}}]}",
     "stages[0].config.mod: unknown option (did you mean \"mode\"?); valid options: prefix, "
     "mode, repeat, ratio, tags, verbose, extra, file"},
    {"{\"stages\": [{\"plugin\": \"flaky\", \"config\": {\"x\": 1}}]}",
     "stages[0].config.x: unknown option (this plugin takes no options)"},
    {"{\"stages\": [{\"plugin\": \"echo\", \"config\": {\"file\": \"missing.txt\"}}]}",
     "stages[0].config.file: cannot read \"missing.txt\" (relative to the pipeline file): No "
     "such file or directory"},
    {"{\"stages\": [{\"plugin\": \"needs-echo\"}]}",
     "stages[0]: stage \"needs-echo\" (plugin needs-echo) requires \"echo\", which no earlier "
     "stage provides; add a stage {\"plugin\": \"echo\"} before it"},
    {"{\"stages\": [{\"plugin\": \"flaky\"}, {\"plugin\": \"needs-echo\", \"id\": \"n\"}, "
     "{\"plugin\": \"echo\", \"id\": \"e\"}]}",
     "stages[1]: stage \"n\" (plugin needs-echo) requires \"echo\", which no earlier stage "
     "provides; stage \"e\" (stages[2]) provides it: move it before this one"},
    {"{\"stages\": [{\"plugin\": \"uses-echo\"}, {\"plugin\": \"echo\", \"id\": \"e\"}]}",
     "stages[0]: stage \"uses-echo\" (plugin uses-echo) uses \"echo\", which no earlier stage "
     "provides; stage \"e\" (stages[1]) provides it: move it before this one"},
    {"{\"stages\": [{\"plugin\": \"uses-echo\"}]}",
     "stages[0]: stage \"uses-echo\" (plugin uses-echo) uses \"echo\", which no earlier stage "
     "provides; add a stage {\"plugin\": \"echo\"} before it"},
    {"{\"stages\": [{\"plugin\": \"needs-missing\"}]}",
     "stages[0]: stage \"needs-missing\" (plugin needs-missing) requires "
     "\"nobody_provides_this\", which no earlier stage provides, and no available plugin "
     "provides it"},
    {"{\"stages\": [{\"plugin\": \"echo\"}, {\"plugin\": \"create-fails\"}]}",
     "stages[1]: stage \"create-fails\" (plugin create-fails) failed to start: cannot start: "
     "this fixture always fails"},
};

START_TEST(test_pipeline_errors) {
  const error_case *c = &error_cases[_i];
  char temp[PATH_MAX];
  char dir[PATH_MAX];
  char fixtures[PATH_MAX];
  char file[PATH_MAX];
  char expected[2048];
  support_temp_dir(temp, sizeof temp);
  ck_assert_ptr_nonnull(realpath(temp, dir));
  ck_assert_ptr_nonnull(realpath(support_fixture_dir(), fixtures));
  support_write(dir, "p.json", c->pipeline, file, sizeof file);
  tp_loader_options options = support_options();
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_pipeline_load(file, &options, &pipeline, &err), -1);
  ck_assert_ptr_null(pipeline);
  char with_dir[2048];
  support_replace(c->message, "DIR", dir, with_dir, sizeof with_dir);
  support_replace(with_dir, "FIXTURES", fixtures, expected, sizeof expected);
  ck_assert_int_eq(strncmp(err.message, file, strlen(file)), 0);
  /* A trailing '*' matches anything: the list of available plugins also holds the built-in
   * plugins of the build tree, which grow as plugins are added. */
  size_t expected_length = strlen(expected);
  if (expected_length > 0 && expected[expected_length - 1] == '*')
    ck_assert_int_eq(
        strncmp(support_after_prefix(err.message, file), expected, expected_length - 1), 0);
  else
    ck_assert_str_eq(support_after_prefix(err.message, file), expected);
  support_remove_tree(dir);
}
END_TEST

/* Errors about a key say where it is: "p.json:<line>:<col>: <json path>: ...", the key's
 * opening quote (an array element's first character; a repeated key where it repeats). */
static const struct {
  const char *pipeline;
  const char *where; /* "<line>:<col>: <path>" */
} position_cases[] = {
    {"{\n  \"name\": \"x\",\n  \"stages\": [\n    {\"plugin\": \"echo\",\n"
     "     \"config\": {\"bogus\": 1}}\n  ]\n}",
     "5:17: stages[0].config.bogus"},
    {"{\"stages\": [\n  {\"plugin\": \"echo\"},\n  {\"plugin\": \"echo\", \"idd\": \"b\"}]}",
     "3:22: stages[1].idd"},
    {"{\"name\": \"a\",\n \"stages\": [],\n \"name\": \"b\"}", "3:2: name"},
    {"{\"stages\": [],\n\t\"on_error\": \"halt\"}", "2:2: on_error"},
    {"{\"stages\": [\n  {\"plugin\": \"echo\"},\n  7]}", "3:3: stages[1]"},
    {"{\"stages\": [], \"input\": {\"format\":\n  \"xml\"}}", "1:26: input.format"},
};

START_TEST(test_error_positions) {
  char dir[PATH_MAX], temp[PATH_MAX], file[PATH_MAX];
  support_temp_dir(temp, sizeof temp);
  ck_assert_ptr_nonnull(realpath(temp, dir));
  support_write(dir, "p.json", position_cases[_i].pipeline, file, sizeof file);
  tp_loader_options options = support_options();
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_pipeline_load(file, &options, &pipeline, &err), -1);
  char expected[PATH_MAX + 64];
  snprintf(expected, sizeof expected, "%s:%s: ", file, position_cases[_i].where);
  ck_assert_msg(strncmp(err.message, expected, strlen(expected)) == 0, "got %s, expected %s...",
                err.message, expected);
  support_remove_tree(dir);
}
END_TEST

/* Loads `text` from a temporary p.json; the caller frees the pipeline and removes `dir`. */
static tp_pipeline *load_good(const char *text, char *dir, size_t size) {
  char file[PATH_MAX];
  support_temp_dir(dir, size);
  support_write(dir, "p.json", text, file, sizeof file);
  tp_loader_options options = support_options();
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_pipeline_load(file, &options, &pipeline, &err) == 0, "%s", err.message);
  return pipeline;
}

START_TEST(test_defaults) {
  char dir[PATH_MAX];
  tp_pipeline *pipeline = load_good("{\"stages\": []}", dir, sizeof dir);
  ck_assert_str_eq(pipeline->name, "p");
  ck_assert_ptr_null(pipeline->description);
  ck_assert_int_eq(pipeline->input_format, TP_INPUT_NDJSON);
  ck_assert_str_eq(pipeline->text_field, "text");
  ck_assert_uint_eq(pipeline->max_record_bytes, 16u * 1024u * 1024u);
  ck_assert_int_eq(pipeline->on_error, TP_ON_ERROR_DEAD_LETTER);
  ck_assert_uint_eq(pipeline->stage_count, 0);
  ck_assert_int_eq(pipeline->concurrent, 1);
  ck_assert_int_eq(strcmp(pipeline->path + strlen(pipeline->path) - 7, "/p.json"), 0);
  tp_pipeline_free(pipeline);
  support_remove_tree(dir);
}
END_TEST

START_TEST(test_full_pipeline) {
  char dir[PATH_MAX];
  char file[PATH_MAX];
  char real_dir[PATH_MAX];
  char text[4096];
  support_temp_dir(dir, sizeof dir);
  ck_assert_ptr_nonnull(realpath(dir, real_dir));
  support_write(dir, "words.txt", "a\n", file, sizeof file);
  /* A stage by "path", relative to the pipeline's folder: the fixture folder seen from it. */
  snprintf(text, sizeof text,
           "{\"name\": \"full\", \"description\": \"every key\",\n"
           " \"input\": {\"format\": \"lines\", \"text_field\": \"comment.body\", "
           "\"max_record_bytes\": 1024},\n"
           " \"stages\": [\n"
           "  {\"path\": \"%s/echo.so\", \"id\": \"first\", \"config\": {\"prefix\": \">\", "
           "\"file\": \"words.txt\"}},\n"
           "  {\"plugin\": \"needs-echo\"},\n"
           "  {\"plugin\": \"echo\", \"id\": \"second\", \"config\": {\"mode\": \"upper\"}},\n"
           "  {\"plugin\": \"serial\"}\n"
           " ],\n"
           " \"on_error\": \"stop\"}",
           support_fixture_dir());
  char path[PATH_MAX];
  support_write(dir, "p.json", text, path, sizeof path);
  tp_loader_options options = support_options();
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_pipeline_load(path, &options, &pipeline, &err) == 0, "%s", err.message);
  ck_assert_str_eq(pipeline->name, "full");
  ck_assert_str_eq(pipeline->description, "every key");
  ck_assert_int_eq(pipeline->input_format, TP_INPUT_LINES);
  ck_assert_str_eq(pipeline->text_field, "comment.body");
  ck_assert_uint_eq(pipeline->max_record_bytes, 1024);
  ck_assert_int_eq(pipeline->on_error, TP_ON_ERROR_STOP);
  ck_assert_uint_eq(pipeline->stage_count, 4);
  ck_assert_int_eq(pipeline->concurrent, 0); /* serial is not concurrent */
  /* echo is opened once for two stages, by path and by name */
  ck_assert_uint_eq(pipeline->handle_count, 3);
  ck_assert_ptr_eq(pipeline->stages[0].handle, pipeline->stages[2].handle);
  const char *ids[] = {"first", "needs-echo", "second", "serial"};
  for (size_t i = 0; i < 4; i++) {
    ck_assert_str_eq(pipeline->stages[i].id, ids[i]);
    ck_assert_uint_eq(pipeline->stages[i].index, i);
    ck_assert_ptr_eq(pipeline->stages[i].pipeline, pipeline);
    ck_assert_ptr_nonnull(pipeline->stages[i].instance);
  }
  char *config = cJSON_PrintUnformatted(pipeline->stages[0].config);
  char expected[PATH_MAX * 2];
  snprintf(expected, sizeof expected,
           "{\"prefix\":\">\",\"file\":\"%s/words.txt\",\"mode\":\"plain\",\"repeat\":1,"
           "\"tags\":[],\"verbose\":false}",
           real_dir);
  ck_assert_str_eq(config, expected);
  free(config);
  ck_assert_str_eq(cJSON_GetObjectItem(pipeline->stages[2].config, "mode")->valuestring, "upper");
  tp_pipeline_free(pipeline);
  support_remove_tree(dir);
}
END_TEST

START_TEST(test_concurrent_when_every_stage_is) {
  char dir[PATH_MAX];
  tp_pipeline *pipeline =
      load_good("{\"stages\": [{\"plugin\": \"echo\"}, {\"plugin\": \"flaky\"}]}", dir, sizeof dir);
  ck_assert_int_eq(pipeline->concurrent, 1);
  tp_pipeline_free(pipeline);
  support_remove_tree(dir);
}
END_TEST

START_TEST(test_syntax_error_has_position) {
  char dir[PATH_MAX];
  char file[PATH_MAX];
  char expected[PATH_MAX + 100];
  support_temp_dir(dir, sizeof dir);
  support_write(dir, "p.json", "{\n  \"stages\": [\n    {\"plugin\": \"echo\"},\n  ]\n}", file,
                sizeof file);
  tp_loader_options options = support_options();
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_pipeline_load(file, &options, &pipeline, &err), -1);
  snprintf(expected, sizeof expected, "%s:3:23: trailing comma before ']'", file);
  ck_assert_str_eq(err.message, expected);
  support_remove_tree(dir);
}
END_TEST

START_TEST(test_free_null) {
  tp_pipeline_free(NULL);
}
END_TEST

static Suite *pipeline_suite(void) {
  Suite *suite = suite_create("pipeline");
  TCase *errors = tcase_create("errors");
  tcase_add_loop_test(errors, test_pipeline_errors, 0,
                      (int)(sizeof error_cases / sizeof error_cases[0]));
  tcase_add_test(errors, test_syntax_error_has_position);
  tcase_add_loop_test(errors, test_error_positions, 0,
                      (int)(sizeof position_cases / sizeof position_cases[0]));
  suite_add_tcase(suite, errors);
  TCase *good = tcase_create("good pipelines");
  tcase_add_test(good, test_defaults);
  tcase_add_test(good, test_full_pipeline);
  tcase_add_test(good, test_concurrent_when_every_stage_is);
  tcase_add_test(good, test_free_null);
  suite_add_tcase(suite, good);
  return suite;
}

int main(void) {
  return tp_check_run(pipeline_suite());
}
