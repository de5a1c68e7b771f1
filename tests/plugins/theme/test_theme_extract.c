/* tests/plugins/theme/test_theme_extract.c - what the theme plugin takes from one tokenized
 * record (extract.c): terms and bigrams, keyphrase candidates and their display text, phrase
 * scoring, the document-frequency sketch and th_select_top. Token arrays come from
 * tokens_helper.c. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "common.h"
#include "extract.h"
#include "tokens_helper.h"

static tp_text *tokenize(const char *text) {
  return theme_test_tokenize(text, strlen(text));
}

/* Phrase `index`'s display text (built first when th_phrases_score has not built it). */
static const char *phrase_text(th_scratch *scratch, const tp_text *text, size_t index) {
  th_phrases_display(scratch, text, index + 1);
  ck_assert_uint_ne(scratch->phrases[index].display, TH_NO_DISPLAY);
  return scratch->chars + scratch->phrases[index].display;
}

/* ---- terms and keyphrases ---- */

START_TEST(terms_count_stems_and_bigrams) {
  tp_text *text = tokenize("Tax cuts, tax cuts and public services.");
  th_scratch scratch = {0};
  ck_assert_int_eq(th_features_extract(text, 1, 1, &scratch), 0);
  /* stems: tax x2, cut x2, public, servic; bigrams: "tax cut" x2, "public servic" */
  uint32_t unigrams = 0, bigrams = 0, total = 0;
  for (size_t i = 0; i < scratch.term_count; i++) {
    if (TH_TERM_IS_BIGRAM(scratch.terms[i].hash))
      bigrams++;
    else
      unigrams++;
    total += scratch.terms[i].count;
    for (size_t j = 0; j < i; j++)
      ck_assert_uint_ne(scratch.terms[j].hash, scratch.terms[i].hash);
  }
  ck_assert_uint_eq(unigrams, 4);
  ck_assert_uint_eq(bigrams, 2);
  ck_assert_uint_eq(total, 9);
  ck_assert_uint_eq(scratch.content_words, 6);
  ck_assert_int_eq(th_features_extract(text, 0, 1, &scratch), 0);
  ck_assert_uint_eq(scratch.term_count, 4);
  th_scratch_release(&scratch);
  theme_test_text_free(text);
}
END_TEST

/* Many distinct stems, each twice (the second time in reverse order, after a full stop): every
 * one is its own term counted twice, so terms that share a home slot in the record's table are
 * told apart (300 terms in a table of 4096 slots: dozens of shared home slots). */
START_TEST(terms_sharing_a_slot_stay_apart) {
  enum { WORDS = 300 };
  static char input[WORDS * 2 * 6 + 8];
  char *out = input;
  for (int pass = 0; pass < 2; pass++) {
    for (int w = 0; w < WORDS; w++) {
      int n = pass ? WORDS - 1 - w : w; /* four consonants: no stop word, nothing to stem */
      out += sprintf(out, "%c%c%c%c ", 'b' + n / 100, "bcdfghjklm"[n / 10 % 10],
                     "bcdfghjklm"[n % 10], 'z');
    }
    out += sprintf(out, ". ");
  }
  tp_text *text = tokenize(input);
  th_scratch scratch = {0};
  ck_assert_int_eq(th_features_extract(text, 0, 0, &scratch), 0);
  ck_assert_uint_eq(scratch.term_count, WORDS);
  for (size_t i = 0; i < scratch.term_count; i++)
    ck_assert_uint_eq(scratch.terms[i].count, 2);
  th_scratch_release(&scratch);
  theme_test_text_free(text);
}
END_TEST

/* Terms only (apply mode without keyphrases): the same terms, in the same order with the same
 * counts, and no phrase. */
START_TEST(terms_only_extracts_the_same_terms) {
  tp_text *text = tokenize("Tax cuts, tax cuts and public services. Services matter a lot");
  th_scratch with_phrases = {0}, terms_only = {0};
  ck_assert_int_eq(th_features_extract(text, 1, 1, &with_phrases), 0);
  ck_assert_int_eq(th_features_extract(text, 1, 0, &terms_only), 0);
  ck_assert_uint_gt(with_phrases.phrase_count, 0);
  ck_assert_uint_eq(terms_only.phrase_count, 0);
  ck_assert_uint_eq(terms_only.term_count, with_phrases.term_count);
  for (size_t i = 0; i < terms_only.term_count; i++) {
    ck_assert_uint_eq(terms_only.terms[i].hash, with_phrases.terms[i].hash);
    ck_assert_uint_eq(terms_only.terms[i].count, with_phrases.terms[i].count);
  }
  ck_assert_uint_eq(terms_only.content_words, with_phrases.content_words);
  th_scratch_release(&with_phrases);
  th_scratch_release(&terms_only);
  theme_test_text_free(text);
}
END_TEST

