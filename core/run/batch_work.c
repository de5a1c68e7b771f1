/* core/run/batch_work.c - one batch through the stages in steps: start, submit, collect,
 * finish (batch_work.h). */
#include "batch_work.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_lines.h"
#include "clock.h"
#include "json_print.h"

int tp_buffer_reserve(char **buffer, size_t *capacity, size_t needed) {
  if (needed <= *capacity)
    return 0;
  /* Double, but jump straight to `needed` for a huge record rather than overshoot it. */
  size_t grown = *capacity ? *capacity * 2 : 4096;
  if (grown < needed)
    grown = needed;
  char *bigger = realloc(*buffer, grown);
  if (bigger == NULL)
    return -1;
  *buffer = bigger;
  *capacity = grown;
  return 0;
}

int tp_batch_work_init(tp_batch_work *work) {
  memset(work, 0, sizeof *work);
  work->records = tp_calloc_cache_lines(TP_BATCH_RECORDS, sizeof *work->records);
  return work->records != NULL ? 0 : -1;
}

static void free_stage_arrays(tp_batch_work *work) {
  free(work->stage_records);
  free(work->stage_items);
  free(work->results);
  free(work->reasons);
  work->stage_records = NULL;
  work->stage_items = NULL;
  work->results = NULL;
  work->reasons = NULL;
}

void tp_batch_work_release(tp_batch_work *work) {
  if (work->records != NULL)
    for (size_t i = 0; i < TP_BATCH_RECORDS; i++)
      tp_record_release(&work->records[i]);
  free(work->records);
  work->records = NULL;
  free_stage_arrays(work);
}

int tp_batch_work_overlaps(const tp_pipeline *pipeline) {
  for (size_t s = 0; s < pipeline->stage_count; s++)
    if (pipeline->stages[s].handle->plugin->batch_submit != NULL)
      return 1;
  return 0;
}

/* The arrays for process_batch and batch_submit, allocated once. 0, or -1 on OOM (the stage
 * then runs record by record through process()). */
static int stage_arrays(tp_batch_work *work) {
  if (work->reasons != NULL)
    return 0;
  work->stage_records = malloc(TP_BATCH_RECORDS * sizeof *work->stage_records);
  work->stage_items = malloc(TP_BATCH_RECORDS * sizeof *work->stage_items);
  work->results = malloc(TP_BATCH_RECORDS * sizeof *work->results);
  work->reasons = malloc((size_t)TP_BATCH_RECORDS * TP_REASON_SIZE);
  if (work->stage_records == NULL || work->stage_items == NULL || work->results == NULL ||
      work->reasons == NULL) {
    free_stage_arrays(work);
    return -1;
  }
  return 0;
}

static void item_fail(tp_batch *batch, tp_batch_item *item, long stage, const char *reason) {
  item->state = TP_ITEM_DEAD;
  item->dead_stage = stage;
  item->reason = strdup(reason);
  batch->dead_count++;
}

/* Takes record i out of the stream after `result` (TP_DROP or TP_ERROR with `reason`) at
 * stage `s`. */
static void settle(tp_batch_work *work, size_t i, long s, tp_result result, const char *reason) {
  tp_batch *batch = work->batch;
  tp_batch_item *item = &batch->items[i];
  tp_record_reset(&work->records[i]);
  work->live--;
  if (result == TP_DROP) {
    item->state = TP_ITEM_DROPPED;
    batch->dropped_count++;
  } else {
    item_fail(batch, item, s, reason);
  }
}

/* Gathers the live records into the stage arrays; returns how many. */
static size_t gather(tp_batch_work *work) {
  size_t count = 0;
  for (size_t i = work->first; i < work->end; i++) {
    if (work->batch->items[i].state != TP_ITEM_PENDING)
      continue;
    work->stage_records[count] = &work->records[i];
    work->stage_items[count++] = i;
  }
  return count;
}

/* Settles the results of a batch call over the `count` gathered records at stage `s`. */
static void settle_results(tp_batch_work *work, size_t s, size_t count) {
  for (size_t k = 0; k < count; k++)
    if (work->results[k] != TP_KEEP)
      settle(work, work->stage_items[k], (long)s, work->results[k],
             work->reasons + k * TP_REASON_SIZE);
}

/* Runs stage `s` on the batch's live records, by one process_batch() when the plugin has it,
 * else record by record. */
static void run_stage(const tp_batch_stages *stages, tp_batch_work *work, size_t s) {
  const tp_stage *stage = &stages->pipeline->stages[s];
  tp_stage_stats *stats = &stages->stats[s];
  double start = tp_clock_seconds();
  if (stage->handle->plugin->process_batch != NULL && stage_arrays(work) == 0) {
    size_t count = gather(work);
    tp_stage_process_batch(stage, stages->partials[s], work->stage_records, count, stats,
                           work->results, work->reasons, TP_REASON_SIZE);
    settle_results(work, s, count);
  } else {
    char reason[TP_REASON_SIZE];
    for (size_t i = work->first; i < work->end; i++) {
      if (work->batch->items[i].state != TP_ITEM_PENDING)
        continue;
      tp_result result = tp_stage_process(stage, stages->partials[s], &work->records[i], stats,
                                          reason, sizeof reason);
      if (result != TP_KEEP)
        settle(work, i, (long)s, result, reason);
    }
  }
  stats->seconds += tp_clock_seconds() - start;
}

/* Runs stages from work->next_stage on, stopping before the first one with batch_submit when
 * `overlap` (it is then work->next_stage). */
