/* plugins/theme/extract.c - terms, keyphrase candidates and the document-frequency sketch
 * of the theme plugin (see extract.h). Works on tokenize's tp_text only: no re-tokenizing. */
#include "extract.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "labels.h"
#include "taxonomy.h"

#define TH_SEED_UNIGRAM 0x9u
#define TH_SEED_BIGRAM  0xb16u
#define TH_SEED_PHRASE  0x9b7u

/* A run of content words is cut after this many (a multiple of TH_PHRASE_WORDS: the same
 * pieces as without the cut) */
#define RUN_WORDS 64
_Static_assert(RUN_WORDS % TH_PHRASE_WORDS == 0, "a run's pieces are whole");

static inline __attribute__((always_inline)) int is_content_word(const tp_token *token) {
  if (token->type != TP_TOKEN_WORD || (token->flags & TP_TOKEN_STOPWORD))
    return 0;
  if (token->norm_length < 2)
    return 0;
  for (uint32_t i = 0; i < token->norm_length; i++) {
    unsigned char c = (unsigned char)token->norm[i];
    if (c >= 0x80 || (c >= 'a' && c <= 'z'))
      return 1;
  }
  return 0;
}

static uint32_t stem_hash(const tp_token *token, uint32_t seed) {
  uint32_t hash = th_hash_bytes(TH_HASH_START ^ seed, token->stem, token->stem_length);
  return th_hash_mix(hash);
}

/* The hash tables that fold repeated terms and phrases while a record is extracted, as they
 * are produced (one pass, no second walk over the terms): a slot holds the record's stamp in
 * its high half and the index of the term (or phrase) in its low half, and a slot stamped by
 * an earlier record is empty, so nothing is cleared between records. */
#define SLOT_STAMP(slot) ((uint32_t)((slot) >> 32))

/* Makes `slots` hold at least `size` slots (a power of two), all empty for the next stamp.
 * -1 on OOM. */
static int stamped_table(uint64_t **slots, size_t *capacity, size_t size) {
  size_t before = *capacity;
  if (th_grow((void **)slots, capacity, size, sizeof(uint64_t)))
    return -1;
  if (*capacity != before) /* the new room holds anything: no stamp is 0 */
    memset(*slots, 0, *capacity * sizeof(uint64_t));
  return 0;
}

/* The smallest power of two, at least 16, that is at least twice `items`: tables at most half
 * full. */
static size_t table_size(size_t items) {
  size_t size = 16;
  while (size < 2 * items)
    size <<= 1;
  return size;
}

static inline uint32_t sketch_line_of(uint32_t hash, uint32_t line_mask);
static inline uint32_t sketch_line_mask(const th_sketch *sketch);

/* What th_features_extract writes while it walks a record, held apart from the scratch so
 * that it stays in registers (a store to a term could otherwise be the scratch's counts, and
 * they would be read again after each one); written back when the walk ends. */
typedef struct extraction {
  th_term *terms;
  th_phrase *phrases;
  uint64_t *term_slots, *phrase_slots;
  size_t term_mask, phrase_mask;
  uint32_t term_count, phrase_count;
  uint32_t stamp;
  /* th_scratch's sketch: the counters of each new term are asked for (NULL: none) */
  const uint32_t *sketch_counters;
  uint32_t sketch_line_mask;
  /* th_scratch's taxonomy filter (NULL: none) and the tokens it passed */
  const uint64_t *tax_shapes;
  uint32_t *tax_starts;
  uint32_t tax_start_count;
} extraction;

/* Counts one occurrence of `hash` and returns its index in the terms: the index of its first
 * occurrence, or a new term appended (th_features_extract has made room for two per token).
 * Terms so stay distinct, in order of first occurrence. */
static inline __attribute__((always_inline)) uint32_t add_term(extraction *at, uint32_t hash) {
  for (size_t slot = th_hash_slot(hash) & at->term_mask;; slot = (slot + 1) & at->term_mask) {
    uint64_t held = at->term_slots[slot];
    if (SLOT_STAMP(held) != at->stamp) {
      uint32_t index = at->term_count++;
      at->terms[index] = (th_term){hash, 1};
      if (at->sketch_counters)
        __builtin_prefetch(at->sketch_counters +
                           (size_t)sketch_line_of(hash, at->sketch_line_mask) * 16);
      at->term_slots[slot] = (uint64_t)at->stamp << 32 | index;
      return index;
    }
    th_term *term = &at->terms[(uint32_t)held];
    if (term->hash == hash) {
      term->count++;
      return (uint32_t)held;
    }
  }
}

