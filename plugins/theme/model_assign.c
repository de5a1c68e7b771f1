/* plugins/theme/model_assign.c - assigning a record to the nearest theme of a model
 * (th_model_assign, th_model_by_column; see refine.h), the per-record work of a stage applying
 * a model file. With th_model_by_column's layout each term costs one table slot and one run of
 * 1 + themes floats (the themes padded to whole vectors), and the slots and runs of a block of
 * terms are asked for before they are read, so that their cache misses overlap; the sums are the
 * ones the plain layout gives. */
#include <math.h>
#include <string.h>

#include "common.h"
#include "refine.h"

/* Theme cells in a column run: the themes rounded up to whole vectors of TH_RUN_LANES floats,
 * the cells past the last theme zero, so that th_model_sums_by_column adds whole vectors only. */
#define TH_RUN_LANES 4
static uint32_t run_lanes(uint32_t themes) {
  return (themes + TH_RUN_LANES - 1) / TH_RUN_LANES * TH_RUN_LANES;
}

int th_model_by_column(th_model *model) {
  uint32_t themes = model->themes, columns = model->vocabulary, stride = 1 + run_lanes(themes);
  float *by_column = th_calloc((size_t)stride * columns + 1, sizeof(float));
  uint64_t *by_slot = th_calloc((size_t)model->table_size + 1, sizeof(uint64_t));
  if (!by_column || !by_slot) {
    th_free(by_column);
    th_free(by_slot);
    return -1;
  }
  for (uint32_t c = 0; c < columns; c++) {
    by_column[(size_t)c * stride] = model->idf[c];
    for (uint32_t j = 0; j < themes; j++)
      by_column[(size_t)c * stride + 1 + j] = model->centroids[(size_t)j * columns + c];
  }
  for (uint32_t s = 0; s < model->table_size; s++)
    if (model->table_keys[s])
      by_slot[s] = model->table_keys[s] | (uint64_t)model->table_index[s] << 32;
  th_free(model->by_column);
  th_free(model->by_slot);
  model->by_column = by_column;
  model->by_slot = by_slot;
  return 0;
}

/* (1 + ln count): log(1) is exactly 0, so a single occurrence needs no call. */
static double sublinear(uint32_t count) {
  return count == 1 ? 1.0 : 1.0 + log((double)count);
}

/* The column run of `hash` in by_column, or NULL; probes as th_model_column does. */
static const float *column_run(const th_model *model, uint32_t hash, uint32_t slot) {
  uint32_t key = hash + 1u, mask = model->table_size - 1;
  for (;; slot = (slot + 1) & mask) {
    uint64_t held = model->by_slot[slot];
    if ((uint32_t)held == 0)
      return NULL;
    if ((uint32_t)held == key)
      return model->by_column + (size_t)(held >> 32) * (1 + run_lanes(model->themes));
  }
}

/* Adds the found runs[0..block-1] of terms[0..block-1] into sums[0..lanes-1] and their
 * squared weights into *norm: per lane, the float the double product of the weight and the cell
 * rounds to, added in term order, as one theme at a time adds it. Inlined with `lanes` a
 * constant for the usual theme counts, so that the loop over lanes is straight vector code. */
static inline __attribute__((always_inline)) void add_runs(const th_term *terms,
                                                           const float *const *runs, size_t block,
                                                           float *restrict sums, uint32_t lanes,
                                                           double *norm) {
  for (size_t b = 0; b < block; b++) {
    const float *restrict run = runs[b];
    if (!run)
      continue;
    double weight = sublinear(terms[b].count) * run[0];
    *norm += weight * weight;
    for (uint32_t lane = 0; lane < lanes; lane++)
      sums[lane] += (float)(weight * run[1 + lane]);
  }
}

/* th_model_assign's sums over by_slot / by_column, in blocks of terms: their slots are
 * prefetched, then their runs, then the terms are added in order, every run's cells as whole
 * vectors of TH_RUN_LANES (TH_WIDE_LANES: a vector of doubles is one AVX2 register; each lane
 * is the multiply and add one theme at a time does; the padding lanes add zeros and are
 * dropped). */
TH_WIDE_LANES void th_model_sums_by_column(const th_model *model, const th_term *terms,
                                           size_t count, float *sums, double *norm_out) {
  enum { BLOCK = 16 };
  uint32_t themes = model->themes, mask = model->table_size - 1;
  uint32_t lanes = run_lanes(themes);
  size_t run_bytes = (size_t)(1 + lanes) * sizeof(float);
  float padded[lanes];
  memset(padded, 0, sizeof padded);
  memcpy(padded, sums, themes * sizeof(float));
  double norm = 0;
  for (size_t base = 0; base < count; base += BLOCK) {
    size_t block = count - base < BLOCK ? count - base : BLOCK;
    uint32_t slots[BLOCK];
    const float *runs[BLOCK];
    for (size_t b = 0; b < block; b++) {
      slots[b] = th_hash_slot(terms[base + b].hash) & mask;
      __builtin_prefetch(&model->by_slot[slots[b]]);
    }
    for (size_t b = 0; b < block; b++) {
      runs[b] = column_run(model, terms[base + b].hash, slots[b]);
      if (runs[b]) {
        __builtin_prefetch(runs[b]);
        __builtin_prefetch((const char *)runs[b] + run_bytes - 1);
      }
    }
    /* up to 16 themes: the lane count a constant, the loop over lanes unrolled */
#define TH_ADD_RUNS_OF(constant_lanes)                                                             \
  case constant_lanes:                                                                             \
    add_runs(terms + base, runs, block, padded, constant_lanes, &norm);                            \
    break;
    switch (lanes) {
      TH_ADD_RUNS_OF(4)
      TH_ADD_RUNS_OF(8)
      TH_ADD_RUNS_OF(12)
      TH_ADD_RUNS_OF(16)
    default:
      add_runs(terms + base, runs, block, padded, lanes, &norm);
    }
#undef TH_ADD_RUNS_OF
  }
  memcpy(sums, padded, themes * sizeof(float));
  *norm_out = norm;
}

int32_t th_model_assign(const th_model *model, const th_term *terms, size_t count,
                        float *similarity) {
  uint32_t themes = model->themes;
  float sums[themes + 1];
  for (uint32_t j = 0; j < themes; j++)
    sums[j] = 0;
  double norm = 0;
  if (model->by_column && model->table_size) {
    th_model_sums_by_column(model, terms, count, sums, &norm);
  } else {
    for (size_t i = 0; i < count; i++) {
      int64_t column = th_model_column(model, terms[i].hash);
      if (column < 0)
        continue;
      double weight = sublinear(terms[i].count) * model->idf[column];
      norm += weight * weight;
      for (uint32_t j = 0; j < themes; j++)
        sums[j] += (float)(weight * model->centroids[(size_t)j * model->vocabulary + column]);
    }
  }
  *similarity = 0;
  if (norm <= 0)
    return -1;
  uint32_t best = 0;
  for (uint32_t j = 1; j < themes; j++)
    if (sums[j] > sums[best])
      best = j;
  *similarity = (float)(sums[best] / sqrt(norm));
  return (int32_t)best;
}
