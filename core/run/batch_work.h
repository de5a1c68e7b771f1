/* core/run/batch_work.h - one batch through the stages on a worker, in steps that let a stage
 * with batch_submit/batch_collect (ABI 2.2) work on one batch while the worker runs the other
 * stages on another.
 *
 * A work area holds what a batch needs while it is being run: TP_BATCH_RECORDS reusable
 * records and the arrays handed to process_batch / batch_submit. A worker that overlaps keeps
 * two areas (batch N's records stay parsed while batch N+1 is prepared). The steps, in order:
 *   start   parse the lines into records; run the stages up to the first overlappable one
 *           (all of them when not overlapping). When no stage takes whole batches
 *           (tp_batch_work_slices), it goes TP_BATCH_SLICE records at a time: parse, every
 *           stage, print, reset, then the next slice; each stage still sees the worker's
 *           records in input order, so outputs and partials are the same as batch-wide;
 *   submit  hand the live records to that stage's batch_submit;
 *   collect wait for its results (batch_collect) and settle them;
 *   finish  collect if still needed, run the remaining stages (synchronously), print the
 *           records that came through into batch->out.
 * Every stage still sees the records of one worker in input order: a worker submits batch N+1
 * only after collecting batch N. The work area does not own the batch.
 */
#ifndef TP_CORE_BATCH_WORK_H
#define TP_CORE_BATCH_WORK_H

#include <stdatomic.h>
#include <stddef.h>

#include "csv.h"
#include "pipeline.h"
#include "record.h"
#include "runner.h"
#include "stages.h"

/* Records of a slice (tp_batch_work_slices): a slice's trees, tokens and stage scratch stay
 * in the core's cache from parse to print, where a whole batch's (128 records, ~1 MB with the
 * default pipeline) did not. */
#define TP_BATCH_SLICE 16

/* What the steps need from the worker running them. */
typedef struct tp_batch_stages {
  const tp_pipeline *pipeline;
  const tp_csv_row *csv_header; /* CSV input: the columns; NULL otherwise */
  atomic_int *key_warned;       /* per stage, shared by all records */
  void **partials;              /* the worker's, one per stage */
  tp_stage_stats *stats;        /* the worker's, one per stage */
  int slices;                   /* run in slices of TP_BATCH_SLICE (tp_batch_work_slices) */
} tp_batch_stages;

typedef struct tp_batch_work {
  tp_batch *batch;           /* the batch in hand, or NULL */
  tp_record *records;        /* TP_BATCH_RECORDS, records[i] for batch->items[i] */
  tp_record **stage_records; /* the live records handed to a batch call (allocated on first use) */
  size_t *stage_items;       /* their item indexes */
  tp_result *results;
  char *reasons;     /* TP_REASON_SIZE each */
  size_t first, end; /* the slice of batch->items in hand: [first, end) */
  size_t live;       /* records of the slice still going through the stages */
  size_t next_stage;
  size_t submitted;   /* records handed to batch_submit and not collected yet */
  double stage_start; /* when the submitted stage's time started counting */
} tp_batch_work;

/* 0, or -1 on OOM. */
int tp_batch_work_init(tp_batch_work *work);
void tp_batch_work_release(tp_batch_work *work);

/* Whether the worker may run a batch in slices of TP_BATCH_SLICE records, each through every
 * stage and printed before the next is parsed: when no stage has process_batch (a stage that
 * takes whole batches gets them whole). */
int tp_batch_work_slices(const tp_pipeline *pipeline);

/* Whether some stage of the pipeline has batch_submit (a worker then overlaps). */
int tp_batch_work_overlaps(const tp_pipeline *pipeline);

void tp_batch_work_start(const tp_batch_stages *stages, tp_batch_work *work, tp_batch *batch,
                         int overlap);
void tp_batch_work_submit(const tp_batch_stages *stages, tp_batch_work *work);
void tp_batch_work_collect(const tp_batch_stages *stages, tp_batch_work *work);
/* Leaves the batch complete (every item out, dropped or dead) and work->batch NULL. */
void tp_batch_work_finish(const tp_batch_stages *stages, tp_batch_work *work);

/* Grows *buffer to hold `needed` bytes. 0, or -1 on OOM (the buffer is unchanged). */
int tp_buffer_reserve(char **buffer, size_t *capacity, size_t needed);

#endif /* TP_CORE_BATCH_WORK_H */