/* Appends the phrase made of the `words` content tokens from token index `token` (in sentence
 * `sentence`), whose stems are the terms at `terms`, or, when a phrase of the same key came
 * earlier in the record, counts one more occurrence of that one (its display text is built
 * later, for the few phrases shown). `terms` has TH_PHRASE_WORDS entries however many words
 * the phrase has: all are copied, those past its words unread. */
static inline __attribute__((always_inline)) void
add_phrase(extraction *at, uint32_t token, uint32_t sentence, const uint32_t *hashes,
           const uint32_t *terms, uint32_t words, uint32_t first) {
  uint32_t key = TH_SEED_PHRASE;
  for (uint32_t i = 0; i < words; i++)
    key = th_hash_mix(key * 31u + hashes[i]);
  size_t slot = th_hash_slot(key) & at->phrase_mask;
  for (;; slot = (slot + 1) & at->phrase_mask) {
    uint64_t held = at->phrase_slots[slot];
    if (SLOT_STAMP(held) != at->stamp)
      break;
    th_phrase *earlier = &at->phrases[(uint32_t)held];
    if (earlier->key == key) {
      earlier->count++;
      return;
    }
  }
  /* th_features_extract made room for every phrase */
  uint32_t index = at->phrase_count++;
  at->phrase_slots[slot] = (uint64_t)at->stamp << 32 | index;
  th_phrase *phrase = &at->phrases[index];
  *phrase = (th_phrase){.key = key,
                        .count = 1,
                        .first = first,
                        .sentence = sentence,
                        .words = words,
                        .token = token,
                        .display = TH_NO_DISPLAY};
  memcpy(phrase->word_terms, terms, sizeof phrase->word_terms);
}

/* Emits the phrases of a run of `length` content words starting at token index `token` (a run
 * is consecutive tokens of one sentence), in pieces of at most TH_PHRASE_WORDS; `terms` has
 * room for whole pieces (a multiple of TH_PHRASE_WORDS entries). */
static inline __attribute__((always_inline)) void
flush_run(extraction *at, uint32_t token, uint32_t sentence, const uint32_t *hashes,
          const uint32_t *terms, uint32_t length, uint32_t first) {
  for (uint32_t start = 0; start < length; start += TH_PHRASE_WORDS) {
    uint32_t words = length - start < TH_PHRASE_WORDS ? length - start : TH_PHRASE_WORDS;
    add_phrase(at, token + start, sentence, hashes + start, terms + start, words, first + start);
  }
}

void th_phrases_display(th_scratch *scratch, const tp_text *text, size_t count) {
  if (count > scratch->phrase_count)
    count = scratch->phrase_count;
  for (size_t p = 0; p < count; p++) {
    th_phrase *phrase = &scratch->phrases[p];
    if (phrase->display != TH_NO_DISPLAY)
      continue;
    phrase->display = scratch->char_count;
    char *out = scratch->chars + scratch->char_count;
    for (uint32_t i = 0; i < phrase->words; i++) {
      const tp_token *word = TP_TEXT_TOKEN(text, phrase->token + i);
      if (i)
        *out++ = ' ';
      memcpy(out, word->norm, word->norm_length);
      out += word->norm_length;
    }
    *out++ = '\0';
    scratch->char_count = (size_t)(out - scratch->chars);
  }
}

/* Walks the record's tokens into `at`: th_features_extract's loop, inlined four times so that
 * `phrases` and `taxonomy` are constants in each copy (terms only, in apply mode without
 * keyphrases, carries no phrase bookkeeping; without a taxonomy, no token is tested for it, and
 * with one the test costs no load of at->tax_shapes' nullness per token). Returns the bytes the
 * phrases' display text may need; sets the record's content words. */
