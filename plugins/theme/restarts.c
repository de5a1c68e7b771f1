/* plugins/theme/restarts.c - the k-means restarts of refine.c (th_best_of_restarts, see
 * kmeans.h), run side by side on threads.
 *
 * Serially, restart t is seeded from the generator state its predecessors' seedings left, and
 * th_kmeans_run draws nothing. Seeding draws one number per centroid (kmeans.h) and each draw
 * moves the state by a constant (common.h), so a restart that seeds all k centroids leaves the
 * state its own k draws further on: restart t of a batch starts from the batch's state skipped
 * by t x k draws, and each thread seeds and runs its restart at once, in its own buffers. When
 * a restart before the last of its batch seeded fewer than k (fewer distinct non-empty rows
 * than k), that guess was wrong: the batch is seeded again one after another, in restart
 * order (the serial draws), and run. The winner is picked in restart order with the serial
 * rule (the first restart with the best objective): the same floats, the same result, and the
 * same final generator state, whatever the thread count. Each restart runs only until the
 * restarts are compared (TH_RESTART_COMPARE_PASSES); the winner then goes on alone, on the
 * calling thread. */
#include <string.h>

#include "common.h"
#include "kmeans.h"
#include "parallel.h"

/* Extra memory the restarts running beside the first may take (16 MB): each holds its own
 * centroids, labels, similarities and th_kmeans_run's work arrays. */
#define TH_RESTART_EXTRA_BYTES ((size_t)16 << 20)

/* One restart: its buffers, its generator state, whether its job seeds it, and once run its
 * seeded count and objective. */
typedef struct restart {
  const th_matrix *m;
  const th_seed_postings *postings; /* the matrix's, built once for every restart */
  uint32_t k, iterations;
  float *centroids;
  int32_t *labels;
  float *similarity;
  uint64_t random;
  int seed_first; /* the job seeds from `random` before running */
  int seeded;
  double objective;
  int converged; /* it stopped because its rows stopped moving, not at its last pass */
} restart;

static void run_restart(void *arg) {
  restart *r = arg;
  if (r->seed_first) {
    memset(r->centroids, 0, (size_t)r->m->columns * r->k * sizeof(float));
    r->seeded = th_kmeans_seed_from(r->m, r->postings, r->k, &r->random, r->centroids);
    if (r->seeded < 0) {
      r->objective = -1;
      return;
    }
  }
  r->objective = th_kmeans_run(r->m, r->k, r->centroids, r->labels, r->similarity, r->iterations,
                               &r->converged);
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

/* Seeds and runs a batch of `batch` restarts from the generator state *random, leaving in it
 * the state the serial seeding would. 0, or -1 on OOM. */
static int run_batch(restart *trials, uint32_t batch, uint64_t *random) {
  uint32_t k = trials[0].k;
  for (uint32_t t = 0; t < batch; t++) { /* guessed: every earlier restart seeds k centroids */
    trials[t].random = th_random_skip(*random, (uint64_t)t * k);
    trials[t].seed_first = 1;
  }
  th_parallel_run(run_restart, trials, sizeof(restart), batch);
  int guessed = 1;
  for (uint32_t t = 0; t < batch; t++) {
    if (trials[t].seeded < 0)
      return -1;
    if (t + 1 < batch && (uint32_t)trials[t].seeded != k)
      guessed = 0;
  }
  if (guessed) {
    *random = trials[batch - 1].random;
    return 0;
  }
  for (uint32_t t = 0; t < batch; t++) { /* seeded in restart order: the serial draws */
    memset(trials[t].centroids, 0, (size_t)trials[t].m->columns * k * sizeof(float));
    if (th_kmeans_seed_from(trials[t].m, trials[t].postings, k, random, trials[t].centroids) < 0)
      return -1;
    trials[t].seed_first = 0;
  }
  th_parallel_run(run_restart, trials, sizeof(restart), batch);
  return 0;
}

int th_best_of_restarts(const th_matrix *m, uint32_t k, uint32_t restarts, uint32_t iterations,
                        uint32_t threads, uint64_t *random, float *centroids, int32_t *labels,
                        float *similarity) {
  size_t cells = (size_t)m->columns * k;
  uint32_t at_once = restarts_at_once(m, k, restarts, threads);
  restart trials[TH_THREADS_MAX] = {0};
  th_seed_postings postings = {0};
  int status = -1;
  uint32_t compared_after =
      iterations < TH_RESTART_COMPARE_PASSES ? iterations : TH_RESTART_COMPARE_PASSES;
  if (th_seed_postings_build(m, &postings))
    return -1;
  for (uint32_t t = 0; t < at_once; t++) {
    trials[t] = (restart){.m = m, .postings = &postings, .k = k, .iterations = compared_after};
    trials[t].centroids = th_alloc((cells + 1) * sizeof(float));
    trials[t].labels = th_alloc((m->rows + 1) * sizeof(int32_t));
    trials[t].similarity = th_alloc((m->rows + 1) * sizeof(float));
    if (!trials[t].centroids || !trials[t].labels || !trials[t].similarity)
      goto done;
  }
  double best = -1;
  int best_converged = 0;
  for (uint32_t first = 0; first < restarts; first += at_once) {
    uint32_t batch = restarts - first < at_once ? restarts - first : at_once;
    if (run_batch(trials, batch, random))
      goto done;
    for (uint32_t t = 0; t < batch; t++) {
      const restart *trial = &trials[t];
      if (trial->objective < 0 && m->rows)
        goto done;
      if (first + t == 0 || trial->objective > best) {
        best = trial->objective;
        best_converged = trial->converged;
        memcpy(centroids, trial->centroids, cells * sizeof(float));
        memcpy(labels, trial->labels, m->rows * sizeof(int32_t));
        memcpy(similarity, trial->similarity, m->rows * sizeof(float));
      }
    }
  }
  /* the best goes on unless it converged: its first pass assigns every row as its last
   * compared pass did (the same centroids), so it ends where the restart run whole would have,
   * to the same floats */
  if (!best_converged && iterations > compared_after &&
      th_kmeans_run(m, k, centroids, labels, similarity, iterations - compared_after, NULL) < 0 &&
      m->rows)
    goto done;
  status = 0;
done:
  th_seed_postings_release(&postings);
  for (uint32_t t = 0; t < at_once; t++) {
    th_free(trials[t].centroids);
    th_free(trials[t].labels);
    th_free(trials[t].similarity);
  }
  return status;
}
