/* plugins/summary/summary_engine.c - the candidate pool with MMR selection (see
 * summary_engine.h; the term sketch is in summary_sketch.c, sentence features in
 * summary_features.c, the per-record ranking in summary_rank.c).
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
#include <stddef.h>
#include <string.h>

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
  memory->free(candidate->features); /* the block */
  candidate->features = NULL;
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

/* Fills *candidate with a new block holding a copy of `features` (cut after its last term,
 * content words sorted), `text` (`length` bytes) and `id`. 0, or -1 when out of memory. */
static int candidate_make(summary_candidate *candidate, const summary_features *features,
                          const char *text, size_t length, const char *id,
                          const summary_allocator *memory) {
  size_t terms = (size_t)features->unigram_count + features->bigram_count;
  size_t head = offsetof(summary_features, terms) + terms * sizeof features->terms[0];
  size_t id_size = strlen(id) + 1;
  char *block = memory->alloc(head + length + 1 + id_size);
  if (!block)
    return -1;
  memcpy(block, features, head);
  candidate->features = (summary_features *)block;
  candidate->text = block + head;
  memcpy(candidate->text, text, length);
  candidate->text[length] = '\0';
  candidate->id = candidate->text + length + 1;
  memcpy(candidate->id, id, id_size);
  summary_features_sort(candidate->features);
  return 0;
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
  summary_candidate made;
  if (candidate_make(&made, features, text, length, id, memory) < 0)
    return -1;
  size_t index = full ? pool->lowest : pool->count++;
  summary_candidate *slot = &pool->items[index];
  if (full)
    candidate_clear(slot, memory);
  *slot = made;
  pool->scores[index] = score;
  pool->text_hashes[index] = text_hash;
  if (pool->count == pool->capacity)
    pool_find_lowest(pool);
  return 1;
}

void summary_pool_rescore(summary_pool *pool, const summary_sketch *sketch,
                          const summary_scoring *scoring) {
  for (size_t i = 0; i < pool->count; i++)
    pool->scores[i] = summary_score(sketch, pool->items[i].features, scoring);
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
    if (summary_pool_offer(into, candidate->features, from->scores[i], candidate->text,
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
            summary_similarity(candidate->features, pool->items[picked[p]].features);
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
