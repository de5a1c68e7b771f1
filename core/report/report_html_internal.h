/* core/report/report_html_internal.h - what the parts of the HTML report renderer share.
 *
 * report_html.c owns the page (head, CSS, overview, stage timings, unknown sections) and the
 * helpers below; report_html_sections.c renders the sections of the built-in analyses
 * (sentiment, themes, summary). Only these two files include this header.
 */
#ifndef TP_CORE_REPORT_HTML_INTERNAL_H
#define TP_CORE_REPORT_HTML_INTERNAL_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "html.h"

enum {
  TP__REPORT_MAX_SUMMARIES = 8, /* summary sections searched for record texts */
  TP__REPORT_QUOTE_BYTES = 480, /* a quoted comment is cut after this many bytes */
  TP__REPORT_QUOTES = 3,        /* quotes shown per theme */
  TP__REPORT_LISTED_IDS = 12,   /* record ids listed (without text) per theme */
};

typedef struct tp__report_page {
  tp_html *html;
  const cJSON *report;
  const cJSON *summaries[TP__REPORT_MAX_SUMMARIES]; /* sections holding record texts */
  int summary_count;
  const cJSON *sentiments[TP__REPORT_MAX_SUMMARIES]; /* sections listing extreme records */
  int sentiment_count;
  bool has_theme_section; /* summary themes are then shown inside the theme cards */
} tp__report_page;

/* Member `key` of `object`, or NULL (also when `object` is not an object). */
const cJSON *tp__report_member(const cJSON *object, const char *key);

/* Sets *value to the finite number `object.key` and returns true, or returns false. */
bool tp__report_number(const cJSON *object, const char *key, double *value);

/* The string `object.key`, or NULL. */
const char *tp__report_string(const cJSON *object, const char *key);

/* Writes a record id (number or string) as text into `text`; "" for anything else. */
void tp__report_id_text(const cJSON *id, char *text, size_t size);

/* The text of the record with this id found in a summary section, or NULL. */
const char *tp__report_record_text(const tp__report_page *page, const cJSON *id);

/* The text of record `id` in one list of the summary sections ("positive", "negative", ...),
 * or NULL: for quotes that must match what the list stands for. */
const char *tp__report_record_text_in(const tp__report_page *page, const cJSON *id,
                                      const char *list);

/* True when the record with this id is quoted as a most positive/negative record. */
bool tp__report_is_extreme(const tp__report_page *page, const cJSON *id);

/* Appends a count with thousands separators ("12,345"). */
void tp__report_count(tp_html *html, double count);

/* Appends a sentiment score as a coloured chip ("+0.42"). */
void tp__report_sentiment_chip(tp_html *html, double sentiment);

/* Opens <section class="css_class"> with "<h2>title</h2>", the stage id beside the title when
 * it differs from `usual_id`. */
void tp__report_section_open(tp_html *html, const char *css_class, const char *title,
                             const char *stage_id, const char *usual_id);

/* Sections of the built-in analyses (report_html_sections.c). */
void tp__report_sentiment(tp__report_page *page, const char *stage_id, const cJSON *section);
void tp__report_themes(tp__report_page *page, const char *stage_id, const cJSON *section);
void tp__report_summary(tp__report_page *page, const char *stage_id, const cJSON *section);

#endif /* TP_CORE_REPORT_HTML_INTERNAL_H */
