/* plugins/summary/summary_sketch.c - the bounded term sketch of a digest: counting a
 * sentence's terms, reading, merging and setting counters, and scoring a sentence against it
 * (see summary_engine.h).
 *
 * The counters start 16 bits wide. A theme's sketch (4096 counters) rarely sees a term in
 * 65535 of its sentences, so it keeps 8 KiB instead of 16; the stream's sketch widens when a
 * common word reaches that many sentences. A counter may hold UINT16_MAX while narrow
 * (`full` is set then): the counters are widened before the next sentence is counted, so no
 * count is ever lost or capped below UINT32_MAX.
 */
#include "summary_engine.h"

#include <math.h>
#include <string.h>

int summary_sketch_init(summary_sketch *sketch, uint32_t bits, const summary_allocator *memory) {
  size_t cells = (size_t)1 << bits;
  sketch->bits = bits;
  sketch->sentences = 0;
  sketch->full = 0;
  sketch->wide = NULL;
  sketch->narrow = memory->alloc(cells * sizeof *sketch->narrow);
  if (!sketch->narrow)
    return -1;
  memset(sketch->narrow, 0, cells * sizeof *sketch->narrow);
  return 0;
}

void summary_sketch_free(summary_sketch *sketch, const summary_allocator *memory) {
  memory->free(sketch->narrow);
  memory->free(sketch->wide);
  sketch->narrow = NULL;
  sketch->wide = NULL;
}

/* Makes the counters 32 bits wide (nothing when they are). 0, or -1 when out of memory. */
static int sketch_widen(summary_sketch *sketch, const summary_allocator *memory) {
  if (sketch->wide)
    return 0;
  size_t cells = (size_t)1 << sketch->bits;
  uint32_t *wide = memory->alloc(cells * sizeof *wide);
  if (!wide)
    return -1;
  for (size_t i = 0; i < cells; i++)
    wide[i] = sketch->narrow[i];
  memory->free(sketch->narrow);
  sketch->narrow = NULL;
  sketch->wide = wide;
  sketch->full = 0;
  return 0;
}

/* Increments the cells of the sentence's counted terms (its content words and its bigrams;
 * stopwords are left out) and writes the sums of their new counts to sums[0] (content words)
 * and sums[1] (bigrams) (exact: at most SUMMARY_MAX_TERMS counts below 2^32). CELL is the
 * counter type; a narrow counter is below UINT16_MAX before it is incremented (`full`). */
#define SKETCH_COUNT_IN(CELL, cells, shift, features, sums, reached)                               \
  do {                                                                                             \
    const uint64_t *terms = (features)->terms;                                                     \
    size_t content = (features)->content_count, bigrams_from = (features)->unigram_count;          \
    size_t bigrams_end = bigrams_from + (features)->bigram_count;                                  \
    /* The cells are scattered over the table: ask for all of them before touching any. */         \
    for (size_t i = 0; i < content; i++)                                                           \
      __builtin_prefetch(&(cells)[terms[i] >> (shift)], 1);                                        \
    for (size_t i = bigrams_from; i < bigrams_end; i++)                                            \
      __builtin_prefetch(&(cells)[terms[i] >> (shift)], 1);                                        \
    for (int part = 0; part < 2; part++) {                                                         \
      uint64_t sum = 0;                                                                            \
      for (size_t i = part ? bigrams_from : 0; i < (part ? bigrams_end : content); i++) {          \
        CELL *cell = &(cells)[terms[i] >> (shift)]; /* the best-mixed bits of the hash */          \
        uint32_t value = (uint32_t)*cell + ((uint32_t)*cell < (CELL) ~(CELL)0);                    \
        *cell = (CELL)value;                                                                       \
        (reached) |= value == (CELL) ~(CELL)0;                                                     \
        sum += value;                                                                              \
      }                                                                                            \
      (sums)[part] = sum;                                                                          \
    }                                                                                              \
  } while (0)

