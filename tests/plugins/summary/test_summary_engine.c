/* tests/plugins/summary/test_summary_engine.c - unit tests of the summary plugin's ranking
 * engine over hand-built token arrays: sentence features (exactly as the plain definition builds
 * them), per-record ranking (order, limits, bit for bit the scores of the dense definition),
 * digest diversity, the bounded candidate pool, merging two partial digests, and the JSON
 * export/import round trip.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "hexpairs.h"
#include "summary_digest.h"
#include "summary_engine.h"
#include "summary_rank.h"

/* ---- Helpers: an allocator that counts live blocks, and a whitespace tokenizer ------------ */

static long live_blocks;

static void *counting_alloc(size_t size) {
  void *block = malloc(size);
  if (block)
    live_blocks++;
  return block;
}

static void counting_free(void *block) {
  if (block)
    live_blocks--;
  free(block);
}

static const summary_allocator memory = {counting_alloc, counting_free};
static const summary_scoring scoring = {
    .target_words = 8.0, .length_spread = 4.0, .bigram_weight = 1.0};
static summary_ranker ranker; /* about 560 KiB: not on the stack */

static const char *const stopwords[] = {"the",  "is", "a",  "and", "was", "it",
                                        "very", "of", "to", "but", "in",  NULL};

static int is_stopword(const char *word, size_t length) {
  for (size_t i = 0; stopwords[i]; i++)
    if (strlen(stopwords[i]) == length && memcmp(stopwords[i], word, length) == 0)
      return 1;
  return 0;
}

/* Splits `text` at spaces; "." and "," are punctuation tokens. */
static void features_of(const char *text, summary_features *out) {
  summary_token tokens[256];
  size_t count = 0;
  const char *cursor = text;
  while (*cursor && count < 256) {
    if (*cursor == ' ') {
      cursor++;
      continue;
    }
    size_t length = strcspn(cursor, " ");
    int punctuation = (*cursor == '.' || *cursor == ',') && length == 1;
    tokens[count].hash = punctuation ? 0 : summary_hash(cursor, length);
    tokens[count].is_word = !punctuation;
    tokens[count].is_stop = !punctuation && is_stopword(cursor, length);
    count++;
    cursor += length;
  }
  summary_features_build(tokens, count, out);
  summary_features_sort(out);
}

static void add_sentence(summary_digest *digest, const char *text, const char *id) {
  summary_features features;
  features_of(text, &features);
  ck_assert_int_eq(summary_digest_add(digest, &features, text, strlen(text), id, &scoring, &memory),
                   0);
}

static const char *picked_text(const cJSON *list, int index) {
  return cJSON_GetObjectItem(cJSON_GetArrayItem(list, index), "text")->valuestring;
}

/* ---- Features -------------------------------------------------------------------------- */

START_TEST(features_split_content_stop_and_bigrams) {
  summary_features features;
  features_of("the room was clean , the room was quiet .", &features);
  ck_assert_int_eq(features.words, 8);
  ck_assert_int_eq(features.content_count, 3); /* room clean quiet */
  ck_assert_int_eq(features.unigram_count, 5); /* + the was */
  /* the-room room-was was-clean clean-the (punctuation skipped) was-quiet; room-was repeats */
  ck_assert_int_eq(features.bigram_count, 5);
}
END_TEST

START_TEST(features_cap_long_sentences) {
  char text[4096] = "";
  for (int i = 0; i < 100; i++) {
    char word[16];
    snprintf(word, sizeof word, "w%d ", i);
    strcat(text, word);
  }
  summary_features features;
  features_of(text, &features);
  ck_assert_int_eq(features.words, 100);
  ck_assert_int_eq(features.content_count, SUMMARY_MAX_WORDS);
  ck_assert_int_le(features.unigram_count + features.bigram_count, SUMMARY_MAX_TERMS);
}
END_TEST

/* The plain definition the builder must match: unique terms by linear search, in order of
 * first appearance. */
static void append_new(uint64_t *list, uint16_t *count, uint64_t term) {
  for (uint16_t i = 0; i < *count; i++)
    if (list[i] == term)
      return;
  list[(*count)++] = term;
}

