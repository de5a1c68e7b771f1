/* plugins/summary/summary_rank.h - the per-record ranking of the summary plugin: which
 * sentences of one comment make its summary. Free of the plugin ABI (unit-tested over
 * hand-built features).
 *
 * Centrality is PageRank over the content-word cosine graph of the comment's sentences, times a
 * position prior (earlier sentences weigh more) and a length prior. The work is organized for
 * speed without changing a single result bit against the plain definition (dense similarity
 * matrix, sorted-merge cosine):
 *   - each distinct content word of the comment gets a small id, and each sentence a bit set
 *     of its ids, so the words two sentences share are a popcount of an AND (no sorting);
 *   - the graph is kept as adjacency lists of its non-zero edges, in ascending order, so each
 *     PageRank round adds exactly the non-zero terms the dense sum would add, in the same
 *     order (adding +0.0 changes nothing), and skips the rest.
 *
 * Memory: a summary_ranker is fixed-size scratch (about 560 KiB) for one worker; nothing is
 * allocated while ranking.
 */
#ifndef TEXTPIPE_SUMMARY_RANK_H
#define TEXTPIPE_SUMMARY_RANK_H

#include "summary_engine.h"

/* Sentences of one record that the per-record ranking looks at (later ones are still counted
 * in the digest). At most 256 (adjacency lists hold sentence indices in one byte). */
#define SUMMARY_RECORD_SENTENCES 128
/* Distinct content words a record can have among its ranked sentences. */
#define SUMMARY_RECORD_TERMS (SUMMARY_RECORD_SENTENCES * SUMMARY_MAX_WORDS)
/* 64-bit words of one sentence's bit set at most. */
#define SUMMARY_RECORD_BITS ((SUMMARY_RECORD_TERMS + 63) / 64)
/* Slots of the term -> id table (a power of two, at least four times the terms). */
#define SUMMARY_RECORD_SLOTS 32768

typedef struct summary_ranker {
  /* Term -> id table, open addressing; slot_ids[s] is id + 1, 0 when free. */
  uint64_t slot_terms[SUMMARY_RECORD_SLOTS];
  uint16_t slot_ids[SUMMARY_RECORD_SLOTS];
  /* term_ids[i * SUMMARY_MAX_WORDS + k]: id of sentence i's k-th content word. */
  uint16_t term_ids[SUMMARY_RECORD_TERMS];
  /* Bit sets, `stride` words per sentence; words [low[i], high[i]) of sentence i can be
   * non-zero. */
  size_t stride;
  uint64_t bits[SUMMARY_RECORD_SENTENCES * SUMMARY_RECORD_BITS];
  uint16_t low[SUMMARY_RECORD_SENTENCES], high[SUMMARY_RECORD_SENTENCES];
  /* Graph: sentence i's neighbours (ascending) and edge weights, `count` entries a row. */
  uint8_t neighbours[SUMMARY_RECORD_SENTENCES * SUMMARY_RECORD_SENTENCES];
  double weights[SUMMARY_RECORD_SENTENCES * SUMMARY_RECORD_SENTENCES];
  uint16_t edges[SUMMARY_RECORD_SENTENCES];
  double rank[SUMMARY_RECORD_SENTENCES], next[SUMMARY_RECORD_SENTENCES],
      degree[SUMMARY_RECORD_SENTENCES];
} summary_ranker;

/* Scores the `count` (1 to SUMMARY_RECORD_SENTENCES) sentences of one comment into
 * ranker->rank[0..count): PageRank over the content-word cosine graph times the position and
 * length priors. */
void summary_rank_scores(summary_ranker *ranker, const summary_features *sentences, size_t count);

/* Ranks the `count` (<= SUMMARY_RECORD_SENTENCES) sentences of one comment (features as
 * summary_features_build() makes them; content words in any order, left untouched). Then picks
 * the best sentences, skipping near-repeats (content-word cosine > 0.6), until
 * `max_sentences` are picked or no other sentence fits in `max_words`. Writes the chosen
 * indices in original order to `chosen` (room for max_sentences) and returns how many (0 when no
 * sentence fits `max_words`). `ranker` is scratch; its contents before and after do not matter.
 */
size_t summary_rank_record(summary_ranker *ranker, const summary_features *sentences, size_t count,
                           size_t max_sentences, size_t max_words, size_t *chosen);

#endif /* TEXTPIPE_SUMMARY_RANK_H */
