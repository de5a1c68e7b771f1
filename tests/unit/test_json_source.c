/* tests/unit/test_json_source.c - JSON syntax errors with positions, and JSON paths. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "json_source.h"

typedef struct syntax_case {
  const char *text;
  const char *message; /* the whole expected error, with "x.json" as the label */
} syntax_case;

static const syntax_case syntax_cases[] = {
    {"", "x.json:1:1: empty file: expected a JSON value"},
    {"  \n ", "x.json:2:2: no JSON value, only white space"},
    {"{\"a\": 1,}", "x.json:1:8: trailing comma before '}'"},
    {"[1, 2,\n]", "x.json:1:6: trailing comma before ']'"},
    {"{\"a\": }", "x.json:1:7: missing value before '}'"},
    {"{\"a\" 1}", "x.json:1:6: expected ':' after the key, got '1'"},
    {"{\"a\": 1 \"b\": 2}", "x.json:1:9: missing ',' between object members"},
    {"[1 2]", "x.json:1:4: expected ',' or ']' in an array, got '2'"},
    {"{\n  \"a\": \"abc", "x.json:2:8: unterminated string"},
    {"{\"a\": \"ab\ncd\"}", "x.json:1:10: unterminated string (a string cannot span lines)"},
    {"{\"a\": \"a\\qb\"}", "x.json:1:9: invalid escape '\\q' in a string"},
    {"{\"a\": \"\\u12g4\"}", "x.json:1:8: invalid \\u escape (expected 4 hex digits)"},
    {"{\"a\": \"\t\"}", "x.json:1:8: control character 0x09 in a string (escape it)"},
    {"{\"a\": tru}",
     "x.json:1:7: invalid literal 'tru' (expected a value: a string in double quotes, a number, "
     "true, false, null, an object or an array)"},
    {"{\"a\": 1} x", "x.json:1:10: extra data after the document"},
    {"{} {}", "x.json:1:4: extra data after the document"},
    {"{a: 1}", "x.json:1:2: expected a key in double quotes, got 'a'"},
    {"{'a': 1}", "x.json:1:2: keys must use double quotes, not single quotes"},
    {"{\"a\": 'b'}", "x.json:1:7: strings must use double quotes, not single quotes"},
    {"{\"a\": 01}", "x.json:1:7: invalid number: leading zero"},
    {"{\"a\": -}", "x.json:1:8: invalid number: expected a digit after '-'"},
    {"{\"a\": 1.}", "x.json:1:9: invalid number: expected a digit after '.'"},
    {"{\"a\": 1e}", "x.json:1:9: invalid number: expected a digit after the exponent"},
    {"{\"a\": [1, 2}", "x.json:1:12: expected ',' or ']' in an array, got '}'"},
    {"{\"a\": 1]", "x.json:1:8: expected ',' or '}' in an object, got ']'"},
    {"{\"stages\": [\n  {\"plugin\": \"x\"},\n  @\n]}",
     "x.json:3:3: unexpected character '@', expected a value"},
    {"{,}", "x.json:1:2: expected a key in double quotes, got ','"},
    {"[1,,2]", "x.json:1:4: missing value before ','"},
    {"[", "x.json:1:2: unexpected end of file, expected a value"},
    {"{\"a\": [1, 2", "x.json:1:7: unterminated array (no matching ']')"},
    {"{\"a\"", "x.json:1:5: expected ':' after the key, got end of file"},
    {"{\"a\":", "x.json:1:6: unexpected end of file, expected a value"},
    {"{\"\xc3\xa9t\xc3\xa9\": ,}", "x.json:1:9: missing value before ','"},
    {"{\"a\": \"\xff\"}", "x.json:1:8: invalid UTF-8 byte 0xff in a string"},
    {"\xef\xbb\xbf{\"a\": 1,}", "x.json:1:9: trailing comma before '}'"},
};

START_TEST(test_syntax_error_positions) {
  const syntax_case *c = &syntax_cases[_i];
  cJSON *root = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_json_parse_text("x.json", c->text, strlen(c->text), &root, &err), -1);
  ck_assert_ptr_null(root);
  ck_assert_str_eq(err.message, c->message);
}
END_TEST

static const char *const valid_documents[] = {
    "{}",
    " [ ] ",
    "{\"a\": [1, -2.5e+3, 0, true, false, null, \"\\u00e9\\n\"], \"b\": {\"c\": {}}}",
    "\"just a string\"",
    "\xef\xbb\xbf{\"bom\": 1}",
    "{\"\xc3\xa9\": \"\xe2\x82\xac\"}",
};

START_TEST(test_valid_documents_parse) {
  const char *text = valid_documents[_i];
  cJSON *root = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_json_parse_text("x.json", text, strlen(text), &root, &err), 0);
  ck_assert_ptr_nonnull(root);
  cJSON_Delete(root);
}
END_TEST

START_TEST(test_deep_nesting_is_an_error_not_a_crash) {
  size_t depth = 100000;
  char *text = malloc(depth + 1);
  memset(text, '[', depth);
  text[depth] = '\0';
  cJSON *root = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_json_parse_text("deep.json", text, depth, &root, &err), -1);
  ck_assert_str_eq(err.message, "deep.json:1:513: nesting deeper than 512 levels");
  free(text);
}
END_TEST

START_TEST(test_missing_file) {
  cJSON *root = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_json_load_file("/nonexistent/textpipe.json", &root, &err), -1);
  ck_assert_str_eq(err.message,
                   "/nonexistent/textpipe.json: cannot open: No such file or directory");
}
END_TEST