/* Random word sequences over small and large vocabularies (many repeats; many terms sharing a
 * slot of the seen table) give exactly the plainly built features. */
START_TEST(features_match_plain_definition) {
  unsigned state = 777u + (unsigned)_i;
  for (int trial = 0; trial < 200; trial++) {
    summary_token tokens[70];
    size_t count = (state = state * 1103515245u + 12345u) % 70;
    unsigned vocabulary = 2u + (unsigned)trial * 5u;
    for (size_t k = 0; k < count; k++) {
      state = state * 1103515245u + 12345u;
      unsigned word = (state >> 8) % vocabulary;
      /* Hashes sharing their top byte on purpose when _i is 1. */
      uint64_t hash = summary_hash((const char *)&word, sizeof word);
      if (_i == 1)
        hash = (hash & 0x00ffffffffffffffull) | ((uint64_t)(word % 3) << 56);
      tokens[k] = (summary_token){hash, (uint8_t)(word % 7 != 0), (uint8_t)(word % 4 == 0)};
    }
    summary_features built, plain;
    summary_features_build(tokens, count, &built);
    uint64_t content[SUMMARY_MAX_WORDS], stop[SUMMARY_MAX_WORDS], bigrams[SUMMARY_MAX_WORDS];
    uint16_t contents = 0, stops = 0, pairs = 0, words = 0;
    const summary_token *previous = NULL;
    for (size_t k = 0; k < count; k++) {
      if (!tokens[k].is_word || ++words > SUMMARY_MAX_WORDS)
        continue;
      if (tokens[k].is_stop)
        append_new(stop, &stops, tokens[k].hash);
      else
        append_new(content, &contents, tokens[k].hash);
      if (previous && !(previous->is_stop && tokens[k].is_stop))
        append_new(bigrams, &pairs, summary_bigram_hash(previous->hash, tokens[k].hash));
      previous = &tokens[k];
    }
    plain.content_count = contents;
    memcpy(plain.terms, content, contents * sizeof *content);
    summary_features_mask(&plain);
    ck_assert_uint_eq(built.words, words);
    ck_assert_uint_eq(built.content_count, contents);
    ck_assert_uint_eq(built.unigram_count, contents + stops);
    ck_assert_uint_eq(built.bigram_count, pairs);
    ck_assert_uint_eq(built.content_mask, plain.content_mask);
    ck_assert_mem_eq(built.terms, content, contents * sizeof *content);
    ck_assert_mem_eq(built.terms + contents, stop, stops * sizeof *stop);
    ck_assert_mem_eq(built.terms + contents + stops, bigrams, pairs * sizeof *bigrams);
  }
}
END_TEST

START_TEST(similarity_bounds) {
  summary_features a, b, c;
  features_of("great screen and battery", &a);
  features_of("battery and great screen", &b);
  features_of("terrible keyboard", &c);
  ck_assert_double_eq_tol(summary_similarity(&a, &b), 1.0, 1e-9);
  ck_assert_double_eq_tol(summary_similarity(&a, &c), 0.0, 1e-9);
}
END_TEST

/* ---- Per-record ranking: order kept, limits respected ---------------------------------- */

static const char *const review[] = {
    "the hotel room was clean and quiet .",
    "we arrived late at night after a long flight from boston .",
    "the room was clean , quiet and the bed was comfortable .",
    "breakfast was fine .",
    "the staff at the desk was friendly and the room was clean .",
    "parking costs extra .",
};

typedef struct rank_case {
  size_t max_sentences, max_words;
} rank_case;

static const rank_case rank_cases[] = {{1, 100}, {2, 100}, {3, 100}, {2, 12}, {6, 30}};

START_TEST(record_rank_respects_limits_and_order) {
  const rank_case *limits = &rank_cases[_i];
  size_t count = sizeof review / sizeof *review;
  summary_features sentences[6];
  size_t chosen[6];
  for (size_t i = 0; i < count; i++)
    features_of(review[i], &sentences[i]);
  size_t picked = summary_rank_record(&ranker, sentences, count, limits->max_sentences,
                                      limits->max_words, chosen);
  ck_assert_uint_ge(picked, 1);
  ck_assert_uint_le(picked, limits->max_sentences);
  size_t words = 0;
  for (size_t c = 0; c < picked; c++) {
    words += sentences[chosen[c]].words;
    if (c > 0)
      ck_assert_uint_lt(chosen[c - 1], chosen[c]); /* original order */
  }
  ck_assert_uint_le(words, limits->max_words);
}
END_TEST

