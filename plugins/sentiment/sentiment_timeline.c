/* sentiment_timeline.c - mean sentiment over a time field (see sentiment_timeline.h). */
#include "sentiment_timeline.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last second textpipe reads as a time: 9999-12-31T23:59:59Z (the largest ISO 8601 year),
 * and the same before 1970; beyond it a number is not a time. */
#define SX_TIME_LIMIT 253402300799LL

/* Bucket widths in seconds; each divides the next. Past the end the width grows 4 times. */
static const int64_t ladder[] = {1,     5,     15,    60,     300,     900,     3600,    10800,
                                 21600, 43200, 86400, 604800, 2419200, 7257600, 29030400};

static int64_t next_width(int64_t width) {
  for (size_t step = 0; step + 1 < sizeof ladder / sizeof ladder[0]; step++)
    if (ladder[step] == width)
      return ladder[step + 1];
  return width * 4;
}

/* Whether `width` is a step of the ladder (or of its 4-times continuation). */
static int is_ladder_width(double width) {
  int64_t step = ladder[0];
  while ((double)step < width && step < INT64_MAX / 8)
    step = next_width(step);
  return (double)step == width;
}

/* floor(a / b) for b > 0, also for negative a (times before 1970). */
static int64_t floor_divide(int64_t a, int64_t b) {
  int64_t quotient = a / b;
  return (a % b != 0 && a < 0) ? quotient - 1 : quotient;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). Years are counted from
 * March, so the leap day is the last day of its year and each 400-year era has 146097 days. */