static inline __attribute__((always_inline)) size_t walk_record(extraction *at, const tp_text *text,
                                                                int bigrams, int phrases,
                                                                int taxonomy,
                                                                uint32_t *content_word_count) {
  size_t norm_bytes = 1;
  uint32_t run_hashes[RUN_WORDS]; /* each run word's stem hash, computed once */
  /* and the index of its stem in the terms (zeroed: a phrase copies whole pieces of it) */
  uint32_t run_terms[RUN_WORDS] = {0};
  uint32_t run_length = 0, run_first = 0, run_token = 0, run_sentence = 0, content_words = 0;
  /* the previous token's stem hash and sentence, when it was a content word */
  int previous_content = 0;
  uint32_t previous_hash = 0, previous_sentence = 0;
  /* a copy of the text's header: stores to the terms could be its token count or stride
   * otherwise, and both would be read again for every token */
  const tp_text record = *text;
  for (size_t i = 0; i < record.token_count; i++) {
    const tp_token *token = TP_TEXT_TOKEN(&record, i);
    /* the taxonomy's first test of every token, here where the token is loaded anyway; the
     * index is stored whether or not it passes (the next one overwrites it if not), so that
     * no branch depends on the test */
    if (taxonomy) {
      at->tax_starts[at->tax_start_count] = (uint32_t)i;
      at->tax_start_count += (uint32_t)th_tax_may_start(at->tax_shapes, token);
    }
    if (!is_content_word(token)) {
      if (run_length && phrases)
        flush_run(at, run_token, run_sentence, run_hashes, run_terms, run_length, run_first);
      run_length = 0;
      previous_content = 0;
      continue;
    }
    uint32_t sentence = token->sentence;
    int follows = previous_content && previous_sentence == sentence; /* in the same sentence */
    if (!follows || run_length == RUN_WORDS) {
      if (run_length && phrases)
        flush_run(at, run_token, run_sentence, run_hashes, run_terms, run_length, run_first);
      run_length = 0;
    }
    uint32_t hash = stem_hash(token, TH_SEED_UNIGRAM) & ~1u;
    norm_bytes += token->norm_length + 1;
    run_terms[run_length] = add_term(at, hash);
    if (bigrams && follows) {
      uint32_t bigram = th_hash_mix((previous_hash ^ TH_SEED_BIGRAM) * 31u + hash) | 1u;
      add_term(at, bigram);
    }
    if (run_length == 0) {
      run_first = content_words;
      run_token = (uint32_t)i;
      run_sentence = sentence;
    }
    run_hashes[run_length++] = hash;
    previous_hash = hash;
    previous_sentence = sentence;
    previous_content = 1;
    content_words++;
  }
  if (run_length && phrases)
    flush_run(at, run_token, run_sentence, run_hashes, run_terms, run_length, run_first);
  *content_word_count = content_words;
  return norm_bytes;
}

