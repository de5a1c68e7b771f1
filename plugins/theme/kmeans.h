/* plugins/theme/kmeans.h - sparse row matrices and the clustering steps of refine.c:
 * neighbour smoothing (smooth.c), k-means++ seeding (kmeans.c), average-linkage merging (merge.c),
 * restarts (restarts.c) and spherical k-means passes (lloyd.c).
 * Centroids are dense and column-major (centroid j of column c at [c * k + j]) so that a
 * sparse row meets all k centroids in one contiguous run per term. */
#ifndef THEME_KMEANS_H
#define THEME_KMEANS_H

#include <stddef.h>
#include <stdint.h>

/* Lanes for the vector loops of lloyd.c and merge.c (GCC vector extensions: one AVX2 register,
 * or two SSE ones, in the TH_WIDE_LANES clones). WIDEN: four floats widened to doubles, lane by
 * lane (which compiles to one conversion, where __builtin_convertvector went through halves
 * and the stack); a macro, not a function that returns a 32-byte vector, whose ABI differs
 * between the clones. */
typedef float lanes8 __attribute__((vector_size(8 * sizeof(float))));
typedef float lanes4 __attribute__((vector_size(4 * sizeof(float))));
typedef double doubles4 __attribute__((vector_size(4 * sizeof(double))));
#define WIDEN(values) ((doubles4){(values)[0], (values)[1], (values)[2], (values)[3]})

/* Runs CALL(blocks) for the number of blocks of 4 that cover `lanes` lanes, 1 to 10 (4 to 40
 * lanes), each with a constant count (each its own unrolled loop), and returns; does nothing
 * for fewer than 4 or more than 40 lanes. */
#define TH_BLOCKS_OF_FOUR(lanes, CALL)                                                             \
  switch ((lanes) >= 4 ? ((lanes) + 3) / 4 : 0) {                                                  \
  case 1:                                                                                          \
    CALL(1);                                                                                       \
    return;                                                                                        \
  case 2:                                                                                          \
    CALL(2);                                                                                       \
    return;                                                                                        \
  case 3:                                                                                          \
    CALL(3);                                                                                       \
    return;                                                                                        \
  case 4:                                                                                          \
    CALL(4);                                                                                       \
    return;                                                                                        \
  case 5:                                                                                          \
    CALL(5);                                                                                       \
    return;                                                                                        \
  case 6:                                                                                          \
    CALL(6);                                                                                       \
    return;                                                                                        \
  case 7:                                                                                          \
    CALL(7);                                                                                       \
    return;                                                                                        \
  case 8:                                                                                          \
    CALL(8);                                                                                       \
    return;                                                                                        \
  case 9:                                                                                          \
    CALL(9);                                                                                       \
    return;                                                                                        \
  case 10:                                                                                         \
    CALL(10);                                                                                      \
    return;                                                                                        \
  default:                                                                                         \
    break;                                                                                         \
  }

/* Sparse rows: row i is cols/values[offsets[i] .. offsets[i+1]), L2-normalized or empty. */
typedef struct th_matrix {
  size_t rows;
  uint32_t columns;
  size_t *offsets;
  uint32_t *cols;
  float *values;
} th_matrix;

/* Frees the rows and empties the matrix (not the struct). */
void th_matrix_release(th_matrix *m);

/* Scales values[0..count-1] to unit length (all-zero values stay zero). */
void th_normalize(float *values, size_t count);

/* Builds *out with row i = in_i + weight * sum over in_i's `neighbors` most similar rows j of
 * sim(i, j) * in_j, cut to its `max_terms` heaviest terms (0: no cut), renormalized
 * (smooth.c). Ranges of rows are smoothed on up to `threads` threads, with the same result.
 * 0, or -1 on OOM (*out then released). */
int th_smooth(const th_matrix *in, uint32_t neighbors, double weight, uint32_t max_terms,
              uint32_t threads, th_matrix *out);

/* k-means++ seeding (cosine distance) from the generator state *random: fills `centroids`
 * (columns x k, column-major, all zero on entry) with k distinct non-empty rows. Returns the
 * number of centroids seeded (less than k when there are fewer non-empty rows), or -1 on OOM.
 * It draws exactly one number from *random per centroid seeded (restarts.c relies on it). */
int th_kmeans_seed(const th_matrix *m, uint32_t k, uint64_t *random, float *centroids);

/* Which entries of a matrix hold each column (column c's are entries[start[c] .. start[c + 1]),
 * ascending) and the row of every entry, so that a seeding pick meets only the rows sharing a
 * column with it. Read-only once built: the restarts of a batch share one (restarts.c).
 * Entry numbers are 32-bit (the sample holds a few hundred thousand). */
