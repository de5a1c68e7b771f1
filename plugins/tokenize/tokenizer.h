/* plugins/tokenize/tokenizer.h - the tokenize plugin's engine, independent of the host.
 *
 * Internal to the plugin (the tests compile these files in directly). Tokenizing a text runs in
 * three passes over one growing scratch (tk_scratch, one per worker, reused across records):
 *   tk_scan()       splits the text into tokens (type, byte span, SPACE_BEFORE);
 *   tk_normalize()  fills norm, stem and the case/stopword/elongation flags from the per-worker
 *                   word cache (computing them only on a miss), with strings kept as offsets
 *                   into the scratch's string arena;
 *   tk_sentences()  groups the tokens into sentences;
 * and tk_text_build() copies the result into one allocation block, a complete tp_text.
 * Nothing here allocates per token; the scratch grows by doubling and is kept.
 */
#ifndef TP_PLUGIN_TOKENIZER_H
#define TP_PLUGIN_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "textpipe/text.h"

struct sb_stemmer;

/* Where the engine's memory comes from. The plugin passes the host's allocator (tokenize.c), so
 * every buffer is memory the core accounts for; NULL means the C library's (the engine's own
 * tests and the bench). */
typedef struct tk_memory {
  void *(*alloc)(size_t size);
  void *(*realloc)(void *pointer, size_t size);
  void (*free)(void *pointer);
} tk_memory;

void *tk_alloc(const tk_memory *memory, size_t size);
void *tk_realloc(const tk_memory *memory, void *pointer, size_t size);
void tk_free(const tk_memory *memory, void *pointer);

/* Per-worker scratch. Token norm/stem pointers hold offsets into `strings` (cast to pointers)
 * until tk_text_build() turns them into real pointers inside the built block. */
typedef struct tk_scratch {
  const tk_memory *memory; /* set before first use; NULL: the C library */
  tp_token *tokens;
  size_t token_count, token_capacity;
  /* The tokens where tk_sentences() has something to decide, ascending and without repeats: each
   * sentence mark (TK_FLAG_MARK) and each token right before a line break. tk_scan() notes them
   * as it goes, so that tk_sentences() need not look at every token. */
  uint32_t *cues;
  size_t cue_count, cue_capacity;
  tp_sentence *sentences;
  size_t sentence_count, sentence_capacity;
  char *strings;
  size_t string_length, string_capacity;
  int32_t *codepoints; /* utf8proc work buffer for non-ASCII tokens */
  size_t codepoint_capacity;
  char *stem_input; /* norm with U+2019 mapped to ', for the stemmer and stopword lookup */
  size_t stem_input_capacity;
} tk_scratch;

/* A read-only set of NUL-free UTF-8 strings (the stopword list), shared by all workers. */
typedef struct tk_word_set {
  const tk_memory *memory;
  char **words; /* open-addressed table of `capacity` slots (power of two), NULL = empty */
  size_t capacity;
  size_t count;
} tk_word_set;

/* A bounded per-worker map from a token's exact bytes (case included) and type to everything
 * tk_normalize() derives from them: norm, stem, and the STOPWORD / ALL_CAPS / CAPITALIZED /
 * ELONGATED flags. A hit costs a hash, one probe of one cache line and one copy; only a miss
 * lowers, folds, looks up and stems. When the table fills up it is emptied and starts again:
 * cheap, and the frequent words come straight back. Entries and lookup: word_cache.h. */
typedef struct tk_word_entry tk_word_entry;

typedef struct tk_word_cache {
  const tk_memory *memory;
  tk_word_entry *slots; /* 64-byte (2 MB from 2 MB on) aligned, inside slots_block */
  void *slots_block;    /* the allocation holding them */
  size_t capacity;      /* power of two */
  size_t count;
  char *arena; /* keys and strings too long for their entry */
  size_t arena_length, arena_capacity;
  uint64_t hits, misses; /* for the bench */
  uint64_t id_base;      /* this fill's number << 32 (word_cache.c): ids are id_base | number */
} tk_word_cache;

/* What tk_normalize() needs: the (per-worker) stemmers, word cache and the (shared) stopword
 * set. */
