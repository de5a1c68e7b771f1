/* sentiment_report.c - the sentiment plugin's stream statistics (see sentiment_report.h). */
#include "sentiment_report.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "textpipe/plugin.h"

void sx_report_init(sx_report *report, size_t top) {
  memset(report, 0, sizeof *report);
  report->top = top > SX_REPORT_MAX_TOP ? SX_REPORT_MAX_TOP : top;
  report->timeline_width = 1;
}

static size_t sx_bin(double compound, size_t bins) {
  double position = (compound + 1.0) / 2.0 * (double)bins;
  if (!(position > 0)) {
    return 0;
  }
  return position >= (double)bins ? bins - 1 : (size_t)position;
}

/* Whether `a` ranks before `b`: more extreme first (sign = +1 positive list, -1 negative
 * list), then the earlier input line. */
static int sx_ranks_before(const sx_ranked *a, const sx_ranked *b, double sign) {
  if (a->compound * sign != b->compound * sign) {
    return a->compound * sign > b->compound * sign;
  }
  return a->line < b->line;
}

static int sx_list_wants(const sx_ranked *list, size_t count, size_t top, double compound,
                         double sign) {
  return top > 0 && compound * sign > 0 &&
         (count < top || compound * sign > list[count - 1].compound * sign);
}

int sx_report_wants_id(const sx_report *report, double compound) {
  return sx_list_wants(report->positive, report->positive_count, report->top, compound, 1.0) ||
         sx_list_wants(report->negative, report->negative_count, report->top, compound, -1.0);
}

/* Inserts `item` in rank order, dropping the last one if the list is full. */
static void sx_list_insert(sx_ranked *list, size_t *count, size_t top, const sx_ranked *item,
                           double sign) {
  if (top == 0 || item->compound * sign <= 0) {
    return;
  }
  size_t at = *count;
  while (at > 0 && sx_ranks_before(item, &list[at - 1], sign)) {
    at--;
  }
  if (at >= top) {
    return;
  }
  size_t keep = *count < top ? *count : top - 1;
  memmove(&list[at + 1], &list[at], (keep - at) * sizeof *list);
  list[at] = *item;
  *count = keep + 1;
}

/* Doubles the timeline width until `line` fits, folding bucket pairs. */
static void sx_timeline_widen(sx_report *report, uint64_t width) {
  while (report->timeline_width < width) {
    for (size_t i = 0; i < SX_REPORT_TIMELINE; i++) {
      double sum = 0;
      uint64_t count = 0;
      if (2 * i < SX_REPORT_TIMELINE) {
        sum = report->timeline_sums[2 * i] + report->timeline_sums[2 * i + 1];
        count = report->timeline_counts[2 * i] + report->timeline_counts[2 * i + 1];
      }
      report->timeline_sums[i] = sum;
      report->timeline_counts[i] = count;
    }
    report->timeline_width *= 2;
  }
}

/* Copies `text` into `out` (SX_REPORT_TEXT_BYTES); a longer text is cut at the last space
 * that leaves room for an ellipsis (or, without one, before a UTF-8 continuation byte, so a
 * character is never split) and ends in "\u2026". */
static void sx_copy_text(char *out, const char *text, size_t length) {
  if (length < SX_REPORT_TEXT_BYTES) {
    memcpy(out, text, length);
    out[length] = '\0';
    return;
  }
  size_t cut = SX_REPORT_TEXT_BYTES - 4; /* room for the 3-byte ellipsis and the NUL */
  size_t space = cut;
  while (space > cut / 2 && text[space] != ' ')
    space--;
  if (space > cut / 2)
    cut = space;
  else
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
      cut--;
  memcpy(out, text, cut);
  memcpy(out + cut, "\xE2\x80\xA6", 4);
}

void sx_report_add(sx_report *report, double compound, sx_label label, uint64_t line,
                   const char *id) {
  sx_report_add_quoted(report, compound, label, line, id, NULL, 0);
}

