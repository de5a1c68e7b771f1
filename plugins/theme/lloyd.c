/* plugins/theme/lloyd.c - spherical k-means passes (th_kmeans_run, see kmeans.h) and centroid
 * normalization.
 *
 * A pass assigns every row to its most similar centroid, then recomputes each centroid as the
 * normalized sum of its rows (in row order). Two facts make later passes cheap without
 * changing a single bit of the result:
 *   - a centroid whose member set did not change is recomputed to the same floats (the same
 *     rows summed in the same order, the same norm), so only the centroids that gained or lost
 *     a row are recomputed;
 *   - a row's similarity to an unchanged centroid is the same float as in the previous pass,
 *     so rows keep their similarities to every centroid (a rows x k cache) and only those to
 *     the changed centroids are computed again, gathered into a compact matrix so that the
 *     vectorized row blocks still apply.
 * Most passes after the first few move a few dozen rows, touching part of the centroids.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "kmeans.h"

/* The k-means loops below run over k contiguous centroid lanes (sims[j] += value * column[j]):
 * TH_WIDE_LANES (common.h) runs them 8 wide on AVX2 with bit-identical results. */
/* Similarities of row r with centroids j .. j + 8 x `eights` - 1 and, after them, `tail` more:
 * TAIL_FOUR, the 4 ending at centroid k - 1; TAIL_EIGHT, the 8 ending there; TAIL_TWO_FOURS,
 * centroids 0-3 and the 4 ending at k - 1 (k is 5..7), all in one walk of the row, into
 * sims[j ..]. The sums stay in registers for the whole row instead of going through memory once
 * per term, and a term's index arithmetic is shared by all of them. Each lane still adds the
 * row's terms in order, one multiply then one add, so the sums are bit-identical to summing one
 * centroid at a time; a tail that overlaps centroids already summed recomputes them to the same
 * floats (it never reads past centroid k - 1 of a column). Always called with constant
 * `eights` and `tail`, so that each call compiles to its own unrolled loop. */
enum { TAIL_NONE, TAIL_FOUR, TAIL_EIGHT, TAIL_TWO_FOURS };
static inline __attribute__((always_inline)) void row_walk(const th_matrix *m, size_t r, uint32_t k,
                                                           uint32_t j, const float *centroids,
                                                           float *restrict sims,
                                                           const uint32_t eights, const int tail) {
  lanes8 block[4] = {0};
  lanes8 wide_tail = {0};
  lanes4 narrow_tail = {0}, first_four = {0};
  uint32_t tail_at = tail == TAIL_EIGHT ? k - 8 : k - 4;
  /* every block of a term is read at a fixed distance from `at`, its first (the tail's a
   * loop-invariant one), so that a term's blocks cost one address computation (cols[e] x k)
   * and no arithmetic of their own; two terms a loop iteration (each lane still adds them in
   * order) */
  const float *blocks_at = centroids + j;
  __asm__("" : "+r"(blocks_at)); /* one register: GCC would add j to every term's index again */
  ptrdiff_t tail_delta = (ptrdiff_t)tail_at - (ptrdiff_t)j; /* below 0 after a walk of 32 */
  _Pragma("GCC unroll 2") for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++) {
    size_t column = (size_t)m->cols[e] * k;
    const float *at = blocks_at + column;
    float value = m->values[e];
    _Pragma("GCC unroll 4") /* the sums stay in registers */
        for (uint32_t v = 0; v < eights; v++) {
      lanes8 lanes;
      memcpy(&lanes, at + 8 * v, sizeof lanes);
      block[v] += value * lanes;
    }
    if (tail == TAIL_EIGHT) {
      lanes8 lanes;
      memcpy(&lanes, at + tail_delta, sizeof lanes);
      wide_tail += value * lanes;
    } else if (tail != TAIL_NONE) {
      lanes4 lanes;
      memcpy(&lanes, at + tail_delta, sizeof lanes);
      narrow_tail += value * lanes;
      if (tail == TAIL_TWO_FOURS) {
        memcpy(&lanes, at, sizeof lanes); /* j is 0 here */
        first_four += value * lanes;
      }
    }
  }
  memcpy(sims + j, block, eights * sizeof(lanes8));
  if (tail == TAIL_EIGHT)
    memcpy(sims + tail_at, &wide_tail, sizeof wide_tail);
  if (tail == TAIL_TWO_FOURS)
    memcpy(sims, &first_four, sizeof first_four);
  if (tail == TAIL_FOUR || tail == TAIL_TWO_FOURS)
    memcpy(sims + tail_at, &narrow_tail, sizeof narrow_tail);
}