/* Nonzero when two scratches hold the same terms and phrases (keys, counts, places, words). */
static int same_extraction(const th_scratch *a, const th_scratch *b) {
  if (a->term_count != b->term_count || a->phrase_count != b->phrase_count ||
      a->content_words != b->content_words)
    return 0;
  for (size_t i = 0; i < a->term_count; i++)
    if (a->terms[i].hash != b->terms[i].hash || a->terms[i].count != b->terms[i].count)
      return 0;
  for (size_t p = 0; p < a->phrase_count; p++) {
    const th_phrase *x = &a->phrases[p], *y = &b->phrases[p];
    if (x->key != y->key || x->count != y->count || x->first != y->first || x->token != y->token ||
        x->words != y->words)
      return 0;
    for (uint32_t w = 0; w < x->words; w++)
      if (x->word_terms[w] != y->word_terms[w])
        return 0;
  }
  return 1;
}

/* A scratch given the sketch its terms will be counted into (th_scratch.sketch) asks for their
 * counters while extracting: it extracts the same, leaves the sketch as it was, and releasing
 * the scratch leaves the sketch to its owner. */
START_TEST(a_scratch_with_a_sketch_extracts_the_same) {
  tp_text *text = tokenize("Tax cuts, tax cuts and public services. Services matter a lot");
  th_sketch sketch;
  ck_assert_int_eq(th_sketch_init(&sketch, 64, 4), 0);
  th_scratch plain = {0}, warming = {.sketch = &sketch};
  ck_assert_int_eq(th_features_extract(text, 1, 1, &plain), 0);
  ck_assert_int_eq(th_features_extract(text, 1, 1, &warming), 0);
  ck_assert(same_extraction(&plain, &warming));
  ck_assert_ptr_eq(warming.sketch, &sketch);
  for (size_t i = 0; i < (size_t)sketch.width * sketch.depth; i++)
    ck_assert_uint_eq(sketch.counters[i], 0);
  ck_assert_int_eq(th_terms_count(&warming, &sketch), 0);
  ck_assert_int_eq(th_terms_count(&plain, &sketch), 0);
  for (size_t i = 0; i < plain.term_count; i++) /* the second count sees the first */
    ck_assert_uint_eq(plain.dfs[i], warming.dfs[i] + 1);
  th_scratch_release(&plain);
  th_scratch_release(&warming);
  ck_assert_ptr_nonnull(sketch.counters);
  th_sketch_release(&sketch);
  theme_test_text_free(text);
}
END_TEST

/* Repeats fold as they are extracted, in tables that are not cleared between records: what an
 * earlier record left in them must not count in the next, also when the record's stamp comes
 * round again after 2^32 records. */
START_TEST(a_reused_scratch_extracts_what_a_fresh_one_does) {
  /* the same words in another order, as many tokens: the same tables, where each word's
   * slot names another index */
  tp_text *before = tokenize("Tax cuts and public services. Again, tax cuts");
  tp_text *text = tokenize("Public services and tax cuts. Tax cuts, again");
  th_scratch fresh = {0}, reused = {0};
  ck_assert_int_eq(th_features_extract(text, 1, 1, &fresh), 0);
  ck_assert_uint_eq(fresh.phrases[1].count, 2); /* "tax cuts" */
  ck_assert_int_eq(th_features_extract(before, 1, 1, &reused), 0);
  ck_assert_int_eq(th_features_extract(text, 1, 1, &reused), 0);
  ck_assert(same_extraction(&fresh, &reused));
  th_scratch wrapped = {0}; /* the first record's stamp, 1, comes round again */
  ck_assert_int_eq(th_features_extract(before, 1, 1, &wrapped), 0);
  wrapped.stamp = UINT32_MAX;
  ck_assert_int_eq(th_features_extract(text, 1, 1, &wrapped), 0);
  ck_assert_uint_eq(wrapped.stamp, 1);
  ck_assert(same_extraction(&fresh, &wrapped));
  th_scratch_release(&fresh);
  th_scratch_release(&reused);
  th_scratch_release(&wrapped);
  theme_test_text_free(before);
  theme_test_text_free(text);
}
END_TEST

