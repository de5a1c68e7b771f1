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

/* The alignment and size of glibc's heaps for arenas other than the main one (HEAP_MAX_SIZE:
 * twice the largest mmap threshold on 64-bit systems). */
#define THREAD_HEAP ((uintptr_t)64 << 20)

/* Where the main heap started when tp_huge_pages_main() marked it; 0 when it marked nothing. */
static uintptr_t main_heap_start;

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
  if (after > start + HUGE_PAGE && /* else the blocks did not come from the brk heap */
      madvise((void *)start, after - start, MADV_HUGEPAGE) == 0)
    main_heap_start = before;
}

void tp_huge_pages_thread(void) {
  if (main_heap_start == 0)
    return;
  void *block = malloc(TP_HUGE_PAGES_THREAD_RESERVE);
  keep(block);
  if (block == NULL)
    return;
  uintptr_t at = (uintptr_t)block, heap = at & ~(THREAD_HEAP - 1);
  free(block);
  /* the main heap's, or a block some way into a heap another thread has used */
  if ((at >= main_heap_start && at < (uintptr_t)sbrk(0)) || at - heap > HUGE_PAGE)
    return;
  /* the whole reservation: glibc makes the part past the arena's end readable as it grows, and
   * that part keeps the mark */
  madvise((void *)heap, THREAD_HEAP, MADV_HUGEPAGE);
}

#else

void tp_huge_pages_main(void) {}
void tp_huge_pages_thread(void) {}

#endif
