/* tests/unit/test_pipeline.c - hand-built pipelines for the unit tests (test_pipeline.h). */
#include "test_pipeline.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

tp_pipeline *test_pipeline_new(const tp_plugin *const *plugins, size_t count,
                               tp_input_format format, const char *text_field) {
  tp_pipeline *pipeline = calloc(1, sizeof *pipeline);
  ck_assert_ptr_nonnull(pipeline);
  pipeline->path = strdup("test.json");
  pipeline->name = strdup("test");
  pipeline->input_format = format;
  pipeline->text_field = strdup(text_field != NULL ? text_field : "text");
  pipeline->max_record_bytes = 16u * 1024 * 1024;
  pipeline->stages = calloc(count + 1, sizeof *pipeline->stages);
  pipeline->handles = calloc(count + 1, sizeof *pipeline->handles);
  pipeline->stage_count = count;
  pipeline->handle_count = count;
  pipeline->concurrent = 1;
  for (size_t i = 0; i < count; i++) {
    tp_plugin_handle *handle = calloc(1, sizeof *handle);
    handle->path = strdup("(in process)");
    handle->plugin = plugins[i];
    pipeline->handles[i] = handle;
    tp_stage *stage = &pipeline->stages[i];
    char id[32];
    snprintf(id, sizeof id, "%s%zu", plugins[i]->name, i);
    stage->id = strdup(id);
    stage->index = i;
    stage->handle = handle;
    stage->config = cJSON_CreateObject();
    stage->pipeline = pipeline;
    char err[256] = "";
    ck_assert_int_eq(
        plugins[i]->create(tp_host_api(), stage, stage->config, &stage->instance, err, sizeof err),
        0);
    if (!(plugins[i]->flags & TP_PLUGIN_CONCURRENT))
      pipeline->concurrent = 0;
  }
  return pipeline;
}

void test_pipeline_free(tp_pipeline *pipeline) {
  for (size_t i = 0; i < pipeline->stage_count; i++) {
    tp_stage *stage = &pipeline->stages[i];
    if (stage->handle->plugin->destroy != NULL)
      stage->handle->plugin->destroy(stage->instance);
    cJSON_Delete(stage->config);
    free(stage->id);
    free(pipeline->handles[i]->path);
    free(pipeline->handles[i]);
  }
  free(pipeline->stages);
  free(pipeline->handles);
  free(pipeline->path);
  free(pipeline->name);
  free(pipeline->text_field);
  free(pipeline);
}