START_TEST(record_rank_prefers_central_sentence) {
  size_t count = sizeof review / sizeof *review;
  summary_features sentences[6];
  size_t chosen[1];
  for (size_t i = 0; i < count; i++)
    features_of(review[i], &sentences[i]);
  ck_assert_uint_eq(summary_rank_record(&ranker, sentences, count, 1, 100, chosen), 1);
  /* One of the three "room clean" sentences, never the flight or the parking. */
  ck_assert(chosen[0] == 0 || chosen[0] == 2 || chosen[0] == 4);
}
END_TEST

START_TEST(record_rank_nothing_fits) {
  summary_features sentences[2];
  size_t chosen[2];
  features_of("the hotel room was clean and quiet .", &sentences[0]);
  features_of("the staff was friendly and helpful .", &sentences[1]);
  ck_assert_uint_eq(summary_rank_record(&ranker, sentences, 2, 2, 3, chosen), 0);
}
END_TEST

/* The dense definition the ranker must match bit for bit: an n x n similarity matrix of
 * sorted-merge cosines, row sums as degrees, every PageRank round summing whole rows. */
static void dense_scores(const summary_features *sentences, size_t count, double *out) {
  static double matrix[SUMMARY_RECORD_SENTENCES * SUMMARY_RECORD_SENTENCES];
  double degree[SUMMARY_RECORD_SENTENCES], next[SUMMARY_RECORD_SENTENCES];
  summary_features sorted[SUMMARY_RECORD_SENTENCES];
  for (size_t i = 0; i < count; i++) {
    sorted[i] = sentences[i];
    summary_features_sort(&sorted[i]);
  }
  for (size_t i = 0; i < count; i++)
    for (size_t j = 0; j < count; j++)
      matrix[i * count + j] = i == j ? 0.0 : summary_similarity(&sorted[i], &sorted[j]);
  for (size_t i = 0; i < count; i++) {
    degree[i] = 0.0;
    for (size_t j = 0; j < count; j++)
      degree[i] += matrix[i * count + j];
    out[i] = 1.0 / (double)count;
  }
  for (size_t i = 0; i < count; i++)
    for (size_t j = 0; j < count; j++)
      matrix[i * count + j] = degree[j] > 0.0 ? matrix[i * count + j] / degree[j] : 0.0;
  for (int round = 0; round < 30; round++) {
    double change = 0.0;
    for (size_t i = 0; i < count; i++) {
      double incoming = 0.0;
      for (size_t j = 0; j < count; j++)
        incoming += matrix[i * count + j] * out[j];
      next[i] = (1.0 - 0.85) / (double)count + 0.85 * incoming;
    }
    for (size_t i = 0; i < count; i++)
      change += fabs(next[i] - out[i]);
    memcpy(out, next, count * sizeof *out);
    if (change < 1e-3)
      break;
  }
  for (size_t i = 0; i < count; i++) {
    double words = sentences[i].words, length = words < 6.0 ? (words + 1.0) / 7.0 : 1.0;
    if (words > 40.0)
      length = 40.0 / words;
    out[i] *= (1.0 + 1.0 / (double)(i + 2)) * length;
  }
}

/* Random records (sizes, vocabularies and overlaps of several scales) score exactly as the
 * dense definition does. */
static const size_t dense_sizes[] = {1, 2, 4, 7, 12, 40, SUMMARY_RECORD_SENTENCES};

