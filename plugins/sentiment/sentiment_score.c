/* sentiment_score.c - the sentiment scoring engine (see sentiment_score.h).
 *
 * A span is scored in four passes over its word-like tokens ("items"):
 *   1. lookup: each item's term (exact; de-elongated; emoticon variants; hashtag without '#';
 *      laughter by its unit; then the stem's base form), looked up once per token of a text
 *      (sentiment_lookup.h, inline in this pass's loop; a text's sentences start from the
 *      items its pass made), with
 *      multi-word phrases matched longest first and their later words consumed, and words
 *      of proper names ("the United States") dropped (sentiment_names.c);
 *   2. valence: each sentiment word's valence after ALL-CAPS and elongation emphasis, the
 *      boosters/dampeners up to three items before it, negation (not of idioms; emphasis in
 *      "can't X enough"), and "least";
 *   3. weights: contrast per sentence ("but": before x0.5, after x1.2), concession and hedged
 *      clauses, questions (asked, not asserted), repeated terms (1/sqrt(k));
 *   4. totals: the sum plus leans (negation, question, hedge, exclamation) and !/? emphasis,
 *      x0.7 when the text shares a link, normalized to s / sqrt(s^2 + alpha) and blended with
 *      the positive - negative balance of the positive/neutral/negative ratios.
 * The constants that come from VADER say so; the others were set on the evaluation sets of
 * ../shared/eval (see plugins/sentiment/README.md).
 */
#include "sentiment_score.h"

#include "sentiment_items.h"
#include "sentiment_lookup.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define SX_BOOST_CAPS        0.733f /* VADER C_INCR: ALL-CAPS emphasis */
#define SX_BOOST_ELONGATED   0.293f /* sooo goood: emphasis like one booster */
#define SX_NEGATE_POSITIVE   -0.74f /* VADER N_SCALAR, for negated positive words */
#define SX_NEGATE_NEGATIVE   -0.5f /* negated negative words flip less: "not bad" is faint praise */
#define SX_NEGATION_SCOPE    4     /* items after a negator that it can reach in its clause */
#define SX_HYPERBOLE_REACH   8     /* items after "can't" where "enough"/"more" make it emphasis */
#define SX_BOOST_HYPERBOLE   0.293f /* "can't recommend it enough": emphasis like one booster */
#define SX_CONTRAST_BEFORE   0.5f
#define SX_CONTRAST_AFTER    1.2f /* VADER: 1.5; raters weigh the clause after "but" less */
#define SX_CONCESSION_WEIGHT 0.5f
#define SX_HEDGE_WEIGHT      0.6f
#define SX_QUESTION_WEIGHT   0.6f
#define SX_EXCLAIM           0.5  /* emphasis per "!", up to 4 (VADER: 0.292) */
#define SX_BALANCE_WEIGHT    0.5  /* weight of positive - negative in the compound */
#define SX_EMOTICON_WEIGHT   1.3f /* emoticons and emoji: the author's own tone marks */
#define SX_LEAN_NEGATION     -0.3 /* raw valence of a text with a negation */
#define SX_LEAN_QUESTION     -0.3 /* ... with a question */
#define SX_LEAN_HEDGE        -0.3 /* ... with a hedge (would, if, hope) */
#define SX_LEAN_EXCLAMATION  0.3  /* ... with '!' and no '?' */
#define SX_REPEAT_MEMORY     16   /* sentiment terms remembered for repetition */
#define SX_LINK_WEIGHT       0.7  /* a text that shares a link reports more than it judges */
#define SX_ALPHA             15.0 /* VADER's normalization constant */

void sx_scratch_release(sx_scratch *scratch) {
  if (scratch->items != NULL) {
    scratch->allocator.free(scratch->items);
  }
  scratch->items = NULL;
  scratch->capacity = 0;
  if (scratch->candidates != NULL) {
    scratch->allocator.free(scratch->candidates);
  }
  scratch->candidates = NULL;
  scratch->candidate_capacity = 0;
  if (scratch->phrases != NULL) {
    scratch->allocator.free(scratch->phrases);
  }
  scratch->phrases = NULL;
  scratch->phrase_capacity = 0;
  if (scratch->text_items != NULL) {
    scratch->allocator.free(scratch->text_items);
  }
  scratch->text_items = NULL;
  scratch->text_item_count = scratch->text_item_capacity = 0;
  if (scratch->sentence_marks != NULL) {
    scratch->allocator.free(scratch->sentence_marks);
  }
  scratch->sentence_marks = NULL;
  scratch->marked_sentences = scratch->sentence_mark_capacity = 0;
  if (scratch->word_memo != NULL) {
    scratch->allocator.free(scratch->word_memo);
  }
  scratch->word_memo = NULL;
  scratch->word_memo_lexicon = NULL;
}

