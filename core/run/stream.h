/* core/run/stream.h - one `textpipe run`: reader -> runner -> writer on a libuv loop.
 *
 * The stream owns the loop and the glue: it frames input lines into batches, bounds what is
 * in flight (reading pauses at the bound), writes ready batches in order, dead-letters bad
 * records, handles SIGINT/SIGTERM and EPIPE, and at the end writes the report and the summary.
 */
#ifndef TP_CORE_STREAM_H
#define TP_CORE_STREAM_H

#include <stdint.h>

#include "pipeline.h"

typedef struct tp_stream_options {
  const char *input_path;       /* NULL: stdin */
  const char *output_path;      /* NULL: stdout */
  const char *report_path;      /* NULL: no report file */
  const char *report_format;    /* "json", "html"; NULL: html when report_path ends in .html */
  const char *dead_letter_path; /* NULL: dead-letters only logged */
  size_t workers;               /* 0: one per core */
  uint64_t max_record_bytes;    /* 0: the pipeline's limit */
  int quiet;                    /* no summary line */
  double stop_timeout;          /* seconds from a first SIGINT/SIGTERM to stopping at once;
                                 * 0: TP_STOP_TIMEOUT_DEFAULT (stop.h) */
} tp_stream_options;

/* Runs `pipeline` (owned by the caller) over the input. Returns the exit status (commands.h):
 * 0, 1 (some dead-lettered), 3 (runtime failure), 130/143 (interrupted). */
int tp_stream_run(const tp_pipeline *pipeline, const tp_stream_options *options);

#endif /* TP_CORE_STREAM_H */
