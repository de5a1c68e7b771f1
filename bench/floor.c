/* bench/floor.c - the least a stage that looks at every token can cost on a corpus.
 *
 *   floor CORPUS.ndjson [RUNS]
 *
 * Loads every record's "text" first (untimed), then times, in CPU seconds (median of RUNS,
 * default 5), three loops over all the texts that do strictly less than any real tokenizer:
 *   split        one table lookup per byte to find word boundaries, and one token written per
 *                word into a reused array of tp_token (text.h: what every stage reads);
 *   split+probe  the same, plus hashing each word's bytes and one probe of an open-addressed
 *                table holding the corpus vocabulary (what any per-word cache, stem table or
 *                lexicon costs at the least);
 *   2 probes     split+probe with a second, independent probe per word (a later stage looking
 *                the word up in its own table, as sentiment and theme do).
 * bench/floor.sh sets these against the no-stage pipeline measured in the same run, to show
 * how much of a stage's ratio budget is gone before any real work is done.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <emmintrin.h>

#include "bench_corpus.h"
#include "bench_time.h"
#include "textpipe/text.h"

/* 1 for the bytes that continue a word: ASCII letters and digits, and every non-ASCII byte. */
static unsigned char word_byte[256];

/* A hash of `length` bytes at `bytes`, of which `readable` may be read (>= length): words are
 * read 8 bytes at a time, the last one with a masked over-read where the buffer allows. */
static inline uint64_t hash_bytes(const unsigned char *bytes, size_t length, size_t readable) {
  uint64_t hash = 0xcbf29ce484222325ull ^ length;
  size_t at = 0;
  for (; at + 8 <= length; at += 8) {
    uint64_t word;
    memcpy(&word, bytes + at, 8);
    hash = (hash ^ word) * 0x100000001b3ull;
    hash ^= hash >> 29;
  }
  uint64_t tail = 0;
  if (at < length) {
    if (readable - at >= 8) {
      memcpy(&tail, bytes + at, 8);
      tail &= ~0ull >> (64 - 8 * (length - at));
    } else {
      memcpy(&tail, bytes + at, length - at);
    }
  }
  hash = (hash ^ tail) * 0x9e3779b97f4a7c15ull;
  return hash ^ (hash >> 32);
}

/* An open-addressed set of word hashes (0 = empty); capacity is a power of two. */
typedef struct vocabulary {
  uint64_t *slots;
  size_t mask;
} vocabulary;

static const uint64_t *vocabulary_find(const vocabulary *vocabulary, uint64_t hash) {
  size_t slot = (size_t)hash & vocabulary->mask;
  while (vocabulary->slots[slot] != 0 && vocabulary->slots[slot] != hash)
    slot = (slot + 1) & vocabulary->mask;
  return &vocabulary->slots[slot];
}

/* The word bytes of 16 bytes at `bytes`, as bits: ASCII letters and digits, the apostrophe,
 * and every non-ASCII byte (word_byte[], 16 bytes at a time with SSE2). */
static inline uint32_t word_mask16(const unsigned char *bytes) {
  __m128i chunk = _mm_loadu_si128((const __m128i *)bytes);
  __m128i folded = _mm_or_si128(chunk, _mm_set1_epi8(0x20));
  __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)),
                                 _mm_cmplt_epi8(folded, _mm_set1_epi8('z' + 1)));
  __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(chunk, _mm_set1_epi8('0' - 1)),
                                _mm_cmplt_epi8(chunk, _mm_set1_epi8('9' + 1)));
  __m128i apostrophe = _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\''));
  __m128i high = _mm_cmplt_epi8(chunk, _mm_setzero_si128());
  __m128i word = _mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(apostrophe, high));
  return (uint32_t)_mm_movemask_epi8(word);
}

/* The word bytes of 64 bytes at `bytes` (`available` readable, the rest counted as spaces). */
static inline uint64_t word_mask64(const unsigned char *bytes, size_t available) {
  unsigned char padded[64];
  if (available < 64) {
    memset(padded, ' ', sizeof padded);
    memcpy(padded, bytes, available);
    bytes = padded;
  }
  return (uint64_t)word_mask16(bytes) | (uint64_t)word_mask16(bytes + 16) << 16 |
         (uint64_t)word_mask16(bytes + 32) << 32 | (uint64_t)word_mask16(bytes + 48) << 48;
}

/* Writes one token, and with `probes` > 0 looks its word up that many times (in tables seeded
 * differently), keeping a result in the token so the lookups cannot be skipped. */
static inline void emit_token(tp_token *token, const unsigned char *text, size_t length,
                              size_t start, size_t end, const vocabulary *tables, int probes) {
  token->start = (uint32_t)start;
  token->length = (uint32_t)(end - start);
  token->norm = NULL;
  for (int probe = 0; probe < probes; probe++) {
    uint64_t hash = hash_bytes(text + start, end - start, length + 1 - start) + (uint64_t)probe;
    token->norm = (const char *)vocabulary_find(&tables[probe], hash | 1);
  }
}

