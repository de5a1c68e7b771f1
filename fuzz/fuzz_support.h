/* fuzz/fuzz_support.h - what the fuzz targets share: loading a pipeline file of the source
 * tree once, running one record through every stage, and the checks every target makes on
 * what comes out (valid UTF-8, one JSON object). A failed check calls abort(), which
 * libFuzzer (and the replay driver, replay.c) report as a crash with the input saved.
 * Header-only (static functions), so each target stays one source file.
 */
#ifndef TP_FUZZ_SUPPORT_H
#define TP_FUZZ_SUPPORT_H

#include <dirent.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "host.h"
#include "pipeline.h"
#include "record.h"
#include "stages.h"
#include "tp_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(condition, ...)                                                                 \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      fprintf(stderr, "fuzz check failed: %s: ", #condition);                                      \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* Opens every plugin of the build tree once and never closes it: libFuzzer keeps pointers
 * to each instrumented module's coverage counters, which a dlclose() by the loader would
 * unmap. Call before the first load. */
static inline void fuzz_pin_plugins(void) {
  static int pinned;
  if (pinned++)
    return;
  DIR *dir = opendir(TP_BUILD_PLUGIN_DIR);
  struct dirent *entry;
  while (dir != NULL && (entry = readdir(dir)) != NULL) {
    if (entry->d_name[0] == '.')
      continue;
    char path[4096]; /* plugins/<name>/<name>.so in the build tree */
    snprintf(path, sizeof path, "%s/%s/%s.so", TP_BUILD_PLUGIN_DIR, entry->d_name, entry->d_name);
    (void)dlopen(path, RTLD_NOW | RTLD_NODELETE);
  }
  if (dir != NULL)
    closedir(dir);
}

/* Loads `relative` (a path under the source root, e.g. "pipelines/comments.json") with the
 * real host and the build tree's plugins; aborts if it does not load. Never freed: one per
 * fuzz process. */
static inline tp_pipeline *fuzz_load_pipeline(const char *relative) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", TP_SOURCE_ROOT, relative);
  fuzz_pin_plugins();
  tp_loader_options options = {NULL, tp_host_api()};
  tp_pipeline *pipeline = NULL;
  tp_error err = {{0}};
  FUZZ_CHECK(tp_pipeline_load(path, &options, &pipeline, &err) == 0, "%s", err.message);
  return pipeline;
}

/* Checks that `text` (NUL-terminated) is valid UTF-8 and one JSON object. */
static inline void fuzz_check_json_object(const char *text, const char *what) {
  size_t length = strlen(text);
  FUZZ_CHECK(tp_utf8_valid_prefix(text, length) == length, "%s is not valid UTF-8", what);
  cJSON *parsed = cJSON_ParseWithLength(text, length);
  FUZZ_CHECK(cJSON_IsObject(parsed), "%s is not a JSON object: %.200s", what, text);
  cJSON_Delete(parsed);
}

/* Runs a prepared record through every stage of `pipeline` with `partials`, as a worker does.
 * Returns TP_KEEP when it came through (its printed form checked), else the failing result
 * (an error then has a message). The record is reset either way. */
static inline tp_result fuzz_run_record(const tp_pipeline *pipeline, void **partials,
                                        tp_record *record) {
  tp_stage_stats stats = {0};
  char reason[TP_REASON_SIZE];
  tp_result result = TP_KEEP;
  for (size_t s = 0; s < pipeline->stage_count && result == TP_KEEP; s++) {
    result =
        tp_stage_process(&pipeline->stages[s], partials[s], record, &stats, reason, sizeof reason);
    if (result == TP_ERROR)
      FUZZ_CHECK(reason[0] != '\0', "stage %s failed without a reason", pipeline->stages[s].id);
  }
  if (result == TP_KEEP) {
    char *printed = cJSON_PrintUnformatted(record->json);
    if (printed != NULL) /* NULL is out of memory: not a finding */
      fuzz_check_json_object(printed, "the enriched record");
    free(printed);
  }
  tp_record_reset(record);
  return result;
}

/* End of stream over `workers` partial sets: merge into the first and finish() every stage;
 * the report sections must print as one valid JSON object (a failed merge or finish has
 * a message, which is the stage's business). */
static inline void fuzz_finish(const tp_pipeline *pipeline, void ***partials, size_t workers) {
  tp_error err = {{0}};
  cJSON *sections = cJSON_CreateObject();
  if (sections != NULL && tp_stages_finish(pipeline, partials, workers, sections, &err) == 0) {
    char *printed = cJSON_PrintUnformatted(sections);
    if (printed != NULL)
      fuzz_check_json_object(printed, "the report sections");
    free(printed);
  } else if (sections != NULL) {
    FUZZ_CHECK(err.message[0] != '\0', "end of stream failed without a message");
  }
  cJSON_Delete(sections);
}

#endif /* TP_FUZZ_SUPPORT_H */
