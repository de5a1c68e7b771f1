/* plugins/summary/summary_engine.c - the bounded term sketch and the candidate pool with MMR
 * selection (see summary_engine.h; sentence features are in summary_features.c, the
 * per-record ranking in summary_rank.c).
 *
 * Why these choices: short opinion summaries written by people are short sentences made of the
 * words and word pairs that many other sentences of the stream also use. So a sentence's score
 * is how frequent its content words and bigrams are across everything seen (document frequency
 * from a fixed-size hashed table of counters, normalized by the number of sentences, so early
 * and late scores compare), divided by the square root of its term count (a cosine against the
 * stream's centroid), times a Gaussian length prior. Function words (stopwords) are left out of
 * the counts: shared by nearly every sentence, they made the wordiest sentences look central.
 * Redundancy is removed at selection time (MMR).
 */
#include "summary_engine.h"
#include "summary_readable.h"

#include <math.h>
#include <string.h>

/* ---- Sketch ---------------------------------------------------------------------------- */

int summary_sketch_init(summary_sketch *sketch, uint32_t bits, const summary_allocator *memory) {
  size_t cells = (size_t)1 << bits;
  sketch->bits = bits;
  sketch->sentences = 0;
  sketch->cells = memory->alloc(cells * sizeof *sketch->cells);
  if (!sketch->cells)
    return -1;
  memset(sketch->cells, 0, cells * sizeof *sketch->cells);
  return 0;
}

void summary_sketch_free(summary_sketch *sketch, const summary_allocator *memory) {
  memory->free(sketch->cells);
  sketch->cells = NULL;
}

static size_t sketch_index(const summary_sketch *sketch, uint64_t hash) {
  return (size_t)(hash >> (64 - sketch->bits)); /* the best-mixed bits of the hash */
}

/* Increments the cells of the sentence's counted terms (its content words and its bigrams;
 * stopwords are left out) and writes the sums of their new counts to sums[0] (content words)
 * and sums[1] (bigrams) (exact: at most SUMMARY_MAX_TERMS counts below 2^32). */
static void sketch_count_in(summary_sketch *sketch, const summary_features *features,
                            uint64_t sums[2]) {
  uint32_t *cells = sketch->cells; /* locals: the stores below could alias sketch->bits */
  unsigned shift = 64 - sketch->bits;
  const uint64_t *terms = features->terms;
  size_t content = features->content_count, bigrams_from = features->unigram_count;
  size_t bigrams_end = bigrams_from + features->bigram_count;
  /* The cells are scattered over the table: ask for all of them before touching any. */
  for (size_t i = 0; i < content; i++)
    __builtin_prefetch(&cells[terms[i] >> shift], 1);
  for (size_t i = bigrams_from; i < bigrams_end; i++)
    __builtin_prefetch(&cells[terms[i] >> shift], 1);
  for (int part = 0; part < 2; part++) {
    uint64_t sum = 0;
    for (size_t i = part ? bigrams_from : 0; i < (part ? bigrams_end : content); i++) {
      uint32_t *cell = &cells[terms[i] >> shift]; /* the best-mixed bits of the hash */
      uint32_t value = *cell + (*cell < UINT32_MAX);
      *cell = value;
      sum += value;
    }
    sums[part] = sum;
  }
}

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

void summary_sketch_add(summary_sketch *sketch, const summary_features *features,
                        uint64_t sums[2]) {
  sketch_count_in(sketch, features, sums);
  sketch->sentences++;
}

double summary_score_sums(const summary_sketch *sketch, const summary_features *features,
                          const uint64_t sums[2], const summary_scoring *scoring) {
  double unigrams = centroid_cosine((double)sums[0], sketch->sentences, features->unigram_count);
  double bigrams = centroid_cosine((double)sums[1], sketch->sentences, features->bigram_count);
  return (unigrams + scoring->bigram_weight * bigrams) * length_prior(features, scoring);
}

uint32_t summary_sketch_count(const summary_sketch *sketch, uint64_t hash) {
  return sketch->cells[sketch_index(sketch, hash)];
}