START_TEST(record_scores_match_dense_definition) {
  static summary_features sentences[SUMMARY_RECORD_SENTENCES];
  double expected[SUMMARY_RECORD_SENTENCES];
  size_t count = dense_sizes[_i];
  unsigned state = 12345u + (unsigned)_i;
  for (int trial = 0; trial < 20; trial++) {
    unsigned vocabulary = 4u + (unsigned)trial * 37u; /* small: many edges; large: few */
    for (size_t i = 0; i < count; i++) {
      summary_token tokens[60];
      size_t words = 1 + (state = state * 1103515245u + 12345u) % 60;
      for (size_t k = 0; k < words; k++) {
        state = state * 1103515245u + 12345u;
        unsigned word = (state >> 8) % vocabulary;
        tokens[k] = (summary_token){summary_hash((const char *)&word, sizeof word), 1,
                                    (uint8_t)(word % 5 == 0)};
      }
      summary_features_build(tokens, words, &sentences[i]);
    }
    dense_scores(sentences, count, expected);
    summary_rank_scores(&ranker, sentences, count);
    for (size_t i = 0; i < count; i++)
      ck_assert_mem_eq(&ranker.rank[i], &expected[i], sizeof expected[i]);
  }
}
END_TEST

/* ---- Digest: diversity, bounded pool, merge, export/import ------------------------------- */

static const char *const stream[] = {
    "the room was clean",         "the room was very clean",
    "room clean and quiet",       "the staff was friendly",
    "friendly staff and helpful", "the room was clean and nice",
    "the breakfast was cold",     "staff friendly",
    "the location is great",      "great location near the station",
};

START_TEST(digest_skips_near_duplicates) {
  summary_digest digest;
  ck_assert_int_eq(summary_digest_init(&digest, 12, 64, &memory), 0);
  for (int repeat = 0; repeat < 3; repeat++)
    for (size_t i = 0; i < sizeof stream / sizeof *stream; i++)
      add_sentence(&digest, stream[i], "1");
  cJSON *picked = summary_digest_pick(&digest, 3, 0.5, 1, &scoring);
  ck_assert_ptr_nonnull(picked);
  int count = cJSON_GetArraySize(picked);
  ck_assert_int_eq(count, 3);
  for (int i = 0; i < count; i++) {
    summary_features a;
    features_of(picked_text(picked, i), &a);
    for (int j = i + 1; j < count; j++) {
      summary_features b;
      features_of(picked_text(picked, j), &b);
      ck_assert_double_le(summary_similarity(&a, &b), 0.5);
    }
  }
  /* The most frequent idea (a clean room) comes first. */
  ck_assert_ptr_nonnull(strstr(picked_text(picked, 0), "clean"));
  cJSON_Delete(picked);
  summary_digest_free(&digest, &memory);
  ck_assert_int_eq(live_blocks, 0);
}
END_TEST

START_TEST(pool_memory_is_bounded) {
  summary_digest digest;
  ck_assert_int_eq(summary_digest_init(&digest, 10, 16, &memory), 0);
  long most_blocks = 0;
  for (int i = 0; i < 20000; i++) {
    char text[64], id[16];
    snprintf(text, sizeof text, "word%d the room was clean w%d", i % 97, i);
    snprintf(id, sizeof id, "%d", i);
    add_sentence(&digest, text, id);
    if (live_blocks > most_blocks)
      most_blocks = live_blocks;
  }
  ck_assert_uint_eq(digest.pool.count, 16);
  ck_assert_uint_eq(digest.sketch.sentences, 20000);
  /* sketch + pool array + one block (features, text, id) per candidate */
  ck_assert_int_le(most_blocks, 2 + 16);
  summary_digest_free(&digest, &memory);
  ck_assert_int_eq(live_blocks, 0);
}
END_TEST

START_TEST(pool_drops_exact_repeats) {
  summary_pool pool;
  summary_features features;
  ck_assert_int_eq(summary_pool_init(&pool, 4, &memory), 0);
  features_of("the room was clean", &features);
  ck_assert_int_eq(
      summary_pool_offer(&pool, &features, 1.0, "the room was clean", 18, "1", &memory), 1);
  ck_assert_int_eq(
      summary_pool_offer(&pool, &features, 2.0, "the room was clean", 18, "2", &memory), 0);
  ck_assert_uint_eq(pool.count, 1);
  summary_pool_free(&pool, &memory);
}
END_TEST