int th_features_extract(const tp_text *text, int bigrams, int phrases, th_scratch *scratch) {
  scratch->term_count = 0;
  scratch->phrase_count = 0;
  scratch->char_count = 0;
  scratch->content_words = 0;
  scratch->tax_start_count = 0;
  /* at most two terms per token (its stem and a bigram) and one phrase per token: room for all
   * of them up front (the phrases' text needs each content word's norm and a separator once
   * at most: walk_record sums them) */
  if (th_grow((void **)&scratch->terms, &scratch->term_capacity, 2 * text->token_count + 1,
              sizeof(th_term)) ||
      th_grow((void **)&scratch->phrases, &scratch->phrase_capacity, text->token_count + 1,
              sizeof(th_phrase)) ||
      (scratch->tax_shapes && th_grow((void **)&scratch->tax_starts, &scratch->tax_start_capacity,
                                      text->token_count + 1, sizeof(uint32_t))))
    return -1;
  size_t term_slots = table_size(2 * text->token_count),
         phrase_slots = table_size(text->token_count);
  if (stamped_table(&scratch->slots, &scratch->slot_capacity, term_slots) ||
      (phrases &&
       stamped_table(&scratch->phrase_slots, &scratch->phrase_slot_capacity, phrase_slots)))
    return -1;
  if (++scratch->stamp == 0) { /* every 2^32 records: the old stamps come round again */
    memset(scratch->slots, 0, scratch->slot_capacity * sizeof(uint64_t));
    if (scratch->phrase_slots)
      memset(scratch->phrase_slots, 0, scratch->phrase_slot_capacity * sizeof(uint64_t));
    scratch->stamp = 1;
  }
  extraction at = {.terms = scratch->terms,
                   .phrases = scratch->phrases,
                   .term_slots = scratch->slots,
                   .phrase_slots = scratch->phrase_slots,
                   .term_mask = term_slots - 1,
                   .phrase_mask = phrase_slots - 1,
                   .stamp = scratch->stamp,
                   .sketch_counters = scratch->sketch ? scratch->sketch->counters : NULL,
                   .sketch_line_mask = scratch->sketch ? sketch_line_mask(scratch->sketch) : 0,
                   .tax_shapes = scratch->tax_shapes,
                   .tax_starts = scratch->tax_starts};
  uint32_t content_words = 0;
  size_t norm_bytes;
  if (at.tax_shapes)
    norm_bytes = phrases ? walk_record(&at, text, bigrams, 1, 1, &content_words)
                         : walk_record(&at, text, bigrams, 0, 1, &content_words);
  else
    norm_bytes = phrases ? walk_record(&at, text, bigrams, 1, 0, &content_words)
                         : walk_record(&at, text, bigrams, 0, 0, &content_words);
  scratch->term_count = at.term_count;
  scratch->phrase_count = at.phrase_count;
  scratch->content_words = content_words;
  scratch->tax_start_count = at.tax_start_count;
  return th_grow((void **)&scratch->chars, &scratch->char_capacity, norm_bytes, 1);
}

void th_scratch_release(th_scratch *scratch) {
  th_free(scratch->terms);
  th_free(scratch->phrases);
  th_free(scratch->chars);
  th_free(scratch->slots);
  th_free(scratch->phrase_slots);
  th_free(scratch->tax_starts);
  th_free(scratch->dfs);
  th_free(scratch->idfs);
  th_free(scratch->log_counts);
  memset(scratch, 0, sizeof(*scratch));
}

int th_sketch_init(th_sketch *sketch, uint32_t width, uint32_t depth) {
  uint32_t rounded = 64;
  while (rounded < width && rounded < (1u << 30))
    rounded <<= 1;
  sketch->width = rounded;
  sketch->depth = depth < 1 ? 1 : depth > 8 ? 8 : depth;
  sketch->documents = 0;
  sketch->counters = th_calloc((size_t)sketch->width * sketch->depth, sizeof(uint32_t));
  return sketch->counters ? 0 : -1;
}

void th_sketch_release(th_sketch *sketch) {
  th_free(sketch->counters);
  sketch->counters = NULL;
}

/* Where a hash's counters are. Blocked layout: all rows of a hash live in one 64-byte line
 * (16 counters) picked by the hash, at positions picked by other bits of it (4 bits per row),
 * so a lookup costs one cache miss instead of `depth`. */
typedef struct sketch_place {
  uint32_t *line;     /* the hash's 16 counters */
  uint32_t positions; /* row r's counter is line[(positions >> (4 * r)) & 15] */
} sketch_place;

/* Where a hash's counters are, in integer arithmetic only (so that th_sketch_locate_terms'
 * lanes give exactly what sketch_locate gives one hash at a time): the index of its line of 16
 * counters among the sketch's lines, and the bits that place each row's counter in the line. */
static inline uint32_t sketch_line_mask(const th_sketch *sketch) {
  return sketch->width * sketch->depth / 16 - 1;
}
static inline uint32_t sketch_line_of(uint32_t hash, uint32_t line_mask) {
  return th_hash_mix(hash) & line_mask;
}
static inline uint32_t sketch_positions_of(uint32_t hash) {
  return th_hash_mix(hash ^ 0x5bd1e995u);
}

static inline sketch_place sketch_locate(const th_sketch *sketch, uint32_t hash) {
  uint32_t line = sketch_line_of(hash, sketch_line_mask(sketch));
  return (sketch_place){sketch->counters + (size_t)line * 16, sketch_positions_of(hash)};
}

