/* bench/bench_time.h - CPU and wall time and medians for the C benchmarks (floor.c,
 * print_floor.c, tokenize_bench.c, timed.c). Header-only: each bench is one program. */
#ifndef TP_BENCH_TIME_H
#define TP_BENCH_TIME_H

#include <stdlib.h>
#include <time.h>

/* CPU time of this (single-threaded) process: other work on the shared machine does not count. */
static inline double bench_cpu_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Wall-clock seconds from an arbitrary start (monotonic): for intervals only. */
static inline double bench_wall_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static inline int bench_compare_doubles(const void *left, const void *right) {
  double a = *(const double *)left, b = *(const double *)right;
  return (a > b) - (a < b);
}

/* The median of times[0..count) (count >= 1); sorts them. */
static inline double bench_median(double *times, size_t count) {
  qsort(times, count, sizeof *times, bench_compare_doubles);
  return times[count / 2];
}

#endif /* TP_BENCH_TIME_H */
