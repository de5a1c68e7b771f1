/* tests/unit/test_config_schema.c - stage configs checked against option tables. */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "config_schema.h"
#include "config_support.h"

static const char *const modes[] = {"fast", "exact", NULL};

static const tp_option options[] = {
    {.name = "max_sentences",
     .type = TP_OPTION_INT,
     .default_json = "3",
     .min = 1,
     .max = 50,
     .description = "Sentences in the summary"},
    {.name = "threshold",
     .type = TP_OPTION_NUMBER,
     .default_json = "0.5",
     .min = 0,
     .max = 1,
     .description = "Score cut-off"},
    {.name = "mode",
     .type = TP_OPTION_ENUM,
     .default_json = "\"fast\"",
     .min = 1,
     .max = 0,
     .choices = modes,
     .description = "Speed or precision"},
    {.name = "language",
     .type = TP_OPTION_STRING,
     .default_json = "\"en\"",
     .min = 1,
     .max = 0,
     .description = "Language code"},
    {.name = "stopwords",
     .type = TP_OPTION_STRING_LIST,
     .min = 1,
     .max = 0,
     .description = "Extra stop words"},
    {.name = "lowercase",
     .type = TP_OPTION_BOOL,
     .default_json = "true",
     .min = 1,
     .max = 0,
     .description = "Lower-case first"},
    {.name = "weights",
     .type = TP_OPTION_OBJECT,
     .min = 1,
     .max = 0,
     .description = "Per-theme weights"},
    {.name = "lexicon",
     .type = TP_OPTION_PATH,
     .min = 1,
     .max = 0,
     .required = 1,
     .description = "Lexicon file"},
    {.name = "count",
     .type = TP_OPTION_INT,
     .min = 1,
     .max = 0,
     .description = "Any integer (no range)"},
    {.name = "vocabulary",
     .type = TP_OPTION_INT,
     .min = 1024,
     .max = 1048576,
     .description = "Large bounds print as written"},
    {.name = NULL},
};

typedef struct schema_case {
  const char *config; /* the stage's config as JSON, NULL for absent */
  const char *error;  /* expected message after "x.json: ", NULL when valid */
  const char *result; /* when valid: expected output, with LEXICON for the absolute path */
} schema_case;

static const schema_case cases[] = {
    {"{\"lexicon\": \"lexicon.txt\"}", NULL,
     "{\"lexicon\":\"LEXICON\",\"max_sentences\":3,\"threshold\":0.5,\"mode\":\"fast\","
     "\"language\":\"en\",\"lowercase\":true}"},
    {"{\"lexicon\": \"lexicon.txt\", \"max_sentences\": 50, \"threshold\": 0, \"mode\": "
     "\"exact\", \"stopwords\": [\"a\", \"b\"], \"lowercase\": false, \"weights\": {\"x\": 1}, "
     "\"count\": -7}",
     NULL,
     "{\"lexicon\":\"LEXICON\",\"max_sentences\":50,\"threshold\":0,\"mode\":\"exact\","
     "\"stopwords\":[\"a\",\"b\"],\"lowercase\":false,\"weights\":{\"x\":1},\"count\":-7,"
     "\"language\":\"en\"}"},
    {"{\"lexicon\": \"lexicon.txt\", \"max_sentences\": \"three\"}",
     "stages[2].config.max_sentences: expected an integer from 1 to 50, got \"three\"", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"max_sentences\": 2.5}",
     "stages[2].config.max_sentences: expected an integer from 1 to 50, got 2.5", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"max_sentences\": 51}",
     "stages[2].config.max_sentences: expected an integer from 1 to 50, got 51", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"max_sentences\": 0}",
     "stages[2].config.max_sentences: expected an integer from 1 to 50, got 0", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"vocabulary\": 0.1}",
     "stages[2].config.vocabulary: expected an integer from 1024 to 1048576, got 0.1", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"count\": 1.5}",
     "stages[2].config.count: expected an integer, got 1.5", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"threshold\": 1.5}",
     "stages[2].config.threshold: expected a number from 0 to 1, got 1.5", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"threshold\": \"high\"}",
     "stages[2].config.threshold: expected a number from 0 to 1, got \"high\"", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"mode\": \"slow\"}",
     "stages[2].config.mode: expected one of \"fast\", \"exact\", got \"slow\"", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"mode\": \"exakt\"}",
     "stages[2].config.mode: expected one of \"fast\", \"exact\", got \"exakt\" (did you mean "
     "\"exact\"?)",
     NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"language\": 7}",
     "stages[2].config.language: expected a string, got 7", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"stopwords\": \"the\"}",
     "stages[2].config.stopwords: expected an array of strings, got \"the\"", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"stopwords\": [\"the\", 3]}",
     "stages[2].config.stopwords[1]: expected a string, got 3", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"lowercase\": \"yes\"}",
     "stages[2].config.lowercase: expected true or false, got \"yes\"", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"weights\": [1]}",
     "stages[2].config.weights: expected an object, got an array", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"max_sentence\": 3}",
     "stages[2].config.max_sentence: unknown option (did you mean \"max_sentences\"?); valid "
     "options: max_sentences, threshold, mode, language, stopwords, lowercase, weights, "
     "lexicon, count, vocabulary",
     NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"zzzzzz\": 3}",
     "stages[2].config.zzzzzz: unknown option; valid options: max_sentences, threshold, mode, "
     "language, stopwords, lowercase, weights, lexicon, count, vocabulary",
     NULL},
    {"{}", "stages[2].config: missing required option \"lexicon\" (a file path (a string))", NULL},
    {NULL, "stages[2].config: missing required option \"lexicon\" (a file path (a string))", NULL},
    {"[]", "stages[2].config: expected an object, got an array", NULL},
    {"{\"lexicon\": \"missing.txt\"}",
     "stages[2].config.lexicon: cannot read \"missing.txt\" (relative to the pipeline file): No "
     "such file or directory",
     NULL},
    {"{\"lexicon\": \".\"}",
     "stages[2].config.lexicon: \".\" (relative to the pipeline file) is not a regular file", NULL},
    {"{\"lexicon\": \"\"}", "stages[2].config.lexicon: expected a file path, got an empty string",
     NULL},
    {"{\"lexicon\": 3}", "stages[2].config.lexicon: expected a file path (a string), got 3", NULL},
    {"{\"lexicon\": \"lexicon.txt\", \"mode\": \"fast\", \"mode\": \"exact\"}",
     "stages[2].config.mode: duplicate key", NULL},
};

