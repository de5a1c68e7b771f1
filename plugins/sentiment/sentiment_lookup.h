/* sentiment_lookup.h - what the term table says about a token (internal to the sentiment
 * plugin).
 *
 * sx_lookup_token() looks a word-like token up: its norm exactly, then the variants a text
 * writes for a known term (de-elongated, emoticon mouths repeated, a hashtag without '#',
 * laughter by its unit), then the stem's base form; and it notes what the scorer needs of the
 * token alone (its rule flags, "n't" negators, the valence that counts). It is inline: pass 1
 * of the scorer (sx_collect, sentiment_score.c) calls it in its loop over the tokens, once per
 * word of the stream, beside the table's inlined probe (sentiment_table.h), and it calls no
 * function on its common paths; the rare ones (variants, keys of more than 16 bytes) are in
 * sentiment_lookup.c.
 */
#ifndef TP_SENTIMENT_LOOKUP_H
#define TP_SENTIMENT_LOOKUP_H

#include <stdint.h>

#include <textpipe/text.h>

#include "sentiment_lexicon.h"
#include "sentiment_table.h"

#define SX_STEM_WEIGHT        0.5f      /* a stem match is a guess: half weight */
#define SX_LOOKUP_ELONGATED   (1u << 2) /* the scorer's SX_ITEM_ELONGATED */
#define SX_LOOKUP_CANDIDATE   (1u << 7) /* the scorer's SX_ITEM_CANDIDATE */
#define SX_LOOKUP_PHRASE_HEAD (1u << 9) /* the scorer's SX_ITEM_PHRASE_HEAD */

/* What a token's lookup gives the scorer. */
typedef struct sx_lookup {
  const sx_term *term; /* NULL: not in the lexicon */
  float valence;       /* the term's valence (x SX_STEM_WEIGHT for a stem match) when it counts:
                          a valence not marked neutral, not of a single letter; else 0 */
  uint16_t rules;      /* the term's SX_TERM_* flags, plus SX_TERM_NEGATOR for any n't word */
  uint16_t flags;      /* SX_LOOKUP_ELONGATED when found de-elongated; SX_LOOKUP_CANDIDATE with
                          a valence or a term that starts a phrase of two words or more, and
                          SX_LOOKUP_PHRASE_HEAD with the latter */
} sx_lookup;

/* The de-elongated, emoticon and laughter variants of a word not found as it is (or found
 * without valence, booster or negator): the variant's term, or NULL; sets SX_LOOKUP_ELONGATED
 * in *flags for a de-elongated one. */
const sx_term *sx_lookup_variant(const sx_lexicon *lexicon, const tp_token *token, const char *norm,
                                 size_t length, const sx_term *term, uint16_t *flags);

/* sx_lookup_stem() for a stem or norm of more than 16 bytes (not packed). */
const sx_term *sx_lookup_stem_unpacked(const sx_lexicon *lexicon, const tp_token *token,
                                       const char *norm, size_t length);

/* The stem table's term (with a valence) for a word's stem, or NULL; none when the stem is the
 * word itself, which says nothing new (and would let "hat" reach "hate"). `packed` holds the
 * word's `norm` as sx_table_hash packed it: a stem of up to 16 bytes is packed once, compared
 * with it and hashed from it, all inline. */
static inline __attribute__((always_inline)) const sx_term *
sx_lookup_stem(const sx_lexicon *lexicon, const tp_token *token, const char *norm, size_t length,
               const uint64_t packed[2]) {
  const char *stem = token->stem;
  size_t stem_length = token->stem_length;
  if (stem_length > 16 || length > 16) {
    return sx_lookup_stem_unpacked(lexicon, token, norm, length);
  }
  uint64_t stem_packed[2];
  sx_table_pack(stem, stem_length, stem_packed);
  if (stem_length == length && stem_packed[0] == packed[0] && stem_packed[1] == packed[1]) {
    return NULL; /* packing is one to one for a given length */
  }
  uint64_t hash = sx_table_hash_packed(stem_packed, stem_length);
  const sx_entry *entry = sx_table_find(&lexicon->stems, stem, stem_length, hash, stem_packed);
  return (entry && (entry->term.flags & SX_TERM_VALENCE)) ? &entry->term : NULL;
}

