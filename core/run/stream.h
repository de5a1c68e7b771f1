/* core/run/stream.h - one `textpipe run`: source -> runner -> sink on a libuv loop.
 *
 * The stream owns the loop and the glue: it frames input records into batches, bounds what is
 * in flight (reading pauses at the bound), stores ready batches in order, dead-letters bad
 * records, acknowledges stored records to the source, and handles SIGINT/SIGTERM and EPIPE.
 * It returns what happened (tp_stream_result); the command maps that to an exit status and
 * writes the report and the summary (command_run.c).
 */
#ifndef TP_CORE_STREAM_H
#define TP_CORE_STREAM_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "pipeline.h"
#include "report.h"
#include "stages.h"

typedef struct tp_stream_options {
  const char *input_path;       /* NULL: stdin; or a source URL (source.h) */
  const char *output_path;      /* NULL: stdout; or a sink URL (sink.h) */
  const char *dead_letter_path; /* NULL: dead-letters only logged (file sinks) */
  size_t workers;               /* 0: one per core */
  uint64_t max_record_bytes;    /* 0: the pipeline's limit */
  uint64_t line_offset;         /* number input lines from line_offset + 1 */
  int quiet;                    /* no progress line */
  double stop_timeout;          /* seconds from a first SIGINT/SIGTERM to stopping at once;
                                 * 0: TP_STOP_TIMEOUT_DEFAULT (stop.h) */
  int export_partials;          /* fill result->partials (for --partial) */
} tp_stream_options;

/* What a run did. The caller frees it with tp_stream_result_free. */
typedef struct tp_stream_result {
  tp_run_counts counts;
  double seconds;
  size_t workers;
  char input_name[512];  /* "stdin", the path or the source URL */
  int cannot_open;       /* the input or output could not be opened (message logged) */
  int failed;            /* a runtime failure (message logged) */
  int output_failed;     /* the output failed (EPIPE, disk full; message logged) */
  int signal_number;     /* SIGINT or SIGTERM stopped the run, else 0 */
  int abandoned;         /* a second signal or the stop deadline stopped it at once; the
                          * records read but not finished are counts.unfinished */
  int exit_at_once;      /* abandoned with a stage still busy or a write that may never end:
                          * the caller writes the report and summary, then _exit()s */
  cJSON *sections;       /* every stage's finish() section, by stage id (NULL on failure) */
  cJSON *partials;       /* options->export_partials: each stage's merged partial_export() */
  tp_stage_stats *stats; /* stage_count entries (NULL on failure) */
} tp_stream_result;

/* Runs `pipeline` (owned by the caller) over the input into `result`. Returns 0 when the run
 * took place (see result's flags for how it went), -1 when it could not start (result->failed
 * or result->cannot_open set, message logged). Free the result either way. */
int tp_stream_run(const tp_pipeline *pipeline, const tp_stream_options *options,
                  tp_stream_result *result);

/* Frees what `result` holds (not the struct itself). */
void tp_stream_result_free(tp_stream_result *result);

#endif /* TP_CORE_STREAM_H */
