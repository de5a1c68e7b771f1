/* sentiment_lookup.c - lookups in the term table: by key (sentiment_lexicon.h) and for a token
 * (sentiment_lookup.h): exact norm first, then the variants a text writes for a known term,
 * then the stem's base form.
 */
#include "sentiment_lookup.h"

#include "sentiment_table.h"

#define SX_KEY_BYTES 256

const sx_term *sx_lexicon_find(const sx_lexicon *lexicon, const char *key, size_t length) {
  const sx_entry *entry = sx_table_lookup(&lexicon->words, key, length);
  return entry ? &entry->term : NULL;
}

const sx_term *sx_lexicon_find_stem(const sx_lexicon *lexicon, const char *stem, size_t length) {
  const sx_entry *entry = sx_table_lookup(&lexicon->stems, stem, length);
  return (entry && (entry->term.flags & SX_TERM_VALENCE)) ? &entry->term : NULL;
}

/* Collapses runs of 3+ equal bytes to `keep` bytes (1 or 2). Returns the new length. */
static size_t sx_squeeze(const char *in, size_t length, size_t keep, char *out) {
  size_t used = 0;
  for (size_t i = 0; i < length && used < SX_KEY_BYTES - 1; i++) {
    size_t run = 1;
    while (i + run < length && in[i + run] == in[i]) {
      run++;
    }
    size_t copies = run >= 3 ? keep : run;
    for (size_t k = 0; k < copies && used < SX_KEY_BYTES - 1; k++) {
      out[used++] = in[i];
    }
    i += run - 1;
  }
  return used;
}

/* Whether `text` repeats its first `period` bytes throughout (hahaha, lololol). */
static int sx_periodic(const char *text, size_t length, size_t period) {
  for (size_t i = period; i < length; i++) {
    if (text[i] != text[i - period]) {
      return 0;
    }
  }
  return 1;
}

/* Whether two byte strings of `length` bytes are equal (short ones without a library call). */
static int sx_same(const char *a, const char *b, size_t length) {
  if (a == b || length > 16) {
    return a == b || memcmp(a, b, length) == 0;
  }
  uint64_t left[2], right[2];
  sx_table_pack(a, length, left);
  sx_table_pack(b, length, right);
  return left[0] == right[0] && left[1] == right[1];
}

/* The de-elongated, emoticon and laughter variants of a word not found as it is (or found
 * without valence, booster or negator): the variant's term, or NULL. */
static const sx_term *sx_lookup_variant(const sx_lexicon *lexicon, const tp_token *token,
                                        const char *norm, size_t length, const sx_term *term,
                                        uint16_t *flags) {
  if (token->flags & TP_TOKEN_ELONGATED) {
    char key[SX_KEY_BYTES];
    for (size_t keep = 2; keep >= 1; keep--) {
      size_t squeezed_length = sx_squeeze(norm, length, keep, key);
      const sx_term *squeezed = sx_lexicon_find(lexicon, key, squeezed_length);
      if (squeezed != NULL) {
        *flags |= SX_LOOKUP_ELONGATED;
        return squeezed;
      }
    }
  }
  if (term == NULL && token->type == TP_TOKEN_EMOTICON && length < SX_KEY_BYTES) {
    /* :))) -> :), =((( -> =( and, as "=" eyes are ":" eyes, :( */
    char key[SX_KEY_BYTES];
    size_t squeezed_length = 0;
    for (size_t i = 0; i < length; i++) {
      if (i == 0 || norm[i] != norm[i - 1]) {
        key[squeezed_length++] = norm[i];
      }
    }
    const sx_term *squeezed = sx_lexicon_find(lexicon, key, squeezed_length);
    if (squeezed == NULL && key[0] == '=') {
      key[0] = ':';
      squeezed = sx_lexicon_find(lexicon, key, squeezed_length);
    }
    if (squeezed != NULL) {
      return squeezed;
    }
  }
  if (term == NULL && length > 4 && sx_periodic(norm, length, 2)) {
    return sx_lexicon_find(lexicon, norm, 4); /* hahahaha -> haha */
  }
  return NULL;
}

