/* plugins/theme/online.h - online (single-pass) theme clustering, one state per worker.
 *
 * Leader clustering over sparse weighted term vectors: a record joins the most similar online
 * theme when the cosine reaches `threshold`, or founds a new one while fewer than `limit`
 * exist (else it joins the most similar anyway). Centroids are stored term-major: one table
 * of at most TH_ONLINE_VOCABULARY terms, each with a row of weights, one per online theme,
 * so a record's similarity to every theme costs one table probe per record term plus a
 * contiguous multiply-add over the row. When the table fills up, the terms that matter least
 * to every theme (smallest weight relative to the theme's length) are dropped down to a
 * quarter,
 * so memory is TH_ONLINE_VOCABULARY x 2 x limit floats whatever the stream.
 * An online theme's id is the input line of the record that founded it: unique across
 * workers and processes. A theme has finer ids too (leaders.c): a record joining it takes the
 * id of the nearest of its leaders, records far from every earlier leader that founded an id of
 * their own; that id is what a record's "theme_id" holds. Merging two states appends the
 * themes of one to the other and folds the most similar pairs until `limit` remain; a folded
 * theme keeps every id it absorbed, so each record's theme_id can be traced to a final theme.
 */
#ifndef THEME_ONLINE_H
#define THEME_ONLINE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "extract.h"

#define TH_ONLINE_VOCABULARY 8192
/* Leaders (leaders.c): an id's records are near its leader, much nearer than the join
 * similarity asks of an online theme's records, so that an id holds one topic. */
#define TH_LEADERS_MAX       32  /* leaders (ids) records can found in one online theme */
#define TH_LEADER_TERMS      16  /* a leader's heaviest terms, kept as a unit vector */
#define TH_LEADER_SIMILARITY 0.5 /* cosine to a leader below which a record founds its own id */

typedef struct th_leader_index th_leader_index; /* leaders.c */

typedef struct th_micro {
  uint64_t *ids; /* online ids folded into this theme; ids[0] is its own */
  size_t id_count, id_capacity;
  uint64_t count; /* records */
  double sentiment_sum;
  uint64_t sentiment_count;
  double norm2; /* squared length of the centroid */
  /* sqrt(length_of) (th_online_assign divides by the centroid's length for every record, and
   * norm2 changes for one theme per record): recomputed whenever norm2 != length_of, so it
   * needs no upkeep where norm2 changes, and a zeroed theme is consistent (sqrt(0) = 0) */
  double length_of, length;
  /* while streaming: the theme's leaders (leaders.c), each one of its ids; not exported */
  th_leader_index *leaders;
  uint32_t leader_count;
} th_micro;

typedef struct th_online {
  th_micro *micros; /* `count` themes (room for 2 x limit, for merges) */
  size_t count;
  size_t limit;
  double threshold;
  /* the term table: per slot, the key (hash + 1, 0 = empty) in the low half and its row index
   * in the high half, so that a probe reads one array */
  uint64_t *slots;
  uint32_t table_size; /* 2 x TH_ONLINE_VOCABULARY (th_online_reserve, or at first use) */
  uint32_t live;       /* rows in use */
  uint32_t *row_hash;  /* per row: its term hash */
  float *weights;      /* rows x stride, starting on a cache line (in weights_block) */
  void *weights_block; /* the allocation weights lies in (th_free) */
  size_t stride;       /* 2 x limit */
} th_online;

#define TH_CACHE_LINE 64 /* bytes: where th_online's weights start */

/* An empty state (allocates nothing yet). */
void th_online_init(th_online *online, size_t limit, double threshold);
/* Allocates the term table and the weights unless they exist (about 3.5 MB; the weights' cells
 * are still written before they are read); every function that needs them calls it first. The
 * partial calls it as it is made, before the stream: made at the first record, on a worker's
 * thread, they took a third of a 5 MB run's page faults (plugins/theme/README.md, Figures).
 * 0, or -1 on OOM. */
int th_online_reserve(th_online *online);
/* Frees everything the state holds and leaves it empty (same limit and threshold). */
void th_online_release(th_online *online);

