/* core/run/stream_end.c - how a run ends (stream.h): the input ends or a stop is asked, and
 * once everything read is stored the loop stops; a hard stop (second signal, stop deadline)
 * abandons what is in flight and counts it unfinished; then every worker's partials are merged
 * and finished into the report's sections, and a broker source gets its last checkpoint from
 * the same merge. */
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "stream_state.h"

/* Stops reading for good; what was read still runs to the end. */
void tp__stream_request_stop(tp_stream *stream) {
  if (stream->stopping)
    return;
  stream->stopping = 1;
  tp_source_stop(stream->source);
  tp__stream_submit_current(stream);
  tp__stream_check_done(stream);
}

void tp__stream_check_done(tp_stream *stream) {
  if (stream->done || !(stream->input_done || stream->stopping))
    return;
  if (tp_runner_in_flight(stream->runner) > 0 ||
      (stream->current != NULL && stream->current->item_count > 0))
    return;
  /* Everything read is stored: the last checkpoint comes once the partials are merged
   * (tp__stream_finish_run). With nothing new to acknowledge, it still replaces a mid-run one
   * made of several workers' partials: the run's state is then kept merged, smaller. */
  if (stream->source->ops->checkpoint != NULL && !stream->cut &&
      (stream->unconfirmed > 0 ||
       (stream->worker_checkpoints > 0 && tp_runner_workers(stream->runner) > 1)))
    stream->last_checkpoint_due = 1;
  stream->done = 1;
  uv_stop(&stream->loop);
}

/* A stop that cannot wait for a broker that is away: the sink gives up its write in flight
 * and the source its last checkpoint, so their entries stay pending (nothing is lost;
 * whoever reads them next processes them) and the run ends counting them not written. */
static void abandon_endpoints(tp_stream *stream) {
  if (stream->sink->ops->abandon != NULL)
    stream->sink->ops->abandon(stream->sink);
  if (stream->source->ops->abandon != NULL)
    stream->source->ops->abandon(stream->source);
}

/* The first SIGINT/SIGTERM (stop.c): stop reading, finish what was read. */
void tp__stream_stop_gently(void *context) {
  tp__stream_request_stop(context);
}

/* A second signal or the stop deadline: the loop stops now, workers take no further batch. */
void tp__stream_stop_at_once(void *context) {
  tp_stream *stream = context;
  stream->abandoned = 1;
  abandon_endpoints(stream);
  stream->busy_workers = tp_runner_abandon(stream->runner);
  stream->done = 1;
  uv_stop(&stream->loop);
}

/* After a hard stop: every record read and not yet accounted for is counted as unfinished. */
void tp__stream_count_unfinished(tp_stream *stream) {
  uint64_t accounted = stream->counts.in + stream->records_cut;
  stream->counts.unfinished =
      stream->records_read > accounted ? stream->records_read - accounted : 0;
  stream->counts.in += stream->counts.unfinished;
}

/* End of the run: merge and finish() per stage into the result's sections (and the merged
 * partials exported, when asked or for the last checkpoint, which is built from them). Every
 * stage's partials are merged before any finish(); with a last checkpoint due, its thread
 * exports them stage by stage (each stage's finish() waits for its own export only), builds,
 * prints and hands the checkpoint to the source while the stages finish (the theme's
 * clustering). It holds the merged state as it was before finish(), and it goes out even
 * when a finish() fails (the records were written; the report of a later run or merge counts
 * them). Returns 0 or -1. */
int tp__stream_finish_run(tp_stream *stream) {
  const tp_pipeline *pipeline = stream->pipeline;
  tp_stream_result *result = stream->result;
  tp_error err = {{0}};
  int exporting = stream->options->export_partials || stream->last_checkpoint_due;
  result->sections = cJSON_CreateObject();
  result->stats = calloc(pipeline->stage_count + 1, sizeof *result->stats);
  if (exporting)
    result->partials = cJSON_CreateObject();
  if (stream->abandoned && stream->busy_workers > 0)
    return 0; /* a stage is still busy: its partials are in use, the report has counts only */
  if (result->sections == NULL || result->stats == NULL ||
      (exporting && result->partials == NULL) ||
      tp_runner_merge(stream->runner, stream->last_checkpoint_due ? NULL : result->partials,
                      result->stats, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message[0] ? err.message : "out of memory");
    if (stream->last_checkpoint_due)
      tp_log(TP_LOG_ERROR, NULL, "%s: no last checkpoint: its entries stay pending",
             stream->input_name);
    return -1;
  }
  tp_finish_gate gate = tp__stream_export_gate(stream);
  if (stream->last_checkpoint_due)
    tp__stream_checkpoint_last_start(stream, &result->partials, result->stats);
  int status = tp_runner_finish_merged(stream->runner, result->sections,
                                       stream->last_checkpoint_due ? &gate : NULL, &err);
  if (status != 0)
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message[0] ? err.message : "out of memory");
  if (stream->last_checkpoint_due && tp__stream_checkpoint_last_join(stream) != 0)
    status = -1;
  if (!stream->options->export_partials) {
    cJSON_Delete(result->partials); /* only made for the checkpoint (its thread freed them) */
    result->partials = NULL;
  }
  return status;
}
