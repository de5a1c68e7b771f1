/* plugins/theme/kmeans.c - k-means++ seeding and average-linkage merging for refine.c (see
 * kmeans.h); the neighbour smoothing is in smooth.c, the k-means passes in lloyd.c. */
#include "kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void set_centroid_from_row(const th_matrix *m, size_t r, uint32_t k, uint32_t j,
                                  float *centroids) {
  for (uint32_t c = 0; c < m->columns; c++)
    centroids[(size_t)c * k + j] = 0;
  for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
    centroids[(size_t)m->cols[e] * k + j] = m->values[e];
}

/* Dot product of row a (its values widened to double beforehand: `wide`) with a dense row.
 * Widening a float is exact, so this is the sum of (double)value x (double)dense in row order
 * that the float arrays give, without two conversions per term. */
static double row_dot(const th_matrix *m, const double *wide, size_t a, const double *dense_b) {
  double sum = 0;
  for (size_t e = m->offsets[a]; e < m->offsets[a + 1]; e++)
    sum += wide[e] * dense_b[m->cols[e]];
  return sum;
}

int th_kmeans_seed(const th_matrix *m, uint32_t k, uint64_t *random, float *centroids) {
  size_t n = m->rows;
  double *closest = th_alloc((n + 1) * sizeof(double));
  double *dense = th_calloc(m->columns + 1, sizeof(double));
  double *wide = th_alloc((m->offsets[n] + 1) * sizeof(double));
  if (!closest || !dense || !wide) {
    th_free(closest);
    th_free(dense);
    th_free(wide);
    return -1;
  }
  for (size_t e = 0; e < m->offsets[n]; e++)
    wide[e] = m->values[e];
  size_t nonempty = 0;
  for (size_t r = 0; r < n; r++) {
    int empty = m->offsets[r] == m->offsets[r + 1];
    closest[r] = empty ? 1.0 : -1.0; /* empty rows are never picked */
    nonempty += !empty;
  }
  uint32_t seeded = 0;
  while (seeded < k && seeded < nonempty) {
    double total = 0;
    for (size_t r = 0; r < n; r++) {
      double distance = 1.0 - closest[r];
      total += distance > 0 ? distance * distance : 0;
    }
    size_t pick = n;
    if (total > 0) {
      double target = th_random_unit(random) * total;
      for (size_t r = 0; r < n; r++) {
        double distance = 1.0 - closest[r];
        double weight = distance > 0 ? distance * distance : 0;
        if (weight > 0) {
          pick = r;
          if (target < weight)
            break;
          target -= weight;
        }
      }
    }
    if (pick == n) /* every row equals a centroid: take the first not yet taken */
      break;
    set_centroid_from_row(m, pick, k, seeded, centroids);
    for (size_t e = m->offsets[pick]; e < m->offsets[pick + 1]; e++)
      dense[m->cols[e]] = m->values[e];
    for (size_t r = 0; r < n; r++) {
      if (m->offsets[r] == m->offsets[r + 1])
        continue;
      double similarity = row_dot(m, wide, r, dense);
      if (r == pick)
        similarity = 1.0;
      if (similarity > closest[r])
        closest[r] = similarity;
    }
    for (size_t e = m->offsets[pick]; e < m->offsets[pick + 1]; e++)
      dense[m->cols[e]] = 0;
    seeded++;
  }
  th_free(closest);
  th_free(dense);
  th_free(wide);
  return (int)seeded;
}

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

int th_kmeans_merge(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                    float *centroids) {
  return th_kmeans_merge_scored(m, labels, from, to, centroids, NULL);
}

int th_kmeans_merge_scored(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                           float *centroids, double *quality) {
  size_t columns = m->columns;
  float *sums = th_calloc(columns * from + 1, sizeof(float));
  double *gram = th_calloc((size_t)from * from + 1, sizeof(double));
  double *sizes = th_calloc(from + 1, sizeof(double));
  uint32_t *group = th_alloc((from + 1) * sizeof(uint32_t));
  double *norms = th_alloc((to + 1) * sizeof(double));
  int status = -1;
  if (!sums || !gram || !sizes || !group || !norms)
    goto done;
  for (size_t r = 0; r < m->rows; r++) {
    if (labels[r] < 0)
      continue;
    sizes[labels[r]] += 1;
    for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
      sums[(size_t)m->cols[e] * from + (uint32_t)labels[r]] += m->values[e];
  }
  for (size_t r = 0; r < m->rows; r++) {
    if (labels[r] < 0)
      continue;
    double *row = gram + (size_t)labels[r] * from;
    for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++) {
      const float *column = sums + (size_t)m->cols[e] * from;
      for (uint32_t b = 0; b < from; b++)
        row[b] += (double)m->values[e] * column[b];
    }
  }
  for (uint32_t j = 0; j < from; j++)
    group[j] = j;
  uint32_t active = 0;
  for (uint32_t j = 0; j < from; j++)
    active += sizes[j] > 0;
  if (quality) {
    for (uint32_t j = 0; j <= from; j++)
      quality[j] = NAN;
    quality[active] = modularity(gram, sizes, group, from);
  }
  while (active > to) {
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
    sizes[best_a] += sizes[best_b];
    sizes[best_b] = 0;
    for (uint32_t j = 0; j < from; j++)
      if (group[j] == best_b)
        group[j] = best_a;
    active--;
    if (quality)
      quality[active] = modularity(gram, sizes, group, from);
  }
  /* number the surviving groups 0..to-1 in order and sum their columns */
  uint32_t *slot = th_alloc((from + 1) * sizeof(uint32_t));
  if (!slot)
    goto done;
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
  th_free(slot);
  th_centroids_normalize(centroids, (uint32_t)columns, to, norms);
  status = 0;
done:
  th_free(sums);
  th_free(gram);
  th_free(sizes);
  th_free(group);
  th_free(norms);
  return status;
}