/* The stem table's term (with a valence) for a word's stem, or NULL; none when the stem is the
 * word itself, which says nothing new (and would let "hat" reach "hate"). `packed` holds the
 * word's `norm` as sx_table_hash packed it: a stem of up to 16 bytes is packed once, compared
 * with it and hashed from it, all inline (sx_same and sx_lexicon_find_stem would pack it twice
 * more, and the norm again, behind a call). */
static inline __attribute__((always_inline)) const sx_term *
sx_lookup_stem(const sx_lexicon *lexicon, const tp_token *token, const char *norm, size_t length,
               const uint64_t packed[2]) {
  const char *stem = token->stem;
  size_t stem_length = token->stem_length;
  if (stem_length > 16 || length > 16) {
    if (stem_length == length && sx_same(stem, norm, length)) {
      return NULL;
    }
    return sx_lexicon_find_stem(lexicon, stem, stem_length);
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
static inline const sx_term *sx_lookup_word(const sx_lexicon *lexicon, const tp_token *token,
                                            float *stem_weight, uint16_t *flags) {
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
  if (term == NULL && token->type == TP_TOKEN_WORD && !(token->flags & TP_TOKEN_STOPWORD) &&
      token->stem != NULL && token->stem_length > 2) {
    const sx_term *stemmed = sx_lookup_stem(lexicon, token, norm, length, packed);
    if (stemmed != NULL) {
      *stem_weight = SX_STEM_WEIGHT;
      return stemmed;
    }
  }
  return term;
}

/* Whether a word ends in "n't" (or "n’t"): every such word negates (don't, wouldn't, ain't). */
static int sx_ends_in_nt(const char *text, size_t length) {
  if (length < 3 || text[length - 1] != 't') {
    return 0;
  }
  if (text[length - 2] == '\'') {
    return text[length - 3] == 'n';
  }
  return length >= 5 && text[length - 2] == '\x99' && text[length - 3] == '\x80' &&
         text[length - 4] == '\xe2' && text[length - 5] == 'n';
}

void sx_lookup_tokens(const sx_lexicon *lexicon, const tp_text *text, size_t first, size_t count,
                      sx_lookup *lookups) {
  /* Token t is at `at`, stepped by the producer's size (TP_TEXT_TOKEN would multiply by it
   * for every token). */
  const char *at = (const char *)TP_TEXT_TOKEN(text, first);
  size_t token_size = text->token_size;
  for (size_t t = 0; t < count; t++, at += token_size) {
    const tp_token *token = (const tp_token *)(const void *)at;
    uint16_t type = token->type;
    if (type != TP_TOKEN_WORD && type != TP_TOKEN_EMOTICON && type != TP_TOKEN_EMOJI &&
        type != TP_TOKEN_HASHTAG) {
      continue;
    }
    sx_lookup *lookup = &lookups[t];
    float stem_weight = 1.0f;
    uint16_t flags = 0;
    const sx_term *term = sx_lookup_word(lexicon, token, &stem_weight, &flags);
    lookup->term = term;
    lookup->flags = flags;
    lookup->rules = term != NULL ? term->flags : 0;
    lookup->valence = 0;
    if (type == TP_TOKEN_WORD && sx_ends_in_nt(token->norm, token->norm_length)) {
      lookup->rules |= SX_TERM_NEGATOR;
    }
    int single_letter = type == TP_TOKEN_WORD && token->norm_length < 2;
    if (term != NULL && (term->flags & SX_TERM_VALENCE) && !(term->flags & SX_TERM_NEUTRAL) &&
        !single_letter) {
      lookup->valence = term->valence * stem_weight;
    }
    if (lookup->valence != 0 || (term != NULL && term->phrase_words >= 2)) {
      lookup->flags |= SX_LOOKUP_CANDIDATE;
    }
  }
}