int summary_sketch_merge(summary_sketch *into, const summary_sketch *from) {
  if (into->bits != from->bits)
    return -1;
  size_t cells = (size_t)1 << into->bits;
  for (size_t i = 0; i < cells; i++) {
    uint64_t sum = (uint64_t)into->cells[i] + from->cells[i];
    into->cells[i] = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
  }
  into->sentences += from->sentences;
  return 0;
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

/* ---- Candidate pool -------------------------------------------------------------------- */

int summary_pool_init(summary_pool *pool, size_t capacity, const summary_allocator *memory) {
  memset(pool, 0, sizeof *pool);
  /* One block: candidates, then scores, then text hashes (all 8-byte aligned). */
  char *block = memory->alloc(capacity * (sizeof *pool->items + sizeof(double) + sizeof(uint64_t)));
  if (!block)
    return -1;
  pool->items = (summary_candidate *)block;
  pool->scores = (double *)(block + capacity * sizeof *pool->items);
  pool->text_hashes = (uint64_t *)(pool->scores + capacity);
  pool->capacity = capacity;
  pool->next_rescore = 64;
  return 0;
}

static void candidate_clear(summary_candidate *candidate, const summary_allocator *memory) {
  memory->free(candidate->text);
  memory->free(candidate->id);
  candidate->text = candidate->id = NULL;
}

void summary_pool_free(summary_pool *pool, const summary_allocator *memory) {
  if (!pool->items)
    return;
  for (size_t i = 0; i < pool->count; i++)
    candidate_clear(&pool->items[i], memory);
  memory->free(pool->items);
  pool->items = NULL;
  pool->count = 0;
}

static void pool_find_lowest(summary_pool *pool) {
  size_t lowest = 0;
  for (size_t i = 1; i < pool->count; i++)
    if (pool->scores[i] < pool->scores[lowest])
      lowest = i;
  pool->lowest = lowest;
}

static char *copy_bytes(const char *bytes, size_t length, const summary_allocator *memory) {
  char *copy = memory->alloc(length + 1);
  if (copy) {
    memcpy(copy, bytes, length);
    copy[length] = '\0';
  }
  return copy;
}

int summary_pool_offer(summary_pool *pool, const summary_features *features, double score,
                       const char *text, size_t length, const char *id,
                       const summary_allocator *memory) {
  int full = pool->count == pool->capacity;
  if (full && score <= pool->scores[pool->lowest])
    return 0;
  uint64_t text_hash = summary_hash(text, length);
  for (size_t i = 0; i < pool->count; i++)
    if (pool->text_hashes[i] == text_hash && strlen(pool->items[i].text) == length &&
        memcmp(pool->items[i].text, text, length) == 0)
      return 0;
  char *text_copy = copy_bytes(text, length, memory);
  char *id_copy = copy_bytes(id, strlen(id), memory);
  if (!text_copy || !id_copy) {
    memory->free(text_copy);
    memory->free(id_copy);
    return -1;
  }
  size_t index = full ? pool->lowest : pool->count++;
  summary_candidate *slot = &pool->items[index];
  if (full)
    candidate_clear(slot, memory);
  slot->features = *features;
  summary_features_sort(&slot->features);
  pool->scores[index] = score;
  pool->text_hashes[index] = text_hash;
  slot->text = text_copy;
  slot->id = id_copy;
  if (pool->count == pool->capacity)
    pool_find_lowest(pool);
  return 1;
}

void summary_pool_rescore(summary_pool *pool, const summary_sketch *sketch,
                          const summary_scoring *scoring) {
  for (size_t i = 0; i < pool->count; i++)
    pool->scores[i] = summary_score(sketch, &pool->items[i].features, scoring);
  if (pool->count > 0)
    pool_find_lowest(pool);
}

void summary_pool_maybe_rescore(summary_pool *pool, const summary_sketch *sketch,
                                const summary_scoring *scoring) {
  if (sketch->sentences < pool->next_rescore)
    return;
  summary_pool_rescore(pool, sketch, scoring);
  while (pool->next_rescore <= sketch->sentences)
    pool->next_rescore *= 2;
}

int summary_pool_merge(summary_pool *into, const summary_pool *from,
                       const summary_allocator *memory) {
  for (size_t i = 0; i < from->count; i++) {
    const summary_candidate *candidate = &from->items[i];
    if (summary_pool_offer(into, &candidate->features, from->scores[i], candidate->text,
                           strlen(candidate->text), candidate->id, memory) < 0)
      return -1;
  }
  return 0;
}

size_t summary_pool_select(const summary_pool *pool, size_t k, double lambda, double redundancy,
                           size_t *picked) {
  double best_score = 0.0;
  for (size_t i = 0; i < pool->count; i++)
    if (pool->scores[i] > best_score)
      best_score = pool->scores[i];
  if (best_score <= 0.0)
    best_score = 1.0;
  /* list items, fragments, truncated clauses and anecdotes give way to readable sentences
   * unless nothing else competes */
  double readable[pool->count + 1];
  for (size_t i = 0; i < pool->count; i++)
    readable[i] = summary_quote_factor(pool->items[i].text, strlen(pool->items[i].text));
  size_t picked_count = 0;
  while (picked_count < k) {
    size_t best = pool->count;
    double best_value = -INFINITY;
    for (size_t i = 0; i < pool->count; i++) {
      const summary_candidate *candidate = &pool->items[i];
      double highest = 0.0;
      int taken = 0;
      for (size_t p = 0; p < picked_count && !taken; p++) {
        if (picked[p] == i)
          taken = 1;
        double similarity =
            summary_similarity(&candidate->features, &pool->items[picked[p]].features);
        if (similarity > highest)
          highest = similarity;
      }
      if (taken || highest > redundancy)
        continue;
      double value = lambda * readable[i] * pool->scores[i] / best_score - (1.0 - lambda) * highest;
      if (value > best_value) {
        best_value = value;
        best = i;
      }
    }
    if (best == pool->count)
      break;
    picked[picked_count++] = best;
  }
  return picked_count;
}
