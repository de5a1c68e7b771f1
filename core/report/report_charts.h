/* core/report/report_charts.h - the inline SVG charts of the HTML report (used by
 * report_blocks.c and report_html.c).
 *
 * Each function appends one chart (an <svg>, with its axis labels as HTML around it for the
 * plots) to an HTML buffer. The plots need the page's .plot CSS. Charts scale with their
 * container through viewBox; colours come from the page's CSS classes or from
 * tp_report_tone_colour(), so nothing is loaded from anywhere. Values that are not finite
 * numbers are never drawn: the functions count them as skipped instead.
 */
#ifndef TP_CORE_REPORT_CHARTS_H
#define TP_CORE_REPORT_CHARTS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "html.h"

/* Writes "#rrggbb" for a tone in [-1, 1] (red through grey to green) into `colour`
 * (8 bytes). Out-of-range values are clamped; NaN gives the neutral grey. Returns `colour`. */
const char *tp_report_tone_colour(double tone, char colour[8]);

/* A histogram block's "bins" ([{"from", "to", "count"}...], at most `limit` drawn) as bars
 * side by side; with `diverging`, bars are coloured by the tone of their middle. Returns the
 * number of bins whose count was not a finite number >= 0 (drawn empty), or -1 when `bins`
 * is not a non-empty array (nothing is appended then). */
int tp_report_chart_histogram(tp_html *html, const cJSON *bins, bool diverging, int limit);

/* A timeline block's "points" ([{"x", "y", "count"?}...], at most `limit` drawn) as a line
 * through the y values (null or non-finite y leaves a gap) over a strip of counts. With
 * `diverging` the y axis is symmetric around 0 (within [-1, 1]) and points are coloured by
 * their tone. x is a number or an ISO 8601 time; the axis shows the first and last. Returns
 * the number of points whose y was neither a finite number nor null, or -1 when `points` is
 * not a non-empty array (nothing is appended then). */
int tp_report_chart_timeline(tp_html *html, const cJSON *points, bool diverging, int limit);

/* A horizontal bar `fraction` (0..1, clamped; NaN: empty) long, filled with `fill` (a
 * "#rrggbb" colour) or with the page's accent colour when `fill` is NULL. */
void tp_report_chart_bar(tp_html *html, double fraction, const char *fill);

#endif /* TP_CORE_REPORT_CHARTS_H */