/* GCC runs the loop 8 terms a lane-wide multiply on AVX2. */
TH_WIDE_LANES void th_sketch_locate_terms(const th_sketch *sketch, const th_term *terms,
                                          size_t count, uint32_t *restrict lines,
                                          uint32_t *restrict positions) {
  uint32_t line_mask = sketch_line_mask(sketch);
  for (size_t i = 0; i < count; i++) {
    lines[i] = sketch_line_of(terms[i].hash, line_mask);
    positions[i] = sketch_positions_of(terms[i].hash);
  }
}

/* Adds one to the `depth` counters of a located hash and returns the least of them; inlined
 * into th_terms_count's loop, where the usual depth is a constant and the rows unroll. */
static inline __attribute__((always_inline)) uint32_t sketch_bump(sketch_place place,
                                                                  uint32_t depth) {
  uint32_t least = UINT32_MAX;
#pragma GCC unroll 8
  for (uint32_t row = 0; row < depth; row++) {
    uint32_t *counter = &place.line[(place.positions >> (4 * row)) & 15];
    uint32_t value = *counter;
    if (value != UINT32_MAX) /* saturates; almost never taken, so a branch beats a carry */
      *counter = ++value;
    least = value < least ? value : least;
  }
  return least;
}

uint32_t th_sketch_add(th_sketch *sketch, uint32_t hash) {
  return sketch_bump(sketch_locate(sketch, hash), sketch->depth);
}

uint32_t th_sketch_count(const th_sketch *sketch, uint32_t hash) {
  sketch_place place = sketch_locate(sketch, hash);
  uint32_t best = UINT32_MAX;
  for (uint32_t row = 0; row < sketch->depth; row++) {
    uint32_t value = place.line[(place.positions >> (4 * row)) & 15];
    if (value < best)
      best = value;
  }
  return best;
}

int th_sketch_merge(th_sketch *into, const th_sketch *from) {
  if (into->width != from->width || into->depth != from->depth)
    return -1;
  size_t total = (size_t)into->width * into->depth;
  for (size_t i = 0; i < total; i++) {
    uint64_t sum = (uint64_t)into->counters[i] + from->counters[i];
    into->counters[i] = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
  }
  into->documents += from->documents;
  return 0;
}

double th_sketch_idf(const th_sketch *sketch, uint32_t hash) {
  double df = th_sketch_count(sketch, hash);
  if (df > (double)sketch->documents)
    df = (double)sketch->documents;
  return log((1.0 + (double)sketch->documents) / (1.0 + df)) + 1.0;
}

int th_terms_count(th_scratch *scratch, th_sketch *sketch) {
  size_t count = scratch->term_count, capacity = scratch->weight_capacity;
  if (th_grow((void **)&scratch->dfs, &scratch->weight_capacity, count + 1, sizeof(uint32_t)))
    return -1;
  if (!scratch->idfs || scratch->weight_capacity != capacity) { /* idfs follow dfs' size */
    float *idfs = th_realloc(scratch->idfs, scratch->weight_capacity * sizeof(float));
    if (!idfs) {
      th_free(scratch->idfs); /* so that the next call allocates again */
      scratch->idfs = NULL;
      return -1;
    }
    scratch->idfs = idfs;
  }
  if (!scratch->log_counts) { /* log(1 + df) of the common small counts, computed once */
    scratch->log_counts = th_alloc(TH_LOG_COUNTS * sizeof(double));
    if (!scratch->log_counts)
      return -1;
    for (uint32_t df = 0; df < TH_LOG_COUNTS; df++)
      scratch->log_counts[df] = log(1.0 + df);
  }
  sketch->documents++;
  uint64_t documents = sketch->documents;
  double log_documents = log(1.0 + (double)documents);
  int depth4 = sketch->depth == 4; /* the plugin's depth (TH_SKETCH_DEPTH) */
  /* the terms' counter lines are scattered over the sketch: locate a block of them and ask for
   * their lines before counting, so that the cache misses overlap */
  enum { BLOCK = 16 };
  uint32_t lines[BLOCK], positions[BLOCK];
  for (size_t base = 0; base < count; base += BLOCK) {
    size_t block = count - base < BLOCK ? count - base : BLOCK;
    th_sketch_locate_terms(sketch, scratch->terms + base, block, lines, positions);
    for (size_t b = 0; b < block; b++)
      __builtin_prefetch(sketch->counters + (size_t)lines[b] * 16, 1);
    for (size_t b = 0; b < block; b++) {
      sketch_place place = {sketch->counters + (size_t)lines[b] * 16, positions[b]};
      uint32_t df = depth4 ? sketch_bump(place, 4) : sketch_bump(place, sketch->depth);
      if (df > documents) /* an integer compare: df and N are whole numbers */
        df = (uint32_t)documents;
      scratch->dfs[base + b] = df;
      double log_count = df < TH_LOG_COUNTS ? scratch->log_counts[df] : log(1.0 + df);
      scratch->idfs[base + b] = (float)(log_documents - log_count);
    }
  }
  scratch->documents = sketch->documents;
  return 0;
}