/* Similarity of row r with centroid j alone, into sims[j]. */
static inline __attribute__((always_inline)) void row_one(const th_matrix *m, size_t r, uint32_t k,
                                                          uint32_t j, const float *centroids,
                                                          float *restrict sims) {
  float sum = 0;
  for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
    sum += m->values[e] * centroids[(size_t)m->cols[e] * k + j];
  sims[j] = sum;
}

/* The last walk of th_row_similarities: centroids j .. k - 1 (at most 36, k at least 8): their
 * whole 8s and one tail block, so one walk of the row. */
#define LAST_WALK(EIGHTS)                                                                          \
  do {                                                                                             \
    uint32_t left = k - j - 8 * (EIGHTS); /* 0..7 */                                               \
    if (left == 0)                                                                                 \
      row_walk(m, r, k, j, centroids, sims, EIGHTS, TAIL_NONE);                                    \
    else if (left <= 4)                                                                            \
      row_walk(m, r, k, j, centroids, sims, EIGHTS, TAIL_FOUR);                                    \
    else                                                                                           \
      row_walk(m, r, k, j, centroids, sims, EIGHTS, TAIL_EIGHT);                                   \
  } while (0)

/* Similarity of row r with every centroid, into sims[0..k): walks of 32 centroids while more
 * than 36 are left, then one walk for the rest (whole 8s and a block of 4 or 8 that ends at
 * centroid k - 1, recomputing a few similarities already summed rather than walking the row
 * again); k of 5..7 takes two blocks of 4 in one walk, k below 4 one walk per centroid. A
 * function of its own, not inlined into th_kmeans_run, whose loop invariants would take the
 * registers the walks need (they were spilled and reloaded on every term); TH_WIDE_LANES: 8
 * lanes are one AVX2 register, or two SSE ones. */
TH_WIDE_LANES __attribute__((noinline)) void th_row_similarities(const th_matrix *m, size_t r,
                                                                 uint32_t k, const float *centroids,
                                                                 float *restrict sims);
TH_WIDE_LANES __attribute__((noinline)) void th_row_similarities(const th_matrix *m, size_t r,
                                                                 uint32_t k, const float *centroids,
                                                                 float *restrict sims) {
  if (k < 4) {
    for (uint32_t j = 0; j < k; j++)
      row_one(m, r, k, j, centroids, sims);
    return;
  }
  if (k < 8) {
    if (k == 4)
      row_walk(m, r, k, 0, centroids, sims, 0, TAIL_FOUR);
    else
      row_walk(m, r, k, 0, centroids, sims, 0, TAIL_TWO_FOURS);
    return;
  }
  uint32_t j = 0;
  for (; k - j > 36; j += 32)
    row_walk(m, r, k, j, centroids, sims, 4, TAIL_NONE);
  switch ((k - j) / 8) { /* k - j is 5..36 here (5..7 only after a walk of 32) */
  case 0:
    LAST_WALK(0);
    break;
  case 1:
    LAST_WALK(1);
    break;
  case 2:
    LAST_WALK(2);
    break;
  case 3:
    LAST_WALK(3);
    break;
  default:
    LAST_WALK(4);
    break;
  }
}

/* The similarity cache (rows x k floats) and the compact centroids (columns x 3/4 k floats)
 * are each kept only when they fit in this many cells (8 MB), so that they add at most 16 MB
 * to the dense centroids refine.c bounds; otherwise every pass computes every similarity and
 * centroid, as without them (the same results). */
