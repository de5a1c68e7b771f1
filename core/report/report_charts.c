/* core/report/report_charts.c - the inline SVG charts of the HTML report (see report_charts.h).
 *
 * The histogram and the timeline stretch to the width of their card at a fixed height, so the
 * same markup reads well at desktop and phone widths; their axis labels are HTML text beside
 * the SVG, so they keep the page's font size instead of scaling with the drawing. Every bar
 * and point carries a <title>, which browsers show as a tooltip without any script.
 */
#include "report_charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Plots are drawn in a 1000 x 100 viewBox stretched to the plot's box (preserveAspectRatio
 * "none"); strokes keep their width with vector-effect, points are very short round-capped
 * lines so they stay round. Axis labels are HTML around the SVG, placed in percent. */
enum {
  PLOT_WIDTH = 1000,
  PLOT_HEIGHT = 100,
};

typedef struct colour {
  double red, green, blue;
} colour;

static const colour negative_colour = {192, 57, 43};
static const colour neutral_colour = {154, 160, 166};
static const colour positive_colour = {46, 139, 87};

const char *tp_report_sentiment_colour(double sentiment, char colour_text[8]) {
  if (isnan(sentiment))
    sentiment = 0;
  if (sentiment > 1)
    sentiment = 1;
  if (sentiment < -1)
    sentiment = -1;
  const colour *end = sentiment >= 0 ? &positive_colour : &negative_colour;
  double weight = fabs(sentiment);
  int red = (int)lround(neutral_colour.red + (end->red - neutral_colour.red) * weight);
  int green = (int)lround(neutral_colour.green + (end->green - neutral_colour.green) * weight);
  int blue = (int)lround(neutral_colour.blue + (end->blue - neutral_colour.blue) * weight);
  snprintf(colour_text, 8, "#%02x%02x%02x", red & 0xFF, green & 0xFF, blue & 0xFF);
  return colour_text;
}

/* The number in `item`, or `fallback` when it is not a finite number. */
static double number_or(const cJSON *item, double fallback) {
  if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
    return fallback;
  return item->valuedouble;
}

/* The largest finite number in `array` that is >= 0, or 0. */
static double array_maximum(const cJSON *array) {
  double maximum = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, array) {
    double value = number_or(item, 0);
    if (value > maximum)
      maximum = value;
  }
  return maximum;
}

/* Opens a plot: the y labels `labels` at heights `at` (0 top .. 100 bottom), then the SVG. */
static void plot_open(tp_html *html, const char *description, const char *const *labels,
                      const double *at, int count) {
  tp_html_raw(html, "<div class=\"plot\" role=\"img\" aria-label=\"");
  tp_html_string(html, description);
  tp_html_raw(html, "\"><div class=\"yaxis\">");
  for (int index = 0; index < count; index++) {
    tp_html_rawf(html, "<span style=\"top:%.1f%%\">", at[index]);
    tp_html_string(html, labels[index]);
    tp_html_raw(html, "</span>");
  }
  tp_html_raw(html, "</div><div class=\"area\">");
  tp_html_rawf(html, "<svg viewBox=\"0 0 %d %d\" preserveAspectRatio=\"none\">", PLOT_WIDTH,
               PLOT_HEIGHT);
  for (int index = 0; index < count; index++) {
    tp_html_rawf(html,
                 "<line class=\"gridline\" x1=\"0\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" "
                 "vector-effect=\"non-scaling-stroke\"/>",
                 at[index], PLOT_WIDTH, at[index]);
  }
}

/* Closes the SVG and writes the x labels `labels` at positions `at` (0 left .. 100 right). */
static void plot_close(tp_html *html, const char *const *labels, const double *at, int count) {
  tp_html_raw(html, "</svg></div><div class=\"xaxis\">");
  for (int index = 0; index < count; index++) {
    const char *shift = index == 0 ? "0" : index == count - 1 ? "-100%" : "-50%";
    tp_html_rawf(html, "<span style=\"left:%.1f%%;transform:translateX(%s)\">", at[index], shift);
    tp_html_string(html, labels[index]);
    tp_html_raw(html, "</span>");
  }
  tp_html_raw(html, "</div></div>\n");
}

