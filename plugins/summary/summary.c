/* plugins/summary/summary.c - the summary plugin: an extractive summary of each long comment
 * and, in the report, a digest of the whole stream (plus representative sentences per theme
 * and per sentiment polarity when those stages ran first).
 *
 * Per record: comments with more than `min_sentences` sentences get "summary": their most
 * central sentences (see summary_rank_record) joined in original order. Shorter comments get
 * no "summary" key: their text is already its own summary, and leaving the key out keeps the
 * output small and tells readers that nothing was cut.
 *
 * Stream: every sentence updates a fixed-size term sketch and is offered to a fixed-size
 * candidate pool (summary_digest.h), so memory does not grow with the stream. Each worker has
 * its own partial; merge() folds them; finish() picks the digest by MMR (skipped, leaving the
 * section empty, when nobody reads the report: host->report_wanted).
 */
#include <stdio.h>
#include <string.h>

#include <textpipe/keys.h>
#include <textpipe/plugin.h>
#include <textpipe/text.h>

#include "summary_digest.h"
#include "summary_partial.h"
#include "summary_text.h"

/* The stage's options, written by the host from summary_options (host->stage_config). */
typedef struct summary_config {
  int64_t min_sentences, max_sentences, max_words, digest_size, pool_size, sketch_bits;
  double target_words, redundancy;
  int64_t theme_sentences, sentiment_points;
  const char *theme_stage;
} summary_config;

/* One INT option bound to the member of the same name. */
#define SUMMARY_INT(option, default_text, low, high, text)                                         \
  {                                                                                                \
    .name = #option, .type = TP_OPTION_INT, .default_json = default_text, .min = low, .max = high, \
    .description = text, TP_OPTION_FIELD(summary_config, option)                                   \
  }

static const tp_option summary_options[] = {
    SUMMARY_INT(min_sentences, "3", 0, 1000,
                "comments with more sentences than this get a \"summary\""),
    SUMMARY_INT(max_sentences, "2", 1, SUMMARY_RECORD_SENTENCES, "sentences in a record's summary"),
    SUMMARY_INT(max_words, "60", 1, 100000, "words in a record's summary"),
    SUMMARY_INT(digest_size, "5", 1, 100, "sentences in the report's digest"),
    SUMMARY_INT(pool_size, "512", 1, 65536, "candidate sentences kept per worker (fixed memory)"),
    SUMMARY_INT(sketch_bits, "17", 10, 24, "the term sketch has 2^bits counters"),
    {.name = "target_words",
     .type = TP_OPTION_NUMBER,
     .default_json = "8",
     .min = 1,
     .max = 100,
     .description = "digest sentences are preferred near this length (words)",
     TP_OPTION_FIELD(summary_config, target_words)},
    {.name = "redundancy",
     .type = TP_OPTION_NUMBER,
     .default_json = "0.5",
     .min = 0,
     .max = 1,
     .description = "two digest sentences are never more similar than this (cosine)",
     TP_OPTION_FIELD(summary_config, redundancy)},
    SUMMARY_INT(theme_sentences, "2", 1, 20, "sentences per theme in the report"),
    SUMMARY_INT(sentiment_points, "3", 1, 20, "positive and negative points in the report"),
    {.name = "theme_stage",
     .type = TP_OPTION_STRING,
     .default_json = "\"theme\"",
     .description = "id of the theme stage whose report section names the themes",
     TP_OPTION_FIELD(summary_config, theme_stage)},
    {.name = NULL},
};

static const char *const summary_requires[] = {TP_KEY_TOKENS, NULL};
static const char *const summary_provides[] = {TP_KEY_SUMMARY, NULL};
/* Sentences are also filed by polarity (per-sentence scores when sentiment wrote them) and by
 * theme, named from the theme stage's report section. */
