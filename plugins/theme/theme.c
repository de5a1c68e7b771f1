/* plugins/theme/theme.c - the theme plugin: what comments talk about.
 *
 * Per record (after tokenize, reading its tp_text): taxonomy themes from a theme file
 * ("themes"), statistical keyphrases ("keyphrases"), and the online theme the record joined
 * ("theme_id"). Across the stream: discovered themes and taxonomy counts in the report
 * (report.c). The module map: extract.c (terms, keyphrase candidates, df sketch), online.c
 * (per-worker leader clustering), refine.c + kmeans.c (end-of-stream clustering),
 * taxonomy.c (theme files), exchange.c (partials as JSON).
 *
 * Threads: TP_PLUGIN_CONCURRENT; the instance is read-only after create(), every mutable
 * thing lives in the worker's partial. merge() folds partials deterministically.
 *
 * theme_id: the id of the online theme the record joined, which is the input line of the
 * record that founded it (unique across workers and processes). Online themes are folded
 * into the final discovered themes at finish; each discovered theme in the report lists the
 * online ids folded into it ("online_ids"), so a record's theme_id maps to exactly one
 * discovered theme, and that theme is the record's final theme (its "members").
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "plugin.h"
#include "refine.h"

/* The stage's options, written by the host from theme_options (host->stage_config). */
typedef struct theme_config {
  const char *taxonomy; /* NULL: none */
  double threshold;
  int64_t keyphrases;
  bool discover;
  int64_t themes, max_themes, seed;
  bool members, bigrams;
  int64_t vocabulary, sample;
  double join_similarity;
  int64_t representatives, examples;
  const char *model;     /* NULL: discover */
  const char *model_out; /* NULL: no model file written */
} theme_config;

/* One option bound to the member of the same name. */
#define THEME_OPTION(option, kind, default_text, low, high, text)                                  \
  {                                                                                                \
    .name = #option, .type = kind, .default_json = default_text, .min = low, .max = high,          \
    .description = text, TP_OPTION_FIELD(theme_config, option)                                     \
  }

static const tp_option theme_options[] = {
    THEME_OPTION(taxonomy, TP_OPTION_PATH, NULL, 0, 0,
                 "theme file (JSON: themes with keywords, phrases, weights, exclusions)"),
    THEME_OPTION(threshold, TP_OPTION_NUMBER, "0.5", 0, 1,
                 "lowest taxonomy score a theme needs to be listed (one keyword scores 0.5)"),
    THEME_OPTION(keyphrases, TP_OPTION_INT, "5", 0, 50, "keyphrases per record (0: none)"),
    THEME_OPTION(discover, TP_OPTION_BOOL, "true", 0, 0,
                 "discover themes across the stream (theme_id per record, report section)"),
    THEME_OPTION(themes, TP_OPTION_INT, "0", 0, 256,
                 "number of discovered themes; 0 chooses it, up to max_themes"),
    THEME_OPTION(max_themes, TP_OPTION_INT, "12", 1, 256, "most discovered themes when chosen"),
    THEME_OPTION(seed, TP_OPTION_INT, "42", 0, 2147483647, "seed of the clustering's choices"),
    THEME_OPTION(members, TP_OPTION_BOOL, "false", 0, 0,
                 "list every record id under its discovered theme (keeps every record's terms)"),
    THEME_OPTION(bigrams, TP_OPTION_BOOL, "true", 0, 0, "cluster on stem bigrams too"),
    THEME_OPTION(vocabulary, TP_OPTION_INT, "32768", 1024, 1048576,
                 "distinct terms at most in the final clustering (document-frequency sketch size)"),
    THEME_OPTION(sample, TP_OPTION_INT, "4096", 64, 1048576,
                 "records kept for finish when members is off (at most 8192 are clustered)"),
    THEME_OPTION(join_similarity, TP_OPTION_NUMBER, "0.2", 0, 1,
                 "cosine a record needs to join an online theme rather than found one"),
    THEME_OPTION(representatives, TP_OPTION_INT, "3", 0, 20, "representative ids per theme"),
    THEME_OPTION(examples, TP_OPTION_INT, "3", 0, 20, "example ids per taxonomy theme"),
    THEME_OPTION(model, TP_OPTION_PATH, NULL, 0, 0,
                 "theme model file (from model_out) to apply instead of discovering"),
    THEME_OPTION(model_out, TP_OPTION_STRING, NULL, 0, 0,
                 "file to write the discovered themes to as a model, at the end of the stream"),
    {.name = NULL},
};

