/* tests/plugins/theme/test_theme_harness.c - the bundled default pipeline
 * (pipelines/comments.json: tokenize, sentiment, theme with the public-policy theme file) on
 * the bundled sample, through core/run/harness.h with the real tokenize and sentiment plugins:
 * every record gets the theme keys, and the report's theme section counts the taxonomy with
 * mean sentiment and lists discovered themes covering every record. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "harness.h"

static const char *source_path(const char *relative) {
  static char path[1024];
  const char *root = getenv("TEXTPIPE_SOURCE_ROOT");
  snprintf(path, sizeof path, "%s/%s", root ? root : ".", relative);
  return path;
}

START_TEST(default_pipeline_on_the_sample) {
  tp_harness *harness = NULL;
  tp_error err;
  ck_assert_msg(tp_harness_open(source_path("pipelines/comments.json"), &harness, &err) == 0, "%s",
                err.message);
  FILE *sample = fopen(source_path("samples/comments.ndjson"), "r");
  ck_assert_ptr_nonnull(sample);
  char line[65536];
  int records = 0, with_themes = 0;
  while (fgets(line, sizeof line, sample)) {
    char *output = NULL;
    ck_assert_int_eq(tp_harness_process_line(harness, line, &output, &err), TP_HARNESS_OUT);
    cJSON *record = cJSON_Parse(output);
    ck_assert_ptr_nonnull(record);
    const cJSON *keyphrases = cJSON_GetObjectItem(record, "keyphrases");
    ck_assert(cJSON_IsArray(keyphrases));
    const cJSON *phrase;
    cJSON_ArrayForEach(phrase, keyphrases) { /* no vague lone word, however rare in the stream */
      static const char *const vague[] = {"may", "mean", "way", "get", "also", "really"};
      for (size_t v = 0; v < sizeof vague / sizeof vague[0]; v++)
        ck_assert_str_ne(phrase->valuestring, vague[v]);
    }
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(record, "theme_id")));
    const cJSON *themes = cJSON_GetObjectItem(record, "themes");
    ck_assert(cJSON_IsArray(themes));
    with_themes += cJSON_GetArraySize(themes) > 0;
    records++;
    cJSON_Delete(record);
    free(output);
  }
  fclose(sample);
  ck_assert_int_eq(records, 7);
  ck_assert_int_eq(with_themes, 7); /* every sample comment is about public policy */
  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_msg(report != NULL, "%s", err.message);
  const cJSON *theme = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "theme");
  ck_assert_int_eq(cJSON_GetObjectItem(theme, "records")->valueint, 7);
  const cJSON *taxonomy = cJSON_GetObjectItem(theme, "taxonomy");
  ck_assert_int_eq(cJSON_GetArraySize(taxonomy), 7);
  const cJSON *item;
  cJSON_ArrayForEach(item, taxonomy) {
    if (cJSON_GetObjectItem(item, "count")->valueint > 0)
      ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(item, "mean_sentiment")));
  }
  int size = 0;
  cJSON_ArrayForEach(item, cJSON_GetObjectItem(theme, "discovered")) {
    size += cJSON_GetObjectItem(item, "size")->valueint;
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(item, "mean_sentiment")));
  }
  ck_assert_int_eq(size, 7);
  /* the blocks: one bar per taxonomy theme, then per discovered theme, in the same order,
   * coloured by the mean sentiment */
  const cJSON *blocks = cJSON_GetObjectItem(theme, "blocks");
  ck_assert_int_eq(cJSON_GetArraySize(blocks), 2);
  const char *lists[] = {"taxonomy", "discovered"}, *labels[] = {"name", "label"};
  for (int list = 0; list < 2; list++) {
    const cJSON *block = cJSON_GetArrayItem(blocks, list);
    ck_assert_str_eq(cJSON_GetObjectItem(block, "type")->valuestring, "bars");
    const cJSON *bars = cJSON_GetObjectItem(block, "items");
    const cJSON *themes_listed = cJSON_GetObjectItem(theme, lists[list]);
    ck_assert_int_eq(cJSON_GetArraySize(bars), cJSON_GetArraySize(themes_listed));
    int index = 0;
    cJSON_ArrayForEach(item, themes_listed) {
      const cJSON *bar = cJSON_GetArrayItem(bars, index++);
      ck_assert_str_eq(cJSON_GetObjectItem(bar, "label")->valuestring,
                       cJSON_GetObjectItem(item, labels[list])->valuestring);
      const cJSON *tone = cJSON_GetObjectItem(item, "mean_sentiment");
      if (tone != NULL)
        ck_assert(cJSON_GetObjectItem(bar, "tone")->valuedouble == tone->valuedouble);
    }
  }
  cJSON_Delete(report);
  tp_harness_close(harness);
}
END_TEST

static Suite *theme_harness_suite(void) {
  Suite *suite = suite_create("theme-harness");
  TCase *sample = tcase_create("default pipeline");
  tcase_add_test(sample, default_pipeline_on_the_sample);
  suite_add_tcase(suite, sample);
  return suite;
}

int main(void) {
  return tp_check_run(theme_harness_suite());
}