static const tp_key_use summary_uses[] = {
    {TP_KEY_SENTIMENT_COMPOUND, TP_USE_OPTIONAL},
    {TP_KEY_SENTIMENT_SENTENCES, TP_USE_OPTIONAL},
    {TP_KEY_THEME_ID, TP_USE_OPTIONAL | TP_USE_REPORT_SECTION},
    {NULL, 0},
};

static int summary_create(const tp_host *host, const tp_stage *stage, const cJSON *json,
                          void **instance_out, char *err, size_t err_size) {
  (void)json;
  const summary_config *config = host->stage_config(stage);
  summary_instance *instance = host->alloc(sizeof *instance);
  if (!instance) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  memset(instance, 0, sizeof *instance);
  instance->host = host;
  instance->stage = stage;
  instance->memory.alloc = host->alloc;
  instance->memory.free = host->free;
  instance->min_sentences = (size_t)config->min_sentences;
  instance->max_sentences = (size_t)config->max_sentences;
  instance->max_words = (size_t)config->max_words;
  instance->digest_size = (size_t)config->digest_size;
  instance->pool_size = (size_t)config->pool_size;
  instance->sketch_bits = (uint32_t)config->sketch_bits;
  instance->redundancy = config->redundancy;
  instance->theme_sentences = (size_t)config->theme_sentences;
  instance->sentiment_points = (size_t)config->sentiment_points;
  instance->scoring.target_words = config->target_words;
  instance->scoring.length_spread = 4.0;
  instance->scoring.bigram_weight = 1.0;
  summary_scoring_prepare(&instance->scoring);
  const char *theme_stage = config->theme_stage != NULL ? config->theme_stage : "";
  snprintf(instance->theme_stage, sizeof instance->theme_stage, "%s", theme_stage);
  if (instance->pool_size < instance->digest_size) {
    snprintf(err, err_size, "pool_size: %zu is smaller than digest_size (%zu)", instance->pool_size,
             instance->digest_size);
    host->free(instance);
    return -1;
  }
  if (instance->theme_stage[0] == '\0' || strlen(theme_stage) >= sizeof instance->theme_stage) {
    snprintf(err, err_size, "theme_stage: expected a stage id of 1 to %zu bytes",
             sizeof instance->theme_stage - 1);
    host->free(instance);
    return -1;
  }
  *instance_out = instance;
  return 0;
}

static void summary_destroy(void *instance) {
  summary_instance *self = instance;
  if (self)
    self->host->free(self);
}

/* The record id as JSON text (host->record_id): in buffer when it fits, else in a new block
 * set in *allocated (the caller frees it with host->free). NULL out of memory. */
static const char *record_id(const summary_instance *self, const tp_record *record, char *buffer,
                             size_t size, char **allocated) {
  size_t length = self->host->record_id(record, buffer, size);
  if (length < size)
    return buffer;
  *allocated = self->host->alloc(length + 1);
  if (*allocated)
    self->host->record_id(record, *allocated, length + 1);
  return *allocated;
}

/* Builds one sentence's features from the tokenize stage's tokens: each word's stem hashed and
 * filed as it is read. */
static void sentence_features(summary_partial *partial, const tp_text *text,
                              const tp_sentence *sentence, summary_features *out) {
  /* Only words matter (punctuation does not break a bigram), and only the first
   * SUMMARY_MAX_WORDS of them are hashed; the rest are just counted. */
  summary_builder builder;
  summary_builder_start(&builder, &partial->seen, out);
  size_t words = 0;
  size_t end = (size_t)sentence->first_token + sentence->token_count;
  if (end > text->token_count)
    end = text->token_count;
  for (size_t index = sentence->first_token; index < end; index++) {
    const tp_token *token = TP_TEXT_TOKEN(text, index);
    if (token->type != TP_TOKEN_WORD && token->type != TP_TOKEN_NUMBER)
      continue;
    if (words++ >= SUMMARY_MAX_WORDS)
      continue;
    summary_builder_add(&builder, summary_hash(token->stem, token->stem_length),
                        (token->flags & TP_TOKEN_STOPWORD) != 0);
  }
  summary_builder_finish(&builder, words);
}