/* Nonzero when phrase a ranks before phrase b: higher score, then lower key. */
static int phrase_before(const th_phrase *a, const th_phrase *b) {
  if (a->score != b->score)
    return a->score > b->score;
  return a->key < b->key;
}

void th_phrases_score(th_scratch *scratch, const tp_text *text, size_t best) {
  double words = scratch->content_words ? scratch->content_words : 1;
  double documents = (double)scratch->documents;
  for (size_t i = 0; i < scratch->phrase_count; i++) {
    th_phrase *phrase = &scratch->phrases[i];
    double frequency = phrase->count == 1 ? 1.0 : 1.0 + log((double)phrase->count);
    double position = 1.0 + 0.5 * (1.0 - (double)phrase->first / words);
    /* rarity: the mean idf of its words, from th_terms_count (phrases need no counters) */
    double rarity = 0;
    size_t first_word = 0;
    for (uint32_t w = 0; w < phrase->words; w++) {
      size_t term = phrase->word_terms[w];
      rarity += 1.0 + scratch->idfs[term];
      if (w == 0)
        first_word = term;
    }
    rarity /= phrase->words;
    double length = 1.0 + 0.25 * (phrase->words - 1);
    phrase->score = frequency * position * rarity * length;
    /* a lone word found in more than 2% of the records so far says little about this one, and
     * neither does a vague one (below) */
    if (phrase->words == 1 && documents >= 100 && scratch->dfs[first_word] * 50.0 > documents)
      phrase->score = 0;
  }
  /* the `best` best in one pass (few are wanted, often from many candidates), kept sorted in
   * `top`; the order is total (keys are distinct), so they are the same whatever the method */
  size_t count = scratch->phrase_count, kept = 0;
  if (best > count)
    best = count;
  if (best == 0)
    return;
  size_t top[best];
  for (size_t i = 0; i < count; i++) {
    th_phrase *phrase = &scratch->phrases[i];
    if (kept == best && !phrase_before(phrase, &scratch->phrases[top[best - 1]]))
      continue;
    /* a vague lone word ("may", "way", "mean") scores 0 however rare: looked up only for the
     * words that would enter the best (0 ranks lower, so the others stay out either way) */
    if (phrase->words == 1 && phrase->score > 0) { /* the norm is NUL-terminated */
      const char *norm = TP_TEXT_TOKEN(text, phrase->token)->norm;
      if (th_weak_word(norm, strlen(norm))) {
        phrase->score = 0;
        if (kept == best && !phrase_before(phrase, &scratch->phrases[top[best - 1]]))
          continue;
      }
    }
    size_t at = kept < best ? kept++ : best - 1;
    while (at > 0 && phrase_before(phrase, &scratch->phrases[top[at - 1]])) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = i;
  }
  /* swap them to the front in order; a swap moves the phrase at `place` to top[place], so a
   * later entry naming `place` follows it there */
  for (size_t place = 0; place < kept; place++) {
    size_t from = top[place];
    th_phrase swap = scratch->phrases[place];
    scratch->phrases[place] = scratch->phrases[from];
    scratch->phrases[from] = swap;
    for (size_t later = place + 1; later < kept; later++)
      if (top[later] == place)
        top[later] = from;
  }
  th_phrases_display(scratch, text, kept);
}