/* The word memo: the lookups of words by their word ids (tp_token.word_id, text.h), so that a
 * word seen before costs one load, not the hash and the table's three dependent loads (filter
 * word, slot, entry: over a third of pass 1's time). Direct-mapped on the id's low
 * SX_WORD_MEMO_BITS bits; a slot is valid iff its tag is the rest of the token's id (plus one: 0
 * is an empty slot), and ids too large for a 32-bit tag (at or above 2^48, which tokenize's are
 * not) are looked up every time. That one load missed the caches in turn (half of pass 1's
 * samples on it), so pass 1 prefetches the slot of the token SX_MEMO_AHEAD on, whose id is
 * right there in the token array: 8 ahead timed better than 4 (+2.1% median) and 16 (+0.7%).
 *
 * A slot is 8 bytes: the tag, and the number of its lookup in `lookups`, where number 0 is the
 * lookup of every word with no term and no rule (three words in five of the stream, and most of
 * the rare ones whose slots miss the caches). The memo had held each 16-byte lookup in its slot
 * beside the 8-byte id, 1.5 MB for 65536 slots, more than the 1 MB second-level cache; the
 * slots are now 512 KB, and the lookups of words with a term (a few thousand: the lexicon's
 * words met in the stream) sit together in a small, hot array. The `lookups` array is appended
 * to on each such word's miss; when full, the memo is emptied (a bound for a long stream, whose
 * tokenize numbers its words anew each time its cache fills). Tokenize numbers a fill's words in
 * the order they come (word_cache.h), so the memo holds every word of a fill (at most 49152) in
 * a slot of its own, and the common words, which come early, in the first lines of the table. */
#define SX_MEMO_AHEAD 8

typedef struct sx_memo_slot {
  uint32_t tag;    /* (id >> SX_WORD_MEMO_BITS) + 1; 0: empty */
  uint32_t lookup; /* its lookup's number in sx_word_memo.lookups; 0: no term, no rule */
} sx_memo_slot;

typedef struct sx_word_memo {
  sx_memo_slot slots[SX_WORD_MEMO_SLOTS];
  uint32_t lookup_count; /* lookups in use; lookups[0], all zero, always */
  /* Touched only as far as used: the pages beyond are never written (nor read). */
  sx_lookup lookups[SX_WORD_MEMO_SLOTS];
} sx_word_memo;

/* The tag of `id` in its slot: a 64-bit value that fits no slot's 32 bits when the id is too
 * large to memoize, so no slot matches it. Id 0 gives tag 1 in slot 0, which no id ever gets
 * (sx_memo_keep keeps no id 0): a token without an id never matches either. */
static inline uint64_t sx_memo_tag(uint64_t id) {
  return (id >> SX_WORD_MEMO_BITS) + 1;
}

/* Empties `memo`: no slot holds a word, and only the no-term lookup is in use. */
static void sx_memo_clear(sx_word_memo *memo) {
  memset(memo->slots, 0, sizeof memo->slots);
  memset(&memo->lookups[0], 0, sizeof memo->lookups[0]);
  memo->lookup_count = 1;
}

/* The scratch's word memo for `lexicon` (made on first use, emptied when the scratch is given
 * another lexicon: its lookups point into the lexicon), or NULL out of memory: then pass 1 looks
 * every word up. */
static sx_word_memo *sx_word_memo_for(sx_scratch *scratch, const sx_lexicon *lexicon) {
  if (scratch->word_memo == NULL) {
    scratch->word_memo = scratch->allocator.alloc(sizeof(sx_word_memo));
    if (scratch->word_memo == NULL) {
      return NULL;
    }
    scratch->word_memo_lexicon = NULL;
  }
  if (scratch->word_memo_lexicon != lexicon) {
    sx_memo_clear(scratch->word_memo);
    scratch->word_memo_lexicon = lexicon;
  }
  return scratch->word_memo;
}

/* Keeps `found`, the lookup of the word whose id is `id` (not 0), in its slot of `memo`, unless
 * the id is too large; returns the kept copy, or `found` itself when not kept. */
static const sx_lookup *sx_memo_keep(sx_word_memo *memo, uint64_t id, const sx_lookup *found) {
  uint64_t tag = sx_memo_tag(id);
  if (tag > UINT32_MAX) {
    return found;
  }
  uint32_t number = 0;
  if (found->term != NULL || found->rules != 0 || found->flags != 0 || found->valence != 0) {
    if (memo->lookup_count == SX_WORD_MEMO_SLOTS) {
      sx_memo_clear(memo);
    }
    number = memo->lookup_count++;
    memo->lookups[number] = *found;
  }
  sx_memo_slot *slot = &memo->slots[id & (SX_WORD_MEMO_SLOTS - 1)];
  slot->tag = (uint32_t)tag;
  slot->lookup = number;
  return &memo->lookups[number];
}

_Static_assert(SX_ITEM_ELONGATED == SX_LOOKUP_ELONGATED, "a lookup's flag is the item's flag");
_Static_assert(SX_ITEM_CANDIDATE == SX_LOOKUP_CANDIDATE, "a lookup's flag is the item's flag");
_Static_assert(SX_ITEM_PHRASE_HEAD == SX_LOOKUP_PHRASE_HEAD, "a lookup's flag is the item's flag");

/* Grows *buffer to hold `count` elements of `size` bytes (doubling from 64). Returns 0 or -1. */
static int sx_reserve(const sx_allocator *allocator, void **buffer, size_t *capacity, size_t count,
                      size_t size) {
  if (count <= *capacity) {
    return 0;
  }
  size_t grown = *capacity ? *capacity : 64;
  while (grown < count) {
    grown *= 2;
  }
  void *resized = allocator->realloc(*buffer, grown * size);
  if (resized == NULL) {
    return -1;
  }
  *buffer = resized;
  *capacity = grown;
  return 0;
}

static float sx_sign(float value) {
  return value > 0 ? 1.0f : (value < 0 ? -1.0f : 0.0f);
}

static int sx_item_is_negator(const sx_item *item) {
  return (item->rules & SX_TERM_NEGATOR) != 0; /* lexicon negators and any "n't" word */
}

