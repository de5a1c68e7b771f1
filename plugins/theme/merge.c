/* plugins/theme/merge.c - average-linkage merging of k-means clusters for refine.c
 * (th_kmeans_merge, th_kmeans_merge_scored, th_kmeans_merge_replay; see kmeans.h).
 *
 * The Gram matrix of the cluster sums (gram[a][b] = sum over rows of cluster a of row . sum_b)
 * is the costly part: its row a only takes the rows labelled a, so the clusters are dealt to
 * threads (cluster a to thread a mod threads), each summing its Gram rows over the rows in row
 * order: every entry is the same sum in the same order as on one thread. The merge itself
 * folds the most similar pair until `to` clusters remain; the scored merge can record its
 * folds, so that a later merge of the same clusters to a count it passed replays them rather
 * than computing the Gram matrix again. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "kmeans.h"
#include "parallel.h"

/* Modularity of the grouping in `gram` (cluster-sum Gram matrix, live groups: group[j] == j
 * with sizes[j] > 0), the records' similarity graph (edge weight x_i . x_j) taken as given:
 * sum over groups of (within weight - degree^2 / total) / total. */
static double modularity(const double *gram, const double *sizes, const uint32_t *group,
                         uint32_t from) {
  double total = 0, value = 0;
  for (uint32_t a = 0; a < from; a++) {
    if (group[a] != a || sizes[a] == 0)
      continue;
    for (uint32_t b = 0; b < from; b++)
      if (group[b] == b && sizes[b] > 0)
        total += gram[(size_t)a * from + b];
  }
  if (total <= 0)
    return 0;
  for (uint32_t a = 0; a < from; a++) {
    if (group[a] != a || sizes[a] == 0)
      continue;
    double degree = 0;
    for (uint32_t b = 0; b < from; b++)
      if (group[b] == b && sizes[b] > 0)
        degree += gram[(size_t)a * from + b];
    value += gram[(size_t)a * from + a] - degree * degree / total;
  }
  return value / total;
}

/* The cluster sums (columns x from, column-major) and sizes of the labelled rows. */
static void cluster_sums(const th_matrix *m, const int32_t *labels, uint32_t from, float *sums,
                         double *sizes) {
  for (size_t r = 0; r < m->rows; r++) {
    if (labels[r] < 0)
      continue;
    sizes[labels[r]] += 1;
    for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
      sums[(size_t)m->cols[e] * from + (uint32_t)labels[r]] += m->values[e];
  }
}

/* One thread's share of the Gram matrix: the rows of the clusters a with a % stride == share. */
typedef struct gram_job {
  const th_matrix *m;
  const int32_t *labels;
  const float *sums;
  uint32_t from, share, stride;
  double *gram;
} gram_job;

/* Gram rows for 4 <= from <= 4 x `blocks` (blocks = from / 4 rounded up, at most
 * GRAM_BLOCKS): while a record is added, its cluster's Gram row stays in registers, four
 * doubles a block, the last block the 4 entries ending at from - 1 (overlapping the one before
 * when from is not a multiple of 4: both copies of those entries start from the same value
 * and add the same products in the same order, so they agree when stored). Each entry is
 * still the same sum in the same order: one multiply then one add per term. */
#define GRAM_BLOCKS 10
static inline __attribute__((always_inline)) void gram_rows_blocks(gram_job *job,
                                                                   const uint32_t blocks) {
  const th_matrix *m = job->m;
  uint32_t from = job->from, last = from - 4;
  for (size_t r = 0; r < m->rows; r++) {
    int32_t label = job->labels[r];
    if (label < 0 || (uint32_t)label % job->stride != job->share)
      continue;
    double *row = job->gram + (size_t)label * from;
    doubles4 sums[GRAM_BLOCKS];
    _Pragma("GCC unroll 10") for (uint32_t b = 0; b < blocks; b++)
        memcpy(&sums[b], row + (b + 1 < blocks ? 4 * b : last), sizeof sums[b]);
    for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++) {
      const float *column = job->sums + (size_t)m->cols[e] * from;
      double value = m->values[e];
      _Pragma("GCC unroll 10") for (uint32_t b = 0; b < blocks; b++) {
        lanes4 cells;
        memcpy(&cells, column + (b + 1 < blocks ? 4 * b : last), sizeof cells);
        sums[b] += value * WIDEN(cells);
      }
    }
    _Pragma("GCC unroll 10") for (uint32_t b = 0; b < blocks; b++)
        memcpy(row + (b + 1 < blocks ? 4 * b : last), &sums[b], sizeof sums[b]);
  }
}