/* Splits every text into words, emit_token() for each. Returns the number of tokens. */
static size_t split_all(const corpus *corpus, tp_token **tokens, size_t *capacity,
                        const vocabulary *tables, int probes) {
  size_t total = 0;
  for (size_t index = 0; index < corpus->count; index++) {
    const unsigned char *text = (const unsigned char *)corpus->texts[index];
    size_t length = corpus->lengths[index], count = 0;
    if (*capacity < length / 2 + 1) {
      *capacity = length / 2 + 1;
      *tokens = realloc(*tokens, *capacity * sizeof **tokens);
    }
    /* Word starts and ends are the edges of the word-byte mask, found 64 bytes at a time;
     * a word that crosses a block boundary is finished in the next block. */
    size_t start = 0;
    uint64_t previous_last = 0; /* the last bit of the previous block */
    for (size_t block = 0; block < length; block += 64) {
      uint64_t mask = word_mask64(text + block, length - block);
      uint64_t edges = mask ^ (mask << 1 | previous_last);
      previous_last = mask >> 63;
      while (edges != 0) {
        size_t at = block + (size_t)__builtin_ctzll(edges);
        edges &= edges - 1;
        if (word_byte[text[at]] && (at == 0 || !word_byte[text[at - 1]])) {
          start = at;
          continue;
        }
        emit_token(&(*tokens)[count++], text, length, start, at, tables, probes);
      }
    }
    if (previous_last) { /* a word runs to the end of the text */
      emit_token(&(*tokens)[count++], text, length, start, length, tables, probes);
    }
    total += count;
    __asm__ volatile("" : : "r"(*tokens) : "memory"); /* the tokens are "used" */
  }
  return total;
}

/* Adds the hash of every word of the corpus (probe seed `probe`) to `table`; returns how many
 * were new. */
static size_t vocabulary_add_words(vocabulary *table, const corpus *corpus, int probe) {
  size_t added = 0;
  for (size_t index = 0; index < corpus->count; index++) {
    const unsigned char *text = (const unsigned char *)corpus->texts[index];
    size_t length = corpus->lengths[index], at = 0;
    while (at < length) {
      while (at < length && !word_byte[text[at]])
        at++;
      size_t start = at;
      while (at < length && word_byte[text[at]])
        at++;
      if (at == start)
        continue;
      uint64_t hash =
          (hash_bytes(text + start, at - start, length + 1 - start) + (uint64_t)probe) | 1;
      uint64_t *slot = (uint64_t *)vocabulary_find(table, hash);
      added += *slot == 0;
      *slot = hash;
    }
  }
  return added;
}

/* A table of the corpus's distinct words, at most half full (as small as a real word cache
 * holding the whole vocabulary can be). Returns the number of distinct words. */
static size_t vocabulary_fill(vocabulary *table, const corpus *corpus, int probe) {
  table->mask = (1u << 22) - 1;
  table->slots = calloc(table->mask + 1, sizeof *table->slots);
  size_t distinct = vocabulary_add_words(table, corpus, probe);
  free(table->slots);
  size_t capacity = 1024;
  while (capacity < distinct * 2)
    capacity *= 2;
  table->mask = capacity - 1;
  table->slots = calloc(capacity, sizeof *table->slots);
  vocabulary_add_words(table, corpus, probe);
  return distinct;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: floor CORPUS.ndjson [RUNS]\n");
    return 2;
  }
  int runs = argc > 2 ? atoi(argv[2]) : 5;
  if (runs < 1 || runs > 100)
    runs = 5;
  for (int c = 0; c < 256; c++)
    word_byte[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   c == '\'' || c >= 0x80;
  corpus corpus = {0};
  if (corpus_load(&corpus, argv[1]) != 0)
    return 1;
  vocabulary tables[2];
  size_t distinct = vocabulary_fill(&tables[0], &corpus, 0);
  vocabulary_fill(&tables[1], &corpus, 1);
  tp_token *tokens = NULL;
  size_t capacity = 0, token_count = 0;
  static const char *const names[] = {"split", "split+probe", "2 probes"};
  printf("texts %zu, %.1f MB of text, %zu distinct words (table of %zu slots, %zu KiB)\n",
         corpus.count, (double)corpus.bytes / 1e6, distinct, tables[0].mask + 1,
         (tables[0].mask + 1) * sizeof(uint64_t) / 1024);
  for (int probes = 0; probes <= 2; probes++) {
    double times[100];
    for (int run = 0; run < runs; run++) {
      double start = bench_cpu_seconds();
      token_count = split_all(&corpus, &tokens, &capacity, tables, probes);
      times[run] = bench_cpu_seconds() - start;
    }
    double median = bench_median(times, (size_t)runs);
    printf("%-12s %.4f s CPU (median of %d), %zu words, %.1f ns/word\n", names[probes], median,
           runs, token_count, median * 1e9 / (double)token_count);
  }
  return 0;
}
