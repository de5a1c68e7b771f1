/* core/util/cache_lines.h - zeroed memory on whole cache lines, for what one worker writes on
 * every record (its records, its stage counters): two workers' blocks then never share a line,
 * so neither slows the other by invalidating it (false sharing). */
#ifndef TP_CORE_CACHE_LINES_H
#define TP_CORE_CACHE_LINES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TP_CACHE_LINE 64

/* `count` zeroed elements of `size` bytes starting on a cache line, rounded up to whole lines.
 * Free with free(). NULL on OOM or overflow. */
static inline void *tp_calloc_cache_lines(size_t count, size_t size) {
  if (size != 0 && count > (SIZE_MAX - TP_CACHE_LINE) / size)
    return NULL;
  size_t bytes = (count * size + TP_CACHE_LINE - 1) / TP_CACHE_LINE * TP_CACHE_LINE;
  void *block = aligned_alloc(TP_CACHE_LINE, bytes > 0 ? bytes : TP_CACHE_LINE);
  if (block != NULL)
    memset(block, 0, bytes > 0 ? bytes : TP_CACHE_LINE);
  return block;
}

#endif /* TP_CORE_CACHE_LINES_H */