/* External linkage for TH_WIDE_LANES (the sums over b run 4 doubles wide on AVX2: still one
 * multiply then one add per entry). */
TH_WIDE_LANES void th_merge_gram_rows(gram_job *job);
TH_WIDE_LANES void th_merge_gram_rows(gram_job *job) {
  uint32_t from = job->from;
#define GRAM_BLOCKS_OF(BLOCKS) gram_rows_blocks(job, BLOCKS)
  TH_BLOCKS_OF_FOUR(from, GRAM_BLOCKS_OF);
#undef GRAM_BLOCKS_OF
  /* fewer than 4 or more than 40 clusters: entry by entry, the row in memory */
  const th_matrix *m = job->m;
  for (size_t r = 0; r < m->rows; r++) {
    int32_t label = job->labels[r];
    if (label < 0 || (uint32_t)label % job->stride != job->share)
      continue;
    double *row = job->gram + (size_t)label * from;
    for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++) {
      const float *column = job->sums + (size_t)m->cols[e] * from;
      double value = m->values[e];
      for (uint32_t b = 0; b < from; b++)
        row[b] += value * column[b];
    }
  }
}

static void gram_rows(void *arg) {
  th_merge_gram_rows(arg);
}

static void gram_matrix(const th_matrix *m, const int32_t *labels, const float *sums, uint32_t from,
                        uint32_t threads, double *gram) {
  uint32_t stride = threads < TH_THREADS_MAX ? threads : TH_THREADS_MAX;
  if (stride > from)
    stride = from;
  if (stride == 0)
    stride = 1;
  gram_job jobs[TH_THREADS_MAX];
  for (uint32_t t = 0; t < stride; t++)
    jobs[t] = (gram_job){m, labels, sums, from, t, stride, gram};
  th_parallel_run(gram_rows, jobs, sizeof(gram_job), stride);
}

/* Numbers the surviving groups 0..to-1 in order, writes their normalized summed columns to
 * `centroids` (columns x to). 0, or -1 on OOM. */
static int write_centroids(const float *sums, const uint32_t *group, const double *sizes,
                           size_t columns, uint32_t from, uint32_t to, float *centroids) {
  uint32_t *slot = th_alloc((from + 1) * sizeof(uint32_t));
  double *norms = th_alloc((to + 1) * sizeof(double));
  if (!slot || !norms) {
    th_free(slot);
    th_free(norms);
    return -1;
  }
  uint32_t next = 0;
  for (uint32_t j = 0; j < from; j++)
    slot[j] = (group[j] == j && sizes[j] > 0 && next < to) ? next++ : UINT32_MAX;
  memset(centroids, 0, columns * to * sizeof(float));
  for (uint32_t j = 0; j < from; j++) {
    uint32_t target = slot[group[j]];
    if (target == UINT32_MAX)
      continue;
    for (size_t c = 0; c < columns; c++)
      centroids[c * to + target] += sums[c * from + j];
  }
  th_centroids_normalize(centroids, (uint32_t)columns, to, norms);
  th_free(slot);
  th_free(norms);
  return 0;
}

/* Folds group b into group a (sizes and membership; not the Gram matrix). */
static void fold_groups(uint32_t *group, double *sizes, uint32_t from, uint32_t a, uint32_t b) {
  sizes[a] += sizes[b];
  sizes[b] = 0;
  for (uint32_t j = 0; j < from; j++)
    if (group[j] == b)
      group[j] = a;
}

