/* plugins/summary/summary_sketch.c - the bounded term sketch of a digest: counting a
 * sentence's terms, reading, merging and setting counters, and scoring a sentence against it
 * (see summary_engine.h).
 *
 * The counters start 16 bits wide. A theme's sketch (4096 counters) rarely sees a term in
 * 65535 of its sentences, so it keeps 8 KiB instead of 16; the stream's sketch widens when a
 * common word reaches that many sentences. A narrow counter always holds less than UINT16_MAX:
 * a sentence (or a merge, or a set) that would take one there is counted on wide counters
 * instead, so no count is ever lost or capped below UINT32_MAX.
 */
#include "summary_engine.h"

#include <math.h>
#include <string.h>

int summary_sketch_init(summary_sketch *sketch, uint32_t bits, const summary_allocator *memory) {
  size_t cells = (size_t)1 << bits;
  sketch->bits = bits;
  sketch->sentences = 0;
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
  return 0;
}

/* Increments the narrow counters of terms[from..end) (each below UINT16_MAX) and returns the
 * sum of their counts before (the sum of the new counts is that plus end - from, also when two
 * terms share a counter); ORs those counts into *before. The index is the top `64 - shift` bits
 * of a term hash (the best mixed). */
static inline uint64_t count_narrow(uint16_t *cells, unsigned shift, const uint64_t *terms,
                                    size_t from, size_t end, uint64_t *before) {
  uint64_t sum = 0, seen = 0;
#pragma GCC unroll 2
  for (size_t i = from; i < end; i++) {
    uint16_t *cell = &cells[terms[i] >> shift];
    uint64_t value = *cell; /* 64 bits: the sum adds the loaded register as it is */
    *cell = (uint16_t)(value + 1);
    sum += value;
    seen |= value;
  }
  *before |= seen;
  return sum;
}

/* Takes back count_narrow() of terms[from..end), last term first (a counter two terms share
 * goes back through the same values). */
static void uncount_narrow(uint16_t *cells, unsigned shift, const uint64_t *terms, size_t from,
                           size_t end) {
  for (size_t i = end; i-- > from;) {
    uint16_t *cell = &cells[terms[i] >> shift];
    *cell = (uint16_t)(*cell - 1);
  }
}

/* Takes back a whole sentence's count_narrow(): its bigrams, then its content words. */
static void uncount_sentence(uint16_t *cells, unsigned shift, const uint64_t *terms, size_t content,
                             size_t bigrams_from, size_t bigrams_end) {
  uncount_narrow(cells, shift, terms, bigrams_from, bigrams_end);
  uncount_narrow(cells, shift, terms, 0, content);
}

/* count_narrow() that also tells whether a counter reached UINT16_MAX on the way (1 if so). */
static int count_narrow_reaching(uint16_t *cells, unsigned shift, const uint64_t *terms,
                                 size_t from, size_t end) {
  int reached = 0;
  for (size_t i = from; i < end; i++) {
    uint16_t *cell = &cells[terms[i] >> shift];
    reached |= *cell + 1 >= UINT16_MAX;
    *cell = (uint16_t)(*cell + 1);
  }
  return reached;
}

/* The same for wide counters, which stop at UINT32_MAX. */
static inline uint64_t count_wide(uint32_t *cells, unsigned shift, const uint64_t *terms,
                                  size_t from, size_t end) {
  uint64_t sum = 0;
  for (size_t i = from; i < end; i++) {
    uint32_t *cell = &cells[terms[i] >> shift];
    uint32_t value = *cell + (*cell < UINT32_MAX);
    *cell = value;
    sum += value;
  }
  return sum;
}

/* Counts the sentence's content words terms[0..content_count) and its bigrams (after its
 * stopwords, which are not counted); sums[0] and sums[1] are exact (at most
 * SUMMARY_MAX_TERMS counts below 2^32). */