#define TH_CACHE_CELLS ((size_t)1 << 21)

/* th_centroids_normalize for 4 <= k <= 4 x `blocks` (blocks = k / 4 rounded up, at most
 * NORMALIZE_BLOCKS): one walk over the columns keeps every centroid's sum of squares in
 * registers, four doubles a block, the last block the 4 centroids ending at k - 1 (overlapping
 * the one before when k is not a multiple of 4: those lanes sum the same squares in the same
 * order, so they agree), and a second walk scales each column, all its blocks read before any
 * is written. Each lane is what the plain loops compute: the squares of its floats, widened,
 * summed in column order, then each float times the double scale, rounded back. */
#define NORMALIZE_BLOCKS 10
static inline __attribute__((always_inline)) void normalize_blocks(float *centroids,
                                                                   uint32_t columns, uint32_t k,
                                                                   double *norms,
                                                                   const uint32_t blocks) {
  doubles4 sums[NORMALIZE_BLOCKS] = {0}, scales[NORMALIZE_BLOCKS];
  uint32_t last = k - 4;
  for (size_t c = 0; c < columns; c++) {
    const float *column = centroids + c * k;
    _Pragma("GCC unroll 10") for (uint32_t b = 0; b < blocks; b++) {
      lanes4 values;
      memcpy(&values, column + (b + 1 < blocks ? 4 * b : last), sizeof values);
      doubles4 wide = WIDEN(values);
      sums[b] += wide * wide;
    }
  }
  for (uint32_t b = 0; b < blocks; b++)
    for (uint32_t lane = 0; lane < 4; lane++)
      norms[(b + 1 < blocks ? 4 * b : last) + lane] = sums[b][lane];
  for (uint32_t j = 0; j < k; j++)
    norms[j] = norms[j] > 0 ? 1.0 / sqrt(norms[j]) : 0;
  for (uint32_t b = 0; b < blocks; b++)
    for (uint32_t lane = 0; lane < 4; lane++)
      scales[b][lane] = norms[(b + 1 < blocks ? 4 * b : last) + lane];
  for (size_t c = 0; c < columns; c++) {
    float *column = centroids + c * k;
    lanes4 scaled[NORMALIZE_BLOCKS];
    _Pragma("GCC unroll 10") for (uint32_t b = 0; b < blocks; b++) {
      lanes4 values;
      memcpy(&values, column + (b + 1 < blocks ? 4 * b : last), sizeof values);
      doubles4 product = WIDEN(values) * scales[b];
      scaled[b] =
          (lanes4){(float)product[0], (float)product[1], (float)product[2], (float)product[3]};
    }
    _Pragma("GCC unroll 10") for (uint32_t b = 0; b < blocks; b++)
        memcpy(column + (b + 1 < blocks ? 4 * b : last), &scaled[b], sizeof scaled[b]);
  }
}

TH_WIDE_LANES void th_centroids_normalize(float *centroids, uint32_t columns, uint32_t k,
                                          double *norms) {
#define NORMALIZE_BLOCKS_OF(BLOCKS) normalize_blocks(centroids, columns, k, norms, BLOCKS)
  TH_BLOCKS_OF_FOUR(k, NORMALIZE_BLOCKS_OF);
#undef NORMALIZE_BLOCKS_OF
  /* fewer than 4 or more than 40 centroids: lane by lane */
  for (uint32_t j = 0; j < k; j++)
    norms[j] = 0;
  for (size_t c = 0; c < columns; c++)
    for (uint32_t j = 0; j < k; j++)
      norms[j] += (double)centroids[c * k + j] * centroids[c * k + j];
  for (uint32_t j = 0; j < k; j++)
    norms[j] = norms[j] > 0 ? 1.0 / sqrt(norms[j]) : 0;
  for (size_t c = 0; c < columns; c++)
    for (uint32_t j = 0; j < k; j++)
      centroids[c * k + j] = (float)(centroids[c * k + j] * norms[j]);
}

