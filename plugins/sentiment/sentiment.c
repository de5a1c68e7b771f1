/* sentiment.c - the sentiment stage: glue between textpipe's plugin ABI and the scoring engine.
 *
 * create() builds the read-only term table (built-in or configured word list and rules, plus
 * "lexicon_extra"); process() scores the tokens the tokenize stage attached (whole text, and
 * each sentence on request) and sets "sentiment" on the record; each worker's partial keeps
 * the stream statistics for the report (sentiment_report.h). The engine files do the work:
 * sentiment_lexicon.c (term table), sentiment_score.c (rules), sentiment_report.c (report).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textpipe/plugin.h>
#include <textpipe/keys.h>
#include <textpipe/text.h>

#include "sentiment_json.h"
#include "sentiment_lexicon.h"
#include "sentiment_report.h"
#include "sentiment_score.h"

/* The built-in data, compiled in by data/embed.py. */
extern const unsigned char sx_builtin_lexicon[];
extern const size_t sx_builtin_lexicon_length;
extern const unsigned char sx_builtin_rules[];
extern const size_t sx_builtin_rules_length;

typedef struct sx_instance {
  const tp_host *host;
  sx_lexicon *lexicon;
  double positive_threshold;
  double negative_threshold;
  int sentences;
  size_t top;
  const char *time_field; /* dotted path of the records' time (the config's), or NULL */
} sx_instance;

typedef struct sx_partial {
  sx_scratch scratch;
  sx_report report;
} sx_partial;

/* The stage's options, written by the host from sx_options (host->stage_config). */
typedef struct sx_config {
  const char *lexicon; /* NULL: the built-in word list */
  const char *rules;   /* NULL: the built-in rules */
  const cJSON *lexicon_extra;
  const char *language;
  double positive_threshold;
  double negative_threshold;
  bool sentences;
  int32_t report_top;
  const char *time_field;
} sx_config;

static const tp_option sx_options[] = {
    {.name = "lexicon",
     .type = TP_OPTION_PATH,
     .description = "word list (term<TAB>valence lines) replacing the built-in English one",
     TP_OPTION_FIELD(sx_config, lexicon)},
    {.name = "rules",
     .type = TP_OPTION_PATH,
     .description = "rule list (boosters, negators, phrases...) replacing the built-in English one",
     TP_OPTION_FIELD(sx_config, rules)},
    {.name = "lexicon_extra",
     .type = TP_OPTION_OBJECT,
     .default_json = "{}",
     .description = "words or phrases to add or override, {\"term\": valence -4..4}",
     TP_OPTION_FIELD(sx_config, lexicon_extra)},
    {.name = "language",
     .type = TP_OPTION_STRING,
     .default_json = "\"english\"",
     .description = "Snowball language for stem fallback lookups, or \"none\"",
     TP_OPTION_FIELD(sx_config, language)},
    {.name = "positive_threshold",
     .type = TP_OPTION_NUMBER,
     .default_json = "0.05",
     .min = -1,
     .max = 1,
     .description = "compound at or above which the label is positive",
     TP_OPTION_FIELD(sx_config, positive_threshold)},
    {.name = "negative_threshold",
     .type = TP_OPTION_NUMBER,
     .default_json = "-0.05",
     .min = -1,
     .max = 1,
     .description = "compound at or below which the label is negative",
     TP_OPTION_FIELD(sx_config, negative_threshold)},
    {.name = "sentences",
     .type = TP_OPTION_BOOL,
     .default_json = "false",
     .description = "also score each sentence",
     TP_OPTION_FIELD(sx_config, sentences)},
    {.name = "report_top",
     .type = TP_OPTION_INT,
     .default_json = "5",
     .min = 0,
     .max = SX_REPORT_MAX_TOP,
     .description = "how many most positive and most negative records the report lists",
     TP_OPTION_FIELD(sx_config, report_top)},
    {.name = "time_field",
     .type = TP_OPTION_STRING,
     .default_json = "\"\"",
     .description = "field holding each record's time (ISO 8601 or seconds since 1970; a dotted "
                    "path such as \"meta.created_at\"): the report then also shows sentiment "
                    "over time",
     TP_OPTION_FIELD(sx_config, time_field)},
    {.name = NULL},
};

