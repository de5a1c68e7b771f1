/* tests/plugins/theme/test_theme_kmeans.c - th_kmeans_run (lloyd.c), which recomputes only the
 * centroids whose members changed and reuses rows' similarities to the others, against a plain
 * Lloyd reference that recomputes everything every pass: labels, similarities, objective and
 * centroids must be equal bit for bit; th_kmeans_seed against a plain seeding that walks every
 * row for every pick. Likewise the other fast paths against their plain form:
 * th_online_dots and th_online_importance (online.c, 8 lanes wide on AVX2) and
 * th_online_add_squares (4 lanes) against one theme at a time; th_online_mark_top (prune's
 * kept rows, by float buckets) against th_select_top; th_kmeans_merge on threads and
 * replayed from recorded folds (merge.c) against one thread, and its Gram matrix (through the
 * modularity it gives) against a plain one; th_hash_norm_stem (common.h, one pass when the stem is
 * a prefix) against two hashes; th_ranked_sort and th_keyed_sort (common.c) against qsort;
 * th_smooth (smooth.c) against a plain smoothing that compares every pair of rows.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "common.h"
#include "kmeans.h"
#include "online.h"

/* A sparse matrix of `rows` unit rows over `columns` columns, in `groups` topics (each row
 * mostly draws columns from its topic's band, sometimes anywhere); every 17th row is empty. */
static void make_matrix(th_matrix *m, size_t rows, uint32_t columns, uint32_t groups,
                        uint64_t seed) {
  memset(m, 0, sizeof(*m));
  m->rows = rows;
  m->columns = columns;
  m->offsets = malloc((rows + 1) * sizeof(size_t));
  m->cols = malloc((rows * 32 + 1) * sizeof(uint32_t));
  m->values = malloc((rows * 32 + 1) * sizeof(float));
  uint64_t random = seed;
  size_t at = 0;
  char *seen = calloc(columns, 1);
  for (size_t r = 0; r < rows; r++) {
    m->offsets[r] = at;
    size_t start = at;
    uint32_t terms = r % 17 == 3 ? 0 : 4 + (uint32_t)(th_random_next(&random) % 28);
    uint32_t band = columns / groups, group = (uint32_t)(r % groups);
    for (uint32_t t = 0; t < terms; t++) {
      uint32_t col = th_random_next(&random) % 5 == 0
                         ? (uint32_t)(th_random_next(&random) % columns)
                         : group * band + (uint32_t)(th_random_next(&random) % band);
      if (seen[col])
        continue;
      seen[col] = 1;
      m->cols[at] = col;
      m->values[at++] = (float)(0.1 + th_random_unit(&random));
    }
    for (size_t e = start; e < at; e++)
      seen[m->cols[e]] = 0;
    th_normalize(m->values + start, at - start);
  }
  m->offsets[rows] = at;
  free(seen);
}

/* The plain algorithm: every similarity and every centroid, every pass. */
static double reference_run(const th_matrix *m, uint32_t k, float *centroids, int32_t *labels,
                            float *similarity, uint32_t iterations) {
  size_t n = m->rows;
  float *sims = malloc((k + 1) * sizeof(float));
  size_t *sizes = malloc((k + 1) * sizeof(size_t));
  double objective = 0;
  for (size_t r = 0; r < n; r++)
    labels[r] = -2;
  for (uint32_t pass = 0; pass <= iterations; pass++) {
    size_t changed = 0;
    objective = 0;
    memset(sizes, 0, k * sizeof(size_t));
    for (size_t r = 0; r < n; r++) {
      if (m->offsets[r] == m->offsets[r + 1]) {
        labels[r] = -1;
        similarity[r] = 0;
        continue;
      }
      for (uint32_t j = 0; j < k; j++) {
        float sum = 0;
        for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
          sum += m->values[e] * centroids[(size_t)m->cols[e] * k + j];
        sims[j] = sum;
      }
      uint32_t best = 0;
      for (uint32_t j = 1; j < k; j++)
        if (sims[j] > sims[best])
          best = j;
      changed += labels[r] != (int32_t)best;
      labels[r] = (int32_t)best;
      similarity[r] = sims[best];
      objective += sims[best];
      sizes[best]++;
    }
    if (changed * 1000 <= n || pass == iterations)
      break;
    for (uint32_t j = 0; j < k; j++) {
      if (sizes[j])
        continue;
      size_t worst = n;
      for (size_t r = 0; r < n; r++)
        if (labels[r] >= 0 && sizes[labels[r]] > 1 &&
            (worst == n || similarity[r] < similarity[worst]))
          worst = r;
      if (worst == n)
        continue;
      sizes[labels[worst]]--;
      labels[worst] = (int32_t)j;
      similarity[worst] = 1;
      sizes[j] = 1;
    }
    memset(centroids, 0, (size_t)m->columns * k * sizeof(float));
    for (size_t r = 0; r < n; r++)
      if (labels[r] >= 0)
        for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
          centroids[(size_t)m->cols[e] * k + (uint32_t)labels[r]] += m->values[e];
    for (uint32_t j = 0; j < k; j++) {
      double norm = 0;
      for (size_t c = 0; c < m->columns; c++)
        norm += (double)centroids[c * k + j] * centroids[c * k + j];
      norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
      for (size_t c = 0; c < m->columns; c++)
        centroids[c * k + j] = (float)(centroids[c * k + j] * norm);
    }
  }
  free(sims);
  free(sizes);
  return objective;
}

