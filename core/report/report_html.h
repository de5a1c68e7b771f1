/* core/report/report_html.h - the end-of-stream report as one self-contained HTML page.
 *
 * The page is rendered from the report's JSON object (docs/report-format.md): counts and
 * dead-letters, then each stage's section drawn from its "blocks" (tiles, histogram,
 * timeline, quotes, bars, table) or shown as data when it has none, then per-stage timings.
 * Every part is optional: what the report lacks is left out. The page carries its own CSS and SVG
 * and a Content-Security-Policy that forbids loading anything, so it opens offline and runs no
 * script. All text from the report is escaped.
 */
#ifndef TP_CORE_REPORT_HTML_H
#define TP_CORE_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Renders `report` (a JSON object) as an HTML document. Returns a NUL-terminated string the
 * caller frees with free(), its length in *length when `length` is not NULL. Returns NULL
 * with a message in `err` when `report` is not an object or memory runs out. Members of the
 * wrong type are skipped, never fatal. */
char *tp_report_html_render(const cJSON *report, size_t *length, char *err, size_t err_size);

/* Whether a report written to `path` is HTML: `format` is "html", or `format` is NULL and
 * `path` ends in ".html" or ".htm" (any case). */
bool tp_report_html_wanted(const char *path, const char *format);

/* Renders `report` and writes the page to `path` ("-": stdout). Returns 0, or -1 with a
 * message naming the path in `err` (nothing is left half-written on a render failure). */
int tp_report_html_write(const cJSON *report, const char *path, char *err, size_t err_size);

#endif /* TP_CORE_REPORT_HTML_H */
