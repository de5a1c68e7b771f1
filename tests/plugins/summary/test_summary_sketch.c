/* tests/plugins/summary/test_summary_sketch.c - unit tests of the summary plugin's term sketch
 * (summary_sketch.c): its 16-bit counters widen to 32 bits before one reaches UINT16_MAX, by
 * counting, merging or importing, and no count is lost or capped on the way; a sketch whose
 * counts stay small stays narrow; a widening that runs out of memory counts nothing; counters
 * that may have reached the limit are counted once, and widen only when one did. And the
 * scores with prepared length priors are those computed one by one, and scores of counts past 32
 * bits are the formula's.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "summary_digest.h"
#include "summary_engine.h"

static int fail_allocations; /* 1: every allocation fails */

static void *test_alloc(size_t size) {
  return fail_allocations ? NULL : malloc(size);
}

static const summary_allocator memory = {test_alloc, free};

/* "room clean": two content words and their bigram. */
static void room_clean(summary_features *features) {
  memset(features, 0, sizeof *features);
  features->words = 2;
  features->content_count = features->unigram_count = 2;
  features->bigram_count = 1;
  features->terms[0] = summary_hash("room", 4);
  features->terms[1] = summary_hash("clean", 5);
  features->terms[2] = summary_bigram_hash(features->terms[0], features->terms[1]);
  summary_features_mask(features);
}

/* Adds `features` `times` times; returns the sums of the last add. */
static void add_times(summary_sketch *sketch, const summary_features *features, long times,
                      uint64_t sums[2]) {
  for (long i = 0; i < times; i++)
    ck_assert_int_eq(summary_sketch_add(sketch, features, sums, &memory), 0);
}

START_TEST(counts_past_16_bits) {
  summary_features features;
  room_clean(&features);
  summary_sketch sketch;
  uint64_t sums[2];
  ck_assert_int_eq(summary_sketch_init(&sketch, 10, &memory), 0);
  add_times(&sketch, &features, 65534, sums);
  ck_assert_ptr_nonnull(sketch.narrow); /* every count below UINT16_MAX */
  add_times(&sketch, &features, 1, sums);
  ck_assert_uint_eq(summary_sketch_count(&sketch, features.terms[0]), UINT16_MAX);
  add_times(&sketch, &features, 70000 - 65535, sums);
  ck_assert_ptr_null(sketch.narrow);
  ck_assert_ptr_nonnull(sketch.wide);
  ck_assert_uint_eq(summary_sketch_count(&sketch, features.terms[0]), 70000);
  ck_assert_uint_eq(summary_sketch_count(&sketch, features.terms[2]), 70000);
  ck_assert_uint_eq(sums[0], 2 * 70000);
  ck_assert_uint_eq(sums[1], 70000);
  ck_assert_uint_eq(sketch.sentences, 70000);
  summary_sketch_free(&sketch, &memory);
}
END_TEST

START_TEST(merge_widens_only_when_a_sum_needs_it) {
  summary_features features;
  room_clean(&features);
  summary_sketch a, b, c;
  uint64_t sums[2];
  ck_assert_int_eq(summary_sketch_init(&a, 10, &memory), 0);
  ck_assert_int_eq(summary_sketch_init(&b, 10, &memory), 0);
  ck_assert_int_eq(summary_sketch_init(&c, 10, &memory), 0);
  add_times(&a, &features, 30000, sums);
  add_times(&b, &features, 30000, sums);
  ck_assert_int_eq(summary_sketch_merge(&a, &b, &memory), 0);
  ck_assert_ptr_nonnull(a.narrow); /* 60000 fits */
  ck_assert_uint_eq(summary_sketch_count(&a, features.terms[1]), 60000);
  ck_assert_int_eq(summary_sketch_merge(&a, &b, &memory), 0);
  ck_assert_ptr_null(a.narrow); /* 90000 does not */
  ck_assert_uint_eq(summary_sketch_count(&a, features.terms[1]), 90000);
  ck_assert_uint_eq(a.sentences, 90000);
  add_times(&c, &features, 5, sums);
  ck_assert_int_eq(summary_sketch_merge(&c, &a, &memory), 0); /* narrow + wide */
  ck_assert_uint_eq(summary_sketch_count(&c, features.terms[0]), 90005);
  ck_assert_int_eq(summary_sketch_merge(&a, &b, &memory), 0); /* wide + narrow */
  ck_assert_uint_eq(summary_sketch_count(&a, features.terms[2]), 120000);
  summary_sketch_free(&a, &memory);
  summary_sketch_free(&b, &memory);
  summary_sketch_free(&c, &memory);
}
END_TEST

