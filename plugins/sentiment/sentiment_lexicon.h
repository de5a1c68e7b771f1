/* sentiment_lexicon.h - the sentiment plugin's term table (internal to the plugin).
 *
 * One open-addressing hash table maps a lower-case term (a word, an emoticon, an emoji, or a
 * phrase of words joined by single spaces) to what the scorer needs to know about it: its
 * valence and its rule flags (booster, negator, contrast...). A second table maps Snowball
 * stems of the single-word entries to their mean valence, for morphological variants missing
 * from the word list. Both are built once in create() and are read-only afterwards, so any
 * number of threads may look terms up at once. Lookups never allocate.
 *
 * Text formats (UTF-8, '#' starts a comment line, fields separated by one TAB):
 *   word list:  term<TAB>valence                 (e.g. lexicon.tsv)
 *   rule list:  kind<TAB>term[<TAB>value]        (e.g. rules.tsv; kinds in that file's header)
 */
#ifndef TP_SENTIMENT_LEXICON_H
#define TP_SENTIMENT_LEXICON_H

#include <stddef.h>
#include <stdint.h>

/* The allocator the tables use (the host's in the plugin, libc's in unit tests). */
typedef struct sx_allocator {
  void *(*alloc)(size_t size);
  void *(*realloc)(void *ptr, size_t size);
  void (*free)(void *ptr);
} sx_allocator;

enum {
  SX_TERM_VALENCE = 1u << 0,    /* `valence` is set */
  SX_TERM_BOOSTER = 1u << 1,    /* `booster` scales the next sentiment word */
  SX_TERM_NEGATOR = 1u << 2,    /* flips sentiment words after it */
  SX_TERM_EXEMPT = 1u << 3,     /* ends a negator's scope ("not only", "enough") */
  SX_TERM_CONTRAST = 1u << 4,   /* but, however */
  SX_TERM_CONCESSION = 1u << 5, /* although, though */
  SX_TERM_HEDGE = 1u << 6,      /* would, if, hope */
  SX_TERM_LEAST = 1u << 7,      /* least */
  SX_TERM_NEUTRAL = 1u << 8,    /* ignore the lexicon valence of this word */
  SX_TERM_VERB = 1u << 9,       /* valence only right after a subject ("I like" vs "like a") */
  SX_TERM_SUBJECT = 1u << 10,   /* pronoun or adverb that marks the next word as a verb */
  SX_TERM_IDIOM = 1u << 11,     /* a phrase that negation does not flip ("waste your money") */
  SX_TERM_ABILITY = 1u << 12,   /* can, cannot, couldn't: "can't X enough" is emphasis */
  SX_TERM_HYPERBOLE = 1u << 13, /* enough, more: after an ability negator, emphasis */
};

/* What the table knows about one term. */
typedef struct sx_term {
  float valence;        /* -4..+4 when SX_TERM_VALENCE is set */
  float booster;        /* > 0 intensifier, < 0 dampener; when SX_TERM_BOOSTER is set */
  uint16_t flags;       /* SX_TERM_* */
  uint8_t phrase_words; /* 0, or the word count of the longest phrase starting with this term */
  uint32_t next_words;  /* for a phrase's first word: the sx_word_shape() bit of the second word
                           of each phrase it starts (a filter: a word whose bit is not set
                           follows it in none) */
} sx_term;

/* One bit of 32 for the shape of a word (its first byte and length), for sx_term.next_words.
 * `word` has a readable first byte even when `length` is 0 (a NUL-terminated norm). */
static inline uint32_t sx_word_shape(const char *word, size_t length) {
  return 1u << (((unsigned)(unsigned char)word[0] * 7u + (unsigned)length) & 31u);
}

typedef struct sx_lexicon sx_lexicon;

/* Returns an empty lexicon using `allocator` (copied), or NULL on OOM. Free with
 * sx_lexicon_destroy(). */
sx_lexicon *sx_lexicon_create(const sx_allocator *allocator);

/* Frees the lexicon and everything in it. NULL is a no-op. */
void sx_lexicon_destroy(sx_lexicon *lexicon);

/* Loads a word list (term<TAB>valence lines) from `data` (`length` bytes). Entries replace
 * earlier valences of the same term. Returns 0, or -1 with "NAME:LINE: message" in err
 * (`name` names the source in messages); on failure the lines before the bad one stay loaded. */
int sx_lexicon_load_words(sx_lexicon *lexicon, const char *data, size_t length, const char *name,
                          char *err, size_t err_size);

/* Loads a rule list (kind<TAB>term[<TAB>value]). "word" entries only fill terms that have no
 * valence yet; "phrase" entries replace. Returns 0, or -1 with "NAME:LINE: message" in err. */
int sx_lexicon_load_rules(sx_lexicon *lexicon, const char *data, size_t length, const char *name,
                          char *err, size_t err_size);

/* Sets the valence of `term` (a word or a phrase; lower-cased here, runs of spaces collapsed),
 * replacing any earlier one. Returns 0, or -1 on OOM or an empty/overlong term. */
int sx_lexicon_set_valence(sx_lexicon *lexicon, const char *term, double valence);

/* Builds the stem table from the single-word valence entries with the Snowball stemmer of
 * `language` (e.g. "english"); NULL or an unknown language leaves it empty. Call once, after
 * all loads. Returns 0, or -1 on OOM or an unknown language (message in err). */
int sx_lexicon_build_stems(sx_lexicon *lexicon, const char *language, char *err, size_t err_size);

/* Returns the term's entry, or NULL. `key` need not be NUL-terminated. */
const sx_term *sx_lexicon_find(const sx_lexicon *lexicon, const char *key, size_t length);

/* Returns the mean valence entry for a stem, or NULL. */
const sx_term *sx_lexicon_find_stem(const sx_lexicon *lexicon, const char *stem, size_t length);

/* Number of terms in the main table (for logs and tests). */
size_t sx_lexicon_size(const sx_lexicon *lexicon);

#endif /* TP_SENTIMENT_LEXICON_H */
