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

/* Nonzero when a ranks before b: heavier, or as heavy with a lower index. */
static int ranks_before(const th_ranked *a, const th_ranked *b) {
  if (a->weight != b->weight)
    return a->weight > b->weight;
  return a->index < b->index;
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
    for (size_t i = low; i < last; i++) {
      if (ranks_before(&items[i], &pivot)) {
        swap = items[i];
        items[i] = items[store];
        items[store] = swap;
        store++;
      }
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
