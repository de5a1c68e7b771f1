/* core/report/report_charts.c - the inline SVG charts of the HTML report (see report_charts.h).
 *
 * The histogram and the timeline stretch to the width of their card at a fixed height, so the
 * same markup reads well at desktop and phone widths; their axis labels are HTML text beside
 * the SVG, so they keep the page's font size instead of scaling with the drawing. Every bar
 * and point carries a <title>, which browsers show as a tooltip without any script. The charts
 * read the block's JSON defensively: a value that is not a finite number is never drawn.
 */
#include "report_charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_html_internal.h"

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

const char *tp_report_tone_colour(double tone, char colour_text[8]) {
  if (isnan(tone))
    tone = 0;
  if (tone > 1)
    tone = 1;
  if (tone < -1)
    tone = -1;
  const colour *end = tone >= 0 ? &positive_colour : &negative_colour;
  double weight = fabs(tone);
  int red = (int)lround(neutral_colour.red + (end->red - neutral_colour.red) * weight);
  int green = (int)lround(neutral_colour.green + (end->green - neutral_colour.green) * weight);
  int blue = (int)lround(neutral_colour.blue + (end->blue - neutral_colour.blue) * weight);
  snprintf(colour_text, 8, "#%02x%02x%02x", red & 0xFF, green & 0xFF, blue & 0xFF);
  return colour_text;
}

/* The number in `item`, or `fallback` when it is not a finite number. */
static double number_or(const cJSON *item, double fallback) {
  return tp__report_finite(item) ? item->valuedouble : fallback;
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
    tp_html_text(html, labels[index], strlen(labels[index]), 40);
    tp_html_raw(html, "</span>");
  }
  tp_html_raw(html, "</div></div>\n");
}

/* The number of items drawn from `array`: its size, at most `limit`; 0 when not an array. */
static int drawn_count(const cJSON *array, int limit) {
  int size = cJSON_IsArray(array) ? cJSON_GetArraySize(array) : 0;
  return size < limit ? size : limit;
}

int tp_report_chart_histogram(tp_html *html, const cJSON *bins, bool diverging, int limit) {
  int count = drawn_count(bins, limit);
  if (count <= 0)
    return -1;
  int skipped = 0, index = 0;
  double largest = 0;
  const cJSON *bin;
  cJSON_ArrayForEach(bin, bins) {
    if (index++ == count)
      break;
    double value = number_or(tp__report_member(bin, "count"), -1);
    if (value > largest)
      largest = value;
  }
  const double top = 4; /* headroom above the tallest bar */
  char y_text[2][40];
  tp__report_value_text(largest, false, y_text[0], sizeof y_text[0]);
  tp__report_value_text(largest / 2, false, y_text[1], sizeof y_text[1]);
  /* The top count, half of it when that is a whole step, and 0 at the bottom. */
  const char *y_labels[3];
  double y_at[3];
  int y_count = 0;
  if (largest > 0)
    y_labels[y_count] = y_text[0], y_at[y_count++] = top;
  if (largest >= 2)
    y_labels[y_count] = y_text[1], y_at[y_count++] = (top + PLOT_HEIGHT) / 2;
  y_labels[y_count] = "0", y_at[y_count++] = PLOT_HEIGHT;
  plot_open(html, "Histogram", y_labels, y_at, y_count);

  double bin_width = (double)PLOT_WIDTH / count;
  index = 0;
  cJSON_ArrayForEach(bin, bins) {
    if (index == count)
      break;
    const cJSON *count_item = tp__report_member(bin, "count");
    double value = number_or(count_item, -1);
    if (value < 0) {
      skipped++;
      value = 0;
    }
    double from = number_or(tp__report_member(bin, "from"), NAN);
    double to = number_or(tp__report_member(bin, "to"), NAN);
    double height = largest > 0 ? (PLOT_HEIGHT - top) * value / largest : 0;
    char fill[8] = "";
    if (diverging)
      tp_report_tone_colour(isnan(from) || isnan(to) ? 0 : (from + to) / 2, fill);
    tp_html_rawf(html, "<rect class=\"bin\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"",
                 index * bin_width + bin_width * 0.06, PLOT_HEIGHT - height, bin_width * 0.88,
                 height);
    if (diverging)
      tp_html_rawf(html, " style=\"fill:%s\"", fill);
    char from_text[40] = "?", to_text[40] = "?", value_text[40];
    if (!isnan(from))
      tp__report_value_text(from, false, from_text, sizeof from_text);
    if (!isnan(to))
      tp__report_value_text(to, false, to_text, sizeof to_text);
    tp__report_value_text(value, false, value_text, sizeof value_text);
    tp_html_rawf(html, "><title>%s to %s: %s</title></rect>", from_text, to_text, value_text);
    index++;
  }
  /* x labels: the first bin's start, the middle boundary and the last bin's end. */
  char x_text[3][40] = {"", "", ""};
  const cJSON *first = cJSON_GetArrayItem(bins, 0), *last = cJSON_GetArrayItem(bins, count - 1);
  double values[3] = {
      number_or(tp__report_member(first, "from"), NAN),
      count % 2 == 0
          ? number_or(tp__report_member(cJSON_GetArrayItem(bins, count / 2), "from"), NAN)
          : NAN,
      number_or(tp__report_member(last, "to"), NAN)};
  const char *x_labels[3];
  double x_at[3];
  int labels = 0;
  for (int tick = 0; tick < 3; tick++) {
    if (isnan(values[tick]))
      continue;
    tp__report_value_text(values[tick], false, x_text[tick], sizeof x_text[tick]);
    x_labels[labels] = x_text[tick];
    x_at[labels++] = 50.0 * tick;
  }
  plot_close(html, x_labels, x_at, labels);
  return skipped;
}

