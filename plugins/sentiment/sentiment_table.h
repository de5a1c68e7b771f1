/* sentiment_table.h - the term table's layout, hash and probe, shared by the files that build
 * it (sentiment_lexicon.c) and look tokens up in it (sentiment_lookup.c). Internal to the
 * sentiment plugin; everything else uses sentiment_lexicon.h.
 *
 * Layout: entries live in one growing array and their key bytes in one growing arena (offsets,
 * not pointers, so both can be reallocated while loading); the hash index is an array of
 * entry numbers (+1, 0 = empty slot) beside a 12-bit tag of their hashes, with linear probing,
 * kept at most half full: a probe reads one slot and compares keys only on a tag match. A bit
 * filter in front rejects most words that are not in the table before any slot is read.
 *
 * The hash of a key of at most 16 bytes (nearly every word) is one 64 x 64 -> 128-bit multiply
 * of its bytes, read in two or four loads, folded to 64 bits; the entry keeps those packed bytes,
 * so a probe compares two integers without reading the key again. Longer keys (phrases) are
 * mixed 8 bytes at a time. The lookup is inlined into its callers' loops.
 */
#ifndef TP_SENTIMENT_TABLE_H
#define TP_SENTIMENT_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sentiment_lexicon.h"

#define SX_FILTER_WORDS 1024             /* 8 KB of filter per table: it stays in the L1 cache */
#define SX_MAX_ENTRIES  ((1u << 20) - 1) /* entry numbers fit the low 20 bits of a slot */

typedef struct sx_entry {
  uint64_t packed[2]; /* a key of up to 16 bytes as sx_table_pack reads it; 0 for longer keys */
  uint32_t key_offset;
  uint16_t key_length;
  uint16_t tag;  /* bits 52..63 of the key's hash, as in its slot */
  uint32_t hash; /* bits 0..31 of the key's hash: the home slot */
  sx_term term;
} sx_entry;

typedef struct sx_table {
  sx_entry *entries;
  size_t entry_count, entry_capacity;
  char *keys;
  size_t key_bytes, key_capacity;
  uint32_t *slots; /* tag << 20 | (entry index + 1); 0 = empty. 4 bytes keep the slots of a
                      12,000-term table in 128 KB */
  /* Most words are not in the table, and these 8 KB say so before any slot is read: each key
   * sets two bits of one 64-bit word (sx_table_filter), about 6% false hits for 9,400 keys. A
   * larger filter misses the L1 cache on most words (32 KB did on two thirds of them). */
  uint64_t filter[SX_FILTER_WORDS];
  size_t slot_capacity; /* a power of two */
} sx_table;

struct sx_lexicon {
  sx_allocator allocator;
  sx_table words;
  sx_table stems;
};

/* Reads 0..16 bytes into two integers, one to one for a given length: overlapping loads
 * cover every byte (bytes 0, n/2 and n-1 when n < 4). */
static inline __attribute__((always_inline)) void sx_table_pack(const char *key, size_t length,
                                                                uint64_t packed[2]) {
  uint64_t low = 0, high = 0;
  if (length >= 8) {
    memcpy(&low, key, 8);
    memcpy(&high, key + length - 8, 8);
  } else if (length >= 4) {
    uint32_t first, last;
    memcpy(&first, key, 4);
    memcpy(&last, key + length - 4, 4);
    low = (uint64_t)first << 32 | last;
  } else if (length > 0) {
    const unsigned char *bytes = (const unsigned char *)key;
    low = (uint64_t)bytes[0] << 16 | (uint64_t)bytes[length >> 1] << 8 | bytes[length - 1];
  }
  packed[0] = low;
  packed[1] = high;
}

static inline uint64_t sx_table_mix(uint64_t hash) {
  hash ^= hash >> 32;
  hash *= 0xff51afd7ed558ccdull;
  return hash ^ (hash >> 29);
}

