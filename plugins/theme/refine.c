/* plugins/theme/refine.c - end-of-stream re-clustering of retained records (see refine.h):
 * TF-IDF vectors, neighbour smoothing, over-clustered spherical k-means with restarts,
 * average-linkage merge down to the requested number of themes, final k-means passes. */
#include "refine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "kmeans.h"

#define TH_REFINE_CELLS     ((size_t)1 << 23)
#define TH_CHOOSE_TOLERANCE 0.02 /* relative modularity below the peak still taken as level */

th_refine_options th_refine_defaults(uint32_t themes, uint64_t seed) {
  th_refine_options options = {
      .themes = themes ? themes : 1,
      .seed = seed,
      .restarts = 4,
      .bigram_weight = 0.5,
      .rarity = 0.2,
      .min_df = 2,
      .vocabulary = 1u << 15,
      .neighbors = 4,
      .neighbor_weight = 0.25,
      .smoothed_terms = 96,
      .overcluster = 3,
      .iterations = 25,
      .threads = 1,
  };
  return options;
}

void th_matrix_release(th_matrix *m) {
  th_free(m->offsets);
  th_free(m->cols);
  th_free(m->values);
  memset(m, 0, sizeof(*m));
}

void th_model_release(th_model *model) {
  th_free(model->table_keys);
  th_free(model->table_index);
  th_free(model->idf);
  th_free(model->centroids);
  th_free(model->by_column);
  th_free(model->by_slot);
  th_free(model->quality);
  memset(model, 0, sizeof(*model));
}

int64_t th_model_column(const th_model *model, uint32_t hash) {
  if (!model->table_size)
    return -1;
  uint32_t key = hash + 1u, mask = model->table_size - 1;
  for (uint32_t slot = th_hash_slot(hash) & mask;; slot = (slot + 1) & mask) {
    if (model->table_keys[slot] == 0)
      return -1;
    if (model->table_keys[slot] == key)
      return model->table_index[slot];
  }
}

/* The slot of `hash` in the table: where it is, or the empty slot where it would go. */
static int64_t table_slot(const th_model *model, uint32_t hash) {
  uint32_t key = hash + 1u, mask = model->table_size - 1;
  uint32_t slot = th_hash_slot(hash) & mask;
  while (model->table_keys[slot] != 0 && model->table_keys[slot] != key)
    slot = (slot + 1) & mask;
  return slot;
}

/* Inserts `hash` (absent) with column `index`. The table always has free slots. */
static void table_put(th_model *model, uint32_t hash, uint32_t index) {
  uint32_t key = hash + 1u, mask = model->table_size - 1;
  uint32_t slot = th_hash_slot(hash) & mask;
  while (model->table_keys[slot] != 0 && model->table_keys[slot] != key)
    slot = (slot + 1) & mask;
  model->table_keys[slot] = key;
  model->table_index[slot] = index;
}

int64_t th_model_index(th_model *model, const uint32_t *hashes, uint32_t count) {
  uint32_t size = 64;
  while (size < 2 * (size_t)count + 2)
    size <<= 1;
  model->table_size = size;
  model->vocabulary = count;
  model->table_keys = th_calloc(size, sizeof(uint32_t));
  model->table_index = th_calloc(size, sizeof(uint32_t));
  if (!model->table_keys || !model->table_index)
    return -2;
  for (uint32_t c = 0; c < count; c++) {
    if (th_model_column(model, hashes[c]) >= 0)
      return c;
    table_put(model, hashes[c], c);
  }
  return -1;
}

typedef struct candidate {
  uint32_t hash;
  uint32_t df;
} candidate;

static int compare_candidates(const void *left, const void *right) {
  const candidate *a = left, *b = right;
  if (a->df != b->df)
    return a->df < b->df ? 1 : -1;
  return (a->hash > b->hash) - (a->hash < b->hash);
}

/* Chooses the vocabulary (distinct terms with df >= min_df, the most frequent first up to the
 * cap), fills model's table and idf. */
