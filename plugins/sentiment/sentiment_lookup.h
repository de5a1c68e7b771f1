/* sentiment_lookup.h - what the term table says about the tokens of a text (internal to the
 * sentiment plugin).
 *
 * sx_lookup_tokens() looks each word-like token up: its norm exactly, then the variants a text
 * writes for a known term (de-elongated, emoticon mouths repeated, a hashtag without '#',
 * laughter by its unit), then the stem's base form; and it notes what the scorer needs of the
 * token alone (its rule flags, "n't" negators, the valence that counts). It runs once per word
 * of the stream, in one tight loop beside the table's inlined probe (sentiment_table.h), and
 * calls no library function on its common paths; the scorer then reads the results for the
 * text and again for each of its sentences.
 */
#ifndef TP_SENTIMENT_LOOKUP_H
#define TP_SENTIMENT_LOOKUP_H

#include <stdint.h>

#include <textpipe/text.h>

#include "sentiment_lexicon.h"

#define SX_STEM_WEIGHT      0.5f      /* a stem match is a guess: half weight */
#define SX_LOOKUP_ELONGATED (1u << 2) /* the scorer's SX_ITEM_ELONGATED */
#define SX_LOOKUP_CANDIDATE (1u << 7) /* the scorer's SX_ITEM_CANDIDATE */

/* What a token's lookup gives the scorer. */
typedef struct sx_lookup {
  const sx_term *term; /* NULL: not in the lexicon, or not a word-like token */
  float valence;       /* the term's valence (x SX_STEM_WEIGHT for a stem match) when it counts:
                          a valence not marked neutral, not of a single letter; else 0 */
  uint16_t rules;      /* the term's SX_TERM_* flags, plus SX_TERM_NEGATOR for any n't word */
  uint16_t flags;      /* SX_LOOKUP_ELONGATED when found de-elongated; SX_LOOKUP_CANDIDATE with
                          a valence or a term that starts a phrase of two words or more */
} sx_lookup;

/* Fills lookups[i] for each word, emoticon, emoji and hashtag among the text's tokens
 * [first, first + count) (lookups[i] for token first + i); the entries of other tokens are left
 * as they are. Never fails. */
void sx_lookup_tokens(const sx_lexicon *lexicon, const tp_text *text, size_t first, size_t count,
                      sx_lookup *lookups);

#endif /* TP_SENTIMENT_LOOKUP_H */
