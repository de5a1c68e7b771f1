/* tests/unit/test_huge_pages.c - core/util/huge_pages.c: after tp_huge_pages_main() the main
 * heap's blocks (up to 32 MiB) lie in a range marked for transparent huge pages (VmFlags "hg"
 * in /proc/self/smaps), after tp_huge_pages_thread() a thread's arena too, and
 * TEXTPIPE_HUGE_PAGES=0 leaves malloc as it was. Each test runs in
 * its own forked process (Check's default), so each starts from malloc's defaults.
 *
 * Where tp_huge_pages_main() marks nothing (TP_HUGE_PAGES_MARKS 0: a sanitizer's allocator) and
 * on machines without transparent huge pages the tests check only that memory still works. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "huge_pages.h"

/* 1 when the kernel gives huge pages to marked memory ("always" or "madvise" selected). */
static int huge_pages_available(void) {
  FILE *file = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (file == NULL)
    return 0;
  char line[128] = "";
  int available = fgets(line, sizeof line, file) != NULL &&
                  (strstr(line, "[always]") != NULL || strstr(line, "[madvise]") != NULL);
  fclose(file);
  return available;
}

/* The VmFlags line of the mapping that holds `address` (as /proc/self/smaps gives it), into
 * `flags`; 0, or -1 when no mapping holds it. */
static int mapping_flags(const void *address, char *flags, size_t size) {
  FILE *file = fopen("/proc/self/smaps", "r");
  ck_assert_ptr_nonnull(file);
  char line[512];
  int inside = 0, found = -1;
  while (fgets(line, sizeof line, file) != NULL) {
    unsigned long long start, end;
    if (sscanf(line, "%llx-%llx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
      inside = (uintptr_t)address >= start && (uintptr_t)address < end;
      continue;
    }
    if (inside && strncmp(line, "VmFlags:", 8) == 0) {
      snprintf(flags, size, "%s", line + 8);
      found = 0;
      break;
    }
  }
  fclose(file);
  return found;
}

static int marked(const void *address) {
  char flags[512]; /* as long as a line of smaps read */
  ck_assert_int_eq(mapping_flags(address, flags, sizeof flags), 0);
  return strstr(flags, " hg") != NULL;
}

/* Blocks of `size` bytes, written whole and read back: the memory works whatever its pages. */
static void check_blocks(size_t size, size_t count) {
  unsigned char **blocks = malloc(count * sizeof *blocks);
  ck_assert_ptr_nonnull(blocks);
  for (size_t b = 0; b < count; b++) {
    blocks[b] = malloc(size);
    ck_assert_ptr_nonnull(blocks[b]);
    memset(blocks[b], (int)(b + 1), size);
  }
  for (size_t b = 0; b < count; b++) {
    ck_assert_int_eq(blocks[b][0], (int)(b + 1) & 0xff);
    ck_assert_int_eq(blocks[b][size - 1], (int)(b + 1) & 0xff);
    free(blocks[b]);
  }
  free(blocks);
}

START_TEST(large_blocks_come_from_the_marked_heap) {
  unsetenv("TEXTPIPE_HUGE_PAGES");
  tp_huge_pages_main();
  check_blocks((size_t)3 << 20, 8); /* 24 MiB in all: within the reserve */
  if (!TP_HUGE_PAGES_MARKS || !huge_pages_available())
    return;
  /* A block glibc would otherwise map on its own (over 128 KiB). The heap's first 2 MiB past
   * where it ended at the call are not marked (the mark starts at a huge page's boundary), so
   * the block's middle is looked up: 4 MiB in, past them whatever the block's start. */
  void *large = malloc((size_t)8 << 20);
  ck_assert_ptr_nonnull(large);
  ck_assert_msg((uintptr_t)large < (uintptr_t)sbrk(0), "an 8 MiB block was not on the heap");
  ck_assert_msg(marked((char *)large + ((size_t)4 << 20)), "the heap is not marked for huge pages");
  free(large);
}
END_TEST

START_TEST(zero_in_the_environment_turns_it_off) {
  setenv("TEXTPIPE_HUGE_PAGES", "0", 1);
  tp_huge_pages_main();
  check_blocks((size_t)3 << 20, 4);
  void *large = malloc((size_t)8 << 20); /* over glibc's default threshold: mapped alone */
  ck_assert_ptr_nonnull(large);
  if (TP_HUGE_PAGES_MARKS)
    ck_assert_msg(!marked(large), "marked although TEXTPIPE_HUGE_PAGES=0");
  free(large);
}
END_TEST

/* A worker thread: marks its arena, then takes a 4 MiB block (within the arena's reserve) and
 * says whether the block's middle is marked. */
static void *worker_block_marked(void *unused) {
  (void)unused;
  tp_huge_pages_thread();
  void *block = malloc((size_t)4 << 20);
  ck_assert_ptr_nonnull(block);
  memset(block, 1, (size_t)4 << 20);
  intptr_t result = marked((char *)block + ((size_t)2 << 20));
  free(block);
  check_blocks((size_t)1 << 20, 12); /* past the reserve too */
  return (void *)result;
}

static int thread_block_marked(void) {
  pthread_t thread;
  void *result = NULL;
  ck_assert_int_eq(pthread_create(&thread, NULL, worker_block_marked, NULL), 0);
  ck_assert_int_eq(pthread_join(thread, &result), 0);
  return result != NULL;
}

START_TEST(a_worker_arena_is_marked_too) {
  unsetenv("TEXTPIPE_HUGE_PAGES");
  tp_huge_pages_main();
  int thread_marked = thread_block_marked();
  if (TP_HUGE_PAGES_MARKS && huge_pages_available())
    ck_assert_msg(thread_marked, "a worker's arena is not marked for huge pages");
}
END_TEST

START_TEST(zero_in_the_environment_leaves_worker_arenas_alone) {
  setenv("TEXTPIPE_HUGE_PAGES", "0", 1);
  tp_huge_pages_main();
  int thread_marked = thread_block_marked();
  if (TP_HUGE_PAGES_MARKS)
    ck_assert_msg(!thread_marked, "a worker's arena marked although TEXTPIPE_HUGE_PAGES=0");
}
END_TEST

int main(void) {
  const TTest *const tests[] = {large_blocks_come_from_the_marked_heap,
                                zero_in_the_environment_turns_it_off, a_worker_arena_is_marked_too,
                                zero_in_the_environment_leaves_worker_arenas_alone};
  return tp_check_main("huge_pages", tests, sizeof tests / sizeof *tests);
}