START_TEST(phrases_are_runs_between_stopwords_and_punctuation) {
  tp_text *text = tokenize("Tax cuts, tax cuts and public services. Services matter");
  th_scratch scratch = {0};
  ck_assert_int_eq(th_features_extract(text, 1, 1, &scratch), 0);
  /* "tax cuts" twice, "public services", then a new sentence: "services matter" */
  ck_assert_uint_eq(scratch.phrase_count, 3);
  ck_assert_str_eq(phrase_text(&scratch, text, 0), "tax cuts");
  ck_assert_uint_eq(scratch.phrases[0].count, 2);
  ck_assert_str_eq(phrase_text(&scratch, text, 1), "public services");
  ck_assert_str_eq(phrase_text(&scratch, text, 2), "services matter");
  ck_assert_uint_eq(scratch.phrases[2].sentence, 1);
  th_scratch_release(&scratch);
  theme_test_text_free(text);
}
END_TEST

START_TEST(long_runs_are_cut_at_four_words) {
  tp_text *text = tokenize("local council budget housing policy review panel");
  th_scratch scratch = {0};
  ck_assert_int_eq(th_features_extract(text, 1, 1, &scratch), 0);
  ck_assert_uint_eq(scratch.phrase_count, 2);
  ck_assert_str_eq(phrase_text(&scratch, text, 0), "local council budget housing");
  ck_assert_uint_eq(scratch.phrases[0].words, 4);
  ck_assert_str_eq(phrase_text(&scratch, text, 1), "policy review panel");
  th_scratch_release(&scratch);
  theme_test_text_free(text);
}
END_TEST

START_TEST(keyphrases_rank_frequent_early_and_rare_first) {
  th_sketch sketch;
  ck_assert_int_eq(th_sketch_init(&sketch, 1024, 4), 0);
  th_scratch scratch = {0};
  /* "good service" is in every earlier record: its words are common; "ticket office" is new.
   * With equal counts the rare phrase must win. */
  for (int i = 0; i < 20; i++) {
    tp_text *seen = tokenize("good service");
    ck_assert_int_eq(th_features_extract(seen, 1, 1, &scratch), 0);
    ck_assert_int_eq(th_terms_count(&scratch, &sketch), 0);
    theme_test_text_free(seen);
  }
  tp_text *text = tokenize("Good service. The ticket office.");
  ck_assert_int_eq(th_features_extract(text, 1, 1, &scratch), 0);
  ck_assert_int_eq(th_terms_count(&scratch, &sketch), 0);
  th_phrases_score(&scratch, text, scratch.phrase_count);
  ck_assert_str_eq(phrase_text(&scratch, text, 0), "ticket office");
  ck_assert_str_eq(phrase_text(&scratch, text, scratch.phrase_count - 1), "good service");
  th_scratch_release(&scratch);
  th_sketch_release(&sketch);
  theme_test_text_free(text);
}
END_TEST

START_TEST(common_single_words_are_not_keyphrases) {
  th_sketch sketch;
  ck_assert_int_eq(th_sketch_init(&sketch, 1024, 4), 0);
  th_scratch scratch = {0};
  for (int i = 0; i < 200; i++) { /* "good" in 200 of 200 records; "ticket" in none */
    tp_text *seen = tokenize("good");
    ck_assert_int_eq(th_features_extract(seen, 1, 1, &scratch), 0);
    ck_assert_int_eq(th_terms_count(&scratch, &sketch), 0);
    theme_test_text_free(seen);
  }
  tp_text *text = tokenize("Good. Ticket!");
  ck_assert_int_eq(th_features_extract(text, 1, 1, &scratch), 0);
  ck_assert_int_eq(th_terms_count(&scratch, &sketch), 0);
  th_phrases_score(&scratch, text, 2);
  ck_assert_str_eq(phrase_text(&scratch, text, 0), "ticket");
  ck_assert_double_gt(scratch.phrases[0].score, 0);
  ck_assert_str_eq(phrase_text(&scratch, text, 1), "good");
  ck_assert_double_eq(scratch.phrases[1].score, 0);
  th_scratch_release(&scratch);
  th_sketch_release(&sketch);
  theme_test_text_free(text);
}
END_TEST

