/* core/run/stream.c - one `textpipe run` on a libuv loop (stream.h).
 *
 * Data flow: reader -> on_line (fills the current batch; submits full ones) -> runner workers
 * -> on_ready (in input order: dead-letters logged and written, batch queued for output) ->
 * writer -> on_written (counts, batch back to the pool, reading resumes below the bound).
 * A partial batch goes out early only at the end of input, on a terminal, with one worker, or
 * when a pipe input has been idle for TP_IDLE_FLUSH_MS (on_idle; docs/stream.md, "Live pipes").
 *
 * Accounting: a batch's dropped and dead-lettered records are counted when it comes back from
 * the workers, its output records when they are written. If the output fails (EPIPE, disk
 * full), records processed but never written are reported as such and left out of `in`, so
 * in = out + dropped + dead-letter holds for every run.
 *
 * Stopping (stop.c): the first SIGINT/SIGTERM stops reading and lets what was read finish; a
 * second one, or the stop deadline, abandons the run at once (stop_at_once): records read but
 * not finished are counted as `unfinished` (so the sum still holds), the report is written from
 * what the stages finished, and the process exits without waiting for a busy stage or a
 * blocked output.
 */
#include "stream.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "log.h"
#include "progress.h"
#include "reader.h"
#include "report.h"
#include "report_html.h"
#include "runner.h"
#include "stop.h"
#include "writer.h"

#define TP_MAX_IN_FLIGHT_BYTES (16u * 1024 * 1024)

/* A pipe that brings no new byte for this long is idle: the partial batch goes out (on_idle). */
#define TP_IDLE_FLUSH_MS 200

typedef struct tp_stream {
  uv_loop_t loop;
  const tp_pipeline *pipeline;
  const tp_stream_options *options;
  const char *input_name;
  uint64_t max_record_bytes;
  tp_reader *reader;
  tp_writer *writer;
  tp_runner *runner;
  FILE *dead_letters;
  tp_batch *current;                 /* being filled */
  tp_batch *queue_head, *queue_tail; /* ready, waiting for the writer */
  size_t max_batches;
  tp_stop stop; /* SIGINT/SIGTERM */
  uv_check_t flush;
  uv_timer_t idle;     /* pipe input: fires TP_IDLE_FLUSH_MS after the last byte read */
  int idle_flush;      /* pipe input with several workers: the idle timer is in use */
  uint64_t idle_bytes; /* input bytes framed when the idle timer was last (re)started */
  int interactive;     /* tty input: one record per batch */
  int input_done, stopping, output_failed, failed, done;
  int abandoned;        /* hard stop: nothing more is waited for (stop_at_once) */
  size_t busy_workers;  /* abandoned: workers still inside a batch, never joined */
  uint64_t records_cut; /* on_error "stop": records read but dropped uncounted */
  int cut;              /* on_error "stop" fired: later batches are dropped uncounted */
  tp_run_counts counts;
  tp_csv_scanner csv_scanner; /* CSV input: where records end */
  tp_csv_row csv_header;      /* CSV input: the columns, once read */
  int csv_header_pending;     /* CSV input: the next record is the header */
  uint64_t records_read;      /* for the progress line */
  tp_progress *progress;      /* the live line on a terminal, or NULL */
} tp_stream;

static void check_done(tp_stream *stream);

static int at_bound(const tp_stream *stream) {
  size_t in_flight = tp_runner_in_flight(stream->runner);
  return in_flight >= stream->max_batches ||
         (in_flight > 0 && tp_runner_in_flight_bytes(stream->runner) >= TP_MAX_IN_FLIGHT_BYTES);
}

static void submit_current(tp_stream *stream) {
  if (stream->current == NULL || stream->current->item_count == 0)
    return;
  tp_runner_submit(stream->runner, stream->current);
  stream->current = NULL;
}

static void request_stop(tp_stream *stream);

