/* plugins/theme/kmeans.c - k-means++ seeding for refine.c (see kmeans.h); the neighbour
 * smoothing is in smooth.c, the k-means passes in lloyd.c, the average-linkage merging in
 * merge.c. */
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
