/* plugins/theme/online.c - online leader clustering of records into at most `limit` sparse
 * centroids, and the deterministic fold of two such states (see online.h). */
#include "online.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void th_online_init(th_online *online, size_t limit, double threshold) {
  memset(online, 0, sizeof(*online));
  online->limit = limit ? limit : 1;
  online->threshold = threshold;
}

static void micro_release(th_micro *micro) {
  th_free(micro->ids);
  th_free(micro->keys);
  th_free(micro->weights);
  memset(micro, 0, sizeof(*micro));
}

void th_online_release(th_online *online) {
  for (size_t i = 0; i < online->count; i++)
    micro_release(&online->micros[i]);
  th_free(online->micros);
  online->micros = NULL;
  online->count = 0;
}

static float micro_get(const th_micro *micro, uint32_t hash) {
  if (!micro->capacity)
    return 0;
  uint32_t key = hash + 1u, mask = micro->capacity - 1;
  for (uint32_t slot = th_hash_slot(hash) & mask;; slot = (slot + 1) & mask) {
    if (micro->keys[slot] == 0)
      return 0;
    if (micro->keys[slot] == key)
      return micro->weights[slot];
  }
}

/* Inserts or adds without pruning; the table must have a free slot. */
static void micro_put(th_micro *micro, uint32_t hash, float weight) {
  uint32_t key = hash + 1u, mask = micro->capacity - 1;
  uint32_t slot = th_hash_slot(hash) & mask;
  while (micro->keys[slot] != 0 && micro->keys[slot] != key)
    slot = (slot + 1) & mask;
  if (micro->keys[slot] == 0) {
    micro->keys[slot] = key;
    micro->weights[slot] = 0;
    micro->live++;
  }
  double old = micro->weights[slot];
  micro->weights[slot] += weight;
  micro->norm2 += (double)micro->weights[slot] * micro->weights[slot] - old * old;
}

typedef struct entry {
  uint32_t key;
  float weight;
} entry;

static int compare_entries(const void *left, const void *right) {
  const entry *a = left, *b = right;
  if (a->weight != b->weight)
    return a->weight < b->weight ? 1 : -1;
  return (a->key > b->key) - (a->key < b->key);
}

/* Rebuilds the table with room for TH_ONLINE_TERMS entries, keeping the heaviest
 * `keep` terms. 0 or -1 on OOM (the theme is unchanged). */
static int micro_rebuild(th_micro *micro, uint32_t keep) {
  entry *entries = th_alloc((micro->live + 1) * sizeof(entry));
  uint32_t capacity = TH_ONLINE_SLOTS;
  uint32_t *keys = th_calloc(capacity, sizeof(uint32_t));
  float *weights = th_calloc(capacity, sizeof(float));
  if (!entries || !keys || !weights) {
    th_free(entries);
    th_free(keys);
    th_free(weights);
    return -1;
  }
  uint32_t count = 0;
  for (uint32_t slot = 0; slot < micro->capacity; slot++)
    if (micro->keys[slot])
      entries[count++] = (entry){micro->keys[slot] - 1u, micro->weights[slot]};
  qsort(entries, count, sizeof(entry), compare_entries);
  if (count > keep)
    count = keep;
  th_free(micro->keys);
  th_free(micro->weights);
  micro->keys = keys;
  micro->weights = weights;
  micro->capacity = capacity;
  micro->live = 0;
  micro->norm2 = 0;
  for (uint32_t i = 0; i < count; i++)
    micro_put(micro, entries[i].key, entries[i].weight);
  th_free(entries);
  return 0;
}

int th_micro_add(th_micro *micro, uint32_t hash, float weight) {
  if (!micro->capacity || micro->live >= TH_ONLINE_SLOTS / 2) {
    if (micro_rebuild(micro, micro->capacity ? TH_ONLINE_TERMS : 0))
      return -1;
  }
  micro_put(micro, hash, weight);
  return 0;
}

int th_micro_add_id(th_micro *micro, uint64_t id) {
  if (th_grow((void **)&micro->ids, &micro->id_capacity, micro->id_count + 1, sizeof(uint64_t)))
    return -1;
  micro->ids[micro->id_count++] = id;
  return 0;
}

th_micro *th_online_append(th_online *online) {
  size_t capacity = online->count; /* grown one by one: the count is small and bounded */
  th_micro *grown = th_realloc(online->micros, (capacity + 1) * sizeof(th_micro));
  if (!grown)
    return NULL;
  online->micros = grown;
  th_micro *micro = &online->micros[online->count++];
  memset(micro, 0, sizeof(*micro));
  return micro;
}

