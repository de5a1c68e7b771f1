/* core/report/report.h - the end-of-stream report (docs/report-format.md) and the summary line.
 *
 * The run and the harness both fill a tp_run_counts and per-stage stats; tp_report_build turns
 * them and the stages' sections into the report object, with keys in the documented order.
 */
#ifndef TP_CORE_REPORT_H
#define TP_CORE_REPORT_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "pipeline.h"
#include "stages.h"

typedef struct tp_run_counts {
  uint64_t in, out, dropped, dead_letter, skipped_empty;
  uint64_t not_written; /* processed, but lost to an output failure (the run then exits 3) */
  uint64_t dead_letter_not_written; /* dead-letters the --dead-letter file did not take */
  uint64_t unfinished; /* read, but not finished when a second signal or the stop deadline
                        * stopped the run at once */
  uint64_t bytes;      /* input bytes read */
} tp_run_counts;

/* Builds the report. `source` is "stdin" or the input path; `stats` has stage_count entries;
 * `sections` (may be NULL: empty) is taken over by the report in all cases. Returns a new
 * object the caller frees with cJSON_Delete, or NULL on OOM. */
cJSON *tp_report_build(const tp_pipeline *pipeline, const char *source, const tp_run_counts *counts,
                       size_t workers, double seconds, const tp_stage_stats *stats,
                       cJSON *sections);

/* Writes `report` (pretty-printed, with a final newline) to `path`. Returns 0, or -1 with a
 * message naming the path in err. */
int tp_report_write(const cJSON *report, const char *path, tp_error *err);

/* Writes `json` (pretty or compact, with a final newline) to `path`; messages call it `what`
 * ("<path>: cannot write the <what>: <reason>"). Returns 0, or -1 with err. */
int tp_json_write_file(const cJSON *json, int pretty, const char *path, const char *what,
                       tp_error *err);

/* Writes `report` as HTML or JSON: `format` "html"/"json", or NULL for html when `path` ends
 * in .html (report_html.c). Returns 0, or -1 with err. */
int tp_report_save(const cJSON *report, const char *path, const char *format, tp_error *err);

/* Opens `path` for appending (creating it when missing) and closes it again, so that a report
 * that cannot be written is found before a stream or a render runs, not after. Returns 0, or
 * -1 with "<path>: cannot open for writing: <reason>" in err. */
int tp_report_check_writable(const char *path, tp_error *err);

/* Formats the one-line summary "summary: in N, out N, dropped N, dead-letter N, skipped N;
 * T s, R MB/s" (without the "textpipe: " prefix) into `line`. */
void tp_report_summary(const tp_run_counts *counts, double seconds, char *line, size_t size);

#endif /* TP_CORE_REPORT_H */
