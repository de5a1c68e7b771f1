/* core/run/stream.c - one `textpipe run` on a libuv loop (stream.h).
 *
 * Data flow: source -> on_record (fills the current batch; submits full ones) -> runner workers
 * -> on_ready (in input order: dead-letters logged and added to the batch, batch queued for
 * the sink) -> sink -> on_written (counts, positions acknowledged to the source, batch back to
 * the pool, reading resumes below the bound).
 * A partial batch goes out early only at the end of input, on a terminal, with one worker, or
 * when a pipe input has been idle for TP_IDLE_FLUSH_MS (on_idle; docs/stream.md, "Live pipes").
 *
 * Checkpoints (broker sources): stream_checkpoint.c. The end of a run, gentle or hard stops,
 * and the merge into the report: stream_end.c. The state they share: stream_state.h.
 *
 * Accounting: a batch's dropped and dead-lettered records are counted when it comes back from
 * the workers, its output records when they are written. If the output fails (EPIPE, disk
 * full), records processed but never written are reported as such and left out of `in`, so
 * in = out + dropped + dead-letter holds for every run.
 *
 * Stopping (stop.c): the first SIGINT/SIGTERM stops reading and lets what was read finish; a
 * second one, or the stop deadline, abandons the run at once (tp__stream_stop_at_once): records
 * read but not finished are counted as `unfinished` (so the sum still holds), and when a stage is
 * still busy or a write may never return, the caller writes the report and exits without cleanup.
 */
#include "stream_state.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Whether everything read is stored: nothing in flight, queued, or being filled. */
int tp__stream_all_stored(const tp_stream *stream) {
  return tp_runner_in_flight(stream->runner) == 0 && stream->queue_head == NULL &&
         (stream->current == NULL || stream->current->item_count == 0);
}

int tp__stream_at_bound(const tp_stream *stream) {
  size_t in_flight = tp_runner_in_flight(stream->runner);
  return in_flight >= stream->max_batches ||
         (in_flight > 0 && tp_runner_in_flight_bytes(stream->runner) >= TP_MAX_IN_FLIGHT_BYTES);
}

void tp__stream_submit_current(tp_stream *stream) {
  if (stream->current == NULL || stream->current->item_count == 0)
    return;
  tp_runner_submit(stream->runner, stream->current);
  stream->current = NULL;
}

static int on_record(void *context, const char *bytes, size_t length, const tp_position *position,
                     uint64_t full_length) {
  tp_stream *stream = context;
  if (!stream->csv_header_set && stream->source->csv_header != NULL) {
    tp_runner_set_csv_header(stream->runner, stream->source->csv_header);
    stream->csv_header_set = 1;
  }
  stream->records_read++;
  if (stream->current == NULL &&
      (stream->current = tp_runner_batch_acquire(stream->runner)) == NULL)
    return -1;
  if (tp_batch_add_record(stream->current, bytes, length, position, full_length,
                          stream->max_record_bytes) != 0)
    return -1;
  if (stream->interactive || tp_batch_full(stream->current) || stream->checkpoint_wanted)
    tp__stream_submit_current(stream);
  return tp__stream_at_bound(stream) || stream->checkpoint_wanted ? 1 : 0;
}

static void on_input_end(void *context, int status, const char *message) {
  tp_stream *stream = context;
  if (status < 0) {
    if (message != NULL)
      tp_log(TP_LOG_ERROR, NULL, "%s", message);
    else
      tp_log(TP_LOG_ERROR, NULL, "%s: read failed: %s", stream->input_name, uv_strerror(status));
    stream->failed = 1;
  }
  stream->input_done = 1;
  tp__stream_submit_current(stream);
  tp__stream_check_done(stream);
}

/* Logs a dead-letter ("input:line: ..." or "input entry ID: ...") and adds it to the batch
 * for the sink. */