static void run_stages(const tp_batch_stages *stages, tp_batch_work *work, int overlap) {
  const tp_pipeline *pipeline = stages->pipeline;
  for (; work->next_stage < pipeline->stage_count && work->live > 0; work->next_stage++) {
    if (overlap && pipeline->stages[work->next_stage].handle->plugin->batch_submit != NULL)
      return;
    run_stage(stages, work, work->next_stage);
  }
  work->next_stage = pipeline->stage_count;
}

/* Parses each line of the slice into its record; the failures are dead-lettered. */
static void prepare_records(const tp_batch_stages *stages, tp_batch_work *work) {
  tp_batch *batch = work->batch;
  char reason[TP_REASON_SIZE];
  for (size_t i = work->first; i < work->end; i++) {
    tp_batch_item *item = &batch->items[i];
    if (item->state == TP_ITEM_DEAD) { /* oversize, failed while framing */
      batch->dead_count++;
      continue;
    }
    tp_record *record = &work->records[i];
    record->key_warned = stages->key_warned;
    const tp_csv_row *header = stages->csv_header;
    const char *line = batch->lines + item->offset;
    if ((header != NULL ? tp_csv_record_prepare(record, header, stages->pipeline->text_field, line,
                                                item->length, item->line, reason, sizeof reason)
                        : tp_record_prepare(record, stages->pipeline, line, item->length,
                                            item->line, reason, sizeof reason)) != 0) {
      tp_record_reset(record);
      item_fail(batch, item, -1, reason);
      continue;
    }
    item->nul_replaced = record->nul_replaced != 0;
    work->live++;
  }
}

int tp_batch_work_slices(const tp_pipeline *pipeline) {
  for (size_t s = 0; s < pipeline->stage_count; s++)
    if (pipeline->stages[s].handle->plugin->process_batch != NULL)
      return 0;
  return 1;
}

static void print_slice(tp_batch_work *work);

void tp_batch_work_start(const tp_batch_stages *stages, tp_batch_work *work, tp_batch *batch,
                         int overlap) {
  work->batch = batch;
  work->submitted = 0;
  size_t step = !overlap && stages->slices ? TP_BATCH_SLICE : batch->item_count;
  work->first = 0;
  do {
    work->end = work->first + step < batch->item_count ? work->first + step : batch->item_count;
    work->live = 0;
    work->next_stage = 0;
    prepare_records(stages, work);
    run_stages(stages, work, overlap);
    if (step == batch->item_count)
      return; /* one slice: tp_batch_work_finish() prints it */
    print_slice(work);
    work->first = work->end;
  } while (work->first < batch->item_count);
}

void tp_batch_work_submit(const tp_batch_stages *stages, tp_batch_work *work) {
  size_t s = work->next_stage;
  if (work->batch == NULL || s >= stages->pipeline->stage_count || work->live == 0)
    return;
  if (stage_arrays(work) != 0) {
    run_stages(stages, work, 0); /* no arrays: record by record, nothing overlaps */
    return;
  }
  const tp_stage *stage = &stages->pipeline->stages[s];
  work->stage_start = tp_clock_seconds();
  work->submitted = gather(work);
  tp_stage_batch_submit(stage, stages->partials[s], work->stage_records, work->submitted,
                        work->results, work->reasons, TP_REASON_SIZE);
  stages->stats[s].seconds += tp_clock_seconds() - work->stage_start;
}

void tp_batch_work_collect(const tp_batch_stages *stages, tp_batch_work *work) {
  if (work->submitted == 0)
    return;
  size_t s = work->next_stage, count = work->submitted;
  const tp_stage *stage = &stages->pipeline->stages[s];
  double start = tp_clock_seconds();
  tp_stage_batch_collect(stage, stages->partials[s], work->stage_records, count, &stages->stats[s],
                         work->results, work->reasons, TP_REASON_SIZE);
  work->submitted = 0;
  settle_results(work, s, count);
  stages->stats[s].seconds += tp_clock_seconds() - start;
  work->next_stage++;
}

/* Appends the record as one NDJSON line to batch->out (json_print.c: cJSON's compact text,
 * printed faster), its constant strings memoized in `constants`. 0, or -1 on OOM. */
static int print_record(tp_batch *batch, const tp_record *record, tp_json_constants *constants) {
  if (tp_json_print_append_with(record->json, constants, &batch->out, &batch->out_used,
                                &batch->out_capacity))
    return -1;
  if (tp_buffer_reserve(&batch->out, &batch->out_capacity, batch->out_used + 1))
    return -1;
  batch->out[batch->out_used++] = '\n';
  return 0;
}

/* Prints the records of the slice that came through every stage and resets the slice's
 * records. One memo of constant strings serves the slice: every record of it was made before
 * the first is printed, and a record changes no more once its stages are done (json_print.h). */
static void print_slice(tp_batch_work *work) {
  tp_batch *batch = work->batch;
  tp_json_constants constants;
  tp_json_constants_clear(&constants);
  for (size_t i = work->first; i < work->end; i++) {
    tp_batch_item *item = &batch->items[i];
    if (item->state != TP_ITEM_PENDING)
      continue;
    tp_record *record = &work->records[i];
    if (print_record(batch, record, &constants) != 0) {
      item_fail(batch, item, -1, "out of memory printing the record");
    } else {
      item->state = TP_ITEM_OUT;
      batch->out_count++;
    }
    tp_record_reset(record);
  }
}

void tp_batch_work_finish(const tp_batch_stages *stages, tp_batch_work *work) {
  if (work->batch == NULL)
    return;
  tp_batch_work_collect(stages, work);
  run_stages(stages, work, 0);
  print_slice(work); /* nothing left when the start printed it slice by slice */
  work->batch = NULL;
}