/* An axis label for an x value: a number as such; an ISO 8601 time "YYYY-MM-DDTHH:MM..." as
 * its date, and the time of day to the minute unless it is midnight; other text as is. */
static void x_label(const cJSON *x, char *out, size_t size) {
  out[0] = '\0';
  if (tp__report_finite(x)) {
    tp__report_value_text(x->valuedouble, false, out, size);
  } else if (cJSON_IsString(x)) {
    const char *time = x->valuestring;
    if (strlen(time) >= 16 && time[10] == 'T' && strncmp(time + 10, "T00:00", 6) != 0)
      snprintf(out, size, "%.10s %.5s", time, time + 11);
    else if (strlen(time) >= 10 && time[10] == 'T')
      snprintf(out, size, "%.10s", time);
    else
      snprintf(out, size, "%.32s", time);
  }
}

/* The y scale of a timeline: values from `bottom` to `top` drawn between heights `low` and
 * `high` of the plot (0 is the top of the viewBox). */
typedef struct y_scale {
  double bottom, top; /* values */
  double low, high;   /* heights */
} y_scale;

/* The height of `value` on `scale`, clamped to the scale. */
static double y_of(const y_scale *scale, double value) {
  double clamped = fmax(scale->bottom, fmin(scale->top, value));
  return scale->low -
         (clamped - scale->bottom) / (scale->top - scale->bottom) * (scale->low - scale->high);
}

/* A step of 1, 2 or 5 times a power of ten at least `span` / 2 (for a tidy axis). */
static double tidy_step(double span) {
  double power = pow(10, floor(log10(span / 2)));
  double step = power;
  while (step < span / 2)
    step = step == power ? 2 * power : step == 2 * power ? 5 * power : 10 * power;
  return step;
}