START_TEST(pool_sorts_its_copy) {
  summary_token tokens[4];
  const char *words[4] = {"zebra", "apple", "mango", "kiwi"};
  for (int i = 0; i < 4; i++)
    tokens[i] = (summary_token){summary_hash(words[i], strlen(words[i])), 1, 0};
  summary_features unsorted, sorted;
  summary_features_build(tokens, 4, &unsorted);
  sorted = unsorted;
  summary_features_sort(&sorted);
  summary_pool pool;
  ck_assert_int_eq(summary_pool_init(&pool, 2, &memory), 0);
  ck_assert_int_eq(
      summary_pool_offer(&pool, &unsorted, 1.0, "zebra apple mango kiwi", 22, "1", &memory), 1);
  for (int i = 1; i < pool.items[0].features->content_count; i++)
    ck_assert(pool.items[0].features->terms[i - 1] < pool.items[0].features->terms[i]);
  ck_assert_double_eq_tol(summary_similarity(pool.items[0].features, &sorted), 1.0, 1e-9);
  summary_pool_free(&pool, &memory);
}
END_TEST

START_TEST(pool_skips_sentences_without_content) {
  summary_digest digest;
  ck_assert_int_eq(summary_digest_init(&digest, 10, 8, &memory), 0);
  add_sentence(&digest, "it was the", "1");           /* no content word */
  add_sentence(&digest, "and it was very room", "2"); /* one */
  add_sentence(&digest, "the room was clean", "3");   /* two */
  ck_assert_uint_eq(digest.pool.count, 1);
  ck_assert_str_eq(digest.pool.items[0].text, "the room was clean");
  ck_assert_uint_eq(digest.sketch.sentences, 3); /* all counted */
  summary_digest_free(&digest, &memory);
}
END_TEST

/* Digest texts of a pick, joined, for comparing two digests. */
static void pick_texts(summary_digest *digest, char *out, size_t size) {
  cJSON *picked = summary_digest_pick(digest, 4, 0.5, 1, &scoring);
  out[0] = '\0';
  for (int i = 0; i < cJSON_GetArraySize(picked); i++) {
    strncat(out, picked_text(picked, i), size - strlen(out) - 2);
    strcat(out, "|");
  }
  cJSON_Delete(picked);
}

START_TEST(merge_equals_one_stream) {
  summary_digest whole, first, second;
  ck_assert_int_eq(summary_digest_init(&whole, 12, 64, &memory), 0);
  ck_assert_int_eq(summary_digest_init(&first, 12, 64, &memory), 0);
  ck_assert_int_eq(summary_digest_init(&second, 12, 64, &memory), 0);
  size_t count = sizeof stream / sizeof *stream;
  for (size_t i = 0; i < count; i++) {
    char id[8];
    snprintf(id, sizeof id, "%zu", i);
    add_sentence(&whole, stream[i], id);
    add_sentence(i % 2 ? &second : &first, stream[i], id);
  }
  ck_assert_int_eq(summary_digest_merge(&first, &second, &scoring, &memory), 0);
  ck_assert_uint_eq(first.sketch.sentences, count);
  ck_assert_uint_eq(first.pool.count, count - 1); /* "staff friendly" is too short */
  char merged_texts[1024], whole_texts[1024];
  pick_texts(&first, merged_texts, sizeof merged_texts);
  pick_texts(&whole, whole_texts, sizeof whole_texts);
  ck_assert_str_eq(merged_texts, whole_texts);
  summary_digest_free(&whole, &memory);
  summary_digest_free(&first, &memory);
  summary_digest_free(&second, &memory);
  ck_assert_int_eq(live_blocks, 0);
}
END_TEST

START_TEST(merge_refuses_mismatched_sketches) {
  summary_digest a, b;
  ck_assert_int_eq(summary_digest_init(&a, 10, 4, &memory), 0);
  ck_assert_int_eq(summary_digest_init(&b, 11, 4, &memory), 0);
  ck_assert_int_eq(summary_digest_merge(&a, &b, &scoring, &memory), -1);
  summary_digest_free(&a, &memory);
  summary_digest_free(&b, &memory);
}
END_TEST