static uint32_t active_groups(const double *sizes, uint32_t from) {
  uint32_t active = 0;
  for (uint32_t j = 0; j < from; j++)
    active += sizes[j] > 0;
  return active;
}

int th_kmeans_merge(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                    uint32_t threads, float *centroids) {
  return th_kmeans_merge_scored(m, labels, from, to, threads, centroids, NULL, NULL);
}

int th_kmeans_merge_scored(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                           uint32_t threads, float *centroids, double *quality, uint32_t *folds) {
  size_t columns = m->columns;
  float *sums = th_calloc(columns * from + 1, sizeof(float));
  double *gram = th_calloc((size_t)from * from + 1, sizeof(double));
  double *sizes = th_calloc(from + 1, sizeof(double));
  uint32_t *group = th_alloc((from + 1) * sizeof(uint32_t));
  int status = -1;
  if (!sums || !gram || !sizes || !group)
    goto done;
  cluster_sums(m, labels, from, sums, sizes);
  gram_matrix(m, labels, sums, from, threads, gram);
  for (uint32_t j = 0; j < from; j++)
    group[j] = j;
  uint32_t active = active_groups(sizes, from);
  if (quality) {
    for (uint32_t j = 0; j <= from; j++)
      quality[j] = NAN;
    quality[active] = modularity(gram, sizes, group, from);
  }
  for (uint32_t step = 0; active > to; step++) {
    uint32_t best_a = 0, best_b = 0;
    double best = -1e300;
    for (uint32_t a = 0; a < from; a++) {
      if (group[a] != a || sizes[a] == 0)
        continue;
      for (uint32_t b = a + 1; b < from; b++) {
        if (group[b] != b || sizes[b] == 0)
          continue;
        double linkage = gram[(size_t)a * from + b] / (sizes[a] * sizes[b]);
        if (linkage > best) {
          best = linkage;
          best_a = a;
          best_b = b;
        }
      }
    }
    /* fold b into a */
    double self = gram[(size_t)best_a * from + best_a] + 2 * gram[(size_t)best_a * from + best_b] +
                  gram[(size_t)best_b * from + best_b];
    for (uint32_t x = 0; x < from; x++) {
      gram[(size_t)best_a * from + x] += gram[(size_t)best_b * from + x];
      gram[(size_t)x * from + best_a] = gram[(size_t)best_a * from + x];
    }
    gram[(size_t)best_a * from + best_a] = self;
    fold_groups(group, sizes, from, best_a, best_b);
    if (folds) {
      folds[2 * step] = best_a;
      folds[2 * step + 1] = best_b;
    }
    active--;
    if (quality)
      quality[active] = modularity(gram, sizes, group, from);
  }
  status = write_centroids(sums, group, sizes, columns, from, to, centroids);
done:
  th_free(sums);
  th_free(gram);
  th_free(sizes);
  th_free(group);
  return status;
}

int th_kmeans_merge_replay(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                           const uint32_t *folds, float *centroids) {
  size_t columns = m->columns;
  float *sums = th_calloc(columns * from + 1, sizeof(float));
  double *sizes = th_calloc(from + 1, sizeof(double));
  uint32_t *group = th_alloc((from + 1) * sizeof(uint32_t));
  int status = -1;
  if (!sums || !sizes || !group)
    goto done;
  cluster_sums(m, labels, from, sums, sizes);
  for (uint32_t j = 0; j < from; j++)
    group[j] = j;
  for (uint32_t step = 0, active = active_groups(sizes, from); active > to; step++, active--)
    fold_groups(group, sizes, from, folds[2 * step], folds[2 * step + 1]);
  status = write_centroids(sums, group, sizes, columns, from, to, centroids);
done:
  th_free(sums);
  th_free(sizes);
  th_free(group);
  return status;
}
