/* core/run/runner.c - batches of records through the stages on worker threads (runner.h).
 *
 * Threads: the loop thread fills and submits batches and receives them back through one
 * uv_async_t, and wakes a worker at most once a loop turn (a uv_prepare_t); each worker has its
 * own queue, because batch k must run on worker k mod N.
 * One mutex guards all queues and the completed list: it is taken twice per batch (~128
 * records), so it never shows up next to the JSON work. Completed batches are put back in
 * order in a ring indexed by sequence (the in-flight bound is the stream's job).
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_lines.h"
#include "json_alloc.h"
#include "huge_pages.h"
#include "json_print.h"
#include "batch_work.h"
#include "record.h"

typedef struct tp_worker {
  struct tp_runner *runner;
  size_t index;
  uv_thread_t thread;
  uv_cond_t wake;
  tp_batch *queue_head, *queue_tail;
  void **partials;       /* one per stage */
  tp_stage_stats *stats; /* one per stage */
  /* Batches in hand (batch_work.h): the second is used only when a stage overlaps (ABI 2.2),
   * for the next batch while the first one's batch is with that stage. */
  tp_batch_work work[2];
  int busy;        /* running batches (guarded by lock) */
  int wake_wanted; /* batches queued this loop turn: signal `wake` before the loop waits */
} tp_worker;

struct tp_runner {
  uv_loop_t *loop;
  uv_async_t async;
  uv_prepare_t wake; /* wakes the workers given batches this loop turn (on_wake) */
  const tp_pipeline *pipeline;
  tp_batch_ready_fn ready;
  void *context;
  uv_mutex_t lock;
  tp_worker *workers;
  size_t worker_count;
  size_t started; /* threads started */
  int stopping;
  int abandoned;       /* hard stop: no worker takes another batch (tp_runner_abandon) */
  tp_batch *completed; /* guarded by lock; any order */
  tp_batch **ring;     /* completed batches by sequence % ring_size (loop thread) */
  size_t ring_size;
  uint64_t next_submit, next_deliver;
  size_t in_flight, in_flight_bytes;
  tp_batch *pool;               /* released batches for reuse */
  atomic_int *key_warned;       /* per stage, shared by all records */
  const tp_csv_row *csv_header; /* CSV input: the columns; NULL otherwise */
};

int tp_batch_add_line(tp_batch *batch, const char *line, size_t length, uint64_t line_number,
                      uint64_t full_length, uint64_t limit) {
  tp_position position = {.number = line_number};
  return tp_batch_add_record(batch, line, length, &position, full_length, limit);
}

int tp_batch_add_dead_letter(tp_batch *batch, const char *text, size_t length) {
  if (tp_buffer_reserve(&batch->dead_letters, &batch->dead_letters_capacity,
                        batch->dead_letters_used + length + 1))
    return -1;
  memcpy(batch->dead_letters + batch->dead_letters_used, text, length);
  batch->dead_letters_used += length;
  batch->dead_letters[batch->dead_letters_used++] = '\n';
  return 0;
}

int tp_batch_add_record(tp_batch *batch, const char *line, size_t length,
                        const tp_position *position, uint64_t full_length, uint64_t limit) {
  if (batch->item_count >= TP_BATCH_RECORDS)
    return -1; /* workers keep exactly TP_BATCH_RECORDS records */
  if (batch->items == NULL) {
    batch->items = malloc(TP_BATCH_RECORDS * sizeof *batch->items);
    if (batch->items == NULL)
      return -1;
    batch->item_capacity = TP_BATCH_RECORDS;
  }
  if (tp_buffer_reserve(&batch->lines, &batch->lines_capacity, batch->lines_used + length + 1))
    return -1;
  tp_batch_item *item = &batch->items[batch->item_count];
  *item = (tp_batch_item){.offset = batch->lines_used,
                          .length = length,
                          .line = position->number,
                          .state = TP_ITEM_PENDING,
                          .dead_stage = -1};
  item->redelivered = position->redelivered != 0;
  if (full_length > limit || position->invalid != NULL) {
    char reason[TP_REASON_SIZE];
    if (position->invalid != NULL)
      snprintf(reason, sizeof reason, "%s", position->invalid);
    else
      snprintf(reason, sizeof reason, "record of %llu bytes is over the limit of %llu bytes",
               (unsigned long long)full_length, (unsigned long long)limit);
    item->reason = strdup(reason);
    if (item->reason == NULL)
      return -1;
    item->state = TP_ITEM_DEAD;
  }
  memcpy(item->entry_id, position->id, sizeof item->entry_id);
  memcpy(batch->lines + batch->lines_used, line, length);
  batch->lines[batch->lines_used + length] = '\0';
  batch->lines_used += length + 1;
  batch->item_count++;
  return 0;
}

