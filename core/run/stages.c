/* core/run/stages.c - partials, one record through one stage, and the end of stream (stages.h). */
#include "stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void **tp_partials_create(const tp_pipeline *pipeline, tp_error *err) {
  void **partials = calloc(pipeline->stage_count ? pipeline->stage_count : 1, sizeof *partials);
  if (partials == NULL) {
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
  }
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    const tp_plugin *plugin = stage->handle->plugin;
    if (plugin->partial_create == NULL)
      continue;
    partials[s] = plugin->partial_create(stage->instance);
    if (partials[s] == NULL) {
      snprintf(err->message, sizeof err->message, "%s: out of memory creating the stage's state",
               stage->id);
      tp_partials_destroy(pipeline, partials);
      return NULL;
    }
  }
  return partials;
}

void tp_partials_destroy(const tp_pipeline *pipeline, void **partials) {
  if (partials == NULL)
    return;
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    const tp_plugin *plugin = stage->handle->plugin;
    if (partials[s] != NULL && plugin->partial_destroy != NULL)
      plugin->partial_destroy(stage->instance, partials[s]);
  }
  free(partials);
}

/* Counts `result` in `stats` and makes it one of keep/drop/error, with a reason for errors. */
static tp_result count_result(tp_result result, tp_stage_stats *stats, char *reason,
                              size_t reason_size) {
  stats->records++;
  switch (result) {
  case TP_KEEP:
    break;
  case TP_DROP:
    stats->dropped++;
    break;
  case TP_ERROR:
    stats->errors++;
    if (reason[0] == '\0')
      snprintf(reason, reason_size, "failed without a message");
    break;
  default:
    stats->errors++;
    snprintf(reason, reason_size, "process() returned %d, not keep/drop/error", (int)result);
    result = TP_ERROR;
    break;
  }
  return result;
}

tp_result tp_stage_process(const tp_stage *stage, void *partial, tp_record *record,
                           tp_stage_stats *stats, char *reason, size_t reason_size) {
  record->stage = stage;
  reason[0] = '\0';
  tp_result result =
      stage->handle->plugin->process(stage->instance, partial, record, reason, reason_size);
  record->stage = NULL;
  return count_result(result, stats, reason, reason_size);
}

/* Before a batch call: each record belongs to the stage, with an empty reason and a result
 * that a plugin forgetting one leaves as an error. */
static void batch_begin(const tp_stage *stage, tp_record *const *records, size_t count,
                        tp_result *results, char *reasons, size_t reason_size) {
  for (size_t i = 0; i < count; i++) {
    records[i]->stage = stage;
    reasons[i * reason_size] = '\0';
    results[i] = TP_ERROR;
  }
}

static void batch_end(tp_record *const *records, size_t count, tp_stage_stats *stats,
                      tp_result *results, char *reasons, size_t reason_size) {
  for (size_t i = 0; i < count; i++) {
    records[i]->stage = NULL;
    results[i] = count_result(results[i], stats, reasons + i * reason_size, reason_size);
  }
}

void tp_stage_process_batch(const tp_stage *stage, void *partial, tp_record *const *records,
                            size_t count, tp_stage_stats *stats, tp_result *results, char *reasons,
                            size_t reason_size) {
  batch_begin(stage, records, count, results, reasons, reason_size);
  stage->handle->plugin->process_batch(stage->instance, partial, records, count, results, reasons,
                                       reason_size);
  batch_end(records, count, stats, results, reasons, reason_size);
}

void tp_stage_batch_submit(const tp_stage *stage, void *partial, tp_record *const *records,
                           size_t count, tp_result *results, char *reasons, size_t reason_size) {
  batch_begin(stage, records, count, results, reasons, reason_size);
  stage->handle->plugin->batch_submit(stage->instance, partial, records, count, results, reasons,
                                      reason_size);
}

