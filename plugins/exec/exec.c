/* plugins/exec/exec.c - the exec stage: a long-lived co-process (any language) per worker.
 *
 * For each record the stage sends {"id": N, "record": {...}} as one line to the command's
 * stdin; the command answers one line {"id": N, "fields": {...}} (fields to set, each under a
 * key of the stage's "provides") or {"id": N, "error": "why"} (the record is dead-lettered
 * with that message). Everything about the process (start, timeouts, garbage, stderr,
 * restarts with backoff) is exec_child.c; this file is the stage around it.
 *
 * Under ABI 1 the core hands a stage one record per process() call and the stage may keep no
 * pointer into it, so each record is one exchange (a batch of one): the child must flush
 * each answer line. exec_child_exchange takes whole batches already, for a batch callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textpipe/plugin.h>

#include "exec_child.h"
#include "stage_keys.h"

static stage_keys all_keys;

__attribute__((destructor)) static void unload(void) {
  stage_keys_clear(&all_keys);
}

typedef struct exec_stage {
  const tp_host *host;
  const tp_stage *stage;
  exec_settings settings;
  char **argv;
  const char *keys[STAGE_KEYS_MAX];
  size_t key_count;
} exec_stage;

/* One worker's child and its request buffer. */
typedef struct exec_worker {
  exec_child child;
  char *request;
  size_t request_capacity;
} exec_worker;

static const tp_option options[] = {
    {.name = "command",
     .type = TP_OPTION_STRING_LIST,
     .description = "The program and its first arguments; the program is looked up on PATH",
     .required = 1},
    {.name = "script",
     .type = TP_OPTION_PATH,
     .description = "A file passed after the command (relative to the pipeline's folder)"},
    {.name = "args",
     .type = TP_OPTION_STRING_LIST,
     .default_json = "[]",
     .description = "More arguments, after the script"},
    {.name = "provides",
     .type = TP_OPTION_STRING_LIST,
     .description = "The record keys the command may set",
     .required = 1},
    {.name = "timeout_ms",
     .type = TP_OPTION_INT,
     .default_json = "30000",
     .min = 1,
     .max = 3600000,
     .description = "Longest wait for a batch's answers before the child is killed"},
    {.name = "max_in_flight_kb",
     .type = TP_OPTION_INT,
     .default_json = "1024",
     .min = 1,
     .max = 1048576,
     .description = "KB of requests written to the child and not yet answered, at most"},
    {.name = "restart_backoff_ms",
     .type = TP_OPTION_INT,
     .default_json = "100",
     .min = 0,
     .max = 60000,
     .description = "Wait before restarting a failed child; doubles per failure in a row, to 64x"},
    {.name = "stderr_lines",
     .type = TP_OPTION_INT,
     .default_json = "100",
     .min = 0,
     .max = 1000000,
     .description = "Lines of each child's stderr shown in the log; the rest are counted"},
    {.name = NULL},
};

static int int_option(const cJSON *config, const char *name) {
  return (int)cJSON_GetObjectItemCaseSensitive(config, name)->valuedouble;
}

static void destroy(void *instance) {
  exec_stage *stage = instance;
  if (stage == NULL)
    return;
  for (size_t i = 0; stage->argv != NULL && stage->argv[i] != NULL; i++)
    stage->host->free(stage->argv[i]);
  stage->host->free(stage->argv);
  stage->host->free(stage);
}

static char *copy_string(const tp_host *host, const char *text) {
  size_t length = strlen(text) + 1;
  char *copy = host->alloc(length);
  if (copy != NULL)
    memcpy(copy, text, length);
  return copy;
}

static int create(const tp_host *host, const tp_stage *stage_handle, const cJSON *config,
                  void **instance, char *err, size_t err_size) {
  exec_stage *stage = host->alloc(sizeof *stage);
  if (stage == NULL)
    goto out_of_memory;
  *stage = (exec_stage){.host = host, .stage = stage_handle};
  const cJSON *command = cJSON_GetObjectItemCaseSensitive(config, "command");
  const cJSON *script = cJSON_GetObjectItemCaseSensitive(config, "script");
  const cJSON *args = cJSON_GetObjectItemCaseSensitive(config, "args");
  size_t count =
      (size_t)cJSON_GetArraySize(command) + (script != NULL) + (size_t)cJSON_GetArraySize(args);
  if (cJSON_GetArraySize(command) == 0) {
    snprintf(err, err_size, "command: give at least the program to run");
    goto fail;
  }
  stage->argv = host->alloc((count + 1) * sizeof *stage->argv);
  if (stage->argv == NULL)
    goto out_of_memory;
  memset(stage->argv, 0, (count + 1) * sizeof *stage->argv);
  size_t used = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, command) {
    if ((stage->argv[used++] = copy_string(host, item->valuestring)) == NULL)
      goto out_of_memory;
  }
  if (script != NULL && (stage->argv[used++] = copy_string(host, script->valuestring)) == NULL)
    goto out_of_memory;
  cJSON_ArrayForEach(item, args) {
    if ((stage->argv[used++] = copy_string(host, item->valuestring)) == NULL)
      goto out_of_memory;
  }
  cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(config, "provides")) {
    char reason[200];
    if (stage_keys_declare(&all_keys, stage->keys, &stage->key_count, item->valuestring, reason,
                           sizeof reason) != 0) {
      snprintf(err, err_size, "provides: %s", reason);
      goto fail;
    }
  }
  /* Messages name the script when there is one ("questions.py exited ..."), else the program. */
  const char *named = script != NULL ? script->valuestring : stage->argv[0];
  const char *program = strrchr(named, '/');
  stage->settings = (exec_settings){
      .argv = stage->argv,
      .name = program != NULL ? program + 1 : named,
      .timeout_ms = int_option(config, "timeout_ms"),
      .in_flight_bytes = (size_t)int_option(config, "max_in_flight_kb") * 1024,
      .backoff_ms = int_option(config, "restart_backoff_ms"),
      .stderr_lines = (unsigned)int_option(config, "stderr_lines"),
  };
  *instance = stage;
  return 0;