void sx_report_add_quoted(sx_report *report, double compound, sx_label label, uint64_t line,
                          const char *id, const char *text, size_t length) {
  report->records++;
  report->compound_sum += compound;
  report->labels[label]++;
  report->histogram[sx_bin(compound, SX_REPORT_BINS)]++;
  report->median_bins[sx_bin(compound, SX_REPORT_MEDIAN_BINS)]++;
  uint64_t index = line > 0 ? line - 1 : 0;
  uint64_t width = report->timeline_width;
  while (index / width >= SX_REPORT_TIMELINE) {
    width *= 2;
  }
  sx_timeline_widen(report, width);
  report->timeline_sums[index / width] += compound;
  report->timeline_counts[index / width]++;
  if (!sx_report_wants_id(report, compound)) {
    return;
  }
  sx_ranked item = {.compound = compound, .line = line};
  if (text != NULL)
    sx_copy_text(item.text, text, length);
  if (id != NULL) {
    snprintf(item.id, sizeof item.id, "%s", id);
  } else {
    snprintf(item.id, sizeof item.id, "%" PRIu64, line);
  }
  sx_list_insert(report->positive, &report->positive_count, report->top, &item, 1.0);
  sx_list_insert(report->negative, &report->negative_count, report->top, &item, -1.0);
}

void sx_report_merge(sx_report *into, const sx_report *from) {
  into->records += from->records;
  into->compound_sum += from->compound_sum;
  for (size_t i = 0; i < 3; i++) {
    into->labels[i] += from->labels[i];
  }
  for (size_t i = 0; i < SX_REPORT_BINS; i++) {
    into->histogram[i] += from->histogram[i];
  }
  for (size_t i = 0; i < SX_REPORT_MEDIAN_BINS; i++) {
    into->median_bins[i] += from->median_bins[i];
  }
  sx_report widened = *from;
  sx_timeline_widen(&widened, into->timeline_width);
  sx_timeline_widen(into, widened.timeline_width);
  for (size_t i = 0; i < SX_REPORT_TIMELINE; i++) {
    into->timeline_sums[i] += widened.timeline_sums[i];
    into->timeline_counts[i] += widened.timeline_counts[i];
  }
  sx_time_line_merge(&into->time, &from->time);
  for (size_t i = 0; i < from->positive_count; i++) {
    sx_list_insert(into->positive, &into->positive_count, into->top, &from->positive[i], 1.0);
  }
  for (size_t i = 0; i < from->negative_count; i++) {
    sx_list_insert(into->negative, &into->negative_count, into->top, &from->negative[i], -1.0);
  }
}

/* The median from the 2000-bin histogram: the middle bin's centre (exact to 0.0005). */
static double sx_median(const sx_report *report) {
  if (report->records == 0) {
    return 0;
  }
  uint64_t low = (report->records + 1) / 2, high = report->records / 2 + 1, seen = 0;
  double low_value = 0, high_value = 0;
  int have_low = 0;
  for (size_t i = 0; i < SX_REPORT_MEDIAN_BINS; i++) {
    seen += report->median_bins[i];
    double centre = -1.0 + (i + 0.5) * 2.0 / SX_REPORT_MEDIAN_BINS;
    if (!have_low && seen >= low) {
      low_value = centre;
      have_low = 1;
    }
    if (seen >= high) {
      high_value = centre;
      break;
    }
  }
  return round((low_value + high_value) / 2.0 * 10000.0) / 10000.0;
}

static double sx_round4(double value) {
  return round(value * 10000.0) / 10000.0;
}

static cJSON *sx_ranked_json(const sx_ranked *list, size_t count) {
  cJSON *array = cJSON_CreateArray();
  for (size_t i = 0; array != NULL && i < count; i++) {
    cJSON *item = cJSON_CreateObject();
    cJSON *id = cJSON_Parse(list[i].id);
    if (cJSON_IsNumber(id) &&
        !(fabs(id->valuedouble) <
          TP_JSON_PRINTED_EXACTLY_BELOW)) { /* would not print back: keep the digits */
      cJSON_Delete(id);
      id = cJSON_CreateRaw(list[i].id);
    } else if (id == NULL) {
      id = cJSON_CreateString(list[i].id); /* an id cut to fit is kept as text */
    }
    if (item == NULL || id == NULL || !cJSON_AddItemToObject(item, "id", id) ||
        cJSON_AddNumberToObject(item, "compound", sx_round4(list[i].compound)) == NULL ||
        !cJSON_AddItemToArray(array, item)) {
      cJSON_Delete(item);
      cJSON_Delete(array);
      return NULL;
    }
  }
  return array;
}