static double micro_cosine(const th_micro *micro, const uint32_t *hashes, const float *weights,
                           size_t count) {
  if (micro->norm2 <= 0)
    return 0;
  double dot = 0;
  for (size_t i = 0; i < count; i++)
    dot += (double)weights[i] * micro_get(micro, hashes[i]);
  return dot / sqrt(micro->norm2);
}

int th_online_assign(th_online *online, const uint32_t *hashes, const float *weights, size_t count,
                     uint64_t line, double sentiment, uint64_t *theme_id) {
  *theme_id = 0;
  if (count == 0)
    return 0;
  size_t best = online->count;
  double best_similarity = -1;
  for (size_t i = 0; i < online->count; i++) {
    double similarity = micro_cosine(&online->micros[i], hashes, weights, count);
    if (similarity > best_similarity) {
      best_similarity = similarity;
      best = i;
    }
  }
  th_micro *micro;
  if (best < online->count &&
      (best_similarity >= online->threshold || online->count >= online->limit)) {
    micro = &online->micros[best];
  } else {
    micro = th_online_append(online);
    if (!micro || th_micro_add_id(micro, line))
      return -1;
  }
  for (size_t i = 0; i < count; i++)
    if (th_micro_add(micro, hashes[i], weights[i]))
      return -1;
  micro->count++;
  if (!isnan(sentiment)) {
    micro->sentiment_sum += sentiment;
    micro->sentiment_count++;
  }
  *theme_id = micro->ids[0];
  return 0;
}

static double micro_pair_cosine(const th_micro *a, const th_micro *b) {
  if (a->norm2 <= 0 || b->norm2 <= 0)
    return 0;
  if (a->live > b->live) {
    const th_micro *swap = a;
    a = b;
    b = swap;
  }
  double dot = 0;
  for (uint32_t slot = 0; slot < a->capacity; slot++)
    if (a->keys[slot])
      dot += (double)a->weights[slot] * micro_get(b, a->keys[slot] - 1u);
  return dot / sqrt(a->norm2 * b->norm2);
}

/* Folds micro b into a (b is released). 0 or -1 on OOM. */
static int micro_fold(th_micro *a, th_micro *b) {
  for (uint32_t slot = 0; slot < b->capacity; slot++)
    if (b->keys[slot] && th_micro_add(a, b->keys[slot] - 1u, b->weights[slot]))
      return -1;
  for (size_t i = 0; i < b->id_count; i++)
    if (th_micro_add_id(a, b->ids[i]))
      return -1;
  a->count += b->count;
  a->sentiment_sum += b->sentiment_sum;
  a->sentiment_count += b->sentiment_count;
  micro_release(b);
  return 0;
}

int th_online_merge(th_online *into, th_online *from) {
  for (size_t i = 0; i < from->count; i++) {
    th_micro *micro = th_online_append(into);
    if (!micro)
      return -1;
    *micro = from->micros[i];
    memset(&from->micros[i], 0, sizeof(th_micro));
  }
  th_online_release(from);
  size_t n = into->count;
  if (n <= into->limit)
    return 0;
  double *similarity = th_alloc(n * n * sizeof(double));
  char *alive = th_alloc(n);
  if (!similarity || !alive) {
    th_free(similarity);
    th_free(alive);
    return -1;
  }
  memset(alive, 1, n);
  for (size_t a = 0; a < n; a++)
    for (size_t b = a + 1; b < n; b++)
      similarity[a * n + b] = micro_pair_cosine(&into->micros[a], &into->micros[b]);
  int status = 0;
  for (size_t remaining = n; remaining > into->limit; remaining--) {
    size_t best_a = 0, best_b = 0;
    double best = -2;
    for (size_t a = 0; a < n; a++) {
      if (!alive[a])
        continue;
      for (size_t b = a + 1; b < n; b++)
        if (alive[b] && similarity[a * n + b] > best) {
          best = similarity[a * n + b];
          best_a = a;
          best_b = b;
        }
    }
    if (micro_fold(&into->micros[best_a], &into->micros[best_b])) {
      status = -1;
      break;
    }
    alive[best_b] = 0;
    for (size_t x = 0; x < n; x++) {
      if (!alive[x] || x == best_a)
        continue;
      double value = micro_pair_cosine(&into->micros[best_a], &into->micros[x]);
      if (x < best_a)
        similarity[x * n + best_a] = value;
      else
        similarity[best_a * n + x] = value;
    }
  }
  /* compact, keeping order */
  size_t out = 0;
  for (size_t i = 0; i < n; i++) {
    if (alive[i])
      into->micros[out++] = into->micros[i];
    else
      micro_release(&into->micros[i]);
  }
  into->count = out;
  th_free(similarity);
  th_free(alive);
  return status;
}