typedef struct tk_language {
  struct sb_stemmer *stemmer;   /* NULL: stem = norm */
  tk_word_cache *cache;         /* NULL: no caching */
  const tk_word_set *stopwords; /* NULL: no STOPWORD flags */
  /* The same algorithm for all-ASCII norms, from tk_ascii_stemmer_new(); NULL: `stemmer` stems
   * every word. */
  struct sb_stemmer *ascii_stemmer;
} tk_language;

/* A stemmer giving `language`'s stems of all-ASCII words with less work than the UTF-8 one:
 * libstemmer's ISO-8859-1 build of the same algorithm, which steps over bytes instead of
 * decoding characters. Only for algorithms whose Snowball source has no character past ASCII
 * (english, porter): an ASCII word then takes the same steps in both encodings. NULL for the
 * others, or when libstemmer has none or memory runs out. Freed with sb_stemmer_delete(). */
struct sb_stemmer *tk_ascii_stemmer_new(const char *language);

/* Frees the scratch's buffers (not the struct itself). */
void tk_scratch_release(tk_scratch *scratch);

/* Splits `text` (`length` bytes of valid UTF-8; NUL and control bytes are separators) into
 * tokens in scratch->tokens (type, start, length, SPACE_BEFORE and internal flags set; the rest
 * zero). Resets the scratch first. Returns 0, or -1 when memory runs out. */
int tk_scan(tk_scratch *scratch, const char *text, size_t length);

/* Fills norm, stem, and the STOPWORD / ALL_CAPS / CAPITALIZED / ELONGATED flags of every
 * token scanned from `text` (`length` bytes). Returns 0, or -1 when memory runs out. */
int tk_normalize(tk_scratch *scratch, const tk_language *language, const char *text, size_t length);

/* Groups the tokens into sentences (scratch->sentences, token.sentence). Needs the tokens of
 * tk_scan() (and its cues), normalized; clears the scanner's internal flag bits, leaving only
 * text.h's TP_TOKEN_* flags, so it must run before the tokens are read. Returns 0, or -1 when
 * memory runs out. */
int tk_sentences(tk_scratch *scratch, const char *text, size_t length);

/* Copies the scratch into one block allocated with `alloc`: the tp_text followed by its tokens,
 * sentences and strings. `text` is referenced, not copied. Returns the block (freed with the
 * allocator's free) or NULL when `alloc` fails. */
tp_text *tk_text_build(const tk_scratch *scratch, const char *text, size_t length,
                       const char *language_name, void *(*alloc)(size_t size));

/* The norm/stem of a token while still in the scratch (before tk_text_build). */
const char *tk_scratch_norm(const tk_scratch *scratch, const tp_token *token);
const char *tk_scratch_stem(const tk_scratch *scratch, const tp_token *token);

/* Word sets. tk_word_set_build() normalizes each word (NFKC + case fold, U+2019 -> ') and
 * returns 0, or -1 on OOM (the set is then empty). */
int tk_word_set_build(tk_word_set *set, const char *const *words, size_t count,
                      const tk_memory *memory);
int tk_word_set_contains(const tk_word_set *set, const char *word, size_t length);
void tk_word_set_release(tk_word_set *set);

/* Word caches of at least `capacity` slots: init returns 0 or -1 on OOM (nothing is then held);
 * release frees the buffers. */
int tk_word_cache_init(tk_word_cache *cache, size_t capacity, const tk_memory *memory);
void tk_word_cache_release(tk_word_cache *cache);

/* The built-in stopword list for a Snowball language name, or NULL when there is none.
 * Generated at build time from plugins/tokenize/stopwords/ (stopwords_data.c). */
const char *const *tk_stopwords_for(const char *language, size_t *count);

/* The name of a token type ("word", "number", ...), for JSON and tests. */
const char *tk_type_name(unsigned type);

/* Shared helpers of the passes (tokenizer_util.c). */
uint64_t tk_hash(const char *bytes, size_t length);
/* Decodes one code point of valid UTF-8 at `text` (`available` bytes left, >= 1); sets *size. */
int32_t tk_decode(const unsigned char *text, size_t available, size_t *size);

#endif /* TP_PLUGIN_TOKENIZER_H */