/* Writes the record's "summary" from the chosen sentences. */
static int write_summary(const summary_instance *self, tp_record *record, const tp_text *text,
                         const size_t *chosen, size_t chosen_count) {
  size_t total = 1;
  for (size_t c = 0; c < chosen_count; c++)
    total += TP_TEXT_SENTENCE(text, chosen[c])->length + 1;
  /* Joined straight into the string the JSON node will own (cJSON's allocator, so that
   * cJSON_Delete frees it), not copied once more by cJSON_CreateString. */
  char *joined = cJSON_malloc(total);
  if (!joined)
    return -1;
  size_t used = 0;
  for (size_t c = 0; c < chosen_count; c++) {
    if (used > 0)
      joined[used++] = ' ';
    const tp_sentence *sentence = TP_TEXT_SENTENCE(text, chosen[c]);
    used += summary_text_copy(text->text + sentence->start, sentence->length, joined + used);
  }
  joined[used] = '\0';
  cJSON *value = cJSON_CreateStringReference(joined);
  if (!value) {
    cJSON_free(joined);
    return -1;
  }
  value->type &= ~cJSON_IsReference; /* the node owns `joined` now */
  return self->host->record_set(record, TP_KEY_SUMMARY, value);
}

/* Whether the member name `name` is `literal`; the first byte is compared inline first, as
 * nearly every other name differs there. */
static inline int name_is(const char *name, const char *literal) {
  return name != NULL && name[0] == literal[0] && strcmp(name, literal) == 0;
}

/* The member names of the sentiment stage's per-sentence objects already found to be "start"
 * and "compound" in the record being processed (NULL until then). The sentiment stage names
 * every sentence's members with the same constant strings, so after the first sentence a
 * name is recognized by its pointer, without a strcmp; a name at another address is still
 * compared by its bytes. Valid within one process() call only: the record's nodes, and so the
 * names they point to, do not change while it runs, but may be freed and the memory reused
 * after it. */
typedef struct sentence_names {
  const char *start, *compound;
} sentence_names;

/* Whether `name` (not NULL) is `literal`, `*known` being NULL or a name already found equal to
 * it; notes `name` in *known when it is. */
static inline int name_matches(const char *name, const char *literal, const char **known) {
  if (name == *known)
    return 1;
  if (!name_is(name, literal))
    return 0;
  *known = name;
  return 1;
}

/* The polarity digest for sentence `index`: the sentiment stage's per-sentence score `item`
 * (the index-th member of TP_KEY_SENTIMENT_SENTENCES, NULL if none) when its start offset is
 * the sentence's, else the record's TP_KEY_SENTIMENT_COMPOUND (`compound`: NULL when absent). */
static int sentence_sentiment(summary_instance *self, summary_partial *partial,
                              const cJSON *compound, const cJSON *item, sentence_names *names,
                              const tp_text *text, size_t index, summary_digest **polarity) {
  *polarity = NULL;
  /* Both members in one walk that ends when both are found, each the first of its name (as
   * cJSON_GetObjectItemCaseSensitive finds it, which also stops at a member without a name). */
  const cJSON *start = NULL, *own = NULL;
  for (const cJSON *member = item ? item->child : NULL; member && member->string && !(start && own);
       member = member->next) {
    if (!start && name_matches(member->string, "start", &names->start))
      start = member;
    else if (!own && name_matches(member->string, "compound", &names->compound))
      own = member;
  }
  if (summary_json_is_number(start) && start->valuedouble == TP_TEXT_SENTENCE(text, index)->start)
    compound = own;
  return summary_partial_polarity(self, partial, compound, polarity);
}

/* The members of a record the summary reads besides its tokens, each found as the lookups it
 * replaces find it: `theme_id` as cJSON_GetObjectItemCaseSensitive (the first member of that
 * name; a member without a name ends the search), `compound` and `sentences` as
 * host->record_field finds TP_KEY_SENTIMENT_COMPOUND and TP_KEY_SENTIMENT_SENTENCES (the first
 * "sentiment" member, when it is an object, and its first member of each name). NULL when
 * missing. */