static int build_vocabulary(const th_term *const *terms, const uint32_t *term_counts, size_t count,
                            const th_sketch *sketch, const th_refine_options *options,
                            th_model *model) {
  size_t total = 0;
  for (size_t i = 0; i < count; i++)
    total += term_counts[i];
  uint32_t size = 64;
  while (size < 2 * total + 2)
    size <<= 1;
  /* a scratch table of distinct hashes, reusing the model's arrays */
  model->table_size = size;
  model->table_keys = th_calloc(size, sizeof(uint32_t));
  model->table_index = th_calloc(size, sizeof(uint32_t));
  candidate *candidates = th_alloc((total + 1) * sizeof(candidate));
  if (!model->table_keys || !model->table_index || !candidates) {
    th_free(candidates);
    return -1;
  }
  /* distinct hashes, counting the retained records each occurs in (table_index) */
  size_t distinct = 0;
  for (size_t i = 0; i < count; i++) {
    for (uint32_t j = 0; j < term_counts[i]; j++) {
      uint32_t hash = terms[i][j].hash;
      int64_t slot = table_slot(model, hash);
      if (model->table_keys[slot] == 0) {
        model->table_keys[slot] = hash + 1u;
        candidates[distinct++] = (candidate){hash, 0};
      }
      model->table_index[slot]++;
    }
  }
  /* a term must link at least min_df retained records and min_df in the whole stream */
  size_t kept = 0;
  for (size_t c = 0; c < distinct; c++) {
    uint32_t hash = candidates[c].hash;
    uint32_t local = model->table_index[table_slot(model, hash)];
    uint32_t df = th_sketch_count(sketch, hash);
    if (local >= options->min_df && df >= options->min_df)
      candidates[kept++] = (candidate){hash, df};
  }
  distinct = kept;
  memset(model->table_index, 0, size * sizeof(uint32_t));
  qsort(candidates, distinct, sizeof(candidate), compare_candidates);
  if (distinct > options->vocabulary)
    distinct = options->vocabulary;
  memset(model->table_keys, 0, size * sizeof(uint32_t));
  model->vocabulary = (uint32_t)distinct;
  model->idf = th_alloc((distinct + 1) * sizeof(float));
  if (!model->idf) {
    th_free(candidates);
    return -1;
  }
  double documents = (double)sketch->documents;
  for (size_t c = 0; c < distinct; c++) {
    table_put(model, candidates[c].hash, (uint32_t)c);
    double df = candidates[c].df > documents ? documents : candidates[c].df;
    double idf = 1.0 + options->rarity * log((1.0 + documents) / (1.0 + df));
    if (TH_TERM_IS_BIGRAM(candidates[c].hash))
      idf *= options->bigram_weight;
    model->idf[c] = (float)idf;
  }
  th_free(candidates);
  return 0;
}

void th_normalize(float *values, size_t count) {
  double sum = 0;
  for (size_t i = 0; i < count; i++)
    sum += (double)values[i] * values[i];
  if (sum <= 0)
    return;
  float scale = (float)(1.0 / sqrt(sum));
  for (size_t i = 0; i < count; i++)
    values[i] *= scale;
}

static int build_matrix(const th_term *const *terms, const uint32_t *term_counts, size_t count,
                        const th_model *model, th_matrix *m) {
  size_t total = 0;
  for (size_t i = 0; i < count; i++)
    total += term_counts[i];
  m->rows = count;
  m->columns = model->vocabulary;
  m->offsets = th_alloc((count + 1) * sizeof(size_t));
  m->cols = th_alloc((total + 1) * sizeof(uint32_t));
  m->values = th_alloc((total + 1) * sizeof(float));
  if (!m->offsets || !m->cols || !m->values)
    return -1;
  size_t at = 0;
  for (size_t i = 0; i < count; i++) {
    m->offsets[i] = at;
    for (uint32_t j = 0; j < term_counts[i]; j++) {
      int64_t column = th_model_column(model, terms[i][j].hash);
      if (column < 0)
        continue;
      m->cols[at] = (uint32_t)column;
      m->values[at] = (float)((1.0 + log((double)terms[i][j].count)) * model->idf[column]);
      at++;
    }
    th_normalize(m->values + m->offsets[i], at - m->offsets[i]);
  }
  m->offsets[count] = at;
  return 0;
}

