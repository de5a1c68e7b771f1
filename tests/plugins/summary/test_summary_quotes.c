/* tests/plugins/summary/test_summary_quotes.c - which sentences the report quotes, through the
 * real loader and host (core/run/harness.h) behind the real tokenize stage: function words
 * (stopwords) give a sentence no centrality, and a readable sentence is quoted before a list
 * item, a fragment, a truncated clause or a first-person anecdote of the same centrality. The
 * rules one by one over plain strings are in test_summary_readable.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Runs `count` texts as records {"id": "q<i>", "text"} through [tokenize, summary with
 * `config`]; returns the report's summary section's `member` (a copy: caller deletes). */
static cJSON *quoted(const char *config, const char *const *texts, size_t count,
                     const char *member) {
  char path[] = "/tmp/textpipe-summary-quotes-XXXXXX.json";
  int fd = mkstemps(path, 5);
  ck_assert_int_ge(fd, 0);
  FILE *file = fdopen(fd, "w");
  fprintf(file,
          "{\"name\": \"summary-quotes\", \"input\": {\"format\": \"ndjson\", \"text_field\": "
          "\"text\"},\n \"stages\": [{\"plugin\": \"tokenize\"}, {\"plugin\": \"summary\", "
          "\"config\": %s}]}\n",
          config);
  fclose(file);
  tp_harness *harness = NULL;
  tp_error err;
  if (tp_harness_open(path, &harness, &err) != 0)
    ck_abort_msg("pipeline did not open: %s", err.message);
  for (size_t i = 0; i < count; i++) {
    cJSON *line = cJSON_CreateObject();
    char id[32];
    snprintf(id, sizeof id, "q%zu", i);
    cJSON_AddStringToObject(line, "id", id);
    cJSON_AddStringToObject(line, "text", texts[i]);
    char *json = cJSON_PrintUnformatted(line);
    char *output = NULL;
    ck_assert_int_eq(tp_harness_process_line(harness, json, &output, &err), TP_HARNESS_OUT);
    free(output);
    cJSON_free(json);
    cJSON_Delete(line);
  }
  cJSON *report = tp_harness_finish(harness, &err);
  ck_assert_ptr_nonnull(report);
  cJSON *section = cJSON_GetObjectItem(cJSON_GetObjectItem(report, "sections"), "summary");
  cJSON *copy = cJSON_Duplicate(cJSON_GetObjectItem(section, member), 1);
  ck_assert_ptr_nonnull(copy);
  cJSON_Delete(report);
  tp_harness_close(harness);
  unlink(path);
  return copy;
}

static const char *text_at(const cJSON *list, int index) {
  const cJSON *text = cJSON_GetObjectItem(cJSON_GetArrayItem(list, index), "text");
  ck_assert_msg(cJSON_IsString(text), "no sentence %d", index);
  return text->valuestring;
}

/* Five sentences share most of their function words ("it was what we had ... for") and nothing
 * else; three share their content words. Counting function words made the first kind the
 * most central; the digest now starts with the second. */
START_TEST(function_words_add_no_centrality) {
  static const char *const texts[] = {
      "It was what we had hoped for, honestly.",
      "It was what we had paid for, sadly.",
      "The breakfast buffet was excellent.",
      "It was what we had asked for, luckily.",
      "The breakfast buffet was excellent every morning.",
      "It was what we had booked for, mostly.",
      "Excellent breakfast buffet, we thought.",
      "It was what we had wanted for, really.",
  };
  cJSON *digest = quoted("{\"digest_size\": 1}", texts, sizeof texts / sizeof *texts, "digest");
  ck_assert_int_eq(cJSON_GetArraySize(digest), 1);
  ck_assert_msg(strstr(text_at(digest, 0), "breakfast buffet") != NULL, "digest quotes \"%s\"",
                text_at(digest, 0));
  cJSON_Delete(digest);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("summary_quotes");
  TCase *digest = tcase_create("digest");
  tcase_add_test(digest, function_words_add_no_centrality);
  suite_add_tcase(suite, digest);
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
