/* bench/two_cores.c - how well this machine runs two threads at once, by the kind of work.
 *
 *   two_cores [RUNS]
 *
 * Two workers of textpipe reach about 1.75x one worker, as do two independent one-worker
 * processes (bench/pipeline_speed.sh's ceiling). This program tells what the machine allows
 * for work of known kinds, with no textpipe code at all: each kind runs on one thread alone,
 * then on two threads at once (pinned to CPUs 0 and 1), doing the same work each; the ratio
 * 2 x (alone) / (both) is 2.0 when the two cores do not slow each other at all. Kinds:
 *   compute        arithmetic in registers, no memory;
 *   table N MiB    random read-modify-writes of 8-byte cells in a table of N MiB per thread
 *                  (as a hash table or a counter sketch is used), from inside the L2 cache
 *                  to well past the L3.
 * Prints the median ratio of RUNS rounds (default 5) per kind. Work that misses the per-core
 * caches shares the L3 and memory, and scales worse the more it misses.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_time.h"

/* One thread's job: `table_bytes` 0 for the compute loop. */
typedef struct job {
  int cpu;
  size_t table_bytes;
  uint64_t *table;
  uint64_t result; /* kept so that the loops are not optimized away */
} job;

enum { COMPUTE_STEPS = 400000000, TABLE_STEPS = 40000000 };

static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort */
}

static void *run_job(void *argument) {
  job *work = argument;
  pin(work->cpu);
  uint64_t state = 0x9e3779b97f4a7c15ull + (uint64_t)work->cpu, sum = 0;
  if (work->table_bytes == 0) {
    for (long step = 0; step < COMPUTE_STEPS; step++) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      state ^= state >> 29;
    }
    sum = state;
  } else {
    size_t cells = work->table_bytes / sizeof *work->table;
    for (long step = 0; step < TABLE_STEPS; step++) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      uint64_t *cell = &work->table[(state >> 20) % cells];
      sum += *cell;
      *cell += 1;
    }
  }
  work->result = sum;
  return NULL;
}

/* Wall seconds of `count` jobs run at once (count 1: on the calling thread's new thread). */
static double run_jobs(job *jobs, int count) {
  pthread_t threads[2];
  double start = bench_wall_seconds();
  for (int j = 0; j < count; j++)
    if (pthread_create(&threads[j], NULL, run_job, &jobs[j]) != 0) {
      fprintf(stderr, "two_cores: cannot start a thread\n");
      exit(1);
    }
  for (int j = 0; j < count; j++)
    pthread_join(threads[j], NULL);
  return bench_wall_seconds() - start;
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 5;
  if (runs < 1 || runs > 99) {
    fprintf(stderr, "usage: two_cores [RUNS (1-99)]\n");
    return 2;
  }
  static const size_t table_mib[] = {0, 1, 4, 16, 64};
  printf("two threads at once vs one alone (2.00x = no slow-down), median of %d:\n", runs);
  for (size_t kind = 0; kind < sizeof table_mib / sizeof table_mib[0]; kind++) {
    size_t bytes = table_mib[kind] << 20;
    job jobs[2] = {{.cpu = 0, .table_bytes = bytes}, {.cpu = 1, .table_bytes = bytes}};
    for (int j = 0; j < 2 && bytes > 0; j++) {
      jobs[j].table = malloc(bytes);
      if (!jobs[j].table) {
        fprintf(stderr, "two_cores: out of memory\n");
        return 1;
      }
      memset(jobs[j].table, 1, bytes); /* faulted in before timing */
    }
    double ratios[99];
    for (int r = 0; r < runs; r++) {
      double alone = run_jobs(jobs, 1);
      double both = run_jobs(jobs, 2);
      ratios[r] = 2.0 * alone / both;
    }
    if (bytes == 0)
      printf("  compute          %5.2fx\n", bench_median(ratios, (size_t)runs));
    else
      printf("  table %3zu MiB    %5.2fx\n", table_mib[kind], bench_median(ratios, (size_t)runs));
    fflush(stdout);
    free(jobs[0].table);
    free(jobs[1].table);
  }
  return 0;
}
