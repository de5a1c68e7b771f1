/* plugins/theme/extract.h - what the theme plugin takes from one tokenized record.
 *
 * From a tp_text (tokenize's attachment) it builds, in a per-worker scratch that is reused
 * record after record:
 *   - terms: hashed features with counts, distinct, in order of first occurrence: the stem of every
 * content word (a WORD token that is not a stopword and has a letter) and, between two adjacent
 *     content words, their stem bigram. Terms are what discovery clusters on.
 *   - phrases: keyphrase candidates, the runs of content words between stopwords,
 *     punctuation and sentence ends, cut into pieces of at most TH_PHRASE_WORDS words; each
 *     with a key (hash of its stems, so "tax cuts" and "tax cut" are one phrase), its count,
 *     the token index where it first occurs and, built only for the phrases that are shown or
 *     kept (th_phrases_display, th_phrases_score), its display text (norms joined by spaces).
 * And a count-min sketch of document frequencies, so rarity is learned online in a fixed
 * number of counters whatever the vocabulary.
 */
#ifndef THEME_EXTRACT_H
#define THEME_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "textpipe/text.h"

#define TH_PHRASE_WORDS 4
#define TH_LOG_COUNTS   16384 /* document frequencies whose log th_terms_count keeps */

typedef struct th_term {
  uint32_t hash; /* bit 0: 0 for a stem, 1 for a stem bigram */
  uint32_t count;
} th_term;

#define TH_TERM_IS_BIGRAM(hash) ((hash)&1u)
#define TH_NO_DISPLAY           SIZE_MAX

typedef struct th_phrase {
  uint32_t key;      /* hash of the stems */
  uint32_t count;    /* occurrences in the record */
  uint32_t first;    /* index of the first content word of its first occurrence */
  uint32_t sentence; /* sentence of the first occurrence */
  uint32_t words;    /* 1..TH_PHRASE_WORDS */
  uint32_t word_terms[TH_PHRASE_WORDS]; /* index in scratch.terms of each word's stem */
  uint32_t token; /* index in the record's tp_text of its first word (the words follow it) */
  /* offset of its NUL-terminated display text in scratch.chars, TH_NO_DISPLAY until built */
  size_t display;
  double score; /* filled by th_phrases_score */
} th_phrase;

typedef struct th_scratch {
  th_term *terms;
  size_t term_count, term_capacity;
  th_phrase *phrases;
  size_t phrase_count, phrase_capacity;
  char *chars;
  size_t char_count, char_capacity;
  uint32_t content_words; /* content words in the record */
  /* the hash tables that fold repeated terms and phrases as they are extracted (extract.c):
   * (stamp << 32 | index) slots, those of another stamp empty */
  uint64_t *slots;
  size_t slot_capacity;
  uint64_t *phrase_slots;
  size_t phrase_slot_capacity;
  uint32_t stamp; /* the record's stamp: one more each extraction, never 0 */
  uint32_t *dfs;  /* th_terms_count: per term, its document frequency so far */
  float *idfs;    /* per term, log((1 + N) / (1 + df)) */
  size_t weight_capacity;
  double *log_counts; /* log(1 + df) for df < TH_LOG_COUNTS, filled on first use */
  uint64_t documents; /* N when th_terms_count ran */
  /* the sketch th_terms_count will count the terms into, or NULL: th_features_extract asks for
   * each new term's counters as it finds the term, so that they are on their way long before
   * they are counted (the sketch is half a MB, rarely in cache). Set by the owner; not freed. */
  const struct th_sketch *sketch;
  /* a taxonomy's shape filter (th_taxonomy_shapes), or NULL: th_features_extract then lists in
   * tax_starts the tokens th_tax_may_start passes, in order, for th_taxonomy_match_at, so that
   * the matcher need not walk the record again. Set by the owner; not freed. */
  const uint64_t *tax_shapes;
  uint32_t *tax_starts;
  size_t tax_start_count, tax_start_capacity;
} th_scratch;

/* Extracts terms and phrase candidates of `text` into `scratch` (previous contents are
 * dropped). `bigrams`: nonzero to add stem bigrams. `phrases`: zero to extract terms only
 * (phrase_count stays 0; the terms are the same either way), for a stage that neither writes
 * keyphrases nor keeps records for discovery. Returns 0, or -1 on OOM (scratch then holds a
 * partial result that the caller ignores). */
int th_features_extract(const tp_text *text, int bigrams, int phrases, th_scratch *scratch);

/* Frees the scratch's arrays (not the struct). */
void th_scratch_release(th_scratch *scratch);

/* Count-min sketch of document frequencies: `depth` (1..8) rows of `width` (a power of two,
 * at least 64) counters, blocked so that one hash touches one cache line. Merging two
 * sketches of the same shape adds them counter by counter. */
typedef struct th_sketch {
  uint32_t width, depth;
  uint64_t documents; /* documents counted */
  uint32_t *counters; /* depth * width */
} th_sketch;

/* Allocates a zeroed sketch; width is rounded up to a power of two. 0 or -1 on OOM. */
int th_sketch_init(th_sketch *sketch, uint32_t width, uint32_t depth);
/* Frees the counters (not the struct). */
void th_sketch_release(th_sketch *sketch);
/* Counts one occurrence of `hash` (call once per distinct term per document); returns the
 * estimated document frequency after counting it. */
uint32_t th_sketch_add(th_sketch *sketch, uint32_t hash);
/* The estimated document frequency of `hash` (never below the true count). */
uint32_t th_sketch_count(const th_sketch *sketch, uint32_t hash);
/* Adds `from` into `into`; -1 if the shapes differ. */
int th_sketch_merge(th_sketch *into, const th_sketch *from);
/* Smoothed inverse document frequency, log((1 + N) / (1 + df)) + 1. */
double th_sketch_idf(const th_sketch *sketch, uint32_t hash);

/* lines[i] and positions[i] for terms[i], i < count: the line of 16 counters that holds the
 * term's counters (its index in the sketch's lines) and the bits that place its row r's
 * counter in the line, (positions[i] >> (4 x r)) & 15; as th_sketch_add finds them. */
void th_sketch_locate_terms(const th_sketch *sketch, const th_term *terms, size_t count,
                            uint32_t *restrict lines, uint32_t *restrict positions);

/* Counts the record's terms into `sketch` (one more document) and fills scratch->dfs and
 * scratch->idfs for each term. 0, or -1 on OOM. */
int th_terms_count(th_scratch *scratch, th_sketch *sketch);

/* Builds the display text of phrases 0..count-1 that have none yet, from `text` (the record
 * they were extracted from). Cannot fail: th_features_extract made room for every phrase's. */
void th_phrases_display(th_scratch *scratch, const tp_text *text, size_t count);

/* Scores the phrases in `scratch` (frequency in the record, earliness, rarity of its words
 * from th_terms_count, which must have run, length; 0 for a single word in more than 2% of
 * 100+ records, and for a vague lone word) and moves the `best` best to the front, best first
 * (ties by key, so the order is deterministic), with their display text built; the order of
 * the rest is unspecified, and so are their scores (a vague word outside the best may keep
 * its score). `text`: the record the phrases were extracted from. */
void th_phrases_score(th_scratch *scratch, const tp_text *text, size_t best);

#endif /* THEME_EXTRACT_H */
