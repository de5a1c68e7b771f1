/* plugins/theme/online.c - online leader clustering with a term-major centroid table, and the
 * deterministic fold of two such states (see online.h). */
#include "online.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void th_online_init(th_online *online, size_t limit, double threshold) {
  memset(online, 0, sizeof(*online));
  online->limit = limit ? limit : 1;
  online->threshold = threshold;
  online->stride = 2 * online->limit;
}

static void micro_release(th_micro *micro) {
  th_free(micro->ids);
  th_free(micro->leaders);
  memset(micro, 0, sizeof(*micro));
}

void th_online_release(th_online *online) {
  for (size_t i = 0; i < online->count; i++)
    micro_release(&online->micros[i]);
  th_free(online->micros);
  th_free(online->slots);
  th_free(online->row_hash);
  th_free(online->weights_block);
  size_t limit = online->limit;
  double threshold = online->threshold;
  th_online_init(online, limit, threshold);
}

/* The first address at or after `block` on a cache line. */
static float *cache_line_after(void *block) {
  return (float *)(((uintptr_t)block + TH_CACHE_LINE - 1) & ~(uintptr_t)(TH_CACHE_LINE - 1));
}

/* Allocates the tables unless they exist (online.h). 0 or -1 on OOM. */
int th_online_reserve(th_online *online) {
  if (online->slots)
    return 0;
  online->table_size = 2 * TH_ONLINE_VOCABULARY;
  online->slots = th_calloc(online->table_size, sizeof(uint64_t));
  online->row_hash = th_calloc(TH_ONLINE_VOCABULARY, sizeof(uint32_t));
  /* no row is live yet: new_row and th_online_append zero the cells before they are read.
   * The weights start on a cache line (malloc gives 16 bytes past a page for a block this
   * large): with the usual stride (96 floats, 6 lines) a row of 48 themes is then 3 lines, not
   * 4, for th_online_dots to read and th_online_assign to prefetch (its prefetches, 64 bytes
   * apart from the row's start, then cover the row's last line too). */
  online->weights_block =
      th_alloc((size_t)TH_ONLINE_VOCABULARY * online->stride * sizeof(float) + TH_CACHE_LINE);
  online->weights = online->weights_block ? cache_line_after(online->weights_block) : NULL;
  online->micros = th_calloc(online->stride, sizeof(th_micro));
  if (!online->slots || !online->row_hash || !online->weights || !online->micros) {
    th_free(online->slots);
    th_free(online->row_hash);
    th_free(online->weights_block);
    th_free(online->micros);
    online->slots = NULL;
    online->row_hash = NULL;
    online->weights = NULL;
    online->weights_block = NULL;
    online->micros = NULL;
    return -1;
  }
  return 0;
}

/* The row of `hash`, or -1, probing from *slot (its home slot, th_hash_slot(hash) & mask:
 * th_online_assign has it already). When `hash` is not in the table, *slot is left at the
 * empty slot the probe stopped at: every slot from the home one to it is taken, and stays
 * taken until a prune clears the table, so an insertion of `hash` may probe from there. */
static int64_t find_row_from(const th_online *online, uint32_t hash, uint32_t *slot) {
  uint32_t key = hash + 1u, mask = online->table_size - 1;
  for (uint32_t at = *slot;; at = (at + 1) & mask) {
    uint64_t held = online->slots[at];
    if ((uint32_t)held == 0) {
      *slot = at;
      return -1;
    }
    if ((uint32_t)held == key)
      return (int64_t)(held >> 32);
  }
}

static uint32_t home_slot(const th_online *online, uint32_t hash) {
  return th_hash_slot(hash) & (online->table_size - 1);
}

/* The row of `hash`, or -1; *slot as find_row_from leaves it. The tables exist
 * (th_online_reserve). */
static int64_t find_row(const th_online *online, uint32_t hash, uint32_t *slot) {
  *slot = home_slot(online, hash);
  return find_row_from(online, hash, slot);
}

/* Puts `hash` (not in the table) in the first empty slot from `slot`, which is its home slot
 * or a slot its probe from there reached with every slot before it taken. */