void tp_report_chart_histogram(tp_html *html, const cJSON *histogram) {
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(histogram, "counts");
  int bins = cJSON_IsArray(counts) ? cJSON_GetArraySize(counts) : 0;
  if (bins <= 0)
    return;
  double minimum = number_or(cJSON_GetObjectItemCaseSensitive(histogram, "min"), -1);
  double maximum = number_or(cJSON_GetObjectItemCaseSensitive(histogram, "max"), 1);
  if (!(maximum > minimum))
    minimum = -1, maximum = 1;
  double largest = array_maximum(counts);
  const double top = 4; /* headroom above the tallest bar */

  char y_text[3][32];
  snprintf(y_text[0], sizeof y_text[0], "%.0f", largest);
  snprintf(y_text[1], sizeof y_text[1], "%.0f", largest / 2);
  snprintf(y_text[2], sizeof y_text[2], "0");
  const char *y_labels[3] = {y_text[0], y_text[1], y_text[2]};
  const double y_at[3] = {top, (top + PLOT_HEIGHT) / 2, PLOT_HEIGHT};
  plot_open(html, "Histogram of compound sentiment", y_labels, y_at, largest >= 2 ? 3 : 1);
  if (largest < 2) /* no middle line; the zero line still shows */
    tp_html_rawf(html,
                 "<line class=\"gridline\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                 "vector-effect=\"non-scaling-stroke\"/>",
                 PLOT_HEIGHT, PLOT_WIDTH, PLOT_HEIGHT);

  double bin_width = (double)PLOT_WIDTH / bins;
  int bin = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, counts) {
    double count = number_or(item, 0);
    if (count < 0)
      count = 0;
    double low = minimum + (maximum - minimum) * bin / bins;
    double high = minimum + (maximum - minimum) * (bin + 1) / bins;
    double height = largest > 0 ? (PLOT_HEIGHT - top) * count / largest : 0;
    char fill[8];
    tp_report_sentiment_colour((low + high) / 2, fill);
    tp_html_rawf(
        html,
        "<rect class=\"bin\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
        "<title>%.2f to %.2f: %.0f</title></rect>",
        bin * bin_width + bin_width * 0.06, PLOT_HEIGHT - height, bin_width * 0.88, height, fill,
        low, high, count);
    bin++;
  }
  char x_text[5][32];
  const char *x_labels[5];
  double x_at[5];
  for (int tick = 0; tick < 5; tick++) {
    snprintf(x_text[tick], sizeof x_text[tick], "%.1f", minimum + (maximum - minimum) * tick / 4);
    x_labels[tick] = x_text[tick];
    x_at[tick] = 25.0 * tick;
  }
  plot_close(html, x_labels, x_at, 5);
}

/* An axis label for an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ": the date, and the time of day
 * (to the minute) unless it is midnight. */
static void time_label(const char *time, char *out, size_t size) {
  if (strlen(time) >= 16 && strncmp(time + 10, "T00:00", 6) != 0)
    snprintf(out, size, "%.10s %.5s", time, time + 11);
  else
    snprintf(out, size, "%.10s", time);
}

