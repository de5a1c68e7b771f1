/* tests/unit/test_plugins.c - in-process plugin descriptors for the core's unit tests. */
#include <stdlib.h>
#include <string.h>

#include "test_pipeline.h"

static const tp_host *count_host;

typedef struct count_partial {
  long long records;
  long long line_sum;
  long long merged;
} count_partial;

static int count_create(const tp_host *host, const tp_stage *stage, const cJSON *config,
                        void **instance, char *err, size_t err_size) {
  (void)stage, (void)config, (void)err, (void)err_size;
  count_host = host;
  *instance = (void *)&count_host;
  return 0;
}

static void *count_partial_create(void *instance) {
  (void)instance;
  return calloc(1, sizeof(count_partial));
}

static void count_partial_destroy(void *instance, void *partial) {
  (void)instance;
  free(partial);
}

static int count_merge(void *instance, void *into, void *from, char *err, size_t err_size) {
  (void)instance, (void)err, (void)err_size;
  count_partial *target = into;
  const count_partial *source = from;
  target->records += source->records;
  target->line_sum += source->line_sum;
  target->merged += 1 + source->merged;
  return 0;
}

static tp_result count_process(void *instance, void *partial, tp_record *record, char *err,
                               size_t err_size) {
  (void)instance, (void)err, (void)err_size;
  count_partial *state = partial;
  state->records++;
  state->line_sum += (long long)count_host->record_line(record);
  count_host->record_set(record, "count", cJSON_CreateNumber((double)state->records));
  return TP_KEEP;
}

static int count_finish(void *instance, void *partial, cJSON *section, char *err, size_t err_size) {
  (void)instance, (void)err, (void)err_size;
  const count_partial *state = partial;
  cJSON_AddNumberToObject(section, "records", (double)state->records);
  cJSON_AddNumberToObject(section, "line_sum", (double)state->line_sum);
  cJSON_AddNumberToObject(section, "workers_merged", (double)state->merged);
  return 0;
}

static const char *const count_provides[] = {"count", NULL};

const tp_plugin test_plugin_count = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "count",
    .version = "1.0.0",
    .description = "counts records per partial",
    .provides_keys = count_provides,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = count_create,
    .partial_create = count_partial_create,
    .partial_destroy = count_partial_destroy,
    .merge = count_merge,
    .process = count_process,
    .finish = count_finish,
};

static const tp_host *filter_host;

static int filter_create(const tp_host *host, const tp_stage *stage, const cJSON *config,
                         void **instance, char *err, size_t err_size) {
  (void)stage, (void)config, (void)err, (void)err_size;
  filter_host = host;
  *instance = (void *)&filter_host;
  return 0;
}

static tp_result filter_process(void *instance, void *partial, tp_record *record, char *err,
                                size_t err_size) {
  (void)instance, (void)partial;
  size_t length = 0;
  const char *text = filter_host->record_text(record, &length);
  if (length >= 4 && strncmp(text, "drop", 4) == 0)
    return TP_DROP;
  if (length >= 4 && strncmp(text, "fail", 4) == 0) {
    strncpy(err, "asked to fail", err_size - 1);
    err[err_size - 1] = '\0';
    return TP_ERROR;
  }
  filter_host->record_set(record, "filter", cJSON_CreateTrue());
  return TP_KEEP;
}

static const char *const filter_provides[] = {"filter", NULL};

const tp_plugin test_plugin_filter = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "filter",
    .version = "0.1.0",
    .description = "drops, fails or marks records by their text",
    .provides_keys = filter_provides,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = filter_create,
    .process = filter_process,
};

static const tp_host *thief_host;

static int thief_create(const tp_host *host, const tp_stage *stage, const cJSON *config,
                        void **instance, char *err, size_t err_size) {
  (void)config, (void)err, (void)err_size;
  thief_host = host;
  *instance = (void *)stage;
  return 0;
}

/* Copies "records" from the section of stage "count0" (if it finished before) as "seen". */
static int thief_finish(void *instance, void *partial, cJSON *section, char *err, size_t err_size) {
  (void)partial, (void)err, (void)err_size;
  const cJSON *count = thief_host->report_section(instance, "count0");
  const cJSON *records = cJSON_GetObjectItemCaseSensitive(count, "records");
  cJSON_AddItemToObject(section, "seen",
                        records != NULL ? cJSON_Duplicate(records, 1) : cJSON_CreateNull());
  cJSON_AddStringToObject(section, "stage", thief_host->stage_id(instance));
  return 0;
}

static tp_result thief_process(void *instance, void *partial, tp_record *record, char *err,
                               size_t err_size) {
  (void)instance, (void)partial, (void)err, (void)err_size;
  int stolen = thief_host->record_set(record, "count", cJSON_CreateString("mine"));
  char *data = thief_host->alloc(16);
  int attached = thief_host->record_attach(record, "tokens", data, thief_host->free);
  int foreign = thief_host->record_attach(record, "other", thief_host->alloc(8), thief_host->free);
  int text = thief_host->record_set(record, "text", cJSON_CreateString("replaced"));
  cJSON *flags = cJSON_CreateArray();
  cJSON_AddItemToArray(flags, cJSON_CreateNumber(stolen));
  cJSON_AddItemToArray(flags, cJSON_CreateNumber(attached));
  cJSON_AddItemToArray(flags, cJSON_CreateNumber(foreign));
  cJSON_AddItemToArray(flags, cJSON_CreateNumber(text));
  thief_host->record_set(record, "thief", flags);
  return TP_KEEP;
}

static const char *const thief_provides[] = {"thief", "tokens", "text", NULL};

const tp_plugin test_plugin_thief = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "thief",
    .version = "0.0.1",
    .description = "writes a key it does not own",
    .provides_keys = thief_provides,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = thief_create,
    .process = thief_process,
    .finish = thief_finish,
};
