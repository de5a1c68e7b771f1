/* sentiment_lookup.c - lookups in the term table by key (sentiment_lexicon.h), and the rare
 * paths of a token's lookup (sentiment_lookup.h, whose common path is inline): the variants a
 * text writes for a known term, and a stem or word too long to be packed.
 */
#include "sentiment_lookup.h"

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

const sx_term *sx_lookup_variant(const sx_lexicon *lexicon, const tp_token *token, const char *norm,
                                 size_t length, const sx_term *term, uint16_t *flags) {
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

const sx_term *sx_lookup_stem_unpacked(const sx_lexicon *lexicon, const tp_token *token,
                                       const char *norm, size_t length) {
  /* equal lengths here are over 16 bytes (sx_lookup_stem compares shorter ones packed) */
  if (token->stem_length == length && memcmp(token->stem, norm, length) == 0) {
    return NULL;
  }
  return sx_lexicon_find_stem(lexicon, token->stem, token->stem_length);
}
