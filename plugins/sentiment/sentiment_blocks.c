/* sentiment_blocks.c - what the HTML report draws for the sentiment section (its "blocks",
 * docs/report-format.md): tiles for the count, mean, median and labels, the histogram of
 * compound scores, the mean along the input and over time, and the most positive and most
 * negative records quoted. The blocks are read from the members sx_report_write() has just
 * written (so both always agree) and, for the quotes' texts, from the report itself.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sentiment_report.h"
#include "textpipe/blocks.h"

/* `object[key]` when it is a number, else 0. */
static double sx_number(const cJSON *object, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  return cJSON_IsNumber(item) ? item->valuedouble : 0;
}

/* One tile; `tone` NaN: none. 0, or -1 on OOM. */
static int sx_tile(cJSON *block, const char *label, double value, double tone, const char *note) {
  cJSON *item = tp_block_item(block, "items");
  return item != NULL && cJSON_AddStringToObject(item, "label", label) != NULL &&
                 cJSON_AddNumberToObject(item, "value", value) != NULL &&
                 (isnan(tone) || cJSON_AddNumberToObject(item, "tone", tone) != NULL) &&
                 (note == NULL || cJSON_AddStringToObject(item, "note", note) != NULL)
             ? 0
             : -1;
}

static int sx_tiles(cJSON *section) {
  double records = sx_number(section, "records");
  cJSON *block = tp_block_add(section, "tiles", NULL);
  if (block == NULL || sx_tile(block, "records scored", records, NAN, NULL) != 0)
    return -1;
  if (records > 0 && (sx_tile(block, "mean compound", sx_number(section, "mean_compound"),
                              sx_number(section, "mean_compound"), NULL) != 0 ||
                      sx_tile(block, "median compound", sx_number(section, "median_compound"),
                              sx_number(section, "median_compound"), NULL) != 0))
    return -1;
  static const struct {
    const char *name;
    double tone;
  } labels[] = {{"positive", 1}, {"neutral", 0}, {"negative", -1}};
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(section, "labels");
  for (size_t index = 0; index < 3; index++) {
    double count = sx_number(counts, labels[index].name);
    char note[32];
    snprintf(note, sizeof note, "%.1f%% of records", records > 0 ? 100 * count / records : 0);
    if (sx_tile(block, labels[index].name, count, labels[index].tone, note) != 0)
      return -1;
  }
  return cJSON_AddStringToObject(block, "note",
                                 "Compound scores run from -1 (most negative) to +1 (most "
                                 "positive).") != NULL
             ? 0
             : -1;
}

static int sx_histogram(cJSON *section) {
  const cJSON *histogram = cJSON_GetObjectItemCaseSensitive(section, "histogram");
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(histogram, "counts");
  int bins = cJSON_GetArraySize(counts);
  double low = sx_number(histogram, "min"), high = sx_number(histogram, "max");
  cJSON *block = tp_block_add(section, "histogram", "Compound score distribution");
  if (block == NULL || cJSON_AddStringToObject(block, "x_label", "compound score") == NULL ||
      cJSON_AddTrueToObject(block, "diverging") == NULL ||
      cJSON_AddTrueToObject(block, "wide") == NULL)
    return -1;
  int index = 0;
  const cJSON *count;
  cJSON_ArrayForEach(count, counts) {
    cJSON *bin = tp_block_item(block, "bins");
    double from = low + (high - low) * index / bins, to = low + (high - low) * (index + 1) / bins;
    if (bin == NULL || cJSON_AddNumberToObject(bin, "from", round(from * 1e4) / 1e4) == NULL ||
        cJSON_AddNumberToObject(bin, "to", round(to * 1e4) / 1e4) == NULL ||
        cJSON_AddNumberToObject(bin, "count", count->valuedouble) == NULL)
      return -1;
    index++;
  }
  return 0;
}

/* A diverging timeline block of mean compound scores (its points are added by the caller). */
static cJSON *sx_timeline_block(cJSON *section, const char *title, const char *x_label,
                                const char *note) {
  cJSON *block = tp_block_add(section, "timeline", title);
  if (block == NULL || cJSON_AddStringToObject(block, "x_label", x_label) == NULL ||
      cJSON_AddStringToObject(block, "y_label", "mean compound") == NULL ||
      cJSON_AddTrueToObject(block, "diverging") == NULL ||
      cJSON_AddStringToObject(block, "note", note) == NULL)
    return NULL;
  return block;
}