START_TEST(test_schema_cases) {
  const schema_case *c = &cases[_i];
  char dir[PATH_MAX];
  char base[PATH_MAX];
  char lexicon[PATH_MAX];
  char expected[2048];
  support_temp_dir(dir, sizeof dir);
  ck_assert_ptr_nonnull(realpath(dir, base));
  support_write(base, "lexicon.txt", "good 1\n", lexicon, sizeof lexicon);
  cJSON *config = c->config != NULL ? cJSON_Parse(c->config) : NULL;
  tp_config_context context = {"x.json", base, base};
  tp_json_path path;
  tp_json_path_init(&path);
  tp_json_path_key(&path, "stages");
  tp_json_path_index(&path, 2);
  tp_json_path_key(&path, "config");
  cJSON *out = NULL;
  tp_error err = {{0}};
  int status = tp_config_validate(options, config, &context, &path, &out, &err);
  ck_assert_str_eq(path.text, "stages[2].config"); /* restored, success or not */
  if (c->error != NULL) {
    ck_assert_int_eq(status, -1);
    ck_assert_ptr_null(out);
    support_replace(c->error, "BASE", base, expected, sizeof expected);
    ck_assert_int_eq(strncmp(err.message, "x.json: ", strlen("x.json: ")), 0);
    ck_assert_str_eq(support_after_prefix(err.message, "x.json"), expected);
  } else {
    ck_assert_msg(status == 0, "unexpected error: %s", err.message);
    support_replace(c->result, "LEXICON", lexicon, expected, sizeof expected);
    char *printed = cJSON_PrintUnformatted(out);
    ck_assert_str_eq(printed, expected);
    free(printed);
  }
  cJSON_Delete(out);
  cJSON_Delete(config);
  support_remove_tree(base);
}
END_TEST

START_TEST(test_no_options_table) {
  tp_config_context context = {"x.json", "/", "/"};
  tp_json_path path;
  tp_json_path_init(&path);
  tp_json_path_key(&path, "config");
  cJSON *config = cJSON_Parse("{\"anything\": 1}");
  cJSON *out = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_config_validate(NULL, config, &context, &path, &out, &err), -1);
  ck_assert_str_eq(err.message,
                   "x.json: config.anything: unknown option (this plugin takes no options)");
  ck_assert_int_eq(tp_config_validate(NULL, NULL, &context, &path, &out, &err), 0);
  ck_assert(cJSON_IsObject(out));
  ck_assert_ptr_null(out->child);
  cJSON_Delete(out);
  cJSON_Delete(config);
}
END_TEST

/* A PATH default is the plugin's own file: resolved against the plugin's folder, not the
 * pipeline's; a missing one is reported as the plugin's default. */
