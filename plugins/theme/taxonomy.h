/* plugins/theme/taxonomy.h - themes given in advance: a JSON theme file matched per record.
 *
 * File shape (docs in plugins/theme/README.md):
 *   {"name": "...", "language": "english",
 *    "themes": [{"name": "...", "description": "...", "weight": 1.0,
 *                "keywords": ["tax", {"term": "vat", "weight": 2}],
 *                "phrases": ["public services", {"term": "civil service", "weight": 2}],
 *                "exclude": ["taxi"]}]}
 * Other keys are refused (a typo such as "keyword" must not silently match nothing).
 * Keywords and phrase words are normalized like tokenize's norms (NFKC + case fold) and
 * stemmed with the file's Snowball language, so a keyword matches a token whose norm or stem
 * equals its norm or stem ("taxes" matches "tax", "taxing"). A phrase matches consecutive
 * tokens, word by word (stopwords included, punctuation breaks it). An exclusion that
 * matches anywhere in the record removes its theme from that record.
 * Score of a theme in a record: raw = theme weight x sum over matched terms of
 * term weight x (1 + ln occurrences); score = raw / (raw + 1), in [0, 1): one plain keyword
 * gives 0.5, a phrase (default weight 2) 0.67.
 */
#ifndef THEME_TAXONOMY_H
#define THEME_TAXONOMY_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "textpipe/text.h"

typedef struct th_taxonomy th_taxonomy;

#define TH_TAX_MATCHED 16

/* One theme's result in a record. */
typedef struct th_tax_hit {
  uint32_t theme;
  double score;
  uint32_t matched_count;
  const char *matched[TH_TAX_MATCHED]; /* terms as written, first occurrence first */
} th_tax_hit;

/* Per-worker matching scratch. */
typedef struct th_tax_scratch {
  uint32_t *term_counts; /* per term: occurrences in the record */
  uint32_t *term_order;  /* terms matched, in order of first occurrence */
  uint32_t order_count;
  size_t *term_last; /* per term: 1 + the token index of its last match */
  th_tax_hit *hits;  /* per theme */
  char *excluded;    /* per theme */
  size_t term_capacity, theme_capacity;
} th_tax_scratch;

/* Loads the theme file at `path`. Returns the taxonomy (free with th_taxonomy_free), or NULL
 * with a message naming the file and the JSON path (or line:col for syntax) in err. */
th_taxonomy *th_taxonomy_load(const char *path, char *err, size_t err_size);

/* Builds a taxonomy from parsed JSON (`source` names it in messages); as above. */
th_taxonomy *th_taxonomy_from_json(const void *json, const char *source, char *err,
                                   size_t err_size);

/* Frees a taxonomy. NULL is a no-op. */
void th_taxonomy_free(th_taxonomy *taxonomy);

/* The number of themes, and theme `theme`'s name (owned by the taxonomy). */
size_t th_taxonomy_theme_count(const th_taxonomy *taxonomy);
const char *th_taxonomy_theme_name(const th_taxonomy *taxonomy, size_t theme);

/* Matches `text`; fills hits (themes with score >= threshold, best first, ties by file
 * order) into scratch->hits and returns their number, or -1 on OOM. Walks every token itself;
 * the plugin calls th_taxonomy_match_at with the tokens extraction listed instead. */
int th_taxonomy_match(const th_taxonomy *taxonomy, const tp_text *text, double threshold,
                      th_tax_scratch *scratch);

/* The taxonomy's shape filter: a bit per th_word_shape of the terms' first words' norms and
 * stems (TH_TAX_SHAPE_BITS bits, 8 KiB). Owned by the taxonomy. */
#define TH_TAX_SHAPE_BITS 65536
const uint64_t *th_taxonomy_shapes(const th_taxonomy *taxonomy);

/* Bit `bit` of the bit set `bits` (the taxonomy's filters are such sets), 0 or 1. */
static inline int th_tax_bit_has(const uint64_t *bits, uint32_t bit) {
  return (int)(bits[bit / 64] >> (bit % 64)) & 1;
}

static inline int th_tax_shape_has(const uint64_t *shapes, uint32_t packed) {
  return th_tax_bit_has(shapes, th_shape_mix(packed) & (TH_TAX_SHAPE_BITS - 1));
}

/* Whether `token` may start a term of the taxonomy whose filter is `shapes`: a word or number
 * whose norm or stem has a shape some first word has. A token it turns away starts no term, so
 * the matcher need visit only those it passes (th_taxonomy_match_at). Inline, so that
 * extraction can test each token in its own walk (extract.c) rather than the matcher walking
 * the record a second time. Without a branch: extraction asks it of every token, and which
 * tokens pass ("the", "in", "local"...) follows the text, so branches on it were mispredicted
 * often; the stem's bit is tested even when the stem is the norm (the same bit then). */
static inline int th_tax_may_start(const uint64_t *shapes, const tp_token *token) {
  int word = token->type == TP_TOKEN_WORD || token->type == TP_TOKEN_NUMBER;
  uint32_t norm_shape = th_word_packed(token->norm, token->norm_length),
           stem_shape = th_word_packed(token->stem, token->stem_length);
  return word & (th_tax_shape_has(shapes, norm_shape) | th_tax_shape_has(shapes, stem_shape));
}

/* th_taxonomy_match for the tokens at `starts` (`count` ascending token indices) alone: the
 * same hits when they are the tokens th_tax_may_start passes (any others are looked up in
 * vain), as th_features_extract lists them when given the filter. */
int th_taxonomy_match_at(const th_taxonomy *taxonomy, const tp_text *text, const uint32_t *starts,
                         size_t count, double threshold, th_tax_scratch *scratch);

/* Frees the scratch's arrays (not the struct). */
void th_tax_scratch_release(th_tax_scratch *scratch);

#endif /* THEME_TAXONOMY_H */
