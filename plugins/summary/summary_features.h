/* plugins/summary/summary_features.h - the features of one sentence for the summary plugin:
 * its unique content-word, stopword and word-bigram hashes, and their cosine similarity.
 * Free of the plugin ABI (unit-tested over hand-built token arrays).
 *
 * Sentences are built word by word with a summary_builder, whose functions are inline here so
 * that the plugin's loop over tokenize's tokens hashes each word and files it without a call
 * or an intermediate array. Repeats within a sentence are found with summary_seen, a small
 * per-worker table of the terms seen in the current sentence (stamped, so never cleared).
 */
#ifndef TEXTPIPE_SUMMARY_FEATURES_H
#define TEXTPIPE_SUMMARY_FEATURES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Word tokens beyond this many in a sentence are not looked at; longer sentences never enter
 * the digest pool. */
#define SUMMARY_MAX_WORDS 48
#define SUMMARY_MAX_TERMS (2 * SUMMARY_MAX_WORDS)

/* One token as the engine sees it: the hash of its normalized form and two flags. */
typedef struct summary_token {
  uint64_t hash;
  uint8_t is_word; /* a word or number (not punctuation, emoji, URL, ...) */
  uint8_t is_stop; /* a stopword */
} summary_token;

/* The features of one sentence: terms[0..content_count) are the unique content-word
 * hashes, terms[content_count..unigram_count) the unique stopword hashes and
 * terms[unigram_count..unigram_count + bigram_count) the unique bigram hashes (pairs of
 * adjacent words that are not both stopwords), each in order of first appearance until
 * summary_features_sort() sorts the content words (which summary_similarity() needs; most
 * sentences are only counted, so the sort is left to those that are compared). */
typedef struct summary_features {
  uint16_t words; /* word tokens in the whole sentence (also those past SUMMARY_MAX_WORDS) */
  uint16_t content_count;
  uint16_t unigram_count;
  uint16_t bigram_count;
  uint64_t content_mask; /* bit (hash % 64) set for each content word: a quick disjointness test */
  uint64_t terms[SUMMARY_MAX_TERMS];
} summary_features;

/* ---- Hashes (pure; the values are part of the exported partial format) ----------------- */

static inline uint64_t summary_mix(uint64_t hash) { /* splitmix64's finalizer */
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  return hash ^ (hash >> 31);
}