/* The mean along the input: one point per bucket of input lines (empty buckets: null). */
static int sx_line_timeline(cJSON *section) {
  const cJSON *timeline = cJSON_GetObjectItemCaseSensitive(section, "timeline");
  const cJSON *means = cJSON_GetObjectItemCaseSensitive(timeline, "means");
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(timeline, "counts");
  int buckets = cJSON_GetArraySize(means);
  if (buckets == 0)
    return 0;
  double width = sx_number(timeline, "bucket_records");
  char note[200];
  snprintf(note, sizeof note,
           "Mean compound score of consecutive input lines, in input order (%d bucket%s of %.0f "
           "line%s); the grey strip shows how many records each bucket holds.",
           buckets, buckets == 1 ? "" : "s", width, width == 1 ? "" : "s");
  cJSON *block = sx_timeline_block(section, "Along the stream", "input line", note);
  if (block == NULL)
    return -1;
  for (int index = 0; index < buckets; index++) {
    double count = cJSON_GetArrayItem(counts, index)->valuedouble;
    cJSON *point = tp_block_item(block, "points");
    if (point == NULL || cJSON_AddNumberToObject(point, "x", index * width + 1) == NULL ||
        (count > 0
             ? cJSON_AddNumberToObject(point, "y", cJSON_GetArrayItem(means, index)->valuedouble)
             : cJSON_AddNullToObject(point, "y")) == NULL ||
        cJSON_AddNumberToObject(point, "count", count) == NULL)
      return -1;
  }
  return 0;
}

/* "hour", "6 hours", "day", ... for a bucket width in seconds. */
static void sx_span(int64_t seconds, char *text, size_t size) {
  static const struct {
    int64_t seconds;
    const char *name;
  } units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
  snprintf(text, size, "bucket");
  for (size_t index = 0; seconds > 0 && index < sizeof units / sizeof units[0]; index++) {
    if (seconds % units[index].seconds == 0) {
      int64_t count = seconds / units[index].seconds;
      if (count == 1)
        snprintf(text, size, "%s", units[index].name);
      else
        snprintf(text, size, "%lld %ss", (long long)count, units[index].name);
      return;
    }
  }
}

/* The mean over the records' time field: one point per time bucket, x its start time. */
static int sx_time_timeline(const sx_report *report, cJSON *section) {
  const sx_time_line *line = &report->time;
  if (report->time_field == NULL || line->used == 0)
    return 0;
  char span[48], note[400];
  sx_span(line->width, span, sizeof span);
  int length =
      snprintf(note, sizeof note, "Mean compound score per %s (UTC) by the records' %s field", span,
               report->time_field);
  if (line->untimed > 0 && length > 0 && (size_t)length < sizeof note)
    snprintf(note + length, sizeof note - (size_t)length,
             "; %llu record%s without a readable time %s left out",
             (unsigned long long)line->untimed, line->untimed == 1 ? "" : "s",
             line->untimed == 1 ? "is" : "are");
  cJSON *block = sx_timeline_block(section, "Over time", "time (UTC)", note);
  if (block == NULL)
    return -1;
  for (size_t index = 0; index < line->used; index++) {
    char start[32];
    sx_time_format((line->first + (int64_t)index) * line->width, start, sizeof start);
    uint64_t count = line->counts[index];
    cJSON *point = tp_block_item(block, "points");
    if (point == NULL || cJSON_AddStringToObject(point, "x", start) == NULL ||
        (count > 0 ? cJSON_AddNumberToObject(point, "y",
                                             round(line->sums[index] / (double)count * 1e4) / 1e4)
                   : cJSON_AddNullToObject(point, "y")) == NULL ||
        cJSON_AddNumberToObject(point, "count", (double)count) == NULL)
      return -1;
  }
  return 0;
}

/* The listed records (`key` of the section, in rank order) quoted with their texts. */
static int sx_quotes(const sx_ranked *list, size_t count, cJSON *section, const char *key,
                     const char *title) {
  const cJSON *listed = cJSON_GetObjectItemCaseSensitive(section, key);
  if (count == 0)
    return 0;
  cJSON *block = tp_block_add(section, "quotes", title);
  if (block == NULL)
    return -1;
  for (size_t index = 0; index < count; index++) {
    const cJSON *entry = cJSON_GetArrayItem(listed, (int)index);
    cJSON *item = tp_block_item(block, "items");
    double compound = sx_number(entry, "compound");
    if (item == NULL ||
        cJSON_AddStringToObject(
            item, "text", list[index].text[0] != '\0' ? list[index].text : "(no text)") == NULL ||
        cJSON_AddNumberToObject(item, "score", compound) == NULL ||
        cJSON_AddNumberToObject(item, "tone", compound) == NULL ||
        !cJSON_AddItemToObject(item, "record",
                               cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(entry, "id"), 1)) ||
        cJSON_AddNumberToObject(item, "line", (double)list[index].line) == NULL)
      return -1;
  }
  return 0;
}

int sx_report_blocks(const sx_report *report, cJSON *section) {
  if (sx_tiles(section) != 0 || sx_histogram(section) != 0 || sx_line_timeline(section) != 0 ||
      sx_time_timeline(report, section) != 0)
    return -1;
  if (sx_quotes(report->positive, report->positive_count, section, "most_positive",
                "Most positive") != 0 ||
      sx_quotes(report->negative, report->negative_count, section, "most_negative",
                "Most negative") != 0)
    return -1;
  return 0;
}