/* The hash of a key of 17 bytes or more (phrases, rare long words). */
static inline uint64_t sx_table_hash_long(const char *key, size_t length) {
  uint64_t hash = 0x9e3779b97f4a7c15ull ^ length;
  size_t rest = length;
  for (; rest > 8; key += 8, rest -= 8) {
    uint64_t word;
    memcpy(&word, key, 8);
    hash = sx_table_mix((hash ^ word) * 0xc4ceb9fe1a85ec53ull);
  }
  uint64_t packed[2];
  sx_table_pack(key, rest, packed);
  return sx_table_mix((hash ^ packed[0]) * 0xc4ceb9fe1a85ec53ull);
}

/* The hash of a key of at most 16 bytes from its packed bytes (sx_table_pack): their product,
 * both halves of it, every bit of the result depending on every bit of the key. */
static inline __attribute__((always_inline)) uint64_t sx_table_hash_packed(const uint64_t packed[2],
                                                                           size_t length) {
  unsigned __int128 product = (unsigned __int128)(packed[0] ^ 0x9e3779b97f4a7c15ull) *
                              (packed[1] ^ (0xc4ceb9fe1a85ec53ull + length));
  return (uint64_t)product ^ (uint64_t)(product >> 64);
}

/* The hash of `key`, filling `packed` (sx_table_pack; zeros for a key of more than 16 bytes). */
static inline __attribute__((always_inline)) uint64_t sx_table_hash(const char *key, size_t length,
                                                                    uint64_t packed[2]) {
  if (__builtin_expect(length > 16, 0)) {
    packed[0] = packed[1] = 0; /* unused: long keys are compared byte by byte */
    return sx_table_hash_long(key, length);
  }
  sx_table_pack(key, length, packed);
  return sx_table_hash_packed(packed, length);
}

/* The filter word of a hash and the two bits its key sets there. */
static inline uint64_t sx_table_filter(uint64_t hash, size_t *word) {
  *word = (size_t)(hash >> 32) & (SX_FILTER_WORDS - 1);
  return 1ull << ((hash >> 42) & 63) | 1ull << ((hash >> 26) & 63);
}

/* Returns the entry for `key` (`length` bytes, `hash` from sx_table_hash with its `packed`
 * bytes), or NULL. */
static inline __attribute__((always_inline)) const sx_entry *
sx_table_find(const sx_table *table, const char *key, size_t length, uint64_t hash,
              const uint64_t packed[2]) {
  size_t word;
  uint64_t bits = sx_table_filter(hash, &word);
  /* An empty table (no slots yet) has an all-zero filter, which rejects every key. */
  if ((table->filter[word] & bits) != bits) {
    return NULL;
  }
  uint32_t tag = (uint32_t)(hash >> 52);
  size_t mask = table->slot_capacity - 1;
  for (size_t slot = (uint32_t)hash & mask;; slot = (slot + 1) & mask) {
    uint32_t value = table->slots[slot];
    if (value == 0) {
      return NULL;
    }
    if (value >> 20 != tag) {
      continue; /* decided from the slot alone, without touching the entry */
    }
    const sx_entry *entry = &table->entries[(value & SX_MAX_ENTRIES) - 1];
    if (entry->key_length != length) {
      continue;
    }
    if (length <= 16) {
      if (entry->packed[0] == packed[0] && entry->packed[1] == packed[1]) {
        return entry;
      }
    } else if (entry->hash == (uint32_t)hash &&
               memcmp(table->keys + entry->key_offset, key, length) == 0) {
      return entry;
    }
  }
}

/* Looks `key` up in `table`: the entry or NULL. */
static inline __attribute__((always_inline)) const sx_entry *
sx_table_lookup(const sx_table *table, const char *key, size_t length) {
  uint64_t packed[2];
  uint64_t hash = sx_table_hash(key, length, packed);
  return sx_table_find(table, key, length, hash, packed);
}

#endif /* TP_SENTIMENT_TABLE_H */