int summary_sketch_add(summary_sketch *sketch, const summary_features *features, uint64_t sums[2],
                       const summary_allocator *memory) {
  unsigned shift = 64 - sketch->bits;
  const uint64_t *terms = features->terms;
  size_t content = features->content_count, bigrams_from = features->unigram_count;
  size_t bigrams_end = bigrams_from + features->bigram_count;
  if (sketch->narrow) { /* locals: the stores below could alias the sketch's members */
    uint16_t *cells = sketch->narrow;
    /* No prefetch pass before the counts: the loads are independent, and the processor already
     * overlaps them. One was here until 2026-12-07 and compiled to nothing: GCC 12 takes a
     * function whose only effect is __builtin_prefetch for a const one and deletes its calls.
     * Kept (always_inline) it timed +0.9% / +0.2% (median / min) on the default pipeline and
     * -1.0% / +0.1% on tokenize + summary (README, the fourth pass). */
    uint64_t before = 0;
    uint64_t content_sum = count_narrow(cells, shift, terms, 0, content, &before);
    uint64_t bigram_sum = count_narrow(cells, shift, terms, bigrams_from, bigrams_end, &before);
    /* A counter reached UINT16_MAX (or wrapped, two terms of the sentence sharing it) only if
     * one was UINT16_MAX - 1 or more before an increment, and then the OR of the counts before
     * has those bits. Rarely so: then the sentence is taken back and counted again, telling
     * exactly; if a counter does reach it, taken back once more and counted on wide counters. */
    int reached = 0;
    if (before >= UINT16_MAX - 1) {
      uncount_sentence(cells, shift, terms, content, bigrams_from, bigrams_end);
      reached = count_narrow_reaching(cells, shift, terms, 0, content);
      reached |= count_narrow_reaching(cells, shift, terms, bigrams_from, bigrams_end);
    }
    if (!reached) {
      sums[0] = content_sum + content;
      sums[1] = bigram_sum + (bigrams_end - bigrams_from);
      sketch->sentences++;
      return 0;
    }
    uncount_sentence(cells, shift, terms, content, bigrams_from, bigrams_end);
    if (sketch_widen(sketch, memory) < 0)
      return -1;
  }
  uint32_t *wide = sketch->wide;
  sums[0] = count_wide(wide, shift, terms, 0, content);
  sums[1] = count_wide(wide, shift, terms, bigrams_from, bigrams_end);
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

/* Eight narrow counters: GCC's and Clang's vector extension (SSE2 on x86-64, NEON on ARM). */
typedef uint16_t narrow_lanes __attribute__((vector_size(16)));

/* into[i] += from[i] for i < cells, wrapping; nonzero when some sum reached UINT16_MAX or
 * wrapped (subtracting `from` again then restores `into` exactly). */
static int add_narrow(uint16_t *into, const uint16_t *from, size_t cells) {
  narrow_lanes over = {0};
  size_t i = 0;
  for (; i + 8 <= cells; i += 8) {
    narrow_lanes a, b;
    memcpy(&a, into + i, sizeof a);
    memcpy(&b, from + i, sizeof b);
    narrow_lanes sum = a + b;
    over |= (narrow_lanes)((sum < a) | (sum == UINT16_MAX));
    memcpy(into + i, &sum, sizeof sum);
  }
  int reached = 0;
  for (size_t lane = 0; lane < 8; lane++)
    reached |= over[lane] != 0;
  for (; i < cells; i++) {
    uint32_t sum = (uint32_t)into[i] + from[i];
    reached |= sum >= UINT16_MAX;
    into[i] = (uint16_t)sum;
  }
  return reached;
}

int summary_sketch_merge(summary_sketch *into, const summary_sketch *from,
                         const summary_allocator *memory) {
  if (into->bits != from->bits)
    return -1;
  size_t cells = (size_t)1 << into->bits;
  if (into->narrow && from->narrow) {
    if (!add_narrow(into->narrow, from->narrow, cells)) { /* the usual case: one pass */
      into->sentences += from->sentences;
      return 0;
    }
    for (size_t i = 0; i < cells; i++) /* undo: the sums need wide counters */
      into->narrow[i] = (uint16_t)(into->narrow[i] - from->narrow[i]);
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

/* `count` as a double. Counts here (sentences, terms, sums of counters) stay far below 2^63, so
 * the signed conversion gives the same double as the unsigned one; on x86-64 it is one
 * instruction, the unsigned one a test, a branch and several more. */
static inline double count_to_double(uint64_t count) {
  return (double)(int64_t)count;
}

/* A cosine against the stream's centroid: `sum` (the document frequencies of the sentence's
 * counted terms) over the number of sentences seen, over the square root of `terms` (the size of
 * the sentence's term set, stopwords included for unigrams: a stopword adds nothing to the
 * overlap but still makes the sentence longer). */
static double centroid_cosine(double sum, uint64_t sentences, size_t terms) {
  if (terms == 0 || sentences == 0)
    return 0.0;
  return sum / count_to_double(sentences) / sqrt(count_to_double(terms));
}

/* A Gaussian centred on target_words. */
static double compute_prior(double words, const summary_scoring *scoring) {
  double offset = (words - scoring->target_words) / scoring->length_spread;
  return exp(-0.5 * offset * offset);
}

void summary_scoring_prepare(summary_scoring *scoring) {
  for (size_t words = 0; words <= SUMMARY_MAX_WORDS; words++)
    scoring->priors[words] = compute_prior((double)words, scoring);
  scoring->priors_ready = 1;
}

static double length_prior(const summary_features *features, const summary_scoring *scoring) {
  if (scoring->priors_ready && features->words <= SUMMARY_MAX_WORDS)
    return scoring->priors[features->words];
  return compute_prior((double)features->words, scoring);
}

double summary_score_sums(const summary_sketch *sketch, const summary_features *features,
                          const uint64_t sums[2], const summary_scoring *scoring) {
  double unigrams =
      centroid_cosine(count_to_double(sums[0]), sketch->sentences, features->unigram_count);
  double bigrams =
      centroid_cosine(count_to_double(sums[1]), sketch->sentences, features->bigram_count);
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
