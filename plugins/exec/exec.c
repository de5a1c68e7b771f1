/* plugins/exec/exec.c - the exec stage: a long-lived co-process (any language) per worker.
 *
 * For each record the stage sends {"id": N, "record": {...}} as one line to the command's
 * stdin; the command answers one line {"id": N, "fields": {...}} (fields to set, each under a
 * key of the stage's "provides") or {"id": N, "error": "why"} (the record is dead-lettered
 * with that message). Everything about the process (start, timeouts, garbage, stderr,
 * restarts with backoff) is exec_child.c; this file is the stage around it.
 *
 * The core hands the stage whole batches through process_batch (ABI 2.1): all of a batch's
 * requests go out, within the in-flight bound, while the answers come back, so the child
 * works on one record while the next ones wait in its input. process() is a batch of one.
 * With batch_submit / batch_collect (ABI 2.2) the core overlaps: submit sends what the child's
 * stdin takes at once and returns; the core runs its own work for the batches around this one;
 * collect sends the rest and applies the answers.
 * The keys of the "provides" option reach the core through stage_keys() (ABI 2.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textpipe/plugin.h>

#include "exec_child.h"
#include "exec_print.h"
#include "stage_keys.h"

typedef struct exec_stage {
  const tp_host *host;
  const tp_stage *stage;
  exec_settings settings;
  char **argv;
  stage_keys keys; /* the "provides" option: the core's stage_keys() */
} exec_stage;

/* Failed exchanges in a row, with no answer at all, after which the rest of a batch is
 * dead-lettered without being sent to another child. */
#define EXEC_GIVE_UP_AFTER 3

/* Requests are printed in chunks of about this many bytes: the child starts on the first
 * chunk while the next is printed. */
#define EXEC_CHUNK_BYTES 16384

/* One worker's child, and the requests and answers of the batch in hand. */
typedef struct exec_worker {
  exec_child child;
  const tp_host *host;
  exec_buffer text; /* the batch's request lines, one after another */
  size_t room;      /* entries of the arrays below */
  size_t *ends;     /* ends[i]: offset in text past request i's newline */
  uint64_t *ids;
  cJSON **answers;
  tp_record *const *records; /* the batch in hand */
  exec_requests requests;    /* what exec_child_exchange sees of it */
  /* Where the batch in hand's results go (batch_submit's arguments, until batch_collect). */
  size_t count;
  tp_result *results;
  char *errors;
  size_t err_size;
  int out_of_memory; /* the batch could not be set up: every record fails */
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
  stage_keys_free(&stage->keys, stage->host);
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
    if (stage_keys_declare(&stage->keys, host, item->valuestring, reason, sizeof reason) != 0) {
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
  stage->host->free(worker->text.bytes);
  stage->host->free(worker->ends);
  stage->host->free(worker->ids);
  stage->host->free(worker->answers);
  stage->host->free(worker);
}

/* Nothing accumulates across records: the workers' children simply stop. */
static int merge(void *instance, void *into, void *from, char *err, size_t err_size) {
  (void)instance, (void)into, (void)from, (void)err, (void)err_size;
  return 0;
}

/* Room for `count` requests in the worker's arrays. 0, or -1 on OOM. */
static int ensure_room(const tp_host *host, exec_worker *worker, size_t count) {
  if (count <= worker->room)
    return 0;
  size_t room = count < 128 ? 128 : count;
  void **arrays[] = {(void **)&worker->ends, (void **)&worker->ids, (void **)&worker->answers};
  size_t sizes[] = {sizeof(size_t), sizeof(uint64_t), sizeof(cJSON *)};
  for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
    void *bigger = host->realloc(*arrays[a], room * sizes[a]);
    if (bigger == NULL)
      return -1;
    *arrays[a] = bigger;
  }
  worker->room = room;
  return 0;
}

/* exec_requests.more(): prints the batch's next requests, about EXEC_CHUNK_BYTES of them
 * (at least one). */
static int print_more(void *context, char *reason, size_t reason_size) {
  exec_worker *worker = context;
  exec_requests *requests = &worker->requests;
  size_t chunk_start = worker->text.used;
  do {
    size_t i = requests->printed;
    if (exec_print_request(&worker->text, worker->host, worker->ids[i],
                           worker->host->record_json(worker->records[i])) != 0) {
      snprintf(reason, reason_size, "out of memory printing the requests");
      return -1;
    }
    worker->ends[i] = worker->text.used;
    requests->printed++;
  } while (requests->printed < requests->count &&
           worker->text.used - chunk_start < EXEC_CHUNK_BYTES);
  requests->text = worker->text.bytes;
  return 0;
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
    if (stage_keys_find(&stage->keys, field->string) == NULL) {
      snprintf(err, err_size, "%s set \"%s\", which is not in the stage's provides",
               stage->settings.name, field->string);
      return TP_ERROR;
    }
  while (fields->child != NULL) {
    cJSON *field = cJSON_DetachItemViaPointer(fields, fields->child);
    const char *key = stage_keys_find(&stage->keys, field->string);
    if (stage->host->record_set(record, key, field) != 0) {
      snprintf(err, err_size, "%s: the value of \"%s\" was refused (see the log)",
               stage->settings.name, key);
      return TP_ERROR;
    }
  }
  return TP_KEEP;
}

