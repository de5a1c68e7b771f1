/* tests/plugins/summary/test_summary_quotes.c - which sentences the report quotes, through the
 * real loader and host (core/run/harness.h) behind the real tokenize stage: function words
 * (stopwords) give a sentence no centrality, and a readable sentence is quoted before a list
 * item, a fragment, a truncated clause or a first-person anecdote at least as central. The
 * rules one by one over plain strings are in test_summary_readable.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
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

/* Pairs about the same thing: the first a list item, truncated clause, fragment or anecdote,
 * the second a readable sentence. The stream (`support`, then the pair) makes the first at
 * least as central as the second (its score in the digest says so); the digest still quotes
 * the second before the first. */
static const struct {
  const char *unreadable, *readable;
} pairs[] = {
    {"- The breakfast buffet was excellent", "The breakfast buffet was excellent."},
    {", the breakfast buffet was excellent", "The breakfast buffet was excellent."},
    {"The breakfast buffet was excellent and", "The breakfast buffet was excellent."},
    {"Breakfast buffet excellent and fresh.", "The breakfast buffet was excellent."},
    {"Great, the breakfast buffet here.", "Its great, the breakfast buffet."},
    {"We tried the excellent breakfast buffet.", "We love the excellent breakfast buffet."},
};

static const char *const support[] = {
    "The breakfast buffet was excellent and fresh.",
    "Breakfast buffet excellent and hot.",
    "Excellent and varied breakfast buffet.",
    "Breakfast buffet excellent and cheap.",
    "We tried the pool.",
    "We love the pool.",
};

START_TEST(readable_sentences_quoted_first) {
  enum { SUPPORT = sizeof support / sizeof *support };
  const char *texts[SUPPORT + 2];
  memcpy(texts, support, sizeof support);
  texts[SUPPORT] = pairs[_i].unreadable;
  texts[SUPPORT + 1] = pairs[_i].readable;
  cJSON *digest = quoted("{\"digest_size\": 8, \"redundancy\": 1}", texts, SUPPORT + 2, "digest");
  double unreadable_score = -1.0, readable_score = -1.0;
  int unreadable_at = -1, readable_at = -1, at = 0;
  const cJSON *entry;
  cJSON_ArrayForEach(entry, digest) {
    const char *text = cJSON_GetObjectItem(entry, "text")->valuestring;
    double score = cJSON_GetObjectItem(entry, "score")->valuedouble;
    if (strcmp(text, pairs[_i].unreadable) == 0) {
      unreadable_score = score;
      unreadable_at = at;
    } else if (strcmp(text, pairs[_i].readable) == 0) {
      readable_score = score;
      readable_at = at;
    }
    at++;
  }
  ck_assert_msg(unreadable_score >= readable_score && readable_score > 0.0,
                "\"%s\" (%g) is not as central as \"%s\" (%g): the case tests nothing",
                pairs[_i].unreadable, unreadable_score, pairs[_i].readable, readable_score);
  ck_assert_msg(readable_at < unreadable_at, "\"%s\" quoted at %d, \"%s\" at %d",
                pairs[_i].readable, readable_at, pairs[_i].unreadable, unreadable_at);
  cJSON_Delete(digest);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("summary_quotes");
  TCase *digest = tcase_create("digest");
  tcase_add_test(digest, function_words_add_no_centrality);
  tcase_add_loop_test(digest, readable_sentences_quoted_first, 0, sizeof pairs / sizeof *pairs);
  suite_add_tcase(suite, digest);
  return tp_check_run(suite);
}
