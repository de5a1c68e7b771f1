/* plugins/theme/leaders.c - finer online ids inside an online theme (see online.h).
 *
 * A record that joins an online theme also takes the id of the nearest of that theme's
 * leaders: records of the theme, each kept as its unit vector (its TH_ONLINE_QUERY heaviest
 * terms). A record whose cosine to every leader is below the theme's join
 * threshold becomes a leader itself, with its input line as a new id of the theme, while the
 * theme has fewer than TH_LEADERS_MAX. The theme's centroid, and so every online decision,
 * is the same as without leaders: only the ids are finer, so that the final mapping of ids to
 * discovered themes can follow a mixed online theme's parts. */
#include <string.h>

#include "common.h"
#include "online.h"
#include "plugin.h"

typedef struct {
  uint32_t hash;
  float weight;
} leader_term;

struct th_leader {
  uint64_t id;
  uint32_t terms;
  leader_term term[TH_ONLINE_QUERY];
};

/* The record's terms by hash: an open-addressing table of term index + 1 (0: empty) with 16
 * times as many slots as terms, so that a leader term the record lacks (most of them) almost
 * always finds an empty slot at the first probe: the probe loop's branches are then predictable,
 * where a half-full table mispredicted about once per leader term. */
#define RECORD_SLOTS 1024
_Static_assert(RECORD_SLOTS >= 16 * TH_ONLINE_QUERY, "the table stays sparse");
_Static_assert(TH_ONLINE_QUERY < 256, "slots hold term index + 1 in a byte");

static uint32_t slot_of(uint32_t hash) {
  return (hash * 0x9e3779b1u) >> 22; /* the top 10 bits: RECORD_SLOTS = 1024 */
}

typedef struct {
  const leader_term *term;
  uint8_t slot[RECORD_SLOTS];
} record_table;

static void table_build(record_table *table, const leader_term *term, uint32_t terms) {
  table->term = term;
  memset(table->slot, 0, sizeof(table->slot));
  for (uint32_t i = 0; i < terms; i++) {
    uint32_t s = slot_of(term[i].hash);
    while (table->slot[s])
      s = (s + 1) & (RECORD_SLOTS - 1);
    table->slot[s] = (uint8_t)(i + 1);
  }
}

/* The dot product of a leader with the record, summed in the leader's term order (the record's
 * terms are distinct, so whatever the table's layout each leader term meets the same one). */
static double dot(const record_table *table, const th_leader *leader) {
  double sum = 0;
  for (uint32_t i = 0; i < leader->terms; i++) {
    uint32_t hash = leader->term[i].hash;
    for (uint32_t s = slot_of(hash); __builtin_expect(table->slot[s] != 0, 0);
         s = (s + 1) & (RECORD_SLOTS - 1)) {
      const leader_term *term = &table->term[table->slot[s] - 1];
      if (term->hash == hash) {
        sum += (double)term->weight * leader->term[i].weight;
        break;
      }
    }
  }
  return sum;
}

int th_leaders_choose(th_micro *micro, const uint32_t *hashes, const float *weights, size_t count,
                      uint64_t line, double threshold, uint64_t *id) {
  leader_term record[TH_ONLINE_QUERY];
  uint32_t terms = count < TH_ONLINE_QUERY ? (uint32_t)count : TH_ONLINE_QUERY;
  for (uint32_t i = 0; i < terms; i++)
    record[i] = (leader_term){hashes[i], weights[i]};
  record_table table;
  table_build(&table, record, terms);
  int32_t best = -1;
  double best_similarity = 0;
  for (uint32_t l = 0; l < micro->leader_count; l++) {
    const th_leader *leader = &micro->leaders[l];
    double similarity = dot(&table, leader);
    if (best < 0 || similarity > best_similarity) {
      best = (int32_t)l;
      best_similarity = similarity;
    }
  }
  if (best >= 0 && (best_similarity >= threshold || micro->leader_count >= TH_LEADERS_MAX)) {
    *id = micro->leaders[best].id;
    return 0;
  }
  if (!micro->leaders) {
    micro->leaders = th_alloc(TH_LEADERS_MAX * sizeof(th_leader));
    if (!micro->leaders)
      return -1;
  }
  /* the theme's founder's line is its first id already */
  if ((micro->id_count == 0 || micro->ids[micro->id_count - 1] != line) &&
      th_micro_add_id(micro, line))
    return -1;
  th_leader *leader = &micro->leaders[micro->leader_count++];
  leader->id = line;
  leader->terms = terms;
  memcpy(leader->term, record, terms * sizeof(leader_term));
  *id = line;
  return 0;
}