static void table_insert(th_online *online, uint32_t hash, uint32_t row, uint32_t slot) {
  uint32_t key = hash + 1u, mask = online->table_size - 1;
  while ((uint32_t)online->slots[slot] != 0)
    slot = (slot + 1) & mask;
  online->slots[slot] = key | (uint64_t)row << 32;
}

typedef float lanes8 __attribute__((vector_size(8 * sizeof(float))));
typedef int32_t mask8 __attribute__((vector_size(8 * sizeof(int32_t))));
typedef float lanes4 __attribute__((vector_size(4 * sizeof(float))));
typedef int32_t mask4 __attribute__((vector_size(4 * sizeof(int32_t))));

/* A maximum is the same value in any order, so eight lanes at a time give what one at a time
 * gives (up to the sign of a zero, which ranking by weight does not see). */
TH_WIDE_LANES void th_online_importance(const float *weights, size_t stride, uint32_t rows,
                                        const float *inverse_length, size_t count,
                                        th_ranked *ranked) {
  for (uint32_t r = 0; r < rows; r++) {
    const float *row = weights + (size_t)r * stride;
    lanes8 best = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t m = 0;
    for (; m + 8 <= count; m += 8) {
      lanes8 values, scales;
      memcpy(&values, row + m, sizeof values);
      memcpy(&scales, inverse_length + m, sizeof scales);
      values *= scales;
      mask8 greater = values > best; /* best = greater ? values : best */
      best = (lanes8)((greater & (mask8)values) | (~greater & (mask8)best));
    }
    /* the lanes' maximum in three halvings: they start at +0 and only take larger values, so
     * they hold no -0 or NaN and any order of comparing gives the same */
    lanes4 low = {best[0], best[1], best[2], best[3]}, high = {best[4], best[5], best[6], best[7]};
    mask4 higher = high > low;
    low = (lanes4)((higher & (mask4)high) | (~higher & (mask4)low));
    float pair0 = low[0] > low[2] ? low[0] : low[2], pair1 = low[1] > low[3] ? low[1] : low[3];
    float importance = pair0 > pair1 ? pair0 : pair1;
    for (; m < count; m++) {
      float value = row[m] * inverse_length[m];
      if (value > importance)
        importance = value;
    }
    ranked[r] = (th_ranked){r, importance};
  }
}

typedef double doubles4 __attribute__((vector_size(4 * sizeof(double))));

/* Adds the rows' squares to `lanes` consecutive groups of 4 themes from `m`, the sums held in
 * registers across the rows. */
static inline __attribute__((always_inline)) void squares_block(const float *cells, size_t stride,
                                                                uint32_t rows, size_t m, int lanes,
                                                                double *norms) {
  doubles4 sum[4];
  for (int l = 0; l < lanes; l++)
    memcpy(&sum[l], norms + m + 4 * l, sizeof sum[l]);
  for (uint32_t r = 0; r < rows; r++) {
    const float *row = cells + (size_t)r * stride + m;
    for (int l = 0; l < lanes; l++) {
      lanes4 values;
      memcpy(&values, row + 4 * l, sizeof values);
      doubles4 wide = __builtin_convertvector(values, doubles4);
      sum[l] += wide * wide;
    }
  }
  for (int l = 0; l < lanes; l++)
    memcpy(norms + m + 4 * l, &sum[l], sizeof sum[l]);
}

/* Each theme's sum takes the rows in order, a multiply then an add (no FMA): the same doubles
 * in blocks of 16 and 4 themes as one theme at a time. */
TH_WIDE_LANES void th_online_add_squares(const float *cells, size_t stride, uint32_t rows,
                                         size_t count, double *restrict norms) {
  size_t m = 0;
  for (; m + 16 <= count; m += 16)
    squares_block(cells, stride, rows, m, 4, norms);
  for (; m + 4 <= count; m += 4)
    squares_block(cells, stride, rows, m, 1, norms);
  for (; m < count; m++)
    for (uint32_t r = 0; r < rows; r++) {
      double value = cells[(size_t)r * stride + m];
      norms[m] += value * value;
    }
}

