/* textpipe/text.h - the tokenized text that the tokenize stage attaches to each record.
 *
 * The tokenize plugin attaches one tp_text to every record under the key TP_TEXT_KEY
 * ("tokens", keys.h). Later stages that list it in their `requires_keys` read it with
 *
 *   const tp_text *text = host->record_attachment(record, TP_TEXT_KEY);
 *   for (size_t i = 0; i < text->token_count; i++) {
 *     const tp_token *token = TP_TEXT_TOKEN(text, i);
 *
 * instead of re-tokenizing. Everything it points to is owned by the record (see the ownership
 * rule in plugin.h) and is valid only inside process(); it is read-only for later stages.
 * Versioned with the plugin ABI (TP_ABI_MAJOR / TP_ABI_MINOR): tp_token, tp_sentence and
 * tp_text only grow at their ends within a major. Readers never index the arrays with their
 * own sizeof: TP_TEXT_TOKEN / TP_TEXT_SENTENCE step by the sizes the producer was built with,
 * and TP_TEXT_HAS / TP_TOKEN_HAS / TP_SENTENCE_HAS tell whether a member appended later is
 * there.
 */
#ifndef TEXTPIPE_TEXT_H
#define TEXTPIPE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "keys.h"

#define TP_TEXT_KEY TP_KEY_TOKENS

typedef enum tp_token_type {
  TP_TOKEN_WORD = 0, /* letters/digits with internal ' and - (don't, well-known, o'clock) */
  TP_TOKEN_NUMBER,   /* 1,000.50  3rd  50%  12:30 */
  TP_TOKEN_URL,
  TP_TOKEN_EMAIL,
  TP_TOKEN_MENTION,  /* @name */
  TP_TOKEN_HASHTAG,  /* #tag */
  TP_TOKEN_EMOTICON, /* :)  :-(  <3  ;P */
  TP_TOKEN_EMOJI,    /* a whole emoji sequence (ZWJ, skin tone, flag, keycap) */
  TP_TOKEN_PUNCT,    /* a run of punctuation kept whole: "!!!", "?!", "..." */
  TP_TOKEN_SYMBOL,   /* anything else that is not space */
} tp_token_type;

enum {
  TP_TOKEN_STOPWORD = 1u << 0,    /* norm is in the language's stopword list */
  TP_TOKEN_ALL_CAPS = 1u << 1,    /* two or more letters, all upper case (GREAT) */
  TP_TOKEN_CAPITALIZED = 1u << 2, /* first letter upper case, some lower case after (Great) */
  TP_TOKEN_ELONGATED = 1u << 3,   /* a letter repeated 3+ times in a row (sooo) */
  TP_TOKEN_SPACE_BEFORE = 1u << 4 /* white space (or the text start) precedes the token */
};

typedef struct tp_token {
  uint32_t start;   /* byte offset in tp_text.text */
  uint32_t length;  /* bytes in tp_text.text */
  const char *norm; /* NFKC + case folded, NUL-terminated */
  uint32_t norm_length;
  uint32_t stem_length;
  const char *stem;  /* Snowball stem of norm for words; equal to norm for other types */
  uint32_t sentence; /* index into tp_text.sentences */
  uint16_t type;     /* tp_token_type */
  uint16_t flags;    /* TP_TOKEN_* */
  uint64_t word_id;  /* 2.4: the word's identity, 0 = none (below); check TP_TOKEN_HAS first */
} tp_token;

/* tp_token.word_id (2.4) lets a later stage keep what it derives from a word, once, instead of
 * looking the word up again on every token: tokenize gives a token the number of the word cache
 * entry it was normalized through, and 0 when it was not (a lone mark, a token too long to
 * cache). The rule, stated once: two tokens with the same non-zero word_id, anywhere in the
 * process (whichever worker, tokenize partial or record they came from), have the same type,
 * the same norm and stem bytes, the stem pointing at the norm in both or in neither, and the
 * same flags but for TP_TOKEN_SPACE_BEFORE. So whatever a reader computes from those alone it
 * may keep under the id, for as long as the process runs: ids are never reused (an emptied
 * cache numbers its entries anew; they mean nothing in another process). Ids made at the same time
 * differ in their low bits: a direct-mapped table indexed by them, each slot valid iff its stored
 * id equals the token's, has few collisions. A reader falls back to its own lookup when word_id is
 * 0 or absent (a producer built before 2.4), and a producer that cannot keep the rule writes 0. */

typedef struct tp_sentence {
  uint32_t start;       /* byte offset in tp_text.text */
  uint32_t length;      /* bytes, trailing space excluded */
  uint32_t first_token; /* index into tp_text.tokens */
  uint32_t token_count;
} tp_sentence;

typedef struct tp_text {
  uint32_t struct_size;   /* sizeof(tp_text) as the tokenize stage was built */
  uint32_t token_size;    /* sizeof(tp_token) as built: the stride of `tokens` */
  uint32_t sentence_size; /* sizeof(tp_sentence) as built: the stride of `sentences` */
  const char *text;       /* the record's text, `length` bytes, NUL-terminated */
  size_t length;
  const tp_token *tokens;
  size_t token_count;
  const tp_sentence *sentences;
  size_t sentence_count;
  const char *language; /* Snowball language name, e.g. "english" */
} tp_text;

/* Token / sentence `index` of `text` (a const tp_text *), stepping by the producer's sizes. */
#define TP_TEXT_TOKEN(text, index)                                                                 \
  ((const tp_token *)(const void *)((const char *)(text)->tokens +                                 \
                                    (size_t)(index) * (text)->token_size))
#define TP_TEXT_SENTENCE(text, index)                                                              \
  ((const tp_sentence *)(const void *)((const char *)(text)->sentences +                           \
                                       (size_t)(index) * (text)->sentence_size))

/* Whether the producer's tp_text / tp_token / tp_sentence has `member` (one appended after
 * 2.0 must be checked before it is read). */
#define TP_TEXT_HAS(text, member)                                                                  \
  ((text)->struct_size >= offsetof(tp_text, member) + sizeof((text)->member))
#define TP_TOKEN_HAS(text, member)                                                                 \
  ((text)->token_size >= offsetof(tp_token, member) + sizeof(((tp_token *)0)->member))
#define TP_SENTENCE_HAS(text, member)                                                              \
  ((text)->sentence_size >= offsetof(tp_sentence, member) + sizeof(((tp_sentence *)0)->member))

#ifdef __cplusplus
}
#endif

#endif /* TEXTPIPE_TEXT_H */
