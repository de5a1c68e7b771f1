/* plugins/summary/summary_text.h - a sentence's text as the summary quotes it (in a record's
 * "summary" and in the report): without the white space around it and with each inner run of
 * ASCII white space (line breaks too) made one space. Free of the plugin ABI (unit-tested).
 */
#ifndef TEXTPIPE_SUMMARY_TEXT_H
#define TEXTPIPE_SUMMARY_TEXT_H

#include <stddef.h>

/* 1 when bytes[0..length) has no byte below 0x20 (tabs, line breaks, other controls), no two
 * spaces in a row and no space at either end, i.e. summary_text_copy() copies it unchanged
 * (most sentences); else 0. */
int summary_text_is_plain(const char *bytes, size_t length);

/* Copies bytes[0..length) to `out` (room for length + 1) normalized as above; one memcpy when
 * the text is plain. Returns the length written (`out` is NUL-terminated). */
size_t summary_text_copy(const char *bytes, size_t length, char *out);

/* The text normalized as above without copying it when it is plain: `bytes` itself (not
 * NUL-terminated) then, else `scratch` (room for length + 1) with the normalized copy. Sets
 * *quoted_length to its length. */
const char *summary_text_quote(const char *bytes, size_t length, char *scratch,
                               size_t *quoted_length);

#endif /* TEXTPIPE_SUMMARY_TEXT_H */
