/* plugins/theme/common.h - what every module of the theme plugin shares: the allocator (the
 * host's, once create() has set it; malloc before, e.g. in unit tests), 32-bit string hashing,
 * a small deterministic random generator, and growable arrays.
 *
 * The plugin is several .c files linked into one theme.so; every function here and in the
 * other module headers has hidden visibility (the project builds with -fvisibility=hidden),
 * so tp_plugin_entry stays the only exported symbol.
 */
#ifndef THEME_COMMON_H
#define THEME_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The allocator every module uses. th_memory_use() is called by create() with the host's
 * functions; all three must be given. Not thread-safe: call it before any worker runs. */
typedef struct th_memory {
  void *(*alloc)(size_t size);
  void *(*realloc)(void *ptr, size_t size);
  void (*free)(void *ptr);
} th_memory;

extern th_memory th_mem;

/* Makes the plugin allocate with these (no return value; nothing is freed). */
void th_memory_use(void *(*alloc)(size_t), void *(*realloc_fn)(void *, size_t),
                   void (*free_fn)(void *));

static inline void *th_alloc(size_t size) {
  return th_mem.alloc(size ? size : 1);
}
static inline void *th_realloc(void *ptr, size_t size) {
  return th_mem.realloc(ptr, size ? size : 1);
}
static inline void th_free(void *ptr) {
  if (ptr)
    th_mem.free(ptr);
}

/* Zeroed memory for `count` items of `size` bytes, or NULL on OOM / overflow. */
void *th_calloc(size_t count, size_t size);

/* A copy of `length` bytes of `text` plus a NUL; NULL on OOM. Free with th_free. */
char *th_strndup(const char *text, size_t length);

/* An item with a weight, for picking the heaviest few (ties: the lower index first). */
typedef struct th_ranked {
  uint32_t index;
  float weight;
} th_ranked;

/* Reorders items so that the `top` heaviest come first (in no particular order), in linear
 * expected time (quickselect with a deterministic pivot choice). */
void th_select_top(th_ranked *items, size_t count, size_t top);

/* Sorts items heaviest first, ties by the lower index (th_select_top's order), stably, with
 * `scratch` room for `count` items (a merge sort whose comparison is inlined: for the short
 * lists sorted once per row, where qsort's call per comparison cost more than the work). */
void th_ranked_sort(th_ranked *items, size_t count, th_ranked *scratch);

/* An item to sort by a 64-bit key: `index` says where it came from. */
typedef struct th_keyed {
  uint64_t key;
  uint64_t index;
} th_keyed;

/* Sorts items by key, ascending, stably (equal keys keep their order), with `scratch` room for
 * `count` items: a radix sort by bytes, skipping the bytes every key shares. */
void th_keyed_sort(th_keyed *items, size_t count, th_keyed *scratch);

/* Grows *items (of `item_size` bytes, *capacity of them) to hold at least `needed`.
 * Returns 0, or -1 on OOM (the array is left as it was). */
int th_grow(void **items, size_t *capacity, size_t needed, size_t item_size);

/* Loops over contiguous float lanes (sums[j] += value * column[j]) vectorize 4 floats wide for
 * baseline x86-64; on a CPU with AVX2 the same loops run 8 wide: target_clones builds both and
 * picks one at load time. The arithmetic is the same (each lane is still one multiply then one
 * add, in the same order; AVX2 does not bring FMA, so nothing is contracted), so results are
 * bit-identical on every CPU. Only for functions with external linkage. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TH_WIDE_LANES __attribute__((target_clones("avx2", "default")))
#else
#define TH_WIDE_LANES
#endif

/* FNV-1a over `length` bytes, continuing from `hash` (start with TH_HASH_START). */
#define TH_HASH_START 2166136261u
static inline uint32_t th_hash_bytes(uint32_t hash, const void *data, size_t length) {
  const unsigned char *bytes = data;
#pragma GCC unroll 4 /* words are short: less loop overhead per byte, the same steps */
  for (size_t i = 0; i < length; i++) {
    hash ^= bytes[i];
    hash *= 16777619u;
  }
  return hash;
}

