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
 * The leaders are kept inverted: a table from term hash to the (leader, weight) postings of
 * the leaders holding that term, so that a record's cosines to all of them cost one probe per
 * record term plus one multiply-add per shared term, however many leaders there are (a short
 * comment shares its few terms with few leaders). A term's postings are contiguous (the index
 * is rebuilt from the leaders' own terms when a leader is added, at most TH_LEADERS_MAX times a
 * theme, while it is read for every record that joins the theme): reading them is one or two
 * cache lines found from the slot, not a chain of dependent loads. A bit filter of the leaders'
 * terms, in front of the slots, turns away the many record terms no leader holds. */
#include <math.h>
#include <string.h>

#include "common.h"
#include "online.h"
#include "plugin.h"

#define INDEX_SLOTS  (2 * TH_LEADERS_MAX * TH_LEADER_TERMS)
#define MAX_POSTINGS (TH_LEADERS_MAX * TH_LEADER_TERMS)
_Static_assert(INDEX_SLOTS == 1024, "slot_of takes the top 10 bits of the hash");
_Static_assert(MAX_POSTINGS <= UINT16_MAX, "postings are numbered in 16 bits");
_Static_assert(TH_LEADER_TERMS <= UINT8_MAX, "a leader counts its terms in 8 bits");

typedef struct {
  uint32_t hash;
  uint16_t first; /* the term's first posting */
  uint16_t count; /* its postings, 0: an empty slot */
} index_slot;

typedef struct {
  float weight;    /* the term's weight in the leader's unit vector */
  uint32_t leader; /* index into ids */
} posting;

typedef struct {
  uint32_t hash;
  float weight;
} leader_term;

/* The leaders' terms as one bit each (FILTER_BITS, 512 bytes): most of a record's terms are in
 * no leader, and a clear bit says so from 8 cache lines instead of a probe into the 8 KB of
 * slots. At most MAX_POSTINGS bits are set, an eighth of them. */
#define FILTER_BITS 4096

struct th_leader_index {
  uint64_t id[TH_LEADERS_MAX]; /* each leader's id: the input line of its record */
  uint64_t filter[FILTER_BITS / 64];
  index_slot slot[INDEX_SLOTS];
  /* term by term (slot->first .. + count), each term's postings in leader order */
  posting posting[MAX_POSTINGS];
  /* what the postings are rebuilt from: leader l's terms, term_count[l] from l x TH_LEADER_TERMS */
  leader_term term[MAX_POSTINGS];
  uint8_t term_count[TH_LEADERS_MAX];
};

static uint32_t slot_of(uint32_t hash) {
  return (hash * 0x9e3779b1u) >> 22; /* the top 10 bits: INDEX_SLOTS = 1024 */
}

/* The filter bit of `hash`: its top 12 bits after another multiply than slot_of's, so that
 * terms sharing a slot's neighbourhood rarely share a bit. */
static uint32_t bit_of(uint32_t hash) {
  return (hash * 0x85ebca6bu) >> 20;
}

static int filter_holds(const th_leader_index *index, uint32_t hash) {
  uint32_t bit = bit_of(hash);
  return (int)(index->filter[bit / 64] >> (bit % 64)) & 1;
}

/* The slot of `hash`: where it is, or the empty slot where it would go. */
static uint32_t find_slot(const th_leader_index *index, uint32_t hash) {
  uint32_t s = slot_of(hash);
  while (index->slot[s].count != 0 && index->slot[s].hash != hash)
    s = (s + 1) & (INDEX_SLOTS - 1);
  return s;
}

/* Lays the postings out again, term after term in slot order, each term's in leader order,
 * from the leaders' terms (whose slots hold the right counts). */
static void index_rebuild(th_leader_index *index, uint32_t leaders) {
  uint16_t fill[INDEX_SLOTS]; /* per slot, where its next posting goes */
  uint32_t next = 0;
  for (uint32_t s = 0; s < INDEX_SLOTS; s++) {
    index->slot[s].first = (uint16_t)next;
    fill[s] = (uint16_t)next;
    next += index->slot[s].count;
  }
  /* leader after leader: each term's postings come in leader order */
  for (uint32_t l = 0; l < leaders; l++)
    for (uint32_t k = 0; k < index->term_count[l]; k++) {
      const leader_term *term = &index->term[l * TH_LEADER_TERMS + k];
      index->posting[fill[find_slot(index, term->hash)]++] = (posting){term->weight, l};
    }
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
  index->term_count[leader] = 0;
  for (uint32_t k = 0; k < kept && length > 0; k++) {
    uint32_t hash = hashes[order[k].index];
    index_slot *slot = &index->slot[find_slot(index, hash)];
    slot->hash = hash;
    slot->count++;
    index->filter[bit_of(hash) / 64] |= (uint64_t)1 << (bit_of(hash) % 64);
    index->term[leader * TH_LEADER_TERMS + index->term_count[leader]++] =
        (leader_term){hash, (float)(order[k].weight / length)};
  }
  index_rebuild(index, leader + 1);
}

static th_leader_index *index_create(void) {
  th_leader_index *index = th_alloc(sizeof(th_leader_index));
  if (!index)
    return NULL;
  for (uint32_t s = 0; s < INDEX_SLOTS; s++)
    index->slot[s] = (index_slot){0, 0, 0};
  memset(index->filter, 0, sizeof index->filter);
  return index;
}

void th_leaders_prefetch(const th_micro *micro, const uint32_t *hashes, size_t count) {
  const th_leader_index *index = micro->leaders;
  if (!index || micro->leader_count == 0)
    return;
  uint32_t terms = count < TH_ONLINE_QUERY ? (uint32_t)count : TH_ONLINE_QUERY;
  /* the filter is not read here: a prefetch never waits, a read of a cold line would */
  for (uint32_t w = 0; w < FILTER_BITS / 64; w += 8 /* a line */)
    __builtin_prefetch(&index->filter[w]);
  for (uint32_t i = 0; i < terms; i++)
    __builtin_prefetch(&index->slot[slot_of(hashes[i])]);
}

int th_leaders_choose(th_micro *micro, const uint32_t *hashes, const float *weights, size_t count,
                      uint64_t line, uint64_t *id) {
  uint32_t terms = count < TH_ONLINE_QUERY ? (uint32_t)count : TH_ONLINE_QUERY;
  uint32_t leaders = micro->leader_count;
  th_leader_index *index = micro->leaders;
  if (leaders) {
    /* each leader's dot product with the record, summed in the record's term order */
    double similarity[TH_LEADERS_MAX] = {0};
    /* the slots first, each term's postings asked for as its slot is found, then the sums: the
     * postings' cache misses overlap instead of each waiting behind its slot's */
    index_slot found[TH_ONLINE_QUERY];
    uint32_t term_of[TH_ONLINE_QUERY], held = 0;
    for (uint32_t i = 0; i < terms; i++) {
      if (!filter_holds(index, hashes[i]))
        continue; /* in no leader: adds nothing */
      const index_slot *slot = &index->slot[find_slot(index, hashes[i])];
      if (slot->count == 0)
        continue;
      __builtin_prefetch(index->posting + slot->first);
      found[held] = *slot;
      term_of[held++] = i;
    }
    for (uint32_t h = 0; h < held; h++) {
      const posting *postings = index->posting + found[h].first;
      double weight = weights[term_of[h]];
      for (uint32_t p = 0; p < found[h].count; p++)
        similarity[postings[p].leader] += weight * postings[p].weight;
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
