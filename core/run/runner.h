/* core/run/runner.h - the stage runner: batches of records through the stages on N workers.
 *
 * The stream fills batches (tp_runner_batch_acquire / tp_batch_add_line) in input order and
 * submits them; batch k runs on worker k mod N, so the same batches and worker count always
 * give the same partials. Each worker runs its batch stage by stage (one timing per stage per
 * batch), prints every record that came through into the batch's output buffer, and hands the batch
 * back. Batches come back to the stream's `ready` callback on the loop thread strictly in
 * submission order, so output order is input order. At the end tp_runner_finish() joins the
 * workers, merges partials into the first (worker order) and runs finish() per stage.
 */
#ifndef TP_CORE_RUNNER_H
#define TP_CORE_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "csv.h"
#include "pipeline.h"
#include "position.h"
#include "stages.h"

/* Records and line bytes after which a batch is full (whichever comes first). */
#define TP_BATCH_RECORDS 128
#define TP_BATCH_BYTES   (256 * 1024)

typedef enum tp_item_state {
  TP_ITEM_PENDING = 0, /* not run yet / still going through the stages */
  TP_ITEM_OUT,         /* printed into the batch's output */
  TP_ITEM_DROPPED,
  TP_ITEM_DEAD,
} tp_item_state;

typedef struct tp_batch_item {
  size_t offset; /* of the line in batch->lines (NUL-terminated there) */
  size_t length;
  uint64_t line;                      /* input line number (position.number) */
  char entry_id[TP_POSITION_ID_SIZE]; /* a broker's entry id (position.id); "" for files */
  bool redelivered;                   /* position.redelivered */
  tp_item_state state;
  bool nul_replaced; /* its input's NUL characters became U+FFFD (a warning to log) */
  long dead_stage;   /* stage index that failed it, or -1 (input errors) */
  char *reason;      /* TP_ITEM_DEAD: owned message */
} tp_batch_item;

typedef struct tp_batch {
  uint64_t sequence;
  char *lines; /* the batch's input lines, each followed by a NUL */
  size_t lines_used, lines_capacity;
  tp_batch_item *items;
  size_t item_count, item_capacity;
  char *out; /* the enriched records, NDJSON */
  size_t out_used, out_capacity;
  char *dead_letters; /* the dead-letters, NDJSON (filled by the stream, stored by the sink) */
  size_t dead_letters_used, dead_letters_capacity;
  uint64_t out_count, dropped_count, dead_count;
  int submitted;         /* counted in flight */
  struct tp_batch *next; /* queue link (runner-internal) */
} tp_batch;

typedef struct tp_runner tp_runner;

/* Called on the loop thread for each processed batch, in submission order. The callee owns
 * the batch until it passes it to tp_runner_batch_release(). */
typedef void (*tp_batch_ready_fn)(void *context, tp_batch *batch);

/* Starts `workers` threads (at least 1) for `pipeline` (which must outlive the runner), with
 * one partial per stage per worker, and an async handle on `loop` that delivers batches to
 * `ready`. Returns the runner, or NULL with err filled. */
tp_runner *tp_runner_create(uv_loop_t *loop, const tp_pipeline *pipeline, size_t workers,
                            tp_batch_ready_fn ready, void *context, tp_error *err);

/* An empty batch from the pool (or a new one). Returns NULL on OOM. */
tp_batch *tp_runner_batch_acquire(tp_runner *runner);

/* Appends one input record to `batch` (copied, NUL added) with its position. An oversize
 * record (`full_length` over `limit`) is added already dead-lettered with a reason naming both.
 * Returns 0, or -1 on OOM or when the batch already holds TP_BATCH_RECORDS records. */
int tp_batch_add_record(tp_batch *batch, const char *bytes, size_t length,
                        const tp_position *position, uint64_t full_length, uint64_t limit);

/* tp_batch_add_record for a file line: position `line_number`, no entry id. */
int tp_batch_add_line(tp_batch *batch, const char *line, size_t length, uint64_t line_number,
                      uint64_t full_length, uint64_t limit);