int summary_sketch_add(summary_sketch *sketch, const summary_features *features, uint64_t sums[2],
                       const summary_allocator *memory) {
  if (sketch->full && sketch_widen(sketch, memory) < 0)
    return -1;
  unsigned shift = 64 - sketch->bits;
  int reached = 0;
  if (sketch->narrow) { /* locals: the stores below could alias the sketch's members */
    uint16_t *cells = sketch->narrow;
    SKETCH_COUNT_IN(uint16_t, cells, shift, features, sums, reached);
    sketch->full = reached;
  } else {
    uint32_t *cells = sketch->wide;
    SKETCH_COUNT_IN(uint32_t, cells, shift, features, sums, reached);
  }
  sketch->sentences++;
  return 0;
}

uint32_t summary_sketch_count(const summary_sketch *sketch, uint64_t hash) {
  return summary_sketch_cell(sketch, (size_t)(hash >> (64 - sketch->bits)));
}

int summary_sketch_set(summary_sketch *sketch, size_t index, uint32_t count,
                       const summary_allocator *memory) {
  if (count >= UINT16_MAX && sketch_widen(sketch, memory) < 0)
    return -1;
  if (sketch->wide)
    sketch->wide[index] = count;
  else
    sketch->narrow[index] = (uint16_t)count;
  return 0;
}

int summary_sketch_merge(summary_sketch *into, const summary_sketch *from,
                         const summary_allocator *memory) {
  if (into->bits != from->bits)
    return -1;
  size_t cells = (size_t)1 << into->bits;
  if (into->narrow && from->narrow) {
    uint32_t most = 0; /* the largest sum: narrow sums stay narrow */
    for (size_t i = 0; i < cells; i++) {
      uint32_t sum = (uint32_t)into->narrow[i] + from->narrow[i];
      most = sum > most ? sum : most;
    }
    if (most < UINT16_MAX) {
      for (size_t i = 0; i < cells; i++)
        into->narrow[i] = (uint16_t)(into->narrow[i] + from->narrow[i]);
      into->sentences += from->sentences;
      return 0;
    }
  }
  if (sketch_widen(into, memory) < 0)
    return -1;
  for (size_t i = 0; i < cells; i++) {
    uint64_t sum = (uint64_t)into->wide[i] + summary_sketch_cell(from, i);
    into->wide[i] = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
  }
  into->sentences += from->sentences;
  return 0;
}

/* ---- Scores --------------------------------------------------------------------------- */

/* A cosine against the stream's centroid: `sum` (the document frequencies of the sentence's
 * counted terms) over the number of sentences seen, over the square root of `terms` (the size of
 * the sentence's term set, stopwords included for unigrams: a stopword adds nothing to the
 * overlap but still makes the sentence longer). */
static double centroid_cosine(double sum, uint64_t sentences, size_t terms) {
  if (terms == 0 || sentences == 0)
    return 0.0;
  return sum / (double)sentences / sqrt((double)terms);
}

static double length_prior(const summary_features *features, const summary_scoring *scoring) {
  double offset = ((double)features->words - scoring->target_words) / scoring->length_spread;
  return exp(-0.5 * offset * offset);
}

double summary_score_sums(const summary_sketch *sketch, const summary_features *features,
                          const uint64_t sums[2], const summary_scoring *scoring) {
  double unigrams = centroid_cosine((double)sums[0], sketch->sentences, features->unigram_count);
  double bigrams = centroid_cosine((double)sums[1], sketch->sentences, features->bigram_count);
  return (unigrams + scoring->bigram_weight * bigrams) * length_prior(features, scoring);
}

/* The sum of the counts of terms[0..count) (a sentence's own occurrence is included, as it is
 * for every sentence). */
static double sketch_sum(const summary_sketch *sketch, const uint64_t *terms, size_t count) {
  double sum = 0.0;
  for (size_t i = 0; i < count; i++)
    sum += summary_sketch_count(sketch, terms[i]);
  return sum;
}

double summary_score(const summary_sketch *sketch, const summary_features *features,
                     const summary_scoring *scoring) {
  const uint64_t *bigram_terms = features->terms + features->unigram_count;
  double unigrams = centroid_cosine(sketch_sum(sketch, features->terms, features->content_count),
                                    sketch->sentences, features->unigram_count);
  double bigrams = centroid_cosine(sketch_sum(sketch, bigram_terms, features->bigram_count),
                                   sketch->sentences, features->bigram_count);
  return (unigrams + scoring->bigram_weight * bigrams) * length_prior(features, scoring);
}
