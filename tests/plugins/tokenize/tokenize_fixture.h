/* tests/plugins/tokenize/tokenize_fixture.h - shared helpers of the tokenize tests: run the
 * engine (plugins/tokenize/tokenizer.h) on a text and render what it found as short strings
 * that a table can state: tokens as "type:text" separated by spaces, sentences separated by
 * " || ".
 */
#ifndef TP_TEST_TOKENIZE_FIXTURE_H
#define TP_TEST_TOKENIZE_FIXTURE_H

#include <stddef.h>

#include "tokenizer.h"

/* Tokenizes `length` bytes of `text` (English) into the fixture's scratch. Returns 0 or -1. */
int fixture_tokenize(const char *text, size_t length);

/* The scratch of the last fixture_tokenize(), and the text it was given. */
const tk_scratch *fixture_scratch(void);

/* "type:text type:text ..." of the last run (static buffer, valid until the next call). */
const char *fixture_tokens(void);
/* "sentence || sentence ..." of the last run (static buffer). */
const char *fixture_sentences(void);
/* "text:norm:stem" of every word of the last run, separated by spaces (static buffer). */
const char *fixture_stems(void);

/* Checks the structural invariants of the last run (ordered, non-overlapping tokens inside the
 * text, no space inside a token, sentences contiguous and covering every token exactly once,
 * token.sentence consistent). Returns NULL when they hold, or a message saying which failed. */
const char *fixture_check_invariants(void);

#endif /* TP_TEST_TOKENIZE_FIXTURE_H */
