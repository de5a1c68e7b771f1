/* core/report/partial_file.c - a run's partial state as JSON, and merging several
 * (partial_file.h). */
#include "partial_file.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "json_literals.h"
#include "json_source.h"

/* Counts are written as JSON numbers; below 2^53 a double holds them exactly. */
#define TP_COUNT_EXACT_BELOW 9007199254740992.0

static const char *const count_names[] = {
    "in", "out", "dropped", "dead_letter", "skipped_empty", "not_written", "bytes"};

static uint64_t *count_field(tp_run_counts *counts, size_t index) {
  uint64_t *const fields[] = {&counts->in,          &counts->out,           &counts->dropped,
                              &counts->dead_letter, &counts->skipped_empty, &counts->not_written,
                              &counts->bytes};
  return fields[index];
}

static cJSON *stages_json(const tp_pipeline *pipeline) {
  cJSON *stages = cJSON_CreateArray();
  for (size_t s = 0; stages != NULL && s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    cJSON *entry = cJSON_CreateObject();
    cJSON *config = cJSON_Duplicate(stage->config, 1);
    if (entry == NULL || (stage->config != NULL && config == NULL) ||
        !cJSON_AddItemToArray(stages, entry) ||
        cJSON_AddStringToObject(entry, "id", stage->id) == NULL ||
        cJSON_AddStringToObject(entry, "plugin", stage->handle->plugin->name) == NULL ||
        !cJSON_AddItemToObject(entry, "config", config != NULL ? config : cJSON_CreateObject())) {
      cJSON_Delete(config);
      cJSON_Delete(stages);
      return NULL;
    }
  }
  return stages;
}

cJSON *tp_partial_build(const tp_pipeline *pipeline, const char *source,
                        const tp_run_counts *counts, size_t workers, double seconds,
                        const tp_stage_stats *stats, cJSON *exports) {
  cJSON *document = cJSON_CreateObject();
  cJSON *stages = stages_json(pipeline);
  cJSON *count_object = cJSON_CreateObject();
  cJSON *stats_object = cJSON_CreateObject();
  cJSON *partials = exports != NULL ? exports : cJSON_CreateObject();
  char resolved[PATH_MAX];
  const char *path = realpath(pipeline->path, resolved) != NULL ? resolved : pipeline->path;
  int ok = document != NULL && stages != NULL && count_object != NULL && stats_object != NULL &&
           partials != NULL;
  ok = ok && cJSON_AddNumberToObject(document, "textpipe_partial", TP_PARTIAL_VERSION) != NULL;
  ok = ok && cJSON_AddStringToObject(document, "pipeline", path) != NULL;
  ok = ok && cJSON_AddItemToObject(document, "stages", stages) && (stages = NULL, 1);
  ok = ok && cJSON_AddStringToObject(document, "source", source) != NULL;
  ok = ok && cJSON_AddNumberToObject(document, "workers", (double)workers) != NULL;
  ok = ok && cJSON_AddNumberToObject(document, "seconds", seconds) != NULL;
  ok = ok && cJSON_AddItemToObject(document, "counts", count_object) && (count_object = NULL, 1);
  for (size_t i = 0; ok && i < sizeof count_names / sizeof *count_names; i++) {
    tp_run_counts copy = *counts;
    ok = cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(document, "counts"),
                                 count_names[i], (double)*count_field(&copy, i)) != NULL;
  }
  ok = ok && cJSON_AddItemToObject(document, "stats", stats_object) && (stats_object = NULL, 1);
  cJSON *stats_in = cJSON_GetObjectItemCaseSensitive(document, "stats");
  for (size_t s = 0; ok && s < pipeline->stage_count; s++) {
    cJSON *entry = cJSON_AddObjectToObject(stats_in, pipeline->stages[s].id);
    ok = entry != NULL && cJSON_AddNumberToObject(entry, "seconds", stats[s].seconds) != NULL &&
         cJSON_AddNumberToObject(entry, "records", (double)stats[s].records) != NULL &&
         cJSON_AddNumberToObject(entry, "dropped", (double)stats[s].dropped) != NULL &&
         cJSON_AddNumberToObject(entry, "errors", (double)stats[s].errors) != NULL;
  }
  ok = ok && cJSON_AddItemToObject(document, "partials", partials) && (partials = NULL, 1);
  cJSON_Delete(stages);
  cJSON_Delete(count_object);
  cJSON_Delete(stats_object);
  cJSON_Delete(partials);
  if (!ok) {
    cJSON_Delete(document);
    return NULL;
  }
  return document;
}

