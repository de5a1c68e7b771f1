/* core/run/harness.h - run a pipeline synchronously, one record at a time, on the calling thread.
 *
 * For tests (plugin tests load the built .so files through the real loader and host with this)
 * and for embedding. It uses the same record, host, stage and report code as `textpipe run`,
 * with one worker; only the libuv stream around it is missing.
 */
#ifndef TP_CORE_HARNESS_H
#define TP_CORE_HARNESS_H

#include <cjson/cJSON.h>

#include "pipeline.h"

typedef struct tp_harness tp_harness;

typedef enum tp_harness_outcome {
  TP_HARNESS_OUT = 0,     /* the record came out enriched: *output is set */
  TP_HARNESS_DROPPED = 1, /* a stage dropped it */
  TP_HARNESS_DEAD = 2,    /* dead-lettered: err says where and why */
} tp_harness_outcome;

/* Loads the pipeline file at `pipeline_path` (with TEXTPIPE_PLUGIN_PATH from the environment)
 * and creates one partial per stage. Returns 0 and sets *out, or -1 with err filled. */
int tp_harness_open(const char *pipeline_path, tp_harness **out, tp_error *err);

/* Like tp_harness_open, for a pipeline the caller built or loaded itself (unit tests with
 * in-process descriptors). The harness borrows `pipeline`: the caller frees it after
 * tp_harness_close. Returns 0 and sets *out, or -1 with err filled. */
int tp_harness_open_pipeline(const tp_pipeline *pipeline, tp_harness **out, tp_error *err);

/* Runs one input line (one NDJSON object, or one text line for "lines" input) through every
 * stage. On TP_HARNESS_OUT, *output is the enriched record as a NUL-terminated JSON line
 * (no newline) that the caller frees with free(). Returns the outcome, or -1 on OOM. */
int tp_harness_process_line(tp_harness *harness, const char *line, char **output, tp_error *err);

/* Ends the stream: runs every stage's finish() and returns the whole report (same shape as
 * `--report`), owned by the caller (cJSON_Delete), or NULL with err filled. Call once. */
cJSON *tp_harness_finish(tp_harness *harness, tp_error *err);

/* Frees the harness and its pipeline. NULL is a no-op. */
void tp_harness_close(tp_harness *harness);

#endif /* TP_CORE_HARNESS_H */
