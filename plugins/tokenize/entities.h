/* plugins/tokenize/entities.h - HTML character references in comment text (&amp; &lt;3 &#39;).
 *
 * Comments scraped from web pages often keep their HTML escapes: "fish &amp; chips",
 * "love you &lt;3", "don&#39;t". Tokenized as they stand they give words such as "amp", "lt"
 * and hashtags such as "#39". The tokenizer therefore scans a decoded copy of the text and maps
 * every token and sentence back to the bytes of the original, so offsets still point into the
 * record's own text while norms, stems and token types come from what the reader saw.
 */
#ifndef TP_PLUGIN_TOKENIZE_ENTITIES_H
#define TP_PLUGIN_TOKENIZE_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

/* A decoded copy of a text, with where each of its bytes came from. Buffers are reused from
 * call to call and only grow; tk_decoded_release() frees them. */
typedef struct tk_decoded {
  const struct tk_memory *memory; /* set before first use; NULL: the C library */
  char *text;                     /* the decoded bytes, NUL-terminated */
  size_t length;                  /* bytes in text */
  uint32_t *source; /* source[i]: offset in the original of the character decoded byte i is part
                       of (the '&' of a reference); source[length]: the original's length */
  size_t capacity;  /* bytes allocated for text, entries for source */
} tk_decoded;

/* Decodes the character references of `length` bytes of valid UTF-8 at `text`: named ones from
 * a table of the common HTML names (&amp; &lt; &gt; &quot; &apos; &nbsp; &hellip; &rsquo; ...),
 * decimal (&#39;) and hexadecimal (&#x27;) ones; each needs its closing ';'. A reference to NUL,
 * a surrogate or a number beyond U+10FFFF, and an unknown name, stay as they are. The decoded
 * text is never longer than the original and stays valid UTF-8.
 * Returns 1 when at least one reference was decoded (the result is in `decoded`), 0 when there
 * was none (`decoded` is left as it was), -1 when memory runs out. */
int tk_entities_decode(tk_decoded *decoded, const char *text, size_t length);

/* The original offset of decoded offset `offset` (0..decoded->length): a token or sentence of
 * the decoded text spanning [a, b) spans [tk_decoded_source(a), tk_decoded_source(b)). */
static inline uint32_t tk_decoded_source(const tk_decoded *decoded, size_t offset) {
  return decoded->source[offset];
}

/* The UTF-8 of the named reference `name` (`length` bytes, without '&' and ';'), or NULL when
 * the table does not have it. */
const char *tk_entities_named(const char *name, size_t length);

/* Checks the named-reference table: sorted by strcmp(), names of at most 6 bytes, UTF-8 of at
 * most 4 bytes and no longer than "&name;". Returns -1 when it holds, else the index of the
 * first bad entry. (For the tests.) */
int tk_entities_table_check(void);

struct tk_scratch;

/* Moves the spans of the scratch's tokens and sentences (scanned from decoded->text) onto the
 * original text the decoding started from. */
void tk_entities_map_back(struct tk_scratch *scratch, const tk_decoded *decoded);

/* Frees the buffers (not the struct itself). */
void tk_decoded_release(tk_decoded *decoded);

#endif /* TP_PLUGIN_TOKENIZE_ENTITIES_H */