static int sx_item_has(const sx_item *item, uint16_t flag) {
  return (item->rules & flag) != 0; /* cleared when consumed */
}

/* What a byte of a punctuation or symbol token does in pass 1: it ends a clause, and it may
 * exclaim or ask (sx_collect reads one table entry per byte rather than comparing each). */
enum { SX_BYTE_CLAUSE = 1, SX_BYTE_EXCLAIM = 2, SX_BYTE_QUESTION = 4 };
static const unsigned char sx_byte_marks[256] = {
    [','] = SX_BYTE_CLAUSE,
    [';'] = SX_BYTE_CLAUSE,
    [':'] = SX_BYTE_CLAUSE,
    ['.'] = SX_BYTE_CLAUSE,
    ['('] = SX_BYTE_CLAUSE,
    [')'] = SX_BYTE_CLAUSE,
    ['!'] = SX_BYTE_CLAUSE | SX_BYTE_EXCLAIM,
    ['?'] = SX_BYTE_CLAUSE | SX_BYTE_QUESTION,
};

/* The marks of token t's sentence in span->sentence_marks, when that sentence holds t; else
 * (a producer whose tokens and sentences disagree) it notes so and gives a spare entry. */
static sx_sentence_marks *sx_marks_of(const tp_text *text, size_t t, const tp_token *token,
                                      sx_span *span) {
  uint32_t number = token->sentence;
  if (number < span->sentence_count) {
    const tp_sentence *sentence = TP_TEXT_SENTENCE(text, number);
    if (t - sentence->first_token < sentence->token_count) { /* t >= first_token too */
      return &span->sentence_marks[number];
    }
  }
  span->sentences_disagree = 1;
  return &span->spare_marks;
}

/* Pass 1: fills items from the span's tokens, each word-like one looked up here (in the same
 * loop: the token is read once) or found in `memo` (the word memo, NULL: none), and *span (its
 * `candidates` array has room for `count`; its `sentence_marks`, when not NULL, zeroed, one for
 * each `sentence` of a token). Returns the item count. The span's counters are kept in locals and
 * stored once at the end: stores to the items could otherwise alias them, which made every update a
 * load and a store. Not inlined: inside sx_score the loop kept more of its counters on the stack
 * (callgrind: 2 M more on 5 MB). */
static __attribute__((noinline)) size_t sx_collect(const sx_lexicon *lexicon, const tp_text *text,
                                                   size_t first, size_t count, sx_item *items,
                                                   sx_span *span, sx_word_memo *memo) {
  int ids = memo != NULL && TP_TOKEN_HAS(text, word_id); /* absent before ABI 2.4 */
  sx_lookup spare; /* the lookup of a token the memo does not hold */
  size_t item_count = 0, caps = 0, words = 0;
  uint32_t clause = 0;
  uint16_t rules_seen = 0;
  int exclamations = 0, questions = 0, links = 0, capitalized = 0;
  uint32_t *candidates = span->candidates, *heads = span->heads;
  size_t candidate_count = 0, head_count = 0;
  sx_sentence_marks *sentence_marks = span->sentence_marks;
  /* Token t is at `at`, stepped by the producer's size (TP_TEXT_TOKEN would multiply by it for
   * every token). */
  const char *at = (const char *)TP_TEXT_TOKEN(text, first);
  size_t token_size = text->token_size;
  const char *end = at + count * token_size;
  for (size_t t = first; at != end; t++, at += token_size) {
    const tp_token *token = (const tp_token *)(const void *)at;
    if (ids && t + SX_MEMO_AHEAD < first + count) { /* a mark's id (0) prefetches slot 0 */
      uint64_t ahead = ((const tp_token *)(const void *)(at + SX_MEMO_AHEAD * token_size))->word_id;
      __builtin_prefetch(&memo->slots[ahead & (SX_WORD_MEMO_SLOTS - 1)]);
    }
    if (token->type == TP_TOKEN_PUNCT || token->type == TP_TOKEN_SYMBOL) {
      uint16_t mark = 0;
      for (uint32_t b = 0; b < token->norm_length; b++) {
        unsigned marks = sx_byte_marks[(unsigned char)token->norm[b]];
        if (marks == 0) {
          continue;
        }
        int exclaims = (marks & SX_BYTE_EXCLAIM) != 0, asks = (marks & SX_BYTE_QUESTION) != 0;
        exclamations += exclaims;
        questions += asks;
        if (sentence_marks != NULL) {
          sx_sentence_marks *marked = sx_marks_of(text, t, token, span);
          marked->exclamations += exclaims;
          marked->questions += asks;
        }
        mark |= (marks & SX_BYTE_QUESTION)  ? SX_ITEM_QUESTION
                : (marks & SX_BYTE_EXCLAIM) ? SX_ITEM_EXCLAIMED
                                            : 0;
        clause += item_count > 0 && items[item_count - 1].clause == clause;
      }
      /* The sentence's words learn that it asks or exclaims (each word once per mark). */
      for (size_t k = item_count; mark && k > 0 && items[k - 1].sentence == token->sentence &&
                                  (items[k - 1].flags & mark) != mark;
           k--) {
        items[k - 1].flags |= mark;
      }
      continue;
    }
    if (!sx_word_like(token->type)) {
      if (token->type == TP_TOKEN_URL) {
        links++;
        if (sentence_marks != NULL) {
          sx_marks_of(text, t, token, span)->links++;
        }
      }
      continue;
    }
    /* The lookup reads only what equal ids share (type, norm, stem, flags): kept by id. */
    const sx_lookup *lookup;
    uint64_t id = ids ? token->word_id : 0;
    const sx_memo_slot *slot = ids ? &memo->slots[id & (SX_WORD_MEMO_SLOTS - 1)] : NULL;
    if (ids && slot->tag == sx_memo_tag(id)) {
      lookup = &memo->lookups[slot->lookup];
    } else {
      sx_lookup_token(lexicon, token, &spare);
      lookup = id != 0 ? sx_memo_keep(memo, id, &spare) : &spare;
    }
    sx_item *item = &items[item_count++];
    item->token = token;
    item->term = lookup->term;
    item->weight = 1.0f;
    item->clause = clause;
    item->sentence = token->sentence;
    item->number = (uint32_t)t;
    uint16_t flags = lookup->flags; /* stored once, at the end */
    item->rules = lookup->rules;
    /* A verb ("like") counts only right after a subject or a negator ("I like", "don't like"). */
    int verb_without_subject =
        (lookup->rules & SX_TERM_VERB) && item->term != NULL &&
        !(item_count >= 2 && (sx_item_has(&items[item_count - 2], SX_TERM_SUBJECT) ||
                              sx_item_is_negator(&items[item_count - 2])));
    item->valence = verb_without_subject ? 0 : lookup->valence;
    rules_seen |= item->rules;
    /* Appended without a branch: whether an item is a candidate follows no pattern a branch
     * predictor learns (cachegrind's simulated one missed it on over half of the items). The
     * slot past the last candidate is free: there are no more candidates than items. */
    candidates[candidate_count] = (uint32_t)(item_count - 1);
    candidate_count += ((flags & SX_ITEM_CANDIDATE) | (item->rules & SX_SUM_RULES)) != 0;
    heads[head_count] = (uint32_t)(item_count - 1);
    head_count += (flags & SX_ITEM_PHRASE_HEAD) != 0;
    if (token->type == TP_TOKEN_WORD) {
      words++;
      /* Only a Capitalized sentiment word right after a word can be inside a name (counted
       * among candidates, a test of integer flags, rather than on the valence). */
      if ((token->flags & TP_TOKEN_CAPITALIZED) && (flags & SX_ITEM_CANDIDATE) && t > first &&
          ((const tp_token *)(const void *)(at - token_size))->type == TP_TOKEN_WORD) {
        capitalized++;
        flags |= SX_ITEM_AFTER_WORD;
      }
      if (token->flags & TP_TOKEN_ALL_CAPS) {
        caps++;
        flags |= SX_ITEM_CAPS;
      }
    }
    item->flags = flags;
  }
  span->exclamations = exclamations;
  span->questions = questions;
  span->links = links;
  span->capitalized = capitalized;
  span->candidate_count = candidate_count;
  span->head_count = head_count;
  span->caps_differ = caps > 0 && caps < words;
  span->contrast = (rules_seen & SX_TERM_CONTRAST) != 0;
  return item_count;
}