/* A weight's bucket: bits 30..19 of the float (8 exponent and 4 mantissa bits). For floats
 * that are not negative (nor NaN) the bits order as the values do, so a heavier weight is never
 * in a lower bucket. */
#define TOP_BUCKETS 4096u
static uint32_t top_bucket(float weight) {
  uint32_t bits;
  memcpy(&bits, &weight, sizeof bits);
  return (bits >> 19) & (TOP_BUCKETS - 1);
}

int th_online_mark_top(const th_ranked *ranked, uint32_t count, uint32_t top, char *kept) {
  if (top >= count) {
    for (uint32_t i = 0; i < count; i++)
      kept[ranked[i].index] = 1;
    return 0;
  }
  if (top == 0)
    return 0;
  uint32_t histogram[TOP_BUCKETS] = {0};
  for (uint32_t i = 0; i < count; i++)
    histogram[top_bucket(ranked[i].weight)]++;
  /* the bucket the boundary falls in; the `above` entries of higher buckets are all kept */
  uint32_t boundary = TOP_BUCKETS - 1, above = 0;
  while (above + histogram[boundary] < top)
    above += histogram[boundary--];
  th_ranked *tied = th_alloc((histogram[boundary] + 1) * sizeof(th_ranked));
  if (!tied)
    return -1;
  uint32_t ties = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t bucket = top_bucket(ranked[i].weight);
    if (bucket > boundary)
      kept[ranked[i].index] = 1;
    else if (bucket == boundary)
      tied[ties++] = ranked[i];
  }
  th_select_top(tied, ties, top - above); /* the same order: weight, then index */
  for (uint32_t k = 0; k < top - above; k++)
    kept[tied[k].index] = 1;
  th_free(tied);
  return 0;
}

/* Drops the three quarters of the terms that matter least to every theme (importance: the largest
 * weight / theme length over the themes), compacting rows in their old order. 0 or -1. */
static int prune(th_online *online) {
  th_ranked *ranked = th_alloc(online->live * sizeof(th_ranked));
  char *kept = th_calloc(online->live, 1);
  if (!ranked || !kept) {
    th_free(ranked);
    th_free(kept);
    return -1;
  }
  size_t count = online->count, stride = online->stride;
  float inverse_length[stride];
  for (size_t m = 0; m < count; m++)
    inverse_length[m] =
        online->micros[m].norm2 > 0 ? (float)(1.0 / sqrt(online->micros[m].norm2)) : 1.0f;
  th_online_importance(online->weights, stride, online->live, inverse_length, count, ranked);
  int marked = th_online_mark_top(ranked, online->live, online->live / 4, kept);
  th_free(ranked);
  if (marked) {
    th_free(kept);
    return -1;
  }
  memset(online->slots, 0, online->table_size * sizeof(uint64_t));
  double norms[stride]; /* each theme's squared length, summed in row order */
  for (size_t m = 0; m < count; m++)
    norms[m] = 0;
  uint32_t out = 0;
  for (uint32_t r = 0; r < online->live; r++) {
    if (!kept[r])
      continue;
    float *target = online->weights + (size_t)out * stride;
    if (out != r) /* the columns of themes in use: the others are unused (see new_row) */
      memcpy(target, online->weights + (size_t)r * stride, count * sizeof(float));
    online->row_hash[out] = online->row_hash[r];
    table_insert(online, online->row_hash[out], out, home_slot(online, online->row_hash[out]));
    out++;
  }
  th_online_add_squares(online->weights, stride, out, count, norms); /* the kept rows, in order */
  /* the dropped rows and the old places of moved ones are all at or after `out` now: rows at or
   * after `live` are never read, and th_online_add zeroes each one as it takes it */
  for (size_t m = 0; m < count; m++)
    online->micros[m].norm2 = norms[m];
  online->live = out;
  th_free(kept);
  return 0;
}

/* Takes a new row for `hash` (not in the table), pruning first when the table is full; `slot`
 * is where find_row_from's probe for it stopped (a prune empties the table: then it probes
 * from the home slot again). The row's index, or -1 on OOM. Only the cells of the themes in
 * use are zeroed (and kept by prune): a live row's cells at or after `count` are unused until
 * th_online_append zeroes the column of the theme it adds. */