int tp_batch_full(const tp_batch *batch) {
  return batch->item_count >= TP_BATCH_RECORDS || batch->lines_used >= TP_BATCH_BYTES;
}

static void batch_clear(tp_batch *batch) {
  for (size_t i = 0; i < batch->item_count; i++)
    free(batch->items[i].reason);
  batch->item_count = 0;
  batch->lines_used = 0;
  batch->out_used = 0;
  batch->dead_letters_used = 0;
  batch->out_count = batch->dropped_count = batch->dead_count = 0;
  batch->next = NULL;
  /* A huge record must not pin its buffers for the rest of the stream. */
  if (batch->lines_capacity > 4 * TP_BATCH_BYTES) {
    free(batch->lines);
    batch->lines = NULL;
    batch->lines_capacity = 0;
  }
  if (batch->out_capacity > 8 * TP_BATCH_BYTES) {
    free(batch->out);
    batch->out = NULL;
    batch->out_capacity = 0;
  }
}

static void batch_free(tp_batch *batch) {
  if (batch == NULL)
    return;
  batch_clear(batch);
  free(batch->lines);
  free(batch->items);
  free(batch->out);
  free(batch->dead_letters);
  free(batch);
}

/* Finishes the batch in `work` (batch_work.h) and hands it back to the loop thread. */
static void finish_and_deliver(tp_runner *runner, const tp_batch_stages *stages,
                               tp_batch_work *work) {
  tp_batch *batch = work->batch;
  tp_batch_work_finish(stages, work);
  uv_mutex_lock(&runner->lock);
  batch->next = runner->completed;
  runner->completed = batch;
  uv_mutex_unlock(&runner->lock);
  /* After the unlock: the loop thread, woken, takes the lock at once (on_async) and would
   * otherwise sleep on it again until we let go. Safe: the runner outlives a worker's last send
   * (stop_workers joins before the handle is closed; abandon counts the worker busy until
   * run_batches returns). */
  uv_async_send(&runner->async);
}

/* The next batch of the worker's queue, or NULL when it is empty or the runner is abandoned
 * (called with the lock held). */
static tp_batch *queue_take(tp_worker *worker) {
  tp_batch *batch = worker->queue_head;
  if (batch == NULL || worker->runner->abandoned)
    return NULL;
  worker->queue_head = batch->next;
  if (worker->queue_head == NULL)
    worker->queue_tail = NULL;
  return batch;
}

/* Runs `batch` and the ones queued behind it while the queue has any. When a stage overlaps,
 * batch N+1 is parsed and run up to that stage while the stage works on batch N; then N is
 * collected, N+1 submitted, and N finished (the later stages, printing) and delivered while
 * the stage works on N+1. The last batch is collected before returning, so a waiting worker
 * never holds one. */
static void run_batches(tp_worker *worker, tp_batch *batch, const tp_batch_stages *stages) {
  tp_runner *runner = worker->runner;
  int overlap = tp_batch_work_overlaps(runner->pipeline);
  tp_batch_work *held = NULL; /* submitted, not yet collected */
  size_t next_area = 0;
  while (batch != NULL) {
    tp_batch_work *work = &worker->work[next_area];
    tp_batch_work_start(stages, work, batch, overlap);
    if (held != NULL)
      tp_batch_work_collect(stages, held);
    tp_batch_work_submit(stages, work);
    if (held != NULL)
      finish_and_deliver(runner, stages, held);
    held = work;
    if (overlap) {
      next_area ^= 1;
    } else {
      finish_and_deliver(runner, stages, held);
      held = NULL;
    }
    uv_mutex_lock(&runner->lock);
    batch = queue_take(worker);
    uv_mutex_unlock(&runner->lock);
  }
  if (held != NULL)
    finish_and_deliver(runner, stages, held);
}