out_of_memory:
  snprintf(err, err_size, "out of memory");
fail:
  destroy(stage);
  return -1;
}

static void *partial_create(void *instance) {
  exec_stage *stage = instance;
  exec_worker *worker = stage->host->alloc(sizeof *worker);
  if (worker == NULL)
    return NULL;
  memset(worker, 0, sizeof *worker);
  exec_child_init(&worker->child, &stage->settings, stage->host, stage->stage);
  return worker;
}

static void partial_destroy(void *instance, void *partial) {
  exec_stage *stage = instance;
  exec_worker *worker = partial;
  if (worker == NULL)
    return;
  exec_child_stop(&worker->child);
  stage->host->free(worker->request);
  stage->host->free(worker);
}

/* Nothing accumulates across records: the workers' children simply stop. */
static int merge(void *instance, void *into, void *from, char *err, size_t err_size) {
  (void)instance, (void)into, (void)from, (void)err, (void)err_size;
  return 0;
}

/* Builds `{"id":N,"record":<record>}\n` in worker->request. Returns its length, or 0 on OOM. */
static size_t build_request(exec_stage *stage, exec_worker *worker, const cJSON *record,
                            uint64_t id) {
  char *json = cJSON_PrintUnformatted(record);
  if (json == NULL)
    return 0;
  size_t needed = strlen(json) + 64;
  if (needed > worker->request_capacity) {
    char *bigger = stage->host->realloc(worker->request, needed);
    if (bigger == NULL) {
      cJSON_free(json);
      return 0;
    }
    worker->request = bigger;
    worker->request_capacity = needed;
  }
  int length = snprintf(worker->request, needed, "{\"id\":%llu,\"record\":%s}\n",
                        (unsigned long long)id, json);
  cJSON_free(json);
  return length > 0 ? (size_t)length : 0;
}

/* Applies one answer to the record. TP_KEEP, or TP_ERROR with err. */
static tp_result apply_answer(exec_stage *stage, tp_record *record, cJSON *answer, char *err,
                              size_t err_size) {
  const cJSON *error = cJSON_GetObjectItemCaseSensitive(answer, "error");
  if (error != NULL) {
    snprintf(err, err_size, "%s: %s", stage->settings.name,
             cJSON_IsString(error) ? error->valuestring : "(an error that is not a string)");
    return TP_ERROR;
  }
  cJSON *fields = cJSON_GetObjectItemCaseSensitive(answer, "fields");
  if (fields == NULL)
    return TP_KEEP;
  if (!cJSON_IsObject(fields)) {
    snprintf(err, err_size, "%s answered \"fields\" that is not an object", stage->settings.name);
    return TP_ERROR;
  }
  for (cJSON *field = fields->child; field != NULL; field = field->next)
    if (!stage_keys_has(stage->keys, stage->key_count, field->string)) {
      snprintf(err, err_size, "%s set \"%s\", which is not in the stage's provides",
               stage->settings.name, field->string);
      return TP_ERROR;
    }
  while (fields->child != NULL) {
    cJSON *field = cJSON_DetachItemViaPointer(fields, fields->child);
    size_t k = 0;
    while (strcmp(stage->keys[k], field->string) != 0)
      k++;
    if (stage->host->record_set(record, stage->keys[k], field) != 0) {
      snprintf(err, err_size, "%s: the value of \"%s\" was refused (see the log)",
               stage->settings.name, stage->keys[k]);
      return TP_ERROR;
    }
  }
  return TP_KEEP;
}

static tp_result process(void *instance, void *partial, tp_record *record, char *err,
                         size_t err_size) {
  exec_stage *stage = instance;
  exec_worker *worker = partial;
  uint64_t id = worker->child.next_id++;
  size_t length = build_request(stage, worker, stage->host->record_json(record), id);
  if (length == 0) {
    snprintf(err, err_size, "out of memory writing the request");
    return TP_ERROR;
  }
  const char *request = worker->request;
  cJSON *answer = NULL;
  size_t answered = 0;
  if (exec_child_exchange(&worker->child, &request, &length, &id, 1, &answer, &answered, err,
                          err_size) != 0)
    return TP_ERROR;
  tp_result result = apply_answer(stage, record, answer, err, err_size);
  cJSON_Delete(answer);
  return result;
}

static const tp_plugin descriptor = {
    TP_PLUGIN_ABI, /* versions and sizes */
    .name = "exec",
    .version = "1.0.0",
    .description = "Runs a command as a co-process per worker, exchanging records as NDJSON",
    .options = options,
    .provides_keys = all_keys.list,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = create,
    .destroy = destroy,
    .partial_create = partial_create,
    .partial_destroy = partial_destroy,
    .merge = merge,
    .process = process,
};

TP_PLUGIN_DEFINE(descriptor)
