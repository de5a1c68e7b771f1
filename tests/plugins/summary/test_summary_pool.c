/* tests/plugins/summary/test_summary_pool.c - the summary plugin's candidate pool against a
 * plain model of its rules: a full pool replaces its lowest candidate (the first index of the
 * lowest score) with a better one, never takes a text it holds, and re-scoring keeps the
 * lowest right. Checks the heap and the table of texts (summary_engine.c) over many offers
 * with tied scores and texts that leave the pool and come back.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "summary_engine.h"

static const summary_allocator memory = {malloc, free};

#define CAPACITY 8
#define TEXTS    30

/* The plain model: what the pool should hold, slot by slot. */
typedef struct model {
  size_t count;
  int text[CAPACITY]; /* which of the TEXTS */
  double score[CAPACITY];
} model;

static size_t model_lowest(const model *m) {
  size_t lowest = 0;
  for (size_t i = 1; i < m->count; i++)
    if (m->score[i] < m->score[lowest])
      lowest = i;
  return lowest;
}

static int model_offer(model *m, int text, double score) {
  int full = m->count == CAPACITY;
  if (full && score <= m->score[model_lowest(m)])
    return 0;
  for (size_t i = 0; i < m->count; i++)
    if (m->text[i] == text)
      return 0;
  size_t index = full ? model_lowest(m) : m->count++;
  m->text[index] = text;
  m->score[index] = score;
  return 1;
}

static void features_for(int text, summary_features *features) {
  memset(features, 0, sizeof *features);
  features->words = 4;
  features->content_count = features->unigram_count = 2;
  features->terms[0] = (uint64_t)text * 0x9e3779b97f4a7c15ull + 1;
  features->terms[1] = (uint64_t)text * 0xbf58476d1ce4e5b9ull + 2;
  summary_features_mask(features);
}

static void check_same(const summary_pool *pool, const model *m) {
  ck_assert_uint_eq(pool->count, m->count);
  for (size_t i = 0; i < m->count; i++) {
    char expected[32];
    snprintf(expected, sizeof expected, "sentence %d", m->text[i]);
    ck_assert_str_eq(pool->items[i].text, expected);
    ck_assert(pool->scores[i] == m->score[i]);
  }
  if (m->count == CAPACITY)
    ck_assert_uint_eq(pool->lowest, model_lowest(m));
}

START_TEST(pool_follows_the_plain_rules) {
  summary_pool pool;
  summary_sketch sketch;
  const summary_scoring scoring = {.target_words = 8.0, .length_spread = 4.0, .bigram_weight = 1.0};
  model m = {0};
  ck_assert_int_eq(summary_pool_init(&pool, CAPACITY, &memory), 0);
  ck_assert_int_eq(summary_sketch_init(&sketch, 10, &memory), 0);
  uint64_t random = 42;
  for (int step = 0; step < 20000; step++) {
    random = random * 6364136223846793005ull + 1442695040888963407ull;
    int text = (int)((random >> 33) % TEXTS);
    double score = (double)((random >> 45) % 16) / 4.0; /* few values: many ties */
    if (step % 500 == 499) { /* a re-scoring against the sketch: every score changes */
      summary_pool_rescore(&pool, &sketch, &scoring);
      for (size_t i = 0; i < m.count; i++)
        m.score[i] = pool.scores[i];
      check_same(&pool, &m);
      continue;
    }
    char buffer[32];
    int length = snprintf(buffer, sizeof buffer, "sentence %d", text);
    summary_features features;
    features_for(text, &features);
    if (text % 3 == 0) { /* a third of the texts are counted: tied scores, some higher */
      uint64_t sums[2];
      ck_assert_int_eq(summary_sketch_add(&sketch, &features, sums, &memory), 0);
    }
    int expected = model_offer(&m, text, score);
    ck_assert_int_eq(
        summary_pool_offer(&pool, &features, score, buffer, (size_t)length, "1", &memory),
        expected);
    check_same(&pool, &m);
  }
  summary_pool_free(&pool, &memory);
  summary_sketch_free(&sketch, &memory);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("summary_pool");
  TCase *rules = tcase_create("rules");
  tcase_add_test(rules, pool_follows_the_plain_rules);
  suite_add_tcase(suite, rules);
  return tp_check_run(suite);
}
