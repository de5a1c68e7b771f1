/* core/run/checkpoint.h - a consumer's state for a broker checkpoint.
 *
 * When the stream checkpoints (nothing in flight), it stores what it has counted and every
 * worker's partial, exactly covering the records acknowledged with it:
 *   {"textpipe_checkpoint": 1, "documents": [PARTIAL, ...]}
 * Mid-run, one partial document (partial_file.h) per worker, the run's counts in the first
 * (zeros in the others): the workers go on with their partials, so they cannot be merged yet.
 * The last checkpoint, once the run has merged its workers' partials for the report, is one
 * document of the merged partial (smaller: what the workers share is there once). `textpipe
 * merge` reads these back and merges every document of every consumer.
 */
#ifndef TP_CORE_CHECKPOINT_H
#define TP_CORE_CHECKPOINT_H

#include "pipeline.h"
#include "report.h"
#include "runner.h"

/* Builds the checkpoint text (compact JSON, caller frees with cJSON_free). `runner` must have
 * nothing in flight. Returns it, or NULL with err. */
char *tp_checkpoint_build(const tp_pipeline *pipeline, tp_runner *runner, const char *source,
                          const tp_run_counts *counts, double seconds, tp_error *err);

/* The last checkpoint: one document from the run's merged partials (`*exports`, as
 * tp_runner_finish exported them; lent to the document and handed back, so the caller keeps
 * them), its summed stats and `workers`. Returns the text (caller frees), or NULL with err
 * (*exports is then NULL when it could not be handed back). */
char *tp_checkpoint_build_merged(const tp_pipeline *pipeline, const char *source,
                                 const tp_run_counts *counts, size_t workers, double seconds,
                                 const tp_stage_stats *stats, cJSON **exports, tp_error *err);

/* The partial documents in a checkpoint (parsed JSON), or NULL when it is not one. */
const cJSON *tp_checkpoint_documents(const cJSON *checkpoint);

#endif /* TP_CORE_CHECKPOINT_H */