static void log_dead_letter(tp_stream *stream, tp_batch *batch, const tp_batch_item *item) {
  const char *stage_id =
      item->dead_stage >= 0 ? stream->pipeline->stages[item->dead_stage].id : NULL;
  const char *reason = item->reason != NULL ? item->reason : "out of memory";
  char where[64];
  if (item->entry_id[0] != '\0')
    snprintf(where, sizeof where, " entry %s", item->entry_id);
  else
    snprintf(where, sizeof where, ":%llu", (unsigned long long)item->line);
  if (stage_id != NULL)
    tp_log(TP_LOG_ERROR, NULL, "%s%s: %s: %s", stream->input_name, where, stage_id, reason);
  else
    tp_log(TP_LOG_ERROR, NULL, "%s%s: %s", stream->input_name, where, reason);
  tp_position position = {.number = item->line};
  memcpy(position.id, item->entry_id, sizeof position.id);
  cJSON *letter =
      tp_dead_letter_create(&position, stage_id, reason, batch->lines + item->offset, item->length);
  char *text = letter != NULL ? cJSON_PrintUnformatted(letter) : NULL;
  if (text == NULL || tp_batch_add_dead_letter(batch, text, strlen(text)) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "out of memory keeping the dead-letter of%s", where);
    stream->failed = 1;
  }
  free(text);
  cJSON_Delete(letter);
}

/* Tells the source that `batch`'s records are stored (output or dead-letter), all but those
 * cut by on_error "stop", which are neither counted nor acknowledged. */
static void acknowledge_batch(tp_stream *stream, const tp_batch *batch) {
  if (stream->source->ops->acknowledge == NULL)
    return;
  size_t count = 0;
  for (size_t i = 0; i < batch->item_count; i++) {
    const tp_batch_item *item = &batch->items[i];
    if (item->state == TP_ITEM_PENDING)
      continue; /* cut: never processed */
    stream->unconfirmed++;
    stream->acknowledged[count].number = item->line;
    memcpy(stream->acknowledged[count].id, item->entry_id, TP_POSITION_ID_SIZE);
    count++;
  }
  char message[TP_ERROR_SIZE];
  if (tp_source_acknowledge(stream->source, stream->acknowledged, count, message, sizeof message) !=
      0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", message);
    stream->failed = 1;
    tp__stream_request_stop(stream);
  }
}

static void pump_writes(tp_stream *stream);

static void on_written(void *context, int status, const char *message) {
  tp_stream *stream = context;
  tp_batch *batch = stream->queue_head;
  stream->queue_head = batch->next;
  if (stream->queue_head == NULL)
    stream->queue_tail = NULL;
  stream->counts.in += batch->out_count;
  if (status == 0) {
    stream->counts.out += batch->out_count;
    acknowledge_batch(stream, batch);
  } else {
    stream->counts.not_written += batch->out_count;
    if (!stream->output_failed) {
      if (message != NULL)
        tp_log(TP_LOG_ERROR, NULL, "%s; stopping", message);
      else if (status == UV_EPIPE)
        tp_log(TP_LOG_ERROR, NULL, "%s: the reader closed the output (broken pipe); stopping",
               stream->sink->name);
      else
        tp_log(TP_LOG_ERROR, NULL, "%s: write failed: %s; stopping", stream->sink->name,
               uv_strerror(status));
    }
    stream->output_failed = 1;
    tp__stream_request_stop(stream);
  }
  tp_runner_batch_release(stream->runner, batch);
  if (stream->sink->ops->staged_bytes != NULL && !stream->checkpoint_wanted &&
      stream->sink->ops->staged_bytes(stream->sink) >= TP_MAX_STAGED_BYTES)
    tp__stream_on_checkpoint_timer(
        &stream->checkpoint_timer); /* the staged output waits in memory */
  pump_writes(stream);
  if (tp_source_paused(stream->source) && !tp__stream_at_bound(stream) &&
      !stream->checkpoint_wanted)
    tp_source_start(stream->source);
  tp__stream_try_checkpoint(stream);
  tp__stream_check_done(stream);
}

static void pump_writes(tp_stream *stream) {
  while (stream->queue_head != NULL && !tp_sink_busy(stream->sink)) {
    tp_batch *batch = stream->queue_head;
    if (stream->output_failed) {
      on_written(stream, UV_ECANCELED, NULL);
      return; /* on_written pumps again */
    }
    int status = tp_sink_write(stream->sink, batch, on_written, stream);
    if (status != 0) {
      on_written(stream, status, NULL);
      return;
    }
    if (stream->queue_head != batch)
      return; /* stored at once: on_written pumped already */
  }
}

/* on_error "stop": keeps only what comes before the failed item `stop_at` (its own dead-letter
 * included) and drops the rest of the batch uncounted, as if it had never been read. So the
 * result does not depend on how far reading had got when the error came back. */