/* A fresh sketch, and `input` tokenized, extracted into *scratch and counted into it. */
static tp_text *extract_counted(const char *input, th_sketch *sketch, th_scratch *scratch) {
  ck_assert_int_eq(th_sketch_init(sketch, 1024, 4), 0);
  tp_text *text = tokenize(input);
  ck_assert_int_eq(th_features_extract(text, 1, 1, scratch), 0);
  ck_assert_int_eq(th_terms_count(scratch, sketch), 0);
  return text;
}

/* A vague lone word ("lot", "thing") scores 0 however often and early it occurs, whether the
 * best asked for hold every phrase or fewer than there are (looked up only for those). */
START_TEST(vague_single_words_are_not_keyphrases) {
  th_sketch sketch;
  th_scratch scratch = {0};
  tp_text *text = extract_counted("Lot. Lot! Thing. The ticket office.", &sketch, &scratch);
  size_t count = scratch.phrase_count;
  ck_assert_uint_eq(count, 3);
  for (size_t best = 1; best <= count; best++) {
    th_phrases_score(&scratch, text, best);
    ck_assert_str_eq(phrase_text(&scratch, text, 0), "ticket office");
    ck_assert_double_gt(scratch.phrases[0].score, 0);
    for (size_t p = 1; p < best; p++)
      ck_assert_double_eq(scratch.phrases[p].score, 0);
  }
  th_scratch_release(&scratch);
  th_sketch_release(&sketch);
  theme_test_text_free(text);
}
END_TEST

/* th_terms_count counts its terms in blocks (their sketch lines fetched ahead): every term of
 * a record with more terms than a block, the last block partial, gets its own frequency and
 * idf, the ones the sketch holds for its hash. */
START_TEST(terms_count_fills_every_term_across_blocks) {
  th_sketch sketch;
  ck_assert_int_eq(th_sketch_init(&sketch, 1 << 16, 4), 0);
  th_scratch scratch = {0};
  const char *input = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
                      "mike november oscar papa quebec romeo sierra tango";
  for (int seen = 1; seen <= 3; seen++) {
    tp_text *text = tokenize(input);
    ck_assert_int_eq(th_features_extract(text, 1, 1, &scratch), 0);
    ck_assert_int_eq(th_terms_count(&scratch, &sketch), 0);
    ck_assert_uint_gt(scratch.term_count, 32); /* 20 stems and 19 bigrams: three blocks */
    ck_assert_uint_ne(scratch.term_count % 16, 0);
    for (size_t i = 0; i < scratch.term_count; i++) {
      uint32_t df = th_sketch_count(&sketch, scratch.terms[i].hash);
      ck_assert_uint_eq(scratch.dfs[i], df);
      ck_assert_uint_ge(df, (uint32_t)seen);
      float idf = (float)(log(1.0 + (double)seen) - log(1.0 + df));
      ck_assert_float_eq(scratch.idfs[i], idf);
    }
    theme_test_text_free(text);
  }
  th_scratch_release(&scratch);
  th_sketch_release(&sketch);
}
END_TEST

/* th_sketch_locate_terms (8 terms a lane on AVX2, then one at a time) names the counters
 * th_sketch_add bumps: for every count from 1 to 40 terms, each term added alone to an empty
 * sketch leaves its `depth` bumps in the line and at the positions it reported. */
START_TEST(sketch_locate_terms_names_the_counters_add_bumps) {
  th_sketch sketch;
  ck_assert_int_eq(th_sketch_init(&sketch, 4096, 4), 0);
  size_t cells = (size_t)sketch.width * sketch.depth;
  th_term terms[40];
  uint32_t lines[40], positions[40];
  uint32_t seed = 12345u;
  for (size_t count = 1; count <= 40; count++) {
    for (size_t i = 0; i < count; i++) {
      seed = seed * 1664525u + 1013904223u;
      terms[i] = (th_term){seed, 1};
    }
    th_sketch_locate_terms(&sketch, terms, count, lines, positions);
    for (size_t i = 0; i < count; i++) {
      memset(sketch.counters, 0, cells * sizeof(uint32_t));
      th_sketch_add(&sketch, terms[i].hash);
      ck_assert_uint_lt(lines[i], cells / 16);
      const uint32_t *line = sketch.counters + (size_t)lines[i] * 16;
      uint32_t expected[16] = {0}, in_line = 0;
      for (uint32_t row = 0; row < sketch.depth; row++)
        expected[(positions[i] >> (4 * row)) & 15]++;
      for (int k = 0; k < 16; k++) {
        ck_assert_uint_eq(line[k], expected[k]);
        in_line += line[k];
      }
      ck_assert_uint_eq(in_line, sketch.depth); /* nothing bumped outside the line */
    }
  }
  th_sketch_release(&sketch);
}
END_TEST

