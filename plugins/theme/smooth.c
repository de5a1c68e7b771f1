/* plugins/theme/smooth.c - neighbour smoothing of refine.c's vectors (th_smooth, see kmeans.h).
 *
 * Each output row depends only on the input (its most similar rows, found through the posting
 * lists), so rows are smoothed in contiguous ranges, one per thread, each range into its own
 * buffers with its own scratch, then joined in row order: the same rows as one pass. */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "kmeans.h"
#include "parallel.h"

typedef struct growing {
  uint32_t *cols;
  float *values;
  size_t count, capacity;
} growing;

/* Makes room for `capacity` entries. 0, or -1 on OOM (g then still valid). */
static int growing_reserve(growing *g, size_t capacity) {
  uint32_t *cols = th_realloc(g->cols, capacity * sizeof(uint32_t));
  if (!cols)
    return -1;
  g->cols = cols;
  float *values = th_realloc(g->values, capacity * sizeof(float));
  if (!values)
    return -1;
  g->values = values;
  g->capacity = capacity;
  return 0;
}

static int growing_push(growing *g, uint32_t col, float value) {
  if (g->count == g->capacity && growing_reserve(g, g->capacity ? g->capacity * 2 : 1024))
    return -1;
  g->cols[g->count] = col;
  g->values[g->count] = value;
  g->count++;
  return 0;
}

typedef struct neighbor {
  size_t row;
  float similarity;
} neighbor;

/* Inserts (row, similarity) into best[0..*count) kept sorted, most similar first (ties: the
 * lower row first), at most `limit` entries. */
static void keep_best(neighbor *best, uint32_t *count, uint32_t limit, size_t row,
                      float similarity) {
  uint32_t at = *count;
  while (at > 0 && (best[at - 1].similarity < similarity ||
                    (best[at - 1].similarity == similarity && best[at - 1].row > row)))
    at--;
  if (at >= limit)
    return;
  uint32_t end = *count < limit ? *count : limit - 1;
  memmove(best + at + 1, best + at, (end - at) * sizeof(neighbor));
  best[at] = (neighbor){row, similarity};
  if (*count < limit)
    (*count)++;
}

/* The posting lists of the input (per column, its rows and values), shared read-only. */
typedef struct postings {
  size_t *start;  /* columns + 1: column c's postings are [start[c], start[c + 1]) */
  uint32_t *rows; /* row numbers in 32 bits (refine clusters at most a few thousand rows):
                     half the bytes to stream through in the scoring loop below */
  double *values; /* widened once: exact */
} postings;

/* One range of rows [first, end) smoothed into its own `g`, with its own scratch arrays;
 * offsets[r] is relative to the range's first entry. */
typedef struct range_job {
  const th_matrix *in;
  const postings *p;
  uint32_t neighbors, max_terms;
  double weight;
  size_t first, end;
  size_t *offsets; /* the output's, shared: each range writes only its own rows */
  growing g;
  int status;
} range_job;

static void smooth_range(void *arg) {
  range_job *job = arg;
  const th_matrix *in = job->in;
  const postings *p = job->p;
  size_t n = in->rows;
  uint32_t columns = in->columns, neighbors = job->neighbors, max_terms = job->max_terms;
  double weight = job->weight;
  double *scores = th_calloc(n + 1, sizeof(double));
  uint32_t *touched = th_alloc((n + 1) * sizeof(uint32_t));
  float *dense = th_calloc(columns + 1, sizeof(float));
  uint32_t *dense_cols = th_alloc((columns + 1) * sizeof(uint32_t));
  neighbor *best = th_alloc((neighbors + 1) * sizeof(neighbor));
  /* a smoothed row's terms (index: column, weight: value), cut to the heaviest, sorted */
  th_ranked *entries = th_alloc((columns + 1) * sizeof(th_ranked));
  th_ranked *sort_scratch = th_alloc(((size_t)max_terms + 1) * sizeof(th_ranked));
  growing g = {0};
  job->status = -1;
  if (!scores || !touched || !dense || !dense_cols || !best || !entries || !sort_scratch)
    goto done;
  for (size_t r = job->first; r < job->end; r++) {
    job->offsets[r] = g.count;
    size_t touched_count = 0;
    for (size_t e = in->offsets[r]; e < in->offsets[r + 1]; e++) {
      uint32_t c = in->cols[e];
      double value = in->values[e];
      size_t end = p->start[c + 1]; /* kept in registers: scores[] cannot alias them */
      /* two postings a loop iteration; row r too: skipped below */
      _Pragma("GCC unroll 2") for (size_t q = p->start[c]; q < end; q++) {
        size_t other = p->rows[q];
        double score = scores[other];
        /* untouched: +0.0, the only double of all-zero bits (a sum from +0.0 is never -0.0,
         * so this is `score == 0` in one integer test; positive terms keep it above 0) */
        uint64_t bits;
        memcpy(&bits, &score, sizeof bits);
        touched[touched_count] = (uint32_t)other;
        touched_count += bits == 0;
        scores[other] = score + value * p->values[q];
      }
    }
    uint32_t best_count = 0;
    float floor = -1; /* once `neighbors` are kept, the least of them: a row below it stays out */
    for (size_t t = 0; t < touched_count; t++) {
      float similarity = (float)scores[touched[t]];
      scores[touched[t]] = 0;
      if (similarity < floor || !neighbors || touched[t] == r)
        continue;
      keep_best(best, &best_count, neighbors, touched[t], similarity);
      if (best_count == neighbors)
        floor = best[neighbors - 1].similarity;
    }
    size_t dense_count = 0;
    for (size_t e = in->offsets[r]; e < in->offsets[r + 1]; e++) {
      dense_cols[dense_count++] = in->cols[e];
      dense[in->cols[e]] = in->values[e];
    }
    for (uint32_t b = 0; b < best_count; b++) {
      size_t other = best[b].row;
      float scale = (float)(weight * best[b].similarity);
      for (size_t e = in->offsets[other]; e < in->offsets[other + 1]; e++) {
        uint32_t c = in->cols[e];
        if (dense[c] == 0)
          dense_cols[dense_count++] = c;
        dense[c] += scale * in->values[e];
        if (dense[c] == 0)
          dense[c] = 1e-30f; /* keep it marked as present */
      }
    }
    size_t row_start = g.count;
    for (size_t d = 0; d < dense_count; d++) {
      entries[d] = (th_ranked){dense_cols[d], dense[dense_cols[d]]};
      dense[dense_cols[d]] = 0;
    }
    if (max_terms && dense_count > max_terms) { /* keep the heaviest terms, sorted */
      th_select_top(entries, dense_count, max_terms);
      th_ranked_sort(entries, max_terms, sort_scratch);
      dense_count = max_terms;
    }
    for (size_t d = 0; d < dense_count; d++)
      if (growing_push(&g, entries[d].index, entries[d].weight))
        goto done;
    if (g.count > row_start) /* an empty row: g.values may still be NULL */
      th_normalize(g.values + row_start, g.count - row_start);
  }
  job->status = 0;
done:
  job->g = g;
  th_free(scores);
  th_free(touched);
  th_free(dense);
  th_free(dense_cols);
  th_free(best);
  th_free(entries);
  th_free(sort_scratch);
}

