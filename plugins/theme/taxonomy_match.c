/* plugins/theme/taxonomy_match.c - matching a loaded theme file against one tokenized record
 * (th_taxonomy_match, see taxonomy.h); loading is taxonomy.c's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "taxonomy.h"
#include "taxonomy_index.h"

static int word_matches(const tp_token *token, const tax_word *word) {
  if (token->norm_length == word->norm_length &&
      memcmp(token->norm, word->norm, word->norm_length) == 0)
    return 1;
  return token->stem_length == word->stem_length &&
         memcmp(token->stem, word->stem, word->stem_length) == 0;
}

/* Whether every word of `term` matches the tokens from `at` on. The words are compared last
 * first: the first word was found through its hash, and a phrase whose first word is common
 * ("the state", "in charge") mostly fails on a later one. */
static int term_matches_at(const tax_term *term, const tp_text *text, size_t at) {
  if (at + term->word_count > text->token_count)
    return 0;
  for (uint32_t w = term->word_count; w-- > 0;) {
    const tp_token *token = TP_TEXT_TOKEN(text, at + w);
    if (token->type != TP_TOKEN_WORD && token->type != TP_TOKEN_NUMBER)
      return 0;
    if (!word_matches(token, &term->words[w]))
      return 0;
  }
  return 1;
}

/* The index in `entries` of the first entry of `hash`, or TAX_SLOT_EMPTY when no term's first
 * word has it (most words: their first slot is empty). */
static inline uint32_t first_entry(const th_taxonomy *taxonomy, uint32_t hash) {
  for (uint32_t slot = hash & taxonomy->slot_mask;; slot = (slot + 1) & taxonomy->slot_mask) {
    tax_slot held = taxonomy->slots[slot];
    if (held.first == TAX_SLOT_EMPTY || held.hash == hash)
      return held.first;
  }
}

/* Counts matches of the terms indexed under `hash`, from entry `first` on, starting at token
 * `at` (a term indexed under both its norm and its stem counts once per position). */
static void match_entries(const th_taxonomy *taxonomy, const tp_text *text, size_t at,
                          uint32_t hash, uint32_t first, th_tax_scratch *scratch) {
  for (size_t e = first; e < taxonomy->entry_count && taxonomy->entries[e].hash == hash; e++) {
    uint32_t t = taxonomy->entries[e].term;
    if (scratch->term_last[t] == at + 1 || !term_matches_at(&taxonomy->terms[t], text, at))
      continue;
    scratch->term_last[t] = at + 1;
    if (scratch->term_counts[t] == 0)
      scratch->term_order[scratch->order_count++] = t;
    scratch->term_counts[t]++;
  }
}

static int compare_hits(const void *left, const void *right) {
  const th_tax_hit *a = left, *b = right;
  if (a->score != b->score)
    return a->score < b->score ? 1 : -1;
  return (a->theme > b->theme) - (a->theme < b->theme);
}

static int ensure_scratch(const th_taxonomy *taxonomy, th_tax_scratch *scratch) {
  if (scratch->term_capacity < taxonomy->term_count) {
    th_free(scratch->term_counts);
    th_free(scratch->term_order);
    th_free(scratch->term_last);
    scratch->term_counts = th_calloc(taxonomy->term_count, sizeof(uint32_t));
    scratch->term_order = th_calloc(taxonomy->term_count, sizeof(uint32_t));
    scratch->term_last = th_calloc(taxonomy->term_count, sizeof(size_t));
    if (!scratch->term_counts || !scratch->term_order || !scratch->term_last) {
      scratch->term_capacity = 0;
      return -1;
    }
    scratch->term_capacity = taxonomy->term_count;
  }
  if (scratch->theme_capacity < taxonomy->theme_count) {
    th_free(scratch->hits);
    th_free(scratch->excluded);
    scratch->hits = th_calloc(taxonomy->theme_count, sizeof(th_tax_hit));
    scratch->excluded = th_calloc(taxonomy->theme_count, 1);
    if (!scratch->hits || !scratch->excluded) {
      scratch->theme_capacity = 0;
      return -1;
    }
    scratch->theme_capacity = taxonomy->theme_count;
  }
  return 0;
}

/* Whether a term may match from token `at` on, by the lone-word and pair filters (see
 * taxonomy_index.h): 0 proves that none does. A term's word matches a token only if the
 * token's norm or stem has the shape of the word's norm or stem, so a one-word term needs a
 * lone bit of the token's norm or stem, and a longer one a pair bit of (the token's norm or
 * stem, the next token's norm or stem). Most tokens that th_tax_may_start passes are common
 * words that begin phrases ("the", "in", "on"), and this turns most of them away for a few
 * byte loads instead of two hashes, an index probe and the phrases' word compares. */