/* Assigns the unit-length sparse vector (hashes, weights) of the record at input `line`;
 * `sentiment` is NAN when unknown. Sets *theme_id to the online id joined. An empty vector
 * joins nothing (*theme_id = 0). Returns 0, or -1 on OOM (the record is then not counted). */
int th_online_assign(th_online *online, const uint32_t *hashes, const float *weights, size_t count,
                     uint64_t line, double sentiment, uint64_t *theme_id);

/* The id, among theme `micro`'s, a record joining it takes (leaders.c): the nearest leader's,
 * or its own `line` (added to the theme's ids) when it is below TH_LEADER_SIMILARITY from
 * every leader and the theme has fewer than TH_LEADERS_MAX. 0, or -1 on OOM. */
int th_leaders_choose(th_micro *micro, const uint32_t *hashes, const float *weights, size_t count,
                      uint64_t line, uint64_t *id);

/* Asks for the term table slots th_online_assign will probe first for these terms (the home
 * slot of each), so that the misses overlap with whatever the caller does before assigning the
 * record. Reads nothing; does nothing before the tables exist. */
void th_online_prefetch(const th_online *online, const th_term *terms, size_t count);

/* Asks for the cache lines th_leaders_choose(micro, hashes, ..., count) will probe first (the
 * index's slots of the record's terms), so that th_online_assign's work in between hides their
 * misses. Reads nothing. */
void th_leaders_prefetch(const th_micro *micro, const uint32_t *hashes, size_t count);

/* Moves every theme of `from` into `into` (leaving `from` empty), then folds the most similar
 * pairs until at most into->limit remain. Both must have the same limit. Deterministic.
 * 0, or -1 on OOM. */
int th_online_merge(th_online *into, th_online *from);

/* Appends an empty theme; returns its index, or -1 when 2 x limit exist or on OOM. */
int th_online_append(th_online *online);

/* Adds `weight` to term `hash` of theme `index` (import). 0, or -1 on OOM. */
int th_online_add(th_online *online, size_t index, uint32_t hash, float weight);

/* Appends an online id to a theme (import). 0, or -1 on OOM. */
int th_micro_add_id(th_micro *micro, uint64_t id);

/* dots[m] = the sum, over the terms i in order whose rows[i] >= 0, of weights[i] x
 * cells[rows[i] x stride + m], for m < themes (one multiply then one add per term, as a
 * one-theme-at-a-time loop would; TH_WIDE_LANES: blocks of 32, 16 and 8 themes whose sums stay
 * in registers over the terms, 8 lanes wide with AVX2, the same floats). */
void th_online_dots(const float *cells, size_t stride, const int64_t *rows, const float *weights,
                    size_t count, size_t themes, float *restrict dots);

/* norms[m] += cells[r x stride + m] squared in double, for every row r < rows in order, for
 * m < count (prune's theme lengths over the kept rows). TH_WIDE_LANES: blocks of 16 and 4
 * themes whose sums stay in registers over the rows, each the sum one theme at a time gives. */
void th_online_add_squares(const float *cells, size_t stride, uint32_t rows, size_t count,
                           double *restrict norms);

/* ranked[r] = {r, the largest cells[r x stride + m] x inverse_length[m] over m < count, at
 * least 0} for r < rows: how much row r matters to the theme it matters most to (prune).
 * TH_WIDE_LANES: 8 lanes with AVX2; a maximum is the same in any order. */
void th_online_importance(const float *cells, size_t stride, uint32_t rows,
                          const float *inverse_length, size_t count, th_ranked *ranked);

/* Sets kept[ranked[i].index] = 1 for the `top` entries th_select_top(ranked, count, top) would
 * put first (the heaviest, ties: the lower index), leaving the others as they are (prune: the
 * rows kept). The weights must not be negative or NaN (importances are not): the entries are
 * bucketed by their float's high bits, which then order as the weights do, and only the bucket
 * the boundary falls in is ranked. 0, or -1 on OOM. */
int th_online_mark_top(const th_ranked *ranked, uint32_t count, uint32_t top, char *kept);

/* Writes theme `index`'s non-zero terms (at most `max`) into hashes/weights; returns how many.
 */
size_t th_online_terms(const th_online *online, size_t index, uint32_t *hashes, float *weights,
                       size_t max);

#endif /* THEME_ONLINE_H */
