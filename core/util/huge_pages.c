/* core/util/huge_pages.c - marks the main malloc heap for transparent huge pages (see
 * huge_pages.h for why and what; TP_HUGE_PAGES_MARKS for where). */
#include "huge_pages.h"

#if TP_HUGE_PAGES_MARKS
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Keeps the compiler from dropping a malloc/free pair whose block is never used. */
static void keep(void *block) {
  __asm__ volatile("" : : "r"(block) : "memory");
}

void tp_huge_pages_main(void) {
  const char *setting = getenv("TEXTPIPE_HUGE_PAGES");
  if (setting && strcmp(setting, "0") == 0)
    return;
  /* mallopt() returns 1 on success; setting a threshold also stops glibc adapting it. */
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1 || mallopt(M_TRIM_THRESHOLD, 1 << 30) != 1)
    return;
  uintptr_t before = (uintptr_t)sbrk(0);
  void *first = malloc(TP_HUGE_PAGES_MAIN_RESERVE / 2);
  void *second = malloc(TP_HUGE_PAGES_MAIN_RESERVE / 2);
  keep(first);
  keep(second);
  uintptr_t after = (uintptr_t)sbrk(0);
  free(second);
  free(first);
  if (before == (uintptr_t)-1 || after == (uintptr_t)-1)
    return;
  uintptr_t start = (before + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  if (after > start + HUGE_PAGE) /* else the blocks did not come from the brk heap */
    madvise((void *)start, after - start, MADV_HUGEPAGE);
}

#else

void tp_huge_pages_main(void) {}

#endif