/* The first of k similarities (k >= 1, none NaN) that none exceeds: the largest value first,
 * 8 lanes at a time for 8 or more (a maximum is the same in any order; the last block ends at
 * k - 1, overlapping the one before), then the first entry equal to it (+0 and -0 compare
 * equal, as they do for a one-by-one scan keeping the first greater), found by skipping the
 * blocks of 8 that hold none (the first block that does holds it: earlier ones held none). */
typedef int32_t mask8 __attribute__((vector_size(8 * sizeof(int32_t))));
static inline __attribute__((always_inline)) uint32_t first_most_similar(const float *sims,
                                                                         uint32_t k) {
  float best_value = sims[0];
  if (k >= 8) {
    lanes8 top;
    memcpy(&top, sims, sizeof top);
    for (uint32_t j = 8; j < k; j += 8) {
      lanes8 next;
      memcpy(&next, sims + (j + 8 <= k ? j : k - 8), sizeof next);
      mask8 greater = next > top; /* top = greater ? next : top */
      top = (lanes8)((greater & (mask8)next) | (~greater & (mask8)top));
    }
    best_value = top[0];
    for (int lane = 1; lane < 8; lane++)
      best_value = top[lane] > best_value ? top[lane] : best_value;
  } else {
    for (uint32_t j = 1; j < k; j++)
      best_value = sims[j] > best_value ? sims[j] : best_value;
  }
  uint32_t best = 0;
  if (k >= 8) { /* whole blocks of 8 until one holds it (the last block ends at k - 1) */
    lanes8 wanted = (lanes8){0} + best_value;
    for (;; best += 8) {
      if (best + 8 > k)
        best = k - 8;
      lanes8 block;
      memcpy(&block, sims + best, sizeof block);
      mask8 equal = block == wanted;
      uint64_t words[4];
      memcpy(words, &equal, sizeof words);
      if (words[0] | words[1] | words[2] | words[3])
        break;
    }
  }
  while (sims[best] != best_value)
    best++;
  return best;
}

/* Vector operations per term that th_row_similarities spends on `k` centroids. */
static uint32_t block_cost(uint32_t k) {
  uint32_t left = k % 32 % 8;
  if (k < 4)
    return k;
  return k / 32 * 4 + k % 32 / 8 + (left > 4 && k < 8 ? 2 : left > 0);
}

/* Work arrays of th_kmeans_run. */
typedef struct lloyd {
  const th_matrix *m;
  uint32_t k;
  float *cache;   /* rows x k similarities, or NULL (too large) */
  float *sims;    /* k: one row's similarities without a cache */
  float *compact; /* columns x changed: the changed centroids side by side */
  float *compact_sims;
  uint32_t *changed; /* the changed centroids' indices */
  uint32_t *slot;    /* per changed centroid: its place in `changed` */
  uint32_t changed_count;
  /* the changed centroids are in `compact` alone, not yet copied into the dense centroids: a
   * pass that reads them from compact does not need them there, and when they change again
   * before a pass reads the dense ones, the copy is never made */
  int pending;
  uint32_t *stale; /* 2 x k: scratch of flush_pending, the pending centroids' places in compact,
                      then their indices */
  char *dirty;     /* per centroid: its member set changed */
  int32_t *used;   /* per row: the label the current centroids were computed with */
  double *norms;
  size_t *sizes;
} lloyd;

/* Row r's similarities to every centroid: from the cache, computing those to the changed
 * centroids (all of them on the first pass or without a cache). Returns k floats. */
static inline __attribute__((always_inline)) const float *
row_all(lloyd *l, size_t r, const float *centroids, int first) {
  float *row = l->cache ? l->cache + r * l->k : l->sims;
  if (first || !l->cache || !l->compact) {
    th_row_similarities(l->m, r, l->k, centroids, row);
  } else {
    th_row_similarities(l->m, r, l->changed_count, l->compact, l->compact_sims);
    for (uint32_t i = 0; i < l->changed_count; i++)
      row[l->changed[i]] = l->compact_sims[i];
  }
  return row;
}

