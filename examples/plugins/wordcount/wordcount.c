/* examples/plugins/wordcount/wordcount.c - a complete textpipe plugin outside the built-in set.
 *
 * Counts the words in each record's text and sets "wordcount" on the record; at end of stream
 * its report section gives the records seen, the total words and the mean per record.
 * A word is a run of letters, digits, apostrophes or hyphens (any non-ASCII byte counts as a
 * letter, so "déjà" and "naïve" are one word each). It is built outside the textpipe tree,
 * against the installed header only:
 *
 *   cc -shared -fPIC -o wordcount.so wordcount.c $(pkg-config --cflags --libs textpipe)
 *
 * Walk-through: CONTRIBUTING.md, "Writing a plugin".
 */
#include <stdio.h>
#include <string.h>

#include <textpipe/plugin.h>

/* The stage's options: the host writes them here (TP_OPTION_FIELD), defaults included. */
typedef struct wordcount_config {
  int32_t min_length;
} wordcount_config;

/* The instance: built once from the stage's config, then read-only and shared by workers. */
typedef struct wordcount {
  const tp_host *host;
  size_t min_length; /* words shorter than this (in bytes) are not counted */
} wordcount;

/* One worker's running totals (a "partial"); merged at end of stream. */
typedef struct wordcount_totals {
  uint64_t records;
  uint64_t words;
} wordcount_totals;

static const tp_option options[] = {
    {.name = "min_length",
     .type = TP_OPTION_INT,
     .default_json = "1",
     .min = 1,
     .max = 100,
     .description = "Words shorter than this many bytes are not counted",
     TP_OPTION_FIELD(wordcount_config, min_length)},
    {.name = NULL},
};

static const char *const provides[] = {"wordcount", NULL};

static int is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'' ||
         c == '-' || c >= 0x80;
}

static uint64_t count_words(const char *text, size_t length, size_t min_length) {
  uint64_t words = 0;
  size_t run = 0;
  for (size_t i = 0; i <= length; i++) {
    if (i < length && is_word_byte((unsigned char)text[i])) {
      run++;
      continue;
    }
    if (run >= min_length)
      words++;
    run = 0;
  }
  return words;
}

static int create(const tp_host *host, const tp_stage *stage, const cJSON *json, void **instance,
                  char *err, size_t err_size) {
  (void)json; /* the same options as JSON; the struct below is easier to read */
  const wordcount_config *config = host->stage_config(stage);
  wordcount *self = host->alloc(sizeof *self);
  if (self == NULL) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  self->host = host;
  /* The core validated the config and filled defaults: min_length is in 1..100. */
  self->min_length = (size_t)config->min_length;
  *instance = self;
  return 0;
}

static void destroy(void *instance) {
  wordcount *self = instance;
  self->host->free(self);
}

static void *partial_create(void *instance) {
  wordcount *self = instance;
  wordcount_totals *totals = self->host->alloc(sizeof *totals);
  if (totals != NULL)
    memset(totals, 0, sizeof *totals);
  return totals;
}

static void partial_destroy(void *instance, void *partial) {
  wordcount *self = instance;
  self->host->free(partial);
}

static int merge(void *instance, void *into, void *from, char *err, size_t err_size) {
  (void)instance, (void)err, (void)err_size;
  wordcount_totals *total = into;
  const wordcount_totals *part = from;
  total->records += part->records;
  total->words += part->words;
  return 0;
}

static tp_result process(void *instance, void *partial, tp_record *record, char *err,
                         size_t err_size) {
  wordcount *self = instance;
  wordcount_totals *totals = partial;
  size_t length = 0;
  const char *text = self->host->record_text(record, &length);
  uint64_t words = count_words(text, length, self->min_length);
  /* record_set takes the value in every case; a failure is out of memory. */
  if (self->host->record_set(record, "wordcount", cJSON_CreateNumber((double)words)) != 0) {
    snprintf(err, err_size, "cannot set \"wordcount\" (out of memory)");
    return TP_ERROR;
  }
  totals->records++;
  totals->words += words;
  return TP_KEEP;
}

static int finish(void *instance, void *partial, cJSON *section, char *err, size_t err_size) {
  (void)instance;
  const wordcount_totals *totals = partial;
  double mean = totals->records > 0 ? (double)totals->words / (double)totals->records : 0.0;
  if (cJSON_AddNumberToObject(section, "records", (double)totals->records) == NULL ||
      cJSON_AddNumberToObject(section, "words", (double)totals->words) == NULL ||
      cJSON_AddNumberToObject(section, "mean_words", mean) == NULL) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  return 0;
}

/* Partials as JSON, so totals from separate processes merge through merge() as well. */
static cJSON *partial_export(void *instance, const void *partial) {
  (void)instance;
  const wordcount_totals *totals = partial;
  cJSON *data = cJSON_CreateObject();
  if (data == NULL || cJSON_AddNumberToObject(data, "records", (double)totals->records) == NULL ||
      cJSON_AddNumberToObject(data, "words", (double)totals->words) == NULL) {
    cJSON_Delete(data);
    return NULL;
  }
  return data;
}

static void *partial_import(void *instance, const cJSON *data, char *err, size_t err_size) {
  const cJSON *records = cJSON_GetObjectItemCaseSensitive(data, "records");
  const cJSON *words = cJSON_GetObjectItemCaseSensitive(data, "words");
  if (!cJSON_IsNumber(records) || !cJSON_IsNumber(words) || records->valuedouble < 0 ||
      words->valuedouble < 0) {
    snprintf(err, err_size, "expected {\"records\": N, \"words\": N}");
    return NULL;
  }
  wordcount_totals *totals = partial_create(instance);
  if (totals == NULL) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  totals->records = (uint64_t)records->valuedouble;
  totals->words = (uint64_t)words->valuedouble;
  return totals;
}

static const tp_plugin descriptor = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "wordcount",
    .version = "1.0.0",
    .description = "Counts the words in each record's text; the report gives the totals",
    .options = options,
    .config_size = sizeof(wordcount_config),
    .provides_keys = provides,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = create,
    .destroy = destroy,
    .partial_create = partial_create,
    .partial_destroy = partial_destroy,
    .merge = merge,
    .process = process,
    .finish = finish,
    .partial_export = partial_export,
    .partial_import = partial_import,
};

TP_PLUGIN_DEFINE(descriptor)