/* The number of the first of the text's `count` items (in token order) whose token is
 * `token` or a later one, known to be `low` or more. */
static size_t sx_first_item_from(const sx_item *items, size_t low, size_t count,
                                 const tp_token *token) {
  size_t high = count;
  while (low < high) {
    size_t middle = low + (high - low) / 2;
    if (items[middle].token < token) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}

/* Pass 1 of tokens [first, first + count), one sentence of the text whose items and marks the
 * last sx_score_text() call kept, from those instead of the tokens: sx_collect() would make the
 * same items, but for what the sentence's start changes (no word before its first one: a verb
 * there has no subject, a Capitalized word follows no word), and the same *span from the
 * items and the sentence's marks. (Clause numbers differ by a constant, which no pass reads.)
 * The sentence's items are the kept ones themselves, in place (*items points at them): the
 * later passes change them, so each sentence is done this way once. Returns the item count, or
 * SIZE_MAX when that is not possible (nothing kept, not one of the text's sentences, or done
 * already): then sx_collect() it is, into *items as it was. */
static size_t sx_collect_sentence(sx_scratch *scratch, const tp_text *text, size_t first,
                                  size_t count, sx_item **items_out, sx_span *span) {
  sx_item *text_items = scratch->text_items;
  if (count == 0) {
    return SIZE_MAX;
  }
  const tp_token *first_token = TP_TEXT_TOKEN(text, first);
  uint32_t sentence = first_token->sentence, other_sentences = 0;
  if (sentence >= scratch->marked_sentences ||
      TP_TEXT_SENTENCE(text, sentence)->first_token != first ||
      TP_TEXT_SENTENCE(text, sentence)->token_count != count) {
    return SIZE_MAX; /* not one of the text's sentences */
  }
  sx_sentence_marks *marks = (sx_sentence_marks *)scratch->sentence_marks + sentence;
  if (marks->scored) {
    return SIZE_MAX;
  }
  /* Sentences come in order: this one's items start where the last one's ended, if at all. */
  size_t begin = scratch->text_item_cursor, total = scratch->text_item_count;
  if (!(begin <= total && (begin == total || text_items[begin].token >= first_token) &&
        (begin == 0 || text_items[begin - 1].token < first_token))) {
    begin = sx_first_item_from(text_items, 0, total, first_token);
  }
  /* Its items run up to the first whose token is past it: found by the loop over them (in token
   * order, as a binary search would find it, which cost more than it saved in sentences of a
   * few items, and mispredicted its branches). The item after the text's last one has the
   * number UINT32_MAX (sx_score), past every sentence: the loop tests no count. */
  uint32_t end_number = (uint32_t)(first + count);
  sx_item *items = text_items + begin;
  size_t candidate_count = 0, head_count = 0, item_count = 0;
  uint16_t rules_seen = 0, flags_seen = 0;
  uint32_t *candidates = span->candidates, *heads = span->heads;
  for (; items[item_count].number < end_number; item_count++) {
    size_t k = item_count;
    const sx_item *item = &items[k];
    other_sentences |= item->sentence ^ sentence;
    candidates[candidate_count] = (uint32_t)k; /* as in sx_collect: no branch */
    candidate_count += ((item->flags & SX_ITEM_CANDIDATE) | (item->rules & SX_SUM_RULES)) != 0;
    heads[head_count] = (uint32_t)k;
    head_count += (item->flags & SX_ITEM_PHRASE_HEAD) != 0;
    rules_seen |= item->rules;
    flags_seen |= item->flags;
  }
  if (other_sentences != 0) {
    return SIZE_MAX; /* a producer whose tokens and sentences disagree */
  }
  marks->scored = 1;
  scratch->text_item_cursor = begin + item_count;
  *items_out = items;
  if (item_count > 0) {
    if ((items[0].rules & SX_TERM_VERB) && items[0].term != NULL) {
      items[0].valence = 0; /* no subject before it in the sentence */
    }
    if (items[0].token == first_token && (items[0].flags & SX_ITEM_AFTER_WORD)) {
      items[0].flags &= (uint16_t)~SX_ITEM_AFTER_WORD; /* the word before is not the sentence's */
      flags_seen = items[0].flags;
      for (size_t k = 1; k < item_count; k++) { /* rare: seen again without it */
        flags_seen |= items[k].flags;
      }
    }
  }
  span->exclamations = marks->exclamations;
  span->questions = marks->questions;
  span->links = marks->links;
  /* Whether there is one, not how many: all sx_drop_names asks (0: no name to drop). */
  span->capitalized = (flags_seen & SX_ITEM_AFTER_WORD) != 0;
  span->candidate_count = candidate_count;
  span->head_count = head_count;
  span->caps_differ = 0;
  if (flags_seen & SX_ITEM_CAPS) { /* rare: counted only then */
    size_t caps = 0, words = 0;
    for (size_t k = 0; k < item_count; k++) {
      caps += (items[k].flags & SX_ITEM_CAPS) != 0;
      words += items[k].token->type == TP_TOKEN_WORD;
    }
    span->caps_differ = caps < words;
  }
  span->contrast = (rules_seen & SX_TERM_CONTRAST) != 0;
  return item_count;
}

/* Whether the negator at item n and the sentiment word at item i are hyperbole, not negation:
 * a negated modal of ability ("can't", "cannot", "can not", "couldn't") with "enough" or "more"
 * either between them ("couldn't be more pleased") or later in the clause when the sentiment
 * word is the verb right after the modal ("I can't recommend it enough"). Not "could not get
 * strong enough", where "enough" says what was lacking. */
static int sx_hyperbole(const sx_item *items, size_t item_count, size_t n, size_t i) {
  if (!sx_item_has(&items[n], SX_TERM_ABILITY) &&
      !(n > 0 && items[n - 1].clause == items[n].clause &&
        sx_item_has(&items[n - 1], SX_TERM_ABILITY))) {
    return 0;
  }
  size_t last = i == n + 1 ? n + SX_HYPERBOLE_REACH : i;
  for (size_t k = n + 1; k < item_count && k <= last; k++) {
    if (items[k].clause != items[n].clause) {
      break;
    }
    if (sx_item_has(&items[k], SX_TERM_HYPERBOLE)) {
      return 1;
    }
  }
  return 0;
}

/* Pass 2: the valence of item i after emphasis, boosters, negation and "least". */
static float sx_rule_valence(sx_item *items, size_t item_count, size_t i, int caps_differ) {
  sx_item *item = &items[i];
  float valence = item->valence;
  if (valence == 0 || (item->flags & SX_ITEM_CONSUMED)) {
    return 0;
  }
  float sign = sx_sign(valence);
  if (item->token->type == TP_TOKEN_EMOTICON || item->token->type == TP_TOKEN_EMOJI) {
    return valence *
           SX_EMOTICON_WEIGHT; /* :) and emoji mean what they show, whatever words come before */
  }
  if ((item->flags & SX_ITEM_CAPS) && caps_differ) {
    valence += sign * SX_BOOST_CAPS;
  }
  if (item->flags & SX_ITEM_ELONGATED) {
    valence += sign * SX_BOOST_ELONGATED;
  }
  static const float distance_decay[] = {1.0f, 0.95f, 0.9f};
  for (size_t back = 1; back <= 3 && back <= i; back++) {
    const sx_item *prior = &items[i - back];
    if (prior->clause != item->clause) {
      break;
    }
    if (sx_item_has(prior, SX_TERM_BOOSTER) && prior->valence == 0) {
      float scalar = prior->term->booster * sign;
      if ((prior->flags & SX_ITEM_CAPS) && caps_differ) {
        scalar += sign * SX_BOOST_CAPS;
      }
      if (prior->flags & SX_ITEM_ELONGATED) {
        scalar += sign * SX_BOOST_ELONGATED; /* "soooo good" */
      }
      valence += scalar * distance_decay[back - 1];
    }
  }
  /* Negation: a negator earlier in the clause, at most SX_NEGATION_SCOPE items back, with no
   * exempt word ("not only", "can't say enough") or contrast word in between. An idiom keeps
   * its valence under negation ("don't waste your money"); "can't X enough" emphasizes. */
  size_t scope = sx_item_has(item, SX_TERM_IDIOM) ? 0 : SX_NEGATION_SCOPE;
  for (size_t back = 1; back <= scope && back <= i; back++) {
    sx_item *prior = &items[i - back];
    if (prior->clause != item->clause || sx_item_has(prior, SX_TERM_CONTRAST) ||
        sx_item_has(prior, SX_TERM_EXEMPT)) {
      break;
    }
    if (!sx_item_is_negator(prior)) {
      continue;
    }
    if (sx_hyperbole(items, item_count, i - back, i)) {
      valence += sign * SX_BOOST_HYPERBOLE;
      prior->flags |= SX_ITEM_NEGATED | SX_ITEM_EMPHATIC;
      break;
    }
    valence *= valence > 0 ? SX_NEGATE_POSITIVE : SX_NEGATE_NEGATIVE;
    prior->flags |= SX_ITEM_NEGATED; /* its own valence ("no", "lack") yields to the flip */
    break;
  }
  /* "least good" flips; "at least" is a phrase with no valence and never gets here. */
  if (i >= 1 && sx_item_has(&items[i - 1], SX_TERM_LEAST)) {
    valence *= SX_NEGATE_POSITIVE;
  }
  return valence;
}

/* Pass 3: contrast weights. */
static void sx_apply_contrast(sx_item *items, size_t item_count) {
  /* Contrast: the first "but" of a sentence halves what came before it in that sentence (and
   * the whole previous sentence when "but" opens its own), and raises the rest by half. Each
   * item is visited a bounded number of times, whatever the text's length. */
  uint32_t last_sentence = UINT32_MAX;
  for (size_t contrast = 0; contrast < item_count; contrast++) {
    uint32_t sentence = items[contrast].sentence;
    if (!sx_item_has(&items[contrast], SX_TERM_CONTRAST) || sentence == last_sentence) {
      continue;
    }
    last_sentence = sentence;
    int opens = contrast == 0 || items[contrast - 1].sentence != sentence;
    uint32_t reach = opens && sentence > 0 ? sentence - 1 : sentence;
    for (size_t i = contrast; i > 0 && items[i - 1].sentence >= reach; i--) {
      items[i - 1].weight *= SX_CONTRAST_BEFORE;
    }
    for (size_t i = contrast + 1; i < item_count && items[i].sentence == sentence; i++) {
      items[i].weight *= SX_CONTRAST_AFTER;
    }
  }
}

/* Pass 4 helper: the k-th occurrence of the same sentiment term in a span weighs 1/sqrt(k)
 * ("love love love" is more than "love", less than three loves; a chant of a title or a
 * slogan is not a pile of separate judgements). Remembers the last SX_REPEAT_MEMORY terms. */
typedef struct sx_repeats {
  const sx_term *seen[SX_REPEAT_MEMORY];
  unsigned counts[SX_REPEAT_MEMORY];
  size_t used, next;
} sx_repeats;

static float sx_repeat_weight(sx_repeats *repeats, const sx_term *term) {
  size_t k = 0;
  while (k < repeats->used && repeats->seen[k] != term) {
    k++;
  }
  if (k < repeats->used) {
    return 1.0f / sqrtf((float)++repeats->counts[k]);
  }
  repeats->seen[repeats->next] = term;
  repeats->counts[repeats->next] = 1;
  repeats->next = (repeats->next + 1) % SX_REPEAT_MEMORY;
  repeats->used += repeats->used < SX_REPEAT_MEMORY;
  return 1.0f;
}

typedef struct sx_totals {
  double sum, positive, negative, neutral;
  int negation, hedge; /* for the leans */
} sx_totals;

/* Pass 4: the weights of questions ("?!" exclaims rather than asks), of concession and hedged
 * clauses (the weight carried along resets at each clause boundary) and of repeats; then the
 * sums, and whether the span negates or hedges. It visits the span's candidates that have a
 * valence or one of its rules by then (`listed`, in order, as sx_score lists them), `consumed`
 * of its items having been consumed by phrases. The other items have no
 * valence and none of the rules this pass reads (SX_SUM_RULES; a subject, booster or contrast
 * word has none), nor get any after pass 1 (only candidates do, and consumed items lose
 * theirs): visited, they would leave the totals and `carried` as they are (a clause boundary
 * at such an item resets `carried` no differently from the next item visited, and the item's
 * weight is not read again), and count as neutral unless consumed. So every item not consumed
 * counts as neutral, but those that add a valence (the sum of whole numbers is exact in any
 * order), and only the candidates are visited; and of those, only the ones that are not plain
 * by then (not a phrase head that matched none, "the", "a", nor a name word that lost its
 * valence): their visit would change nothing either. */
static void sx_sum(sx_item *items, size_t item_count, const uint32_t *listed, size_t listed_count,
                   size_t consumed, sx_totals *totals) {
  sx_repeats repeats;
  repeats.used = repeats.next = 0; /* seen and counts are read only below `used` */
  float carried = 1.0f;
  /* `carried` resets at each clause boundary; clause numbers only grow, so an item is in the
   * clause `carried` was last set in exactly when no boundary came since. */
  uint32_t carried_clause = item_count > 0 ? items[0].clause : 0;
  size_t valued = 0; /* items not consumed that add a valence */
  memset(totals, 0, sizeof *totals);
  for (size_t a = 0; a < listed_count; a++) {
    size_t i = listed[a];
    sx_item *item = &items[i];
    if ((item->flags & (SX_ITEM_QUESTION | SX_ITEM_EXCLAIMED)) == SX_ITEM_QUESTION) {
      item->weight *= SX_QUESTION_WEIGHT;
    }
    if (item->clause != carried_clause) {
      carried = 1.0f;
      carried_clause = item->clause;
    }
    item->weight *= carried;
    carried *= sx_item_has(item, SX_TERM_CONCESSION) ? SX_CONCESSION_WEIGHT
               : sx_item_has(item, SX_TERM_HEDGE)    ? SX_HEDGE_WEIGHT
                                                     : 1.0f;
    if (carried < 0.01f) {
      carried = 0.01f;
    }
    totals->negation =
        totals->negation || (sx_item_is_negator(item) && !(item->flags & SX_ITEM_EMPHATIC) &&
                             !(i + 1 < item_count && sx_item_has(&items[i + 1], SX_TERM_EXEMPT)));
    totals->hedge = totals->hedge || sx_item_has(item, SX_TERM_HEDGE);
    if (item->flags & SX_ITEM_CONSUMED) {
      continue;
    }
    if (item->valence != 0 && item->term != NULL) {
      item->weight *= sx_repeat_weight(&repeats, item->term);
    }
    double valence = (item->flags & SX_ITEM_NEGATED) ? 0 : item->valence * item->weight;
    totals->sum += valence;
    if (valence > 0) {
      totals->positive += valence;
      valued++;
    } else if (valence < 0) {
      totals->negative += valence;
      valued++;
    }
  }
  totals->neutral = (double)(item_count - consumed - valued);
}

/* Leans: what human raters read into a text beyond its sentiment words. In opinions, negation
 * ("neither will charge", "not what I expected"), questions ("why was this made?") and hedges
 * ("would have been good if") mostly come with complaints, and exclamations with enthusiasm.
 * Returns a small raw valence added to the sum (also the whole score of a text with no
 * sentiment word). */
static double sx_lean(const sx_totals *totals, int questions, int exclamations) {
  double lean = questions > 0 ? SX_LEAN_QUESTION : (exclamations > 0 ? SX_LEAN_EXCLAMATION : 0);
  return lean + (totals->negation ? SX_LEAN_NEGATION : 0) + (totals->hedge ? SX_LEAN_HEDGE : 0);
}

/* VADER's emphasis of '!' (up to 4) and of several '?'. */
static double sx_punctuation_emphasis(int exclamations, int questions) {
  double emphasis = (exclamations > 4 ? 4 : exclamations) * SX_EXCLAIM;
  if (questions > 1) {
    emphasis += questions <= 3 ? questions * 0.18 : 0.96;
  }
  return emphasis;
}

/* Lists into `listed`, in order, the span's candidates that have a valence or one of `rules`,
 * and returns how many: the items passes 2 (rules 0) and 4 (SX_SUM_RULES) visit. Every
 * candidate is stored and the count advances by the test, without a branch (sx_score: why). */
static inline size_t sx_list_live(const sx_item *items, const sx_span *span, uint16_t rules,
                                  uint32_t *listed) {
  size_t count = 0;
  for (size_t c = 0; c < span->candidate_count; c++) {
    uint32_t i = span->candidates[c];
    listed[count] = i;
    count += (items[i].valence != 0) | ((items[i].rules & rules) != 0); /* no || */
  }
  return count;
}

/* Scores a span. */
static int sx_score(const sx_lexicon *lexicon, const tp_text *text, size_t first, size_t count,
                    int memo_mode, sx_scratch *scratch, sx_scores *scores) {
  memset(scores, 0, sizeof *scores);
  scores->neutral = 1.0;
  if (count == 0) {
    return 0;
  }
  if (sx_reserve(&scratch->allocator, &scratch->items, &scratch->capacity, count,
                 sizeof(sx_item)) != 0 ||
      sx_reserve(&scratch->allocator, &scratch->candidates, &scratch->candidate_capacity, 2 * count,
                 sizeof(uint32_t)) != 0) {
    scores->neutral = 0;
    return -1;
  }
  sx_item *items = scratch->items;
  /* the candidates' list, then the phrase heads' (each has room for one per token) */
  sx_span span = {.candidates = scratch->candidates,
                  .heads = (uint32_t *)scratch->candidates + count};
  size_t item_count = SIZE_MAX;
  if (memo_mode == SX_MEMO_READ) {
    item_count = sx_collect_sentence(scratch, text, first, count, &items, &span);
  }
  if (item_count == SIZE_MAX) {
    if (memo_mode == SX_MEMO_WRITE) {
      span.sentence_marks = scratch->sentence_marks;
      span.sentence_count = scratch->marked_sentences;
    }
    item_count =
        sx_collect(lexicon, text, first, count, items, &span, sx_word_memo_for(scratch, lexicon));
    if (span.sentences_disagree) {
      scratch->marked_sentences = 0;
    }
    if (memo_mode == SX_MEMO_WRITE && scratch->marked_sentences > 0) {
      memcpy(scratch->text_items, items, item_count * sizeof *items);   /* for its sentences */
      ((sx_item *)scratch->text_items)[item_count].number = UINT32_MAX; /* sx_collect_sentence */
      scratch->text_item_count = item_count;
      scratch->text_item_cursor = 0;
    }
  }
  sx_match_phrases(lexicon, items, item_count, &span, scratch->phrases, memo_mode);
  sx_drop_names(text, items, item_count, &span);
  int exclamations = span.exclamations, questions = span.questions;
  /* Passes 2 and 4 visit the candidates that still have a valence (and, for pass 4, a rule it
   * reads), listed first without a branch into the phrase heads' array (free after pass 1b):
   * among the candidates, phrase heads that matched no phrase ("the", "a"), negators and verbs
   * with no subject have none, in no pattern the branch predictor learns, and each pass's test
   * of it was a third of its time. */
  uint32_t *listed = span.heads;
  size_t listed_count = sx_list_live(items, &span, 0, listed);
  /* Pass 2 over them, in order: every other item has no valence, which it keeps (an item's
   * valence changes only at its own visit, so the list holds those the visits would find). */
  for (size_t c = 0; c < listed_count; c++) {
    size_t i = listed[c];
    /* A word that is both a booster and a sentiment word ("pretty", "super") boosts the
     * sentiment word right after it and has no valence of its own there ("pretty good"). */
    if (i + 1 < item_count && sx_item_has(&items[i], SX_TERM_BOOSTER) &&
        items[i + 1].valence != 0 && items[i + 1].clause == items[i].clause) {
      items[i].valence = 0;
    }
    items[i].valence = sx_rule_valence(items, item_count, i, span.caps_differ);
  }
  /* With no contrast word left (a phrase may have consumed it), this changes nothing. */
  if (span.contrast) {
    sx_apply_contrast(items, item_count);
  }
  listed_count = sx_list_live(items, &span, SX_SUM_RULES, listed);
  sx_totals totals;
  sx_sum(items, item_count, listed, listed_count, span.consumed, &totals);
  double sum = totals.sum + sx_lean(&totals, questions, exclamations);
  double positive = totals.positive, negative = totals.negative, neutral = totals.neutral;
  double emphasis = sum != 0 ? sx_punctuation_emphasis(exclamations, questions) : 0;
  double total = sum + (sum > 0 ? emphasis : -emphasis);
  if (span.links > 0) {
    total *= SX_LINK_WEIGHT;
  }
  scores->sum = total;
  scores->compound = total / sqrt(total * total + SX_ALPHA);
  if (positive > -negative) {
    positive += emphasis;
  } else if (positive < -negative) {
    negative -= emphasis;
  }
  double all = positive - negative + neutral;
  if (all > 0) {
    scores->positive = positive / all;
    scores->negative = negative < 0 ? -negative / all : 0.0;
    scores->neutral = neutral / all;
  }
  /* The saturating sum says how much is said; the positive-negative balance says how much of
   * the text says it. Their blend tracks human ratings better than either (and stays in -1..1). */
  scores->compound =
      (scores->compound + SX_BALANCE_WEIGHT * (scores->positive - scores->negative)) /
      (1.0 + SX_BALANCE_WEIGHT);
  return 0;
}

/* Whether the sentences of `text` tile its tokens in order (no token in two of them): what
 * sx_collect_sentence() relies on, with the tokens' `sentence` numbers checked where read (the
 * marks' tokens by pass 1, sx_marks_of; the items' by sx_collect_sentence). */
static int sx_sentences_tile(const tp_text *text) {
  size_t next = 0;
  for (size_t s = 0; s < text->sentence_count; s++) {
    const tp_sentence *sentence = TP_TEXT_SENTENCE(text, s);
    if (sentence->first_token != next || sentence->token_count > text->token_count - next) {
      return 0;
    }
    next += sentence->token_count;
  }
  return next == text->token_count;
}

int sx_score_span(const sx_lexicon *lexicon, const tp_text *text, size_t first, size_t count,
                  sx_scratch *scratch, sx_scores *scores) {
  scratch->marked_sentences = 0; /* what a text's pass kept is no longer this text's */
  return sx_score(lexicon, text, first, count, SX_MEMO_NONE, scratch, scores);
}

int sx_score_text(const sx_lexicon *lexicon, const tp_text *text, sx_scratch *scratch,
                  sx_scores *scores) {
  scratch->marked_sentences = 0;
  if (sx_reserve(&scratch->allocator, &scratch->phrases, &scratch->phrase_capacity,
                 text->token_count, sizeof(sx_phrase_memo)) != 0 ||
      sx_reserve(&scratch->allocator, &scratch->text_items, &scratch->text_item_capacity,
                 text->token_count + 1, sizeof(sx_item)) != 0 || /* + 1: an end mark */
      sx_reserve(&scratch->allocator, &scratch->sentence_marks, &scratch->sentence_mark_capacity,
                 text->sentence_count, sizeof(sx_sentence_marks)) != 0) {
    memset(scores, 0, sizeof *scores);
    return -1;
  }
  /* A text of one sentence has its scores (sx_score_sentence is not called for it): nothing
   * is kept, the rare call still served by pass 1 afresh; so for a text whose tokens and
   * sentences disagree. */
  if (text->sentence_count > 1 && sx_sentences_tile(text)) {
    memset(scratch->sentence_marks, 0, text->sentence_count * sizeof(sx_sentence_marks));
    scratch->marked_sentences = text->sentence_count;
  }
  return sx_score(lexicon, text, 0, text->token_count, SX_MEMO_WRITE, scratch, scores);
}

int sx_score_sentence(const sx_lexicon *lexicon, const tp_text *text, size_t first, size_t count,
                      sx_scratch *scratch, sx_scores *scores) {
  return sx_score(lexicon, text, first, count, SX_MEMO_READ, scratch, scores);
}
