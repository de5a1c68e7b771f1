/* sentiment_lookup.h - what the term table says about one token (internal to the sentiment
 * plugin).
 *
 * sx_lookup_word() looks a word-like token up: its norm exactly, then the variants a text
 * writes for a known term (de-elongated, emoticon mouths repeated, a hashtag without '#',
 * laughter by its unit), then the stem's base form. It runs once per word of the stream, so it
 * lives beside the table's inlined probe (sentiment_table.h) and calls no library function on
 * its common paths.
 */
#ifndef TP_SENTIMENT_LOOKUP_H
#define TP_SENTIMENT_LOOKUP_H

#include <stdint.h>

#include <textpipe/text.h>

#include "sentiment_lexicon.h"

#define SX_STEM_WEIGHT      0.5f      /* a stem match is a guess: half weight */
#define SX_LOOKUP_ELONGATED (1u << 2) /* the scorer's SX_ITEM_ELONGATED */

/* A token's lookup. */
typedef struct sx_lookup {
  const sx_term *term; /* NULL: not in the lexicon, or not a word-like token */
  float stem_weight;   /* SX_STEM_WEIGHT for a stem match, else 1 */
  uint16_t flags;      /* SX_LOOKUP_ELONGATED when found de-elongated */
} sx_lookup;

/* Fills *lookup for `token` (a word, emoticon, emoji or hashtag); never fails. */
void sx_lookup_word(const sx_lexicon *lexicon, const tp_token *token, sx_lookup *lookup);

#endif /* TP_SENTIMENT_LOOKUP_H */