/* Appends the ranges after the first to it (shifting their offsets): *out takes the rows.
 * 0, or -1 on OOM. */
static int join_ranges(range_job *jobs, uint32_t count, th_matrix *out) {
  growing *g = &jobs[0].g;
  size_t total = 0;
  for (uint32_t t = 0; t < count; t++)
    total += jobs[t].g.count;
  if (total > g->capacity && growing_reserve(g, total))
    return -1;
  for (uint32_t t = 1; t < count; t++) {
    growing *part = &jobs[t].g;
    for (size_t r = jobs[t].first; r < jobs[t].end; r++)
      out->offsets[r] += g->count;
    if (part->count) {
      memcpy(g->cols + g->count, part->cols, part->count * sizeof(uint32_t));
      memcpy(g->values + g->count, part->values, part->count * sizeof(float));
    }
    g->count += part->count;
  }
  return 0;
}

/* Rows per range below which smoothing stays on fewer threads (a range must pay for a thread). */
#define TH_SMOOTH_MIN_ROWS 256

int th_smooth(const th_matrix *in, uint32_t neighbors, double weight, uint32_t max_terms,
              uint32_t threads, th_matrix *out) {
  memset(out, 0, sizeof(*out));
  if (in->rows >= UINT32_MAX) /* rows are numbered in 32 bits below */
    return -1;
  size_t n = in->rows, nnz = in->offsets[n];
  uint32_t columns = in->columns;
  uint32_t ranges = threads < TH_THREADS_MAX ? threads : TH_THREADS_MAX;
  if (ranges > n / TH_SMOOTH_MIN_ROWS)
    ranges = (uint32_t)(n / TH_SMOOTH_MIN_ROWS);
  if (ranges == 0)
    ranges = 1;
  postings p = {
      .start = th_calloc(columns + 1, sizeof(size_t)),
      .rows = th_alloc((nnz + 1) * sizeof(uint32_t)),
      .values = th_alloc((nnz + 1) * sizeof(double)),
  };
  size_t *fill = th_calloc(columns + 1, sizeof(size_t));
  range_job jobs[TH_THREADS_MAX] = {0};
  out->offsets = th_alloc((n + 1) * sizeof(size_t));
  int status = -1;
  if (!p.start || !p.rows || !p.values || !fill || !out->offsets)
    goto done;
  for (size_t i = 0; i < nnz; i++)
    p.start[in->cols[i] + 1]++;
  for (uint32_t c = 0; c < columns; c++)
    p.start[c + 1] += p.start[c];
  for (size_t r = 0; r < n; r++) {
    for (size_t e = in->offsets[r]; e < in->offsets[r + 1]; e++) {
      uint32_t c = in->cols[e];
      size_t at = p.start[c] + fill[c]++;
      p.rows[at] = (uint32_t)r;
      p.values[at] = in->values[e];
    }
  }
  for (uint32_t t = 0; t < ranges; t++)
    jobs[t] = (range_job){.in = in,
                          .p = &p,
                          .neighbors = neighbors,
                          .max_terms = max_terms,
                          .weight = weight,
                          .first = n * t / ranges,
                          .end = n * (t + 1) / ranges,
                          .offsets = out->offsets};
  th_parallel_run(smooth_range, jobs, sizeof(range_job), ranges);
  for (uint32_t t = 0; t < ranges; t++)
    if (jobs[t].status)
      goto done;
  if (join_ranges(jobs, ranges, out))
    goto done;
  out->offsets[n] = jobs[0].g.count;
  out->rows = n;
  out->columns = columns;
  out->cols = jobs[0].g.cols;
  out->values = jobs[0].g.values;
  jobs[0].g.cols = NULL;
  jobs[0].g.values = NULL;
  status = 0;
done:
  th_free(p.start);
  th_free(p.rows);
  th_free(p.values);
  th_free(fill);
  for (uint32_t t = 0; t < ranges; t++) {
    th_free(jobs[t].g.cols);
    th_free(jobs[t].g.values);
  }
  if (status)
    th_matrix_release(out);
  return status;
}
