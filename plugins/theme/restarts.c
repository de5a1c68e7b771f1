/* plugins/theme/restarts.c - the k-means restarts of refine.c (th_best_of_restarts, see
 * kmeans.h), run side by side on threads.
 *
 * Seeding draws from the shared random state; th_kmeans_run draws nothing. So a batch of
 * restarts is seeded one after another, in restart order (the very draws of seeding and
 * running them one at a time), and then their Lloyd passes run at once, each in its own
 * buffers. The winner is picked in restart order with the serial rule (the first restart with
 * the best objective): the same floats, the same result, whatever the thread count. */
#include <string.h>

#include "common.h"
#include "kmeans.h"
#include "parallel.h"

/* Extra memory the restarts running beside the first may take (16 MB): each holds its own
 * centroids, labels, similarities and th_kmeans_run's work arrays. */
#define TH_RESTART_EXTRA_BYTES ((size_t)16 << 20)

/* One restart: its buffers and, once run, its objective. */
typedef struct restart {
  const th_matrix *m;
  uint32_t k, iterations;
  float *centroids;
  int32_t *labels;
  float *similarity;
  double objective;
} restart;

static void run_restart(void *arg) {
  restart *r = arg;
  r->objective = th_kmeans_run(r->m, r->k, r->centroids, r->labels, r->similarity, r->iterations);
}

/* How many restarts run at once: at most `threads` and `restarts`, and as many as fit
 * TH_RESTART_EXTRA_BYTES beside the first (an upper bound of one restart's memory: centroids,
 * labels, similarities, th_kmeans_run's similarity cache and compact centroids). */
static uint32_t restarts_at_once(const th_matrix *m, uint32_t k, uint32_t restarts,
                                 uint32_t threads) {
  size_t cells = (size_t)m->columns * k;
  size_t bytes = (cells + 2 * m->rows + m->rows * (size_t)k + cells + 64) * sizeof(float);
  size_t fit = 1 + TH_RESTART_EXTRA_BYTES / bytes;
  uint32_t at_once = threads < restarts ? threads : restarts;
  if (at_once > TH_THREADS_MAX)
    at_once = TH_THREADS_MAX;
  return at_once > fit ? (uint32_t)fit : (at_once ? at_once : 1);
}

int th_best_of_restarts(const th_matrix *m, uint32_t k, uint32_t restarts, uint32_t iterations,
                        uint32_t threads, uint64_t *random, float *centroids, int32_t *labels,
                        float *similarity) {
  size_t cells = (size_t)m->columns * k;
  uint32_t at_once = restarts_at_once(m, k, restarts, threads);
  restart trials[TH_THREADS_MAX] = {0};
  int status = -1;
  for (uint32_t t = 0; t < at_once; t++) {
    trials[t] = (restart){.m = m, .k = k, .iterations = iterations};
    trials[t].centroids = th_alloc((cells + 1) * sizeof(float));
    trials[t].labels = th_alloc((m->rows + 1) * sizeof(int32_t));
    trials[t].similarity = th_alloc((m->rows + 1) * sizeof(float));
    if (!trials[t].centroids || !trials[t].labels || !trials[t].similarity)
      goto done;
  }
  double best = -1;
  for (uint32_t first = 0; first < restarts; first += at_once) {
    uint32_t batch = restarts - first < at_once ? restarts - first : at_once;
    for (uint32_t t = 0; t < batch; t++) { /* seeded in restart order: the serial draws */
      memset(trials[t].centroids, 0, cells * sizeof(float));
      if (th_kmeans_seed(m, k, random, trials[t].centroids) < 0)
        goto done;
    }
    th_parallel_run(run_restart, trials, sizeof(restart), batch);
    for (uint32_t t = 0; t < batch; t++) {
      const restart *trial = &trials[t];
      if (trial->objective < 0 && m->rows)
        goto done;
      if (first + t == 0 || trial->objective > best) {
        best = trial->objective;
        memcpy(centroids, trial->centroids, cells * sizeof(float));
        memcpy(labels, trial->labels, m->rows * sizeof(int32_t));
        memcpy(similarity, trial->similarity, m->rows * sizeof(float));
      }
    }
  }
  status = 0;
done:
  for (uint32_t t = 0; t < at_once; t++) {
    th_free(trials[t].centroids);
    th_free(trials[t].labels);
    th_free(trials[t].similarity);
  }
  return status;
}