static void cut_batch_after(tp_batch *batch, size_t stop_at) {
  size_t out_before = 0;
  batch->dropped_count = batch->dead_count = 0;
  for (size_t i = 0; i <= stop_at; i++) {
    tp_item_state state = batch->items[i].state;
    out_before += state == TP_ITEM_OUT;
    batch->dropped_count += state == TP_ITEM_DROPPED;
    batch->dead_count += state == TP_ITEM_DEAD;
  }
  size_t offset = 0;
  for (size_t lines = 0; lines < out_before; offset++)
    lines += batch->out[offset] == '\n';
  batch->out_used = offset;
  batch->out_count = out_before;
  for (size_t i = stop_at + 1; i < batch->item_count; i++)
    batch->items[i].state = TP_ITEM_PENDING; /* not stored, so not acknowledged either */
}

static void on_ready(void *context, tp_batch *batch) {
  tp_stream *stream = context;
  if (stream->cut) { /* after an on_error "stop": read too far, never counted */
    stream->records_cut += batch->item_count;
    tp_runner_batch_release(stream->runner, batch);
    tp__stream_check_done(stream);
    return;
  }
  for (size_t i = 0; i < batch->item_count; i++) {
    const tp_batch_item *item = &batch->items[i];
    if (item->nul_replaced)
      tp_log(TP_LOG_WARN, NULL, "%s:%llu: NUL character replaced by U+FFFD", stream->input_name,
             (unsigned long long)item->line);
    if (item->state != TP_ITEM_DEAD)
      continue;
    log_dead_letter(stream, batch, item);
    if (item->dead_stage >= 0 && stream->pipeline->on_error == TP_ON_ERROR_STOP) {
      tp_log(TP_LOG_ERROR, NULL, "%s:%llu: stopping at the first stage error (on_error: stop)",
             stream->input_name, (unsigned long long)item->line);
      stream->records_cut += batch->item_count - (i + 1);
      cut_batch_after(batch, i);
      stream->cut = 1;
      tp__stream_request_stop(stream);
      break;
    }
  }
  stream->counts.in += batch->dropped_count + batch->dead_count;
  stream->counts.dropped += batch->dropped_count;
  stream->counts.dead_letter += batch->dead_count;
  batch->next = NULL;
  if (stream->queue_tail != NULL)
    stream->queue_tail->next = batch;
  else
    stream->queue_head = batch;
  stream->queue_tail = batch;
  pump_writes(stream);
}

static void progress_sample(void *context, tp_progress_sample *sample) {
  const tp_stream *stream = context;
  sample->records = stream->records_read;
  sample->bytes = tp_source_counters_get(stream->source).bytes;
  sample->dead_letters = stream->counts.dead_letter;
}

/* Pipe input went idle with a partial batch pending: send it rather than make a live stream
 * (`tail -f | textpipe run`) wait for a full batch. Not while reading is held back at the
 * in-flight bound (then we are the slow side, not the input, and the batch fills once reading
 * resumes): look again in TP_IDLE_FLUSH_MS; new bytes restart the wait (on_flush_check). */
static void on_idle(uv_timer_t *handle) {
  tp_stream *stream = handle->data;
  if (stream->stopping || stream->input_done)
    return;
  if (tp_source_paused(stream->source) || tp__stream_at_bound(stream))
    uv_timer_start(&stream->idle, on_idle, TP_IDLE_FLUSH_MS, 0);
  else
    tp__stream_submit_current(stream);
}

/* After each loop iteration's I/O. One worker: batch boundaries cannot change results, so send
 * what we have now rather than make a slow producer wait for a full batch. Several workers on
 * a pipe: restart the idle timer whenever bytes came in since the last time, so it fires only
 * once the input has brought nothing for TP_IDLE_FLUSH_MS. */
static void on_flush_check(uv_check_t *handle) {
  tp_stream *stream = handle->data;
  if (tp_runner_workers(stream->runner) == 1) {
    if (!tp_source_paused(stream->source))
      tp__stream_submit_current(stream);
    return;
  }
  if (!stream->idle_flush)
    return;
  uint64_t bytes = tp_source_counters_get(stream->source).bytes;
  if (stream->current == NULL || stream->current->item_count == 0) {
    uv_timer_stop(&stream->idle);
    stream->idle_bytes = bytes;
  } else if (bytes != stream->idle_bytes) {
    stream->idle_bytes = bytes;
    uv_timer_start(&stream->idle, on_idle, TP_IDLE_FLUSH_MS, 0);
  }
}