static inline int may_match_at(const th_taxonomy *taxonomy, const tp_text *text, size_t at,
                               const tp_token *token) {
  uint32_t norm = th_word_packed(token->norm, token->norm_length),
           stem = th_word_packed(token->stem, token->stem_length);
  if (th_tax_bit_has(taxonomy->lone_shapes, tax_lone_bit(norm)) |
      th_tax_bit_has(taxonomy->lone_shapes, tax_lone_bit(stem)))
    return 1;
  if (at + 1 >= text->token_count)
    return 0;
  const tp_token *next = TP_TEXT_TOKEN(text, at + 1);
  uint32_t next_norm = th_word_packed(next->norm, next->norm_length),
           next_stem = th_word_packed(next->stem, next->stem_length);
  const uint64_t *pairs = taxonomy->pair_shapes;
  return th_tax_bit_has(pairs, tax_pair_bit(norm, next_norm)) |
         th_tax_bit_has(pairs, tax_pair_bit(norm, next_stem)) |
         th_tax_bit_has(pairs, tax_pair_bit(stem, next_norm)) |
         th_tax_bit_has(pairs, tax_pair_bit(stem, next_stem));
}

/* Counts the terms that start at token `at` (one th_tax_may_start passed). */
static inline void match_start(const th_taxonomy *taxonomy, const tp_text *text, size_t at,
                               th_tax_scratch *scratch) {
  const tp_token *token = TP_TEXT_TOKEN(text, at);
  if (!may_match_at(taxonomy, text, at, token))
    return;
  uint32_t norm, stem;
  th_hash_norm_stem(token->norm, token->norm_length, token->stem, token->stem_length, &norm, &stem);
  uint32_t first = first_entry(taxonomy, norm);
  if (first != TAX_SLOT_EMPTY)
    match_entries(taxonomy, text, at, norm, first, scratch);
  if (stem != norm && (first = first_entry(taxonomy, stem)) != TAX_SLOT_EMPTY)
    match_entries(taxonomy, text, at, stem, first, scratch);
}

/* The themes of the terms counted in `scratch` (whose counts it resets): see
 * th_taxonomy_match. */
static int score_hits(const th_taxonomy *taxonomy, double threshold, th_tax_scratch *scratch) {
  if (scratch->order_count == 0)
    return 0; /* most records: no term, no theme */
  size_t themes = taxonomy->theme_count;
  for (size_t t = 0; t < themes; t++) {
    scratch->hits[t] = (th_tax_hit){.theme = (uint32_t)t};
    scratch->excluded[t] = 0;
  }
  for (uint32_t o = 0; o < scratch->order_count; o++) {
    uint32_t t = scratch->term_order[o];
    const tax_term *term = &taxonomy->terms[t];
    th_tax_hit *hit = &scratch->hits[term->theme];
    if (term->exclude) {
      scratch->excluded[term->theme] = 1;
    } else {
      hit->score += term->weight * (1.0 + log((double)scratch->term_counts[t]));
      if (hit->matched_count < TH_TAX_MATCHED)
        hit->matched[hit->matched_count++] = term->text;
    }
    scratch->term_counts[t] = 0;
    scratch->term_last[t] = 0;
  }
  size_t kept = 0;
  for (size_t t = 0; t < themes; t++) {
    th_tax_hit *hit = &scratch->hits[t];
    if (scratch->excluded[t] || hit->score <= 0)
      continue;
    double raw = hit->score * taxonomy->theme_weights[t];
    hit->score = raw / (raw + 1.0);
    if (hit->score >= threshold) {
      if (kept != t) /* kept <= t: moves a hit down over one already passed */
        scratch->hits[kept] = *hit;
      kept++;
    }
  }
  if (kept > 1)
    qsort(scratch->hits, kept, sizeof(th_tax_hit), compare_hits);
  return (int)kept;
}

int th_taxonomy_match(const th_taxonomy *taxonomy, const tp_text *text, double threshold,
                      th_tax_scratch *scratch) {
  if (ensure_scratch(taxonomy, scratch))
    return -1;
  scratch->order_count = 0;
  for (size_t i = 0; i < text->token_count; i++)
    if (th_tax_may_start(taxonomy->shapes, TP_TEXT_TOKEN(text, i)))
      match_start(taxonomy, text, i, scratch);
  return score_hits(taxonomy, threshold, scratch);
}

int th_taxonomy_match_at(const th_taxonomy *taxonomy, const tp_text *text, const uint32_t *starts,
                         size_t count, double threshold, th_tax_scratch *scratch) {
  if (ensure_scratch(taxonomy, scratch))
    return -1;
  scratch->order_count = 0;
  for (size_t s = 0; s < count; s++)
    match_start(taxonomy, text, starts[s], scratch);
  return score_hits(taxonomy, threshold, scratch);
}

const uint64_t *th_taxonomy_shapes(const th_taxonomy *taxonomy) {
  return taxonomy->shapes;
}

void th_tax_scratch_release(th_tax_scratch *scratch) {
  th_free(scratch->term_counts);
  th_free(scratch->term_order);
  th_free(scratch->term_last);
  th_free(scratch->hits);
  th_free(scratch->excluded);
  memset(scratch, 0, sizeof(*scratch));
}
