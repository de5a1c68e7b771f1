/* core/report/report_html_internal.h - what the parts of the HTML report renderer share.
 *
 * report_html.c owns the page (head, CSS, overview, stage timings, the sections in order);
 * report_blocks.c draws a section's blocks (docs/report-format.md) with the charts of
 * report_charts.c; report_dump.c shows a section without blocks, or a block it cannot draw,
 * as readable data. None of them knows which plugin wrote a section. Only these files include
 * this header.
 */
#ifndef TP_CORE_REPORT_HTML_INTERNAL_H
#define TP_CORE_REPORT_HTML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "html.h"

enum {
  TP__REPORT_QUOTE_BYTES = 1000, /* a quoted text is cut after this many bytes */
  TP__REPORT_LABEL_BYTES = 200,  /* labels, notes, titles and table cells likewise */
  TP__REPORT_MAX_ITEMS = 1000,   /* items, bins, points or rows drawn per block */
  TP__REPORT_MAX_BLOCKS = 64,    /* blocks drawn per section */
  TP__REPORT_MAX_COLUMNS = 40,   /* table columns drawn */
  TP__REPORT_QUOTED_IDS = 512,   /* record ids remembered for "skip_quoted" */
  TP__REPORT_ID_BYTES = 64,      /* a record id's text, cut to fit */
};

typedef struct tp__report_page {
  tp_html *html;
  const cJSON *report;
  /* Records quoted so far on the page, for quotes blocks with "skip_quoted". */
  char quoted[TP__REPORT_QUOTED_IDS][TP__REPORT_ID_BYTES];
  size_t quoted_count;
} tp__report_page;

/* Member `key` of `object`, or NULL (also when `object` is not an object). */
const cJSON *tp__report_member(const cJSON *object, const char *key);

/* Sets *value to the finite number `object.key` and returns true, or returns false. */
bool tp__report_number(const cJSON *object, const char *key, double *value);

/* The string `object.key`, or NULL. */
const char *tp__report_string(const cJSON *object, const char *key);

/* Whether `item` is a finite number. */
bool tp__report_finite(const cJSON *item);

/* Writes a record id (number or string) as text into `text`; "" for anything else. */
void tp__report_id_text(const cJSON *id, char *text, size_t size);

/* Appends a count with thousands separators ("12,345"); beyond 1e15 in scientific form. */
void tp__report_count(tp_html *html, double count);

/* Writes a number for reading into `text` (see tp__report_value). */
void tp__report_value_text(double value, bool sign, char *text, size_t size);

/* Appends a number for reading: an integer with thousands separators, else with two
 * decimals (more significant digits below 0.01, fewer above 100); `sign` writes "+" before
 * a positive value. */
void tp__report_value(tp_html *html, double value, bool sign);

/* Appends `text` escaped and cut at TP__REPORT_LABEL_BYTES; NULL appends nothing. */
void tp__report_label(tp_html *html, const char *text);

/* Appends a value shown as a chip coloured by `tone` (-1 red .. 0 grey .. +1 green). */
void tp__report_tone_chip(tp_html *html, double value, double tone);

/* Draws the blocks of a section (an array; see report_blocks.c). */
void tp__report_blocks(tp__report_page *page, const cJSON *blocks);

/* Shows `object` as readable data: its scalar members as tiles, arrays of objects as tables,
 * other arrays as lists, nested objects one level deep, anything deeper as escaped JSON. */
void tp__report_dump(tp_html *html, const cJSON *object);

#endif /* TP_CORE_REPORT_HTML_INTERNAL_H */