static cJSON *sx_counts_json(const uint64_t *counts, size_t count) {
  cJSON *array = cJSON_CreateArray();
  for (size_t i = 0; array != NULL && i < count; i++) {
    if (!cJSON_AddItemToArray(array, cJSON_CreateNumber((double)counts[i]))) {
      cJSON_Delete(array);
      return NULL;
    }
  }
  return array;
}

/* Adds `item` to `object` under `key`; on any failure (item NULL, or no memory for the key)
 * deletes `item` so nothing leaks. 1 on success, 0 on failure. */
static int sx_attach(cJSON *object, const char *key, cJSON *item) {
  if (item != NULL && cJSON_AddItemToObject(object, key, item))
    return 1;
  cJSON_Delete(item);
  return 0;
}

/* Every container is attached to `section` as soon as it is created, so whatever fails later,
 * the core's deletion of `section` frees all of it. */
int sx_report_write(const sx_report *report, cJSON *section) {
  double mean = report->records ? report->compound_sum / (double)report->records : 0;
  int ok = cJSON_AddNumberToObject(section, "records", (double)report->records) != NULL &&
           cJSON_AddNumberToObject(section, "mean_compound", sx_round4(mean)) != NULL &&
           cJSON_AddNumberToObject(section, "median_compound", sx_median(report)) != NULL;

  cJSON *labels = ok ? cJSON_AddObjectToObject(section, "labels") : NULL;
  ok = labels != NULL &&
       cJSON_AddNumberToObject(labels, "positive", (double)report->labels[SX_LABEL_POSITIVE]) &&
       cJSON_AddNumberToObject(labels, "neutral", (double)report->labels[SX_LABEL_NEUTRAL]) &&
       cJSON_AddNumberToObject(labels, "negative", (double)report->labels[SX_LABEL_NEGATIVE]);

  cJSON *histogram = ok ? cJSON_AddObjectToObject(section, "histogram") : NULL;
  ok = histogram != NULL && cJSON_AddNumberToObject(histogram, "min", -1) &&
       cJSON_AddNumberToObject(histogram, "max", 1) &&
       sx_attach(histogram, "counts", sx_counts_json(report->histogram, SX_REPORT_BINS));

  size_t used = SX_REPORT_TIMELINE;
  while (used > 0 && report->timeline_counts[used - 1] == 0) {
    used--;
  }
  cJSON *timeline = ok ? cJSON_AddObjectToObject(section, "timeline") : NULL;
  ok = timeline != NULL &&
       cJSON_AddNumberToObject(timeline, "bucket_records", (double)report->timeline_width);
  cJSON *means = ok ? cJSON_AddArrayToObject(timeline, "means") : NULL;
  ok = means != NULL;
  for (size_t i = 0; ok && i < used; i++) {
    double bucket_mean = report->timeline_counts[i]
                             ? report->timeline_sums[i] / (double)report->timeline_counts[i]
                             : 0;
    ok = cJSON_AddItemToArray(means, cJSON_CreateNumber(sx_round4(bucket_mean)));
  }
  ok = ok && sx_attach(timeline, "counts", sx_counts_json(report->timeline_counts, used));
  if (report->time_field != NULL)
    ok = ok && sx_attach(section, "time_timeline",
                         sx_time_line_report(&report->time, report->time_field));
  ok = ok && sx_attach(section, "most_positive",
                       sx_ranked_json(report->positive, report->positive_count));
  ok = ok && sx_attach(section, "most_negative",
                       sx_ranked_json(report->negative, report->negative_count));
  return ok ? 0 : -1;
}

/* ---- Export and import ------------------------------------------------------------------ */