/* A file's cap depends on its kind: 5 MiB of valid JSON is too large for a pipeline file but
 * loads as a partial (whose cap is 256 MiB). */
START_TEST(test_cap_depends_on_the_kind) {
  char path[] = "/tmp/textpipe-json-source-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  FILE *file = fdopen(fd, "w");
  ck_assert_ptr_nonnull(file);
  fputs("{\"padding\": \"", file);
  for (int i = 0; i < 5 * 1024; i++) {
    char kib[1024];
    memset(kib, 'x', sizeof kib);
    fwrite(kib, 1, sizeof kib, file);
  }
  fputs("\"}", file);
  fclose(file);
  cJSON *root = NULL;
  tp_error err = {{0}};
  ck_assert_int_eq(tp_json_load_file(path, &root, &err), -1);
  ck_assert_ptr_nonnull(strstr(err.message, "too large for a pipeline file (more than 4 MiB)"));
  char *text = NULL;
  size_t length = 0;
  ck_assert_int_eq(
      tp_json_load_file_capped(path, (size_t)256 << 20, "partial", &root, &text, &length, &err), 0);
  ck_assert_uint_eq(strlen(cJSON_GetObjectItemCaseSensitive(root, "padding")->valuestring),
                    5 * 1024 * 1024);
  ck_assert_uint_eq(length, strlen(text));
  cJSON_Delete(root);
  free(text);
  ck_assert_int_eq(
      tp_json_load_file_capped(path, (size_t)1 << 20, "partial", &root, NULL, NULL, &err), -1);
  ck_assert_ptr_nonnull(strstr(err.message, "too large for a partial (more than 1 MiB)"));
  unlink(path);
}
END_TEST

START_TEST(test_path_builder) {
  tp_json_path path;
  tp_json_path_init(&path);
  ck_assert_str_eq(path.text, "");
  size_t root = tp_json_path_key(&path, "stages");
  size_t stages = tp_json_path_index(&path, 2);
  tp_json_path_key(&path, "config");
  size_t config = tp_json_path_key(&path, "max_sentences");
  ck_assert_str_eq(path.text, "stages[2].config.max_sentences");
  tp_json_path_restore(&path, config);
  tp_json_path_key(&path, "odd key");
  ck_assert_str_eq(path.text, "stages[2].config[\"odd key\"]");
  tp_json_path_restore(&path, stages);
  ck_assert_str_eq(path.text, "stages");
  tp_json_path_restore(&path, root);
  ck_assert_str_eq(path.text, "");
}
END_TEST

START_TEST(test_path_builder_never_overflows) {
  tp_json_path path;
  tp_json_path_init(&path);
  for (size_t i = 0; i < 200; i++)
    tp_json_path_key(&path, "a_rather_long_key_name");
  ck_assert_uint_lt(path.length, sizeof path.text);
  ck_assert_uint_eq(strlen(path.text), path.length);
}
END_TEST

START_TEST(test_describe_values) {
  char buffer[64];
  const char *json[] = {"\"three\"", "3",
                        "2.5",       "true",
                        "null",      "[1]",
                        "{}",        "\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\"",
                        "0.1",       "0.30000000000000004"};
  const char *expected[] = {"\"three\"", "3",
                            "2.5",       "true",
                            "null",      "an array",
                            "an object", "\"abcdefghijklmnopqrstuvwxyzabcdefghijk...\"",
                            "0.1",       "0.30000000000000004"};
  for (size_t i = 0; i < sizeof json / sizeof json[0]; i++) {
    cJSON *value = cJSON_Parse(json[i]);
    ck_assert_str_eq(tp_json_describe(value, buffer, sizeof buffer), expected[i]);
    cJSON_Delete(value);
  }
}
END_TEST

START_TEST(test_duplicate_key) {
  cJSON *object = cJSON_Parse("{\"a\": 1, \"b\": 2, \"a\": 3}");
  const cJSON *duplicate = tp_json_duplicate_key(object);
  ck_assert_ptr_nonnull(duplicate);
  ck_assert_str_eq(duplicate->string, "a");
  ck_assert_int_eq(duplicate->valueint, 3);
  cJSON_Delete(object);
  object = cJSON_Parse("{\"a\": 1, \"b\": 2}");
  ck_assert_ptr_null(tp_json_duplicate_key(object));
  cJSON_Delete(object);
}
END_TEST

static Suite *json_source_suite(void) {
  Suite *suite = suite_create("json_source");
  TCase *syntax = tcase_create("syntax errors");
  tcase_add_loop_test(syntax, test_syntax_error_positions, 0,
                      (int)(sizeof syntax_cases / sizeof syntax_cases[0]));
  tcase_add_loop_test(syntax, test_valid_documents_parse, 0,
                      (int)(sizeof valid_documents / sizeof valid_documents[0]));
  tcase_add_test(syntax, test_deep_nesting_is_an_error_not_a_crash);
  tcase_add_test(syntax, test_missing_file);
  tcase_add_test(syntax, test_cap_depends_on_the_kind);
  suite_add_tcase(suite, syntax);
  TCase *paths = tcase_create("json paths and descriptions");
  tcase_add_test(paths, test_path_builder);
  tcase_add_test(paths, test_path_builder_never_overflows);
  tcase_add_test(paths, test_describe_values);
  tcase_add_test(paths, test_duplicate_key);
  suite_add_tcase(suite, paths);
  return suite;
}

int main(void) {
  return tp_check_run(json_source_suite());
}