/* The term of a word-like token, or NULL; sets *stem_weight and *flags. */
static inline __attribute__((always_inline)) const sx_term *
sx_lookup_word(const sx_lexicon *lexicon, const tp_token *token, float *stem_weight,
               uint16_t *flags) {
  const char *norm = token->norm;
  size_t length = token->norm_length;
  if (token->type == TP_TOKEN_HASHTAG && length > 1 && norm[0] == '#') {
    norm++; /* #fail, #love */
    length--;
  }
  uint64_t packed[2]; /* the norm's bytes as the table packs them: the stem is compared to them */
  uint64_t hash = sx_table_hash(norm, length, packed);
  const sx_entry *entry = sx_table_find(&lexicon->words, norm, length, hash, packed);
  const sx_term *term = entry ? &entry->term : NULL;
  *stem_weight = 1.0f;
  if (term != NULL && (term->flags & (SX_TERM_VALENCE | SX_TERM_BOOSTER | SX_TERM_NEGATOR))) {
    return term;
  }
  /* The variants: elongated words, emoticons, and words of 5+ bytes that may be laughter
   * (their first four bytes repeat a 2-byte unit: tested here, without a call, for all). */
  if ((token->flags & TP_TOKEN_ELONGATED) ||
      (term == NULL && (token->type == TP_TOKEN_EMOTICON ||
                        (length > 4 && norm[2] == norm[0] && norm[3] == norm[1])))) {
    const sx_term *variant = sx_lookup_variant(lexicon, token, norm, length, term, flags);
    if (variant != NULL) {
      return variant;
    }
  }
  /* A stem that is the norm itself (tokenize then points `stem` at `norm`) is not looked up. */
  if (term == NULL && token->type == TP_TOKEN_WORD && !(token->flags & TP_TOKEN_STOPWORD) &&
      token->stem != NULL && token->stem_length > 2 &&
      !(token->stem == token->norm && token->stem_length == token->norm_length)) {
    const sx_term *stemmed = sx_lookup_stem(lexicon, token, norm, length, packed);
    if (stemmed != NULL) {
      *stem_weight = SX_STEM_WEIGHT;
      return stemmed;
    }
  }
  return term;
}

/* Whether a word ends in "n't" (or "n’t"): every such word negates (don't, wouldn't, ain't). */
static inline int sx_ends_in_nt(const char *text, size_t length) {
  if (length < 3 || text[length - 1] != 't') {
    return 0;
  }
  if (text[length - 2] == '\'') {
    return text[length - 3] == 'n';
  }
  return length >= 5 && text[length - 2] == '\x99' && text[length - 3] == '\x80' &&
         text[length - 4] == '\xe2' && text[length - 5] == 'n';
}

/* Whether a token of this type is looked up (and made an item by the scorer's pass 1). */
static inline int sx_word_like(uint16_t type) {
  return type == TP_TOKEN_WORD || type == TP_TOKEN_EMOTICON || type == TP_TOKEN_EMOJI ||
         type == TP_TOKEN_HASHTAG;
}

/* Fills *lookup for a word, emoticon, emoji or hashtag token (sx_word_like). Never fails. */
static inline __attribute__((always_inline)) void
sx_lookup_token(const sx_lexicon *lexicon, const tp_token *token, sx_lookup *lookup) {
  uint16_t type = token->type;
  float stem_weight = 1.0f;
  uint16_t flags = 0;
  const sx_term *term = sx_lookup_word(lexicon, token, &stem_weight, &flags);
  uint16_t negator =
      type == TP_TOKEN_WORD && sx_ends_in_nt(token->norm, token->norm_length) ? SX_TERM_NEGATOR : 0;
  lookup->term = term;
  lookup->flags = flags;
  lookup->valence = 0;
  if (term == NULL) { /* most words: no valence, no phrase */
    lookup->rules = negator;
    return;
  }
  lookup->rules = term->flags | negator;
  int single_letter = type == TP_TOKEN_WORD && token->norm_length < 2;
  if ((term->flags & SX_TERM_VALENCE) && !(term->flags & SX_TERM_NEUTRAL) && !single_letter) {
    lookup->valence = term->valence * stem_weight;
  }
  if (term->phrase_words >= 2) {
    lookup->flags |= SX_LOOKUP_CANDIDATE | SX_LOOKUP_PHRASE_HEAD;
  } else if (lookup->valence != 0) {
    lookup->flags |= SX_LOOKUP_CANDIDATE;
  }
}

#endif /* TP_SENTIMENT_LOOKUP_H */