static const char *const sx_requires[] = {TP_KEY_TOKENS, NULL};
static const char *const sx_provides[] = {TP_KEY_SENTIMENT, NULL};

/* Reads a whole file into host memory (NUL-terminated). Returns it or NULL with err filled. */
static char *sx_read_file(const tp_host *host, const char *path, size_t *length, char *err,
                          size_t err_size) {
  FILE *file = fopen(path, "rb");
  char *data = NULL;
  long size = -1;
  if (file != NULL && fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
      fseek(file, 0, SEEK_SET) == 0 && (data = host->alloc((size_t)size + 1)) != NULL &&
      fread(data, 1, (size_t)size, file) == (size_t)size) {
    data[size] = '\0';
    *length = (size_t)size;
    fclose(file);
    return data;
  }
  snprintf(err, err_size, "%s: cannot read file", path);
  host->free(data);
  if (file != NULL) {
    fclose(file);
  }
  return NULL;
}

/* Loads the word list or rules from `path`, or the built-in data when path is NULL. */
static int sx_load(const tp_host *host, sx_lexicon *lexicon, const char *path, int rules, char *err,
                   size_t err_size) {
  if (path == NULL) {
    const char *data = rules ? (const char *)sx_builtin_rules : (const char *)sx_builtin_lexicon;
    size_t length = rules ? sx_builtin_rules_length : sx_builtin_lexicon_length;
    return rules ? sx_lexicon_load_rules(lexicon, data, length, "rules.tsv", err, err_size)
                 : sx_lexicon_load_words(lexicon, data, length, "lexicon.tsv", err, err_size);
  }
  size_t length = 0;
  char *data = sx_read_file(host, path, &length, err, err_size);
  if (data == NULL) {
    return -1;
  }
  int status = rules ? sx_lexicon_load_rules(lexicon, data, length, path, err, err_size)
                     : sx_lexicon_load_words(lexicon, data, length, path, err, err_size);
  host->free(data);
  return status;
}

static int sx_load_extra(sx_lexicon *lexicon, const cJSON *extra, char *err, size_t err_size) {
  const cJSON *entry = NULL;
  cJSON_ArrayForEach(entry, extra) {
    if (!cJSON_IsNumber(entry) || entry->valuedouble < -4 || entry->valuedouble > 4) {
      snprintf(err, err_size, "config.lexicon_extra.\"%s\": expected a valence from -4 to 4",
               entry->string);
      return -1;
    }
    if (sx_lexicon_set_valence(lexicon, entry->string, entry->valuedouble) != 0) {
      snprintf(err, err_size, "config.lexicon_extra.\"%s\": empty or longer than 255 bytes",
               entry->string);
      return -1;
    }
  }
  return 0;
}

static void sx_destroy(void *opaque) {
  sx_instance *instance = opaque;
  if (instance != NULL) {
    sx_lexicon_destroy(instance->lexicon);
    instance->host->free(instance);
  }
}

static int sx_create(const tp_host *host, const tp_stage *stage, const cJSON *json, void **out,
                     char *err, size_t err_size) {
  (void)json;
  const sx_config *config = host->stage_config(stage);
  sx_instance *instance = host->alloc(sizeof *instance);
  if (instance == NULL) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  memset(instance, 0, sizeof *instance);
  instance->host = host;
  instance->positive_threshold = config->positive_threshold;
  instance->negative_threshold = config->negative_threshold;
  instance->sentences = config->sentences;
  instance->top = (size_t)config->report_top;
  if (config->time_field != NULL && config->time_field[0] != '\0')
    instance->time_field = config->time_field;
  const char *language = config->language;
  if (language != NULL && strcmp(language, "none") == 0) {
    language = NULL;
  }
  sx_allocator allocator = {host->alloc, host->realloc, host->free};
  instance->lexicon = sx_lexicon_create(&allocator);
  if (instance->lexicon == NULL) {
    snprintf(err, err_size, "out of memory");
    sx_destroy(instance);
    return -1;
  }
  if (instance->negative_threshold > instance->positive_threshold) {
    snprintf(err, err_size,
             "config.negative_threshold (%g) is above config.positive_threshold (%g)",
             instance->negative_threshold, instance->positive_threshold);
    sx_destroy(instance);
    return -1;
  }
  if (sx_load(host, instance->lexicon, config->lexicon, 0, err, err_size) != 0 ||
      sx_load(host, instance->lexicon, config->rules, 1, err, err_size) != 0 ||
      sx_load_extra(instance->lexicon, config->lexicon_extra, err, err_size) != 0 ||
      sx_lexicon_build_stems(instance->lexicon, language, err, err_size) != 0) {
    sx_destroy(instance);
    return -1;
  }
  *out = instance;
  return 0;
}