typedef struct record_inputs {
  const cJSON *theme_id, *compound, *sentences;
} record_inputs;

/* Fills *inputs in one walk over the record's members and one over its "sentiment" object,
 * instead of a walk (and a strcmp per member) for each of the three. */
static void find_record_inputs(const cJSON *json, record_inputs *inputs) {
  const cJSON *sentiment = NULL;
  inputs->theme_id = inputs->compound = inputs->sentences = NULL;
  int theme_search = 1; /* cleared at a member without a name or once theme_id is found */
  for (const cJSON *member = json ? json->child : NULL; member && (theme_search || !sentiment);
       member = member->next) {
    if (member->string == NULL) {
      theme_search = 0;
      continue;
    }
    if (theme_search && name_is(member->string, TP_KEY_THEME_ID)) {
      inputs->theme_id = member;
      theme_search = 0;
    } else if (!sentiment && name_is(member->string, TP_KEY_SENTIMENT)) {
      sentiment = member;
    }
  }
  if (!cJSON_IsObject(sentiment))
    return;
  /* the member names after "sentiment." in the two keys */
  const char *compound_name = TP_KEY_SENTIMENT_COMPOUND + sizeof TP_KEY_SENTIMENT;
  const char *sentences_name = TP_KEY_SENTIMENT_SENTENCES + sizeof TP_KEY_SENTIMENT;
  for (const cJSON *member = sentiment->child; member && !(inputs->compound && inputs->sentences);
       member = member->next) {
    if (!inputs->compound && name_is(member->string, compound_name))
      inputs->compound = member;
    else if (!inputs->sentences && name_is(member->string, sentences_name))
      inputs->sentences = member;
  }
}

static tp_result summary_process(void *instance, void *partial_ptr, tp_record *record, char *err,
                                 size_t err_size) {
  summary_instance *self = instance;
  summary_partial *partial = partial_ptr;
  const tp_text *text = self->host->record_attachment(record, TP_KEY_TOKENS);
  if (!text) {
    snprintf(err, err_size, "no \"%s\" attachment: put the tokenize stage before summary",
             TP_TEXT_KEY);
    return TP_ERROR;
  }
  record_inputs inputs;
  find_record_inputs(self->host->record_json(record), &inputs);
  summary_digest *theme = NULL, *polarity = NULL;
  if (summary_partial_route(self, partial, inputs.theme_id, &theme) < 0) {
    snprintf(err, err_size, "out of memory");
    return TP_ERROR;
  }
  /* The per-sentence scores are walked in step with the sentences (fetching the index-th
   * member would walk the array from its start for each sentence). */
  const cJSON *compound = inputs.compound;
  const cJSON *sentence_score = cJSON_IsArray(inputs.sentences) ? inputs.sentences->child : NULL;
  sentence_names names = {NULL, NULL};
  char id_buffer[96];
  char *id_allocated = NULL;
  const char *id = NULL;
  size_t ranked = text->sentence_count < SUMMARY_RECORD_SENTENCES ? text->sentence_count
                                                                  : SUMMARY_RECORD_SENTENCES;
  tp_result result = TP_KEEP;
  for (size_t s = 0; s < text->sentence_count && result == TP_KEEP; s++) {
    summary_features *features =
        s < ranked ? &partial->features[s] : &partial->features[SUMMARY_RECORD_SENTENCES];
    const tp_sentence *sentence = TP_TEXT_SENTENCE(text, s);
    sentence_features(partial, text, sentence, features);
    const cJSON *item = sentence_score;
    sentence_score = sentence_score != NULL ? sentence_score->next : NULL;
    if (sentence_sentiment(self, partial, compound, item, &names, text, s, &polarity) < 0) {
      result = TP_ERROR;
      break;
    }
    /* Count the sentence everywhere; copy its text and the record id only for the pools it
     * may enter (most sentences of a long stream enter none). */
    summary_digest *targets[3] = {&partial->stream, theme, polarity};
    double scores[3];
    size_t length = 0;
    const char *bytes = NULL;
    for (int t = 0; t < 3 && result == TP_KEEP; t++) {
      scores[t] = -1.0;
      if (targets[t] && summary_digest_count(targets[t], features, &self->scoring, &self->memory,
                                             &scores[t]) < 0) {
        result = TP_ERROR;
        break;
      }
      if (scores[t] < 0.0)
        continue;
      if (!bytes) { /* the pool copies it: a plain sentence is handed over where it is */
        if (summary_partial_reserve_text(self, partial, sentence->length + 1) < 0) {
          result = TP_ERROR;
          break;
        }
        bytes = summary_text_quote(text->text + sentence->start, sentence->length,
                                   partial->sentence_text, &length);
      }
      if (!id && !(id = record_id(self, record, id_buffer, sizeof id_buffer, &id_allocated))) {
        result = TP_ERROR;
        break;
      }
      if (summary_pool_offer(&targets[t]->pool, features, scores[t], bytes, length, id,
                             &self->memory) < 0)
        result = TP_ERROR;
    }
  }
  self->host->free(id_allocated);
  if (result == TP_KEEP && text->sentence_count > self->min_sentences) {
    size_t chosen[SUMMARY_RECORD_SENTENCES];
    size_t chosen_count = summary_rank_record(&partial->ranker, partial->features, ranked,
                                              self->max_sentences, self->max_words, chosen);
    if (chosen_count > 0 && write_summary(self, record, text, chosen, chosen_count) < 0)
      result = TP_ERROR;
  }
  if (result == TP_ERROR)
    snprintf(err, err_size, "out of memory");
  return result;
}

