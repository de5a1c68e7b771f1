/* core/run/stages.h - running a pipeline's stages: partials, one record through one stage, and
 * the end of stream (merge + finish into report sections).
 *
 * Shared by the threaded runner (runner.c) and the synchronous harness (harness.c), so both
 * treat results, errors and partials exactly alike.
 */
#ifndef TP_CORE_STAGES_H
#define TP_CORE_STAGES_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "pipeline.h"
#include "record.h"

/* Counts and time of one stage (on one worker, or summed over all of them). */
typedef struct tp_stage_stats {
  double seconds;
  uint64_t records; /* records handed to process() */
  uint64_t dropped;
  uint64_t errors;
} tp_stage_stats;

/* Creates one partial per stage for one worker. Returns a stage_count array (entries NULL for
 * stages without partial_create) that tp_partials_destroy frees; NULL with err filled when a
 * partial_create fails (everything already made is freed). */
void **tp_partials_create(const tp_pipeline *pipeline, tp_error *err);

/* Destroys the partials of one worker and the array. NULL is a no-op. */
void tp_partials_destroy(const tp_pipeline *pipeline, void **partials);

/* Runs `stage` on `record` with the worker's `partial`, updating `stats`. Returns the plugin's
 * result; on TP_ERROR `reason` holds the plugin's message (a default if it left it empty). */
tp_result tp_stage_process(const tp_stage *stage, void *partial, tp_record *record,
                           tp_stage_stats *stats, char *reason, size_t reason_size);

/* Runs `stage` on `count` records at once through its process_batch() (ABI 2.1; only for a
 * plugin that has it), updating `stats` as `count` tp_stage_process calls would. results[i]
 * receives record i's result and, on TP_ERROR, reasons + i * reason_size its message. */
void tp_stage_process_batch(const tp_stage *stage, void *partial, tp_record *const *records,
                            size_t count, tp_stage_stats *stats, tp_result *results, char *reasons,
                            size_t reason_size);

/* The same in two halves through batch_submit() and batch_collect() (ABI 2.2; only for a
 * plugin that has them): submit hands the records over and returns at once; collect waits,
 * fills results and reasons (the arrays given to submit) and counts them in `stats`. */
void tp_stage_batch_submit(const tp_stage *stage, void *partial, tp_record *const *records,
                           size_t count, tp_result *results, char *reasons, size_t reason_size);
void tp_stage_batch_collect(const tp_stage *stage, void *partial, tp_record *const *records,
                            size_t count, tp_stage_stats *stats, tp_result *results, char *reasons,
                            size_t reason_size);

/* End of stream: for each stage in pipeline order, merges partials[1..workers-1][stage] into
 * partials[0][stage] (destroying the merged ones and setting them NULL), then calls finish()
 * into a new object added to `sections` under the stage id (stages without finish() add
 * nothing). While it runs, each finished stage's `section` member points at its section, which
 * host->report_section() of later stages reads; all are NULL again when it returns. Returns 0,
 * or -1 with err naming the stage (sections keeps what was done). */
int tp_stages_finish(const tp_pipeline *pipeline, void ***partials, size_t workers, cJSON *sections,
                     tp_error *err);

/* tp_stages_finish that also adds each stage's merged partial, as partial_export() gives it,
 * to `exports` under the stage id, before any finish() (stages without partials or without
 * partial_export add nothing; `exports` NULL: none): tp_stages_merge_exporting, then
 * tp_stages_finish_merged. Returns 0, or -1 with err. */
int tp_stages_finish_exporting(const tp_pipeline *pipeline, void ***partials, size_t workers,
                               cJSON *sections, cJSON *exports, tp_error *err);

/* The first half of tp_stages_finish_exporting: for every stage, merges
 * partials[1..workers-1][stage] into partials[0][stage] (destroying the merged ones and
 * setting them NULL) and exports the merged partial into `exports` (unless NULL). The exports
 * are then a tree of their own: another thread may print them while finish() runs. Returns 0,
 * or -1 with err naming the stage. */
int tp_stages_merge_exporting(const tp_pipeline *pipeline, void ***partials, size_t workers,
                              cJSON *exports, tp_error *err);

/* Adds `stage`'s partial, as partial_export() gives it, to `exports` under the stage id
 * (nothing when `partial` is NULL or the plugin has no partial_export). Returns 0, or -1 with
 * err (out of memory). */
int tp_stage_export(const tp_stage *stage, void *partial, cJSON *exports, tp_error *err);

/* What tp_stages_finish_merged calls before each stage's finish() (which may change the
 * partial): with the stage's index, so that another thread exporting the merged partials
 * can be waited for, stage by stage. */
typedef struct tp_finish_gate {
  void (*before_finish)(void *context, size_t stage);
  void *context;
} tp_finish_gate;

/* The second half: finish() of every stage, in pipeline order, on the merged partials
 * (`merged`: partials[0] above) into `sections`, each stage's `section` member set for
 * host->report_section() of later stages while it runs and NULL again when it returns; `gate`
 * (NULL: none) is passed each stage before its finish(). Returns 0, or -1 with err naming the
 * stage (sections keeps what was done). */
int tp_stages_finish_merged(const tp_pipeline *pipeline, void **merged, cJSON *sections,
                            const tp_finish_gate *gate, tp_error *err);

#endif /* TP_CORE_STAGES_H */