static int64_t new_row(th_online *online, uint32_t hash, uint32_t slot) {
  if (online->live == TH_ONLINE_VOCABULARY) {
    if (prune(online))
      return -1;
    slot = home_slot(online, hash);
  }
  int64_t row = online->live++;
  memset(online->weights + (size_t)row * online->stride, 0, online->count * sizeof(float));
  online->row_hash[row] = hash;
  table_insert(online, hash, (uint32_t)row, slot);
  return row;
}

/* Adds `weight` to cell `row` of theme `index`, keeping the theme's norm2. */
static void add_to_cell(th_online *online, size_t index, int64_t row, float weight) {
  float *cell = online->weights + (size_t)row * online->stride + index;
  double old = *cell;
  *cell += weight;
  online->micros[index].norm2 += (double)*cell * *cell - old * old;
}

/* add_to_cell on a row new_row has just zeroed, without reading the cell back: the store of
 * the zeroes is still in flight (the row is a cold line), and what add_to_cell would compute is
 * known, 0 + weight and norm2 + weight^2 - 0 (the same doubles). */
static void start_cell(th_online *online, size_t index, int64_t row, float weight) {
  online->weights[(size_t)row * online->stride + index] = weight;
  online->micros[index].norm2 += (double)weight * weight;
}

void th_online_prefetch(const th_online *online, const th_term *terms, size_t count) {
  if (!online->slots)
    return;
  for (size_t i = 0; i < count; i++)
    __builtin_prefetch(&online->slots[home_slot(online, terms[i].hash)]);
}

int th_online_add(th_online *online, size_t index, uint32_t hash, float weight) {
  if (th_online_reserve(online))
    return -1;
  uint32_t slot;
  int64_t row = find_row(online, hash, &slot);
  if (row < 0 && (row = new_row(online, hash, slot)) < 0)
    return -1;
  add_to_cell(online, index, row, weight);
  return 0;
}

int th_micro_add_id(th_micro *micro, uint64_t id) {
  if (th_grow((void **)&micro->ids, &micro->id_capacity, micro->id_count + 1, sizeof(uint64_t)))
    return -1;
  micro->ids[micro->id_count++] = id;
  return 0;
}

int th_online_append(th_online *online) {
  if (th_online_reserve(online) || online->count >= online->stride)
    return -1;
  memset(&online->micros[online->count], 0, sizeof(th_micro));
  /* the new column (new_row zeroes only those in use) */
  for (uint32_t r = 0; r < online->live; r++)
    online->weights[(size_t)r * online->stride + online->count] = 0;
  return (int)online->count++;
}

size_t th_online_terms(const th_online *online, size_t index, uint32_t *hashes, float *weights,
                       size_t max) {
  size_t found = 0;
  for (uint32_t r = 0; r < online->live && found < max; r++) {
    float value = online->weights[(size_t)r * online->stride + index];
    if (value != 0) {
      hashes[found] = online->row_hash[r];
      weights[found++] = value;
    }
  }
  return found;
}

/* Adds the terms' products to `lanes` consecutive groups of 8 themes from `m`, the sums held in
 * registers across the terms instead of being loaded and stored for every term. */
static inline __attribute__((always_inline)) void dots_block(const float *cells, size_t stride,
                                                             const int64_t *rows,
                                                             const float *weights, size_t count,
                                                             size_t m, int lanes, float *dots) {
  lanes8 sum[4] = {{0}};
  for (size_t i = 0; i < count; i++) {
    if (rows[i] < 0)
      continue;
    const float *row = cells + (size_t)rows[i] * stride + m;
    float weight = weights[i];
    for (int l = 0; l < lanes; l++) {
      lanes8 values;
      memcpy(&values, row + 8 * l, sizeof values);
      sum[l] += weight * values;
    }
  }
  for (int l = 0; l < lanes; l++)
    memcpy(dots + m + 8 * l, &sum[l], sizeof sum[l]);
}

/* Themes in blocks of 32, then 16, then 8, then one at a time; in each, every theme's sum takes the
 * terms in order, one multiply then one add each, as a one-theme-at-a-time loop does. */