/* Takes a batch (ABI 2.2's batch_submit): numbers the requests and sends what the child's
 * stdin takes at once, so the child works while the core goes on; batch_collect finishes. */
static void batch_submit(void *instance, void *partial, tp_record *const *records, size_t count,
                         tp_result *results, char *errors, size_t err_size) {
  exec_stage *stage = instance;
  exec_worker *worker = partial;
  worker->records = records;
  worker->count = count;
  worker->results = results;
  worker->errors = errors;
  worker->err_size = err_size;
  worker->out_of_memory = ensure_room(stage->host, worker, count) != 0;
  if (worker->out_of_memory)
    return;
  for (size_t i = 0; i < count; i++)
    worker->ids[i] = worker->child.next_id++;
  worker->host = stage->host;
  worker->text.used = 0;
  worker->requests = (exec_requests){.count = count,
                                     .ids = worker->ids,
                                     .text = worker->text.bytes,
                                     .ends = worker->ends,
                                     .more = print_more,
                                     .context = worker};
  if (count > 0)
    exec_child_send_ahead(&worker->child, &worker->requests);
}

/* Sends the rest of the submitted batch, reads every answer and applies it (ABI 2.2's
 * batch_collect). */
static void batch_collect(void *instance, void *partial) {
  exec_stage *stage = instance;
  exec_worker *worker = partial;
  size_t count = worker->count, err_size = worker->err_size;
  tp_result *results = worker->results;
  char *errors = worker->errors;
  char reason[1024];
  if (worker->out_of_memory) {
    for (size_t i = 0; i < count; i++) {
      results[i] = TP_ERROR;
      snprintf(errors + i * err_size, err_size, "out of memory for the requests");
    }
    return;
  }
  /* A failure blames one record; the ones after it go to a new child, unless the child keeps
   * failing without answering anything (then they share the last reason). */
  size_t done = 0;
  while (done < count) {
    size_t first = done;
    int status = exec_child_exchange(&worker->child, &worker->requests, &done, worker->answers,
                                     reason, sizeof reason);
    for (size_t i = first; i < done; i++) {
      results[i] = apply_answer(stage, worker->records[i], worker->answers[i],
                                errors + i * err_size, err_size);
      cJSON_Delete(worker->answers[i]);
    }
    if (status == 0)
      break;
    results[done] = TP_ERROR;
    snprintf(errors + done * err_size, err_size, "%s", reason);
    done++;
    if (worker->child.failures_in_a_row >= EXEC_GIVE_UP_AFTER) {
      for (; done < count; done++) {
        results[done] = TP_ERROR;
        snprintf(errors + done * err_size, err_size, "not sent: %s failed %u times in a row (%s)",
                 stage->settings.name, worker->child.failures_in_a_row, reason);
      }
    }
  }
  worker->records = NULL;
}

/* The records of a batch through the child in one exchange (ABI 2.1's process_batch; also
 * process() with a batch of one). */
static void process_batch(void *instance, void *partial, tp_record *const *records, size_t count,
                          tp_result *results, char *errors, size_t err_size) {
  batch_submit(instance, partial, records, count, results, errors, err_size);
  batch_collect(instance, partial);
}

static tp_result process(void *instance, void *partial, tp_record *record, char *err,
                         size_t err_size) {
  tp_result result;
  process_batch(instance, partial, &record, 1, &result, err, err_size);
  return result;
}

/* The keys the "provides" option declares (ABI 2.1): record_set takes them for this stage. */
static const char *const *stage_keys_of(void *instance) {
  exec_stage *stage = instance;
  return (const char *const *)stage->keys.list;
}

static const tp_plugin descriptor = {
    TP_PLUGIN_ABI, /* versions and sizes */
    .name = "exec",
    .version = "1.0.0",
    .description = "Runs a command as a co-process per worker, exchanging records as NDJSON",
    .options = options,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = create,
    .destroy = destroy,
    .partial_create = partial_create,
    .partial_destroy = partial_destroy,
    .merge = merge,
    .process = process,
    .stage_keys = stage_keys_of,
    .process_batch = process_batch,
    .batch_submit = batch_submit,
    .batch_collect = batch_collect,
};

TP_PLUGIN_DEFINE(descriptor)