START_TEST(export_import_keeps_wide_counts) {
  summary_features features;
  room_clean(&features);
  summary_digest digest, copy;
  uint64_t sums[2];
  char err[256];
  ck_assert_int_eq(summary_digest_init(&digest, 10, 4, &memory), 0);
  add_times(&digest.sketch, &features, 66000, sums);
  cJSON *data = summary_digest_export(&digest);
  ck_assert_ptr_nonnull(data);
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), 0);
  ck_assert_ptr_nonnull(copy.sketch.wide);
  ck_assert_uint_eq(summary_sketch_count(&copy.sketch, features.terms[0]), 66000);
  ck_assert_uint_eq(summary_sketch_count(&copy.sketch, features.terms[2]), 66000);
  ck_assert_uint_eq(summary_sketch_count(&copy.sketch, summary_hash("quiet", 5)),
                    summary_sketch_count(&digest.sketch, summary_hash("quiet", 5)));
  cJSON_Delete(data);
  summary_digest_free(&digest, &memory);
  summary_digest_free(&copy, &memory);
}
END_TEST

START_TEST(failed_widening_counts_nothing) {
  summary_features features;
  room_clean(&features);
  summary_sketch sketch;
  uint64_t sums[2];
  ck_assert_int_eq(summary_sketch_init(&sketch, 10, &memory), 0);
  add_times(&sketch, &features, 65534, sums); /* the next sentence needs wide counters */
  ck_assert_ptr_nonnull(sketch.narrow);
  fail_allocations = 1;
  ck_assert_int_eq(summary_sketch_add(&sketch, &features, sums, &memory), -1);
  fail_allocations = 0;
  ck_assert_ptr_nonnull(sketch.narrow);
  ck_assert_uint_eq(sketch.sentences, 65534);
  ck_assert_uint_eq(summary_sketch_count(&sketch, features.terms[0]), 65534);
  ck_assert_uint_eq(summary_sketch_count(&sketch, features.terms[2]), 65534);
  ck_assert_int_eq(summary_sketch_add(&sketch, &features, sums, &memory), 0);
  ck_assert_ptr_null(sketch.narrow);
  ck_assert_uint_eq(summary_sketch_count(&sketch, features.terms[0]), 65535);
  ck_assert_uint_eq(sums[0], 2 * 65535);
  summary_sketch_free(&sketch, &memory);
}
END_TEST

/* Two content words with the given hashes and no bigram. */
static void two_terms(summary_features *features, uint64_t first, uint64_t second) {
  memset(features, 0, sizeof *features);
  features->words = 2;
  features->content_count = features->unigram_count = 2;
  features->terms[0] = first;
  features->terms[1] = second;
  summary_features_mask(features);
}

/* Counters whose counts OR to UINT16_MAX without one of them reaching it (the sketch counts
 * them again to be sure): the counts are each one higher, once, and the sketch stays narrow. */
START_TEST(high_counts_below_the_limit_stay_narrow) {
  summary_sketch sketch;
  uint64_t sums[2];
  ck_assert_int_eq(summary_sketch_init(&sketch, 10, &memory), 0);
  summary_features features; /* cells 5 and 9 of 1024 */
  two_terms(&features, (uint64_t)5 << 54, (uint64_t)9 << 54);
  ck_assert_int_eq(summary_sketch_set(&sketch, 5, 0x8000, &memory), 0);
  ck_assert_int_eq(summary_sketch_set(&sketch, 9, 0x7FFF, &memory), 0);
  add_times(&sketch, &features, 1, sums);
  ck_assert_uint_eq(summary_sketch_cell(&sketch, 5), 0x8001);
  ck_assert_uint_eq(summary_sketch_cell(&sketch, 9), 0x8000);
  ck_assert_uint_eq(sums[0], 0x8001 + 0x8000);
  ck_assert_uint_eq(sums[1], 0);
  add_times(&sketch, &features, 1, sums);
  ck_assert_ptr_nonnull(sketch.narrow);
  ck_assert_uint_eq(sums[0], 0x8002 + 0x8001);
  summary_sketch_free(&sketch, &memory);
}
END_TEST

/* Starts `sketch` with its cell 5 at `start` (narrow), and counts one sentence of two terms
 * that share that cell. */
static void count_two_sharing_cell(summary_sketch *sketch, summary_features *features,
                                   uint32_t start, uint64_t sums[2]) {
  ck_assert_int_eq(summary_sketch_init(sketch, 10, &memory), 0);
  two_terms(features, (uint64_t)5 << 54, ((uint64_t)5 << 54) | 1);
  ck_assert_int_eq(summary_sketch_set(sketch, 5, start, &memory), 0);
  ck_assert_ptr_nonnull(sketch->narrow);
  add_times(sketch, features, 1, sums);
}

/* Two terms of one sentence sharing a counter take it from UINT16_MAX - 2 to UINT16_MAX: the
 * sentence is counted on wide counters, and the sum counts both steps. */