static const char *const theme_requires[] = {TP_KEY_TOKENS, NULL};
static const char *const theme_provides[] = {TP_KEY_THEMES, TP_KEY_KEYPHRASES, TP_KEY_THEME_ID,
                                             TP_KEY_THEME_SIMILARITY, NULL};
/* The mean sentiment of each theme, when a sentiment stage ran before. */
static const tp_key_use theme_uses[] = {{TP_KEY_SENTIMENT_COMPOUND, TP_USE_OPTIONAL}, {NULL, 0}};

/* "model" (apply) and "model_out" (write at the end of discovery). 0, or -1 with err. */
static int load_model(th_instance *instance, const theme_config *config, char *err,
                      size_t err_size) {
  if (config->model && config->model_out) {
    snprintf(err, err_size,
             "config.model_out: a stage applies a model (model) or fits one, not both");
    return -1;
  }
  if (config->model_out) {
    if (!instance->discover) {
      snprintf(err, err_size, "config.model_out: needs discover");
      return -1;
    }
    instance->model_out = th_strndup(config->model_out, strlen(config->model_out));
    if (!instance->model_out) {
      snprintf(err, err_size, "out of memory");
      return -1;
    }
  }
  if (config->model) {
    char message[512];
    instance->saved = th_model_load(config->model, message, sizeof message);
    if (!instance->saved) {
      snprintf(err, err_size, "config.model: %s", message);
      return -1;
    }
    if (instance->saved->bigrams != instance->bigrams) {
      snprintf(err, err_size, "config.model: %s: bigrams: the model was fitted with bigrams %s",
               config->model, instance->saved->bigrams ? "on" : "off");
      return -1;
    }
  }
  return 0;
}

static void theme_destroy(void *instance_pointer) {
  th_instance *instance = instance_pointer;
  if (!instance)
    return;
  th_taxonomy_free(instance->taxonomy);
  th_saved_model_free(instance->saved);
  th_free(instance->model_out);
  th_free(instance);
}

static int theme_create(const tp_host *host, const tp_stage *stage, const cJSON *json, void **out,
                        char *err, size_t err_size) {
  (void)json;
  const theme_config *config = host->stage_config(stage);
  th_memory_use(host->alloc, host->realloc, host->free);
  th_instance *instance = th_calloc(1, sizeof(th_instance));
  if (!instance) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  instance->host = host;
  instance->stage = stage;
  instance->threshold = config->threshold;
  instance->keyphrases = (uint32_t)config->keyphrases;
  instance->discover = config->discover;
  instance->themes = (uint32_t)config->themes;
  instance->max_themes = (uint32_t)config->max_themes;
  instance->seed = (uint64_t)config->seed;
  instance->members = config->members;
  instance->bigrams = config->bigrams;
  instance->vocabulary = (uint32_t)config->vocabulary;
  instance->sample = (uint32_t)config->sample;
  instance->join_similarity = config->join_similarity;
  instance->representatives = (uint32_t)config->representatives;
  instance->examples = (uint32_t)config->examples;
  uint32_t target = instance->themes ? instance->themes : instance->max_themes;
  /* records take the discovered theme their online theme maps to: enough online themes, but
   * not many more than themes (on Opinosis, 34 themes, NMI falls from 0.705 with 48 online
   * themes to 0.678 with 68 and 0.666 with 100: small online themes vote noisily) */
  instance->online_limit = target + target / 4 < 48 ? 48 : target + target / 4;
  if (config->taxonomy) {
    char message[512];
    instance->taxonomy = th_taxonomy_load(config->taxonomy, message, sizeof message);
    if (!instance->taxonomy) {
      snprintf(err, err_size, "config.taxonomy: %s", message);
      theme_destroy(instance);
      return -1;
    }
  }
  if (load_model(instance, config, err, err_size)) {
    theme_destroy(instance);
    return -1;
  }
  *out = instance;
  return 0;
}