int th_refine(const th_term *const *terms, const uint32_t *term_counts, size_t count,
              const th_sketch *sketch, const th_refine_options *options, th_model *model,
              int32_t *labels, float *similarity) {
  memset(model, 0, sizeof(*model));
  th_matrix plain = {0}, smoothed = {0};
  float *centroids = NULL, *wide = NULL;
  int32_t *wide_labels = NULL;
  uint32_t *folds = NULL; /* the scored merge's, replayed down to the chosen count */
  int status = -1;
  if (build_vocabulary(terms, term_counts, count, sketch, options, model) ||
      build_matrix(terms, term_counts, count, model, &plain))
    goto done;
  const th_matrix *m = &plain;
  if (options->neighbors) {
    if (th_smooth(&plain, options->neighbors, options->neighbor_weight, options->smoothed_terms,
                  options->threads, &smoothed))
      goto done;
    m = &smoothed;
  }
  uint32_t k = options->themes;
  uint32_t columns = model->vocabulary;
  uint64_t random = options->seed;
  uint32_t over = options->overcluster > 1 ? options->overcluster * k : k;
  /* dense centroids cost columns x clusters floats: over-cluster less rather than exceed
   * TH_REFINE_CELLS (32 MB) when there are many themes over a large vocabulary */
  if (columns && (size_t)columns * over > TH_REFINE_CELLS) {
    size_t affordable = TH_REFINE_CELLS / columns;
    over = affordable > k ? (uint32_t)affordable : k;
  }
  if (options->choose && k > 2 && over > 2 && over < count) {
    /* over-cluster, then merge down to 2 measuring modularity; keep the best count <= k */
    wide = th_calloc((size_t)columns * over + 1, sizeof(float));
    wide_labels = th_alloc((count + 1) * sizeof(int32_t));
    model->quality = th_alloc((over + 1) * sizeof(double));
    model->quality_count = over + 1;
    folds = th_alloc(2 * (size_t)over * sizeof(uint32_t));
    if (!wide || !wide_labels || !model->quality || !folds ||
        th_best_of_restarts(m, over, options->restarts, options->iterations, options->threads,
                            &random, wide, wide_labels, similarity) ||
        th_kmeans_merge_scored(m, wide_labels, over, 2, options->threads, wide, model->quality,
                               folds))
      goto done;
    uint32_t best = 2;
    for (uint32_t c = 3; c <= k && c <= over; c++)
      if (!isnan(model->quality[c]) && model->quality[c] > model->quality[best])
        best = c;
    /* modularity is flat near its peak and known to favour too few groups on large graphs
     * (its resolution limit): take the most themes within TH_CHOOSE_TOLERANCE of the peak */
    uint32_t most = best;
    for (uint32_t c = best + 1; c <= k && c <= over; c++)
      if (!isnan(model->quality[c]) &&
          model->quality[c] >= model->quality[best] * (1.0 - TH_CHOOSE_TOLERANCE))
        most = c;
    k = most;
  }
  centroids = th_calloc((size_t)columns * k + 1, sizeof(float));
  if (!centroids)
    goto done;
  if (over > k && over < count) {
    if (!wide) {
      wide = th_calloc((size_t)columns * over + 1, sizeof(float));
      wide_labels = th_alloc((count + 1) * sizeof(int32_t));
      if (!wide || !wide_labels ||
          th_best_of_restarts(m, over, options->restarts, options->iterations, options->threads,
                              &random, wide, wide_labels, similarity))
        goto done;
    }
    if (folds ? th_kmeans_merge_replay(m, wide_labels, over, k, folds, centroids)
              : th_kmeans_merge(m, wide_labels, over, k, options->threads, centroids))
      goto done;
    if (th_kmeans_run(m, k, centroids, labels, similarity, options->iterations, NULL) < 0 && count)
      goto done;
  } else if (th_best_of_restarts(m, k, options->restarts, options->iterations, options->threads,
                                 &random, centroids, labels, similarity)) {
    goto done;
  }
  /* the model keeps row-major centroids */
  model->themes = k;
  model->centroids = th_alloc(((size_t)columns * k + 1) * sizeof(float));
  if (!model->centroids)
    goto done;
  for (size_t c = 0; c < columns; c++)
    for (uint32_t j = 0; j < k; j++)
      model->centroids[(size_t)j * columns + c] = centroids[c * k + j];
  status = 0;
done:
  th_matrix_release(&plain);
  th_matrix_release(&smoothed);
  th_free(centroids);
  th_free(wide);
  th_free(wide_labels);
  th_free(folds);
  if (status)
    th_model_release(model);
  return status;
}

int32_t th_model_nearest(const th_model *model, const uint32_t *hashes, const float *weights,
                         size_t count, double *best_similarity) {
  int32_t best = -1;
  double best_value = 0;
  for (uint32_t j = 0; j < model->themes; j++) {
    const float *centroid = model->centroids + (size_t)j * model->vocabulary;
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
      int64_t column = th_model_column(model, hashes[i]);
      if (column >= 0)
        sum += (double)weights[i] * centroid[column];
    }
    if (sum > best_value) {
      best_value = sum;
      best = (int32_t)j;
    }
  }
  if (best_similarity)
    *best_similarity = best_value;
  return best;
}

float th_model_similarity(const th_model *model, const th_term *terms, size_t count,
                          int32_t theme) {
  const float *centroid = model->centroids + (size_t)theme * model->vocabulary;
  double sum = 0, norm = 0;
  for (size_t i = 0; i < count; i++) {
    int64_t column = th_model_column(model, terms[i].hash);
    if (column < 0)
      continue;
    double weight = (1.0 + log((double)terms[i].count)) * model->idf[column];
    norm += weight * weight;
    sum += weight * centroid[column];
  }
  return norm > 0 ? (float)(sum / sqrt(norm)) : 0.0f;
}
