/* core/util/huge_pages.h - asks the kernel to back the main heap with 2 MiB pages.
 *
 * Why: a run touches its working set (about 40 MB for the default pipeline: lexicons,
 * sketches, the themes' tables, the finish's matrices) for the first time once, and every
 * 4 KiB page of it costs a page fault. On the virtual machines this project is measured on a
 * fault costs about 9 us, and the default pipeline on 5 MB of comments took 11,300 of them:
 * about a fifth of its CPU time. With transparent huge pages one fault maps 2 MiB (and the
 * TLB holds 512 times more of the heap). Most Linux systems give them only to memory a process
 * marks with madvise(MADV_HUGEPAGE) (/sys/kernel/mm/transparent_hugepage/enabled says
 * "madvise"), and glibc's malloc marks nothing unless told at exec time (GLIBC_TUNABLES), so
 * textpipe marks its main heap itself, at start:
 *
 * - the heap is grown once to TP_HUGE_PAGES_MAIN_RESERVE bytes of address space (address
 *   space only: a page costs memory when first written) and that range is marked;
 * - blocks up to 32 MiB come from the heap instead of mmap (M_MMAP_THRESHOLD: the finish's
 *   large tables land in the marked range), and freed memory stays in the heap
 *   (M_TRIM_THRESHOLD: a heap that shrank and grew again would grow unmarked).
 *
 * The main heap holds what the loop thread, the plugins' create() and finish() and the
 * partials allocate; each worker's per-record memory is in its own malloc arena, which
 * tp_huge_pages_thread() marks the same way on a smaller scale: the arena is grown once to
 * TP_HUGE_PAGES_THREAD_RESERVE and its 64 MiB reservation marked (a worker's arena holds its
 * stages' scratch buffers and the records' trees); beyond the reserve the arena grows in small
 * steps that seldom cover a whole huge page, so that memory stays on 4 KiB pages. The
 * reserve is small because a huge page is resident whole and an arena's blocks are scattered:
 * each worker's arena costs up to about 2 MiB more resident memory than on 4 KiB pages, and
 * issue 13 bounds the whole process at 64 MiB.
 *
 * A mark changes only how memory is backed, never what the program sees, so this is best
 * effort: a failed call, or another allocator (sanitizers, valgrind), leaves the defaults.
 * TEXTPIPE_HUGE_PAGES=0 in the environment turns it off.
 */
#ifndef TP_CORE_HUGE_PAGES_H
#define TP_CORE_HUGE_PAGES_H

#include <stdlib.h> /* defines __GLIBC__ under glibc */

/* 1 where tp_huge_pages_main() marks the heap: glibc's malloc on Linux, not a sanitizer's
 * allocator. Elsewhere it does nothing. */
#if defined(__GLIBC__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__) &&                  \
    !defined(__SANITIZE_THREAD__)
#define TP_HUGE_PAGES_MARKS 1
#else
#define TP_HUGE_PAGES_MARKS 0
#endif

/* Address space the main heap is grown to at start: two blocks just under the 32 MiB mmap
 * threshold. */
#define TP_HUGE_PAGES_MAIN_RESERVE ((size_t)62 << 20)

/* Address space a worker's malloc arena is grown to when the worker starts. */
#define TP_HUGE_PAGES_THREAD_RESERVE ((size_t)8 << 20)

/* Sets malloc's thresholds and marks the main heap. Call first thing in main(), before any
 * thread starts. */
void tp_huge_pages_main(void);

/* Grows the calling thread's malloc arena to TP_HUGE_PAGES_THREAD_RESERVE and marks it. Call
 * first thing in a worker thread, before it allocates, after tp_huge_pages_main() (which it
 * follows: nothing when that marked nothing). Glibc gives a thread its own arena at its first
 * allocation, in a heap aligned to 64 MiB; when the thread's first block is not at the start
 * of such a heap (glibc's arena limit reached, the arena shared), nothing is marked. */
void tp_huge_pages_thread(void);

#endif