static void *theme_partial_create(void *instance) {
  return th_partial_new(instance);
}

static void theme_partial_destroy(void *instance, void *partial) {
  th_partial_free(instance, partial);
}

static int theme_merge(void *instance, void *into, void *from, char *err, size_t err_size) {
  return th_partial_merge(instance, into, from, err, err_size);
}

/* The record's id, worked out only when a record is kept or is an example. */
typedef struct record_ref {
  const tp_host *host;
  const tp_record *record;
  uint64_t line;
  const char *id;  /* NULL until record_id() */
  char *allocated; /* the id when it does not fit in buffer (th_free) */
  int id_is_string;
  char buffer[64];
} record_ref;

/* The record's id as JSON text (host->record_id, the rule every stage shares), or NULL out of
 * memory. */
static const char *record_id(record_ref *ref) {
  if (ref->id)
    return ref->id;
  size_t length = ref->host->record_id(ref->record, ref->buffer, sizeof ref->buffer);
  ref->id_is_string = 0; /* JSON text: th_id_json puts it in as it is */
  if (length < sizeof ref->buffer)
    return ref->id = ref->buffer;
  ref->allocated = th_alloc(length + 1);
  if (!ref->allocated)
    return NULL;
  ref->host->record_id(ref->record, ref->allocated, length + 1);
  return ref->id = ref->allocated;
}

/* TP_KEY_SENTIMENT_COMPOUND from an earlier sentiment stage, or NAN. */
static double record_sentiment(const tp_host *host, const tp_record *record) {
  const cJSON *compound = host->record_field(record, TP_KEY_SENTIMENT_COMPOUND);
  return cJSON_IsNumber(compound) ? compound->valuedouble : NAN;
}

static int set_keyphrases(const th_instance *instance, const th_scratch *scratch,
                          tp_record *record) {
  cJSON *array = cJSON_CreateArray();
  if (!array)
    return -1;
  for (size_t i = 0;
       i < scratch->phrase_count && i < instance->keyphrases && scratch->phrases[i].score > 0;
       i++) {
    cJSON *phrase = cJSON_CreateString(scratch->chars + scratch->phrases[i].display);
    if (!phrase) {
      cJSON_Delete(array);
      return -1;
    }
    cJSON_AddItemToArray(array, phrase);
  }
  return instance->host->record_set(record, TP_KEY_KEYPHRASES, array);
}

static int match_taxonomy(const th_instance *instance, th_partial *partial, const tp_text *text,
                          tp_record *record, record_ref *ref, double sentiment) {
  /* the tokens that may start a term, as extraction listed them */
  int hits = th_taxonomy_match_at(instance->taxonomy, text, partial->scratch.tax_starts,
                                  partial->scratch.tax_start_count, instance->threshold,
                                  &partial->tax_scratch);
  cJSON *array = hits < 0 ? NULL : cJSON_CreateArray();
  if (!array)
    return -1;
  for (int h = 0; h < hits; h++) {
    const th_tax_hit *hit = &partial->tax_scratch.hits[h];
    cJSON *item = cJSON_CreateObject();
    cJSON *matched = cJSON_CreateStringArray(hit->matched, (int)hit->matched_count);
    if (!item || !matched ||
        !cJSON_AddStringToObject(item, "name",
                                 th_taxonomy_theme_name(instance->taxonomy, hit->theme)) ||
        !cJSON_AddNumberToObject(item, "score", th_round4(hit->score))) {
      cJSON_Delete(item);
      cJSON_Delete(matched);
      cJSON_Delete(array);
      return -1;
    }
    cJSON_AddItemToObject(item, "matched", matched);
    cJSON_AddItemToArray(array, item);
    th_tax_stats *stats = &partial->tax[hit->theme];
    stats->count++;
    if (!isnan(sentiment)) {
      stats->sentiment_sum += sentiment;
      stats->sentiment_count++;
    }
    const char *id = record_id(ref);
    if (!id || th_stats_example(stats, instance->examples, ref->line, id, ref->id_is_string)) {
      cJSON_Delete(array);
      return -1;
    }
  }
  return instance->host->record_set(record, TP_KEY_THEMES, array);
}