static const struct {
  uint32_t k;
  size_t rows;
  uint32_t columns, groups, iterations;
} run_cases[] = {
    {1, 60, 50, 2, 25},
    {5, 700, 300, 5, 25},
    {12, 700, 400, 8, 25},
    {36, 900, 600, 12, 25},
    {40, 900, 600, 20, 3},
    {36, 30, 200, 6, 25}, /* empty clusters */
    {13, 2000, 1500, 30, 25},
    {40, 300, 80000, 10, 6}, /* too wide for lloyd.c's cache */
    /* every tail row_similarities handles after its blocks of 32 and 8 (1-7 centroids left,
     * k below 4, 4 to 7, and above 8), in full passes and in the changed-centroid passes */
    {2, 200, 100, 3, 25},
    {3, 200, 100, 3, 25},
    {6, 700, 300, 6, 25},
    {7, 700, 300, 7, 25},
    {9, 700, 400, 9, 25},
    {10, 700, 400, 8, 25},
    {11, 700, 400, 11, 25},
    {15, 900, 500, 15, 25},
    {34, 900, 600, 12, 25},
    {39, 900, 600, 20, 25},
    /* one walk of the row for up to 36 centroids, walks of 32 before it above that */
    {4, 200, 100, 4, 25},
    {8, 300, 200, 8, 10},
    {16, 300, 300, 16, 10},
    {35, 300, 400, 12, 6},
    {37, 300, 400, 12, 6},
    {38, 300, 400, 12, 6},
    {44, 300, 400, 12, 6},
    {45, 300, 400, 12, 6},
    {69, 300, 400, 12, 4},
    {75, 300, 400, 12, 4},
};

/* What a k-means run fills: its centroids (columns x k), and per row a label and a similarity. */
typedef struct run_outputs {
  float *centroids;
  int32_t *labels;
  float *similarity;
} run_outputs;

static run_outputs run_outputs_new(const th_matrix *m, uint32_t k) {
  run_outputs out = {malloc((size_t)m->columns * k * sizeof(float)),
                     malloc(m->rows * sizeof(int32_t)), malloc(m->rows * sizeof(float))};
  ck_assert(out.centroids && out.labels && out.similarity);
  return out;
}

static void run_outputs_free(run_outputs *out) {
  free(out->centroids);
  free(out->labels);
  free(out->similarity);
}

/* Bit for bit. */
static void assert_same_outputs(const run_outputs *mine, const run_outputs *plain,
                                const th_matrix *m, uint32_t k) {
  ck_assert_mem_eq(mine->labels, plain->labels, m->rows * sizeof(int32_t));
  ck_assert_mem_eq(mine->similarity, plain->similarity, m->rows * sizeof(float));
  ck_assert_mem_eq(mine->centroids, plain->centroids, (size_t)m->columns * k * sizeof(float));
}

START_TEST(kmeans_run_equals_plain_lloyd) {
  uint32_t k = run_cases[_i].k, iterations = run_cases[_i].iterations;
  th_matrix m;
  make_matrix(&m, run_cases[_i].rows, run_cases[_i].columns, run_cases[_i].groups, 7 + _i);
  size_t cells = (size_t)m.columns * k;
  float *seeded = calloc(cells, sizeof(float));
  run_outputs mine = run_outputs_new(&m, k), plain = run_outputs_new(&m, k);
  uint64_t random = 42;
  ck_assert_int_ge(th_kmeans_seed(&m, k, &random, seeded), 1);
  memcpy(mine.centroids, seeded, cells * sizeof(float));
  memcpy(plain.centroids, seeded, cells * sizeof(float));
  double objective =
      th_kmeans_run(&m, k, mine.centroids, mine.labels, mine.similarity, iterations, NULL);
  double expected =
      reference_run(&m, k, plain.centroids, plain.labels, plain.similarity, iterations);
  ck_assert(objective == expected);
  assert_same_outputs(&mine, &plain, &m, k);
  free(seeded);
  run_outputs_free(&mine);
  run_outputs_free(&plain);
  th_matrix_release(&m);
}
END_TEST

/* th_best_of_restarts against the rule it keeps, computed plainly: each restart seeded in turn
 * and run TH_RESTART_COMPARE_PASSES passes, the first with the best objective then run whole
 * from its seed. Bit for bit, so the winner's going on ends where one run whole does. _i picks
 * the matrix: in case 1 the winner has converged by the comparison (it must not go on), in
 * cases 2 to 5 it has not (it must). Small matrices: the suite also runs under sanitizers. */
