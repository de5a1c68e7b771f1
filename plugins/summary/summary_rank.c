/* plugins/summary/summary_rank.c - the per-record ranking: content-word bit sets, the sparse
 * sentence graph, PageRank over it and the greedy pick (see summary_rank.h).
 *
 * Every floating-point operation is the one the dense definition performs, in the same order,
 * so the ranks (and so the chosen sentences) are bit for bit those of a dense n x n matrix
 * with a sorted-merge cosine; only work whose result is exactly +0.0 is skipped.
 */
#include "summary_rank.h"

#include <math.h>
#include <string.h>

#define RECORD_REDUNDANCY  0.6
#define PAGERANK_DAMPING   0.85
#define PAGERANK_ROUNDS    30
#define PAGERANK_TOLERANCE 1e-3

/* Gives every distinct content word of sentences[0..count) an id (0, 1, ... in order of first
 * appearance) in ranker->term_ids. Returns the number of distinct words. */
static size_t assign_ids(summary_ranker *ranker, const summary_features *sentences, size_t count) {
  size_t terms = 0;
  for (size_t i = 0; i < count; i++)
    terms += sentences[i].content_count;
  size_t slots = 64;
  while (slots < 4 * terms)
    slots *= 2; /* at most SUMMARY_RECORD_SLOTS: terms <= SUMMARY_RECORD_TERMS */
  int shift = 64 - __builtin_ctzll(slots);
  uint64_t *slot_terms = ranker->slot_terms;
  uint16_t *slot_ids = ranker->slot_ids;
  memset(slot_ids, 0, slots * sizeof *slot_ids);
  size_t distinct = 0;
  for (size_t i = 0; i < count; i++) {
    const summary_features *sentence = &sentences[i];
    uint16_t *ids = &ranker->term_ids[i * SUMMARY_MAX_WORDS];
    for (size_t k = 0; k < sentence->content_count; k++) {
      uint64_t term = sentence->terms[k];
      size_t slot = (size_t)(term >> shift); /* the top bits are the best mixed */
      /* At most a quarter full: the first slot is nearly always the term's or free. Whether
       * the term is new is unpredictable, so that case is settled without a branch. */
      while ((slot_ids[slot] != 0) & (slot_terms[slot] != term))
        slot = (slot + 1) & (slots - 1);
      unsigned id = slot_ids[slot];
      unsigned is_new = id == 0;
      distinct += is_new;
      id = is_new ? (unsigned)distinct : id;
      slot_ids[slot] = (uint16_t)id;
      slot_terms[slot] = term;
      ids[k] = (uint16_t)(id - 1);
    }
  }
  return distinct;
}

/* Fills each sentence's bit set (`stride` words) and its range of non-zero words. */
static void fill_bits(summary_ranker *ranker, const summary_features *sentences, size_t count,
                      size_t stride) {
  if (stride == 1) { /* up to 64 distinct words (most records): one register a sentence */
    for (size_t i = 0; i < count; i++) {
      const uint16_t *ids = &ranker->term_ids[i * SUMMARY_MAX_WORDS];
      uint64_t bits = 0;
      for (size_t k = 0; k < sentences[i].content_count; k++)
        bits |= (uint64_t)1 << ids[k];
      ranker->bits[i] = bits;
      ranker->low[i] = 0;
      ranker->high[i] = 1;
    }
    return;
  }
  memset(ranker->bits, 0, count * stride * sizeof *ranker->bits);
  for (size_t i = 0; i < count; i++) {
    uint64_t *bits = &ranker->bits[i * stride];
    const uint16_t *ids = &ranker->term_ids[i * SUMMARY_MAX_WORDS];
    size_t low = stride, high = 0;
    for (size_t k = 0; k < sentences[i].content_count; k++) {
      size_t word = ids[k] / 64;
      bits[word] |= (uint64_t)1 << (ids[k] % 64);
      low = word < low ? word : low;
      high = word + 1 > high ? word + 1 : high;
    }
    ranker->low[i] = (uint16_t)(low < high ? low : 0);
    ranker->high[i] = (uint16_t)high;
  }
}

/* The content-word cosine of sentences i and j: exactly summary_similarity() of the two.
 * Always inline, as build_graph is: in summary_rank_scores's POPCNT copy (RANK_POPCNT) a
 * popcount is then one instruction, not a libgcc call. */
static inline __attribute__((always_inline)) double similarity(const summary_ranker *ranker,
                                                               const summary_features *sentences,
                                                               size_t stride, size_t i, size_t j) {
  size_t low = ranker->low[i] > ranker->low[j] ? ranker->low[i] : ranker->low[j];
  size_t high = ranker->high[i] < ranker->high[j] ? ranker->high[i] : ranker->high[j];
  const uint64_t *a = &ranker->bits[i * stride], *b = &ranker->bits[j * stride];
  unsigned shared = 0;
  for (size_t w = low; w < high; w++)
    shared += (unsigned)__builtin_popcountll(a[w] & b[w]);
  if (shared == 0)
    return 0.0; /* also when either has no content word */
  return (double)shared /
         sqrt((double)sentences[i].content_count * (double)sentences[j].content_count);
}

/* The non-zero edges of the similarity graph as adjacency lists (ascending neighbours) and each
 * sentence's degree, summed in ascending neighbour order as a dense row sum would. Always
 * inline in summary_rank_scores (see similarity). */