static cJSON *sx_ranked_export(const sx_ranked *list, size_t count) {
  cJSON *array = cJSON_CreateArray();
  for (size_t i = 0; array != NULL && i < count; i++) {
    cJSON *item = cJSON_CreateObject();
    if (item == NULL || !cJSON_AddNumberToObject(item, "compound", list[i].compound) ||
        !cJSON_AddNumberToObject(item, "line", (double)list[i].line) ||
        !cJSON_AddStringToObject(item, "id", list[i].id) ||
        !cJSON_AddStringToObject(item, "text", list[i].text) ||
        !cJSON_AddItemToArray(array, item)) {
      cJSON_Delete(item);
      cJSON_Delete(array);
      return NULL;
    }
  }
  return array;
}

cJSON *sx_report_export(const sx_report *report) {
  cJSON *data = cJSON_CreateObject();
  cJSON *median = cJSON_CreateArray();
  cJSON *sums = cJSON_CreateArray();
  int ok = data && median && sums;
  for (size_t i = 0; ok && i < SX_REPORT_MEDIAN_BINS; i++) {
    if (report->median_bins[i] != 0) { /* sparse: [bin, count] pairs */
      cJSON *pair = cJSON_CreateArray();
      ok = pair && cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)i)) &&
           cJSON_AddItemToArray(pair, cJSON_CreateNumber((double)report->median_bins[i])) &&
           cJSON_AddItemToArray(median, pair);
    }
  }
  for (size_t i = 0; ok && i < SX_REPORT_TIMELINE; i++) {
    ok = cJSON_AddItemToArray(sums, cJSON_CreateNumber(report->timeline_sums[i]));
  }
  ok =
      ok && cJSON_AddNumberToObject(data, "records", (double)report->records) &&
      cJSON_AddNumberToObject(data, "compound_sum", report->compound_sum) &&
      cJSON_AddItemToObject(data, "labels", sx_counts_json(report->labels, 3)) &&
      cJSON_AddItemToObject(data, "histogram", sx_counts_json(report->histogram, SX_REPORT_BINS)) &&
      cJSON_AddItemToObject(data, "median_bins", median) &&
      cJSON_AddNumberToObject(data, "timeline_width", (double)report->timeline_width) &&
      cJSON_AddItemToObject(data, "timeline_sums", sums) &&
      cJSON_AddItemToObject(data, "timeline_counts",
                            sx_counts_json(report->timeline_counts, SX_REPORT_TIMELINE)) &&
      cJSON_AddNumberToObject(data, "top", (double)report->top) &&
      cJSON_AddItemToObject(data, "positive",
                            sx_ranked_export(report->positive, report->positive_count)) &&
      cJSON_AddItemToObject(data, "negative",
                            sx_ranked_export(report->negative, report->negative_count)) &&
      (report->time_field == NULL ||
       cJSON_AddItemToObject(data, "time", sx_time_line_export(&report->time)));
  if (!ok) {
    if (!cJSON_IsObject(data) || cJSON_GetObjectItem(data, "median_bins") == NULL) {
      cJSON_Delete(median);
    }
    if (!cJSON_IsObject(data) || cJSON_GetObjectItem(data, "timeline_sums") == NULL) {
      cJSON_Delete(sums);
    }
    cJSON_Delete(data);
    return NULL;
  }
  return data;
}

/* Reads `count` non-negative numbers from data[key] into `out` (as uint64 or double). */
static int sx_import_numbers(const cJSON *data, const char *key, size_t count, uint64_t *counts,
                             double *values) {
  const cJSON *array = cJSON_GetObjectItemCaseSensitive(data, key);
  if (!cJSON_IsArray(array) || (size_t)cJSON_GetArraySize(array) != count) {
    return -1;
  }
  size_t i = 0;
  const cJSON *item = NULL;
  cJSON_ArrayForEach(item, array) {
    if (!cJSON_IsNumber(item) || (counts && item->valuedouble < 0)) {
      return -1;
    }
    if (counts) {
      counts[i++] = (uint64_t)item->valuedouble;
    } else {
      values[i++] = item->valuedouble;
    }
  }
  return 0;
}