/* Makes `original` (bits 10, 8 candidates) from the sentences of `stream` and exports it. */
static cJSON *export_stream_digest(summary_digest *original) {
  ck_assert_int_eq(summary_digest_init(original, 10, 8, &memory), 0);
  for (size_t i = 0; i < sizeof stream / sizeof *stream; i++)
    add_sentence(original, stream[i], "\"r\"");
  return summary_digest_export(original);
}

START_TEST(export_import_round_trip) {
  summary_digest original, copy;
  char err[256];
  cJSON *data = export_stream_digest(&original);
  ck_assert_ptr_nonnull(data);
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), 0);
  char before[1024], after[1024];
  pick_texts(&original, before, sizeof before);
  pick_texts(&copy, after, sizeof after);
  ck_assert_str_eq(before, after);
  ck_assert_uint_eq(copy.sketch.sentences, original.sketch.sentences);
  /* A broken partial is refused with a message, allocating nothing. */
  cJSON_ReplaceItemInObject(data, "bits", cJSON_CreateString("x"));
  long blocks = live_blocks;
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), -1);
  ck_assert_ptr_nonnull(strstr(err, "bits"));
  ck_assert_int_eq(live_blocks, blocks);
  cJSON_Delete(data);
  summary_digest_free(&original, &memory);
  pick_texts(&copy, after, sizeof after); /* still usable */
  summary_digest_free(&copy, &memory);
  ck_assert_int_eq(live_blocks, 0);
}
END_TEST

/* "cells" is one string of hex gaps and counts; the array form of earlier partials is still
 * read to the same sketch, and a malformed string is refused with a message, leaking nothing. */
START_TEST(cells_string_and_array_forms) {
  summary_digest original, copy;
  char err[256];
  cJSON *data = export_stream_digest(&original);
  const cJSON *cells = cJSON_GetObjectItemCaseSensitive(data, "cells");
  ck_assert(cJSON_IsString(cells));
  size_t cell_count = (size_t)1 << original.sketch.bits;
  /* the string form, read back */
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), 0);
  for (size_t i = 0; i < cell_count; i++)
    ck_assert_uint_eq(summary_sketch_cell(&copy.sketch, i),
                      summary_sketch_cell(&original.sketch, i));
  summary_digest_free(&copy, &memory);
  /* the array form [index, count, ...] */
  cJSON *pairs = cJSON_CreateArray();
  size_t nonzero = 0;
  for (size_t i = 0; i < cell_count; i++) {
    if (summary_sketch_cell(&original.sketch, i) == 0)
      continue;
    nonzero++;
    cJSON_AddItemToArray(pairs, cJSON_CreateNumber((double)i));
    cJSON_AddItemToArray(pairs, cJSON_CreateNumber(summary_sketch_cell(&original.sketch, i)));
  }
  ck_assert_uint_gt(nonzero, 10);
  cJSON_ReplaceItemInObject(data, "cells", pairs);
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), 0);
  for (size_t i = 0; i < cell_count; i++)
    ck_assert_uint_eq(summary_sketch_cell(&copy.sketch, i),
                      summary_sketch_cell(&original.sketch, i));
  summary_digest_free(&copy, &memory);
  /* malformed strings: a zero count, not hex, a trailing comma, past the last cell (bits 10:
   * 1024 cells), a third field, nine digits */
  static const char *const broken[] = {"1:0",   "zz:1",  "1:2,",       "3ff:1,0:1",
                                       "400:1", "1:2:3", "123456789:1"};
  for (size_t b = 0; b < sizeof broken / sizeof *broken; b++) {
    cJSON_ReplaceItemInObject(data, "cells", cJSON_CreateString(broken[b]));
    long blocks = live_blocks;
    ck_assert_msg(summary_digest_import(&copy, data, &memory, err, sizeof err) == -1, "%s",
                  broken[b]);
    ck_assert_ptr_nonnull(strstr(err, "cells"));
    ck_assert_int_eq(live_blocks, blocks);
  }
  cJSON_ReplaceItemInObject(data, "cells", cJSON_CreateString(""));
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), 0);
  summary_digest_free(&copy, &memory);
  cJSON_Delete(data);
  summary_digest_free(&original, &memory);
  ck_assert_int_eq(live_blocks, 0);
}
END_TEST

