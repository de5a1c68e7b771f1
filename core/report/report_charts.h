/* core/report/report_charts.h - the inline SVG charts of the HTML report (used by report_html.c).
 *
 * Each function appends one chart (an <svg>, with its axis labels as HTML around it for the
 * plots) or nothing, when its input is missing or malformed, to an HTML buffer. The plots
 * need the page's .plot CSS. Charts scale with their container through viewBox;
 * colours come from the page's CSS classes or from tp_report_sentiment_colour(), so nothing
 * is loaded from anywhere.
 */
#ifndef TP_CORE_REPORT_CHARTS_H
#define TP_CORE_REPORT_CHARTS_H

#include <cjson/cJSON.h>

#include "html.h"

/* Writes "#rrggbb" for a sentiment in [-1, 1] (red through grey to green) into `colour`
 * (8 bytes). Out-of-range values are clamped; NaN gives the neutral grey. Returns `colour`. */
const char *tp_report_sentiment_colour(double sentiment, char colour[8]);

/* The sentiment histogram {"min", "max", "counts": [n...]} as bars over [min, max]. Appends
 * nothing when counts is missing or empty. */
void tp_report_chart_histogram(tp_html *html, const cJSON *histogram);

/* A timeline {"means": [...], "counts": [...]} as the mean per bucket (null means leave gaps)
 * over a strip of records per bucket. Along the input ("bucket_records": lines per bucket) the
 * axis runs from line 1; over time ("start" and "end", RFC 3339) from the first bucket's start
 * to the last one's end. Appends nothing without means. */
void tp_report_chart_timeline(tp_html *html, const cJSON *timeline);

/* One stacked bar of label counts {"positive", "neutral", "negative"}; nothing when all are
 * zero or missing. */
void tp_report_chart_labels(tp_html *html, const cJSON *labels);

/* A horizontal bar `fraction` (0..1, clamped) long, coloured by `sentiment` (NaN: neutral). */
void tp_report_chart_bar(tp_html *html, double fraction, double sentiment);

#endif /* TP_CORE_REPORT_CHARTS_H */