static int sx_import_ranked(const cJSON *data, const char *key, sx_ranked *list, size_t *count,
                            size_t top) {
  const cJSON *array = cJSON_GetObjectItemCaseSensitive(data, key);
  if (!cJSON_IsArray(array) || (size_t)cJSON_GetArraySize(array) > top) {
    return -1;
  }
  const cJSON *item = NULL;
  *count = 0;
  cJSON_ArrayForEach(item, array) {
    const cJSON *compound = cJSON_GetObjectItemCaseSensitive(item, "compound");
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(item, "line");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
    if (!cJSON_IsNumber(compound) || !cJSON_IsNumber(line) || !cJSON_IsString(id)) {
      return -1;
    }
    sx_ranked *ranked = &list[(*count)++];
    ranked->compound = compound->valuedouble;
    ranked->line = (uint64_t)line->valuedouble;
    snprintf(ranked->id, sizeof ranked->id, "%s", id->valuestring);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(item, "text"); /* optional */
    ranked->text[0] = '\0';
    if (cJSON_IsString(text))
      sx_copy_text(ranked->text, text->valuestring, strlen(text->valuestring));
  }
  return 0;
}

int sx_report_import(sx_report *report, const cJSON *data, char *err, size_t err_size) {
  const cJSON *records = cJSON_GetObjectItemCaseSensitive(data, "records");
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(data, "compound_sum");
  const cJSON *width = cJSON_GetObjectItemCaseSensitive(data, "timeline_width");
  const cJSON *top = cJSON_GetObjectItemCaseSensitive(data, "top");
  const cJSON *median = cJSON_GetObjectItemCaseSensitive(data, "median_bins");
  if (!cJSON_IsNumber(records) || !cJSON_IsNumber(sum) || !cJSON_IsNumber(width) ||
      width->valuedouble < 1 || !cJSON_IsNumber(top) || top->valuedouble < 0 ||
      top->valuedouble > SX_REPORT_MAX_TOP || !cJSON_IsArray(median)) {
    snprintf(err, err_size,
             "sentiment partial: missing or bad records/compound_sum/"
             "timeline_width/top/median_bins");
    return -1;
  }
  sx_report_init(report, (size_t)top->valuedouble);
  report->records = (uint64_t)records->valuedouble;
  report->compound_sum = sum->valuedouble;
  report->timeline_width = (uint64_t)width->valuedouble;
  const cJSON *pair = NULL;
  cJSON_ArrayForEach(pair, median) {
    const cJSON *bin = cJSON_GetArrayItem(pair, 0), *count = cJSON_GetArrayItem(pair, 1);
    if (!cJSON_IsNumber(bin) || !cJSON_IsNumber(count) || bin->valuedouble < 0 ||
        bin->valuedouble >= SX_REPORT_MEDIAN_BINS || count->valuedouble < 0) {
      snprintf(err, err_size, "sentiment partial: bad median_bins pair");
      return -1;
    }
    report->median_bins[(size_t)bin->valuedouble] = (uint64_t)count->valuedouble;
  }
  if (sx_import_numbers(data, "labels", 3, report->labels, NULL) != 0 ||
      sx_import_numbers(data, "histogram", SX_REPORT_BINS, report->histogram, NULL) != 0 ||
      sx_import_numbers(data, "timeline_sums", SX_REPORT_TIMELINE, NULL, report->timeline_sums) !=
          0 ||
      sx_import_numbers(data, "timeline_counts", SX_REPORT_TIMELINE, report->timeline_counts,
                        NULL) != 0 ||
      sx_import_ranked(data, "positive", report->positive, &report->positive_count, report->top) !=
          0 ||
      sx_import_ranked(data, "negative", report->negative, &report->negative_count, report->top) !=
          0) {
    snprintf(err, err_size, "sentiment partial: bad labels/histogram/timeline/positive/negative");
    return -1;
  }
  const cJSON *time = cJSON_GetObjectItemCaseSensitive(data, "time");
  if (time != NULL && sx_time_line_import(&report->time, time, err, err_size) != 0)
    return -1;
  return 0;
}
