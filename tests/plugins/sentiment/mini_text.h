/* mini_text.h - a small tokenizer for the sentiment engine's unit tests.
 *
 * Builds a tp_text the way the tokenize stage does for plain English (words with inner ' and -,
 * emoticons, emoji, punctuation runs kept whole, sentences split after . ! ?, norms lower-cased,
 * ALL_CAPS and ELONGATED flags, Snowball stems), so engine tests can run before and without the
 * tokenize plugin. Not a replacement for it: ASCII case folding only, no NFKC.
 */
#ifndef TP_TEST_MINI_TEXT_H
#define TP_TEST_MINI_TEXT_H

#include <textpipe/text.h>

/* Returns a tp_text for `text` (copied), or NULL on OOM. Free with mini_text_free(). */
tp_text *mini_text_new(const char *text);

/* Frees a tp_text made by mini_text_new(). NULL is a no-op. */
void mini_text_free(tp_text *text);

#endif