typedef struct th_seed_postings {
  size_t *start;
  uint32_t *entries;
  uint32_t *row_of;
} th_seed_postings;

/* 0, or -1 on OOM or when the matrix has too many entries for 32-bit numbers (p released). */
int th_seed_postings_build(const th_matrix *m, th_seed_postings *p);
/* Frees the lists and empties p. */
void th_seed_postings_release(th_seed_postings *p);

/* th_kmeans_seed with the matrix's postings already built (th_kmeans_seed builds its own). */
int th_kmeans_seed_from(const th_matrix *m, const th_seed_postings *postings, uint32_t k,
                        uint64_t *random, float *centroids);

/* th_kmeans_seed's draw of the next row: row r weighs (1 - closest[r])^2 (0 when closest[r]
 * is 1 or more: empty rows and rows equal to a centroid), and the row picked is the one the
 * draw of one number from *random lands on (the last row of weight > 0 when rounding runs
 * past the end). n when every row weighs 0 (nothing drawn then). */
size_t th_kmeans_draw(const double *closest, size_t n, uint64_t *random);

/* Scales each of the k column-major centroids (columns x k) to unit length (all-zero ones stay
 * zero); norms: k doubles of scratch. */
void th_centroids_normalize(float *centroids, uint32_t columns, uint32_t k, double *norms);

/* Spherical k-means (lloyd.c) from `centroids` (updated in place) for at most `iterations` passes.
 * Fills labels (-1 for empty rows) and similarity to the own centroid, and when `converged` is
 * not NULL sets it to whether the run stopped because at most one row in a thousand moved
 * (rather than at its last pass). Returns the objective (sum of similarities), or -1 on OOM. */
double th_kmeans_run(const th_matrix *m, uint32_t k, float *centroids, int32_t *labels,
                     float *similarity, uint32_t iterations, int *converged);

/* Restarts are compared after this many passes, and only the best goes on (th_best_of_restarts).
 * By then the restarts' objectives nearly always rank as they will at convergence; where they
 * do not, the final objectives are all but tied (on the 50 MB bench corpus: 0.003% apart). On
 * the evaluation sets (bench/eval_themes.py, 21 seeds, every run and themes mode) NMI changed
 * in 44 of 336 runs, 24 lower and 20 higher, the mean by -0.0002 (theme/README.md, Figures). */
#define TH_RESTART_COMPARE_PASSES 8

/* Runs `restarts` k-means with k clusters, each seeded by th_kmeans_seed from *random
 * (restarts.c), for at most TH_RESTART_COMPARE_PASSES passes; the first restart with the best
 * objective then goes on from where it stopped, for at most `iterations` passes in all, and
 * its result is left in centroids/labels/similarity. Up to `threads` restarts run at once on
 * threads (fewer when their memory would be large), with the same draws and the same result
 * as one at a time. 0, or -1 on OOM. */
int th_best_of_restarts(const th_matrix *m, uint32_t k, uint32_t restarts, uint32_t iterations,
                        uint32_t threads, uint64_t *random, float *centroids, int32_t *labels,
                        float *similarity);

/* Merges the clusters given by labels (0..from-1) pairwise, most similar first (average
 * similarity between members), until `to` remain; writes their normalized centroids to
 * `centroids` (columns x to, column-major). The Gram matrix of cluster sums is computed on up
 * to `threads` threads, with the same result (merge.c). 0, or -1 on OOM. */
int th_kmeans_merge(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                    uint32_t threads, float *centroids);

/* As th_kmeans_merge, and when `quality` is not NULL (from + 1 entries) sets quality[c] to the
 * modularity of the grouping when c groups remain (NAN for counts never reached): the
 * records' similarity graph (edge weights x_i . x_j, from the Gram matrix of cluster sums),
 * sum over groups of (weight within - degree^2 / total weight) / total weight. When `folds`
 * is not NULL (2 x from entries) it receives the pairs folded, in order, for
 * th_kmeans_merge_replay. */
int th_kmeans_merge_scored(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                           uint32_t threads, float *centroids, double *quality, uint32_t *folds);

/* The result of th_kmeans_merge(m, labels, from, to) from the `folds` a th_kmeans_merge_scored
 * of the same m and labels down to `to` or fewer recorded: the same folds without computing
 * the Gram matrix again. 0, or -1 on OOM. */
int th_kmeans_merge_replay(const th_matrix *m, const int32_t *labels, uint32_t from, uint32_t to,
                           const uint32_t *folds, float *centroids);

#endif /* THEME_KMEANS_H */
