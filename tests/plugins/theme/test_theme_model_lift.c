/* tests/plugins/theme/test_theme_model_lift.c - a model file's number arrays read straight from
 * its text (model_lift.h): which arrays are lifted and with which doubles (strtod's, bit for
 * bit), and that th_model_load, which lifts them, loads every file as the tree of its text
 * does (th_model_from_json), error messages included. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "model.h"
#include "model_lift.h"

START_TEST(number_arrays_are_lifted_and_nothing_else) {
  const char *text =
      "{\"a\":[1, -2.5e3 "
      ",0.1,0.1234567890123456789],\"s\":\"x[9]\\\"[8]\",\"n\":[[3],[]],\"m\":[1,\"x\"],"
      "\"l\":[1234567890123456789012345678901234],\"e\":[],\"f\":[01]}";
  size_t length = strlen(text), rest_length = 0;
  char rest[256];
  th_lifted lifted = {0};
  ck_assert_int_eq(th_lift_number_arrays(text, length, rest, &rest_length, &lifted), 0);
  ck_assert_str_eq(rest, "{\"a\":[],\"s\":\"x[9]\\\"[8]\",\"n\":[[],[]],\"m\":[1,\"x\"],"
                         "\"l\":[1234567890123456789012345678901234],\"e\":[],\"f\":[01]}");
  ck_assert_uint_eq(rest_length, strlen(rest));
  ck_assert_uint_eq(lifted.ordinals, 8); /* a, n, [3], [], m, l, e, f: none in the string */
  ck_assert_uint_eq(lifted.count, 2);
  ck_assert_uint_eq(lifted.arrays[0].ordinal, 0);
  ck_assert_uint_eq(lifted.arrays[0].count, 4);
  const char *numbers[] = {"1", "-2.5e3", "0.1", "0.1234567890123456789"}; /* the last: strtod */
  for (int i = 0; i < 4; i++) {
    double expected = strtod(numbers[i], NULL);
    ck_assert_mem_eq(&lifted.arrays[0].values[i], &expected, sizeof expected);
  }
  ck_assert_uint_eq(lifted.arrays[1].ordinal, 2);
  ck_assert_uint_eq(lifted.arrays[1].count, 1);
  th_lifted_release(&lifted);
}
END_TEST

START_TEST(lifted_arrays_bind_to_their_nodes) {
  const char *text = "{\"x\":[\"s\"],\"a\":[[1,2],[\"t\"],[3]],\"b\":[4.5]}";
  char rest[128];
  size_t rest_length = 0;
  th_lifted lifted = {0};
  ck_assert_int_eq(th_lift_number_arrays(text, strlen(text), rest, &rest_length, &lifted), 0);
  cJSON *json = cJSON_Parse(rest);
  ck_assert_int_eq(th_lifted_bind(&lifted, json), 0);
  const cJSON *a = cJSON_GetObjectItem(json, "a"), *b = cJSON_GetObjectItem(json, "b");
  ck_assert_ptr_null(th_lifted_find(&lifted, cJSON_GetObjectItem(json, "x")));
  ck_assert_ptr_null(th_lifted_find(&lifted, a));
  ck_assert_ptr_null(th_lifted_find(&lifted, cJSON_GetArrayItem(a, 1)));
  const th_lifted_array *first = th_lifted_find(&lifted, cJSON_GetArrayItem(a, 0));
  const th_lifted_array *third = th_lifted_find(&lifted, cJSON_GetArrayItem(a, 2));
  const th_lifted_array *last = th_lifted_find(&lifted, b);
  ck_assert(first && third && last);
  ck_assert(first->count == 2 && first->values[0] == 1 && first->values[1] == 2);
  ck_assert(third->count == 1 && third->values[0] == 3);
  ck_assert(last->count == 1 && last->values[0] == 4.5);
  cJSON_Delete(json);
  /* a tree with other arrays than the text showed is refused */
  json = cJSON_Parse("{\"x\":[\"s\"],\"a\":[[],[\"t\"],[]],\"b\":[],\"c\":[]}");
  ck_assert_int_eq(th_lifted_bind(&lifted, json), -1);
  cJSON_Delete(json);
  th_lifted_release(&lifted);
}
END_TEST

/* Model files: valid ones (a \u escape, so that cJSON parses what tp_json_parse_plain leaves;
 * line breaks inside arrays; numbers strtod converts itself; a member given twice) and broken
 * ones, each of whose first problem must be reported the same way. */
