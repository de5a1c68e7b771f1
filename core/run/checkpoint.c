/* core/run/checkpoint.c - a consumer's state for a broker checkpoint (checkpoint.h). */
#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>

#include "json_print.h"
#include "partial_file.h"

/* {"textpipe_checkpoint": 1, "documents": []}, or NULL on OOM. */
static cJSON *checkpoint_create(cJSON **documents) {
  cJSON *checkpoint = cJSON_CreateObject();
  *documents = cJSON_CreateArray();
  if (checkpoint == NULL || *documents == NULL ||
      cJSON_AddNumberToObject(checkpoint, "textpipe_checkpoint", 1) == NULL ||
      !cJSON_AddItemToObject(checkpoint, "documents", *documents)) {
    cJSON_Delete(*documents);
    cJSON_Delete(checkpoint);
    return NULL;
  }
  return checkpoint;
}

/* The checkpoint as compact text (the core's printer: cJSON's output, much faster), or NULL
 * on OOM. */
static char *checkpoint_print(const cJSON *checkpoint) {
  size_t used = 0, capacity = 0;
  char *text = NULL, *ended = NULL;
  if (tp_json_print_append(checkpoint, &text, &used, &capacity) != 0 ||
      (ended = realloc(text, used + 1)) == NULL) {
    free(text);
    return NULL;
  }
  ended[used] = '\0';
  return ended;
}

char *tp_checkpoint_build(const tp_pipeline *pipeline, tp_runner *runner, const char *source,
                          const tp_run_counts *counts, double seconds, tp_error *err) {
  cJSON *documents = NULL;
  cJSON *checkpoint = checkpoint_create(&documents);
  tp_stage_stats *stats = calloc(pipeline->stage_count + 1, sizeof *stats);
  char *text = NULL;
  if (checkpoint == NULL || stats == NULL)
    goto oom;
  const tp_run_counts none = {0};
  for (size_t w = 0; w < tp_runner_workers(runner); w++) {
    cJSON *exports = cJSON_CreateObject();
    if (exports == NULL || tp_runner_export_worker(runner, w, exports, stats, err) != 0) {
      cJSON_Delete(exports);
      goto fail;
    }
    cJSON *document = tp_partial_build(pipeline, source, w == 0 ? counts : &none, 1,
                                       w == 0 ? seconds : 0, stats, exports);
    if (document == NULL || !cJSON_AddItemToArray(documents, document)) {
      cJSON_Delete(document);
      goto oom;
    }
  }
  if ((text = checkpoint_print(checkpoint)) != NULL)
    goto done;
oom:
  snprintf(err->message, sizeof err->message, "out of memory building a checkpoint");
fail:
  text = NULL;
done:
  cJSON_Delete(checkpoint);
  free(stats);
  return text;
}

char *tp_checkpoint_build_merged(const tp_pipeline *pipeline, const char *source,
                                 const tp_run_counts *counts, size_t workers, double seconds,
                                 const tp_stage_stats *stats, cJSON **exports, tp_error *err) {
  cJSON *documents = NULL;
  cJSON *checkpoint = checkpoint_create(&documents);
  char *text = NULL;
  cJSON *document = NULL;
  if (checkpoint != NULL) {
    cJSON *lent = *exports;
    *exports = NULL; /* taken over by the document until it is detached again below */
    document = tp_partial_build(pipeline, source, counts, workers, seconds, stats, lent);
    if (document != NULL && !cJSON_AddItemToArray(documents, document)) {
      cJSON_Delete(document);
      document = NULL;
    }
    if (document != NULL)
      text = checkpoint_print(checkpoint);
    if (document != NULL)
      *exports = cJSON_DetachItemFromObjectCaseSensitive(document, "partials");
  }
  if (text == NULL)
    snprintf(err->message, sizeof err->message, "out of memory building a checkpoint");
  cJSON_Delete(checkpoint);
  return text;
}

const cJSON *tp_checkpoint_documents(const cJSON *checkpoint) {
  const cJSON *documents = cJSON_GetObjectItemCaseSensitive(checkpoint, "documents");
  return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(checkpoint, "textpipe_checkpoint")) &&
                 cJSON_IsArray(documents)
             ? documents
             : NULL;
}
