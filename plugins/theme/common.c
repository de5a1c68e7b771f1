/* plugins/theme/common.c - the shared allocator and small helpers of the theme plugin. */
#include "common.h"

#include <stdlib.h>
#include <string.h>

th_memory th_mem = {malloc, realloc, free};

void th_memory_use(void *(*alloc)(size_t), void *(*realloc_fn)(void *, size_t),
                   void (*free_fn)(void *)) {
  th_mem.alloc = alloc;
  th_mem.realloc = realloc_fn;
  th_mem.free = free_fn;
}

void *th_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    return NULL;
  void *memory = th_alloc(count * size);
  if (memory)
    memset(memory, 0, count * size > 0 ? count * size : 1);
  return memory;
}

char *th_strndup(const char *text, size_t length) {
  char *copy = th_alloc(length + 1);
  if (!copy)
    return NULL;
  memcpy(copy, text, length);
  copy[length] = '\0';
  return copy;
}

int th_grow(void **items, size_t *capacity, size_t needed, size_t item_size) {
  if (needed <= *capacity)
    return 0;
  size_t next = *capacity ? *capacity : 8;
  while (next < needed)
    next *= 2;
  if (next > SIZE_MAX / item_size)
    return -1;
  void *grown = th_realloc(*items, next * item_size);
  if (!grown)
    return -1;
  *items = grown;
  *capacity = next;
  return 0;
}

/* 1 when a ranks before b: heavier, or as heavy with a lower index. Bitwise, without a branch:
 * th_select_top's partition uses it on every item, where whether an item goes first is a coin
 * toss the CPU mispredicts (a NaN ranks before nothing, as in `a != b ? a > b : ...`). */
static inline unsigned ranks_before(const th_ranked *a, const th_ranked *b) {
  return (unsigned)(a->weight > b->weight) |
         ((unsigned)(a->weight == b->weight) & (unsigned)(a->index < b->index));
}

void th_select_top(th_ranked *items, size_t count, size_t top) {
  size_t low = 0, high = count; /* the boundary `top` lies in [low, high) */
  if (top == 0 || top >= count)
    return;
  while (high - low > 1) {
    /* median of three as pivot, moved to the end */
    size_t middle = low + (high - low) / 2, last = high - 1;
    th_ranked *a = &items[low], *b = &items[middle], *c = &items[last];
    th_ranked *pivot_item = ranks_before(a, b)
                                ? (ranks_before(b, c) ? b : (ranks_before(a, c) ? c : a))
                                : (ranks_before(a, c) ? a : (ranks_before(b, c) ? c : b));
    th_ranked swap = *pivot_item;
    *pivot_item = items[last];
    items[last] = swap;
    th_ranked pivot = items[last];
    size_t store = low;
    /* The partition does not branch on whether an item goes before the pivot: ranks_before
     * is bitwise, and both slots are written with a masked blend of the two items, the same
     * exchange as `if (before) swap`, so the same order results. */
    for (size_t i = low; i < last; i++) {
      th_ranked item = items[i], held = items[store];
      unsigned before = ranks_before(&item, &pivot);
      uint64_t bits_item, bits_held, mask = 0 - (uint64_t)before;
      memcpy(&bits_item, &item, sizeof bits_item);
      memcpy(&bits_held, &held, sizeof bits_held);
      uint64_t differ = (bits_item ^ bits_held) & mask;
      bits_held ^= differ; /* the item when it goes before, else the held one */
      bits_item ^= differ;
      memcpy(&items[store], &bits_held, sizeof bits_held);
      memcpy(&items[i], &bits_item, sizeof bits_item);
      store += before;
    }
    items[last] = items[store];
    items[store] = pivot;
    if (store == top || store + 1 == top)
      return;
    if (store > top)
      high = store;
    else
      low = store + 1;
  }
}

void th_ranked_sort(th_ranked *items, size_t count, th_ranked *scratch) {
  enum { RUN = 8 }; /* runs of RUN sorted by insertion, then merged pairwise */
  for (size_t start = 0; start < count; start += RUN) {
    size_t end = count - start < RUN ? count : start + RUN;
    for (size_t i = start + 1; i < end; i++) {
      th_ranked item = items[i];
      size_t at = i;
      while (at > start && ranks_before(&item, &items[at - 1])) {
        items[at] = items[at - 1];
        at--;
      }
      items[at] = item;
    }
  }
  th_ranked *from = items, *to = scratch;
  for (size_t width = RUN; width < count; width *= 2) {
    for (size_t left = 0; left < count; left += 2 * width) {
      size_t middle = count - left < width ? count : left + width;
      size_t right = count - middle < width ? count : middle + width;
      size_t i = left, j = middle, out = left;
      while (i < middle && j < right) /* the left one on ties: stable */
        to[out++] = ranks_before(&from[j], &from[i]) ? from[j++] : from[i++];
      while (i < middle)
        to[out++] = from[i++];
      while (j < right)
        to[out++] = from[j++];
    }
    th_ranked *swap = from;
    from = to;
    to = swap;
  }
  if (from != items)
    memcpy(items, from, count * sizeof(th_ranked));
}

void th_keyed_sort(th_keyed *items, size_t count, th_keyed *scratch) {
  th_keyed *from = items, *to = scratch;
  for (unsigned shift = 0; shift < 64; shift += 8) {
    size_t start[257] = {0};
    for (size_t i = 0; i < count; i++)
      start[((from[i].key >> shift) & 0xff) + 1]++;
    int shared = 0; /* every key has the same byte here: this pass would move nothing */
    for (unsigned byte = 1; byte <= 256; byte++)
      shared |= start[byte] == count;
    if (shared)
      continue;
    for (unsigned byte = 1; byte <= 256; byte++)
      start[byte] += start[byte - 1];
    for (size_t i = 0; i < count; i++)
      to[start[(from[i].key >> shift) & 0xff]++] = from[i];
    th_keyed *swap = from;
    from = to;
    to = swap;
  }
  if (from != items)
    memcpy(items, from, count * sizeof(th_keyed));
}
