/* plugins/summary/summary_engine.h - the ranking engine of the summary plugin, free of the
 * plugin ABI so that it can be unit-tested over hand-built token arrays.
 *
 * Two pieces, over sentence features (summary_features.h: the set of word hashes, content
 * words first, then stop words, and the set of word-bigram hashes of one sentence):
 *   - a sketch: a fixed-size table of counters (one hashed row) of how many sentences contain each
 *     content word and bigram (stopwords are not counted: function words say nothing of what a
 *     stream is about), updated online; its memory is fixed when it is created;
 *   - a candidate pool: the best `capacity` sentences seen so far by centrality against the
 *     sketch (re-scored every time the number of sentences seen doubles), from which the
 *     digest is picked with maximal marginal relevance at the end of the stream.
 * The per-record ranking (a centrality graph over the sentences of one comment) is in
 * summary_rank.h.
 *
 * Terms are hashed stems (the plugin hashes tokenize's Snowball stems), so "room" and "rooms"
 * count as one term.
 *
 * Memory: every function allocates with the allocator given to it (the plugin passes the host
 * allocator); the caller frees with the matching *_free function. Nothing here is thread-safe
 * by itself: the plugin gives each worker its own sketch and pool and merges them at the end.
 */
#ifndef TEXTPIPE_SUMMARY_ENGINE_H
#define TEXTPIPE_SUMMARY_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "summary_features.h"

typedef struct summary_allocator {
  void *(*alloc)(size_t size);
  void (*free)(void *ptr);
} summary_allocator;

/* ---- Sketch (summary_sketch.c) --------------------------------------------------------- */
/* The counters are 16 bits wide while every count is below UINT16_MAX (a theme's sketch
 * nearly always; half the memory and half the cache lines of 32-bit counters), and are widened
 * to 32 bits, once and for good, before one reaches it. Either way a count reads the same. */
typedef struct summary_sketch {
  uint32_t bits;      /* 2^bits counters, indexed by the top `bits` bits of a term hash */
  uint16_t *narrow;   /* the counters while all are below UINT16_MAX, else NULL */
  uint32_t *wide;     /* the counters once one would reach UINT16_MAX, else NULL */
  uint64_t sentences; /* sentences added */
} summary_sketch;

/* Allocates the counters (2 << bits bytes, zero). Returns 0, or -1 when out of memory. */
int summary_sketch_init(summary_sketch *sketch, uint32_t bits, const summary_allocator *memory);
void summary_sketch_free(summary_sketch *sketch, const summary_allocator *memory);

/* Counter `index` (below 2^bits). */
static inline uint32_t summary_sketch_cell(const summary_sketch *sketch, size_t index) {
  return sketch->wide ? sketch->wide[index] : sketch->narrow[index];
}
/* Sets counter `index` to `count` (widening the counters when it needs it). Returns 0, or -1
 * when out of memory (the sketch is unchanged). */
int summary_sketch_set(summary_sketch *sketch, size_t index, uint32_t count,
                       const summary_allocator *memory);

/* How many sentences contained `hash` (an over-estimate on collisions). */
uint32_t summary_sketch_count(const summary_sketch *sketch, uint64_t hash);
/* Adds `from`'s counts into `into` (counts stop at UINT32_MAX). Returns 0, or -1 when the
 * sizes differ or out of memory (widening `into`). */
int summary_sketch_merge(summary_sketch *into, const summary_sketch *from,
                         const summary_allocator *memory);

/* How sentences are scored against a sketch. */
typedef struct summary_scoring {
  double target_words;  /* centre of the length prior */
  double length_spread; /* its width (words) */
  double bigram_weight; /* weight of bigram centrality against unigram centrality */
  /* The length prior of 0 to SUMMARY_MAX_WORDS words, once summary_scoring_prepare() filled
   * it (priors_ready): the same values, without an exp() per score. */
  int priors_ready;
  double priors[SUMMARY_MAX_WORDS + 1];
} summary_scoring;

/* Fills scoring->priors from the three parameters above. */
void summary_scoring_prepare(summary_scoring *scoring);

/* Counts every content word and bigram of one sentence once (not its stopwords); writes the
 * sums of their updated counts to sums[0] (content words) and sums[1] (bigrams). Returns 0, or
 * -1 when out of memory (widening the counters; nothing is counted then). */
