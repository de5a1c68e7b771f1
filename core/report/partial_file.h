/* core/report/partial_file.h - a run's partial state as one JSON document, and merging several.
 *
 * `textpipe run --partial FILE` writes what its report would be built from, before finish():
 * the core's counts and per-stage stats, and each stage's merged partial as its plugin's
 * partial_export() gives it, with the pipeline it ran (path, and each stage's id, plugin and
 * validated config, so partials of different pipelines are refused). `textpipe merge` (and a
 * broker's checkpoints, which hold the same document) turns several back into one report:
 * each stage's partial_import(), the plugin's own merge(), then finish().
 *
 * The document: {"textpipe_partial": 1, "pipeline": PATH, "stages": [{"id", "plugin",
 * "config"}], "source": NAME, "workers": N, "seconds": S, "counts": {"in", "out", "dropped",
 * "dead_letter", "skipped_empty", "not_written", "bytes"}, "stats": {ID: {"seconds",
 * "records", "dropped", "errors"}}, "partials": {ID: EXPORTED}}.
 */
#ifndef TP_CORE_PARTIAL_FILE_H
#define TP_CORE_PARTIAL_FILE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "pipeline.h"
#include "report.h"
#include "stages.h"

/* The version written in "textpipe_partial". */
#define TP_PARTIAL_VERSION 1

/* The most a partial file read by merge may hold: a run's state is a few MB to tens of MB (the
 * default pipeline on 50 MB: about 13 MB), far beyond a pipeline file's cap. */
#define TP_PARTIAL_FILE_MAX_BYTES ((size_t)256 * 1024 * 1024)

/* What a merge gives: the same parts a run's report is built from. */
typedef struct tp_partial_merged {
  tp_run_counts counts;
  double seconds;        /* the sum of the parts' run times */
  size_t workers;        /* the sum of the parts' workers */
  cJSON *sections;       /* each stage's finish() section (owned) */
  cJSON *partials;       /* each stage's merged partial, exported again (owned) */
  tp_stage_stats *stats; /* stage_count entries (owned) */
} tp_partial_merged;

/* Builds the document for one run's parts (`exports` as tp_stages_finish_exporting filled
 * it, taken over in all cases; NULL: none). Returns a new object, or NULL on OOM. */
cJSON *tp_partial_build(const tp_pipeline *pipeline, const char *source,
                        const tp_run_counts *counts, size_t workers, double seconds,
                        const tp_stage_stats *stats, cJSON *exports);

/* Writes a document to `path`. Returns 0, or -1 with a message naming the path in err. */
int tp_partial_write(const cJSON *document, const char *path, tp_error *err);

/* Reads the document at `path` (big number literals kept, json_literals.h). Returns it, or
 * NULL with err naming the path (and line:column for bad JSON). */
cJSON *tp_partial_read(const char *path, tp_error *err);

/* The pipeline file a document was written for ("pipeline"), or NULL. */
const char *tp_partial_pipeline_path(const cJSON *document);

/* Merges `count` documents (named by `names[i]` in messages) for `pipeline`: checks each was
 * written for the same stages and configs, imports each stage's partial, merges them in order
 * with the plugin's merge() and runs finish(). Fills `merged` (free with
 * tp_partial_merged_free). Returns 0, or -1 with err naming the document and JSON path. */
int tp_partial_merge(const tp_pipeline *pipeline, cJSON *const *documents, const char *const *names,
                     size_t count, tp_partial_merged *merged, tp_error *err);

void tp_partial_merged_free(tp_partial_merged *merged);

#endif /* TP_CORE_PARTIAL_FILE_H */