static void worker_main(void *argument) {
  tp_worker *worker = argument;
  tp_runner *runner = worker->runner;
  tp_huge_pages_thread(); /* before the worker's first allocation */
  tp_json_alloc_thread_start();
  uv_mutex_lock(&runner->lock);
  for (;;) {
    while (worker->queue_head == NULL && !runner->stopping && !runner->abandoned)
      uv_cond_wait(&worker->wake, &runner->lock);
    tp_batch *batch = queue_take(worker);
    if (batch == NULL)
      break; /* stopping and nothing left, or abandoned */
    worker->busy = 1;
    tp_batch_stages stages = {.pipeline = runner->pipeline,
                              .csv_header = runner->csv_header,
                              .key_warned = runner->key_warned,
                              .partials = worker->partials,
                              .stats = worker->stats,
                              .slices = tp_batch_work_slices(runner->pipeline)};
    uv_mutex_unlock(&runner->lock);

    run_batches(worker, batch, &stages);

    uv_mutex_lock(&runner->lock);
    worker->busy = 0;
  }
  uv_mutex_unlock(&runner->lock);
  tp_json_alloc_thread_stop();
}

static void on_async(uv_async_t *async) {
  tp_runner *runner = async->data;
  uv_mutex_lock(&runner->lock);
  tp_batch *done = runner->completed;
  runner->completed = NULL;
  uv_mutex_unlock(&runner->lock);
  while (done != NULL) {
    tp_batch *next = done->next;
    done->next = NULL;
    runner->ring[done->sequence % runner->ring_size] = done;
    done = next;
  }
  for (;;) {
    size_t slot = runner->next_deliver % runner->ring_size;
    tp_batch *batch = runner->ring[slot];
    if (batch == NULL || batch->sequence != runner->next_deliver)
      break;
    runner->ring[slot] = NULL;
    runner->next_deliver++;
    runner->ready(runner->context, batch);
  }
}

/* Before the loop waits for events: wakes each worker given batches since the last time, once.
 * A loop turn frames a whole read buffer (two or three batches for one worker): a wake-up per
 * batch woke the worker, which ran one batch and slept again, a thread switch each way per
 * batch on a busy machine. The prepare phase comes before every wait of the loop, so no batch
 * waits for a later turn. */
static void on_wake(uv_prepare_t *prepare) {
  tp_runner *runner = prepare->data;
  uv_prepare_stop(prepare);
  for (size_t w = 0; w < runner->worker_count; w++) {
    tp_worker *worker = &runner->workers[w];
    if (worker->wake_wanted) {
      worker->wake_wanted = 0;
      /* No wake-up is lost outside the lock: the worker tests its queue under it first. */
      uv_cond_signal(&worker->wake);
    }
  }
}

/* Wakes every worker to finish its queue and exit, and joins the started ones. */
static void stop_workers(tp_runner *runner) {
  uv_mutex_lock(&runner->lock);
  runner->stopping = 1;
  for (size_t w = 0; w < runner->worker_count; w++)
    uv_cond_signal(&runner->workers[w].wake);
  uv_mutex_unlock(&runner->lock);
  for (size_t w = 0; w < runner->started; w++)
    uv_thread_join(&runner->workers[w].thread);
  runner->started = 0;
}

static void worker_cleanup(tp_runner *runner, tp_worker *worker) {
  tp_partials_destroy(runner->pipeline, worker->partials);
  worker->partials = NULL;
  free(worker->stats);
  worker->stats = NULL;
  for (size_t a = 0; a < 2; a++)
    tp_batch_work_release(&worker->work[a]);
}