START_TEST(test_path_default_is_relative_to_the_plugin) {
  char temp[PATH_MAX];
  char plugin_dir[PATH_MAX];
  char data[PATH_MAX];
  support_temp_dir(temp, sizeof temp);
  ck_assert_ptr_nonnull(realpath(temp, plugin_dir));
  support_write(plugin_dir, "data.tsv", "x\t1\n", data, sizeof data);
  const tp_option table[] = {{.name = "data",
                              .type = TP_OPTION_PATH,
                              .default_json = "\"data.tsv\"",
                              .min = 1,
                              .max = 0,
                              .description = "bundled data"},
                             {.name = NULL}};
  tp_config_context context = {"x.json", "/nonexistent-pipeline-dir", plugin_dir};
  tp_json_path path;
  tp_json_path_init(&path);
  tp_json_path_key(&path, "config");
  cJSON *out = NULL;
  tp_error err = {{0}};
  ck_assert_msg(tp_config_validate(table, NULL, &context, &path, &out, &err) == 0, "%s",
                err.message);
  ck_assert_str_eq(cJSON_GetObjectItem(out, "data")->valuestring, data);
  cJSON_Delete(out);
  ck_assert_int_eq(unlink(data), 0);
  ck_assert_int_eq(tp_config_validate(table, NULL, &context, &path, &out, &err), -1);
  ck_assert_str_eq(err.message, "x.json: config.data: the plugin's default \"data.tsv\": cannot "
                                "read \"data.tsv\" (relative to the plugin file): No such file "
                                "or directory");
  support_remove_tree(plugin_dir);
}
END_TEST

typedef struct table_case {
  tp_option option;
  const char *reason; /* NULL: the table is fine */
} table_case;

static const char *const no_choices[] = {NULL};

static const table_case table_cases[] = {
    {{.name = "ok", .type = TP_OPTION_INT, .default_json = "3", .min = 1, .max = 5}, NULL},
    {{.name = "Bad", .type = TP_OPTION_INT, .min = 1, .max = 0},
     "option name \"Bad\" is not [a-z0-9_]+"},
    {{.name = "x", .type = (tp_option_type)99, .min = 1, .max = 0},
     "option \"x\" has unknown type 99"},
    {{.name = "e", .type = TP_OPTION_ENUM, .choices = no_choices, .min = 1, .max = 0},
     "enum option \"e\" has no choices"},
    {{.name = "d", .type = TP_OPTION_INT, .default_json = "9", .min = 1, .max = 5},
     "option \"d\" has a bad default 9: expected an integer from 1 to 5, got 9"},
    {{.name = "j", .type = TP_OPTION_STRING, .default_json = "en", .min = 1, .max = 0},
     "option \"j\" has a bad default en: not valid JSON"},
};

START_TEST(test_option_table_checks) {
  const table_case *c = &table_cases[_i];
  tp_option table[2] = {c->option, {.name = NULL}};
  char reason[300] = "";
  int status = tp_config_check_table(table, reason, sizeof reason);
  if (c->reason == NULL) {
    ck_assert_int_eq(status, 0);
  } else {
    ck_assert_int_eq(status, -1);
    ck_assert_str_eq(reason, c->reason);
  }
}
END_TEST

START_TEST(test_duplicate_option_in_table) {
  tp_option table[] = {{.name = "a", .type = TP_OPTION_BOOL, .min = 1, .max = 0},
                       {.name = "a", .type = TP_OPTION_INT, .min = 1, .max = 0},
                       {.name = NULL}};
  char reason[300] = "";
  ck_assert_int_eq(tp_config_check_table(table, reason, sizeof reason), -1);
  ck_assert_str_eq(reason, "option \"a\" is declared twice");
}
END_TEST

static Suite *config_schema_suite(void) {
  Suite *suite = suite_create("config_schema");
  TCase *validate = tcase_create("validate configs");
  tcase_add_loop_test(validate, test_schema_cases, 0, (int)(sizeof cases / sizeof cases[0]));
  tcase_add_test(validate, test_no_options_table);
  tcase_add_test(validate, test_path_default_is_relative_to_the_plugin);
  suite_add_tcase(suite, validate);
  TCase *tables = tcase_create("option tables");
  tcase_add_loop_test(tables, test_option_table_checks, 0,
                      (int)(sizeof table_cases / sizeof table_cases[0]));
  tcase_add_test(tables, test_duplicate_option_in_table);
  suite_add_tcase(suite, tables);
  return suite;
}

int main(void) {
  return tp_check_run(config_schema_suite());
}