/* A counter at its maximum stays there: th_sketch_add saturates instead of wrapping to 0. */
START_TEST(sketch_counters_saturate) {
  th_sketch sketch;
  ck_assert_int_eq(th_sketch_init(&sketch, 64, 4), 0);
  for (size_t i = 0; i < (size_t)sketch.width * sketch.depth; i++)
    sketch.counters[i] = UINT32_MAX - 1;
  ck_assert_uint_eq(th_sketch_add(&sketch, 7u), UINT32_MAX);
  ck_assert_uint_eq(th_sketch_add(&sketch, 7u), UINT32_MAX);
  ck_assert_uint_eq(th_sketch_count(&sketch, 7u), UINT32_MAX);
  th_sketch_release(&sketch);
}
END_TEST

START_TEST(sketch_never_undercounts_and_merges) {
  th_sketch a, b;
  ck_assert_int_eq(th_sketch_init(&a, 64, 4), 0);
  ck_assert_int_eq(th_sketch_init(&b, 64, 4), 0);
  for (uint32_t hash = 0; hash < 500; hash++)
    for (uint32_t times = 0; times < hash % 5; times++)
      th_sketch_add(&a, hash * 2654435761u);
  for (uint32_t hash = 0; hash < 500; hash++)
    ck_assert_uint_ge(th_sketch_count(&a, hash * 2654435761u), hash % 5);
  th_sketch_add(&b, 7);
  a.documents = 3;
  b.documents = 2;
  uint32_t before = th_sketch_count(&a, 7);
  ck_assert_int_eq(th_sketch_merge(&a, &b), 0);
  ck_assert_uint_eq(th_sketch_count(&a, 7), before + 1);
  ck_assert_uint_eq(a.documents, 5);
  th_sketch c;
  ck_assert_int_eq(th_sketch_init(&c, 128, 4), 0);
  ck_assert_int_eq(th_sketch_merge(&a, &c), -1);
  th_sketch_release(&a);
  th_sketch_release(&b);
  th_sketch_release(&c);
}
END_TEST

static const size_t select_sizes[] = {1, 2, 7, 48, 100, 1000};

START_TEST(select_top_picks_the_heaviest) {
  size_t count = select_sizes[_i];
  th_ranked items[1000];
  uint64_t random = 3 + count;
  for (size_t i = 0; i < count; i++) /* few distinct weights: ties must break by index */
    items[i] = (th_ranked){(uint32_t)i, (float)(th_random_next(&random) % 17)};
  for (size_t top = 0; top <= count; top += count / 3 + 1) {
    th_ranked copy[1000];
    memcpy(copy, items, count * sizeof(th_ranked));
    th_select_top(copy, count, top);
    /* every chosen item ranks before every other one */
    for (size_t a = 0; a < top && a < count; a++)
      for (size_t b = top; b < count; b++)
        ck_assert(copy[a].weight > copy[b].weight ||
                  (copy[a].weight == copy[b].weight && copy[a].index < copy[b].index));
  }
}
END_TEST

/* A hash of the order th_select_top left the items in, over every `top` tried, as the
 * partition that branched on each item left them (before it became branchless): callers that
 * read the chosen items unsorted, and so the records, depend on the whole order, not only on
 * the chosen set. Ties, zeros, NaN (ranks before nothing, nothing before it), shuffled indices. */
static const uint32_t select_order_hashes[] = {0x117697cdu, 0x7e3599e5u, 0xaec99059u,
                                               0x57ca48d8u, 0xf5714af0u, 0x61cf9757u};