/* CSV input: the first record names the columns; a header that cannot serve stops the run. */
static int on_csv_header(tp_stream *stream, const char *line, size_t length, uint64_t number,
                         uint64_t full_length) {
  stream->csv_header_pending = 0;
  char reason[TP_REASON_SIZE];
  if (tp_csv_header_read(&stream->csv_header, line, length, full_length,
                         stream->pipeline->text_field, reason, sizeof reason) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s:%llu: CSV header: %s", stream->input_name,
           (unsigned long long)number, reason);
    stream->failed = 1;
    request_stop(stream);
    return 1;
  }
  tp_runner_set_csv_header(stream->runner, &stream->csv_header);
  return 0;
}

static int on_line(void *context, const char *line, size_t length, uint64_t number,
                   uint64_t full_length) {
  tp_stream *stream = context;
  if (stream->csv_header_pending)
    return on_csv_header(stream, line, length, number, full_length);
  stream->records_read++;
  if (stream->current == NULL &&
      (stream->current = tp_runner_batch_acquire(stream->runner)) == NULL)
    return -1;
  if (tp_batch_add_line(stream->current, line, length, number, full_length,
                        stream->max_record_bytes) != 0)
    return -1;
  if (stream->interactive || tp_batch_full(stream->current))
    submit_current(stream);
  return at_bound(stream) ? 1 : 0;
}

/* Stops reading for good; what was read still runs to the end. */
static void request_stop(tp_stream *stream) {
  if (stream->stopping)
    return;
  stream->stopping = 1;
  tp_reader_stop(stream->reader);
  submit_current(stream);
  check_done(stream);
}

static void on_input_end(void *context, int status) {
  tp_stream *stream = context;
  if (status < 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s: read failed: %s", stream->input_name, uv_strerror(status));
    stream->failed = 1;
  }
  stream->input_done = 1;
  submit_current(stream);
  check_done(stream);
}

/* errno as libuv words it, so every message reads alike ("no such file or directory"). */
static const char *errno_text(void) {
  return uv_strerror(uv_translate_sys_error(errno));
}

static void log_dead_letter(tp_stream *stream, const tp_batch *batch, const tp_batch_item *item) {
  const char *stage_id =
      item->dead_stage >= 0 ? stream->pipeline->stages[item->dead_stage].id : NULL;
  const char *reason = item->reason != NULL ? item->reason : "out of memory";
  if (stage_id != NULL)
    tp_log(TP_LOG_ERROR, NULL, "%s:%llu: %s: %s", stream->input_name,
           (unsigned long long)item->line, stage_id, reason);
  else
    tp_log(TP_LOG_ERROR, NULL, "%s:%llu: %s", stream->input_name, (unsigned long long)item->line,
           reason);
  if (stream->dead_letters == NULL)
    return;
  cJSON *letter = tp_dead_letter_create(item->line, stage_id, reason, batch->lines + item->offset,
                                        item->length);
  char *text = letter != NULL ? cJSON_PrintUnformatted(letter) : NULL;
  /* The file is line-buffered, so a full disk shows here, on the letter that was lost. */
  if (text == NULL || fputs(text, stream->dead_letters) < 0 ||
      fputc('\n', stream->dead_letters) == EOF) {
    if (stream->counts.dead_letter_not_written++ == 0)
      tp_log(TP_LOG_ERROR, NULL, "%s: cannot write the dead-letter of line %llu: %s",
             stream->options->dead_letter_path, (unsigned long long)item->line,
             text == NULL ? "out of memory" : errno_text());
    stream->failed = 1;
  }
  free(text);
  cJSON_Delete(letter);
}

static void pump_writes(tp_stream *stream);

static void on_written(void *context, int status) {
  tp_stream *stream = context;
  tp_batch *batch = stream->queue_head;
  stream->queue_head = batch->next;
  if (stream->queue_head == NULL)
    stream->queue_tail = NULL;
  stream->counts.in += batch->out_count;
  if (status == 0) {
    stream->counts.out += batch->out_count;
  } else {
    stream->counts.not_written += batch->out_count;
    if (!stream->output_failed) {
      if (status == UV_EPIPE)
        tp_log(TP_LOG_ERROR, NULL, "%s: the reader closed the output (broken pipe); stopping",
               tp_writer_name(stream->writer));
      else
        tp_log(TP_LOG_ERROR, NULL, "%s: write failed: %s; stopping", tp_writer_name(stream->writer),
               uv_strerror(status));
    }
    stream->output_failed = 1;
    request_stop(stream);
  }
  tp_runner_batch_release(stream->runner, batch);
  pump_writes(stream);
  if (tp_reader_paused(stream->reader) && !at_bound(stream))
    tp_reader_start(stream->reader);
  check_done(stream);
}