START_TEST(restarts_compare_early_and_the_best_goes_on) {
  enum { K = 10, RESTARTS = 4, ITERATIONS = 25 };
  th_matrix m;
  make_matrix(&m, 900 + 100 * (size_t)_i, 400, 1 + (uint32_t)_i, 21 + _i);
  size_t cells = (size_t)m.columns * K;
  float *seeds = calloc(RESTARTS * cells, sizeof(float));
  run_outputs mine = run_outputs_new(&m, K), plain = run_outputs_new(&m, K);
  uint64_t random = 42 + _i, drawn = random;
  uint32_t winner = 0;
  double best = -1;
  for (uint32_t t = 0; t < RESTARTS; t++) {
    ck_assert_int_eq(th_kmeans_seed(&m, K, &drawn, seeds + t * cells), K);
    memcpy(plain.centroids, seeds + t * cells, cells * sizeof(float));
    double objective = reference_run(&m, K, plain.centroids, plain.labels, plain.similarity,
                                     TH_RESTART_COMPARE_PASSES);
    if (t == 0 || objective > best) {
      best = objective;
      winner = t;
    }
  }
  memcpy(plain.centroids, seeds + winner * cells, cells * sizeof(float));
  reference_run(&m, K, plain.centroids, plain.labels, plain.similarity, ITERATIONS);
  ck_assert_int_eq(th_best_of_restarts(&m, K, RESTARTS, ITERATIONS, 1 + (uint32_t)_i % 2, &random,
                                       mine.centroids, mine.labels, mine.similarity),
                   0);
  ck_assert_uint_eq(random, drawn);
  assert_same_outputs(&mine, &plain, &m, K);
  free(seeds);
  run_outputs_free(&mine);
  run_outputs_free(&plain);
  th_matrix_release(&m);
}
END_TEST

/* k-means++ seeding as it was first written: every row's dot product with each pick, walking
 * all of the row's terms (the draw itself is th_kmeans_draw, shared). */
static int reference_seed(const th_matrix *m, uint32_t k, uint64_t *random, float *centroids) {
  size_t n = m->rows;
  double *closest = malloc((n + 1) * sizeof(double));
  double *dense = calloc(m->columns + 1, sizeof(double));
  size_t nonempty = 0;
  for (size_t r = 0; r < n; r++) {
    int empty = m->offsets[r] == m->offsets[r + 1];
    closest[r] = empty ? 1.0 : -1.0;
    nonempty += !empty;
  }
  uint32_t seeded = 0;
  while (seeded < k && seeded < nonempty) {
    size_t pick = th_kmeans_draw(closest, n, random);
    if (pick == n)
      break;
    for (uint32_t c = 0; c < m->columns; c++)
      centroids[(size_t)c * k + seeded] = 0;
    for (size_t e = m->offsets[pick]; e < m->offsets[pick + 1]; e++) {
      centroids[(size_t)m->cols[e] * k + seeded] = m->values[e];
      dense[m->cols[e]] = m->values[e];
    }
    for (size_t r = 0; r < n; r++) {
      if (m->offsets[r] == m->offsets[r + 1])
        continue;
      double similarity = 0;
      for (size_t e = m->offsets[r]; e < m->offsets[r + 1]; e++)
        similarity += (double)m->values[e] * dense[m->cols[e]];
      if (r == pick)
        similarity = 1.0;
      if (similarity > closest[r])
        closest[r] = similarity;
    }
    for (size_t e = m->offsets[pick]; e < m->offsets[pick + 1]; e++)
      dense[m->cols[e]] = 0;
    seeded++;
  }
  free(closest);
  free(dense);
  return (int)seeded;
}

/* th_kmeans_seed (which adds only the entries of the columns a pick has, found through
 * posting lists) against reference_seed, bit for bit: the centroids, the count and the
 * generator state after, with k above the rows it can seed; on the odd cases some values are
 * negative and some rows list a column twice. */
/* One case of kmeans_seed_equals_plain_seeding: run_cases[i]'s shape. */
static void check_seeding(size_t i) {
  uint32_t k = run_cases[i].k;
  th_matrix m;
  make_matrix(&m, run_cases[i].rows, run_cases[i].columns, run_cases[i].groups, 11 + i);
  if (i % 2) {
    uint64_t random = 5 + (uint64_t)i;
    for (size_t r = 0; r < m.rows; r++) {
      size_t start = m.offsets[r], end = m.offsets[r + 1];
      for (size_t e = start; e < end; e++)
        if (th_random_next(&random) % 4 == 0)
          m.values[e] = -m.values[e];
      if (end - start >= 3 && r % 5 == 0)
        m.cols[end - 1] = m.cols[start];
    }
  }
  size_t cells = (size_t)m.columns * k;
  float *mine = calloc(cells, sizeof(float)), *plain = calloc(cells, sizeof(float));
  uint64_t random = 42 + (uint64_t)i, plain_random = random;
  int seeded = th_kmeans_seed(&m, k, &random, mine);
  ck_assert_int_eq(seeded, reference_seed(&m, k, &plain_random, plain));
  ck_assert_int_ge(seeded, 1);
  ck_assert(random == plain_random);
  ck_assert_mem_eq(mine, plain, cells * sizeof(float));
  free(mine);
  free(plain);
  th_matrix_release(&m);
}