int tp_report_chart_timeline(tp_html *html, const cJSON *points, bool diverging, int limit) {
  int count = drawn_count(points, limit);
  if (count <= 0)
    return -1;
  int skipped = 0, index = 0;
  double lowest = INFINITY, highest = -INFINITY, largest_count = 0;
  const cJSON *point;
  cJSON_ArrayForEach(point, points) {
    if (index++ == count)
      break;
    const cJSON *y = tp__report_member(point, "y");
    if (tp__report_finite(y)) {
      lowest = fmin(lowest, y->valuedouble);
      highest = fmax(highest, y->valuedouble);
    } else if (!cJSON_IsNull(y)) {
      skipped++;
    }
    largest_count = fmax(largest_count, number_or(tp__report_member(point, "count"), 0));
  }
  /* The y scale: symmetric around 0 in steps of 0.25 up to 1 for a diverging block (small
   * movements stay visible); else tidy bounds around the values. */
  double y_top, y_bottom;
  if (!(lowest <= highest)) {
    y_top = 1, y_bottom = diverging ? -1 : 0;
  } else if (diverging) {
    double range = ceil(fmax(fabs(lowest), fabs(highest)) * 4) / 4;
    range = fmin(1, fmax(0.25, range));
    y_top = range, y_bottom = -range;
  } else {
    double span = highest - lowest;
    if (span <= 0)
      span = fabs(highest) > 0 ? fabs(highest) : 1;
    double step = tidy_step(span);
    y_bottom = floor(lowest / step) * step;
    y_top = ceil(highest / step) * step;
    if (y_top <= y_bottom)
      y_top = y_bottom + step;
  }
  const double top = 4, low = 76;                  /* the values */
  const double strip_top = 84, strip_bottom = 100; /* counts */
  double step = (double)PLOT_WIDTH / count;
  const y_scale scale = {y_bottom, y_top, low, top};

  char y_text[3][40];
  tp__report_value_text(y_top, diverging, y_text[0], sizeof y_text[0]);
  tp__report_value_text((y_top + y_bottom) / 2, diverging, y_text[1], sizeof y_text[1]);
  tp__report_value_text(y_bottom, diverging, y_text[2], sizeof y_text[2]);
  const char *y_labels[3] = {y_text[0], y_text[1], y_text[2]};
  const double y_at[3] = {top, (top + low) / 2, low};
  plot_open(html, "Timeline", y_labels, y_at, 3);
  if (y_bottom < 0 && y_top > 0)
    tp_html_rawf(html,
                 "<line class=\"zero\" x1=\"0\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" "
                 "vector-effect=\"non-scaling-stroke\"/>",
                 y_of(&scale, 0), PLOT_WIDTH, y_of(&scale, 0));

  /* Counts as a faint strip under the line. */
  if (largest_count > 0) {
    index = 0;
    cJSON_ArrayForEach(point, points) {
      if (index == count)
        break;
      double value = number_or(tp__report_member(point, "count"), 0);
      double height = value > 0 ? (strip_bottom - strip_top) * value / largest_count : 0;
      tp_html_rawf(html,
                   "<rect class=\"strip\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>",
                   index * step + step * 0.05, strip_bottom - height, step * 0.9, height);
      index++;
    }
  }

  /* The line, broken where a point has no value, then the points with tooltips. */
  tp_html_raw(html, "<path class=\"trend\" vector-effect=\"non-scaling-stroke\" d=\"");
  index = 0;
  bool drawing = false;
  cJSON_ArrayForEach(point, points) {
    if (index == count)
      break;
    const cJSON *y = tp__report_member(point, "y");
    if (tp__report_finite(y)) {
      tp_html_rawf(html, "%c%.2f %.2f ", drawing ? 'L' : 'M', (index + 0.5) * step,
                   y_of(&scale, y->valuedouble));
      drawing = true;
    } else {
      drawing = false;
    }
    index++;
  }
  tp_html_raw(html, "\"/>");
  double width = count <= 32 ? 7 : count <= 64 ? 5 : 3;
  index = 0;
  cJSON_ArrayForEach(point, points) {
    if (index == count)
      break;
    const cJSON *y = tp__report_member(point, "y");
    if (tp__report_finite(y)) {
      double x = (index + 0.5) * step, y_at_point = y_of(&scale, y->valuedouble);
      char stroke[8] = "", x_text[48], y_value[40];
      tp_html_rawf(html, "<line class=\"point\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"", x,
                   y_at_point, x + 0.01, y_at_point);
      if (diverging)
        tp_html_rawf(html, " style=\"stroke:%s\"", tp_report_tone_colour(y->valuedouble, stroke));
      x_label(tp__report_member(point, "x"), x_text, sizeof x_text);
      tp__report_value_text(y->valuedouble, diverging, y_value, sizeof y_value);
      tp_html_rawf(html, " stroke-width=\"%.0f\" vector-effect=\"non-scaling-stroke\"><title>",
                   width);
      tp_html_string(html, x_text);
      tp_html_rawf(html, "%s%s", x_text[0] != '\0' ? ": " : "", y_value);
      double records = number_or(tp__report_member(point, "count"), -1);
      if (records >= 0) {
        char count_text[40];
        tp__report_value_text(records, false, count_text, sizeof count_text);
        tp_html_rawf(html, " (%s)", count_text);
      }
      tp_html_raw(html, "</title></line>");
    }
    index++;
  }
  char first[48], last[48];
  x_label(tp__report_member(cJSON_GetArrayItem(points, 0), "x"), first, sizeof first);
  x_label(tp__report_member(cJSON_GetArrayItem(points, count - 1), "x"), last, sizeof last);
  const char *x_labels[2] = {first, last};
  const double x_at[2] = {0, 100};
  plot_close(html, x_labels, x_at, count > 1 ? 2 : 1);
  return skipped;
}

void tp_report_chart_bar(tp_html *html, double fraction, const char *fill) {
  if (!isfinite(fraction) || fraction < 0)
    fraction = 0;
  if (fraction > 1)
    fraction = 1;
  tp_html_rawf(html,
               "<svg class=\"bar\" viewBox=\"0 0 100 6\" preserveAspectRatio=\"none\" "
               "aria-hidden=\"true\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" "
               "height=\"6\"/><rect class=\"fill\" x=\"0\" y=\"0\" width=\"%.3f\" height=\"6\"",
               100 * fraction);
  if (fill != NULL)
    tp_html_rawf(html, " style=\"fill:%s\"", fill);
  tp_html_raw(html, "/></svg>");
}