static void pump_writes(tp_stream *stream) {
  while (stream->queue_head != NULL && !tp_writer_busy(stream->writer)) {
    tp_batch *batch = stream->queue_head;
    if (stream->output_failed || batch->out_used == 0) {
      on_written(stream, stream->output_failed ? UV_ECANCELED : 0);
      return; /* on_written pumps again */
    }
    int status = tp_writer_write(stream->writer, batch->out, batch->out_used, on_written, stream);
    if (status != 0) {
      on_written(stream, status);
      return;
    }
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
}

static void on_ready(void *context, tp_batch *batch) {
  tp_stream *stream = context;
  if (stream->cut) { /* after an on_error "stop": read too far, never counted */
    stream->records_cut += batch->item_count;
    tp_runner_batch_release(stream->runner, batch);
    check_done(stream);
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
      request_stop(stream);
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
  sample->bytes = tp_reader_framer(stream->reader)->bytes;
  sample->dead_letters = stream->counts.dead_letter;
}

static void check_done(tp_stream *stream) {
  if (stream->done || !(stream->input_done || stream->stopping))
    return;
  if (tp_runner_in_flight(stream->runner) > 0 ||
      (stream->current != NULL && stream->current->item_count > 0))
    return;
  stream->done = 1;
  uv_stop(&stream->loop);
}

/* The first SIGINT/SIGTERM (stop.c): stop reading, finish what was read. */
static void stop_gently(void *context) {
  request_stop(context);
}

/* A second signal or the stop deadline: the loop stops now, workers take no further batch. */
static void stop_at_once(void *context) {
  tp_stream *stream = context;
  stream->abandoned = 1;
  stream->busy_workers = tp_runner_abandon(stream->runner);
  stream->done = 1;
  uv_stop(&stream->loop);
}

/* After a hard stop: every record read and not yet accounted for is counted as unfinished. */
static void count_unfinished(tp_stream *stream) {
  uint64_t accounted = stream->counts.in + stream->records_cut;
  stream->counts.unfinished =
      stream->records_read > accounted ? stream->records_read - accounted : 0;
  stream->counts.in += stream->counts.unfinished;
}

/* Pipe input went idle with a partial batch pending: send it rather than make a live stream
 * (`tail -f | textpipe run`) wait for a full batch. Not while reading is held back at the
 * in-flight bound (then we are the slow side, not the input, and the batch fills once reading
 * resumes): look again in TP_IDLE_FLUSH_MS; new bytes restart the wait (on_flush_check). */
static void on_idle(uv_timer_t *handle) {
  tp_stream *stream = handle->data;
  if (stream->stopping || stream->input_done)
    return;
  if (tp_reader_paused(stream->reader) || at_bound(stream))
    uv_timer_start(&stream->idle, on_idle, TP_IDLE_FLUSH_MS, 0);
  else
    submit_current(stream);
}

/* After each loop iteration's I/O. One worker: batch boundaries cannot change results, so send
 * what we have now rather than make a slow producer wait for a full batch. Several workers on
 * a pipe: restart the idle timer whenever bytes came in since the last time, so it fires only
 * once the input has brought nothing for TP_IDLE_FLUSH_MS. */
static void on_flush_check(uv_check_t *handle) {
  tp_stream *stream = handle->data;
  if (tp_runner_workers(stream->runner) == 1) {
    if (!tp_reader_paused(stream->reader))
      submit_current(stream);
    return;
  }
  if (!stream->idle_flush)
    return;
  uint64_t bytes = tp_reader_framer(stream->reader)->bytes;
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

/* End of the run: finish() per stage, the report, the summary. Returns 0 or -1. */
static int finish_run(tp_stream *stream, double seconds) {
  const tp_pipeline *pipeline = stream->pipeline;
  tp_error err = {{0}};
  int status = 0;
  cJSON *sections = cJSON_CreateObject();
  tp_stage_stats *stats = calloc(pipeline->stage_count + 1, sizeof *stats);
  /* Abandoned with a stage still busy: its partials are in use, so the report has counts only. */
  int stages_usable = !(stream->abandoned && stream->busy_workers > 0);
  if (sections == NULL || stats == NULL ||
      (stages_usable && tp_runner_finish(stream->runner, sections, stats, &err) != 0)) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message[0] ? err.message : "out of memory");
    status = -1;
  }
  const tp_framer *framer = tp_reader_framer(stream->reader);
  stream->counts.skipped_empty = framer->skipped_empty;
  stream->counts.bytes = framer->bytes;
  if (stream->options->report_path != NULL && stats != NULL) {
    cJSON *report = tp_report_build(pipeline, stream->input_name, &stream->counts,
                                    tp_runner_workers(stream->runner), seconds, stats, sections);
    sections = NULL;
    if (report == NULL) {
      tp_log(TP_LOG_ERROR, NULL, "out of memory building the report");
      status = -1;
    } else if ((tp_report_html_wanted(stream->options->report_path, stream->options->report_format)
                    ? tp_report_html_write(report, stream->options->report_path, err.message,
                                           sizeof err.message)
                    : tp_report_write(report, stream->options->report_path, &err)) != 0) {
      tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
      status = -1;
    }
    cJSON_Delete(report);
  }
  cJSON_Delete(sections);
  free(stats);
  return status;
}

static void print_summary(const tp_stream *stream, double seconds) {
  if (stream->counts.not_written > 0)
    tp_log(TP_LOG_ERROR, NULL, "%llu records were processed but not written",
           (unsigned long long)stream->counts.not_written);
  if (stream->counts.unfinished > 0)
    tp_log(TP_LOG_WARN, NULL, "%llu records were read but not finished (stopped at once)",
           (unsigned long long)stream->counts.unfinished);
  if (stream->options->quiet)
    return;
  char line[512];
  tp_report_summary(&stream->counts, seconds, line, sizeof line);
  char message[600];
  int length = snprintf(message, sizeof message, "textpipe: %s\n", line);
  ssize_t ignored = write(STDERR_FILENO, message, (size_t)length);
  (void)ignored;
}

static int open_endpoints(tp_stream *stream, tp_error *err) {
  const tp_stream_options *options = stream->options;
  stream->reader = tp_reader_open(&stream->loop, options->input_path, stream->max_record_bytes,
                                  on_line, on_input_end, stream, err->message, sizeof err->message);
  if (stream->reader == NULL)
    return -1;
  stream->interactive = tp_reader_is_tty(stream->reader);
  if (stream->pipeline->input_format == TP_INPUT_CSV) {
    tp_reader_use_csv(stream->reader, &stream->csv_scanner);
    stream->csv_header_pending = 1;
  }
  stream->writer =
      tp_writer_open(&stream->loop, options->output_path, err->message, sizeof err->message);
  if (stream->writer == NULL)
    return -1;
  if (options->report_path != NULL && tp_report_check_writable(options->report_path, err) != 0)
    return -1;
  if (options->dead_letter_path != NULL &&
      (stream->dead_letters = fopen(options->dead_letter_path, "w")) == NULL) {
    snprintf(err->message, sizeof err->message, "%s: cannot open for writing: %s",
             options->dead_letter_path, errno_text());
    return -1;
  }
  if (stream->dead_letters != NULL)
    setvbuf(stream->dead_letters, NULL, _IOLBF, 0);
  return 0;
}

int tp_stream_run(const tp_pipeline *pipeline, const tp_stream_options *options) {
  tp_stream *stream = calloc(1, sizeof *stream);
  if (stream == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "out of memory");
    return TP_EXIT_RUNTIME;
  }
  stream->pipeline = pipeline;
  stream->options = options;
  stream->input_name = options->input_path != NULL ? options->input_path : "stdin";
  stream->max_record_bytes = options->max_record_bytes    ? options->max_record_bytes
                             : pipeline->max_record_bytes ? pipeline->max_record_bytes
                                                          : 16u * 1024 * 1024;
  signal(SIGPIPE, SIG_IGN);
  int exit_status = TP_EXIT_RUNTIME;
  tp_error err = {{0}};
  if (uv_loop_init(&stream->loop) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "cannot start the event loop");
    free(stream);
    return TP_EXIT_RUNTIME;
  }
  uint64_t start = uv_hrtime();
  size_t workers = default_workers(pipeline, options->workers);
  stream->max_batches = 4 * workers + 4;
  if (open_endpoints(stream, &err) != 0) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    exit_status = TP_EXIT_USAGE; /* a file named on the command line cannot be used */
    goto cleanup;
  }
  stream->runner = tp_runner_create(&stream->loop, pipeline, workers, on_ready, stream, &err);
  if (stream->runner == NULL) {
    tp_log(TP_LOG_ERROR, NULL, "%s", err.message);
    goto cleanup;
  }
  tp_stop_watch(&stream->stop, &stream->loop, options->stop_timeout, stop_gently, stop_at_once,
                stream);
  uv_check_init(&stream->loop, &stream->flush);
  stream->flush.data = stream;
  uv_check_start(&stream->flush, on_flush_check);
  uv_unref((uv_handle_t *)&stream->flush);
  uv_timer_init(&stream->loop, &stream->idle);
  stream->idle.data = stream;
  uv_unref((uv_handle_t *)&stream->idle);
  stream->idle_flush = tp_runner_workers(stream->runner) > 1 && tp_reader_is_pipe(stream->reader);

  /* No progress line when the terminal also shows the input being typed or the output. */
  if (!stream->interactive && (options->output_path != NULL || !isatty(STDOUT_FILENO)))
    stream->progress =
        tp_progress_start(&stream->loop, STDERR_FILENO, options->quiet,
                          tp_progress_input_size(options->input_path), progress_sample, stream);
  tp_reader_start(stream->reader);
  check_done(stream);
  if (!stream->done)
    uv_run(&stream->loop, UV_RUN_DEFAULT);
  tp_progress_stop(stream->progress);
  if (!stream->done) {
    tp_log(TP_LOG_ERROR, NULL, "the event loop ended with records in flight");
    stream->failed = 1;
  }
  if (stream->abandoned)
    count_unfinished(stream);
  double seconds = (double)(uv_hrtime() - start) / 1e9;
  if (finish_run(stream, seconds) != 0)
    stream->failed = 1;
  print_summary(stream, seconds);
  if (stream->failed || stream->output_failed)
    exit_status = TP_EXIT_RUNTIME;
  else if (tp_stop_exit_status(&stream->stop) != 0)
    exit_status = tp_stop_exit_status(&stream->stop);
  else if (stream->counts.dead_letter > 0)
    exit_status = TP_EXIT_DEAD_LETTERS;
  else
    exit_status = TP_EXIT_OK;

