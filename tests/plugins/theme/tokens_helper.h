/* tests/plugins/theme/tokens_helper.h - a tp_text from plain ASCII text, for theme tests. */
#ifndef THEME_TEST_TOKENS_HELPER_H
#define THEME_TEST_TOKENS_HELPER_H

#include <stddef.h>

#include <textpipe/text.h>

/* Tokenizes `length` bytes of `text` (which must outlive the result). Returns a tp_text that
 * theme_test_text_free() frees; aborts on OOM (tests only). */
tp_text *theme_test_tokenize(const char *text, size_t length);

/* Frees a tp_text from theme_test_tokenize (a void * so it can be an attachment free_fn). */
void theme_test_text_free(void *text);

#endif /* THEME_TEST_TOKENS_HELPER_H */