START_TEST(shared_counter_reaching_the_limit_widens) {
  summary_sketch sketch;
  summary_features features;
  uint64_t sums[2];
  count_two_sharing_cell(&sketch, &features, UINT16_MAX - 2, sums);
  ck_assert_ptr_null(sketch.narrow);
  ck_assert_uint_eq(summary_sketch_cell(&sketch, 5), UINT16_MAX);
  ck_assert_uint_eq(sums[0], (UINT16_MAX - 1) + UINT16_MAX);
  add_times(&sketch, &features, 1, sums);
  ck_assert_uint_eq(summary_sketch_cell(&sketch, 5), UINT16_MAX + 2);
  ck_assert_uint_eq(sums[0], (UINT16_MAX + 1) + (UINT16_MAX + 2));
  summary_sketch_free(&sketch, &memory);
}
END_TEST

/* Two terms of one sentence sharing a counter at UINT16_MAX - 1 would take it past UINT16_MAX
 * on 16 bits (to 0): the sentence is counted on wide counters, and no count is lost. */
START_TEST(shared_counter_passing_the_limit_loses_nothing) {
  summary_sketch sketch;
  summary_features features;
  uint64_t sums[2];
  count_two_sharing_cell(&sketch, &features, UINT16_MAX - 1, sums);
  ck_assert_ptr_null(sketch.narrow);
  ck_assert_uint_eq(summary_sketch_cell(&sketch, 5), UINT16_MAX + 1);
  ck_assert_uint_eq(sums[0], (uint64_t)UINT16_MAX + (UINT16_MAX + 1));
  ck_assert_uint_eq(sketch.sentences, 1);
  summary_sketch_free(&sketch, &memory);
}
END_TEST

/* The prepared length priors are the computed ones, bit for bit, at every length. */
START_TEST(prepared_priors_score_the_same) {
  summary_features features;
  room_clean(&features);
  summary_sketch sketch;
  uint64_t sums[2];
  ck_assert_int_eq(summary_sketch_init(&sketch, 10, &memory), 0);
  add_times(&sketch, &features, 3, sums);
  summary_scoring plain = {.target_words = 7.5, .length_spread = 4.0, .bigram_weight = 1.0};
  summary_scoring prepared = plain;
  summary_scoring_prepare(&prepared);
  for (unsigned words = 0; words <= 2 * SUMMARY_MAX_WORDS; words++) {
    features.words = (uint16_t)words;
    double a = summary_score(&sketch, &features, &plain);
    double b = summary_score(&sketch, &features, &prepared);
    ck_assert_mem_eq(&a, &b, sizeof a);
    a = summary_score_sums(&sketch, &features, sums, &plain);
    b = summary_score_sums(&sketch, &features, sums, &prepared);
    ck_assert_mem_eq(&a, &b, sizeof a);
  }
  summary_sketch_free(&sketch, &memory);
}
END_TEST

/* A score is the formula computed with plain conversions, bit for bit, also for counts past 32
 * bits (sentences seen and summed counts of a long stream). */
START_TEST(scores_of_large_counts) {
  summary_features features;
  room_clean(&features);
  features.words = 8;
  summary_sketch sketch;
  ck_assert_int_eq(summary_sketch_init(&sketch, 10, &memory), 0);
  static const uint64_t sentence_counts[] = {1, 3, 4294967297ull, 123456789012345ull};
  static const uint64_t sums[][2] = {{1, 1}, {7, 2}, {8589934597ull, 4294967301ull}};
  summary_scoring scoring = {.target_words = 8, .length_spread = 4.0, .bigram_weight = 1.0};
  summary_scoring_prepare(&scoring);
  for (size_t n = 0; n < sizeof sentence_counts / sizeof *sentence_counts; n++)
    for (size_t k = 0; k < sizeof sums / sizeof *sums; k++) {
      sketch.sentences = sentence_counts[n];
      double seen = (double)sentence_counts[n];
      double expected = ((double)sums[k][0] / seen / sqrt((double)features.unigram_count) +
                         (double)sums[k][1] / seen / sqrt((double)features.bigram_count)) *
                        scoring.priors[features.words];
      double got = summary_score_sums(&sketch, &features, sums[k], &scoring);
      ck_assert_mem_eq(&got, &expected, sizeof got);
    }
  summary_sketch_free(&sketch, &memory);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("summary_sketch");
  TCase *widening = tcase_create("widening");
  tcase_add_test(widening, counts_past_16_bits);
  tcase_add_test(widening, merge_widens_only_when_a_sum_needs_it);
  tcase_add_test(widening, export_import_keeps_wide_counts);
  tcase_add_test(widening, failed_widening_counts_nothing);
  tcase_add_test(widening, high_counts_below_the_limit_stay_narrow);
  tcase_add_test(widening, shared_counter_reaching_the_limit_widens);
  tcase_add_test(widening, shared_counter_passing_the_limit_loses_nothing);
  suite_add_tcase(suite, widening);
  TCase *scores = tcase_create("scores");
  tcase_add_test(scores, prepared_priors_score_the_same);
  tcase_add_test(scores, scores_of_large_counts);
  suite_add_tcase(suite, scores);
  return tp_check_run(suite);
}
