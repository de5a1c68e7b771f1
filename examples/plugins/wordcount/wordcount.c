/* examples/plugins/wordcount/wordcount.c - a complete textpipe plugin outside the built-in set.
 *
 * Counts the words in each record's text and sets "wordcount" on the record; at end of stream
 * its report section gives the records seen, the total words and the mean per record, and
 * blocks the HTML report draws: tiles of those figures and a histogram of words per record.
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

#include <textpipe/blocks.h>
#include <textpipe/plugin.h>

/* The histogram "Words per record": bins 0-5, 5-10, ... of BIN_WIDTH words; the last bin is
 * open and counts every record of (BIN_COUNT - 1) * BIN_WIDTH words or more. */
enum { BIN_WIDTH = 5, BIN_COUNT = 9 };

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
  uint64_t bins[BIN_COUNT]; /* records per histogram bin */
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
  for (int bin = 0; bin < BIN_COUNT; bin++)
    total->bins[bin] += part->bins[bin];
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
  uint64_t bin = words / BIN_WIDTH;
  totals->bins[bin < BIN_COUNT ? bin : BIN_COUNT - 1]++;
  return TP_KEEP;
}

/* Adds a tile {"label": label, "value": value} to the tiles block; NULL when out of memory. */
static cJSON *add_tile(cJSON *tiles, const char *label, double value) {
  cJSON *tile = tp_block_item(tiles, "items");
  if (tile == NULL || cJSON_AddStringToObject(tile, "label", label) == NULL)
    return NULL;
  return cJSON_AddNumberToObject(tile, "value", value);
}

/* The section's blocks: tiles of the totals, then the histogram of words per record. */
static int add_blocks(cJSON *section, const wordcount_totals *totals, double mean) {
  cJSON *tiles = tp_block_add(section, "tiles", NULL);
  if (add_tile(tiles, "records", (double)totals->records) == NULL ||
      add_tile(tiles, "words", (double)totals->words) == NULL ||
      add_tile(tiles, "mean words per record", mean) == NULL)
    return -1;
  cJSON *histogram = tp_block_add(section, "histogram", "Words per record");
  if (cJSON_AddStringToObject(histogram, "x_label", "words") == NULL ||
      cJSON_AddStringToObject(histogram, "note",
                              "The last bin counts every record of 40 words or more.") == NULL)
    return -1;
  for (int bin = 0; bin < BIN_COUNT; bin++) {
    cJSON *item = tp_block_item(histogram, "bins");
    if (cJSON_AddNumberToObject(item, "from", bin * BIN_WIDTH) == NULL ||
        cJSON_AddNumberToObject(item, "to", (bin + 1) * BIN_WIDTH) == NULL ||
        cJSON_AddNumberToObject(item, "count", (double)totals->bins[bin]) == NULL)
      return -1;
  }
  return 0;
}

static int finish(void *instance, void *partial, cJSON *section, char *err, size_t err_size) {
  (void)instance;
  const wordcount_totals *totals = partial;
  double mean = totals->records > 0 ? (double)totals->words / (double)totals->records : 0.0;
  if (cJSON_AddNumberToObject(section, "records", (double)totals->records) == NULL ||
      cJSON_AddNumberToObject(section, "words", (double)totals->words) == NULL ||
      cJSON_AddNumberToObject(section, "mean_words", mean) == NULL ||
      add_blocks(section, totals, mean) != 0) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  return 0;
}

/* Partials as JSON, so totals from separate processes merge through merge() as well:
 * {"records": N, "words": N, "bins": [N, ...]} with BIN_COUNT bins. */
static cJSON *partial_export(void *instance, const void *partial) {
  (void)instance;
  const wordcount_totals *totals = partial;
  cJSON *data = cJSON_CreateObject();
  cJSON *bins = cJSON_AddArrayToObject(data, "bins");
  if (data == NULL || bins == NULL ||
      cJSON_AddNumberToObject(data, "records", (double)totals->records) == NULL ||
      cJSON_AddNumberToObject(data, "words", (double)totals->words) == NULL) {
    cJSON_Delete(data);
    return NULL;
  }
  for (int bin = 0; bin < BIN_COUNT; bin++) {
    cJSON *count = cJSON_CreateNumber((double)totals->bins[bin]);
    if (count == NULL || !cJSON_AddItemToArray(bins, count)) {
      cJSON_Delete(count);
      cJSON_Delete(data);
      return NULL;
    }
  }
  return data;
}

/* Whether `item` is a whole number from 0 to 2^53 (JSON numbers are exact up to there). */
static int is_count(const cJSON *item) {
  return cJSON_IsNumber(item) && item->valuedouble >= 0 &&
         item->valuedouble <= 9007199254740992.0 &&
         item->valuedouble == (double)(uint64_t)item->valuedouble;
}

static void *partial_import(void *instance, const cJSON *data, char *err, size_t err_size) {
  const cJSON *records = cJSON_GetObjectItemCaseSensitive(data, "records");
  const cJSON *words = cJSON_GetObjectItemCaseSensitive(data, "words");
  const cJSON *bins = cJSON_GetObjectItemCaseSensitive(data, "bins");
  if (!is_count(records) || !is_count(words)) {
    snprintf(err, err_size, "\"records\" and \"words\" must be whole numbers >= 0");
    return NULL;
  }
  if (!cJSON_IsArray(bins) || cJSON_GetArraySize(bins) != BIN_COUNT) {
    snprintf(err, err_size, "\"bins\" must be an array of %d counts", BIN_COUNT);
    return NULL;
  }
  uint64_t binned = 0;
  for (int bin = 0; bin < BIN_COUNT; bin++) {
    const cJSON *count = cJSON_GetArrayItem(bins, bin);
    if (!is_count(count)) {
      snprintf(err, err_size, "bins[%d] must be a whole number >= 0", bin);
      return NULL;
    }
    binned += (uint64_t)count->valuedouble;
  }
  if (binned != (uint64_t)records->valuedouble) {
    snprintf(err, err_size, "the bins count %llu records, \"records\" says %llu",
             (unsigned long long)binned, (unsigned long long)records->valuedouble);
    return NULL;
  }
  wordcount_totals *totals = partial_create(instance);
  if (totals == NULL) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  totals->records = (uint64_t)records->valuedouble;
  totals->words = (uint64_t)words->valuedouble;
  for (int bin = 0; bin < BIN_COUNT; bin++)
    totals->bins[bin] = (uint64_t)cJSON_GetArrayItem(bins, bin)->valuedouble;
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