/* Adds row r's values into the centroid whose cell of column c is lane[c x stride] (one of
 * stride centroids side by side), two terms a loop iteration. */
static inline __attribute__((always_inline)) void add_row(const th_matrix *m, size_t r, float *lane,
                                                          size_t stride) {
  __asm__("" : "+r"(lane)); /* one register: GCC would add the lane to every term's index */
  _Pragma("GCC unroll 2") for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
      lane[m->cols[e] * stride] += m->values[e];
}

/* Copies the pending centroids (l->changed, side by side in l->compact) into the dense
 * `centroids`, all of them, or with `skip_dirty` only those l->dirty does not mark (the others
 * are about to be computed again). */
static void flush_pending(lloyd *l, float *centroids, int skip_dirty) {
  if (!l->pending)
    return;
  l->pending = 0;
  uint32_t k = l->k, d = l->changed_count, count = 0;
  uint32_t *from = l->stale, *to = l->stale + k;
  for (uint32_t i = 0; i < d; i++)
    if (!skip_dirty || !l->dirty[l->changed[i]]) {
      from[count] = i;
      to[count++] = l->changed[i];
    }
  if (!count)
    return;
  const float *compact = l->compact;
  for (size_t c = 0; c < l->m->columns; c++) {
    const float *column = compact + c * d;
    float *dense = centroids + c * k;
    _Pragma("GCC unroll 2") for (uint32_t f = 0; f < count; f++) dense[to[f]] = column[from[f]];
  }
}

/* Recomputes the centroids whose member set changed since they were computed (all of them
 * after the first pass) and lists them in l->changed. When at most 3/4 of them changed (the
 * room of compact_memory), they are summed and normalized side by side in compact_memory
 * (the same sums in the same order, so the same floats); l->compact then points there if
 * computing the rows' similarities to them alone pays, and they are left pending there (see
 * lloyd.pending), else they are copied into `centroids` and l->compact is NULL. */
static void update_centroids(lloyd *l, const int32_t *labels, float *centroids, int first,
                             float *compact_memory) {
  const th_matrix *m = l->m;
  uint32_t k = l->k, columns = m->columns;
  memset(l->dirty, first, k);
  for (size_t r = 0; r < m->rows; r++) {
    if (first)
      l->used[r] = labels[r];
    if (l->used[r] == labels[r])
      continue;
    if (l->used[r] >= 0)
      l->dirty[l->used[r]] = 1;
    if (labels[r] >= 0)
      l->dirty[labels[r]] = 1;
    l->used[r] = labels[r];
  }
  uint32_t dirty_count = 0;
  for (uint32_t j = 0; j < k; j++)
    dirty_count += l->dirty[j] != 0;
  if (!compact_memory || dirty_count > k - k / 4)
    l->pending = 0; /* every centroid is computed again below */
  else
    flush_pending(l, centroids, 1); /* before compact_memory is overwritten */
  uint32_t d = 0;
  for (uint32_t j = 0; j < k; j++)
    if (l->dirty[j]) {
      l->slot[j] = d;
      l->changed[d++] = j;
    }
  l->changed_count = d;
  l->compact = NULL;
  if (!compact_memory || d > k - k / 4) { /* one dense sweep, as for the first pass */
    memset(centroids, 0, (size_t)columns * k * sizeof(float));
    for (size_t r = 0; r < m->rows; r++)
      if (labels[r] >= 0)
        add_row(m, r, centroids + labels[r], k);
    th_centroids_normalize(centroids, columns, k, l->norms);
    return;
  }
  memset(compact_memory, 0, (size_t)columns * d * sizeof(float));
  for (size_t r = 0; r < m->rows; r++) {
    if (labels[r] < 0 || !l->dirty[labels[r]])
      continue;
    add_row(m, r, compact_memory + l->slot[labels[r]], d);
  }
  th_centroids_normalize(compact_memory, columns, d, l->norms);
  l->compact = compact_memory;
  l->pending = 1;
  /* the rows' walks over the changed centroids alone pay when they take fewer vector
   * operations a term (one fewer outweighs copying a row's d similarities into the cache: a
   * row has tens of terms); else the next pass reads the dense centroids */
  if (block_cost(d) >= block_cost(k)) {
    flush_pending(l, centroids, 0);
    l->compact = NULL;
  }
}

