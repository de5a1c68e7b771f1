/* plugins/theme/online.h - online (single-pass) theme clustering, one state per worker.
 *
 * Leader clustering over sparse weighted term vectors: a record joins the most similar online
 * theme when the cosine reaches `threshold`, or founds a new one while fewer than `limit`
 * exist (else it joins the most similar anyway). An online theme is a sparse centroid kept to
 * at most TH_ONLINE_TERMS terms (the lightest are pruned), so memory is
 * limit x TH_ONLINE_TERMS whatever the stream. Its id is the input line of the record that
 * founded it: unique across workers and processes, and what a record's "theme_id" holds.
 * Merging two states concatenates their themes and folds the most similar pairs together
 * until `limit` remain; a folded theme keeps every id it absorbed, so each record's theme_id
 * can be traced to a final theme in the report ("online_ids").
 */
#ifndef THEME_ONLINE_H
#define THEME_ONLINE_H

#include <stddef.h>
#include <stdint.h>

#define TH_ONLINE_TERMS 128
/* Table slots of an online theme: it grows to half of them before pruning back to
 * TH_ONLINE_TERMS, so the pruning sort runs once per ~384 new terms. */
#define TH_ONLINE_SLOTS 1024

typedef struct th_micro {
  uint64_t *ids; /* online ids folded into this theme; ids[0] is its own */
  size_t id_count, id_capacity;
  uint64_t count; /* records */
  double sentiment_sum;
  uint64_t sentiment_count;
  uint32_t *keys; /* open addressing, term hash + 1 (0 = empty) */
  float *weights;
  uint32_t live, capacity;
  double norm2; /* squared length of the centroid */
} th_micro;

typedef struct th_online {
  th_micro *micros;
  size_t count;
  size_t limit;
  double threshold;
} th_online;

/* An empty state. */
void th_online_init(th_online *online, size_t limit, double threshold);
void th_online_release(th_online *online);

/* Assigns the unit-length sparse vector (hashes, weights) of the record at input `line`;
 * `sentiment` is NAN when unknown. Sets *theme_id to the online id joined. An empty vector
 * joins nothing (*theme_id = 0). Returns 0, or -1 on OOM (the record is then not counted). */
int th_online_assign(th_online *online, const uint32_t *hashes, const float *weights, size_t count,
                     uint64_t line, double sentiment, uint64_t *theme_id);

/* Moves every theme of `from` into `into` (leaving `from` empty), then folds the most similar
 * pairs until at most into->limit remain. Deterministic. 0, or -1 on OOM. */
int th_online_merge(th_online *into, th_online *from);

/* Adds (hash, weight) to a theme's centroid (used by import). 0, or -1 on OOM. */
int th_micro_add(th_micro *micro, uint32_t hash, float weight);

/* Appends an online id to a theme (used by import). 0, or -1 on OOM. */
int th_micro_add_id(th_micro *micro, uint64_t id);

/* Appends an empty theme to `online` and returns it, or NULL on OOM. */
th_micro *th_online_append(th_online *online);

#endif /* THEME_ONLINE_H */
