/* plugins/summary/summary_engine.c - sentence features, the bounded term sketch, the candidate
 * pool with MMR selection, and the per-record centrality ranking (see summary_engine.h).
 *
 * Why these choices: short opinion summaries written by people are short sentences made of the
 * words and word pairs that many other sentences of the stream also use. So a sentence's score
 * is how frequent its words and bigrams are across everything seen (document frequency from a
 * fixed-size hashed table of counters, normalized by the number of sentences, so early and late
 * scores compare), divided by the square root of its term count (a cosine against the stream's
 * centroid), times a Gaussian length prior. Redundancy is removed at selection time (MMR).
 */
#include "summary_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t hash) { /* splitmix64's finalizer */
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  return hash ^ (hash >> 31);
}

uint64_t summary_hash(const char *bytes, size_t length) {
  /* Eight bytes at a time: stems are short, so most take one step. */
  uint64_t hash = 0x9e3779b97f4a7c15ull ^ length;
  while (length >= 8) {
    uint64_t word;
    memcpy(&word, bytes, 8);
    hash = mix(hash ^ word);
    bytes += 8;
    length -= 8;
  }
  /* The last 0..7 bytes as one little-endian number, read with at most two loads (they
   * overlap when 4 < length < 8: the shared bytes land on the same bits) instead of a loop. */
  const unsigned char *rest = (const unsigned char *)bytes;
  uint64_t tail = 0;
  if (length >= 4) {
    uint32_t first, last;
    memcpy(&first, rest, 4);
    memcpy(&last, rest + length - 4, 4);
    tail = first | (uint64_t)last << (8 * (length - 4));
  } else if (length > 0) {
    tail = rest[0] | (uint64_t)rest[length / 2] << (8 * (length / 2)) |
           (uint64_t)rest[length - 1] << (8 * (length - 1));
  }
  return mix(hash ^ tail);
}

/* Sorts terms[0..count) (insertion sort: count <= SUMMARY_MAX_WORDS). */
static void sort_terms(uint64_t *terms, size_t count) {
  for (size_t i = 1; i < count; i++) {
    uint64_t term = terms[i];
    size_t j = i;
    while (j > 0 && terms[j - 1] > term) {
      terms[j] = terms[j - 1];
      j--;
    }
    terms[j] = term;
  }
}

static uint64_t bigram_hash(uint64_t first, uint64_t second) {
  uint64_t hash = first * 0x9e3779b97f4a7c15ull ^ (second + 0x632be59bd9b4e019ull);
  hash ^= hash >> 29;
  hash *= 0xbf58476d1ce4e5b9ull;
  return hash ^ (hash >> 32);
}

/* Appends `hash` to list[0..*count) unless it is there already. Sentences are short, so a
 * linear scan beats a hash set that would need clearing for every sentence; `*seen`, one bit
 * per hash value modulo 64, skips the scan for most new terms. Always inlined: its three
 * call sites then keep the counts and bits in registers instead of going through memory. */
static inline __attribute__((always_inline)) void append_unique(uint64_t *list, size_t *count,
                                                                uint64_t *seen, uint64_t hash) {
  uint64_t bit = (uint64_t)1 << (hash & 63);
  if (*seen & bit) {
    for (size_t i = 0; i < *count; i++)
      if (list[i] == hash)
        return;
  }
  *seen |= bit;
  list[(*count)++] = hash;
}

