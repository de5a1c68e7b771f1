/* plugins/tokenize/word_cache.h - the word cache's entries and its lookup, inline for the hit
 * path of tk_normalize() (normalize.c); the rest is in word_cache.c.
 *
 * One entry is one 64-byte cache line: the key's first and last 8 bytes, its tag, the lengths
 * and flags, and "norm\0stem\0" itself when it fits 32 bytes. A hit on a key of up to 16 bytes
 * whose strings fit touches that one line and nothing else. Longer keys (compared in full) and
 * longer strings spill into the cache's arena around the entry's spill offset: the key just
 * before it when longer than 16 bytes, the strings from it when longer than 32.
 *
 * A token normalized through an entry gets the entry's word id (tk_word_id), which later stages
 * use to keep their own lookups of the word (tp_token.word_id, text.h). The id's low bits are
 * the entry's number in its fill (0, 1, 2, ... in the order the words came), not its slot: a
 * stage's table indexed by them then holds the words it keeps in as few cache lines as there
 * are words, the commonest (which come first) together, where slots spread them over the whole
 * table (see TK_WORD_CACHE_MAX_SLOTS).
 */
#ifndef TP_PLUGIN_WORD_CACHE_H
#define TP_PLUGIN_WORD_CACHE_H

#include <stdint.h>
#include <string.h>

#include "tokenizer_internal.h"

/* Tokens longer than this are not cached (URLs, runs of symbols: rarely seen twice). */
#define TK_MAX_CACHED_BYTES 64
/* Keys up to this long are compared by their first and last 8 bytes alone. */
#define TK_INLINE_KEY_BYTES 16
/* "norm\0stem\0" up to this long is kept in the entry. */
#define TK_INLINE_OUT_BYTES 32
/* The most slots a cache has (tk_word_cache_init asks no more): an entry's number, below the 3/4
 * of them a fill takes, then fits its 16 bits. */
#define TK_WORD_CACHE_MAX_SLOTS 65536
/* Bytes readable past the end of the arena and of the scratch strings, for the hit path's copy
 * of 32 bytes (then 16 at a time past them). */
#define TK_COPY_SLACK 32

struct tk_word_entry {
  uint64_t head;       /* the key's first (up to) 8 bytes, zero-padded */
  uint64_t last;       /* its last 8 bytes when it is longer than 8, else 0 */
  uint32_t tag;        /* key length | type << 8 | 16 bits of its hash << 16; 0 = empty slot */
  uint32_t spill;      /* arena offset: the key (> 16 bytes) ends here, the strings (> 32) start */
  uint16_t out_length; /* norm and NUL, plus stem and NUL unless the stem is the norm */
  uint8_t norm_length; /* < 255, so that stem_skip fits a byte */
  uint8_t stem_length;
  uint8_t stem_skip; /* where the stem starts in the strings: 0 (it is the norm) or past the norm */
  uint8_t flags;     /* the TP_TOKEN_* flags the key implies (never SPACE_BEFORE) */
  uint16_t number;   /* the entry's number in its fill: the low bits of its word id */
  _Alignas(16) char out[TK_INLINE_OUT_BYTES]; /* "norm\0stem\0" when out_length <= 32 */
};
_Static_assert(sizeof(tk_word_entry) == 64, "a word cache entry is one cache line");
_Static_assert(TK_WORD_CACHE_MAX_SLOTS / 4 * 3 <= UINT16_MAX + 1, "an entry's number fits 16 bits");

/* The mask keeping the first `n` (0-8) bytes of a little-endian 64-bit load: one AND with a
 * table entry, where a computed shift took five instructions on every token. */
static const uint64_t tk_key_byte_masks[9] = {
    0,
    0xffull,
    0xffffull,
    0xffffffull,
    0xffffffffull,
    0xffffffffffull,
    0xffffffffffffull,
    0xffffffffffffffull,
    ~0ull,
};

/* The hash of the `length` bytes (<= TK_MAX_CACHED_BYTES) at `bytes` of token type `type`, and
 * in *head their first (up to) 8 bytes, zero-padded; `readable` bytes from `bytes` may be read
 * (at least `length`). */