/* A final avalanche so that nearby FNV values spread over all bits. */
static inline uint32_t th_hash_mix(uint32_t hash) {
  hash ^= hash >> 16;
  hash *= 0x7feb352du;
  hash ^= hash >> 15;
  hash *= 0x846ca68bu;
  hash ^= hash >> 16;
  return hash;
}

/* A word's shape: its length and its first, second and last bytes, packed into 32 bits (the
 * empty word packs to 0). Words of different shapes differ, so a bit set per shape of a word
 * list proves, when clear, that a word is not in it, for much less than hashing the word. */
static inline uint32_t th_word_packed(const char *text, size_t length) {
  if (length == 0)
    return 0;
  const unsigned char *bytes = (const unsigned char *)text;
  return (uint32_t)(length & 0xff) | (uint32_t)bytes[0] << 8 | (uint32_t)bytes[length > 1] << 16 |
         (uint32_t)bytes[length - 1] << 24;
}

/* A packed shape spread over 32 bits, so that its low bits pick a filter bit: the high half of
 * a 64-bit product (a multiply and a shift; a filter needs no better mix). */
static inline uint32_t th_shape_mix(uint32_t packed) {
  return (uint32_t)(((uint64_t)packed * 0x9e3779b97f4a7c15ull) >> 32);
}

static inline uint32_t th_word_shape(const char *text, size_t length) {
  return th_shape_mix(th_word_packed(text, length));
}

/* th_hash_mix(th_hash_bytes(TH_HASH_START, ...)) of a token's norm and of its stem, in one pass
 * over the norm when the stem is a prefix of it ("tax" of "taxes"): FNV-1a reads bytes in
 * order, so the stem's hash is the norm's state after the stem's bytes. */
static inline void th_hash_norm_stem(const char *norm, size_t norm_length, const char *stem,
                                     size_t stem_length, uint32_t *norm_hash, uint32_t *stem_hash) {
  if (stem_length <= norm_length && (stem == norm || memcmp(stem, norm, stem_length) == 0)) {
    uint32_t prefix = th_hash_bytes(TH_HASH_START, norm, stem_length);
    *stem_hash = th_hash_mix(prefix);
    *norm_hash = th_hash_mix(th_hash_bytes(prefix, norm + stem_length, norm_length - stem_length));
    return;
  }
  *norm_hash = th_hash_mix(th_hash_bytes(TH_HASH_START, norm, norm_length));
  *stem_hash = th_hash_mix(th_hash_bytes(TH_HASH_START, stem, stem_length));
}

/* A table slot for an already mixed 32-bit hash (terms are): folds the high bits in, so
 * that the low bit (the bigram flag of term hashes) does not skew small tables. */
static inline uint32_t th_hash_slot(uint32_t hash) {
  return (hash >> 1) ^ (hash >> 17);
}

/* splitmix64: a deterministic generator for seeded choices (k-means++ seeding, sampling).
 * Each draw adds TH_RANDOM_STEP to the state, so the state `draws` draws later is known
 * without drawing them (th_random_skip). */
#define TH_RANDOM_STEP 0x9e3779b97f4a7c15ull
static inline uint64_t th_random_next(uint64_t *state) {
  uint64_t z = (*state += TH_RANDOM_STEP);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* The state after `draws` more draws from `state`. */
static inline uint64_t th_random_skip(uint64_t state, uint64_t draws) {
  return state + draws * TH_RANDOM_STEP;
}

/* A uniform double in [0, 1). */
static inline double th_random_unit(uint64_t *state) {
  return (double)(th_random_next(state) >> 11) * (1.0 / 9007199254740992.0);
}

#endif /* THEME_COMMON_H */