/* Every candidate of `copy` has the features of the candidate of `original` with its text. */
static void assert_same_candidates(const summary_digest *original, const summary_digest *copy) {
  ck_assert_uint_eq(copy->pool.count, original->pool.count);
  for (size_t c = 0; c < copy->pool.count; c++) {
    const summary_candidate *mine = &copy->pool.items[c], *theirs = NULL;
    for (size_t o = 0; o < original->pool.count && theirs == NULL; o++)
      if (strcmp(original->pool.items[o].text, mine->text) == 0)
        theirs = &original->pool.items[o];
    ck_assert_ptr_nonnull(theirs);
    const summary_features *a = mine->features, *b = theirs->features;
    ck_assert_uint_eq(a->content_count, b->content_count);
    ck_assert_uint_eq(a->unigram_count, b->unigram_count);
    ck_assert_uint_eq(a->bigram_count, b->bigram_count);
    ck_assert_mem_eq(a->terms, b->terms, (a->unigram_count + a->bigram_count) * sizeof *a->terms);
  }
}

/* A pool entry's "terms" is one string of 16-digit hex hashes; the array form of earlier
 * partials (one string a term) is still read to the same features, and a malformed string is
 * refused with a message, leaking nothing. */
START_TEST(terms_string_and_array_forms) {
  summary_digest original, copy;
  char err[256];
  cJSON *data = export_stream_digest(&original);
  cJSON *pool = cJSON_GetObjectItemCaseSensitive(data, "pool");
  ck_assert_int_gt(cJSON_GetArraySize(pool), 2);
  /* the string form, read back */
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), 0);
  assert_same_candidates(&original, &copy);
  summary_digest_free(&copy, &memory);
  /* the array form */
  cJSON *entry;
  cJSON_ArrayForEach(entry, pool) {
    const cJSON *terms = cJSON_GetObjectItemCaseSensitive(entry, "terms");
    ck_assert(cJSON_IsString(terms));
    cJSON *array = cJSON_CreateArray();
    for (const char *at = terms->valuestring; *at != '\0'; at += *at == ',') {
      char term[HEXPAIRS_U64_BYTES] = {0};
      memcpy(term, at, 16);
      cJSON_AddItemToArray(array, cJSON_CreateString(term));
      at += 16;
    }
    cJSON_ReplaceItemInObject(entry, "terms", array);
  }
  ck_assert_int_eq(summary_digest_import(&copy, data, &memory, err, sizeof err), 0);
  assert_same_candidates(&original, &copy);
  summary_digest_free(&copy, &memory);
  /* malformed strings in the first entry (its counts say how many terms): one term short, one
   * too many, a trailing comma, upper case, 15 digits, another separator */
  cJSON_Delete(data);
  data = summary_digest_export(&original);
  entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(data, "pool"), 0);
  char good[4096];
  snprintf(good, sizeof good, "%s", cJSON_GetObjectItemCaseSensitive(entry, "terms")->valuestring);
  size_t length = strlen(good);
  ck_assert_uint_ge(length, 33); /* at least two terms */
  char broken[6][4096];
  snprintf(broken[0], sizeof broken[0], "%.*s", (int)(length - 17), good);
  snprintf(broken[1], sizeof broken[1], "%s,%.16s", good, good);
  snprintf(broken[2], sizeof broken[2], "%s,", good);
  snprintf(broken[3], sizeof broken[3], "%s", good);
  for (char *c = broken[3]; *c; c++)
    *c = (char)(*c >= 'a' && *c <= 'f' ? *c - 'a' + 'A' : *c);
  ck_assert_str_ne(broken[3], good); /* some hash has a letter */
  snprintf(broken[4], sizeof broken[4], "%.15s%s", good, good + 16);
  snprintf(broken[5], sizeof broken[5], "%s", good);
  broken[5][16] = ';';
  for (size_t b = 0; b < 6; b++) {
    cJSON_ReplaceItemInObject(entry, "terms", cJSON_CreateString(broken[b]));
    long blocks = live_blocks;
    ck_assert_msg(summary_digest_import(&copy, data, &memory, err, sizeof err) == -1, "%s",
                  broken[b]);
    ck_assert_ptr_nonnull(strstr(err, "terms"));
    ck_assert_int_eq(live_blocks, blocks);
  }
  cJSON_Delete(data);
  summary_digest_free(&original, &memory);
  ck_assert_int_eq(live_blocks, 0);
}
END_TEST