void tp_report_chart_timeline(tp_html *html, const cJSON *timeline) {
  const cJSON *means = cJSON_GetObjectItemCaseSensitive(timeline, "means");
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(timeline, "counts");
  int buckets = cJSON_IsArray(means) ? cJSON_GetArraySize(means) : 0;
  if (buckets <= 0)
    return;
  double bucket_records =
      number_or(cJSON_GetObjectItemCaseSensitive(timeline, "bucket_records"), 0);
  const char *start = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(timeline, "start"));
  double largest_mean = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, means) {
    double mean = fabs(number_or(item, 0));
    if (mean > largest_mean)
      largest_mean = mean;
  }
  /* A symmetric scale around 0 in steps of 0.25, so small movements stay visible. */
  double range = ceil(largest_mean * 4) / 4;
  if (range < 0.25)
    range = 0.25;
  if (range > 1)
    range = 1;
  const double top = 4, middle = 40, low = 76;     /* the means */
  const double strip_top = 84, strip_bottom = 100; /* records per bucket */
  double step = (double)PLOT_WIDTH / buckets;
  double largest_count = cJSON_IsArray(counts) ? array_maximum(counts) : 0;

  char y_text[2][32];
  snprintf(y_text[0], sizeof y_text[0], "+%.2f", range);
  snprintf(y_text[1], sizeof y_text[1], "-%.2f", range);
  const char *y_labels[3] = {y_text[0], "0", y_text[1]};
  const double y_at[3] = {top, middle, low};
  plot_open(html, start != NULL ? "Mean sentiment over time" : "Mean sentiment along the input",
            y_labels, y_at, 3);
  tp_html_rawf(html,
               "<line class=\"zero\" x1=\"0\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" "
               "vector-effect=\"non-scaling-stroke\"/>",
               middle, PLOT_WIDTH, middle);

  /* Records per bucket as a faint strip under the line. */
  if (largest_count > 0) {
    int bucket = 0;
    cJSON_ArrayForEach(item, counts) {
      if (bucket >= buckets)
        break;
      double count = number_or(item, 0);
      double height = count > 0 ? (strip_bottom - strip_top) * count / largest_count : 0;
      tp_html_rawf(html,
                   "<rect class=\"strip\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>",
                   bucket * step + step * 0.05, strip_bottom - height, step * 0.9, height);
      bucket++;
    }
  }

  /* The line, broken where a bucket has no mean, then the points with tooltips. */
  tp_html_raw(html, "<path class=\"trend\" vector-effect=\"non-scaling-stroke\" d=\"");
  int bucket = 0;
  bool drawing = false;
  cJSON_ArrayForEach(item, means) {
    if (cJSON_IsNumber(item) && isfinite(item->valuedouble)) {
      double value = fmax(-range, fmin(range, item->valuedouble));
      tp_html_rawf(html, "%c%.2f %.2f ", drawing ? 'L' : 'M', (bucket + 0.5) * step,
                   middle - value / range * (middle - top));
      drawing = true;
    } else {
      drawing = false;
    }
    bucket++;
  }
  tp_html_raw(html, "\"/>");
  double point = buckets <= 32 ? 7 : buckets <= 64 ? 5 : 3;
  bucket = 0;
  /* counts[bucket] walked in step with the means (cJSON_GetArrayItem per point would walk the
   * list from its head each time: minutes for a million points). */
  const cJSON *count_item = cJSON_IsArray(counts) ? counts->child : NULL;
  cJSON_ArrayForEach(item, means) {
    if (cJSON_IsNumber(item) && isfinite(item->valuedouble)) {
      double value = fmax(-range, fmin(range, item->valuedouble));
      double x = (bucket + 0.5) * step, y = middle - value / range * (middle - top);
      char stroke[8];
      tp_report_sentiment_colour(item->valuedouble, stroke);
      tp_html_rawf(html,
                   "<line class=\"point\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                   "stroke=\"%s\" stroke-width=\"%.0f\" vector-effect=\"non-scaling-stroke\">"
                   "<title>bucket %d: mean %+.3f",
                   x, y, x + 0.01, y, stroke, point, bucket + 1, item->valuedouble);
      double count = number_or(count_item, -1);
      if (count >= 0)
        tp_html_rawf(html, ", %.0f records", count);
      tp_html_raw(html, "</title></line>");
    }
    bucket++;
    count_item = count_item != NULL ? count_item->next : NULL;
  }
  char first[48] = "line 1", last[48] = "end";
  const char *end = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(timeline, "end"));
  if (start != NULL && end != NULL) {
    time_label(start, first, sizeof first);
    time_label(end, last, sizeof last);
  } else if (bucket_records > 0) {
    snprintf(last, sizeof last, "line %.0f%s", (buckets - 1) * bucket_records + 1,
             bucket_records > 1 ? "+" : "");
  }
  const char *x_labels[2] = {first, last};
  const double x_at[2] = {0, 100};
  plot_close(html, x_labels, x_at, 2);
}

void tp_report_chart_labels(tp_html *html, const cJSON *labels) {
  static const char *const names[] = {"positive", "neutral", "negative"};
  double counts[3], total = 0;
  for (int label = 0; label < 3; label++) {
    counts[label] = number_or(cJSON_GetObjectItemCaseSensitive(labels, names[label]), 0);
    if (counts[label] < 0)
      counts[label] = 0;
    total += counts[label];
  }
  if (total <= 0)
    return;
  tp_html_raw(html, "<svg class=\"stack\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" "
                    "role=\"img\" aria-label=\"Label shares\">");
  double x = 0;
  for (int label = 0; label < 3; label++) {
    double width = 100 * counts[label] / total;
    if (width <= 0)
      continue;
    tp_html_rawf(html,
                 "<rect class=\"%s\" x=\"%.3f\" y=\"0\" width=\"%.3f\" height=\"6\">"
                 "<title>%s: %.0f (%.1f%%)</title></rect>",
                 names[label], x, width, names[label], counts[label], width);
    x += width;
  }
  tp_html_raw(html, "</svg>\n");
}

void tp_report_chart_bar(tp_html *html, double fraction, double sentiment) {
  if (!isfinite(fraction) || fraction < 0)
    fraction = 0;
  if (fraction > 1)
    fraction = 1;
  char fill[8];
  tp_report_sentiment_colour(sentiment, fill);
  tp_html_rawf(
      html,
      "<svg class=\"bar\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" "
      "aria-hidden=\"true\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" "
      "height=\"6\"/><rect x=\"0\" y=\"0\" width=\"%.3f\" height=\"6\" fill=\"%s\"/></svg>",
      100 * fraction, fill);
}