TH_WIDE_LANES void th_online_dots(const float *cells, size_t stride, const int64_t *rows,
                                  const float *weights, size_t count, size_t themes,
                                  float *restrict dots) {
  size_t m = 0;
  for (; m + 32 <= themes; m += 32)
    dots_block(cells, stride, rows, weights, count, m, 4, dots);
  if (m + 16 <= themes) {
    dots_block(cells, stride, rows, weights, count, m, 2, dots);
    m += 16;
  }
  for (; m + 8 <= themes; m += 8)
    dots_block(cells, stride, rows, weights, count, m, 1, dots);
  for (; m < themes; m++) {
    float sum = 0;
    for (size_t i = 0; i < count; i++)
      if (rows[i] >= 0)
        sum += weights[i] * cells[(size_t)rows[i] * stride + m];
    dots[m] = sum;
  }
}

int th_online_assign(th_online *online, const uint32_t *hashes, const float *weights, size_t count,
                     uint64_t line, double sentiment, uint64_t *theme_id) {
  *theme_id = 0;
  if (count == 0)
    return 0;
  if (th_online_reserve(online))
    return -1;
  float dots[online->stride];
  size_t themes = online->count;
  int64_t rows[count]; /* each term's row (-1: none yet), found once for both loops */
  /* the table slots and rows are scattered over a few MB: ask for all of them before they are
   * read, so that the cache misses overlap instead of queueing one after the other */
  /* each term's home slot, then, for a term not in the table, where its probe stopped */
  uint32_t slots[count];
  for (size_t i = 0; i < count; i++) {
    slots[i] = home_slot(online, hashes[i]);
    __builtin_prefetch(&online->slots[slots[i]]);
  }
  size_t row_bytes = themes * sizeof(float);
  for (size_t i = 0; i < count; i++) {
    rows[i] = find_row_from(online, hashes[i], &slots[i]);
    if (rows[i] >= 0)
      for (size_t at = 0; at < row_bytes; at += 64)
        __builtin_prefetch((const char *)(online->weights + (size_t)rows[i] * online->stride) + at);
  }
  th_online_dots(online->weights, online->stride, rows, weights, count, themes, dots);
  size_t best = themes;
  double best_similarity = -1;
  for (size_t m = 0; m < themes; m++) {
    th_micro *micro = &online->micros[m];
    double norm2 = micro->norm2;
    if (norm2 != micro->length_of) {
      micro->length_of = norm2;
      micro->length = sqrt(norm2);
    }
    double similarity = norm2 > 0 ? dots[m] / micro->length : 0;
    if (similarity > best_similarity) {
      best_similarity = similarity;
      best = m;
    }
  }
  if (best == themes || (best_similarity < online->threshold && themes < online->limit)) {
    int index = th_online_append(online);
    if (index < 0 || th_micro_add_id(&online->micros[index], line))
      return -1;
    best = (size_t)index;
  }
  /* the theme's leader index is cold: its lines load while the record's terms are added */
  th_leaders_prefetch(&online->micros[best], hashes, count);
  /* as th_online_add, reusing the rows and slots found above until a new term's row prunes
   * the table, which renumbers rows and empties slots: from then on they are looked up again */
  size_t i = 0;
  while (i < count) {
    int64_t row = rows[i];
    if (row < 0) { /* not in the table when looked up above, and no prune since */
      uint32_t live = online->live;
      if ((row = new_row(online, hashes[i], slots[i])) < 0)
        return -1;
      start_cell(online, best, row, weights[i++]);
      if (online->live <= live) /* only a prune shrinks the table */
        break;
      continue;
    }
    add_to_cell(online, best, row, weights[i++]);
  }
  for (; i < count; i++)
    if (th_online_add(online, best, hashes[i], weights[i]))
      return -1;
  th_micro *micro = &online->micros[best];
  micro->count++;
  if (!isnan(sentiment)) {
    micro->sentiment_sum += sentiment;
    micro->sentiment_count++;
  }
  return th_leaders_choose(micro, hashes, weights, count, line, theme_id);
}