static void *summary_partial_create_callback(void *instance) {
  return summary_partial_create(instance);
}

static void summary_partial_destroy_callback(void *instance, void *partial) {
  summary_partial_destroy(instance, partial);
}

static int summary_merge(void *instance, void *into, void *from, char *err, size_t err_size) {
  if (summary_partial_merge(instance, into, from) < 0) {
    snprintf(err, err_size, "merging partials failed (out of memory or mismatched sizes)");
    return -1;
  }
  return 0;
}

/* The digest, the per-theme and per-polarity sentences and the blocks only fill the section:
 * when nobody reads it (`run` without --report, host->report_wanted) finish leaves it empty. */
static int summary_finish(void *instance_pointer, void *partial, cJSON *section, char *err,
                          size_t err_size) {
  const summary_instance *instance = instance_pointer;
  if (!instance->host->report_wanted(instance->stage))
    return 0;
  if (summary_partial_report(instance_pointer, partial, section) < 0 ||
      summary_report_blocks(section) < 0) {
    snprintf(err, err_size, "out of memory while writing the report");
    return -1;
  }
  return 0;
}

static cJSON *summary_export(void *instance, const void *partial) {
  return summary_partial_export(instance, partial);
}

static void *summary_import(void *instance, const cJSON *data, char *err, size_t err_size) {
  return summary_partial_import(instance, data, err, err_size);
}

static const tp_plugin summary_plugin = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "summary",
    .version = "1.0.0",
    .description = "extractive summary of long comments and a digest of the stream",
    .options = summary_options,
    .config_size = sizeof(summary_config),
    .requires_keys = summary_requires,
    .provides_keys = summary_provides,
    .uses = summary_uses,
    .flags = TP_PLUGIN_CONCURRENT,
    .create = summary_create,
    .destroy = summary_destroy,
    .partial_create = summary_partial_create_callback,
    .partial_destroy = summary_partial_destroy_callback,
    .merge = summary_merge,
    .process = summary_process,
    .finish = summary_finish,
    .partial_export = summary_export,
    .partial_import = summary_import,
};

TP_PLUGIN_DEFINE(summary_plugin)