/* Online clustering and retention of one record. The record's terms are weighted with the
 * idf learned so far and ranked; its TH_ONLINE_QUERY heaviest terms (unit length) choose and
 * move its online theme, which keeps the per-record cost flat for long comments, and its
 * TH_DOC_TERMS heaviest raw counts are what a retained record keeps. */
static int discover_record(const th_instance *instance, th_partial *partial, tp_record *record,
                           record_ref *ref, double sentiment) {
  uint64_t line = ref->line;
  th_scratch *scratch = &partial->scratch;
  size_t count = scratch->term_count;
  if (th_grow((void **)&partial->order, &partial->order_capacity, count + 1, sizeof(th_ranked)))
    return -1;
  th_ranked *order = partial->order;
  double rarity = th_rarity(partial);
  for (size_t i = 0; i < count; i++) {
    uint32_t hash = scratch->terms[i].hash;
    double weight = th_online_weight(scratch->terms[i].count, scratch->idfs[i], hash, rarity);
    order[i] = (th_ranked){(uint32_t)i, (float)weight};
  }
  /* the TH_ONLINE_QUERY heaviest first (the TH_DOC_TERMS heaviest only if it is kept) */
  th_select_top(order, count, TH_ONLINE_QUERY);
  size_t query = count < TH_ONLINE_QUERY ? count : TH_ONLINE_QUERY;
  uint32_t hashes[TH_ONLINE_QUERY];
  float weights[TH_ONLINE_QUERY];
  double norm = 0;
  for (size_t q = 0; q < query; q++)
    norm += (double)order[q].weight * order[q].weight;
  double length = sqrt(norm); /* once, not once per term */
  for (size_t q = 0; q < query; q++) {
    hashes[q] = scratch->terms[order[q].index].hash;
    weights[q] = (float)(order[q].weight / length);
  }
  uint64_t online = 0;
  if (th_online_assign(&partial->online, hashes, weights, query, line, sentiment, &online))
    return -1;
  cJSON *theme_id = online ? cJSON_CreateNumber((double)online) : cJSON_CreateNull();
  if (!theme_id || instance->host->record_set(record, TP_KEY_THEME_ID, theme_id))
    return -1;
  uint64_t priority = th_doc_priority(instance->seed, line);
  if (!th_partial_wants(instance, partial, priority, line))
    return 0;
  th_select_top(order, count, TH_DOC_TERMS);
  size_t ordered = count < TH_DOC_TERMS ? count : TH_DOC_TERMS;
  size_t phrase_bytes = 0, phrases = th_doc_phrases(scratch);
  if (phrases > scratch->phrase_count)
    phrases = scratch->phrase_count;
  for (size_t p = 0; p < phrases; p++)
    phrase_bytes += strlen(scratch->chars + scratch->phrases[p].display) + 1;
  const char *id = record_id(ref);
  if (!id)
    return -1;
  size_t id_length = strlen(id);
  th_doc *doc = th_doc_new((uint32_t)ordered, id_length, phrase_bytes);
  if (!doc)
    return -1;
  doc->line = line;
  doc->priority = priority;
  doc->online = online;
  doc->sentiment = sentiment;
  doc->id_is_string = ref->id_is_string;
  memcpy(doc->id, id, id_length + 1);
  for (size_t t = 0; t < ordered; t++)
    doc->terms[t] = scratch->terms[order[t].index];
  char *out = doc->phrases;
  for (size_t p = 0; p < phrases; p++) {
    const char *display = scratch->chars + scratch->phrases[p].display;
    size_t length = strlen(display) + 1;
    memcpy(out, display, length);
    out += length;
  }
  return th_partial_keep(instance, partial, doc);
}