static inline __attribute__((always_inline)) void build_graph(summary_ranker *ranker,
                                                              const summary_features *sentences,
                                                              size_t count, size_t stride) {
  memset(ranker->edges, 0, count * sizeof *ranker->edges);
  /* Pairs in (i, j > i) order: row i receives its neighbours below i while the rows before it
   * are visited (ascending), then those above it, so every row comes out sorted. */
  for (size_t i = 0; i < count; i++)
    for (size_t j = i + 1; j < count; j++) {
      double weight = similarity(ranker, sentences, stride, i, j);
      if (weight == 0.0)
        continue;
      size_t at_i = i * count + ranker->edges[i]++, at_j = j * count + ranker->edges[j]++;
      ranker->neighbours[at_i] = (uint8_t)j;
      ranker->weights[at_i] = weight;
      ranker->neighbours[at_j] = (uint8_t)i;
      ranker->weights[at_j] = weight;
    }
  for (size_t i = 0; i < count; i++) {
    double degree = 0.0;
    for (size_t e = 0; e < ranker->edges[i]; e++)
      degree += ranker->weights[i * count + e];
    ranker->degree[i] = degree;
  }
}

/* PageRank over the graph; ranker->rank gets the stationary scores. */
static void pagerank(summary_ranker *ranker, size_t count) {
  /* Weights become transition shares, once for all rounds: the share of j's rank that flows
   * to i is similarity(i, j) / degree[j] (> 0: j has this edge). */
  for (size_t i = 0; i < count; i++)
    for (size_t e = 0; e < ranker->edges[i]; e++)
      ranker->weights[i * count + e] /= ranker->degree[ranker->neighbours[i * count + e]];
  double *rank = ranker->rank, *next = ranker->next;
  for (size_t i = 0; i < count; i++)
    rank[i] = 1.0 / (double)count;
  double base = (1.0 - PAGERANK_DAMPING) / (double)count;
  /* The sentences each round visits: all in the first. A sentence without an edge gets `base`
   * in every round; once both buffers hold it (after the first round) its term of `change` is
   * +0.0, which leaves the sum as it is, so later rounds visit only the sentences with edges
   * (41% of the sentence-rounds of the default pipeline on the corpus's first 5 MB had none). */
  uint8_t visit[SUMMARY_RECORD_SENTENCES];
  size_t visits = count;
  for (size_t i = 0; i < count; i++)
    visit[i] = (uint8_t)i;
  for (int round = 0; round < PAGERANK_ROUNDS; round++) {
    double change = 0.0;
    for (size_t k = 0; k < visits; k++) {
      size_t i = visit[k];
      const uint8_t *from = &ranker->neighbours[i * count];
      const double *share = &ranker->weights[i * count];
      double incoming = 0.0;
      for (size_t e = 0; e < ranker->edges[i]; e++)
        incoming += share[e] * rank[from[e]];
      next[i] = base + PAGERANK_DAMPING * incoming;
      change += fabs(next[i] - rank[i]);
    }
    double *swap = rank; /* next round reads what this one wrote */
    rank = next;
    next = swap;
    if (round == 0) {
      visits = 0;
      for (size_t i = 0; i < count; i++) {
        if (ranker->edges[i] > 0)
          visit[visits++] = (uint8_t)i;
        else
          next[i] = base; /* as rank[i] */
      }
    }
    if (change < PAGERANK_TOLERANCE)
      break;
  }
  if (rank != ranker->rank)
    memcpy(ranker->rank, rank, count * sizeof *rank);
}

static double record_prior(const summary_features *sentence, size_t position) {
  double position_prior = 1.0 + 1.0 / (double)(position + 2);
  double words = sentence->words;
  double length_prior = words < 6.0 ? (words + 1.0) / 7.0 : 1.0;
  if (words > 40.0)
    length_prior = 40.0 / words;
  return position_prior * length_prior;
}

/* The popcounts of the graph's similarities are a call into libgcc each on baseline x86-64
 * (__popcountdi2); on a CPU with POPCNT, target_clones builds a copy that uses the instruction
 * and the loader picks it. Only the integer count is done differently, so every rank is the
 * same bit for bit. GCC only (as the theme plugin's TH_WIDE_LANES). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RANK_POPCNT __attribute__((target_clones("popcnt", "default")))
#else
#define RANK_POPCNT
#endif

RANK_POPCNT
void summary_rank_scores(summary_ranker *ranker, const summary_features *sentences, size_t count) {
  size_t stride = (assign_ids(ranker, sentences, count) + 63) / 64;
  ranker->stride = stride;
  fill_bits(ranker, sentences, count, stride);
  build_graph(ranker, sentences, count, stride);
  pagerank(ranker, count);
  for (size_t i = 0; i < count; i++)
    ranker->rank[i] *= record_prior(&sentences[i], i);
}

size_t summary_rank_record(summary_ranker *ranker, const summary_features *sentences, size_t count,
                           size_t max_sentences, size_t max_words, size_t *chosen) {
  if (count == 0 || max_sentences == 0)
    return 0;
  if (count > SUMMARY_RECORD_SENTENCES)
    count = SUMMARY_RECORD_SENTENCES;
  summary_rank_scores(ranker, sentences, count);
  size_t stride = ranker->stride;
  double *rank = ranker->rank;
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
      repeat = similarity(ranker, sentences, stride, best, chosen[c]) > RECORD_REDUNDANCY;
    if (repeat)
      continue;
    chosen[chosen_count++] = best;
    words_used += sentences[best].words;
  }
  /* Original order (insertion sort: a handful of distinct indices). */
  for (size_t c = 1; c < chosen_count; c++)
    for (size_t d = c; d > 0 && chosen[d - 1] > chosen[d]; d--) {
      size_t swap = chosen[d - 1];
      chosen[d - 1] = chosen[d];
      chosen[d] = swap;
    }
  return chosen_count;
}
