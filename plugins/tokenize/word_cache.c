/* plugins/tokenize/word_cache.c - the per-worker word cache: its memory (one 64-byte-aligned
 * block of entries and a spill arena) and the insertion of what a miss computed. The lookup is
 * inline in word_cache.h; tk_normalize() (normalize.c) drives both.
 */
#include "word_cache.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The arena holds only what does not fit an entry (keys over 16 bytes, strings over 32): 8 bytes
 * a slot is 512 KB for the plugin's 65536 slots. */
#define TK_ARENA_BYTES_PER_SLOT 8

/* A table of at least this many bytes (the plugin's is 4 MB) starts on a boundary of this size
 * and asks the kernel for transparent huge pages: on 4 KB pages its 1024 pages cost 1024 page
 * faults when it is first zeroed (2 ms a worker) and, probed at random, more TLB entries than
 * the CPU holds. The 2 MB of alignment slack are address space only: pages never touched are
 * never backed. Smaller tables (the tests') only need their entries on cache lines. */
#define TK_HUGE_PAGE_BYTES ((size_t)2 << 20)

/* Fills of word caches numbered so far, in the whole process: each fill of each cache (from its
 * init or from its emptying) takes the next number, so that the word ids it hands out
 * (tp_token.word_id, text.h: the fill's number above the entry's number) are never handed out by
 * another fill, another cache or another worker. 2^32 fills of 3/4 of a 64-slot cache would be
 * 2^37 distinct words before a number came round again. */
static _Atomic uint64_t tk_word_cache_fills;

/* Starts a new fill of `cache`: ids from here on are not those of anything it held before. */
static void tk_word_cache_new_fill(tk_word_cache *cache) {
  cache->id_base = (atomic_fetch_add_explicit(&tk_word_cache_fills, 1, memory_order_relaxed) + 1)
                   << 32;
}

int tk_word_cache_init(tk_word_cache *cache, size_t capacity, const tk_memory *memory) {
  memset(cache, 0, sizeof *cache);
  cache->memory = memory;
  size_t slots = 64;
  while (slots < capacity && slots < TK_WORD_CACHE_MAX_SLOTS) {
    slots *= 2;
  }
  size_t slots_bytes = slots * sizeof(tk_word_entry);
  size_t alignment = slots_bytes >= TK_HUGE_PAGE_BYTES ? TK_HUGE_PAGE_BYTES : sizeof(tk_word_entry);
  cache->slots_block = tk_alloc(memory, slots_bytes + alignment - 1);
  cache->arena_capacity = slots * TK_ARENA_BYTES_PER_SLOT;
  cache->arena = tk_alloc(memory, cache->arena_capacity + TK_COPY_SLACK);
  if (!cache->slots_block || !cache->arena) {
    tk_word_cache_release(cache);
    return -1;
  }
  uintptr_t aligned = ((uintptr_t)cache->slots_block + alignment - 1) & ~(uintptr_t)(alignment - 1);
  cache->slots = (tk_word_entry *)aligned;
#ifdef MADV_HUGEPAGE
  if (alignment == TK_HUGE_PAGE_BYTES) {
    (void)madvise(cache->slots, slots_bytes, MADV_HUGEPAGE); /* only a hint: no harm if refused */
  }
#endif
  memset(cache->slots, 0, slots_bytes);
  memset(cache->arena, 0, cache->arena_capacity + TK_COPY_SLACK);
  cache->capacity = slots;
  tk_word_cache_new_fill(cache);
  return 0;
}

void tk_word_cache_release(tk_word_cache *cache) {
  tk_free(cache->memory, cache->slots_block);
  tk_free(cache->memory, cache->arena);
  const tk_memory *memory = cache->memory;
  memset(cache, 0, sizeof *cache);
  cache->memory = memory;
}

uint64_t tk_word_cache_remember(tk_word_cache *cache, const tk_scratch *scratch,
                                const tp_token *token, uint64_t hash, uint64_t head,
                                const unsigned char *bytes) {
  size_t key_length = token->length;
  size_t norm_length = token->norm_length, stem_length = token->stem_length;
  if (key_length > TK_MAX_CACHED_BYTES || norm_length >= UINT8_MAX || stem_length > UINT8_MAX) {
    return 0;
  }
  int same = token->stem == token->norm;
  size_t out_length = norm_length + 1 + (same ? 0 : stem_length + 1);
  size_t key_spill = key_length > TK_INLINE_KEY_BYTES ? key_length : 0;
  size_t out_spill = out_length > TK_INLINE_OUT_BYTES ? out_length : 0;
  if (cache->count * 4 >= cache->capacity * 3 ||
      cache->arena_length + key_spill + out_spill > cache->arena_capacity) {
    memset(cache->slots, 0, cache->capacity * sizeof *cache->slots);
    cache->count = 0;
    cache->arena_length = 0;
    tk_word_cache_new_fill(cache);
  }
  uint32_t tag = tk_word_tag(hash, key_length, token->type);
  tk_word_entry *entry = tk_word_cache_find(cache->slots, cache->capacity - 1, cache->arena, hash,
                                            tag, head, bytes, key_length);
  char *spill = cache->arena + cache->arena_length;
  memcpy(spill, bytes, key_spill);
  char *out = out_spill ? spill + key_spill : entry->out;
  memcpy(out, tk_scratch_norm(scratch, token), norm_length + 1);
  if (!same) {
    memcpy(out + norm_length + 1, tk_scratch_stem(scratch, token), stem_length + 1);
  }
  entry->head = head;
  entry->last = tk_word_last(bytes, key_length);
  entry->tag = tag;
  entry->spill = (uint32_t)(cache->arena_length + key_spill);
  entry->out_length = (uint16_t)out_length;
  entry->norm_length = (uint8_t)norm_length;
  entry->stem_length = (uint8_t)stem_length;
  entry->stem_skip = (uint8_t)(same ? 0 : norm_length + 1);
  entry->flags = (uint8_t)(token->flags & (TP_TOKEN_STOPWORD | TP_TOKEN_ALL_CAPS |
                                           TP_TOKEN_CAPITALIZED | TP_TOKEN_ELONGATED));
  entry->number = (uint16_t)cache->count; /* below 3/4 of the slots (the test above) */
  cache->arena_length += key_spill + out_spill;
  cache->count++;
  return tk_word_id(cache, entry);
}