void summary_features_build(const summary_token *tokens, size_t count, summary_features *out) {
  uint64_t content[SUMMARY_MAX_WORDS], stop[SUMMARY_MAX_WORDS], bigrams[SUMMARY_MAX_WORDS];
  size_t content_count = 0, stop_count = 0, bigram_count = 0, words = 0;
  uint64_t content_seen = 0, stop_seen = 0, bigram_seen = 0;
  const summary_token *previous = NULL;
  for (size_t i = 0; i < count; i++) {
    const summary_token *token = &tokens[i];
    if (!token->is_word)
      continue; /* punctuation does not break a bigram: "clean , comfortable" */
    words++;
    if (words > SUMMARY_MAX_WORDS)
      continue;
    if (token->is_stop)
      append_unique(stop, &stop_count, &stop_seen, token->hash);
    else
      append_unique(content, &content_count, &content_seen, token->hash);
    if (previous && !(previous->is_stop && token->is_stop))
      append_unique(bigrams, &bigram_count, &bigram_seen, bigram_hash(previous->hash, token->hash));
    previous = token;
  }
  out->words = (uint16_t)(words > UINT16_MAX ? UINT16_MAX : words);
  out->content_count = (uint16_t)content_count;
  out->unigram_count = (uint16_t)(content_count + stop_count);
  out->bigram_count = (uint16_t)bigram_count;
  out->content_mask = content_seen;
  memcpy(out->terms, content, content_count * sizeof *content);
  memcpy(out->terms + content_count, stop, stop_count * sizeof *stop);
  memcpy(out->terms + out->unigram_count, bigrams, bigram_count * sizeof *bigrams);
}

void summary_features_mask(summary_features *features) {
  features->content_mask = 0;
  for (size_t i = 0; i < features->content_count; i++)
    features->content_mask |= (uint64_t)1 << (features->terms[i] & 63);
}

void summary_features_sort(summary_features *features) {
  sort_terms(features->terms, features->content_count);
}

double summary_similarity(const summary_features *a, const summary_features *b) {
  if ((a->content_mask & b->content_mask) == 0)
    return 0.0; /* no content word in common (also when either has none) */
  size_t i = 0, j = 0, shared = 0;
  while (i < a->content_count && j < b->content_count) {
    uint64_t x = a->terms[i], y = b->terms[j]; /* branch-free merge step */
    shared += x == y;
    i += x <= y;
    j += y <= x;
  }
  return (double)shared / sqrt((double)a->content_count * (double)b->content_count);
}

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

/* Increments the cells of terms[0..count) and returns the sum of their new counts. */
static double sketch_count_in(summary_sketch *sketch, const uint64_t *terms, size_t count) {
  double sum = 0.0;
  /* The cells are scattered over the table: ask for all of them before touching any. */
  for (size_t i = 0; i < count; i++)
    __builtin_prefetch(&sketch->cells[sketch_index(sketch, terms[i])], 1);
  for (size_t i = 0; i < count; i++) {
    uint32_t *cell = &sketch->cells[sketch_index(sketch, terms[i])];
    uint32_t value = *cell + (*cell < UINT32_MAX);
    *cell = value;
    sum += value;
  }
  return sum;
}

static double length_prior(const summary_features *features, const summary_scoring *scoring) {
  double offset = ((double)features->words - scoring->target_words) / scoring->length_spread;
  return exp(-0.5 * offset * offset);
}

double summary_sketch_add(summary_sketch *sketch, const summary_features *features,
                          const summary_scoring *scoring) {
  double unigrams = sketch_count_in(sketch, features->terms, features->unigram_count);
  double bigrams =
      sketch_count_in(sketch, features->terms + features->unigram_count, features->bigram_count);
  sketch->sentences++;
  double total = (double)sketch->sentences;
  unigrams = features->unigram_count ? unigrams / total / sqrt(features->unigram_count) : 0.0;
  bigrams = features->bigram_count ? bigrams / total / sqrt(features->bigram_count) : 0.0;
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

/* Sum of the document frequencies (as fractions of all sentences) of terms[0..count), over
 * sqrt(count). A sentence's own occurrence is included, as it is for every sentence. */
static double centrality(const summary_sketch *sketch, const uint64_t *terms, size_t count) {
  if (count == 0 || sketch->sentences == 0)
    return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < count; i++)
    sum += summary_sketch_count(sketch, terms[i]);
  return sum / (double)sketch->sentences / sqrt((double)count);
}