static void close_walk(uv_handle_t *handle, void *argument) {
  (void)argument;
  if (!uv_is_closing(handle))
    uv_close(handle, NULL);
}

static size_t default_workers(const tp_pipeline *pipeline, size_t requested) {
  if (!pipeline->concurrent) {
    for (size_t s = 0; s < pipeline->stage_count && requested > 1; s++) {
      const tp_stage *stage = &pipeline->stages[s];
      if (!(stage->handle->plugin->flags & TP_PLUGIN_CONCURRENT)) {
        tp_log(TP_LOG_WARN, NULL,
               "--workers %zu: stage \"%s\" is not concurrent, running on one worker", requested,
               stage->id);
        break;
      }
    }
    return 1;
  }
  if (requested > 0)
    return requested;
  unsigned int cores = uv_available_parallelism();
  return cores > 0 ? cores : 1;
}

static int open_endpoints(tp_stream *stream, tp_error *err) {
  const tp_stream_options *options = stream->options;
  tp_source_config source = {.location = options->input_path,
                             .pipeline = stream->pipeline,
                             .max_record_bytes = stream->max_record_bytes,
                             .line_offset = options->line_offset,
                             .record = on_record,
                             .end = on_input_end,
                             .idle = tp__stream_on_source_idle,
                             .context = stream};
  stream->source = tp_source_open(&stream->loop, &source, err->message, sizeof err->message);
  if (stream->source == NULL)
    return -1;
  stream->input_name = stream->source->name;
  stream->interactive = stream->source->interactive;
  tp_sink_config sink = {.location = options->output_path,
                         .dead_letter_path = options->dead_letter_path};
  stream->sink = tp_sink_open(&stream->loop, &sink, err->message, sizeof err->message);
  if (stream->sink == NULL)
    return -1;
  if (stream->sink->ops->take_staged != NULL &&
      (stream->source->ops->checkpoint == NULL ||
       strcmp(stream->sink->home, stream->source->home) != 0)) {
    snprintf(err->message, sizeof err->message,
             "%s: exactly_once writes in the source's checkpoints: the source must be a "
             "redis:// stream on the same server (%s)",
             stream->sink->name, stream->sink->home);
    return -1;
  }
  return 0;
}