tp_runner *tp_runner_create(uv_loop_t *loop, const tp_pipeline *pipeline, size_t workers,
                            tp_batch_ready_fn ready, void *context, tp_error *err) {
  err->message[0] = '\0';
  if (workers == 0)
    workers = 1;
  tp_json_alloc_install();
  tp_runner *runner = calloc(1, sizeof *runner);
  if (runner == NULL)
    goto oom;
  runner->loop = loop;
  runner->pipeline = pipeline;
  runner->ready = ready;
  runner->context = context;
  runner->worker_count = workers;
  /* The ring must hold every batch in flight; the stream bounds those far below this. */
  runner->ring_size = 64 * workers + 64;
  runner->ring = calloc(runner->ring_size, sizeof *runner->ring);
  runner->workers = calloc(workers, sizeof *runner->workers);
  runner->key_warned = calloc(pipeline->stage_count + 1, sizeof *runner->key_warned);
  if (runner->ring == NULL || runner->workers == NULL || runner->key_warned == NULL)
    goto oom;
  uv_mutex_init(&runner->lock);
  for (size_t w = 0; w < workers; w++) {
    tp_worker *worker = &runner->workers[w];
    worker->runner = runner;
    worker->index = w;
    uv_cond_init(&worker->wake);
  }
  for (size_t w = 0; w < workers; w++) {
    tp_worker *worker = &runner->workers[w];
    worker->partials = tp_partials_create(pipeline, err);
    if (worker->partials == NULL)
      goto fail;
    worker->stats = tp_calloc_cache_lines(pipeline->stage_count + 1, sizeof *worker->stats);
    int areas = tp_batch_work_init(&worker->work[0]);
    if (areas == 0 && tp_batch_work_overlaps(pipeline))
      areas = tp_batch_work_init(&worker->work[1]);
    if (worker->stats == NULL || areas != 0) {
      snprintf(err->message, sizeof err->message, "out of memory");
      goto fail;
    }
  }
  for (size_t w = 0; w < workers; w++) {
    if (uv_thread_create(&runner->workers[w].thread, worker_main, &runner->workers[w]) != 0) {
      snprintf(err->message, sizeof err->message, "cannot start worker thread %zu", w + 1);
      goto fail;
    }
    runner->started++;
  }
  /* Last: nothing can fail after the handle exists, so failures never need the loop. */
  if (uv_async_init(loop, &runner->async, on_async) != 0) {
    snprintf(err->message, sizeof err->message, "cannot create the worker wake-up handle");
    goto fail;
  }
  runner->async.data = runner;
  uv_prepare_init(loop, &runner->wake); /* cannot fail */
  runner->wake.data = runner;
  return runner;

fail:
  stop_workers(runner);
  for (size_t w = 0; w < workers; w++) {
    worker_cleanup(runner, &runner->workers[w]);
    uv_cond_destroy(&runner->workers[w].wake);
  }
  uv_mutex_destroy(&runner->lock);
oom:
  if (err->message[0] == '\0')
    snprintf(err->message, sizeof err->message, "out of memory");
  if (runner != NULL) {
    free(runner->ring);
    free(runner->workers);
    free(runner->key_warned);
    free(runner);
  }
  return NULL;
}

tp_batch *tp_runner_batch_acquire(tp_runner *runner) {
  tp_batch *batch = runner->pool;
  if (batch != NULL) {
    runner->pool = batch->next;
    batch->next = NULL;
    return batch;
  }
  return calloc(1, sizeof *batch);
}

void tp_runner_set_csv_header(tp_runner *runner, const tp_csv_row *header) {
  runner->csv_header = header;
}

void tp_runner_submit(tp_runner *runner, tp_batch *batch) {
  batch->sequence = runner->next_submit++;
  batch->next = NULL;
  batch->submitted = 1;
  runner->in_flight++;
  runner->in_flight_bytes += batch->lines_used;
  tp_worker *worker = &runner->workers[batch->sequence % runner->worker_count];
  uv_mutex_lock(&runner->lock);
  if (worker->queue_tail != NULL)
    worker->queue_tail->next = batch;
  else
    worker->queue_head = batch;
  worker->queue_tail = batch;
  uv_mutex_unlock(&runner->lock);
  /* Woken once at the end of the loop turn (on_wake), after the unlock so that it does not
   * block on the lock we hold. */
  worker->wake_wanted = 1;
  uv_prepare_start(&runner->wake, on_wake);
}

void tp_runner_batch_release(tp_runner *runner, tp_batch *batch) {
  if (batch->submitted) {
    runner->in_flight--;
    runner->in_flight_bytes -= batch->lines_used;
    batch->submitted = 0;
  }
  batch_clear(batch);
  batch->next = runner->pool;
  runner->pool = batch;
}

size_t tp_runner_in_flight(const tp_runner *runner) {
  return runner->in_flight;
}