static void *sx_partial_create(void *opaque) {
  sx_instance *instance = opaque;
  sx_partial *partial = instance->host->alloc(sizeof *partial);
  if (partial != NULL) {
    memset(&partial->scratch, 0, sizeof partial->scratch);
    partial->scratch.allocator =
        (sx_allocator){instance->host->alloc, instance->host->realloc, instance->host->free};
    sx_report_init(&partial->report, instance->top);
    partial->report.time_field = instance->time_field;
  }
  return partial;
}

static void sx_partial_destroy(void *opaque, void *partial_opaque) {
  sx_instance *instance = opaque;
  sx_partial *partial = partial_opaque;
  if (partial != NULL) {
    sx_scratch_release(&partial->scratch);
    instance->host->free(partial);
  }
}

static sx_label sx_label_of(const sx_instance *instance, double compound) {
  if (compound >= instance->positive_threshold && compound > instance->negative_threshold) {
    return SX_LABEL_POSITIVE;
  }
  return compound <= instance->negative_threshold ? SX_LABEL_NEGATIVE : SX_LABEL_NEUTRAL;
}

static const char *const sx_label_names[] = {"negative", "neutral", "positive"};

/* Returns a new {"compound", "positive", "neutral", "negative", "label"} object, or NULL. */
static cJSON *sx_scores_json(const sx_instance *instance, const sx_scores *scores) {
  cJSON *object = sx_json_node(cJSON_Object);
  double compound = sx_round(scores->compound, 10000.0);
  if (object == NULL || sx_json_append(object, "compound", sx_json_number(compound)) != 0 ||
      sx_json_append(object, "positive", sx_json_number(sx_round(scores->positive, 1000.0))) != 0 ||
      sx_json_append(object, "neutral", sx_json_number(sx_round(scores->neutral, 1000.0))) != 0 ||
      sx_json_append(object, "negative", sx_json_number(sx_round(scores->negative, 1000.0))) != 0 ||
      sx_json_append(object, "label",
                     sx_json_constant_string(sx_label_names[sx_label_of(instance, compound)])) !=
          0) {
    cJSON_Delete(object);
    return NULL;
  }
  return object;
}

/* Scores each sentence of `text` (whose tokens `scratch` has looked up) into a new array. A
 * sentence that holds every token of the text has the text's scores (`whole`): scoring it
 * again would compute the same figures from the same items. */
static cJSON *sx_sentences_json(const sx_instance *instance, const tp_text *text,
                                sx_scratch *scratch, const sx_scores *whole) {
  cJSON *array = sx_json_node(cJSON_Array);
  for (size_t i = 0; array != NULL && i < text->sentence_count; i++) {
    const tp_sentence *sentence = TP_TEXT_SENTENCE(text, i);
    sx_scores scores = *whole;
    cJSON *item = NULL;
    int all_tokens = sentence->first_token == 0 && sentence->token_count == text->token_count;
    if ((!all_tokens && sx_score_sentence(instance->lexicon, text, sentence->first_token,
                                          sentence->token_count, scratch, &scores) != 0) ||
        (item = sx_scores_json(instance, &scores)) == NULL ||
        sx_json_append(item, "start", sx_json_number(sentence->start)) != 0 ||
        sx_json_append(item, "length", sx_json_number(sentence->length)) != 0 ||
        sx_json_append(array, NULL, item) != 0) {
      cJSON_Delete(item);
      cJSON_Delete(array);
      return NULL;
    }
  }
  return array;
}