START_TEST(kmeans_seed_equals_plain_seeding) {
  for (size_t i = 0; i < sizeof run_cases / sizeof run_cases[0]; i++)
    check_seeding(i);
}
END_TEST

/* th_online_dots against a loop over one theme at a time, bit for bit, for theme counts that
 * fill whole 8- and 4-lane vectors and leave every remainder, with rows missing (-1) and
 * weights of both signs. */
START_TEST(online_dots_equal_one_theme_at_a_time) {
  enum { ROWS = 40, STRIDE = 96, TERMS = 64 };
  static float cells[ROWS * STRIDE];
  uint64_t random = 99 + (uint64_t)_i;
  for (size_t c = 0; c < ROWS * STRIDE; c++)
    cells[c] = th_random_next(&random) % 3 == 0 ? 0.0f : (float)(th_random_unit(&random) - 0.3);
  int64_t rows[TERMS];
  float weights[TERMS];
  for (size_t i = 0; i < TERMS; i++) {
    rows[i] = th_random_next(&random) % 7 == 0 ? -1 : (int64_t)(th_random_next(&random) % ROWS);
    weights[i] = (float)(th_random_unit(&random) * 2 - 0.5);
  }
  size_t themes = (size_t)_i; /* 0 .. STRIDE */
  float dots[STRIDE + 1], plain[STRIDE + 1];
  dots[themes] = plain[themes] = 12345.0f; /* past the last theme: untouched */
  th_online_dots(cells, STRIDE, rows, weights, TERMS, themes, dots);
  for (size_t m = 0; m < themes; m++) {
    float sum = 0;
    for (size_t i = 0; i < TERMS; i++)
      if (rows[i] >= 0)
        sum += weights[i] * cells[(size_t)rows[i] * STRIDE + m];
    plain[m] = sum;
  }
  ck_assert_mem_eq(dots, plain, (themes + 1) * sizeof(float));
}
END_TEST

/* th_online_importance against the largest product taken one theme at a time, for every
 * theme count up to 96 (whole vectors and every remainder), with zero and negative cells. */
START_TEST(online_importance_equals_plain_maximum) {
  enum { ROWS = 24, STRIDE = 96 };
  static float cells[ROWS * STRIDE];
  float inverse_length[STRIDE];
  uint64_t random = 7 + (uint64_t)_i;
  for (size_t c = 0; c < ROWS * STRIDE; c++)
    cells[c] = th_random_next(&random) % 4 == 0 ? 0.0f : (float)(th_random_unit(&random) - 0.2);
  for (size_t m = 0; m < STRIDE; m++)
    inverse_length[m] = (float)(0.5 + th_random_unit(&random));
  size_t count = (size_t)_i;
  th_ranked ranked[ROWS];
  th_online_importance(cells, STRIDE, ROWS, inverse_length, count, ranked);
  for (uint32_t r = 0; r < ROWS; r++) {
    float plain = 0;
    for (size_t m = 0; m < count; m++) {
      float value = cells[(size_t)r * STRIDE + m] * inverse_length[m];
      if (value > plain)
        plain = value;
    }
    ck_assert_uint_eq(ranked[r].index, r);
    ck_assert_msg(ranked[r].weight == plain, "row %u: %g, plain %g", r, (double)ranked[r].weight,
                  (double)plain);
  }
}
END_TEST

/* th_online_mark_top (prune's kept rows, by buckets of the floats' high bits) marks the same
 * entries th_select_top puts first, for every `top` from 0 past the count: weights spread over
 * many exponents, with zeros, repeated values (ties broken by index) and values one bucket apart,
 * entries in shuffled index order. */
START_TEST(online_mark_top_equals_select_top) {
  enum { COUNT = 600 };
  static th_ranked ranked[COUNT], selected[COUNT];
  static char kept[COUNT];
  uint64_t random = 11 + (uint64_t)_i;
  for (uint32_t i = 0; i < COUNT; i++) {
    uint64_t kind = th_random_next(&random) % 5;
    float weight = kind == 0   ? 0.0f
                   : kind == 1 ? 0.25f /* many equal weights */
                   : kind == 2 ? (float)ldexp(th_random_unit(&random), -(int)(i % 40))
                               : (float)th_random_unit(&random);
    ranked[i] = (th_ranked){(uint32_t)((i * 7919u) % COUNT), weight}; /* shuffled indices */
  }
  for (uint32_t top = 0; top <= COUNT + 1; top += 1 + top / 8) {
    memcpy(selected, ranked, sizeof ranked);
    th_select_top(selected, COUNT, top);
    memset(kept, 0, sizeof kept);
    ck_assert_int_eq(th_online_mark_top(ranked, COUNT, top, kept), 0);
    uint32_t marked = 0;
    for (uint32_t i = 0; i < COUNT; i++)
      marked += kept[i];
    ck_assert_uint_eq(marked, (top < COUNT ? top : COUNT));
    for (uint32_t k = 0; k < top && k < COUNT; k++)
      ck_assert_msg(kept[selected[k].index], "top %u: index %u not marked", top, selected[k].index);
  }
}
END_TEST