static int64_t days_from_date(int64_t year, int month, int day) {
  if (month <= 2)
    year--;
  int64_t era = floor_divide(year, 400);
  int64_t year_of_era = year - era * 400; /* 0..399 */
  int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

/* The inverse of days_from_date(). */
static void date_from_days(int64_t days, int64_t *year, int *month, int *day) {
  days += 719468;
  int64_t era = floor_divide(days, 146097);
  int64_t day_of_era = days - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t month_index = (5 * day_of_year + 2) / 153; /* 0 = March */
  *day = (int)(day_of_year - (153 * month_index + 2) / 5 + 1);
  *month = (int)(month_index < 10 ? month_index + 3 : month_index - 9);
  *year = year_of_era + era * 400 + (*month <= 2);
}

static int is_leap(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Reads exactly `count` digits at *at, advancing it. Returns the value, or -1. */
static int digits(const char **at, int count) {
  int value = 0;
  for (int index = 0; index < count; index++) {
    if (!isdigit((unsigned char)(*at)[0]))
      return -1;
    value = value * 10 + (*at)[0] - '0';
    (*at)++;
  }
  return value;
}

/* An RFC 3339 / ISO 8601 date or date-time string (see sx_time_parse()). */
static int parse_iso(const char *text, int64_t *seconds) {
  const char *at = text;
  int year = digits(&at, 4);
  if (year < 0 || *at++ != '-')
    return -1;
  int month = digits(&at, 2);
  if (month < 1 || month > 12 || *at++ != '-')
    return -1;
  int day = digits(&at, 2);
  static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int last_day = month_days[month - 1] + (month == 2 && is_leap(year));
  if (day < 1 || day > last_day)
    return -1;
  int64_t total = days_from_date(year, month, day) * 86400;
  if (*at == 'T' || *at == 't' || (*at == ' ' && isdigit((unsigned char)at[1]))) {
    at++;
    int hour = digits(&at, 2);
    if (hour < 0 || hour > 23 || *at++ != ':')
      return -1;
    int minute = digits(&at, 2);
    if (minute < 0 || minute > 59)
      return -1;
    int second = 0;
    if (*at == ':') {
      at++;
      second = digits(&at, 2);
      if (second < 0 || second > 60)
        return -1;
      if (second == 60) /* a leap second counts as the one before */
        second = 59;
      if (*at == '.' || *at == ',') {
        at++;
        if (!isdigit((unsigned char)*at))
          return -1;
        while (isdigit((unsigned char)*at))
          at++;
      }
    }
    total += hour * 3600 + minute * 60 + second;
    if (*at == 'Z' || *at == 'z') {
      at++;
    } else if (*at == '+' || *at == '-') {
      int sign = *at++ == '+' ? 1 : -1;
      int zone_hours = digits(&at, 2);
      if (*at == ':')
        at++;
      int zone_minutes = digits(&at, 2);
      if (zone_hours < 0 || zone_hours > 23 || zone_minutes < 0 || zone_minutes > 59)
        return -1;
      total -= sign * (zone_hours * 3600 + zone_minutes * 60);
    }
  }
  if (*at != '\0')
    return -1;
  *seconds = total;
  return 0;
}

/* A count of seconds since the epoch, or milliseconds beyond 10^11 (the year 5138 in seconds;
 * 1973 in milliseconds). */
static int from_number(double value, int64_t *seconds) {
  if (!isfinite(value))
    return -1;
  if (fabs(value) > 1e11)
    value /= 1000;
  if (fabs(value) > (double)SX_TIME_LIMIT)
    return -1;
  *seconds = (int64_t)floor(value);
  return 0;
}

int sx_time_parse(const cJSON *value, int64_t *seconds) {
  if (cJSON_IsNumber(value))
    return from_number(value->valuedouble, seconds);
  const char *text = cJSON_GetStringValue(value);
  if (text == NULL || text[0] == '\0')
    return -1;
  const char *digit = text + (text[0] == '-');
  if (strspn(digit, "0123456789") == strlen(digit) && digit[0] != '\0' && strlen(digit) <= 16)
    return from_number(strtod(text, NULL), seconds);
  return parse_iso(text, seconds);
}

void sx_time_format(int64_t seconds, char *out, size_t size) {
  int64_t days = floor_divide(seconds, 86400), rest = seconds - days * 86400;
  int64_t year;
  int month, day;
  date_from_days(days, &year, &month, &day);
  snprintf(out, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
           (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60));
}

/* Re-buckets `line` at the next ladder width. */
static void widen(sx_time_line *line) {
  int64_t width = next_width(line->width);
  int64_t first = floor_divide(line->first * line->width, width);
  double sums[SX_TIME_BUCKETS] = {0};
  uint64_t counts[SX_TIME_BUCKETS] = {0};
  size_t used = 0;
  for (size_t index = 0; index < line->used; index++) {
    size_t to = (size_t)(floor_divide((line->first + (int64_t)index) * line->width, width) - first);
    sums[to] += line->sums[index];
    counts[to] += line->counts[index];
    used = to + 1;
  }
  memcpy(line->sums, sums, sizeof sums);
  memcpy(line->counts, counts, sizeof counts);
  line->width = width;
  line->first = first;
  line->used = line->used > 0 ? used : 0;
}

void sx_time_line_add(sx_time_line *line, int64_t seconds, double sum, uint64_t count) {
  if (line->width == 0)
    line->width = ladder[0];
  for (;;) {
    int64_t bucket = floor_divide(seconds, line->width);
    if (line->used == 0) {
      line->first = bucket;
      line->used = 1;
    }
    int64_t low = bucket < line->first ? bucket : line->first;
    int64_t last = line->first + (int64_t)line->used - 1;
    int64_t high = bucket > last ? bucket : last;
    if (high - low + 1 > SX_TIME_BUCKETS) {
      widen(line);
      continue;
    }
    if (bucket < line->first) { /* room before the first bucket */
      size_t shift = (size_t)(line->first - bucket);
      memmove(line->sums + shift, line->sums, line->used * sizeof line->sums[0]);
      memmove(line->counts + shift, line->counts, line->used * sizeof line->counts[0]);
      memset(line->sums, 0, shift * sizeof line->sums[0]);
      memset(line->counts, 0, shift * sizeof line->counts[0]);
      line->first = bucket;
      line->used += shift;
    }
    size_t index = (size_t)(bucket - line->first);
    if (index >= line->used)
      line->used = index + 1;
    line->sums[index] += sum;
    line->counts[index] += count;
    return;
  }
}

void sx_time_line_merge(sx_time_line *into, const sx_time_line *from) {
  into->untimed += from->untimed;
  if (from->used == 0)
    return;
  sx_time_line source = *from;
  if (into->width == 0)
    into->width = ladder[0];
  while (source.width < into->width)
    widen(&source);
  while (into->width < source.width)
    widen(into);
  for (size_t index = 0; index < source.used; index++)
    if (source.counts[index] > 0)
      sx_time_line_add(into, (source.first + (int64_t)index) * source.width, source.sums[index],
                       source.counts[index]);
}

cJSON *sx_time_line_report(const sx_time_line *line, const char *field) {
  cJSON *report = cJSON_CreateObject();
  cJSON *means = cJSON_CreateArray();
  cJSON *counts = cJSON_CreateArray();
  char start[32] = "", end[32] = "";
  if (line->used > 0) {
    sx_time_format(line->first * line->width, start, sizeof start);
    sx_time_format((line->first + (int64_t)line->used) * line->width, end, sizeof end);
  }
  int failed = report == NULL || means == NULL || counts == NULL;
  for (size_t index = 0; !failed && index < line->used; index++) {
    uint64_t count = line->counts[index];
    cJSON *mean = count > 0
                      ? cJSON_CreateNumber(round(line->sums[index] / (double)count * 1e4) / 1e4)
                      : cJSON_CreateNull();
    failed = mean == NULL || !cJSON_AddItemToArray(means, mean) ||
             !cJSON_AddItemToArray(counts, cJSON_CreateNumber((double)count));
  }
  if (failed || !cJSON_AddStringToObject(report, "field", field) ||
      !cJSON_AddNumberToObject(report, "bucket_seconds", (double)line->width) ||
      !(line->used > 0 ? cJSON_AddStringToObject(report, "start", start) != NULL
                       : cJSON_AddNullToObject(report, "start") != NULL) ||
      !(line->used > 0 ? cJSON_AddStringToObject(report, "end", end) != NULL
                       : cJSON_AddNullToObject(report, "end") != NULL) ||
      !cJSON_AddItemToObject(report, "means", means) ||
      (means = NULL, !cJSON_AddItemToObject(report, "counts", counts)) ||
      (counts = NULL, !cJSON_AddNumberToObject(report, "untimed", (double)line->untimed))) {
    cJSON_Delete(means);
    cJSON_Delete(counts);
    cJSON_Delete(report);
    return NULL;
  }
  return report;
}

cJSON *sx_time_line_export(const sx_time_line *line) {
  cJSON *data = cJSON_CreateObject();
  cJSON *sums = cJSON_CreateDoubleArray(line->sums, (int)line->used);
  cJSON *counts = cJSON_CreateArray();
  int failed = data == NULL || sums == NULL || counts == NULL;
  for (size_t index = 0; !failed && index < line->used; index++)
    failed = !cJSON_AddItemToArray(counts, cJSON_CreateNumber((double)line->counts[index]));
  if (failed || !cJSON_AddNumberToObject(data, "width", (double)line->width) ||
      !cJSON_AddNumberToObject(data, "first", (double)line->first) ||
      !cJSON_AddItemToObject(data, "sums", sums) ||
      (sums = NULL, !cJSON_AddItemToObject(data, "counts", counts)) ||
      (counts = NULL, !cJSON_AddNumberToObject(data, "untimed", (double)line->untimed))) {
    cJSON_Delete(sums);
    cJSON_Delete(counts);
    cJSON_Delete(data);
    return NULL;
  }
  return data;
}

int sx_time_line_import(sx_time_line *line, const cJSON *data, char *err, size_t err_size) {
  memset(line, 0, sizeof *line);
  const cJSON *width = cJSON_GetObjectItemCaseSensitive(data, "width");
  const cJSON *first = cJSON_GetObjectItemCaseSensitive(data, "first");
  const cJSON *sums = cJSON_GetObjectItemCaseSensitive(data, "sums");
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(data, "counts");
  const cJSON *untimed = cJSON_GetObjectItemCaseSensitive(data, "untimed");
  int used = cJSON_GetArraySize(sums);
  int valid_width =
      cJSON_IsNumber(width) && (width->valuedouble == 0 || is_ladder_width(width->valuedouble));
  if (!valid_width || !cJSON_IsNumber(first) || !cJSON_IsArray(sums) || !cJSON_IsArray(counts) ||
      cJSON_GetArraySize(counts) != used || used > SX_TIME_BUCKETS || !cJSON_IsNumber(untimed) ||
      untimed->valuedouble < 0 || (used > 0 && width->valuedouble == 0)) {
    snprintf(err, err_size, "time_timeline: malformed partial");
    return -1;
  }
  line->width = (int64_t)width->valuedouble;
  line->first = (int64_t)first->valuedouble;
  line->used = (size_t)used;
  line->untimed = (uint64_t)untimed->valuedouble;
  for (int index = 0; index < used; index++) {
    const cJSON *sum = cJSON_GetArrayItem(sums, index);
    const cJSON *count = cJSON_GetArrayItem(counts, index);
    if (!cJSON_IsNumber(sum) || !cJSON_IsNumber(count) || count->valuedouble < 0) {
      snprintf(err, err_size, "time_timeline: malformed partial");
      return -1;
    }
    line->sums[index] = sum->valuedouble;
    line->counts[index] = (uint64_t)count->valuedouble;
  }
  return 0;
}
