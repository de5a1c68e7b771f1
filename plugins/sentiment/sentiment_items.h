/* sentiment_items.h - the items the scoring passes work on (internal to sentiment_score.c,
 * sentiment_phrases.c and sentiment_names.c): one per word-like token of a span, what pass 1
 * learns of the span, and the phrase matches a text's pass keeps for its sentences. */
#ifndef TP_SENTIMENT_ITEMS_H
#define TP_SENTIMENT_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "sentiment_lexicon.h"
#include "textpipe/text.h"

/* The rules pass 4 reads of an item with no valence: the negation and hedge leans, and the
 * weight carried to the rest of a concession or hedged clause. */
#define SX_SUM_RULES (SX_TERM_NEGATOR | SX_TERM_HEDGE | SX_TERM_CONCESSION)

enum {
  SX_ITEM_CONSUMED = 1u << 0, /* a later word of a phrase */
  SX_ITEM_CAPS = 1u << 1,
  SX_ITEM_ELONGATED = 1u << 2,
  SX_ITEM_NEGATED = 1u << 3,
  SX_ITEM_QUESTION = 1u << 4,  /* in a sentence that asks: its sentiment is not asserted */
  SX_ITEM_EXCLAIMED = 1u << 5, /* in a sentence with '!' */
  SX_ITEM_EMPHATIC = 1u << 6,  /* a negator in "can't X enough": emphasis, not negation */
  SX_ITEM_CANDIDATE = 1u << 7, /* had a valence or a phrase's first word when looked up */
  /* Noted by pass 1 for the passes over a text's sentences, which start from its items: */
  SX_ITEM_AFTER_WORD = 1u << 8,  /* counted in sx_span.capitalized */
  SX_ITEM_PHRASE_HEAD = 1u << 9, /* its term starts a phrase of two words or more */
};

typedef struct sx_item {
  const tp_token *token;
  const sx_term *term; /* NULL: not in the lexicon */
  float valence;       /* lexicon valence before rules; 0 for non-sentiment words */
  float weight;        /* contrast/concession/hedge weight */
  uint32_t clause;     /* clause number inside the span (punctuation separates clauses) */
  uint32_t sentence;   /* the token's sentence (copied: the passes read it often) */
  uint32_t number;     /* the token's index in the text (kept: finding it from `token` takes a
                          division by the token size) */
  uint16_t flags;      /* SX_ITEM_* */
  uint16_t rules;      /* the term's SX_TERM_* flags; 0 without a term or once consumed */
} sx_item;

/* The marks and links of one sentence, counted by a text's pass 1 (sx_span.sentence_marks);
 * `scored` once a pass over the sentence has used (and changed) the text's items of it. */
typedef struct sx_sentence_marks {
  int exclamations, questions, links;
  int scored;
} sx_sentence_marks;

/* What pass 1 learns about a span besides its items. */
typedef struct sx_span {
  int exclamations, questions; /* '!' and '?' marks */
  int caps_differ;             /* ALL-CAPS words among words that are not */
  int links;                   /* URL tokens */
  int contrast;                /* an item was a contrast word before phrases were matched */
  int capitalized; /* Capitalized candidates right after a word (0: no name to drop; 1 for
                      some, from a sentence's pass over its text's items) */
  /* The items that may carry valence after phrases: those with a valence, and the first words
   * of known phrases; in order. The other items keep no valence, so passes 1b and 2 skip them
   * (they would leave them as they are). Also verbs whose valence pass 1 dropped (no subject
   * before them): with no valence and no phrase, passes 1b, 1c and 2 skip them in turn. And
   * the items with a rule pass 4 reads of an item with no valence (SX_SUM_RULES: negators,
   * hedges, concessions), which passes 1b, 1c and 2 skip likewise: pass 4 visits the list. */
  uint32_t *candidates;
  size_t candidate_count;
  /* Those of them whose term starts a phrase (SX_ITEM_PHRASE_HEAD), the only ones pass 1b
   * visits: listed without a branch by pass 1, as the candidates are, where pass 1b's test of
   * each candidate's term followed no pattern the branch predictor learns. */
  uint32_t *heads;
  size_t head_count;
  size_t consumed; /* items consumed by phrases (pass 1b), each once */
  /* A text's pass 1 also counts the exclamations, questions and links of each sentence here
   * (by the tokens' `sentence`), when this is not NULL: sentence_count entries, zeroed; and
   * notes a marks' token outside the sentence its number names (in `spare_marks`). */
  sx_sentence_marks *sentence_marks;
  size_t sentence_count;
  int sentences_disagree;
  sx_sentence_marks spare_marks;
} sx_span;

/* What pass 1b found for one phrase head of a text (sx_scratch.phrases, by token number), kept
 * by the text's pass for the passes over its sentences. */
typedef struct sx_phrase_memo {
  const sx_term *match; /* the longest phrase with a valence or booster, or NULL */
  uint8_t words;        /* match's words */
  uint8_t known;        /* 0: the text's pass skipped this head (consumed, or too long) */
} sx_phrase_memo;

enum { SX_MEMO_NONE, SX_MEMO_WRITE, SX_MEMO_READ };

/* Pass 1b: replaces the first word of each known phrase by the phrase, longest match first;
 * with a memo, notes (SX_MEMO_WRITE, a whole text) or reuses (SX_MEMO_READ, one of its
 * sentences) each head's match; see sentiment_phrases.c. */
void sx_match_phrases(const sx_lexicon *lexicon, sx_item *items, size_t item_count, sx_span *span,
                      sx_phrase_memo *memo, int memo_mode);

/* Pass 1c: drops the valence of sentiment words that are part of a proper name ("the United
 * States"); see sentiment_names.c. */
void sx_drop_names(const tp_text *text, sx_item *items, size_t item_count, const sx_span *span);

#endif /* TP_SENTIMENT_ITEMS_H */