cleanup:
  if (stream->dead_letters != NULL && fclose(stream->dead_letters) != 0 &&
      exit_status != TP_EXIT_RUNTIME) {
    tp_log(TP_LOG_ERROR, NULL, "%s: cannot write the dead-letters: %s", options->dead_letter_path,
           errno_text());
    exit_status = TP_EXIT_RUNTIME;
  }
  /* Abandoned with a stage still busy or a write that may never return (a full pipe): there is
   * nothing safe left to free or wait for. */
  if (stream->abandoned &&
      (stream->busy_workers > 0 || (stream->writer != NULL && tp_writer_busy(stream->writer))))
    _exit(exit_status);
  while (stream->queue_head != NULL) { /* abandoned: batches never written */
    tp_batch *next = stream->queue_head->next;
    tp_runner_batch_release(stream->runner, stream->queue_head);
    stream->queue_head = next;
  }
  tp_reader_close(stream->reader);
  tp_writer_close(stream->writer);
  uv_walk(&stream->loop, close_walk, NULL);
  uv_run(&stream->loop, UV_RUN_DEFAULT);
  if (stream->current != NULL && stream->runner != NULL)
    tp_runner_batch_release(stream->runner, stream->current);
  tp_runner_free(stream->runner);
  tp_csv_row_free(&stream->csv_header);
  uv_loop_close(&stream->loop);
  free(stream);
  return exit_status;
}
