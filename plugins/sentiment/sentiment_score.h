/* sentiment_score.h - the sentiment plugin's scoring engine (internal to the plugin).
 *
 * Scores a run of tokens of a tp_text (a whole text or one sentence) with a valence lexicon
 * and rules in the manner of VADER (Hutto & Gilbert 2014), plus rules VADER lacks: negation
 * scope to the end of the clause with an asymmetric flip, per-sentence contrast, concessive,
 * hedged and question clauses, leans, repetition, de-elongated, emoticon and stem lookups, and
 * a compound blended with the positive/negative balance. The engine is pure C over
 * tp_text: no host, no JSON, no allocation per token (working memory is a caller-owned,
 * reusable sx_scratch).
 */
#ifndef TP_SENTIMENT_SCORE_H
#define TP_SENTIMENT_SCORE_H

#include <stddef.h>

#include <textpipe/text.h>

#include "sentiment_lexicon.h"

/* The four VADER-style scores of a span. compound is in -1..1; the three ratios sum to 1. */
typedef struct sx_scores {
  double compound;
  double positive;
  double neutral;
  double negative;
  double sum; /* the raw valence sum before normalization */
} sx_scores;

/* The word memo's slots (sentiment_score.c), direct-mapped on the low SX_WORD_MEMO_BITS bits of
 * a word id; it keeps at most as many lookups of words with a term or rule before it empties. */
#define SX_WORD_MEMO_BITS  16
#define SX_WORD_MEMO_SLOTS (1u << SX_WORD_MEMO_BITS)

/* Per-thread working memory, reused from call to call. Zero-initialize it, set `allocator`,
 * and free it with sx_scratch_release(). */
typedef struct sx_scratch {
  sx_allocator allocator;
  void *items;
  size_t capacity;
  void *candidates; /* item numbers a span's later passes visit */
  size_t candidate_capacity;
  void *phrases;          /* each phrase head's match, kept by sx_score_text() */
  size_t phrase_capacity; /* entries of phrases */
  void *text_items;       /* the text's items as pass 1 made them, kept by sx_score_text() */
  size_t text_item_count, text_item_capacity;
  size_t text_item_cursor; /* where the items of the next sentence start, likely */
  void *sentence_marks;    /* each sentence's marks and links, kept by sx_score_text() */
  size_t marked_sentences, sentence_mark_capacity; /* 0 marked: nothing kept */
  void *word_memo;                                 /* lookups by word id (sentiment_score.c) */
  const void *word_memo_lexicon;                   /* the lexicon they were looked up in */
} sx_scratch;

/* Frees the scratch's buffers (the struct itself is the caller's). */
void sx_scratch_release(sx_scratch *scratch);

/* Scores tokens [first, first + count) of `text`. Returns 0 and fills *scores, or -1 if the
 * scratch could not grow (out of memory; *scores is then all zero). */
int sx_score_span(const sx_lexicon *lexicon, const tp_text *text, size_t first, size_t count,
                  sx_scratch *scratch, sx_scores *scores);

/* Scores the whole of `text` like sx_score_span() and keeps its items (each token's lexicon
 * lookup among them), each sentence's marks and each phrase head's match in the scratch, for
 * sx_score_sentence() calls on the same text. Returns 0 and fills *scores, or -1 out of memory
 * (*scores all zero). */
int sx_score_text(const sx_lexicon *lexicon, const tp_text *text, sx_scratch *scratch,
                  sx_scores *scores);

/* Scores tokens [first, first + count) of `text` like sx_score_span(), reusing what the last
 * sx_score_text() call on this scratch kept: valid only for the text of that call,
 * until the scratch is given to sx_score_text() or sx_score_span() again. Returns 0 and fills
 * *scores, or -1 out of memory (*scores all zero). */
int sx_score_sentence(const sx_lexicon *lexicon, const tp_text *text, size_t first, size_t count,
                      sx_scratch *scratch, sx_scores *scores);

#endif /* TP_SENTIMENT_SCORE_H */