/* th_online_add_squares against one theme at a time, bit for bit, over several rows added in
 * turn, for every theme count up to 96 (whole vectors and every remainder). */
START_TEST(online_squares_equal_one_theme_at_a_time) {
  enum { ROWS = 24, STRIDE = 96 };
  static float cells[ROWS * STRIDE];
  uint64_t random = 31 + (uint64_t)_i;
  for (size_t c = 0; c < ROWS * STRIDE; c++)
    cells[c] = th_random_next(&random) % 4 == 0 ? 0.0f : (float)(th_random_unit(&random) - 0.4);
  size_t count = (size_t)_i;
  double norms[STRIDE + 1], plain[STRIDE + 1];
  for (size_t m = 0; m <= STRIDE; m++)
    norms[m] = plain[m] = 0.25 * (double)m;
  th_online_add_squares(cells, STRIDE, ROWS, count, norms);
  for (size_t r = 0; r < ROWS; r++) {
    for (size_t m = 0; m < count; m++) {
      double value = cells[r * STRIDE + m];
      plain[m] += value * value;
    }
  }
  ck_assert_mem_eq(norms, plain, sizeof norms); /* past `count`: untouched */
}
END_TEST

/* th_hash_norm_stem gives each of the two strings the hash it has alone: stems that are a
 * prefix of the norm (or all of it, or empty), stems that are not, stems longer than the norm. */
