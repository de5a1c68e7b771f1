/* core/report/html.h - a growing text buffer for writing HTML, with escaping.
 *
 * The HTML report is built in memory by appending to a tp_html buffer. Every append is
 * infallible from the caller's point of view: an allocation failure marks the buffer failed,
 * later appends do nothing, and tp_html_take() returns NULL. So renderers write straight-line
 * code and check once at the end.
 *
 * tp_html_text() is the only way text from a report reaches the page: it escapes the five
 * HTML-special characters, drops control characters, replaces invalid UTF-8 with U+FFFD and
 * can cut the text at a byte budget on a character boundary.
 */
#ifndef TP_CORE_HTML_H
#define TP_CORE_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "textpipe/plugin.h"

typedef struct tp_html {
  char *data;      /* NUL-terminated while not failed */
  size_t length;   /* bytes used, without the NUL */
  size_t capacity; /* bytes allocated */
  bool failed;     /* an allocation failed: the buffer is empty and stays so */
} tp_html;

/* Starts an empty buffer (no allocation yet). */
void tp_html_init(tp_html *html);

/* Frees the buffer's memory and resets it to empty. Safe on an initialised or taken buffer. */
void tp_html_free(tp_html *html);

/* Appends `markup` verbatim (it must already be valid HTML). */
void tp_html_raw(tp_html *html, const char *markup);

/* Appends printf-formatted markup verbatim. Never pass report text through the format
 * arguments: use tp_html_text() for that. */
void tp_html_rawf(tp_html *html, const char *fmt, ...) TP_PRINTF(2, 3);

/* Appends `length` bytes of `text` escaped for HTML text and attribute values. When
 * `max_bytes` is nonzero and the text is longer, it is cut at the last whole character within
 * `max_bytes` bytes and an ellipsis is appended. Returns true when the text was cut. */
bool tp_html_text(tp_html *html, const char *text, size_t length, size_t max_bytes);

/* Same as tp_html_text() on a NUL-terminated string, without a budget; NULL appends nothing. */
void tp_html_string(tp_html *html, const char *text);

/* Hands over the buffer's contents: a NUL-terminated string the caller frees with free(), or
 * NULL if any allocation failed (the buffer's memory is then already released). The buffer is
 * left empty either way. */
char *tp_html_take(tp_html *html, size_t *length);

#endif /* TP_CORE_HTML_H */
