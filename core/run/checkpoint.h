/* core/run/checkpoint.h - a consumer's state for a broker checkpoint.
 *
 * When the stream checkpoints (nothing in flight), it stores what it has counted and every
 * worker's partial, exactly covering the records acknowledged with it:
 *   {"textpipe_checkpoint": 1, "documents": [PARTIAL, ...]}
 * one partial document (partial_file.h) per worker, the run's counts in the first (zeros in
 * the others). `textpipe merge` reads these back and merges every document of every consumer.
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

/* The partial documents in a checkpoint (parsed JSON), or NULL when it is not one. */
const cJSON *tp_checkpoint_documents(const cJSON *checkpoint);

#endif /* TP_CORE_CHECKPOINT_H */
