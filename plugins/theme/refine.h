/* plugins/theme/refine.h - the end-of-stream clustering of discovery.
 *
 * Online clustering (online.h) sees each record once, with document frequencies still being
 * learned; it is a good summary but a weak partition. At finish the plugin re-clusters the
 * records it retained (every record when members are reported, else a bounded sample) with
 * final TF-IDF weights:
 *   1. vectors: sublinear tf x damped idf over stems and (down-weighted) stem bigrams, terms
 *      seen in fewer than min_df records dropped, L2-normalized. The idf is damped,
 *      1 + rarity * log(N / df) with rarity 0.2 by default: records are often one sentence,
 *      and with full idf a single rare word dominates a short vector and pulls it towards
 *      whichever cluster happens to hold that word, while the words that mark a theme are by
 *      nature frequent ones (a theme of N/k records). Measured on Opinosis sentences: full
 *      idf NMI ~0.69, damped ~0.73;
 *   2. neighbour smoothing: each vector gains its nearest neighbours' vectors weighted by
 *      similarity (short texts share few words; their neighbours fill in the topic);
 *   3. spherical k-means over-clustered to `overcluster` x themes, seeded by k-means++ from
 *      the seed, several restarts keeping the best objective;
 *   4. agglomerative merge of the over-clustered centroids (size-weighted, most similar pair
 *      first) down to `themes`, then k-means passes from the merged centroids.
 *      With `choose`, the merge goes on down to 2 and the number of themes is the count of
 *      groups (at most `themes`) where the modularity of the records' similarity graph is
 *      highest: the share of similarity that stays within groups, minus what it would be if
 *      similarity were spread regardless of groups. Merging two groups that belong together
 *      raises it; merging two that do not lowers it.
 * Everything is deterministic for a given document order, options and seed.
 */
#ifndef THEME_REFINE_H
#define THEME_REFINE_H

#include <stddef.h>
#include <stdint.h>

#include "extract.h"

typedef struct th_refine_options {
  uint32_t themes; /* k, >= 1; with `choose`, the most themes */
  int choose;      /* nonzero: choose the number of themes (2..themes), see th_refine */
  uint64_t seed;
  uint32_t restarts;       /* k-means++ restarts, >= 1 */
  double bigram_weight;    /* weight of bigram terms relative to stems */
  double rarity;           /* idf = 1 + rarity * log((1 + N) / (1 + df)); see above */
  uint32_t min_df;         /* terms in fewer records are ignored */
  uint32_t vocabulary;     /* at most this many distinct terms (the most frequent) */
  uint32_t neighbors;      /* smoothing neighbours per record, 0 for none */
  double neighbor_weight;  /* weight of the neighbours' sum */
  uint32_t smoothed_terms; /* a smoothed vector keeps its heaviest terms, 0: all */
  uint32_t overcluster;    /* over-clustering factor, >= 1 */
  uint32_t iterations;     /* k-means passes per run */
  uint32_t threads;        /* at most this many threads for the restarts and smoothing (the
                              results do not depend on it); 1: the calling thread alone */
} th_refine_options;

/* Defaults for `themes` themes. */
th_refine_options th_refine_defaults(uint32_t themes, uint64_t seed);

/* The clustering result: vocabulary, idf and one L2-normalized dense centroid per theme. */
typedef struct th_model {
  uint32_t themes;
  /* with options.choose: quality[c] = the modularity with c themes, c = 0..quality_count - 1
   * (NAN where not measured); the themes are the c of the highest */
  double *quality;
  uint32_t quality_count;
  uint32_t vocabulary;   /* columns */
  uint32_t table_size;   /* power of two */
  uint32_t *table_keys;  /* open addressing: term hash + 1 (0 = empty) */
  uint32_t *table_index; /* column of the key */
  float *idf;            /* per column, with the bigram weight folded in */
  float *centroids;      /* themes x vocabulary */
  /* NULL, or the model laid out for assigning records (th_model_by_column, model_assign.c):
   * by_slot: the table as one array, key (hash + 1, 0 = empty) in the low half of a slot and
   * its column in the high half; by_column: per column, its idf then its cell of each
   * centroid, zeros up to a multiple of 4 cells. A record's term then costs two cache lines,
   * not five. */
  uint64_t *by_slot;
  float *by_column;
} th_model;

/* Clusters `count` records, record i having terms[i][0..term_counts[i]-1], with document
 * frequencies from `sketch`. Fills labels[i] (theme index, or -1 for a record with no known
 * term) and similarity[i] (cosine to its theme's centroid). Returns 0 and fills *model
 * (release with th_model_release), or -1 on OOM (*model is then empty). */
int th_refine(const th_term *const *terms, const uint32_t *term_counts, size_t count,
              const th_sketch *sketch, const th_refine_options *options, th_model *model,
              int32_t *labels, float *similarity);

/* The theme whose centroid is most similar to the sparse vector (hashes[j], weights[j]) (the
 * weights are raw: idf is not applied again); -1 when it shares no term with any. */
int32_t th_model_nearest(const th_model *model, const uint32_t *hashes, const float *weights,
                         size_t count, double *best_similarity);

/* The theme whose centroid is most similar to a record with these raw term counts (weighted
 * with the model's idf); sets *similarity to the cosine. -1 (similarity 0) when the record
 * has no term of the vocabulary. */
int32_t th_model_assign(const th_model *model, const th_term *terms, size_t count,
                        float *similarity);

/* sums[j] += (float)(w x centroid j's cell) over the terms found in by_column, w = (1 + ln count)
 * x idf, and *norm_out = the sum of w x w: th_model_assign's sums, from by_slot and by_column
 * (which must be built), for j < model->themes. */
void th_model_sums_by_column(const th_model *model, const th_term *terms, size_t count, float *sums,
                             double *norm_out);

/* Adds by_slot and by_column (above), which th_model_assign then reads: a record's term meets
 * its idf and every theme in one contiguous run instead of one strided load per theme, and its
 * table slot in one load (the sums, and so the answers, are the same floats). Call again after
 * changing the centroids or idf. 0, or -1 on OOM (the model is unchanged and assigns from the
 * table, idf and row-major centroids). */
int th_model_by_column(th_model *model);

/* The cosine of a record with these raw term counts to the centroid of `theme` (0 when the
 * record has no term of the vocabulary). */
float th_model_similarity(const th_model *model, const th_term *terms, size_t count, int32_t theme);

/* Gives `model` a table of `count` columns, column c for hashes[c] (the model's vocabulary
 * and table; idf and centroids are the caller's). Returns -1 when done, the first c whose hash
 * is listed before, or -2 on OOM. */
int64_t th_model_index(th_model *model, const uint32_t *hashes, uint32_t count);

/* The column of `hash`, or -1. */
int64_t th_model_column(const th_model *model, uint32_t hash);

/* Frees the model's arrays and empties it (not the struct). */
void th_model_release(th_model *model);

#endif /* THEME_REFINE_H */