static inline __attribute__((always_inline)) uint64_t tk_word_hash(const unsigned char *bytes,
                                                                   size_t length, size_t readable,
                                                                   unsigned type, uint64_t *head) {
  /* no seed: xor-ing a constant in would move every key's slot and part no two keys */
  uint64_t hash = length | (uint64_t)type << 8;
  if (length - 1 < 8 && readable >= 8) { /* most tokens (1-8 bytes): one masked load, no loop */
    uint64_t word;
    memcpy(&word, bytes, 8);
    word &= tk_key_byte_masks[length];
    *head = word;
    hash = (hash ^ word) * 0x9e3779b97f4a7c15ull;
    return hash ^ (hash >> 32);
  }
  if (length - 9 < 8 && readable >= 16) { /* 9-16 bytes: the loop's two steps, unrolled */
    uint64_t first, second;
    memcpy(&first, bytes, 8);
    memcpy(&second, bytes + 8, 8);
    second &= tk_key_byte_masks[length - 8];
    *head = first;
    hash = (hash ^ first) * 0x9e3779b97f4a7c15ull;
    hash ^= hash >> 29;
    hash = (hash ^ second) * 0x9e3779b97f4a7c15ull;
    return hash ^ (hash >> 32);
  }
  for (size_t index = 0;;) {
    size_t count = length - index < 8 ? length - index : 8;
    uint64_t word = tk_load_masked(bytes + index, count, readable - index);
    if (index == 0) {
      *head = word;
    }
    hash = (hash ^ word) * 0x9e3779b97f4a7c15ull;
    index += 8;
    if (index >= length) {
      return hash ^ (hash >> 32);
    }
    hash ^= hash >> 29;
  }
}

/* The entry tag of a key: its length and type, and hash bits the slot index does not use. */
static inline uint32_t tk_word_tag(uint64_t hash, size_t length, unsigned type) {
  return (uint32_t)length | (uint32_t)type << 8 | (uint32_t)(hash >> 48) << 16;
}

/* The last 8 bytes of a key longer than 8 bytes (entry.last), 0 for a shorter one. */
static inline uint64_t tk_word_last(const unsigned char *bytes, size_t length) {
  uint64_t last = 0;
  if (length > 8) {
    memcpy(&last, bytes + length - 8, 8);
  }
  return last;
}

/* Are the `length` (> 16) bytes at `left` and `right` equal past their first 8? 8 bytes at a
 * time, the last 8 overlapping: no byte loop, no read outside either. Out of line: inlined, its
 * loop made tk_normalize()'s hit path spill three registers on every token (5 M instructions on
 * 5 MB of comments) for the few keys this long. */
static __attribute__((noinline)) int tk_key_tail_equal(const unsigned char *left,
                                                       const unsigned char *right, size_t length) {
  uint64_t a, b;
  for (size_t offset = 8; offset + 8 < length; offset += 8) {
    memcpy(&a, left + offset, 8);
    memcpy(&b, right + offset, 8);
    if (a != b) {
      return 0;
    }
  }
  memcpy(&a, left + length - 8, 8);
  memcpy(&b, right + length - 8, 8);
  return a == b;
}

/* The entry holding the key of the `length` bytes at `bytes` (hash, tag and head as above), or
 * the empty slot where it would go (tag 0). */
static inline __attribute__((always_inline)) tk_word_entry *
tk_word_cache_find(tk_word_entry *slots, size_t mask, const char *arena, uint64_t hash,
                   uint32_t tag, uint64_t head, const unsigned char *bytes, size_t length) {
  for (size_t slot = (size_t)hash & mask;; slot = (slot + 1) & mask) {
    tk_word_entry *entry = &slots[slot];
    if (entry->tag == tag && entry->head == head &&
        (length <= 8 || (entry->last == tk_word_last(bytes, length) &&
                         (length <= TK_INLINE_KEY_BYTES ||
                          tk_key_tail_equal((const unsigned char *)arena + entry->spill - length,
                                            bytes, length))))) {
      return entry;
    }
    if (entry->tag == 0) {
      return entry;
    }
  }
}

/* The word id (tp_token.word_id, text.h) of `entry`, an entry of `cache`: the cache's fill
 * number above the entry's number in the fill. An entry is written once per fill (the cache only
 * ever empties whole), so the id names one key, and so one norm, stem and flags. */
static inline uint64_t tk_word_id(const tk_word_cache *cache, const tk_word_entry *entry) {
  return cache->id_base | entry->number;
}

/* Where a hit's "norm\0stem\0" (entry->out_length bytes, readable 32 bytes and more in steps of
 * 16 up to out_length) is. */
static inline const char *tk_word_entry_out(const tk_word_entry *entry, const char *arena) {
  return entry->out_length <= TK_INLINE_OUT_BYTES ? entry->out : arena + entry->spill;
}

/* Remembers the norm, stem and flags that tk_normalize() computed for `token` (the scratch's
 * strings hold them) under its key (the token's bytes at `bytes`, their `hash` and `head`),
 * emptying the cache first when it is full (a new fill: tk_word_id). Returns the word id of the
 * new entry, or 0 when the results are too long to keep (skipped). */
uint64_t tk_word_cache_remember(tk_word_cache *cache, const tk_scratch *scratch,
                                const tp_token *token, uint64_t hash, uint64_t head,
                                const unsigned char *bytes);

#endif /* TP_PLUGIN_WORD_CACHE_H */