static tp_result theme_process(void *instance_pointer, void *partial_pointer, tp_record *record,
                               char *err, size_t err_size) {
  const th_instance *instance = instance_pointer;
  th_partial *partial = partial_pointer;
  const tp_host *host = instance->host;
  const tp_text *text = host->record_attachment(record, TP_TEXT_KEY);
  if (!text) {
    snprintf(err, err_size, "no \"%s\" attachment: run the tokenize stage before theme",
             TP_TEXT_KEY);
    return TP_ERROR;
  }
  th_scratch *scratch = &partial->scratch;
  /* Applying a model without keyphrases needs the record's terms only: its weights come from
   * the model, so neither phrase candidates nor the stream's document frequencies are built
   * (the exported partial's sketch then stays empty: nothing reads it in apply mode). */
  int terms_only = instance->saved && instance->keyphrases == 0;
  scratch->sketch = terms_only ? NULL : &partial->sketch;
  scratch->tax_shapes = instance->taxonomy ? th_taxonomy_shapes(instance->taxonomy) : NULL;
  if (th_features_extract(text, instance->bigrams, !terms_only, scratch))
    goto oom;
  partial->records++;
  partial->term_total += scratch->term_count;
  /* the online term table (128 KB of slots) is seldom in cache when a record comes: its lines
   * for this record's terms load while the sketch, the phrases and the taxonomy are worked out */
  int discovers = th_discovers(instance);
  if (discovers)
    th_online_prefetch(&partial->online, scratch->terms, scratch->term_count);
  if (!terms_only) {
    if (th_terms_count(scratch, &partial->sketch))
      goto oom;
    size_t doc_phrases = th_doc_phrases(scratch);
    th_phrases_score(scratch, text,
                     instance->keyphrases > doc_phrases ? instance->keyphrases : doc_phrases);
  }
  record_ref ref = {.host = host, .record = record, .line = host->record_line(record)};
  /* the taxonomy's and the online themes' mean sentiment: applying a model keeps none */
  double sentiment = instance->taxonomy || discovers ? record_sentiment(host, record) : (double)NAN;
  if ((instance->keyphrases && set_keyphrases(instance, scratch, record)) ||
      (instance->taxonomy && match_taxonomy(instance, partial, text, record, &ref, sentiment)) ||
      (instance->saved && th_apply_record(instance, partial, record)) ||
      (discovers && discover_record(instance, partial, record, &ref, sentiment))) {
    th_free(ref.allocated);
    goto oom;
  }
  th_free(ref.allocated);
  return TP_KEEP;
oom:
  snprintf(err, err_size, "out of memory");
  return TP_ERROR;
}

static const tp_plugin theme_plugin = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "theme",
    .version = "1.0.0",
    .description = "taxonomy themes, keyphrases and discovered themes (needs tokenize)",
    .options = theme_options,
    .config_size = sizeof(theme_config),
    .requires_keys = theme_requires,
    .provides_keys = theme_provides,
    .uses = theme_uses,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = theme_create,
    .destroy = theme_destroy,
    .partial_create = theme_partial_create,
    .partial_destroy = theme_partial_destroy,
    .merge = theme_merge,
    .process = theme_process,
    .finish = th_report,
    .partial_export = th_partial_export,
    .partial_import = th_partial_import,
};

TP_PLUGIN_DEFINE(theme_plugin)