size_t tp_runner_in_flight_bytes(const tp_runner *runner) {
  return runner->in_flight_bytes;
}

size_t tp_runner_workers(const tp_runner *runner) {
  return runner->worker_count;
}

size_t tp_runner_abandon(tp_runner *runner) {
  size_t busy = 0;
  uv_mutex_lock(&runner->lock);
  runner->abandoned = 1;
  for (size_t w = 0; w < runner->worker_count; w++) {
    busy += runner->workers[w].busy != 0;
    uv_cond_signal(&runner->workers[w].wake);
  }
  uv_mutex_unlock(&runner->lock);
  return busy;
}

int tp_runner_finish(tp_runner *runner, cJSON *sections, cJSON *exports, tp_stage_stats *stats,
                     tp_error *err) {
  if (tp_runner_merge(runner, exports, stats, err) != 0)
    return -1;
  return tp_runner_finish_merged(runner, sections, NULL, err);
}

int tp_runner_merge(tp_runner *runner, cJSON *exports, tp_stage_stats *stats, tp_error *err) {
  stop_workers(runner);
  uv_close((uv_handle_t *)&runner->async, NULL);
  uv_close((uv_handle_t *)&runner->wake, NULL);

  const tp_pipeline *pipeline = runner->pipeline;
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    stats[s] = (tp_stage_stats){0};
    for (size_t w = 0; w < runner->worker_count; w++) {
      stats[s].seconds += runner->workers[w].stats[s].seconds;
      stats[s].records += runner->workers[w].stats[s].records;
      stats[s].dropped += runner->workers[w].stats[s].dropped;
      stats[s].errors += runner->workers[w].stats[s].errors;
    }
  }
  void ***partials = calloc(runner->worker_count, sizeof *partials);
  if (partials == NULL) {
    snprintf(err->message, sizeof err->message, "out of memory");
    return -1;
  }
  for (size_t w = 0; w < runner->worker_count; w++)
    partials[w] = runner->workers[w].partials;
  int status = tp_stages_merge_exporting(pipeline, partials, runner->worker_count, exports, err);
  free(partials);
  return status;
}

int tp_runner_finish_merged(tp_runner *runner, cJSON *sections, const tp_finish_gate *gate,
                            tp_error *err) {
  return tp_stages_finish_merged(runner->pipeline, runner->workers[0].partials, sections, gate,
                                 err);
}

void **tp_runner_merged(tp_runner *runner) {
  return runner->workers[0].partials;
}

int tp_runner_export_worker(tp_runner *runner, size_t worker, cJSON *exports, tp_stage_stats *stats,
                            tp_error *err) {
  const tp_pipeline *pipeline = runner->pipeline;
  uv_mutex_lock(&runner->lock); /* orders this read after the worker's last batch */
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    stats[s] = runner->workers[worker].stats[s];
    if (tp_stage_export(&pipeline->stages[s], runner->workers[worker].partials[s], exports, err) !=
        0) {
      uv_mutex_unlock(&runner->lock);
      return -1;
    }
  }
  uv_mutex_unlock(&runner->lock);
  return 0;
}

void tp_runner_free(tp_runner *runner) {
  if (runner == NULL)
    return;
  stop_workers(runner); /* still running if tp_runner_finish was never reached (OOM) */
  for (size_t w = 0; w < runner->worker_count; w++) {
    worker_cleanup(runner, &runner->workers[w]);
    uv_cond_destroy(&runner->workers[w].wake);
    while (runner->workers[w].queue_head != NULL) { /* abandoned, never run */
      tp_batch *next = runner->workers[w].queue_head->next;
      batch_free(runner->workers[w].queue_head);
      runner->workers[w].queue_head = next;
    }
  }
  while (runner->completed != NULL) { /* abandoned, never delivered */
    tp_batch *next = runner->completed->next;
    batch_free(runner->completed);
    runner->completed = next;
  }
  while (runner->pool != NULL) {
    tp_batch *next = runner->pool->next;
    batch_free(runner->pool);
    runner->pool = next;
  }
  for (size_t i = 0; i < runner->ring_size; i++)
    batch_free(runner->ring[i]);
  uv_mutex_destroy(&runner->lock);
  free(runner->ring);
  free(runner->workers);
  free(runner->key_warned);
  free(runner);
}
