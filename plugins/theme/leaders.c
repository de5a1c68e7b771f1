/* plugins/theme/leaders.c - finer online ids inside an online theme (see online.h).
 *
 * A record that joins an online theme also takes the id of the nearest of that theme's
 * leaders: records of the theme, each kept as the unit vector of its TH_LEADER_TERMS heaviest
 * terms. A record whose cosine to every leader is below TH_LEADER_SIMILARITY becomes a leader
 * itself, with its input line as a new id of the theme, while the theme has fewer than
 * TH_LEADERS_MAX. The theme's centroid, and so every online decision, is the same as without
 * leaders: only the ids are finer, so that the final mapping of ids to discovered themes can
 * follow a mixed online theme's parts.
 *
 * The leaders are kept inverted: a table from term hash to the list of (leader, weight) of the
 * leaders holding that term, so that a record's cosines to all of them cost one probe per
 * record term plus one multiply-add per shared term, however many leaders there are (a short
 * comment shares its few terms with few leaders). */
#include <math.h>
#include <string.h>

#include "common.h"
#include "online.h"
#include "plugin.h"

#define INDEX_SLOTS (2 * TH_LEADERS_MAX * TH_LEADER_TERMS)
#define NO_ENTRY    UINT16_MAX
_Static_assert(INDEX_SLOTS == 1024, "slot_of takes the top 10 bits of the hash");
_Static_assert(TH_LEADERS_MAX *TH_LEADER_TERMS < NO_ENTRY, "postings are numbered in 16 bits");
_Static_assert(TH_LEADERS_MAX <= 256, "a posting names its leader in 8 bits");

typedef struct {
  uint32_t hash;
  uint16_t first; /* the term's first posting, NO_ENTRY: an empty slot */
} index_slot;

typedef struct {
  float weight;   /* the term's weight in the leader's unit vector */
  uint8_t leader; /* index into ids */
  uint16_t next;  /* the term's next posting, NO_ENTRY at the end */
} posting;

struct th_leader_index {
  uint64_t id[TH_LEADERS_MAX]; /* each leader's id: the input line of its record */
  uint32_t postings;
  index_slot slot[INDEX_SLOTS];
  posting posting[TH_LEADERS_MAX * TH_LEADER_TERMS];
};

static uint32_t slot_of(uint32_t hash) {
  return (hash * 0x9e3779b1u) >> 22; /* the top 10 bits: INDEX_SLOTS = 1024 */
}

/* The slot of `hash`: where it is, or the empty slot where it would go. */
static uint32_t find_slot(const th_leader_index *index, uint32_t hash) {
  uint32_t s = slot_of(hash);
  while (index->slot[s].first != NO_ENTRY && index->slot[s].hash != hash)
    s = (s + 1) & (INDEX_SLOTS - 1);
  return s;
}

/* Adds leader number `leader` (id `line`): the unit vector of the record's TH_LEADER_TERMS
 * heaviest terms (ties: the earlier term). The record's terms are distinct. */
static void leader_add(th_leader_index *index, uint32_t leader, uint64_t line,
                       const uint32_t *hashes, const float *weights, uint32_t terms) {
  th_ranked order[TH_ONLINE_QUERY];
  for (uint32_t i = 0; i < terms; i++)
    order[i] = (th_ranked){i, weights[i]};
  th_select_top(order, terms, TH_LEADER_TERMS);
  uint32_t kept = terms < TH_LEADER_TERMS ? terms : TH_LEADER_TERMS;
  double norm = 0;
  for (uint32_t k = 0; k < kept; k++)
    norm += (double)order[k].weight * order[k].weight;
  double length = sqrt(norm);
  index->id[leader] = line;
  for (uint32_t k = 0; k < kept && length > 0; k++) {
    uint32_t s = find_slot(index, hashes[order[k].index]);
    uint16_t at = (uint16_t)index->postings++;
    index->posting[at] =
        (posting){(float)(order[k].weight / length), (uint8_t)leader, index->slot[s].first};
    index->slot[s] = (index_slot){hashes[order[k].index], at};
  }
}

static th_leader_index *index_create(void) {
  th_leader_index *index = th_alloc(sizeof(th_leader_index));
  if (!index)
    return NULL;
  index->postings = 0;
  for (uint32_t s = 0; s < INDEX_SLOTS; s++)
    index->slot[s] = (index_slot){0, NO_ENTRY};
  return index;
}

int th_leaders_choose(th_micro *micro, const uint32_t *hashes, const float *weights, size_t count,
                      uint64_t line, uint64_t *id) {
  uint32_t terms = count < TH_ONLINE_QUERY ? (uint32_t)count : TH_ONLINE_QUERY;
  uint32_t leaders = micro->leader_count;
  th_leader_index *index = micro->leaders;
  if (leaders) {
    /* each leader's dot product with the record, summed in the record's term order */
    double similarity[TH_LEADERS_MAX] = {0};
    for (uint32_t i = 0; i < terms; i++) {
      const index_slot *slot = &index->slot[find_slot(index, hashes[i])];
      for (uint16_t at = slot->first; at != NO_ENTRY; at = index->posting[at].next)
        similarity[index->posting[at].leader] += (double)weights[i] * index->posting[at].weight;
    }
    uint32_t best = 0;
    for (uint32_t l = 1; l < leaders; l++)
      if (similarity[l] > similarity[best])
        best = l;
    if (similarity[best] >= TH_LEADER_SIMILARITY || leaders >= TH_LEADERS_MAX) {
      *id = index->id[best];
      return 0;
    }
  }
  if (!index && !(index = micro->leaders = index_create()))
    return -1;
  /* the theme's founder's line is its first id already */
  if ((micro->id_count == 0 || micro->ids[micro->id_count - 1] != line) &&
      th_micro_add_id(micro, line))
    return -1;
  leader_add(index, micro->leader_count++, line, hashes, weights, terms);
  *id = line;
  return 0;
}