/* A pool entry's terms are written by hexpairs_put_u64: exactly what "%016" PRIx64 writes
 * (the partial's text is unchanged from when it was printf's), for zero, single digits in
 * every position, the top bit, all ones, and a spread of hash-like values. */
START_TEST(term_hex_matches_printf) {
  uint64_t values[64 + 4] = {0, UINT64_MAX, 0x0123456789abcdefull, 0xfedcba9876543210ull};
  for (int bit = 0; bit < 64; bit++)
    values[4 + bit] = ((uint64_t)0x9e3779b97f4a7c15ull * (uint64_t)(bit + 1)) >> (bit % 61);
  values[4] = (uint64_t)1 << 63;
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    char expected[32], written[HEXPAIRS_U64_BYTES + 1];
    memset(written, 'x', sizeof written);
    snprintf(expected, sizeof expected, "%016" PRIx64, values[i]);
    hexpairs_put_u64(written, values[i]);
    ck_assert_str_eq(written, expected);
    ck_assert_int_eq(written[HEXPAIRS_U64_BYTES], 'x'); /* nothing past the NUL */
  }
}
END_TEST

/* hexpairs_put writes each number as printf's "%x" does (no leading zeros, "0" for zero):
 * every power of two and the number below it, up to all ones, as keys and as values. */
START_TEST(pair_hex_matches_printf) {
  char expected[4096] = "", written[4096];
  hexpairs_writer writer = {written, written, 0};
  size_t used = 0;
  for (int bit = 0; bit <= 32; bit++) {
    uint32_t power = bit < 32 ? (uint32_t)1 << bit : 0, below = power - 1;
    hexpairs_put(&writer, power, below);
    used += (size_t)snprintf(expected + used, sizeof expected - used, "%s%x:%x", used ? "," : "",
                             power, below);
  }
  ck_assert_str_eq(written, expected);
}
END_TEST

static Suite *summary_engine_suite(void) {
  Suite *suite = suite_create("summary_engine");
  TCase *features = tcase_create("features");
  tcase_add_test(features, features_split_content_stop_and_bigrams);
  tcase_add_test(features, features_cap_long_sentences);
  tcase_add_test(features, similarity_bounds);
  tcase_add_loop_test(features, features_match_plain_definition, 0, 2);
  suite_add_tcase(suite, features);
  TCase *record = tcase_create("record_summary");
  tcase_add_loop_test(record, record_rank_respects_limits_and_order, 0,
                      sizeof rank_cases / sizeof *rank_cases);
  tcase_add_test(record, record_rank_prefers_central_sentence);
  tcase_add_test(record, record_rank_nothing_fits);
  tcase_add_loop_test(record, record_scores_match_dense_definition, 0,
                      sizeof dense_sizes / sizeof *dense_sizes);
  suite_add_tcase(suite, record);
  TCase *diversity = tcase_create("digest_diversity");
  tcase_add_test(diversity, digest_skips_near_duplicates);
  suite_add_tcase(suite, diversity);
  TCase *pool = tcase_create("bounded_pool");
  tcase_add_test(pool, pool_memory_is_bounded);
  tcase_add_test(pool, pool_drops_exact_repeats);
  tcase_add_test(pool, pool_skips_sentences_without_content);
  tcase_add_test(pool, pool_sorts_its_copy);
  suite_add_tcase(suite, pool);
  TCase *merge = tcase_create("merge");
  tcase_add_test(merge, merge_equals_one_stream);
  tcase_add_test(merge, merge_refuses_mismatched_sketches);
  tcase_add_test(merge, export_import_round_trip);
  tcase_add_test(merge, cells_string_and_array_forms);
  tcase_add_test(merge, term_hex_matches_printf);
  tcase_add_test(merge, terms_string_and_array_forms);
  tcase_add_test(merge, pair_hex_matches_printf);
  suite_add_tcase(suite, merge);
  return suite;
}

int main(void) {
  return tp_check_run(summary_engine_suite());
}