TH_WIDE_LANES double th_kmeans_run(const th_matrix *m, uint32_t k, float *centroids,
                                   int32_t *labels, float *similarity, uint32_t iterations,
                                   int *converged) {
  size_t n = m->rows;
  lloyd l = {.m = m, .k = k};
  int cached =
      n && (size_t)n * k <= TH_CACHE_CELLS && (size_t)m->columns * (k - k / 4) <= TH_CACHE_CELLS;
  l.cache = cached ? th_alloc(n * k * sizeof(float)) : NULL;
  float *compact_memory =
      cached ? th_alloc(((size_t)m->columns * (k - k / 4) + 1) * sizeof(float)) : NULL;
  l.sims = th_alloc((k + 1) * sizeof(float));
  l.compact_sims = th_alloc((k + 1) * sizeof(float));
  l.changed = th_alloc((k + 1) * sizeof(uint32_t));
  l.slot = th_alloc((k + 1) * sizeof(uint32_t));
  l.stale = th_alloc((2 * (size_t)k + 1) * sizeof(uint32_t));
  l.dirty = th_alloc(k + 1);
  l.used = th_alloc((n + 1) * sizeof(int32_t));
  l.norms = th_alloc((k + 1) * sizeof(double));
  l.sizes = th_alloc((k + 1) * sizeof(size_t));
  double objective = -1;
  if (converged)
    *converged = 0;
  if ((cached && (!l.cache || !compact_memory)) || !l.sims || !l.compact_sims || !l.changed ||
      !l.slot || !l.stale || !l.dirty || !l.used || !l.norms || !l.sizes)
    goto done;
  for (size_t r = 0; r < n; r++)
    labels[r] = -2;
  for (uint32_t pass = 0; pass <= iterations; pass++) {
    size_t changed = 0;
    objective = 0;
    for (uint32_t j = 0; j < k; j++)
      l.sizes[j] = 0;
    for (size_t r = 0; r < n; r++) {
      if (m->offsets[r] == m->offsets[r + 1]) {
        labels[r] = -1;
        similarity[r] = 0;
        continue;
      }
      const float *sims = row_all(&l, r, centroids, pass == 0);
      uint32_t best = first_most_similar(sims, k);
      changed += labels[r] != (int32_t)best;
      labels[r] = (int32_t)best;
      similarity[r] = (float)sims[best];
      objective += sims[best];
      l.sizes[best]++;
    }
    int settled = changed * 1000 <= n; /* converged: at most one row in a thousand moved */
    if (settled || pass == iterations) {
      if (converged)
        *converged = settled;
      break;
    }
    /* an empty cluster takes the row least similar to its own centroid */
    for (uint32_t j = 0; j < k; j++) {
      if (l.sizes[j])
        continue;
      size_t worst = n;
      for (size_t r = 0; r < n; r++)
        if (labels[r] >= 0 && l.sizes[labels[r]] > 1 &&
            (worst == n || similarity[r] < similarity[worst]))
          worst = r;
      if (worst == n)
        continue;
      l.sizes[labels[worst]]--;
      labels[worst] = (int32_t)j;
      similarity[worst] = 1;
      l.sizes[j] = 1;
    }
    update_centroids(&l, labels, centroids, pass == 0, compact_memory);
  }
  flush_pending(&l, centroids, 0);
done:
  th_free(l.cache);
  th_free(compact_memory);
  th_free(l.sims);
  th_free(l.compact_sims);
  th_free(l.changed);
  th_free(l.slot);
  th_free(l.stale);
  th_free(l.dirty);
  th_free(l.used);
  th_free(l.norms);
  th_free(l.sizes);
  return objective;
}