int tp_partial_write(const cJSON *document, const char *path, tp_error *err) {
  return tp_json_write_file(document, 0, path, "partial", err);
}

cJSON *tp_partial_read(const char *path, tp_error *err) {
  cJSON *document = NULL;
  char *text = NULL;
  size_t length = 0;
  if (tp_json_load_file_capped(path, TP_PARTIAL_FILE_MAX_BYTES, "partial", &document, &text,
                               &length, err) != 0)
    return NULL;
  const cJSON *version = cJSON_GetObjectItemCaseSensitive(document, "textpipe_partial");
  if (!cJSON_IsObject(document) || !cJSON_IsNumber(version)) {
    snprintf(err->message, sizeof err->message,
             "%s: not a textpipe partial (no \"textpipe_partial\" version)", path);
    goto fail;
  }
  if (version->valuedouble != TP_PARTIAL_VERSION) {
    snprintf(err->message, sizeof err->message,
             "%s: textpipe_partial: version %g, this textpipe reads version %d", path,
             version->valuedouble, TP_PARTIAL_VERSION);
    goto fail;
  }
  if (tp_json_keep_number_literals(document, text, length) != 0) {
    snprintf(err->message, sizeof err->message, "%s: out of memory", path);
    goto fail;
  }
  free(text);
  return document;
fail:
  free(text);
  cJSON_Delete(document);
  return NULL;
}

const char *tp_partial_pipeline_path(const cJSON *document) {
  const cJSON *path = cJSON_GetObjectItemCaseSensitive(document, "pipeline");
  return cJSON_IsString(path) ? path->valuestring : NULL;
}

/* A whole number from 0 to 2^53 at `key` of `object`. Returns 0, or -1. */
static int read_count(const cJSON *object, const char *key, uint64_t *out) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0) ||
      item->valuedouble >= TP_COUNT_EXACT_BELOW || floor(item->valuedouble) != item->valuedouble)
    return -1;
  *out = (uint64_t)item->valuedouble;
  return 0;
}

/* Checks that `document` was written for `pipeline`'s stages and adds its counts and stats
 * into `merged`. Returns 0, or -1 with err ("NAME: stages[1].config: ..."). */
static int add_document(const tp_pipeline *pipeline, const cJSON *document, const char *name,
                        tp_partial_merged *merged, tp_error *err) {
  const cJSON *stages = cJSON_GetObjectItemCaseSensitive(document, "stages");
  if (!cJSON_IsArray(stages) || (size_t)cJSON_GetArraySize(stages) != pipeline->stage_count) {
    snprintf(err->message, sizeof err->message,
             "%s: stages: written for another pipeline (expected %zu stages, as in %s)", name,
             pipeline->stage_count, pipeline->path);
    return -1;
  }
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    const cJSON *entry = cJSON_GetArrayItem(stages, (int)s);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, "id");
    const cJSON *plugin = cJSON_GetObjectItemCaseSensitive(entry, "plugin");
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(entry, "config");
    const char *what =
        !cJSON_IsString(id) || strcmp(id->valuestring, stage->id) != 0 ? "id"
        : !cJSON_IsString(plugin) || strcmp(plugin->valuestring, stage->handle->plugin->name) != 0
            ? "plugin"
        : stage->config != NULL && !cJSON_Compare(config, stage->config, 1) ? "config"
                                                                            : NULL;
    if (what != NULL) {
      snprintf(err->message, sizeof err->message,
               "%s: stages[%zu].%s: differs from stage \"%s\" of %s (partials merge only for "
               "the same pipeline)",
               name, s, what, stage->id, pipeline->path);
      return -1;
    }
  }
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(document, "counts");
  for (size_t i = 0; i < sizeof count_names / sizeof *count_names; i++) {
    uint64_t value = 0;
    if (read_count(counts, count_names[i], &value) != 0) {
      snprintf(err->message, sizeof err->message, "%s: counts.%s: expected a whole number", name,
               count_names[i]);
      return -1;
    }
    *count_field(&merged->counts, i) += value;
  }
  const cJSON *seconds = cJSON_GetObjectItemCaseSensitive(document, "seconds");
  const cJSON *workers = cJSON_GetObjectItemCaseSensitive(document, "workers");
  merged->seconds += cJSON_IsNumber(seconds) && seconds->valuedouble > 0 ? seconds->valuedouble : 0;
  merged->workers +=
      cJSON_IsNumber(workers) && workers->valuedouble >= 1 ? (size_t)workers->valuedouble : 1;
  const cJSON *stats = cJSON_GetObjectItemCaseSensitive(document, "stats");
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const cJSON *entry = cJSON_GetObjectItemCaseSensitive(stats, pipeline->stages[s].id);
    uint64_t records = 0, dropped = 0, errors = 0;
    const cJSON *stage_seconds = cJSON_GetObjectItemCaseSensitive(entry, "seconds");
    if (read_count(entry, "records", &records) != 0 ||
        read_count(entry, "dropped", &dropped) != 0 || read_count(entry, "errors", &errors) != 0 ||
        !cJSON_IsNumber(stage_seconds)) {
      snprintf(err->message, sizeof err->message,
               "%s: stats.%s: expected {\"seconds\", \"records\", \"dropped\", \"errors\"}", name,
               pipeline->stages[s].id);
      return -1;
    }
    merged->stats[s].seconds += stage_seconds->valuedouble;
    merged->stats[s].records += records;
    merged->stats[s].dropped += dropped;
    merged->stats[s].errors += errors;
  }
  return 0;
}

