/* core/run/stream_checkpoint.c - a run's checkpoints for a broker source (checkpoint.h): every
 * source->checkpoint_ms, when the source goes quiet, or when an exactly-once sink holds
 * TP_MAX_STAGED_BYTES of staged output, the stream stops taking records, lets everything in
 * flight be stored, then hands the source its state (counts and every worker's partial) with
 * the acknowledgements it covers and the staged output, and reads on. The last one, at the
 * end, is built from the partials the run merged for its report (stream_end.c), on a thread
 * of its own while the stages finish. So a checkpoint never counts a record whose entry is not
 * acknowledged with it. */
#include <stdio.h>

#include "checkpoint.h"
#include "log.h"
#include "stream_state.h"

/* An exactly-once sink's output staged since the last checkpoint (NULL: none, or not such a
 * sink): it goes into the checkpoint's transaction. */
static void *take_staged(tp_stream *stream) {
  return stream->sink->ops->take_staged != NULL ? stream->sink->ops->take_staged(stream->sink)
                                                : NULL;
}

/* Hands the source `state` (NULL: it could not be built, err says why) with the staged output
 * and the acknowledgements since the last checkpoint. */
static void checkpoint_hand(tp_stream *stream, char *state, const tp_error *err) {
  char message[TP_ERROR_SIZE];
  stream->unconfirmed = 0;
  if (state == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err->message);
  } else if (stream->source->ops->checkpoint(stream->source, state, take_staged(stream), message,
                                             sizeof message) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", message);
  }
}

static double run_seconds(const tp_stream *stream) {
  return (double)(uv_hrtime() - stream->start_time) / 1e9;
}

/* Hands the source a checkpoint of what is stored so far (nothing may be in flight): every
 * worker's partial, as they go on. */
static void checkpoint_now(tp_stream *stream) {
  tp_error err = {{0}};
  stream->counts.bytes = tp_source_counters_get(stream->source).bytes;
  char *state = tp_checkpoint_build(stream->pipeline, stream->runner, stream->input_name,
                                    &stream->counts, run_seconds(stream), &err);
  checkpoint_hand(stream, state, &err);
  stream->worker_checkpoints++;
}

/* The last checkpoint, after the run merged its workers' partials for the report: built from
 * those, so the report and the checkpoint come from one merge. Runs on its own thread
 * (checkpoint_last_main) while the stages finish: it exports the merged partials in stage
 * order, telling the loop thread after each (wait_exported holds a stage's finish(), which
 * may change its partial, until then), and the exports are then a tree of their own. */
static void checkpoint_last(tp_stream *stream) {
  tp_error err = {{0}};
  const tp_pipeline *pipeline = stream->pipeline;
  void **merged = tp_runner_merged(stream->runner);
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    int failed = tp_stage_export(&pipeline->stages[s], merged[s], *stream->last_checkpoint_exports,
                                 &err) != 0;
    uv_mutex_lock(&stream->exported_lock);
    stream->exported_stages = failed ? pipeline->stage_count : s + 1;
    stream->export_failed = failed;
    uv_cond_signal(&stream->exported_changed);
    uv_mutex_unlock(&stream->exported_lock);
    if (failed) {
      tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
      tp_log(TP_LOG_ERROR, NULL, "%s: no last checkpoint: its entries stay pending",
             stream->input_name);
      return;
    }
  }
  stream->counts.bytes = tp_source_counters_get(stream->source).bytes;
  char *state = tp_checkpoint_build_merged(
      stream->pipeline, stream->input_name, &stream->counts, tp_runner_workers(stream->runner),
      run_seconds(stream), stream->last_checkpoint_stats, stream->last_checkpoint_exports, &err);
  checkpoint_hand(stream, state, &err);
  if (!stream->options->export_partials) {
    /* made only for this checkpoint: freed here, while the stages finish, rather than on the
     * loop thread after them (tens of thousands of nodes) */
    cJSON_Delete(*stream->last_checkpoint_exports);
    *stream->last_checkpoint_exports = NULL;
  }
}

static void checkpoint_last_main(void *context) {
  checkpoint_last(context);
}

void tp__stream_checkpoint_last_start(tp_stream *stream, cJSON **exports,
                                      const tp_stage_stats *stats) {
  stream->last_checkpoint_exports = exports;
  stream->last_checkpoint_stats = stats;
  stream->exported_stages = 0;
  stream->export_failed = 0;
  stream->last_checkpoint_threaded = 0;
  if (uv_mutex_init(&stream->exported_lock) != 0) {
    checkpoint_last(stream); /* no lock to be had: here, before the stages finish */
    return;
  }
  if (uv_cond_init(&stream->exported_changed) == 0) {
    stream->last_checkpoint_threaded =
        uv_thread_create(&stream->last_checkpoint_thread, checkpoint_last_main, stream) == 0;
    if (!stream->last_checkpoint_threaded)
      uv_cond_destroy(&stream->exported_changed);
  }
  if (!stream->last_checkpoint_threaded) {
    uv_mutex_destroy(&stream->exported_lock);
    checkpoint_last(stream);
  }
}

/* Holds stage `stage`'s finish() until the last checkpoint's thread has exported its partial. */
static void wait_exported(void *context, size_t stage) {
  tp_stream *stream = context;
  if (!stream->last_checkpoint_threaded)
    return; /* exported before the stages finish, or nothing to wait for */
  uv_mutex_lock(&stream->exported_lock);
  while (stream->exported_stages <= stage)
    uv_cond_wait(&stream->exported_changed, &stream->exported_lock);
  uv_mutex_unlock(&stream->exported_lock);
}

tp_finish_gate tp__stream_export_gate(tp_stream *stream) {
  return (tp_finish_gate){wait_exported, stream};
}

int tp__stream_checkpoint_last_join(tp_stream *stream) {
  if (stream->last_checkpoint_threaded) {
    uv_thread_join(&stream->last_checkpoint_thread);
    uv_cond_destroy(&stream->exported_changed);
    uv_mutex_destroy(&stream->exported_lock);
  }
  stream->last_checkpoint_threaded = 0;
  return stream->export_failed ? -1 : 0;
}

/* A checkpoint was asked for: take it once everything read is stored, then read on. */
void tp__stream_try_checkpoint(tp_stream *stream) {
  if (!stream->checkpoint_wanted || !tp__stream_all_stored(stream) || stream->done)
    return;
  stream->checkpoint_wanted = 0;
  checkpoint_now(stream);
  if (tp_source_paused(stream->source) && !tp__stream_at_bound(stream))
    tp_source_start(stream->source);
}

void tp__stream_on_checkpoint_timer(uv_timer_t *handle) {
  tp_stream *stream = handle->data;
  if (stream->stopping || stream->input_done || stream->done)
    return; /* the last checkpoint comes at the end */
  if (stream->unconfirmed == 0 && tp__stream_all_stored(stream))
    return; /* nothing new since the last one */
  stream->checkpoint_wanted = 1;
  tp__stream_submit_current(stream);
  tp__stream_try_checkpoint(stream);
}

/* The broker source has nothing new: checkpoint now what was acknowledged, if anything. */
void tp__stream_on_source_idle(void *context) {
  tp_stream *stream = context;
  if (stream->unconfirmed > 0 || !tp__stream_all_stored(stream)) /* a partial batch included */
    tp__stream_on_checkpoint_timer(&stream->checkpoint_timer);
}