static const char *const models[] = {
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5,22,2.25e0,\n33,0.1234567890123456789,44,3],"
    "\"themes\":[{\"id\":4,\"label\":\"caf\\u00e9 [x]\",\"keyphrases\":[\"a\",\"b\"],\"size\":5,"
    "\"floor\":0.1,\"terms\":[0,0.5,\n 2,1e-30, 3,-0.25]},"
    "{\"id\":9,\"label\":\"t\",\"keyphrases\":[],\"size\":2,\"floor\":-0.2,\"terms\":[1,0.75]}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":false,"
    "\"vocabulary\":[11,1.5,22,2],\"vocabulary\":[5,5],"
    "\"themes\":[{\"id\":4,\"label\":\"x\",\"keyphrases\":[\"a\"],\"size\":5,\"floor\":0.1,"
    "\"terms\":[0,0.5],\"terms\":[1,1]}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5,22],\"themes\":[{\"id\":4}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5,22,-1],\"themes\":[{\"id\":4}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5,22,\"w\"],\"themes\":[{\"id\":4}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5],\"themes\":[{\"id\":4,\"label\":\"x\",\"keyphrases\":[],"
    "\"size\":5,\"floor\":0.1,\"terms\":[0,0.5,1,0.5]}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5],\"themes\":[{\"id\":4,\"label\":\"x\",\"keyphrases\":[],"
    "\"size\":5,\"floor\":0.1,\"terms\":[0,0.5,0]}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5],\"themes\":[{\"id\":4,\"label\":\"x\",\"keyphrases\":[],"
    "\"size\":5,\"floor\":0.1,\"terms\":[0,null]}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"records\":7,\"bigrams\":true,"
    "\"vocabulary\":[11,1.5],\n\"themes\":[{\"id\":4,\"label\":\"x\" \"keyphrases\":[]}]}",
    "{\"format\":\"textpipe-theme-model\",\"version\":1,\"vocabulary\":[11,1.5,[2]]}",
};

static void assert_same_model(const th_saved_model *a, const th_saved_model *b) {
  ck_assert_uint_eq(a->vectors.themes, b->vectors.themes);
  ck_assert_uint_eq(a->vectors.vocabulary, b->vectors.vocabulary);
  ck_assert_uint_eq(a->vectors.table_size, b->vectors.table_size);
  ck_assert(a->records == b->records && a->bigrams == b->bigrams);
  uint32_t themes = a->vectors.themes, columns = a->vectors.vocabulary;
  ck_assert_mem_eq(a->vectors.idf, b->vectors.idf, columns * sizeof(float));
  ck_assert_mem_eq(a->vectors.centroids, b->vectors.centroids,
                   (size_t)themes * columns * sizeof(float));
  ck_assert_mem_eq(a->vectors.table_keys, b->vectors.table_keys,
                   a->vectors.table_size * sizeof(uint32_t));
  ck_assert_mem_eq(a->vectors.table_index, b->vectors.table_index,
                   a->vectors.table_size * sizeof(uint32_t));
  ck_assert_mem_eq(a->ids, b->ids, themes * sizeof(uint64_t));
  ck_assert_mem_eq(a->sizes, b->sizes, themes * sizeof(double));
  ck_assert_mem_eq(a->floors, b->floors, themes * sizeof(float));
  for (uint32_t j = 0; j < themes; j++) {
    ck_assert_str_eq(a->labels[j], b->labels[j]);
    ck_assert(cJSON_Compare(a->keyphrases[j], b->keyphrases[j], 1));
  }
}

/* Loads `text` from a file both ways: the same model, or the same error message. */
static void assert_loads_as_its_tree(const char *text) {
  char path[] = "/tmp/test_theme_model_lift_XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  FILE *file = fdopen(fd, "w");
  fputs(text, file);
  fclose(file);
  char err[512] = "", tree_err[512] = "";
  th_saved_model *lifted = th_model_load(path, err, sizeof err);
  cJSON *json = th_json_load(path, tree_err, sizeof tree_err);
  th_saved_model *plain = json ? th_model_from_json(json, path, tree_err, sizeof tree_err) : NULL;
  ck_assert_msg((lifted == NULL) == (plain == NULL), "%s / %s", err, tree_err);
  if (lifted)
    assert_same_model(lifted, plain);
  else
    ck_assert_str_eq(err, tree_err);
  th_saved_model_free(lifted);
  th_saved_model_free(plain);
  cJSON_Delete(json);
  remove(path);
}

START_TEST(a_model_loads_as_its_tree_does) {
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
    assert_loads_as_its_tree(models[i]);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {number_arrays_are_lifted_and_nothing_else,
                                lifted_arrays_bind_to_their_nodes, a_model_loads_as_its_tree_does};
  return tp_check_main("theme-model-lift", tests, sizeof tests / sizeof tests[0]);
}
