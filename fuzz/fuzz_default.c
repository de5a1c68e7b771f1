/* fuzz/fuzz_default.c - the default pipeline (pipelines/comments.json, every stage it has) on
 * arbitrary records, then the end of stream as a two-worker run ends it: records alternate
 * between two partial states, the second is exported to JSON and imported back (as partials
 * from another process would be) when its stages support that, the two are merged and every
 * stage's finish() writes its report section.
 *
 * Input: NDJSON-ish lines (anything goes; a line the core rejects is a dead-letter).
 * Checks: every record that comes through prints as one valid JSON object, every stage error
 * has a reason, exported partials are JSON objects or arrays, the report sections print as one
 * valid JSON object.
 */
#include "fuzz_support.h"

static tp_pipeline *pipeline;

/* At exit, so that leak checkers see a clean end. */
static void free_pipeline(void) {
  tp_pipeline_free(pipeline);
}

/* Replaces each stage's partial in `partials` by its export/import round trip, where the
 * stage has both. */
static void round_trip(void **partials) {
  for (size_t s = 0; s < pipeline->stage_count; s++) {
    const tp_stage *stage = &pipeline->stages[s];
    const tp_plugin *plugin = stage->handle->plugin;
    if (partials[s] == NULL || plugin->partial_export == NULL || plugin->partial_import == NULL)
      continue;
    cJSON *exported = plugin->partial_export(stage->instance, partials[s]);
    if (exported == NULL)
      continue; /* out of memory */
    char *printed = cJSON_PrintUnformatted(exported);
    FUZZ_CHECK(printed == NULL || tp_utf8_valid_prefix(printed, strlen(printed)) == strlen(printed),
               "%s: exported partial is not valid UTF-8", stage->id);
    free(printed);
    char err[TP_REASON_SIZE] = "";
    void *imported = plugin->partial_import(stage->instance, exported, err, sizeof err);
    cJSON_Delete(exported);
    FUZZ_CHECK(imported != NULL, "%s: cannot import its own export: %s", stage->id, err);
    if (plugin->partial_destroy != NULL)
      plugin->partial_destroy(stage->instance, partials[s]);
    partials[s] = imported;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tp_error err = {{0}};
  if (pipeline == NULL) {
    pipeline = fuzz_load_pipeline("pipelines/comments.json");
    atexit(free_pipeline);
  }
  void **partials[2] = {tp_partials_create(pipeline, &err), tp_partials_create(pipeline, &err)};
  FUZZ_CHECK(partials[0] != NULL && partials[1] != NULL, "%s", err.message);
  char *text = malloc(size + 1);
  FUZZ_CHECK(text != NULL, "out of memory");
  memcpy(text, data, size);
  text[size] = '\0';
  uint64_t number = 0;
  for (char *line = text; line < text + size;) {
    char *end = memchr(line, '\n', (size_t)(text + size - line));
    if (end == NULL)
      end = text + size;
    *end = '\0';
    number++;
    tp_record record = {0};
    char reason[TP_REASON_SIZE];
    if (tp_record_prepare(&record, pipeline, line, (size_t)(end - line), number, reason,
                          sizeof reason) == 0)
      fuzz_run_record(pipeline, partials[number % 2], &record);
    tp_record_release(&record);
    line = end + 1;
  }
  free(text);
  round_trip(partials[1]);
  fuzz_finish(pipeline, partials, 2);
  tp_partials_destroy(pipeline, partials[0]);
  tp_partials_destroy(pipeline, partials[1]);
  return 0;
}