int tp_stream_run(const tp_pipeline *pipeline, const tp_stream_options *options,
                  tp_stream_result *result) {
  memset(result, 0, sizeof *result);
  tp_stream *stream = calloc(1, sizeof *stream);
  if (stream == NULL ||
      (stream->acknowledged = calloc(TP_BATCH_RECORDS, sizeof *stream->acknowledged)) == NULL) {
    free(stream);
    tp_log(TP_LOG_ERROR, NULL, "out of memory");
    result->failed = 1;
    return -1;
  }
  stream->pipeline = pipeline;
  stream->options = options;
  stream->result = result;
  stream->input_name = options->input_path != NULL ? options->input_path : "stdin";
  stream->max_record_bytes = options->max_record_bytes    ? options->max_record_bytes
                             : pipeline->max_record_bytes ? pipeline->max_record_bytes
                                                          : 16u * 1024 * 1024;
  signal(SIGPIPE, SIG_IGN);
  int status = -1;
  tp_error err = {{0}};
  if (uv_loop_init(&stream->loop) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "cannot start the event loop");
    free(stream->acknowledged);
    free(stream);
    result->failed = 1;
    return -1;
  }
  uint64_t start = uv_hrtime();
  stream->start_time = start;
  size_t workers = default_workers(pipeline, options->workers);
  stream->max_batches = 4 * workers + 4;
  if (open_endpoints(stream, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    result->cannot_open = 1; /* a file named on the command line cannot be used */
    goto cleanup;
  }
  snprintf(result->input_name, sizeof result->input_name, "%s", stream->source->name);
  stream->runner = tp_runner_create(&stream->loop, pipeline, workers, on_ready, stream, &err);
  if (stream->runner == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    stream->failed = 1;
    goto cleanup;
  }
  result->workers = tp_runner_workers(stream->runner);
  tp_stop_watch(&stream->stop, &stream->loop, options->stop_timeout, tp__stream_stop_gently,
                tp__stream_stop_at_once, stream);
  uv_check_init(&stream->loop, &stream->flush);
  stream->flush.data = stream;
  uv_check_start(&stream->flush, on_flush_check);
  uv_unref((uv_handle_t *)&stream->flush);
  uv_timer_init(&stream->loop, &stream->idle);
  stream->idle.data = stream;
  uv_unref((uv_handle_t *)&stream->idle);
  stream->idle_flush = tp_runner_workers(stream->runner) > 1 && stream->source->live;
  uv_timer_init(&stream->loop, &stream->checkpoint_timer);
  stream->checkpoint_timer.data = stream;
  uv_unref((uv_handle_t *)&stream->checkpoint_timer);
  if (stream->source->ops->checkpoint != NULL && stream->source->checkpoint_ms > 0)
    uv_timer_start(&stream->checkpoint_timer, tp__stream_on_checkpoint_timer,
                   stream->source->checkpoint_ms, stream->source->checkpoint_ms);

  /* No progress line when the terminal also shows the input being typed or the output. */
  if (!stream->interactive && (options->output_path != NULL || !isatty(STDOUT_FILENO)))
    stream->progress =
        tp_progress_start(&stream->loop, STDERR_FILENO, options->quiet,
                          tp_progress_input_size(options->input_path), progress_sample, stream);
  tp_source_start(stream->source);
  tp__stream_check_done(stream);
  if (!stream->done)
    uv_run(&stream->loop, UV_RUN_DEFAULT);
  tp_progress_stop(stream->progress);
  if (!stream->done) {
    tp_log(TP_LOG_ERROR, NULL, "the event loop ended with records in flight");
    stream->failed = 1;
  }
  if (stream->abandoned)
    tp__stream_count_unfinished(stream);
  result->seconds = (double)(uv_hrtime() - start) / 1e9;
  if (tp__stream_finish_run(stream) != 0)
    stream->failed = 1;
  status = 0;

cleanup:
  if (stream->sink != NULL) /* the summary says how many dead-letters were lost */
    stream->counts.dead_letter_not_written = stream->sink->dead_letters_not_written;
  if (stream->source != NULL) {
    tp_source_counters counters = tp_source_counters_get(stream->source);
    stream->counts.skipped_empty = counters.skipped_empty;
    stream->counts.bytes = counters.bytes;
  }
  /* Abandoned with a stage still busy or a write that may never return (a full pipe): nothing
   * is safe to free or wait for; the caller reports and exits (result->exit_at_once). */
  if (stream->abandoned &&
      (stream->busy_workers > 0 || (stream->sink != NULL && tp_sink_busy(stream->sink)))) {
    result->counts = stream->counts;
    result->failed = stream->failed;
    result->output_failed = stream->output_failed;
    result->signal_number = stream->stop.signal_number;
    result->abandoned = result->exit_at_once = 1;
    return status;
  }
  while (stream->queue_head != NULL) { /* abandoned: batches never written */
    tp_batch *next = stream->queue_head->next;
    tp_runner_batch_release(stream->runner, stream->queue_head);
    stream->queue_head = next;
  }
  if (tp_sink_close(stream->sink, err.message, sizeof err.message) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    stream->failed = 1;
  }
  if (tp_source_close(stream->source) != 0)
    stream->failed = 1;
  uv_walk(&stream->loop, close_walk, NULL);
  uv_run(&stream->loop, UV_RUN_DEFAULT);
  if (stream->current != NULL && stream->runner != NULL)
    tp_runner_batch_release(stream->runner, stream->current);
  tp_runner_free(stream->runner);
  uv_loop_close(&stream->loop);
  result->counts = stream->counts;
  result->failed = stream->failed;
  result->output_failed = stream->output_failed;
  result->signal_number = stream->stop.signal_number;
  result->abandoned = stream->abandoned;
  free(stream->acknowledged);
  free(stream);
  return status;
}

void tp_stream_result_free(tp_stream_result *result) {
  cJSON_Delete(result->sections);
  cJSON_Delete(result->partials);
  free(result->stats);
  result->sections = result->partials = NULL;
  result->stats = NULL;
}