/* Appends `length` bytes and a line feed to the batch's dead-letters. Returns 0, or -1 on OOM. */
int tp_batch_add_dead_letter(tp_batch *batch, const char *text, size_t length);

/* Whether `batch` reached TP_BATCH_RECORDS records or TP_BATCH_BYTES bytes. */
int tp_batch_full(const tp_batch *batch);

/* CSV input: records are made with these columns (csv.h) from now on. `header` must stay
 * valid while the runner runs; set it before submitting the first batch of rows. */
void tp_runner_set_csv_header(tp_runner *runner, const tp_csv_row *header);

/* Queues `batch` on worker (sequence mod workers). The runner owns it until `ready`. The worker
 * is woken once for all the batches it was given in a loop turn, before the loop next waits
 * (a uv_prepare_t), so the loop must run for the batch to start. */
void tp_runner_submit(tp_runner *runner, tp_batch *batch);

/* Returns a batch to the pool: one handed to `ready`, or one acquired and never submitted. */
void tp_runner_batch_release(tp_runner *runner, tp_batch *batch);

/* Submitted batches not yet released, and their input bytes. */
size_t tp_runner_in_flight(const tp_runner *runner);
size_t tp_runner_in_flight_bytes(const tp_runner *runner);

/* The number of workers actually running. */
size_t tp_runner_workers(const tp_runner *runner);

/* Hard stop: no worker starts another batch (queued ones are left as they are). Returns how
 * many workers are still inside a batch: 0 means tp_runner_finish() may be called and returns
 * promptly; otherwise the process must not wait for them (nor free the runner). */
size_t tp_runner_abandon(tp_runner *runner);

/* Stops and joins the workers (every submitted batch must have been released) and closes the
 * async handle (the loop must run once more to finish closing it). Then merges partials and
 * runs finish() per stage into `sections` (with each merged partial exported into `exports`
 * first, unless it is NULL: tp_stages_finish_exporting), and sums per-stage stats into `stats`
 * (stage_count entries, caller-owned). Returns 0, or -1 with err filled. Call once. */
int tp_runner_finish(tp_runner *runner, cJSON *sections, cJSON *exports, tp_stage_stats *stats,
                     tp_error *err);

/* tp_runner_finish in two calls, so that something else can use the merged partials (export
 * and print them, on another thread) while the stages finish: tp_runner_merge stops and joins
 * the workers, closes the async handle, sums the stats and merges (and exports, unless
 * `exports` is NULL) every stage's partials (tp_stages_merge_exporting); then
 * tp_runner_finish_merged runs finish() per stage into `sections` (tp_stages_finish_merged,
 * `gate` called before each), touching neither `exports` nor `stats`. Each returns 0, or -1
 * with err filled; tp_runner_finish_merged only after tp_runner_merge returned 0. */
int tp_runner_merge(tp_runner *runner, cJSON *exports, tp_stage_stats *stats, tp_error *err);
int tp_runner_finish_merged(tp_runner *runner, cJSON *sections, const tp_finish_gate *gate,
                            tp_error *err);

/* After tp_runner_merge: the merged partials, one per stage (NULL where a stage keeps none),
 * owned by the runner; another thread may export them (tp_stage_export) as long as `gate`
 * holds each stage's finish() until its export is done. */
void **tp_runner_merged(tp_runner *runner);

/* With nothing in flight (tp_runner_in_flight() == 0, so every worker waits): adds worker
 * `worker`'s partial of each stage, as partial_export() gives it, to `exports` under the stage
 * id, and copies its per-stage stats into `stats` (stage_count entries). The partials go on
 * unchanged. Returns 0, or -1 with err (OOM). */
int tp_runner_export_worker(tp_runner *runner, size_t worker, cJSON *exports, tp_stage_stats *stats,
                            tp_error *err);

/* Frees the runner (after tp_runner_finish and the loop closing its handle). NULL is a no-op. */
void tp_runner_free(tp_runner *runner);

#endif /* TP_CORE_RUNNER_H */
