/* sentiment_report.h - the sentiment plugin's stream statistics (internal to the plugin).
 *
 * One sx_report per worker collects what the end-of-stream report needs, in memory that does
 * not grow with the input: the count and sum of compounds, label counts, a 20-bin histogram, a
 * 2000-bin histogram for the median (exact to 0.001), a timeline of at most 128 buckets over
 * input line numbers (the bucket width doubles as lines grow, so any two reports can be
 * brought to the same width and added), the same over a time field of the records when one is
 * configured (sentiment_timeline.h), and the few most positive and most negative records.
 * Reports merge (worker order does not change the result), and convert to JSON and back so
 * reports of separate processes merge the same way.
 */
#ifndef TP_SENTIMENT_REPORT_H
#define TP_SENTIMENT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sentiment_timeline.h"

#define SX_REPORT_BINS        20
#define SX_REPORT_MEDIAN_BINS 2000
#define SX_REPORT_TIMELINE    128
#define SX_REPORT_MAX_TOP     100
#define SX_REPORT_ID_BYTES    64
#define SX_REPORT_TEXT_BYTES  320 /* the start of a listed record's text, for the report */

typedef enum sx_label {
  SX_LABEL_NEGATIVE = 0,
  SX_LABEL_NEUTRAL = 1,
  SX_LABEL_POSITIVE = 2
} sx_label;

/* One record of a most-positive/most-negative list. `id` is the record's id as JSON text
 * (a quoted string or a number), cut to fit; `text` the start of its text (UTF-8, cut on a
 * character boundary, "" when unknown). */
typedef struct sx_ranked {
  double compound;
  uint64_t line;
  char id[SX_REPORT_ID_BYTES];
  char text[SX_REPORT_TEXT_BYTES];
} sx_ranked;

typedef struct sx_report {
  uint64_t records;
  double compound_sum;
  uint64_t labels[3];                 /* by sx_label */
  uint64_t histogram[SX_REPORT_BINS]; /* -1..1 */
  uint64_t median_bins[SX_REPORT_MEDIAN_BINS];
  uint64_t timeline_width; /* input lines per timeline bucket, a power of 2 */
  double timeline_sums[SX_REPORT_TIMELINE];
  uint64_t timeline_counts[SX_REPORT_TIMELINE];
  size_t top; /* list length wanted, <= SX_REPORT_MAX_TOP */
  size_t positive_count, negative_count;
  sx_ranked positive[SX_REPORT_MAX_TOP]; /* best first */
  sx_ranked negative[SX_REPORT_MAX_TOP]; /* worst first */
  const char *time_field; /* the "time_field" option (not owned), or NULL: no time line */
  sx_time_line time;      /* sentiment over time_field, when it is set */
} sx_report;

/* Resets `report` to empty, keeping lists of `top` records (clamped to SX_REPORT_MAX_TOP). */
void sx_report_init(sx_report *report, size_t top);

/* Whether a record with this compound would enter either list (so the caller can skip
 * formatting its id otherwise). */
int sx_report_wants_id(const sx_report *report, double compound);

/* Adds one record: its compound, label, 1-based input line and id text (NULL when the caller
 * skipped it because sx_report_wants_id() said no; the line number is used if it is needed). */
void sx_report_add(sx_report *report, double compound, sx_label label, uint64_t line,
                   const char *id);

/* The same, keeping the start of the record's text (`length` bytes of valid UTF-8) when the
 * record enters a list, so the report can quote it. */
void sx_report_add_quoted(sx_report *report, double compound, sx_label label, uint64_t line,
                          const char *id, const char *text, size_t length);

/* Adds `from` into `into`. */
void sx_report_merge(sx_report *into, const sx_report *from);

/* Writes the report section (docs/report-format.md "sentiment") into `section`.
 * Returns 0, or -1 on OOM. */
int sx_report_write(const sx_report *report, cJSON *section);

/* Adds the section's "blocks" (docs/report-format.md): tiles, histogram, timelines and the
 * listed records as quotes, read from the members sx_report_write() wrote and from `report`
 * (sentiment_blocks.c). Returns 0, or -1 on OOM. */
int sx_report_blocks(const sx_report *report, cJSON *section);

/* Returns the report as a new JSON value (caller deletes it), or NULL on OOM. */
cJSON *sx_report_export(const sx_report *report);

/* Fills `report` from sx_report_export() output. Returns 0, or -1 with a message in err. */
int sx_report_import(sx_report *report, const cJSON *data, char *err, size_t err_size);

#endif /* TP_SENTIMENT_REPORT_H */
