/* plugins/theme/parallel.c - th_parallel_run (see parallel.h). */
#include "parallel.h"

int (*th_thread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                        void *) = pthread_create;

typedef struct job_call {
  void (*job)(void *);
  void *arg;
} job_call;

static void *call_job(void *arg) {
  job_call *call = arg;
  call->job(call->arg);
  return NULL;
}

void th_parallel_run(void (*job)(void *), void *jobs, size_t job_size, uint32_t count) {
  pthread_t threads[TH_THREADS_MAX];
  job_call calls[TH_THREADS_MAX];
  int started[TH_THREADS_MAX] = {0};
  for (uint32_t i = 1; i < count && i < TH_THREADS_MAX; i++) {
    calls[i] = (job_call){job, (char *)jobs + i * job_size};
    started[i] = th_thread_create(&threads[i], NULL, call_job, &calls[i]) == 0;
  }
  if (count)
    job(jobs);
  for (uint32_t i = 1; i < count; i++) {
    if (i < TH_THREADS_MAX && started[i])
      pthread_join(threads[i], NULL);
    else
      job((char *)jobs + i * job_size);
  }
}
