/* plugins/theme/taxonomy_index.h - the loaded theme file as taxonomy.c builds it and
 * taxonomy_match.c reads it: terms with their normalized and stemmed words, the hash index of
 * their first words, and the filters in front of it. Private to those two files. */
#ifndef THEME_TAXONOMY_INDEX_H
#define THEME_TAXONOMY_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "taxonomy.h"

#define TH_TERM_WORDS 8
#define TAX_LONE_BITS 16384 /* the lone-word filter's bits (2 KiB) */
#define TAX_PAIR_BITS 4096  /* the pair filter's (512 bytes) */

typedef struct tax_word {
  char *norm;
  char *stem;
  uint32_t norm_length, stem_length;
} tax_word;

typedef struct tax_term {
  uint32_t theme;
  float weight;
  int exclude;
  uint32_t word_count;
  tax_word words[TH_TERM_WORDS];
  char *text; /* as written */
} tax_term;

typedef struct tax_entry {
  uint32_t hash;
  uint32_t term;
} tax_entry;

/* A slot of the hash index in front of `entries`: a first word's hash and where its entries
 * start (they run on while the hash is the same); `first` is TAX_SLOT_EMPTY in an empty slot. */
typedef struct tax_slot {
  uint32_t hash;
  uint32_t first;
} tax_slot;
#define TAX_SLOT_EMPTY UINT32_MAX

struct th_taxonomy {
  char **names;
  float *theme_weights;
  size_t theme_count;
  tax_term *terms;
  size_t term_count, term_capacity;
  tax_entry *entries; /* sorted by hash, then term */
  size_t entry_count;
  /* the distinct hashes of `entries`, open addressing from slot (hash & slot_mask), at most a
   * quarter full: a hash no term starts with mostly finds its first slot empty */
  tax_slot *slots;
  uint32_t slot_mask;
  /* a bit per th_word_shape of the first words' norms and stems: a token whose norm and stem
   * both have a clear bit can start no term, and is passed over unhashed */
  uint64_t shapes[TH_TAX_SHAPE_BITS / 64];
  /* Behind that filter, which a word passes when it has the shape of any term's first word
   * ("the" of "the state", "in" of "in charge": common words), two finer ones that the matcher
   * asks before it hashes the word (tax_may_match_at): a bit per shape of the one-word terms'
   * norms and stems, and a bit per pair of shapes of the longer terms' first and second words
   * (norm or stem of each). A word with neither its own bit nor a bit for it and the word after
   * it starts no term. */
  uint64_t lone_shapes[TAX_LONE_BITS / 64];
  uint64_t pair_shapes[TAX_PAIR_BITS / 64];
};

/* The bit of a packed shape in the lone-word filter, and of a pair of packed shapes (a term's
 * first word's, its second word's) in the pair filter. */
static inline uint32_t tax_lone_bit(uint32_t packed) {
  return th_shape_mix(packed) & (TAX_LONE_BITS - 1);
}
static inline uint32_t tax_pair_bit(uint32_t first, uint32_t second) {
  return (uint32_t)((((uint64_t)first << 32) | second) * 0x9e3779b97f4a7c15ull >> 52) &
         (TAX_PAIR_BITS - 1);
}
static inline void tax_bit_set(uint64_t *bits, uint32_t bit) {
  bits[bit / 64] |= 1ull << (bit % 64);
}

static inline void tax_shape_set(th_taxonomy *taxonomy, const char *text, size_t length) {
  tax_bit_set(taxonomy->shapes, th_word_shape(text, length) & (TH_TAX_SHAPE_BITS - 1));
}

#endif /* THEME_TAXONOMY_INDEX_H */
