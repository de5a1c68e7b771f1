/* plugins/theme/kmeans.c - k-means++ seeding for refine.c (see kmeans.h); the neighbour
 * smoothing is in smooth.c, the k-means passes in lloyd.c, the average-linkage merging in
 * merge.c. */
#include "kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Sets centroid j (all zero before) to row r's values. */
static void set_centroid_from_row(const th_matrix *m, size_t r, uint32_t k, uint32_t j,
                                  float *centroids) {
  for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
    centroids[(size_t)m->cols[e] * k + j] = m->values[e];
}

void th_seed_postings_release(th_seed_postings *p) {
  th_free(p->start);
  th_free(p->entries);
  th_free(p->row_of);
  memset(p, 0, sizeof(*p));
}

int th_seed_postings_build(const th_matrix *m, th_seed_postings *p) {
  size_t n = m->rows, nnz = m->offsets[n];
  p->start = th_calloc((size_t)m->columns + 2, sizeof(size_t));
  p->entries = th_alloc((nnz + 1) * sizeof(uint32_t));
  p->row_of = th_alloc((nnz + 1) * sizeof(uint32_t));
  if (nnz >= UINT32_MAX || n >= UINT32_MAX || !p->start || !p->entries || !p->row_of) {
    th_seed_postings_release(p);
    return -1;
  }
  for (size_t e = 0; e < nnz; e++)
    p->start[m->cols[e] + 2]++;
  for (uint32_t c = 0; c < m->columns; c++)
    p->start[c + 2] += p->start[c + 1];
  /* start[c + 1] is now where column c's entries begin; filling moves it to where they end,
   * which is where column c + 1's begin */
  for (size_t r = 0; r < n; r++)
    for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++) {
      p->entries[p->start[m->cols[e] + 1]++] = (uint32_t)e;
      p->row_of[e] = (uint32_t)r;
    }
  return 0;
}

/* Every row's dot product with the picked row (its values in `dense`), into sums[] (left
 * untouched for rows that share no column with it). A row's dot product is the sum in row
 * order of (double)value x dense; the terms of columns the pick lacks are +0 or -0 and adding
 * them changes no sum (one that starts at +0 never becomes -0), so only the shared entries are
 * added, still in row order: the pick's columns mark their entries in `marks` (one bit per
 * entry), and the marked entries are read back in ascending order, which is row after row,
 * each row in its own order. The same doubles as walking every row, for the entries of the
 * shared columns only. `marks` is zero before and after. */
static void pick_dots(const th_matrix *m, const th_seed_postings *p, const double *dense,
                      size_t pick, uint64_t *marks, double *sums) {
  for (size_t e = m->offsets[pick]; e < m->offsets[pick + 1]; e++) {
    uint32_t c = m->cols[e]; /* a column listed twice in the pick sets the same bits twice */
    for (size_t q = p->start[c]; q < p->start[c + 1]; q++)
      marks[p->entries[q] / 64] |= (uint64_t)1 << (p->entries[q] % 64);
  }
  size_t words = (m->offsets[m->rows] + 63) / 64;
  for (size_t w = 0; w < words; w++) {
    uint64_t bits = marks[w];
    if (!bits)
      continue;
    marks[w] = 0;
    do {
      size_t e = w * 64 + (size_t)__builtin_ctzll(bits);
      sums[p->row_of[e]] += (double)m->values[e] * dense[m->cols[e]];
      bits &= bits - 1;
    } while (bits);
  }
}

size_t th_kmeans_draw(const double *closest, size_t n, uint64_t *random) {
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
  return pick;
}

int th_kmeans_seed_from(const th_matrix *m, const th_seed_postings *postings, uint32_t k,
                        uint64_t *random, float *centroids) {
  size_t n = m->rows, nnz = m->offsets[n];
  double *closest = th_alloc((n + 1) * sizeof(double));
  double *dense = th_calloc(m->columns + 1, sizeof(double));
  double *sums = th_calloc(n + 1, sizeof(double));
  uint64_t *marks = th_calloc(nnz / 64 + 1, sizeof(uint64_t));
  if (!closest || !dense || !sums || !marks) {
    th_free(closest);
    th_free(dense);
    th_free(sums);
    th_free(marks);
    return -1;
  }
  size_t nonempty = 0;
  for (size_t r = 0; r < n; r++) {
    int empty = m->offsets[r] == m->offsets[r + 1];
    closest[r] = empty ? 1.0 : -1.0; /* empty rows are never picked */
    nonempty += !empty;
  }
  uint32_t seeded = 0;
  while (seeded < k && seeded < nonempty) {
    size_t pick = th_kmeans_draw(closest, n, random);
    if (pick == n) /* every row equals a centroid: take the first not yet taken */
      break;
    set_centroid_from_row(m, pick, k, seeded, centroids);
    for (size_t e = m->offsets[pick]; e < m->offsets[pick + 1]; e++)
      dense[m->cols[e]] = m->values[e];
    pick_dots(m, postings, dense, pick, marks, sums);
    for (size_t r = 0; r < n; r++) {
      if (m->offsets[r] == m->offsets[r + 1])
        continue;
      double similarity = r == pick ? 1.0 : sums[r];
      sums[r] = 0;
      if (similarity > closest[r])
        closest[r] = similarity;
    }
    for (size_t e = m->offsets[pick]; e < m->offsets[pick + 1]; e++)
      dense[m->cols[e]] = 0;
    seeded++;
  }
  th_free(closest);
  th_free(dense);
  th_free(sums);
  th_free(marks);
  return (int)seeded;
}

int th_kmeans_seed(const th_matrix *m, uint32_t k, uint64_t *random, float *centroids) {
  th_seed_postings postings = {0};
  if (th_seed_postings_build(m, &postings))
    return -1;
  int seeded = th_kmeans_seed_from(m, &postings, k, random, centroids);
  th_seed_postings_release(&postings);
  return seeded;
}
