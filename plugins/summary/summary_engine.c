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
  size_t slots = 2;
  while (slots < 2 * capacity)
    slots *= 2;
  /* One block: candidates, scores, text hashes (8-byte aligned), heap, text slots. */
  size_t per_candidate = sizeof *pool->items + sizeof(double) + sizeof(uint64_t) + sizeof(uint32_t);
  char *block = memory->alloc(capacity * per_candidate + slots * sizeof(uint32_t));
  if (!block)
    return -1;
  pool->items = (summary_candidate *)block;
  pool->scores = (double *)(block + capacity * sizeof *pool->items);
  pool->text_hashes = (uint64_t *)(pool->scores + capacity);
  pool->heap = (uint32_t *)(pool->text_hashes + capacity);
  pool->text_slots = pool->heap + capacity;
  memset(pool->text_slots, 0, slots * sizeof *pool->text_slots);
  pool->text_mask = slots - 1;
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

/* ---- The heap of a full pool: the root is the lowest candidate ---- */

/* 1 when candidate a sorts before b: a lower score, or the same score and a lower index (the
 * lowest is then the first index of the lowest score, as a scan from index 0 would find). */
static inline int ranks_below(const summary_pool *pool, uint32_t a, uint32_t b) {
  double x = pool->scores[a], y = pool->scores[b];
  return x < y || (x == y && a < b);
}

/* Moves heap[at] down to its place. */
static void heap_down(summary_pool *pool, size_t at) {
  uint32_t *heap = pool->heap;
  size_t count = pool->count;
  uint32_t item = heap[at];
  for (;;) {
    size_t child = 2 * at + 1;
    if (child >= count)
      break;
    if (child + 1 < count && ranks_below(pool, heap[child + 1], heap[child]))
      child++;
    if (!ranks_below(pool, heap[child], item))
      break;
    heap[at] = heap[child];
    at = child;
  }
  heap[at] = item;
  pool->lowest = heap[0];
}

/* Builds the heap of a full pool from its scores. */
static void heap_build(summary_pool *pool) {
  for (size_t i = 0; i < pool->count; i++)
    pool->heap[i] = (uint32_t)i;
  for (size_t at = pool->count / 2; at-- > 0;)
    heap_down(pool, at);
  pool->lowest = pool->heap[0];
}

/* ---- The table of texts ---- */

static size_t text_home(const summary_pool *pool, uint64_t text_hash) {
  return (size_t)(text_hash >> 32) & pool->text_mask;
}

/* 1 when the pool holds `text` (`length` bytes, hash `text_hash`). */
static int text_held(const summary_pool *pool, uint64_t text_hash, const char *text,
                     size_t length) {
  for (size_t slot = text_home(pool, text_hash); pool->text_slots[slot] != 0;
       slot = (slot + 1) & pool->text_mask) {
    size_t i = pool->text_slots[slot] - 1;
    if (pool->text_hashes[i] == text_hash && strlen(pool->items[i].text) == length &&
        memcmp(pool->items[i].text, text, length) == 0)
      return 1;
  }
  return 0;
}

/* Files candidate `index` (its text hash set) in the table. */
static void text_insert(summary_pool *pool, size_t index) {
  size_t slot = text_home(pool, pool->text_hashes[index]);
  while (pool->text_slots[slot] != 0)
    slot = (slot + 1) & pool->text_mask;
  pool->text_slots[slot] = (uint32_t)index + 1;
}

/* Takes candidate `index` out of the table, moving later entries of its run back into the hole
 * (so that no tombstone is needed). */
static void text_remove(summary_pool *pool, size_t index) {
  size_t mask = pool->text_mask;
  size_t hole = text_home(pool, pool->text_hashes[index]);
  while (pool->text_slots[hole] != index + 1)
    hole = (hole + 1) & mask;
  for (size_t next = (hole + 1) & mask; pool->text_slots[next] != 0; next = (next + 1) & mask) {
    size_t home = text_home(pool, pool->text_hashes[pool->text_slots[next] - 1]);
    if (((next - home) & mask) >= ((next - hole) & mask)) { /* its home is not after the hole */
      pool->text_slots[hole] = pool->text_slots[next];
      hole = next;
    }
  }
  pool->text_slots[hole] = 0;
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
  if (text_held(pool, text_hash, text, length))
    return 0;
  summary_candidate made;
  if (candidate_make(&made, features, text, length, id, memory) < 0)
    return -1;
  size_t index = full ? pool->lowest : pool->count++;
  summary_candidate *slot = &pool->items[index];
  if (full) {
    text_remove(pool, index);
    candidate_clear(slot, memory);
  }
  *slot = made;
  pool->scores[index] = score;
  pool->text_hashes[index] = text_hash;
  text_insert(pool, index);
  if (full)
    heap_down(pool, 0); /* the root's score rose */
  else if (pool->count == pool->capacity)
    heap_build(pool);
  return 1;
}

void summary_pool_rescore(summary_pool *pool, const summary_sketch *sketch,
                          const summary_scoring *scoring) {
  for (size_t i = 0; i < pool->count; i++)
    pool->scores[i] = summary_score(sketch, pool->items[i].features, scoring);
  if (pool->count == pool->capacity)
    heap_build(pool);
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