int summary_sketch_add(summary_sketch *sketch, const summary_features *features, uint64_t sums[2],
                       const summary_allocator *memory);

/* The sentence's score right after summary_sketch_add() wrote `sums` (the value summary_score()
 * would give then, without reading the cells again). */
double summary_score_sums(const summary_sketch *sketch, const summary_features *features,
                          const uint64_t sums[2], const summary_scoring *scoring);

/* Centrality of a sentence against the sketch times a length prior, >= 0. Centrality is a
 * cosine against the stream's centroid of content words and of bigrams: the sum of the
 * document frequencies of the sentence's content words over the square root of its number of
 * unigrams (stopwords included: they add no overlap but make the sentence no shorter), plus
 * the same for its bigrams. */
double summary_score(const summary_sketch *sketch, const summary_features *features,
                     const summary_scoring *scoring);

/* ---- Candidate pool -------------------------------------------------------------------- */
/* A candidate is one block owned by the pool: its features cut after their last term (only
 * terms[0..unigram_count + bigram_count) exist, a fifth of a whole summary_features for a
 * sentence of 18 terms), then its text, then its id. */
typedef struct summary_candidate {
  summary_features *features; /* content words sorted; the start of the block */
  char *text;                 /* NUL-terminated, in the block */
  char *id;                   /* the record id as JSON text (a number or a quoted string) */
} summary_candidate;

/* Scores and text hashes sit in arrays of their own beside the candidates. A full pool keeps
 * its candidates in a binary min-heap by (score, index), so the lowest (the first index of the
 * lowest score) is known without looking at every candidate, and a hash table of their texts
 * finds an exact repeat in a probe or two. */
typedef struct summary_pool {
  size_t capacity;
  size_t count;
  size_t lowest;         /* index of the lowest score when count == capacity */
  uint64_t next_rescore; /* re-score everything when the sketch has seen this many */
  summary_candidate *items;
  double *scores;        /* scores[i] is items[i]'s */
  uint64_t *text_hashes; /* for dropping exact repeats */
  uint32_t *heap;        /* candidate indices, a min-heap when count == capacity */
  uint32_t *text_slots;  /* open addressing by text hash: candidate index + 1, 0 when free */
  size_t text_mask;      /* slots - 1 (slots: a power of two, at least twice the capacity) */
} summary_pool;

/* Allocates room for `capacity` (>= 1) candidates. Returns 0, or -1 when out of memory. */
int summary_pool_init(summary_pool *pool, size_t capacity, const summary_allocator *memory);
/* Frees the texts and ids of all candidates and the array. */
void summary_pool_free(summary_pool *pool, const summary_allocator *memory);

/* Offers one sentence with its score. It enters when the pool has room or it beats the lowest
 * candidate (which it then replaces), unless the same text is already in. `features` (whose
 * content words the pool's copy sorts), `text` (`length` bytes) and `id` (NUL-terminated) are
 * copied. Returns 1 if it entered, 0 if not, -1 when out of memory (the pool is unchanged). */
int summary_pool_offer(summary_pool *pool, const summary_features *features, double score,
                       const char *text, size_t length, const char *id,
                       const summary_allocator *memory);

/* Re-scores every candidate against `sketch`. */
void summary_pool_rescore(summary_pool *pool, const summary_sketch *sketch,
                          const summary_scoring *scoring);

/* Re-scores the pool when the sketch has doubled since the last time. */
void summary_pool_maybe_rescore(summary_pool *pool, const summary_sketch *sketch,
                                const summary_scoring *scoring);

/* Offers every candidate of `from` to `into` (copies). Returns 0, or -1 when out of memory. */
int summary_pool_merge(summary_pool *into, const summary_pool *from,
                       const summary_allocator *memory);

/* Picks up to `k` candidates by maximal marginal relevance: each step takes the candidate
 * maximizing lambda * score / best_score - (1 - lambda) * (highest similarity to one already
 * picked), skipping any whose similarity to a picked one exceeds `redundancy`. Writes the
 * candidate indices, best first, to `picked` (room for k). Returns how many were picked. */
size_t summary_pool_select(const summary_pool *pool, size_t k, double lambda, double redundancy,
                           size_t *picked);

#endif /* TEXTPIPE_SUMMARY_ENGINE_H */
