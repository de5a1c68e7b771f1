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