static tp_result sx_process(void *opaque, void *partial_opaque, tp_record *record, char *err,
                            size_t err_size) {
  sx_instance *instance = opaque;
  sx_partial *partial = partial_opaque;
  const tp_host *host = instance->host;
  const tp_text *text = host->record_attachment(record, TP_TEXT_KEY);
  if (text == NULL) {
    snprintf(err, err_size, "no \"%s\" attachment: run the tokenize stage before sentiment",
             TP_TEXT_KEY);
    return TP_ERROR;
  }
  sx_scores scores;
  /* With sentences, what the whole text's pass found is kept: one lookup per token serves both. */
  int failed = instance->sentences
                   ? sx_score_text(instance->lexicon, text, &partial->scratch, &scores)
                   : sx_score_span(instance->lexicon, text, 0, text->token_count, &partial->scratch,
                                   &scores);
  if (failed) {
    snprintf(err, err_size, "out of memory");
    return TP_ERROR;
  }
  cJSON *result = sx_scores_json(instance, &scores);
  if (result != NULL && instance->sentences) {
    cJSON *sentences = sx_sentences_json(instance, text, &partial->scratch, &scores);
    if (sx_json_append(result, "sentences", sentences) != 0) {
      cJSON_Delete(result);
      result = NULL;
    }
  }
  if (result == NULL || host->record_set(record, TP_KEY_SENTIMENT, result) != 0) {
    snprintf(err, err_size, "out of memory");
    return TP_ERROR;
  }
  double compound = sx_round(scores.compound, 10000.0);
  char id[SX_REPORT_ID_BYTES];
  const char *id_text = NULL, *record_text = NULL;
  size_t text_length = 0;
  if (sx_report_wants_id(&partial->report, compound)) {
    /* An id longer than the report keeps is left out rather than cut. */
    if (host->record_id(record, id, sizeof id) < sizeof id)
      id_text = id;
    record_text = host->record_text(record, &text_length);
  }
  sx_report_add_quoted(&partial->report, compound, sx_label_of(instance, compound),
                       host->record_line(record), id_text, record_text, text_length);
  if (instance->time_field != NULL) {
    int64_t seconds;
    if (sx_time_parse(host->record_field(record, instance->time_field), &seconds) == 0)
      sx_time_line_add(&partial->report.time, seconds, compound, 1);
    else
      partial->report.time.untimed++;
  }
  return TP_KEEP;
}

static int sx_merge(void *opaque, void *into, void *from, char *err, size_t err_size) {
  (void)opaque, (void)err, (void)err_size;
  sx_report_merge(&((sx_partial *)into)->report, &((sx_partial *)from)->report);
  return 0;
}

static int sx_finish(void *opaque, void *partial, cJSON *section, char *err, size_t err_size) {
  (void)opaque;
  if (sx_report_write(&((sx_partial *)partial)->report, section) != 0 ||
      sx_report_blocks(&((sx_partial *)partial)->report, section) != 0) {
    snprintf(err, err_size, "out of memory writing the report");
    return -1;
  }
  return 0;
}

static cJSON *sx_partial_export(void *opaque, const void *partial) {
  (void)opaque;
  return sx_report_export(&((const sx_partial *)partial)->report);
}

static void *sx_partial_import(void *opaque, const cJSON *data, char *err, size_t err_size) {
  sx_partial *partial = sx_partial_create(opaque);
  if (partial == NULL) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  if (sx_report_import(&partial->report, data, err, err_size) != 0) {
    sx_partial_destroy(opaque, partial);
    return NULL;
  }
  partial->report.time_field = ((sx_instance *)opaque)->time_field;
  return partial;
}

static const tp_plugin sx_plugin = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "sentiment",
    .version = "1.0.0",
    .description = "lexicon-and-rules sentiment (VADER-style, extended) per record and sentence",
    .options = sx_options,
    .config_size = sizeof(sx_config),
    .requires_keys = sx_requires,
    .provides_keys = sx_provides,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = sx_create,
    .destroy = sx_destroy,
    .partial_create = sx_partial_create,
    .partial_destroy = sx_partial_destroy,
    .merge = sx_merge,
    .process = sx_process,
    .finish = sx_finish,
    .partial_export = sx_partial_export,
    .partial_import = sx_partial_import,
};

TP_PLUGIN_DEFINE(sx_plugin)