void tp_stage_batch_collect(const tp_stage *stage, void *partial, tp_record *const *records,
                            size_t count, tp_stage_stats *stats, tp_result *results, char *reasons,
                            size_t reason_size) {
  stage->handle->plugin->batch_collect(stage->instance, partial);
  batch_end(records, count, stats, results, reasons, reason_size);
}

int tp_stages_finish(const tp_pipeline *pipeline, void ***partials, size_t workers, cJSON *sections,
                     tp_error *err) {
  return tp_stages_finish_exporting(pipeline, partials, workers, sections, NULL, err);
}

int tp_stages_finish_exporting(const tp_pipeline *pipeline, void ***partials, size_t workers,
                               cJSON *sections, cJSON *exports, tp_error *err) {
  if (tp_stages_merge_exporting(pipeline, partials, workers, exports, err) != 0)
    return -1;
  return tp_stages_finish_merged(pipeline, partials[0], sections, NULL, err);
}

int tp_stages_merge_exporting(const tp_pipeline *pipeline, void ***partials, size_t workers,
                              cJSON *exports, tp_error *err) {
  char reason[TP_REASON_SIZE];
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    const tp_plugin *plugin = stage->handle->plugin;
    for (size_t w = 1; w < workers; w++) {
      if (partials[w][s] == NULL)
        continue;
      reason[0] = '\0';
      int merged = 0;
      if (plugin->merge != NULL && partials[0][s] != NULL)
        merged =
            plugin->merge(stage->instance, partials[0][s], partials[w][s], reason, sizeof reason);
      if (plugin->partial_destroy != NULL)
        plugin->partial_destroy(stage->instance, partials[w][s]);
      partials[w][s] = NULL;
      if (merged != 0) {
        snprintf(err->message, sizeof err->message, "%s: merge failed: %s", stage->id,
                 reason[0] ? reason : "no message");
        return -1;
      }
    }
    if (exports != NULL && tp_stage_export(stage, partials[0][s], exports, err) != 0)
      return -1;
  }
  return 0;
}

int tp_stage_export(const tp_stage *stage, void *partial, cJSON *exports, tp_error *err) {
  const tp_plugin *plugin = stage->handle->plugin;
  if (partial == NULL || plugin->partial_export == NULL)
    return 0;
  cJSON *exported = plugin->partial_export(stage->instance, partial);
  if (exported == NULL || !cJSON_AddItemToObject(exports, stage->id, exported)) {
    cJSON_Delete(exported);
    snprintf(err->message, sizeof err->message, "%s: out of memory exporting the partial",
             stage->id);
    return -1;
  }
  return 0;
}

int tp_stages_finish_merged(const tp_pipeline *pipeline, void **merged, cJSON *sections,
                            const tp_finish_gate *gate, tp_error *err) {
  char reason[TP_REASON_SIZE];
  int status = 0;
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    const tp_plugin *plugin = stage->handle->plugin;
    if (plugin->finish == NULL)
      continue;
    cJSON *section = cJSON_CreateObject();
    if (section == NULL) {
      snprintf(err->message, sizeof err->message, "out of memory");
      status = -1;
      goto done;
    }
    if (gate != NULL)
      gate->before_finish(gate->context, s);
    reason[0] = '\0';
    if (plugin->finish(stage->instance, merged[s], section, reason, sizeof reason) != 0) {
      cJSON_Delete(section);
      snprintf(err->message, sizeof err->message, "%s: end of stream failed: %s", stage->id,
               reason[0] ? reason : "no message");
      status = -1;
      goto done;
    }
    if (!cJSON_AddItemToObject(sections, stage->id, section)) {
      cJSON_Delete(section);
      snprintf(err->message, sizeof err->message, "%s: out of memory adding the report section",
               stage->id);
      status = -1;
      goto done;
    }
    pipeline->stages[s].section = section; /* for host->report_section of later stages */
  }
done:
  for (size_t s = 0; s < pipeline->stage_count; s++)
    pipeline->stages[s].section = NULL; /* `sections` may be freed once we return */
  return status;
}