double summary_score(const summary_sketch *sketch, const summary_features *features,
                     const summary_scoring *scoring) {
  double unigrams = centrality(sketch, features->terms, features->unigram_count);
  double bigrams =
      centrality(sketch, features->terms + features->unigram_count, features->bigram_count);
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
      double value = lambda * pool->scores[i] / best_score - (1.0 - lambda) * highest;
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

/* ---- One record ------------------------------------------------------------------------ */

#define RECORD_REDUNDANCY  0.6
#define PAGERANK_DAMPING   0.85
#define PAGERANK_ROUNDS    30
#define PAGERANK_TOLERANCE 1e-3

static double record_prior(const summary_features *sentence, size_t position) {
  double position_prior = 1.0 + 1.0 / (double)(position + 2);
  double words = sentence->words;
  double length_prior = words < 6.0 ? (words + 1.0) / 7.0 : 1.0;
  if (words > 40.0)
    length_prior = 40.0 / words;
  return position_prior * length_prior;
}

/* PageRank over the similarity graph `matrix` (count x count, filled here); rank[] gets the
 * stationary scores. */
static void record_pagerank(const summary_features *sentences, size_t count, double *matrix,
                            double *rank, double *next, double *degree) {
  for (size_t i = 0; i < count; i++) {
    matrix[i * count + i] = 0.0;
    for (size_t j = i + 1; j < count; j++)
      matrix[i * count + j] = matrix[j * count + i] =
          summary_similarity(&sentences[i], &sentences[j]);
  }
  for (size_t i = 0; i < count; i++) {
    degree[i] = 0.0;
    for (size_t j = 0; j < count; j++)
      degree[i] += matrix[i * count + j];
    rank[i] = 1.0 / (double)count;
  }
  /* The matrix becomes the transition matrix, once for all rounds: matrix[i][j] = the share
   * of j's rank that flows to i, similarity(j, i) / degree[j] (the similarity is symmetric;
   * 0 from a sentence with no edge). Each round then reads rows, without a division. */
  for (size_t j = 0; j < count; j++)
    for (size_t i = j; i < count; i++) {
      double similarity = matrix[i * count + j];
      matrix[i * count + j] = degree[j] > 0.0 ? similarity / degree[j] : 0.0;
      matrix[j * count + i] = degree[i] > 0.0 ? similarity / degree[i] : 0.0;
    }
  for (int round = 0; round < PAGERANK_ROUNDS; round++) {
    for (size_t i = 0; i < count; i++) {
      const double *to_i = &matrix[i * count];
      double incoming = 0.0;
      for (size_t j = 0; j < count; j++)
        incoming += to_i[j] * rank[j];
      next[i] = (1.0 - PAGERANK_DAMPING) / (double)count + PAGERANK_DAMPING * incoming;
    }
    double change = 0.0;
    for (size_t i = 0; i < count; i++)
      change += fabs(next[i] - rank[i]);
    memcpy(rank, next, count * sizeof *rank);
    if (change < PAGERANK_TOLERANCE)
      break;
  }
}

static int compare_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

size_t summary_rank_record(summary_features *sentences, size_t count, size_t max_sentences,
                           size_t max_words, double *scratch, size_t *chosen) {
  if (count == 0 || max_sentences == 0)
    return 0;
  for (size_t i = 0; i < count; i++)
    summary_features_sort(&sentences[i]);
  double *rank = scratch, *next = scratch + count, *degree = scratch + 2 * count;
  record_pagerank(sentences, count, scratch + 3 * count, rank, next, degree);
  for (size_t i = 0; i < count; i++)
    rank[i] *= record_prior(&sentences[i], i);
  size_t chosen_count = 0, words_used = 0;
  /* Greedy by score; a used sentence gets rank -1. */
  for (;;) {
    size_t best = count;
    for (size_t i = 0; i < count; i++)
      if (rank[i] >= 0.0 && (best == count || rank[i] > rank[best]))
        best = i;
    if (best == count || chosen_count == max_sentences)
      break;
    rank[best] = -1.0;
    if (words_used + sentences[best].words > max_words)
      continue;
    int repeat = 0;
    for (size_t c = 0; c < chosen_count && !repeat; c++)
      repeat = summary_similarity(&sentences[best], &sentences[chosen[c]]) > RECORD_REDUNDANCY;
    if (repeat)
      continue;
    chosen[chosen_count++] = best;
    words_used += sentences[best].words;
  }
  qsort(chosen, chosen_count, sizeof *chosen, compare_size);
  return chosen_count;
}