START_TEST(select_top_keeps_the_branching_order) {
  size_t count = select_sizes[_i];
  th_ranked items[1000];
  uint64_t random = 5 + count;
  uint32_t order_hash = 2166136261u;
  for (size_t i = 0; i < count; i++) {
    uint64_t kind = th_random_next(&random) % 8;
    float weight = kind == 0   ? 0.0f
                   : kind == 1 ? NAN
                   : kind < 5  ? (float)(th_random_next(&random) % 5) /* ties */
                               : (float)th_random_unit(&random);
    items[i] = (th_ranked){(uint32_t)((i * 7919u) % 1009u), weight};
  }
  for (size_t top = 0; top <= count; top += count / 5 + 1) {
    th_ranked selected[1000];
    memcpy(selected, items, count * sizeof(th_ranked));
    th_select_top(selected, count, top);
    for (size_t i = 0; i < count; i++)
      order_hash = (order_hash ^ selected[i].index) * 16777619u;
  }
  ck_assert_uint_eq(order_hash, select_order_hashes[_i]);
}
END_TEST

/* Display text is built for the phrases shown, from the record's tokens: the first
 * occurrence's words for a phrase folded from several ("Tax cut" then "tax cuts": one key),
 * none for the phrases th_phrases_score leaves behind. */
START_TEST(display_is_built_for_shown_phrases_only) {
  th_sketch sketch;
  th_scratch scratch = {0};
  tp_text *text =
      extract_counted("Tax cut, tax cuts. Ticket office queues. Parking fines", &sketch, &scratch);
  ck_assert_uint_eq(scratch.phrase_count, 3);
  for (size_t p = 0; p < scratch.phrase_count; p++)
    ck_assert_uint_eq(scratch.phrases[p].display, TH_NO_DISPLAY);
  th_phrases_score(&scratch, text, 1);
  ck_assert_uint_ne(scratch.phrases[0].display, TH_NO_DISPLAY);
  ck_assert_uint_eq(scratch.phrases[1].display, TH_NO_DISPLAY);
  ck_assert_uint_eq(scratch.phrases[2].display, TH_NO_DISPLAY);
  ck_assert_str_eq(scratch.chars + scratch.phrases[0].display, "tax cut"); /* counted twice */
  ck_assert_uint_eq(scratch.phrases[0].count, 2);
  th_phrases_display(&scratch, text, 3);
  const char *others[2] = {scratch.chars + scratch.phrases[1].display,
                           scratch.chars + scratch.phrases[2].display};
  ck_assert(strcmp(others[0], "ticket office queues") == 0 ||
            strcmp(others[1], "ticket office queues") == 0);
  ck_assert(strcmp(others[0], "parking fines") == 0 || strcmp(others[1], "parking fines") == 0);
  th_scratch_release(&scratch);
  th_sketch_release(&sketch);
  theme_test_text_free(text);
}
END_TEST

static Suite *theme_extract_suite(void) {
  Suite *suite = suite_create("theme-extract");
  TCase *terms = tcase_create("terms and keyphrases");
  tcase_add_test(terms, terms_count_stems_and_bigrams);
  tcase_add_test(terms, terms_only_extracts_the_same_terms);
  tcase_add_test(terms, terms_sharing_a_slot_stay_apart);
  tcase_add_test(terms, phrases_are_runs_between_stopwords_and_punctuation);
  tcase_add_test(terms, long_runs_are_cut_at_four_words);
  tcase_add_test(terms, a_reused_scratch_extracts_what_a_fresh_one_does);
  tcase_add_test(terms, a_scratch_with_a_sketch_extracts_the_same);
  tcase_add_test(terms, keyphrases_rank_frequent_early_and_rare_first);
  tcase_add_test(terms, common_single_words_are_not_keyphrases);
  tcase_add_test(terms, vague_single_words_are_not_keyphrases);
  tcase_add_test(terms, sketch_never_undercounts_and_merges);
  tcase_add_test(terms, terms_count_fills_every_term_across_blocks);
  tcase_add_test(terms, sketch_counters_saturate);
  tcase_add_test(terms, sketch_locate_terms_names_the_counters_add_bumps);
  tcase_add_loop_test(terms, select_top_picks_the_heaviest, 0,
                      (int)(sizeof select_sizes / sizeof select_sizes[0]));
  tcase_add_loop_test(terms, select_top_keeps_the_branching_order, 0,
                      (int)(sizeof select_sizes / sizeof select_sizes[0]));
  tcase_add_test(terms, display_is_built_for_shown_phrases_only);
  suite_add_tcase(suite, terms);
  return suite;
}

int main(void) {
  return tp_check_run(theme_extract_suite());
}
