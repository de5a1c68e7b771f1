/* sentiment_timeline.h - mean sentiment over a time field of the records (internal to the
 * plugin).
 *
 * When the input has a time field ("time_field" option), the report shows sentiment over time
 * as well as along the input order. An sx_time_line holds at most SX_TIME_BUCKETS buckets of
 * equal width in seconds; the width climbs a ladder of calendar-friendly steps (1 s, 5 s,
 * 15 s, 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 1 day, 7 days, 28 days, ...), each a whole
 * multiple of the one before, as the span of the times seen grows, so memory stays fixed and
 * any two lines can be brought to the same width and added (worker partials merge).
 * Buckets are aligned on multiples of the width since 1970-01-01T00:00:00Z.
 */
#ifndef TP_SENTIMENT_TIMELINE_H
#define TP_SENTIMENT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define SX_TIME_BUCKETS 120

typedef struct sx_time_line {
  int64_t width; /* seconds per bucket, a ladder step; 0 until a time is added */
  int64_t first; /* the first bucket's start time divided by width */
  size_t used;   /* buckets from the first to the last that holds a record */
  double sums[SX_TIME_BUCKETS];
  uint64_t counts[SX_TIME_BUCKETS];
  uint64_t untimed; /* records whose time field was missing or unreadable */
} sx_time_line;

/* Reads a time: a number of seconds since 1970-01-01T00:00:00Z (milliseconds when its size says
 * so: beyond 10^11), the same as a string of digits, or an ISO 8601 / RFC 3339 string:
 * "2024-05-01", "2024-05-01T14:30", "2024-05-01 14:30:05.250Z", "2024-05-01T14:30:05+02:00".
 * Times without a zone are taken as UTC. Returns 0 and sets *seconds, or -1 when `value` is
 * not a time. */
int sx_time_parse(const cJSON *value, int64_t *seconds);

/* Adds `count` records whose compounds sum to `sum` at time `seconds`. */
void sx_time_line_add(sx_time_line *line, int64_t seconds, double sum, uint64_t count);

/* Adds `from` into `into` (both may be empty). */
void sx_time_line_merge(sx_time_line *into, const sx_time_line *from);

/* The report's "time_timeline": {"field", "bucket_seconds", "start", "end", "means" (null for
 * an empty bucket), "counts", "untimed"}; "start"/"end" are UTC RFC 3339 times of the first
 * bucket's start and the last bucket's end. Returns NULL on OOM. */
cJSON *sx_time_line_report(const sx_time_line *line, const char *field);

/* The line as JSON for partial export, and back. Import returns 0, or -1 with a message. */
cJSON *sx_time_line_export(const sx_time_line *line);
int sx_time_line_import(sx_time_line *line, const cJSON *data, char *err, size_t err_size);

/* Formats `seconds` as "YYYY-MM-DDTHH:MM:SSZ" into `out` (at least 32 bytes). */
void sx_time_format(int64_t seconds, char *out, size_t size);

#endif /* TP_SENTIMENT_TIMELINE_H */
