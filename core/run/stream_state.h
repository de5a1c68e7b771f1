/* core/run/stream_state.h - the state of one `textpipe run` (stream.h), shared by the files
 * that make it up: stream.c (reading, batches, writing, the run itself), stream_checkpoint.c
 * (broker checkpoints) and stream_end.c (stopping, the end, the merge into the report).
 * Internal to them. */
#ifndef TP_CORE_STREAM_STATE_H
#define TP_CORE_STREAM_STATE_H

#include <stdint.h>

#include <uv.h>

#include "pipeline.h"
#include "progress.h"
#include "runner.h"
#include "sink.h"
#include "source.h"
#include "stop.h"
#include "stream.h"

#define TP_MAX_IN_FLIGHT_BYTES (16u * 1024 * 1024)

/* An exactly-once sink holding this much staged output asks for a checkpoint at once. */
#define TP_MAX_STAGED_BYTES (32u * 1024 * 1024)

/* A pipe that brings no new byte for this long is idle: the partial batch goes out (on_idle). */
#define TP_IDLE_FLUSH_MS 200

typedef struct tp_stream {
  uv_loop_t loop;
  const tp_pipeline *pipeline;
  const tp_stream_options *options;
  const char *input_name;
  uint64_t max_record_bytes;
  tp_source *source;
  tp_sink *sink;
  tp_runner *runner;
  tp_stream_result *result;
  tp_position *acknowledged;         /* the positions of the batch being acknowledged */
  tp_batch *current;                 /* being filled */
  tp_batch *queue_head, *queue_tail; /* ready, waiting for the writer */
  size_t max_batches;
  tp_stop stop; /* SIGINT/SIGTERM (stop.c) */
  uv_check_t flush;
  uv_timer_t idle;             /* pipe input: fires TP_IDLE_FLUSH_MS after the last byte read */
  uv_timer_t checkpoint_timer; /* broker sources: asks for a checkpoint every checkpoint_ms */
  int checkpoint_wanted;       /* a checkpoint waits for what is in flight to be stored */
  uint64_t unconfirmed;        /* records acknowledged since the last checkpoint */
  int last_checkpoint_due;     /* the end: checkpoint from the merged partials (finish_run) */
  uv_thread_t last_checkpoint_thread; /* exports, builds and hands it as the stages finish */
  int last_checkpoint_threaded;       /* that thread was started (joined in finish_run) */
  cJSON **last_checkpoint_exports;    /* what it is built from, lent to that thread */
  const tp_stage_stats *last_checkpoint_stats;
  uv_mutex_t exported_lock;    /* guards exported_stages */
  uv_cond_t exported_changed;  /* signalled as exported_stages grows */
  size_t exported_stages;      /* merged partials exported so far, in stage order */
  int export_failed;           /* one could not be: no last checkpoint, the run fails */
  uint64_t worker_checkpoints; /* checkpoints made of every worker's partial (mid-run ones) */
  uint64_t start_time;         /* uv_hrtime() at the start */
  int idle_flush;              /* pipe input with several workers: the idle timer is in use */
  uint64_t idle_bytes;         /* input bytes framed when the idle timer was last (re)started */
  int interactive;             /* tty input: one record per batch */
  int input_done, stopping, output_failed, failed, done;
  int cut;              /* on_error "stop" fired: later batches are dropped uncounted */
  int abandoned;        /* hard stop: nothing more is waited for (stop_at_once) */
  size_t busy_workers;  /* abandoned: workers still inside a batch, never joined */
  uint64_t records_cut; /* on_error "stop": records read but dropped uncounted */
  tp_run_counts counts;
  int csv_header_set;    /* CSV input: the runner has the columns */
  uint64_t records_read; /* for the progress line */
  tp_progress *progress; /* the live line on a terminal, or NULL */
} tp_stream;

/* stream.c */
/* Whether reading must wait: the in-flight bound (batches or bytes) is reached. */
int tp__stream_at_bound(const tp_stream *stream);
/* Sends the batch being filled to the workers, if it holds anything. */
void tp__stream_submit_current(tp_stream *stream);
/* Whether everything read is stored: nothing in flight, queued, or being filled. */
int tp__stream_all_stored(const tp_stream *stream);

/* stream_checkpoint.c */
/* A checkpoint was asked for: takes it once everything read is stored, then reads on. */
void tp__stream_try_checkpoint(tp_stream *stream);
/* Every checkpoint_ms, and when the staged output is large: asks for a checkpoint. */
void tp__stream_on_checkpoint_timer(uv_timer_t *handle);
/* The broker source has nothing new: checkpoints now what was acknowledged, if anything. */
void tp__stream_on_source_idle(void *context);
/* The last checkpoint, from the merged partials the report is made of (after
 * tp_runner_merge, unexported): on a thread of its own, each stage's partial is exported into
 * `*exports` (kept by the caller) in stage order, then the checkpoint is built with the
 * summed `stats`, printed and handed to the source, while this thread runs the stages'
 * finish() through tp__stream_export_gate, which holds each stage until its partial is
 * exported (all of it on this thread when no thread can be started). Until
 * tp__stream_checkpoint_last_join returns, the caller touches neither *exports, nor stats,
 * nor the source, the sink or the counts. */
void tp__stream_checkpoint_last_start(tp_stream *stream, cJSON **exports,
                                      const tp_stage_stats *stats);
/* The gate for tp_runner_finish_merged: context is the stream. */
tp_finish_gate tp__stream_export_gate(tp_stream *stream);
/* Waits for the last checkpoint to be handed to the source (not for Redis to store it: the
 * source's own thread sends it, and closing the source waits for that). Returns 0, or -1 when
 * a partial could not be exported (logged; no checkpoint was made). */
int tp__stream_checkpoint_last_join(tp_stream *stream);

/* stream_end.c */
/* Stops reading for good; what was read still runs to the end. */
void tp__stream_request_stop(tp_stream *stream);
/* Ends the loop once everything read is stored after the input ended or a stop. */
void tp__stream_check_done(tp_stream *stream);
/* The first SIGINT/SIGTERM, and a second one or the stop deadline (stop.c). */
void tp__stream_stop_gently(void *context);
void tp__stream_stop_at_once(void *context);
/* After a hard stop: every record read and not yet accounted for is counted unfinished. */
void tp__stream_count_unfinished(tp_stream *stream);
/* The end of the run: merge and finish() into the result (and the last checkpoint).
 * Returns 0 or -1. */
int tp__stream_finish_run(tp_stream *stream);

#endif /* TP_CORE_STREAM_STATE_H */