int tp_partial_merge(const tp_pipeline *pipeline, cJSON *const *documents, const char *const *names,
                     size_t count, tp_partial_merged *merged, tp_error *err) {
  memset(merged, 0, sizeof *merged);
  int status = -1;
  void ***partials = calloc(count > 0 ? count : 1, sizeof *partials);
  merged->stats = calloc(pipeline->stage_count + 1, sizeof *merged->stats);
  merged->sections = cJSON_CreateObject();
  merged->partials = cJSON_CreateObject();
  if (partials == NULL || merged->stats == NULL || merged->sections == NULL ||
      merged->partials == NULL) {
    snprintf(err->message, sizeof err->message, "out of memory");
    goto done;
  }
  for (size_t d = 0; d < count; d++) {
    if (add_document(pipeline, documents[d], names[d], merged, err) != 0)
      goto done;
    if ((partials[d] = calloc(pipeline->stage_count + 1, sizeof *partials[d])) == NULL) {
      snprintf(err->message, sizeof err->message, "out of memory");
      goto done;
    }
    const cJSON *exported = cJSON_GetObjectItemCaseSensitive(documents[d], "partials");
    for (size_t s = 0; s < pipeline->stage_count; s++) {
      const tp_stage *stage = &pipeline->stages[s];
      const tp_plugin *plugin = stage->handle->plugin;
      if (plugin->partial_create == NULL)
        continue; /* a stage with no partial state */
      if (plugin->partial_import == NULL) {
        snprintf(err->message, sizeof err->message,
                 "stage \"%s\": plugin %s keeps partial state it cannot import "
                 "(no partial_import)",
                 stage->id, plugin->name);
        goto done;
      }
      const cJSON *data = cJSON_GetObjectItemCaseSensitive(exported, stage->id);
      char reason[TP_ERROR_SIZE / 2] = "";
      if (data == NULL) {
        snprintf(err->message, sizeof err->message, "%s: partials.%s: missing", names[d],
                 stage->id);
        goto done;
      }
      partials[d][s] = plugin->partial_import(stage->instance, data, reason, sizeof reason);
      if (partials[d][s] == NULL) {
        snprintf(err->message, sizeof err->message, "%s: partials.%s: %s", names[d], stage->id,
                 reason[0] ? reason : "cannot import");
        goto done;
      }
    }
  }
  if (count == 0) {
    snprintf(err->message, sizeof err->message, "nothing to merge");
    goto done;
  }
  status = tp_stages_finish_exporting(pipeline, partials, count, merged->sections, merged->partials,
                                      err);
done:
  for (size_t d = 0; partials != NULL && d < count; d++) {
    for (size_t s = 0; partials[d] != NULL && s < pipeline->stage_count; s++) {
      const tp_plugin *plugin = pipeline->stages[s].handle->plugin;
      if (partials[d][s] != NULL && plugin->partial_destroy != NULL)
        plugin->partial_destroy(pipeline->stages[s].instance, partials[d][s]);
    }
    free(partials[d]);
  }
  free(partials);
  return status;
}

void tp_partial_merged_free(tp_partial_merged *merged) {
  cJSON_Delete(merged->sections);
  cJSON_Delete(merged->partials);
  free(merged->stats);
  memset(merged, 0, sizeof *merged);
}
