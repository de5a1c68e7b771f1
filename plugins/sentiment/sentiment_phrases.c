/* sentiment_phrases.c - pass 1b of the scorer (sentiment_score.c): multi-word phrases of the
 * lexicon ("kiss of death", "upper hand") matched longest first at their first word, whose item
 * then carries the phrase and whose later words are consumed. A text's pass notes each phrase
 * head's match so that the passes over its sentences need not look the phrase up again.
 */
#include <string.h>

#include "sentiment_items.h"

#define SX_MAX_PHRASE 8   /* words of the longest phrase tried */
#define SX_KEY_BYTES  256 /* bytes of the longest phrase key tried */

/* The longest known phrase with a valence or booster that starts at item i (a phrase head whose
 * `used` bytes of norm are in key), or NULL; *match_words its word count. Extends word by word
 * while the words so far are a known phrase or phrase prefix, in i's clause. */
static const sx_term *sx_extend_phrase(const sx_lexicon *lexicon, const sx_item *items,
                                       size_t item_count, size_t i, char key[SX_KEY_BYTES],
                                       size_t used, size_t *match_words) {
  const sx_term *head = items[i].term, *match = NULL;
  size_t longest = head->phrase_words < SX_MAX_PHRASE ? head->phrase_words : SX_MAX_PHRASE;
  *match_words = 0;
  for (size_t words = 2; words <= longest && i + words <= item_count; words++) {
    const tp_token *token = items[i + words - 1].token;
    if (items[i + words - 1].clause != items[i].clause ||
        used + 1 + token->norm_length >= SX_KEY_BYTES) {
      break;
    }
    key[used++] = ' ';
    memcpy(key + used, token->norm, token->norm_length);
    used += token->norm_length;
    const sx_term *found = sx_lexicon_find(lexicon, key, used);
    if (found == NULL) {
      break;
    }
    if (found->flags & (SX_TERM_VALENCE | SX_TERM_BOOSTER)) {
      match = found;
      *match_words = words;
    }
  }
  return match;
}

/* Whether no phrase can start at item i, a phrase head, as its next item's shape is not that
 * of a second word of the phrases its term starts (sx_term.next_words): then sx_extend_phrase()
 * would find no key for the first two words. Most heads ("the", "a", "no", "not") are followed
 * by no phrase, and this spares them building the key and looking it up. The term's phrases
 * are those of the head's norm, on which the keys are built, unless the term is another's: a
 * hashtag's is looked up without its '#', an elongated word's may be found de-elongated
 * (stems, emoticon and laughter variants are looked up only when the norm is no term, so
 * starts no phrase either); for these, the key is looked up. */
static int sx_no_phrase_follows(const sx_item *items, size_t item_count, size_t i) {
  if (i + 1 >= item_count || (items[i].flags & SX_ITEM_ELONGATED) ||
      items[i].token->type == TP_TOKEN_HASHTAG) {
    return 0;
  }
  const tp_token *next = items[i + 1].token;
  return (items[i].term->next_words & sx_word_shape(next->norm, next->norm_length)) == 0;
}

/* Pass 1b: replaces the first word of each known phrase by the phrase, longest match first
 * (the phrase heads pass 1 listed, sx_span.heads). With SX_MEMO_WRITE (a whole text) it notes
 * each head's match in memo[token number]; with SX_MEMO_READ (one of its sentences) it reuses
 * a noted match that the sentence holds whole. That is what the sentence's own extension would
 * find: it reads the same words (same clauses, same lexicon) up to the sentence's end, a prefix
 * of those the text's pass read, and the text's pass found no longer match among them; a
 * phrase that would run past the sentence's end is extended again. */
void sx_match_phrases(const sx_lexicon *lexicon, sx_item *items, size_t item_count, sx_span *span,
                      sx_phrase_memo *memo, int memo_mode) {
  char key[SX_KEY_BYTES];
  for (size_t h = 0; h < span->head_count; h++) {
    size_t i = span->heads[h];
    size_t used = items[i].token->norm_length;
    sx_phrase_memo *noted = NULL;
    if (memo_mode != SX_MEMO_NONE) {
      noted = &memo[items[i].number];
    }
    if ((items[i].flags & SX_ITEM_CONSUMED) || used >= sizeof key) {
      if (memo_mode == SX_MEMO_WRITE) {
        noted->known = 0;
      }
      continue;
    }
    const sx_term *match = NULL;
    size_t match_words = 0;
    if (memo_mode == SX_MEMO_READ && noted->known &&
        (noted->match == NULL || i + noted->words <= item_count)) {
      match = noted->match;
      match_words = noted->words;
    } else {
      if (!sx_no_phrase_follows(items, item_count, i)) {
        memcpy(key, items[i].token->norm, used);
        match = sx_extend_phrase(lexicon, items, item_count, i, key, used, &match_words);
      }
      if (memo_mode == SX_MEMO_WRITE) {
        *noted = (sx_phrase_memo){.match = match, .words = (uint8_t)match_words, .known = 1};
      }
    }
    if (match == NULL) {
      continue;
    }
    items[i].term = match;
    items[i].rules = match->flags;
    span->contrast = span->contrast || (match->flags & SX_TERM_CONTRAST);
    items[i].valence = (match->flags & SX_TERM_VALENCE) ? match->valence : 0;
    span->consumed += match_words - 1;
    for (size_t k = 1; k < match_words; k++) {
      items[i + k].flags |= SX_ITEM_CONSUMED;
      items[i + k].rules = 0;
      items[i + k].valence = 0;
    }
  }
}