/* Hashes `length` bytes to 64 well-mixed bits (eight bytes a step). */
static inline uint64_t summary_hash(const char *bytes, size_t length) {
  /* Eight bytes at a time: stems are short, so most take one step. */
  uint64_t hash = 0x9e3779b97f4a7c15ull ^ length;
  while (length >= 8) {
    uint64_t word;
    memcpy(&word, bytes, 8);
    hash = summary_mix(hash ^ word);
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
  return summary_mix(hash ^ tail);
}

/* The hash of the word pair (first, second). */
static inline uint64_t summary_bigram_hash(uint64_t first, uint64_t second) {
  uint64_t hash = first * 0x9e3779b97f4a7c15ull ^ (second + 0x632be59bd9b4e019ull);
  hash ^= hash >> 29;
  hash *= 0xbf58476d1ce4e5b9ull;
  return hash ^ (hash >> 32);
}

/* ---- Building one sentence's features ------------------------------------------------ */

#define SUMMARY_SEEN_SLOTS 256
enum { SUMMARY_SEEN_CONTENT, SUMMARY_SEEN_STOP, SUMMARY_SEEN_BIGRAM };

/* For each of the three term lists, a direct-mapped table (by a hash's top 8 bits) of terms
 * already in the sentence being built; a slot counts only when stamped with the current
 * sentence's stamp. Zero it once (memset) before the first sentence. */
typedef struct summary_seen {
  uint64_t hashes[3][SUMMARY_SEEN_SLOTS];
  uint32_t stamps[3][SUMMARY_SEEN_SLOTS];
  uint32_t stamp;
  /* The sentence's stopword and bigram hashes until summary_builder_finish() puts them after
   * its content words. */
  uint64_t stop[SUMMARY_MAX_WORDS], bigrams[SUMMARY_MAX_WORDS];
} summary_seen;

/* Word kinds, as bits: a bigram joins two adjacent words unless both are stopwords. */
#define SUMMARY_KIND_STOP    1u
#define SUMMARY_KIND_CONTENT 2u

/* The state of one sentence being built: scalars and pointers only, so that once the inline
 * functions below are inlined into a loop the compiler can keep it all in registers (lists in
 * the builder itself made it live in memory, each count and flag stored and read back for
 * every word). */
typedef struct summary_builder {
  summary_features *out; /* content words go straight to out->terms */
  summary_seen *seen;
  uint32_t stamp; /* seen->stamp */
  size_t content_count, stop_count, bigram_count;
  uint64_t content_mask;
  uint64_t previous; /* the previous word's hash */
  /* The kinds of word (SUMMARY_KIND_* bits) that make no bigram with the previous word: both
   * before the first word, stopwords after a stopword, none after a content word. One test a
   * word (a flag with -1 for "no word yet" took two, and a register more). */
  unsigned previous_blocks;
} summary_builder;

/* Starts the features of a new sentence in *out. */
static inline void summary_builder_start(summary_builder *builder, summary_seen *seen,
                                         summary_features *out) {
  if (++seen->stamp == 0) { /* wrapped: old stamps could match again */
    memset(seen->stamps, 0, sizeof seen->stamps);
    seen->stamp = 1;
  }
  builder->out = out;
  builder->seen = seen;
  builder->stamp = seen->stamp;
  builder->content_count = builder->stop_count = builder->bigram_count = 0;
  builder->content_mask = 0;
  builder->previous = 0;
  builder->previous_blocks = SUMMARY_KIND_STOP | SUMMARY_KIND_CONTENT; /* no word before */
}

/* 1 if `hash` is not yet in list[0..count) (the list `which` of the sentence), and notes it;
 * 0 if it is. */
static inline int summary_seen_first(summary_seen *seen, uint32_t stamp, int which,
                                     const uint64_t *list, size_t count, uint64_t hash) {
  size_t slot = (size_t)(hash >> 56);
  if (seen->stamps[which][slot] == stamp) {
    if (seen->hashes[which][slot] == hash)
      return 0;
    for (size_t i = 0; i < count; i++) /* the slot holds another term: look through the list */
      if (list[i] == hash)
        return 0;
    return 1;
  }
  seen->stamps[which][slot] = stamp;
  seen->hashes[which][slot] = hash;
  return 1;
}

/* Adds the next word of the sentence (at most SUMMARY_MAX_WORDS of them; punctuation is left
 * out and does not break a bigram: "clean , comfortable"). */
static inline void summary_builder_add(summary_builder *builder, uint64_t hash, int is_stop) {
  summary_seen *seen = builder->seen;
  uint32_t stamp = builder->stamp;
  if (is_stop) {
    if (summary_seen_first(seen, stamp, SUMMARY_SEEN_STOP, seen->stop, builder->stop_count, hash))
      seen->stop[builder->stop_count++] = hash;
  } else if (summary_seen_first(seen, stamp, SUMMARY_SEEN_CONTENT, builder->out->terms,
                                builder->content_count, hash)) {
    builder->out->terms[builder->content_count++] = hash;
    builder->content_mask |= (uint64_t)1 << (hash & 63);
  }
  unsigned kind = is_stop ? SUMMARY_KIND_STOP : SUMMARY_KIND_CONTENT;
  if ((builder->previous_blocks & kind) == 0) {
    uint64_t bigram = summary_bigram_hash(builder->previous, hash);
    if (summary_seen_first(seen, stamp, SUMMARY_SEEN_BIGRAM, seen->bigrams, builder->bigram_count,
                           bigram))
      seen->bigrams[builder->bigram_count++] = bigram;
  }
  builder->previous = hash;
  builder->previous_blocks = is_stop ? SUMMARY_KIND_STOP : 0; /* two stopwords make no bigram */
}

/* Completes *out; `words` is the sentence's whole word count (also words not added). */
static inline void summary_builder_finish(summary_builder *builder, size_t words) {
  summary_features *out = builder->out;
  out->words = (uint16_t)(words > UINT16_MAX ? UINT16_MAX : words);
  out->content_count = (uint16_t)builder->content_count;
  out->unigram_count = (uint16_t)(builder->content_count + builder->stop_count);
  out->bigram_count = (uint16_t)builder->bigram_count;
  out->content_mask = builder->content_mask;
  const summary_seen *seen = builder->seen;
  memcpy(out->terms + builder->content_count, seen->stop, builder->stop_count * sizeof *seen->stop);
  memcpy(out->terms + out->unigram_count, seen->bigrams,
         builder->bigram_count * sizeof *seen->bigrams);
}

/* Fills *out from the `count` tokens of one sentence (a builder over the first
 * SUMMARY_MAX_WORDS words). Never fails. */
void summary_features_build(const summary_token *tokens, size_t count, summary_features *out);

/* Recomputes content_mask from the content words (for features built by hand). */
void summary_features_mask(summary_features *features);

/* Sorts the content-word hashes (in place). */
void summary_features_sort(summary_features *features);

/* Cosine similarity of the content-word sets of two sentences, in [0, 1]. Both must have been
 * through summary_features_sort() (pool candidates are). */
double summary_similarity(const summary_features *a, const summary_features *b);

#endif /* TEXTPIPE_SUMMARY_FEATURES_H */