START_TEST(norm_stem_hashes_equal_separate_hashes) {
  static const char *const pairs[][2] = {
      {"taxes", "tax"}, {"tax", "tax"}, {"running", "run"}, {"run", "running"},
      {"", ""},         {"abc", ""},    {"", "abc"},        {"mice", "mous"},
      {"ab", "abc"},    {"abd", "abc"}, {"é", "é"},         {"generously", "generous"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    const char *norm = pairs[i][0], *stem = pairs[i][1];
    uint32_t norm_hash = 0, stem_hash = 0;
    th_hash_norm_stem(norm, strlen(norm), stem, strlen(stem), &norm_hash, &stem_hash);
    ck_assert_uint_eq(norm_hash, th_hash_mix(th_hash_bytes(TH_HASH_START, norm, strlen(norm))));
    ck_assert_uint_eq(stem_hash, th_hash_mix(th_hash_bytes(TH_HASH_START, stem, strlen(stem))));
  }
}
END_TEST

/* Heaviest first, ties by the lower index: the order th_ranked_sort promises. */
static int compare_ranked_plain(const void *left, const void *right) {
  const th_ranked *a = left, *b = right;
  if (a->weight != b->weight)
    return a->weight < b->weight ? 1 : -1;
  return (a->index > b->index) - (a->index < b->index);
}

/* th_ranked_sort against qsort, for every count up to 200 (below a run of 8, whole and partial
 * runs, several merge rounds) with many equal weights and distinct indices. */
START_TEST(ranked_sort_equals_qsort) {
  th_ranked items[201], plain[201], scratch[201];
  for (size_t count = 0; count <= 200; count++) {
    uint64_t random = 17 + (uint64_t)count;
    for (size_t i = 0; i < count; i++) {
      items[i].index = (uint32_t)(th_random_next(&random) % 1000) * 256 + (uint32_t)i;
      items[i].weight = (float)(th_random_next(&random) % 9) * 0.25f;
    }
    memcpy(plain, items, count * sizeof(th_ranked));
    qsort(plain, count, sizeof(th_ranked), compare_ranked_plain);
    th_ranked_sort(items, count, scratch);
    ck_assert_mem_eq(items, plain, count * sizeof(th_ranked));
  }
}
END_TEST

static int compare_keyed_plain(const void *left, const void *right) {
  const th_keyed *a = left, *b = right;
  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

/* th_keyed_sort against qsort by key, then by original position (what a stable sort gives):
 * keys with many repeats, keys that differ only in their low bytes, only in their high bytes,
 * all equal (every pass skipped), and mostly small with a few large (bytes most keys share). */
START_TEST(keyed_sort_is_a_stable_sort) {
  enum { COUNT = 3000 };
  static th_keyed items[COUNT], plain[COUNT], scratch[COUNT];
  for (int variant = 0; variant < 15; variant++) {
    size_t count = variant == 0 ? 0 : variant == 1 ? 1 : COUNT - (size_t)variant;
    uint64_t random = 5 + (uint64_t)variant;
    for (size_t i = 0; i < count; i++) {
      uint64_t value = th_random_next(&random);
      uint64_t key = variant % 5 == 0   ? value % 37
                     : variant % 5 == 1 ? (value % 5) << 56 | 0x1234
                     : variant % 5 == 2 ? value
                     : variant % 5 == 3 ? 42
                                        : (value % 10 == 0 ? value >> 3 : value % 3);
      items[i] = (th_keyed){key, i};
    }
    memcpy(plain, items, count * sizeof(th_keyed));
    qsort(plain, count, sizeof(th_keyed), compare_keyed_plain);
    th_keyed_sort(items, count, scratch);
    ck_assert_mem_eq(items, plain, count * sizeof(th_keyed));
  }
}
END_TEST

/* th_kmeans_merge (merge.c) on several threads, and th_kmeans_merge_replay from the folds a
 * scored merge down to 2 recorded, against th_kmeans_merge on one thread, bit for bit, for
 * every target count. */
START_TEST(merge_replay_and_threads_equal_one_thread) {
  enum { FROM = 15 };
  th_matrix m;
  make_matrix(&m, 600, 240, 6, 5);
  size_t cells = (size_t)m.columns * FROM;
  float *centroids = calloc(cells, sizeof(float)), *plain = malloc(cells * sizeof(float)),
        *other = malloc(cells * sizeof(float)), *scratch = malloc(cells * sizeof(float));
  int32_t *labels = malloc(m.rows * sizeof(int32_t));
  float *similarity = malloc(m.rows * sizeof(float));
  uint64_t random = 3;
  ck_assert_int_eq(th_kmeans_seed(&m, FROM, &random, centroids), FROM);
  ck_assert(th_kmeans_run(&m, FROM, centroids, labels, similarity, 25, NULL) > 0);
  double quality[FROM + 1];
  uint32_t folds[2 * FROM];
  ck_assert_int_eq(th_kmeans_merge_scored(&m, labels, FROM, 2, 3, scratch, quality, folds), 0);
  for (uint32_t to = 2; to <= FROM; to++) {
    size_t bytes = (size_t)m.columns * to * sizeof(float);
    ck_assert_int_eq(th_kmeans_merge(&m, labels, FROM, to, 1, plain), 0);
    ck_assert_int_eq(th_kmeans_merge(&m, labels, FROM, to, 4, other), 0);
    ck_assert_mem_eq(plain, other, bytes);
    memset(other, 0, bytes);
    ck_assert_int_eq(th_kmeans_merge_replay(&m, labels, FROM, to, folds, other), 0);
    ck_assert_mem_eq(plain, other, bytes);
  }
  free(centroids);
  free(plain);
  free(other);
  free(scratch);
  free(labels);
  free(similarity);
  th_matrix_release(&m);
}
END_TEST

/* A candidate neighbour of the plain smoothing: a row and its similarity as a float. */
typedef struct plain_neighbor {
  size_t row;
  float similarity;
} plain_neighbor;

static int compare_neighbors_plain(const void *left, const void *right) {
  const plain_neighbor *a = left, *b = right;
  if (a->similarity != b->similarity)
    return a->similarity > b->similarity ? -1 : 1;
  return (a->row > b->row) - (a->row < b->row);
}

/* th_smooth as specified, without posting lists: row i's similarity to every row sharing a
 * term with it (the products summed in double in the order of row i's terms), all of them
 * sorted (most similar first, ties: the lower row), the first `neighbors` added to row i
 * (weight x similarity times their values, new terms in order of appearance), cut to the
 * `max_terms` heaviest (th_select_top then th_ranked_sort), normalized. */
static void smooth_plain(const th_matrix *in, uint32_t neighbors, double weight, uint32_t max_terms,
                         th_matrix *out) {
  size_t n = in->rows;
  double *other = calloc(in->columns, sizeof(double));
  float *dense = calloc(in->columns, sizeof(float));
  uint32_t *order = malloc(in->columns * sizeof(uint32_t));
  th_ranked *entries = malloc(in->columns * sizeof(th_ranked));
  th_ranked *scratch = malloc(in->columns * sizeof(th_ranked));
  plain_neighbor *candidates = malloc(n * sizeof(plain_neighbor));
  out->rows = n;
  out->columns = in->columns;
  out->offsets = malloc((n + 1) * sizeof(size_t));
  out->cols = malloc((n * in->columns + 1) * sizeof(uint32_t));
  out->values = malloc((n * in->columns + 1) * sizeof(float));
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    size_t count = 0;
    for (size_t j = 0; j < n; j++) {
      if (j == i)
        continue;
      for (size_t e = in->offsets[j]; e < in->offsets[j + 1]; e++)
        other[in->cols[e]] = in->values[e];
      double sum = 0;
      int shared = 0;
      for (size_t e = in->offsets[i]; e < in->offsets[i + 1]; e++)
        if (other[in->cols[e]] != 0) {
          sum += (double)in->values[e] * other[in->cols[e]];
          shared = 1;
        }
      for (size_t e = in->offsets[j]; e < in->offsets[j + 1]; e++)
        other[in->cols[e]] = 0;
      if (shared)
        candidates[count++] = (plain_neighbor){j, (float)sum};
    }
    qsort(candidates, count, sizeof(plain_neighbor), compare_neighbors_plain);
    size_t terms = 0;
    for (size_t e = in->offsets[i]; e < in->offsets[i + 1]; e++) {
      order[terms++] = in->cols[e];
      dense[in->cols[e]] = in->values[e];
    }
    for (size_t b = 0; b < count && b < neighbors; b++) {
      float scale = (float)(weight * candidates[b].similarity);
      for (size_t e = in->offsets[candidates[b].row]; e < in->offsets[candidates[b].row + 1]; e++) {
        uint32_t c = in->cols[e];
        if (dense[c] == 0)
          order[terms++] = c;
        dense[c] += scale * in->values[e];
        if (dense[c] == 0)
          dense[c] = 1e-30f;
      }
    }
    for (size_t t = 0; t < terms; t++) {
      entries[t] = (th_ranked){order[t], dense[order[t]]};
      dense[order[t]] = 0;
    }
    if (max_terms && terms > max_terms) {
      th_select_top(entries, terms, max_terms);
      th_ranked_sort(entries, max_terms, scratch);
      terms = max_terms;
    }
    out->offsets[i] = at;
    for (size_t t = 0; t < terms; t++) {
      out->cols[at] = entries[t].index;
      out->values[at++] = entries[t].weight;
    }
    th_normalize(out->values + out->offsets[i], terms);
  }
  out->offsets[n] = at;
  free(other);
  free(dense);
  free(order);
  free(entries);
  free(scratch);
  free(candidates);
}

/* th_smooth (smooth.c: posting lists, a list of the rows each row touches, the least kept
 * neighbour as a floor) against the plain smoothing, bit for bit, on 1 and 3 threads, with
 * rows repeated, or rows of two columns out of 12, so that many similarities tie (ties go to
 * the lower row wherever in the posting lists the tied rows turn up). */
START_TEST(smooth_equals_plain_smoothing) {
  th_matrix base, m = {0};
  make_matrix(&base, 300, 300, 6, 11 + _i);
  m.rows = 900; /* rows 300.. repeat rows of the first 300 */
  m.columns = base.columns;
  m.offsets = malloc((m.rows + 1) * sizeof(size_t));
  m.cols = malloc((3 * base.offsets[base.rows] + 2 * m.rows + 1) * sizeof(uint32_t));
  m.values = malloc((3 * base.offsets[base.rows] + 2 * m.rows + 1) * sizeof(float));
  size_t at = 0;
  uint64_t random = 5 + (uint64_t)_i;
  for (size_t r = 0; r < m.rows; r++) {
    if (_i % 2) { /* two of 12 columns, equal values: a row's neighbours tie in many ways */
      uint32_t a = (uint32_t)(th_random_next(&random) % 12),
               b = (a + 1 + (uint32_t)(th_random_next(&random) % 11)) % 12;
      m.offsets[r] = at;
      m.cols[at] = a;
      m.values[at++] = 0.70710677f;
      m.cols[at] = b;
      m.values[at++] = 0.70710677f;
      continue;
    }
    size_t from = r < 300 ? r : (r * 7 + (size_t)_i) % 300;
    size_t length = base.offsets[from + 1] - base.offsets[from];
    m.offsets[r] = at;
    memcpy(m.cols + at, base.cols + base.offsets[from], length * sizeof(uint32_t));
    memcpy(m.values + at, base.values + base.offsets[from], length * sizeof(float));
    at += length;
  }
  m.offsets[m.rows] = at;
  th_matrix_release(&base);
  uint32_t neighbors = 1 + (uint32_t)_i % 6, max_terms = _i % 3 == 0 ? 0 : 24;
  th_matrix plain = {0};
  smooth_plain(&m, neighbors, 0.25, max_terms, &plain);
  for (uint32_t threads = 1; threads <= 3; threads += 2) {
    th_matrix mine;
    ck_assert_int_eq(th_smooth(&m, neighbors, 0.25, max_terms, threads, &mine), 0);
    ck_assert_mem_eq(mine.offsets, plain.offsets, (m.rows + 1) * sizeof(size_t));
    ck_assert_mem_eq(mine.cols, plain.cols, plain.offsets[m.rows] * sizeof(uint32_t));
    ck_assert_mem_eq(mine.values, plain.values, plain.offsets[m.rows] * sizeof(float));
    th_matrix_release(&mine);
  }
  free(plain.offsets);
  free(plain.cols);
  free(plain.values);
  th_matrix_release(&m);
}
END_TEST

/* th_kmeans_merge_scored's modularity of the clusters as given (no fold yet: to == from)
 * against the same figure from a Gram matrix summed plainly (each record's terms times its
 * cluster sums' columns, one entry at a time, in row order), bit for bit, for cluster counts
 * that fill 1 to 10 blocks of 4 (merge.c keeps a record's Gram row in registers), leave every
 * remainder, and fall back below 4 and above 40; on 1 and 3 threads. */
START_TEST(merge_gram_equals_plain_gram) {
  uint32_t from = 2 + (uint32_t)_i; /* 2 .. 45 */
  th_matrix m;
  make_matrix(&m, 500, 300, 7, 21 + _i);
  int32_t *labels = malloc(m.rows * sizeof(int32_t));
  for (size_t r = 0; r < m.rows; r++)
    labels[r] = m.offsets[r] == m.offsets[r + 1] ? -1 : (int32_t)((r * 7 + r / 3) % from);
  size_t columns = m.columns;
  float *sums = calloc(columns * from, sizeof(float));
  double *gram = calloc((size_t)from * from, sizeof(double)), *sizes = calloc(from, sizeof(double));
  for (size_t r = 0; r < m.rows; r++) {
    if (labels[r] < 0)
      continue;
    sizes[labels[r]] += 1;
    for (size_t e = m.offsets[r]; e < m.offsets[r + 1]; e++)
      sums[(size_t)m.cols[e] * from + (uint32_t)labels[r]] += m.values[e];
  }
  for (size_t r = 0; r < m.rows; r++)
    for (size_t e = m.offsets[r]; labels[r] >= 0 && e < m.offsets[r + 1]; e++)
      for (uint32_t b = 0; b < from; b++)
        gram[(size_t)labels[r] * from + b] +=
            (double)m.values[e] * sums[(size_t)m.cols[e] * from + b];
  double total = 0, value = 0;
  for (uint32_t a = 0; a < from; a++)
    for (uint32_t b = 0; b < from; b++)
      total += gram[(size_t)a * from + b];
  for (uint32_t a = 0; a < from; a++) {
    double degree = 0;
    for (uint32_t b = 0; b < from; b++)
      degree += gram[(size_t)a * from + b];
    value += gram[(size_t)a * from + a] - degree * degree / total;
  }
  double expected = value / total;
  float *centroids = malloc(columns * from * sizeof(float));
  double *quality = malloc((from + 1) * sizeof(double));
  uint32_t active = 0; /* the groups with records: the count the first figure is for */
  for (uint32_t a = 0; a < from; a++)
    active += sizes[a] > 0;
  for (uint32_t threads = 1; threads <= 3; threads += 2) {
    ck_assert_int_eq(
        th_kmeans_merge_scored(&m, labels, from, from, threads, centroids, quality, NULL), 0);
    ck_assert_msg(quality[active] == expected, "from %u: %.17g, plain %.17g", from, quality[active],
                  expected);
  }
  free(labels);
  free(sums);
  free(gram);
  free(sizes);
  free(centroids);
  free(quality);
  th_matrix_release(&m);
}
END_TEST

static Suite *theme_kmeans_suite(void) {
  Suite *suite = suite_create("theme-kmeans");
  TCase *run = tcase_create("k-means passes");
  tcase_add_loop_test(run, kmeans_run_equals_plain_lloyd, 0,
                      (int)(sizeof run_cases / sizeof run_cases[0]));
  tcase_add_test(run, kmeans_seed_equals_plain_seeding);
  tcase_add_loop_test(run, restarts_compare_early_and_the_best_goes_on, 0, 6);
  tcase_add_test(run, merge_replay_and_threads_equal_one_thread);
  tcase_add_loop_test(run, merge_gram_equals_plain_gram, 0, 44);
  tcase_add_loop_test(run, smooth_equals_plain_smoothing, 0, 6);
  suite_add_tcase(suite, run);
  TCase *online = tcase_create("online dots");
  tcase_add_loop_test(online, online_dots_equal_one_theme_at_a_time, 0, 97);
  tcase_add_loop_test(online, online_importance_equals_plain_maximum, 0, 97);
  tcase_add_loop_test(online, online_mark_top_equals_select_top, 0, 8);
  tcase_add_loop_test(online, online_squares_equal_one_theme_at_a_time, 0, 97);
  suite_add_tcase(suite, online);
  TCase *sorts = tcase_create("sorts");
  tcase_add_test(sorts, ranked_sort_equals_qsort);
  tcase_add_test(sorts, keyed_sort_is_a_stable_sort);
  suite_add_tcase(suite, sorts);
  TCase *hashes = tcase_create("hashes");
  tcase_add_test(hashes, norm_stem_hashes_equal_separate_hashes);
  suite_add_tcase(suite, hashes);
  return suite;
}

int main(void) {
  return tp_check_run(theme_kmeans_suite());
}
