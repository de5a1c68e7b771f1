/* tests/support/plugin_under_test.c - one built-in plugin driven through the real loader,
 * config schema, host, record and stage code (see plugin_under_test.h).
 */
#include "plugin_under_test.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_bind.h"
#include "config_schema.h"
#include "host.h"
#include "plugin_loader.h"
#include "stages.h"

/* A record and the copy of the line it was made from (the record points into it). */
typedef struct put_owned_record {
  tp_record record; /* first member: a tp_record pointer is a put_owned_record pointer */
  char line[];
} put_owned_record;

void put_open(put_plugin *put, const char *name) {
  memset(put, 0, sizeof *put);
  tp_loader_options options = {getenv("TEXTPIPE_PLUGIN_PATH"), tp_host_api()};
  tp_error err = {""};
  ck_assert_msg(tp_plugin_open(name, NULL, &options, &put->handle, &err) == 0, "%s", err.message);
  put->plugin = put->handle->plugin;
  put->pipeline.name = (char *)name;
  put->pipeline.input_format = TP_INPUT_NDJSON;
  put->pipeline.text_field = (char *)"text";
  put->pipeline.stages = &put->stage;
  put->pipeline.stage_count = 1;
  put->pipeline.handles = &put->handle;
  put->pipeline.handle_count = 1;
  put->pipeline.concurrent = (put->plugin->flags & TP_PLUGIN_CONCURRENT) != 0;
  put->stage.id = (char *)put->plugin->name;
  put->stage.index = 0;
  put->stage.handle = put->handle;
  put->stage.pipeline = &put->pipeline;
}

void put_close(put_plugin *put) {
  for (size_t i = 0; i < put->config_count; i++) {
    cJSON_Delete(put->configs[i]);
    free(put->bound_configs[i]);
  }
  free(put->configs);
  free(put->bound_configs);
  tp_plugin_close(put->handle);
  memset(put, 0, sizeof *put);
}

int put_config(const put_plugin *put, const char *json, cJSON **config, tp_error *err) {
  cJSON *given = NULL;
  if (json != NULL) {
    given = cJSON_Parse(json);
    ck_assert_msg(given != NULL, "test config does not parse: %s", json);
  }
  char base_dir[PATH_MAX];
  ck_assert_ptr_nonnull(getcwd(base_dir, sizeof base_dir));
  char plugin_dir[PATH_MAX];
  snprintf(plugin_dir, sizeof plugin_dir, "%s", put->handle->path);
  char *slash = strrchr(plugin_dir, '/');
  if (slash != NULL)
    *slash = '\0';
  char file[128];
  snprintf(file, sizeof file, "%s test", put->plugin->name);
  tp_config_context context = {file, base_dir, plugin_dir};
  tp_json_path path;
  tp_json_path_init(&path);
  tp_json_path_key(&path, "config");
  int status = tp_config_validate(put->plugin->options, given, &context, &path, config, err);
  cJSON_Delete(given);
  return status;
}

int put_create(put_plugin *put, const char *json, void **instance, char *err, size_t err_size) {
  cJSON *config = NULL;
  tp_error config_err = {""};
  if (put_config(put, json, &config, &config_err) != 0) {
    snprintf(err, err_size, "%s", config_err.message);
    return -1;
  }
  cJSON **configs = realloc(put->configs, (put->config_count + 1) * sizeof *configs);
  ck_assert_ptr_nonnull(configs);
  put->configs = configs;
  void **bound = realloc(put->bound_configs, (put->config_count + 1) * sizeof *bound);
  ck_assert_ptr_nonnull(bound);
  put->bound_configs = bound;
  put->stage.bound_config = NULL;
  if (put->plugin->config_size > 0) { /* as a pipeline load does (host->stage_config) */
    put->stage.bound_config = calloc(1, put->plugin->config_size);
    ck_assert_ptr_nonnull(put->stage.bound_config);
    tp_config_bind(put->plugin->options, config, put->stage.bound_config);
  }
  put->bound_configs[put->config_count] = put->stage.bound_config;
  put->configs[put->config_count++] = config;
  *instance = NULL;
  err[0] = '\0';
  return put->plugin->create(tp_host_api(), &put->stage, config, instance, err, err_size);
}

tp_record *put_record(const put_plugin *put, const char *json, uint64_t line) {
  size_t length = strlen(json);
  put_owned_record *owned = calloc(1, sizeof *owned + length + 1);
  ck_assert_ptr_nonnull(owned);
  memcpy(owned->line, json, length + 1);
  char reason[TP_REASON_SIZE] = "";
  ck_assert_msg(tp_record_prepare(&owned->record, &put->pipeline, owned->line, length, line, reason,
                                  sizeof reason) == 0,
                "test record %s: %s", json, reason);
  return &owned->record;
}

void put_record_free(tp_record *record) {
  if (record == NULL)
    return;
  tp_record_release(record);
  free((put_owned_record *)record);
}

cJSON *put_record_take_json(tp_record *record) {
  cJSON *json = record->json;
  record->json = NULL;
  record->text = NULL;
  record->text_length = 0;
  return json;
}

tp_result put_process(put_plugin *put, void *instance, void *partial, tp_record *record, char *err,
                      size_t err_size) {
  tp_stage_stats stats = {0};
  put->stage.instance = instance;
  tp_result result = tp_stage_process(&put->stage, partial, record, &stats, err, err_size);
  put->stage.instance = NULL;
  return result;
}

int put_finish(put_plugin *put, void *instance, void *partial, const cJSON *sections,
               cJSON *section, char *err, size_t err_size) {
  /* The earlier stages, one per member of `sections`, each already finished with that
   * section: the pipeline's stage list while finish() runs. */
  size_t count = (size_t)cJSON_GetArraySize(sections);
  struct tp_stage *earlier = calloc(count + 1, sizeof *earlier);
  ck_assert_ptr_nonnull(earlier);
  size_t index = 0;
  for (const cJSON *item = sections != NULL ? sections->child : NULL; item != NULL;
       item = item->next, index++) {
    earlier[index].id = item->string;
    earlier[index].index = index;
    earlier[index].pipeline = &put->pipeline;
    earlier[index].section = item;
  }
  earlier[count] = put->stage;
  put->pipeline.stages = earlier;
  put->pipeline.stage_count = count + 1;
  err[0] = '\0';
  int status = put->plugin->finish(instance, partial, section, err, err_size);
  put->pipeline.stages = &put->stage;
  put->pipeline.stage_count = 1;
  free(earlier);
  return status;
}
