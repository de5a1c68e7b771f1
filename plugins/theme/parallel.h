/* plugins/theme/parallel.h - runs the finish's independent jobs (k-means restarts, ranges of
 * smoothed rows) on a few threads (pthreads). Each job owns its outputs, so the results are
 * those of running the jobs one after another, whatever the thread count. */
#ifndef THEME_PARALLEL_H
#define THEME_PARALLEL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The most threads the finish uses (more than the two-to-eight workers it is fed by would
 * add little: four restarts, and the smoothing is a small share). */
#define TH_THREADS_MAX 8

/* Runs job(jobs + i * job_size) for i = 0 .. count - 1: job 0 on the calling thread, each
 * other (up to TH_THREADS_MAX in all) on a thread of its own. A job whose thread cannot be
 * created, or beyond TH_THREADS_MAX, runs on the calling thread after job 0 instead (the same
 * results, later). Returns when every job is done. */
void th_parallel_run(void (*job)(void *), void *jobs, size_t job_size, uint32_t count);

/* How threads are created: pthread_create; the tests swap in a failing one. */
extern int (*th_thread_create)(pthread_t *thread, const pthread_attr_t *attributes,
                               void *(*start)(void *), void *arg);

#endif /* THEME_PARALLEL_H */