/* Folds theme b into theme a (column b is zeroed, its ids appended to a's). 0 or -1. */
static int fold(th_online *online, size_t a, size_t b) {
  th_micro *into = &online->micros[a], *from = &online->micros[b];
  into->norm2 = 0;
  for (uint32_t r = 0; r < online->live; r++) {
    float *row = online->weights + (size_t)r * online->stride;
    row[a] += row[b];
    row[b] = 0;
    into->norm2 += (double)row[a] * row[a];
  }
  for (size_t i = 0; i < from->id_count; i++)
    if (th_micro_add_id(into, from->ids[i]))
      return -1;
  into->count += from->count;
  into->sentiment_sum += from->sentiment_sum;
  into->sentiment_count += from->sentiment_count;
  micro_release(from);
  return 0;
}

/* Moves column `from` to column `to` (to < from; `to` is empty). */
static void move_theme(th_online *online, size_t from, size_t to) {
  for (uint32_t r = 0; r < online->live; r++) {
    float *row = online->weights + (size_t)r * online->stride;
    row[to] = row[from];
    row[from] = 0;
  }
  online->micros[to] = online->micros[from];
  memset(&online->micros[from], 0, sizeof(th_micro));
}

int th_online_merge(th_online *into, th_online *from) {
  int status = 0;
  if (from->count && th_online_reserve(into))
    return -1;
  size_t base = into->count;
  for (size_t j = 0; j < from->count && status == 0; j++) {
    int index = th_online_append(into);
    if (index < 0) {
      status = -1;
      break;
    }
    into->micros[index] = from->micros[j];
    into->micros[index].norm2 = 0;
    memset(&from->micros[j], 0, sizeof(th_micro));
  }
  for (uint32_t r = 0; r < from->live && status == 0; r++)
    for (size_t j = 0; j < from->count && status == 0; j++) {
      float value = from->weights[(size_t)r * from->stride + j];
      if (value != 0)
        status = th_online_add(into, base + j, from->row_hash[r], value);
    }
  th_online_release(from);
  size_t n = into->count;
  if (status || n <= into->limit)
    return status;
  /* Gram matrix of the themes, then fold the most similar pair (cosine) until `limit` */
  double *gram = th_calloc(n * n, sizeof(double));
  char *alive = th_alloc(n);
  if (!gram || !alive) {
    th_free(gram);
    th_free(alive);
    return -1;
  }
  memset(alive, 1, n);
  for (uint32_t r = 0; r < into->live; r++) {
    const float *row = into->weights + (size_t)r * into->stride;
    for (size_t a = 0; a < n; a++)
      if (row[a] != 0)
        for (size_t b = a; b < n; b++)
          gram[a * n + b] += (double)row[a] * row[b];
  }
  for (size_t remaining = n; remaining > into->limit && status == 0; remaining--) {
    size_t best_a = 0, best_b = 0;
    double best = -2;
    for (size_t a = 0; a < n; a++) {
      if (!alive[a])
        continue;
      for (size_t b = a + 1; b < n; b++) {
        if (!alive[b])
          continue;
        double scale = gram[a * n + a] * gram[b * n + b];
        double cosine = scale > 0 ? gram[a * n + b] / sqrt(scale) : 0;
        if (cosine > best) {
          best = cosine;
          best_a = a;
          best_b = b;
        }
      }
    }
    /* gram rows/columns of a absorb b's */
    for (size_t x = 0; x < n; x++) {
      if (!alive[x] || x == best_a || x == best_b)
        continue;
      double *ax = x < best_a ? &gram[x * n + best_a] : &gram[best_a * n + x];
      double bx = x < best_b ? gram[x * n + best_b] : gram[best_b * n + x];
      *ax += bx;
    }
    gram[best_a * n + best_a] += 2 * gram[best_a * n + best_b] + gram[best_b * n + best_b];
    alive[best_b] = 0;
    status = fold(into, best_a, best_b);
  }
  size_t out = 0;
  for (size_t i = 0; i < n; i++) {
    if (!alive[i])
      continue;
    if (out != i)
      move_theme(into, i, out);
    out++;
  }
  into->count = out;
  th_free(gram);
  th_free(alive);
  return status;
}
