/* plugins/tokenize/tokenize.c - the tokenize stage: the plugin descriptor around the tokenizer.
 *
 * For each record it tokenizes the text once (tokenizer.h), attaches the result as one tp_text
 * block under "tokens" (text.h, keys.h) for later stages, and writes the same key's JSON,
 * {"sentences": [...], "tokens": [...]}, into the record only when the "emit" option asks: the
 * one key it provides is there on every record. The instance (language, stopword set, emit mode)
 * is read-only after create(); each worker's partial holds its scratch buffers, its own Snowball
 * stemmer (not thread-safe) and word cache, and the counts reported at end of stream.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

#include "textpipe/blocks.h"
#include "textpipe/plugin.h"
#include "textpipe/keys.h"
#include "textpipe/text.h"
#include "entities.h"
#include "tokenizer.h"

enum { EMIT_NONE = 0, EMIT_SENTENCES, EMIT_TOKENS };

/* Every algorithm of libstemmer 2.2 (sb_stemmer_list()); a test checks this list against it. */
static const char *const languages[] = {
    "arabic",    "armenian",   "basque",     "catalan",  "danish",     "dutch",
    "english",   "finnish",    "french",     "german",   "greek",      "hindi",
    "hungarian", "indonesian", "irish",      "italian",  "lithuanian", "nepali",
    "norwegian", "porter",     "portuguese", "romanian", "russian",    "serbian",
    "spanish",   "swedish",    "tamil",      "turkish",  "yiddish",    NULL};
static const char *const emit_choices[] = {"none", "sentences", "tokens", NULL};

/* The stage's options, written by the host from options[] (host->stage_config). */
typedef struct config {
  int language;                 /* index in languages[] */
  int emit;                     /* EMIT_*, the index in emit_choices[] */
  bool stopwords;               /* flag the language's stopwords */
  const cJSON *extra_stopwords; /* array of strings */
  bool html_entities;
} config;

static const tp_option options[] = {
    {.name = "language",
     .type = TP_OPTION_ENUM,
     .default_json = "\"english\"",
     .choices = languages,
     .description = "Snowball stemmer and stopword list to use",
     TP_OPTION_FIELD(config, language)},
    {.name = "emit",
     .type = TP_OPTION_ENUM,
     .default_json = "\"none\"",
     .choices = emit_choices,
     TP_OPTION_FIELD(config, emit),
     .description = "what to write into the record's \"tokens\": nothing, \"sentences\", or "
                    "\"tokens\" (tokens and sentences)"},
    {.name = "stopwords",
     .type = TP_OPTION_BOOL,
     .default_json = "true",
     .description = "flag words of the language's stopword list as STOPWORD",
     TP_OPTION_FIELD(config, stopwords)},
    {.name = "extra_stopwords",
     .type = TP_OPTION_STRING_LIST,
     .default_json = "[]",
     .description = "more words to flag as STOPWORD (with stopwords true)",
     TP_OPTION_FIELD(config, extra_stopwords)},
    {.name = "html_entities",
     .type = TP_OPTION_BOOL,
     .default_json = "true",
     .description = "read HTML character references (&amp; &lt;3 &#39;) as the characters they "
                    "stand for; offsets still point into the original text",
     TP_OPTION_FIELD(config, html_entities)},
    {.name = NULL},
};

static const char *const provides[] = {TP_KEY_TOKENS, NULL};

typedef struct instance {
  const tp_host *host;
  tk_memory memory; /* the host's allocator: all the stage's memory comes from it */
  const tp_stage *stage;
  const char *language; /* an entry of languages[] */
  int emit;
  int html_entities; /* decode character references before scanning */
  tk_word_set stopwords;
} instance;

typedef struct worker {
  tk_scratch scratch;
  tk_decoded decoded; /* the text with its character references decoded, when it has any */
  tk_word_cache cache;
  struct sb_stemmer *stemmer;
  struct sb_stemmer *ascii_stemmer; /* NULL: `stemmer` stems ASCII words too */
  uint64_t records, tokens, sentences;
} worker;

static int create(const tp_host *host, const tp_stage *stage, const cJSON *json, void **out,
                  char *err, size_t err_size) {
  (void)json;
  const config *given = host->stage_config(stage);
  const cJSON *extra = given->extra_stopwords;
  int use_stopwords = given->stopwords;
  int html_entities = given->html_entities;
  instance *self = host->alloc(sizeof *self);
  if (!self) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  memset(self, 0, sizeof *self);
  self->host = host;
  self->memory = (tk_memory){host->alloc, host->realloc, host->free};
  self->stage = stage;
  self->html_entities = html_entities;
  self->language = languages[given->language];
  self->emit = given->emit;
  struct sb_stemmer *probe = sb_stemmer_new(self->language, NULL);
  if (!probe) {
    snprintf(err, err_size, "language: libstemmer has no stemmer for \"%s\"", self->language);
    host->free(self);
    return -1;
  }
  sb_stemmer_delete(probe);
  size_t builtin_count = 0;
  const char *const *builtin =
      use_stopwords ? tk_stopwords_for(self->language, &builtin_count) : NULL;
  int extra_count = use_stopwords && cJSON_IsArray(extra) ? cJSON_GetArraySize(extra) : 0;
  const char **words = host->alloc((builtin_count + (size_t)extra_count + 1) * sizeof *words);
  size_t count = 0;
  if (!words) {
    snprintf(err, err_size, "out of memory");
    host->free(self);
    return -1;
  }
  for (size_t index = 0; index < builtin_count; index++) {
    words[count++] = builtin[index];
  }
  for (int index = 0; index < extra_count; index++) {
    const char *word = cJSON_GetStringValue(cJSON_GetArrayItem(extra, index));
    if (word) {
      words[count++] = word;
    }
  }
  int status = tk_word_set_build(&self->stopwords, words, count, &self->memory);
  host->free(words);
  if (status != 0) {
    snprintf(err, err_size, "out of memory");
    host->free(self);
    return -1;
  }
  *out = self;
  return 0;
}

static void destroy(void *self_pointer) {
  instance *self = self_pointer;
  if (self) {
    tk_word_set_release(&self->stopwords);
    self->host->free(self);
  }
}

static void *partial_create(void *self_pointer) {
  instance *self = self_pointer;
  worker *partial = self->host->alloc(sizeof *partial);
  if (!partial) {
    return NULL;
  }
  memset(partial, 0, sizeof *partial);
  partial->scratch.memory = &self->memory;
  partial->decoded.memory = &self->memory;
  partial->stemmer = sb_stemmer_new(self->language, NULL);
  partial->ascii_stemmer = tk_ascii_stemmer_new(self->language); /* NULL is fine */
  /* 65536 slots (one 64-byte line each, and a 512 KB arena for what spills: 4.5 MB per worker,
   * 3 MB before entries were a cache line each; no more flushes on the corpus): the cache
   * empties itself when 3/4 full, and the 50 MB bench corpus has ~33k distinct tokens (case
   * variants count apart), so at 32768 slots the hit rate fell to 94% (each miss lowers, folds
   * and runs Snowball) and the engine took 1.6x as long; at 65536 it is 99.6% in one pass over
   * the corpus, and 131072 was no faster. */
  if (!partial->stemmer || tk_word_cache_init(&partial->cache, 65536, &self->memory) != 0) {
    sb_stemmer_delete(partial->stemmer);
    sb_stemmer_delete(partial->ascii_stemmer);
    self->host->free(partial);
    return NULL;
  }
  return partial;
}

static void partial_destroy(void *self_pointer, void *partial_pointer) {
  instance *self = self_pointer;
  worker *partial = partial_pointer;
  if (partial) {
    tk_scratch_release(&partial->scratch);
    tk_decoded_release(&partial->decoded);
    tk_word_cache_release(&partial->cache);
    sb_stemmer_delete(partial->stemmer);
    sb_stemmer_delete(partial->ascii_stemmer);
    self->host->free(partial);
  }
}

static int merge(void *self_pointer, void *into_pointer, void *from_pointer, char *err,
                 size_t err_size) {
  (void)self_pointer, (void)err, (void)err_size;
  worker *into = into_pointer, *from = from_pointer;
  into->records += from->records;
  into->tokens += from->tokens;
  into->sentences += from->sentences;
  return 0;
}

/* A new object {"text": <the span of the record's text>}, or NULL on OOM. (JSON strings cannot
 * hold NUL: a span with a NUL byte is cut there.) */
static cJSON *span_object(const tp_text *text, uint32_t start, uint32_t length) {
  cJSON *item = cJSON_CreateObject();
  char *copy = strndup(text->text + start, length);
  if (!item || !copy || !cJSON_AddStringToObject(item, "text", copy)) {
    cJSON_Delete(item);
    item = NULL;
  }
  free(copy);
  return item;
}

/* {"text","start","end"}, or NULL on OOM. */
static cJSON *sentence_json(const tp_text *text, size_t index) {
  const tp_sentence *sentence = &text->sentences[index];
  cJSON *item = span_object(text, sentence->start, sentence->length);
  if (item && (!cJSON_AddNumberToObject(item, "start", sentence->start) ||
               !cJSON_AddNumberToObject(item, "end", sentence->start + sentence->length))) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

/* {"text","norm","stem","type","start","end","sentence"}, or NULL on OOM. */
static cJSON *token_json(const tp_text *text, size_t index) {
  const tp_token *token = &text->tokens[index];
  cJSON *item = span_object(text, token->start, token->length);
  if (item && (!cJSON_AddStringToObject(item, "norm", token->norm) ||
               !cJSON_AddStringToObject(item, "stem", token->stem) ||
               !cJSON_AddStringToObject(item, "type", tk_type_name(token->type)) ||
               !cJSON_AddNumberToObject(item, "start", token->start) ||
               !cJSON_AddNumberToObject(item, "end", token->start + token->length) ||
               !cJSON_AddNumberToObject(item, "sentence", token->sentence))) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

/* An array of item(text, 0..count-1), or NULL on OOM. */
static cJSON *array_json(const tp_text *text, size_t count,
                         cJSON *(*item)(const tp_text *text, size_t index)) {
  cJSON *array = cJSON_CreateArray();
  for (size_t index = 0; array && index < count; index++) {
    cJSON *element = item(text, index);
    if (!element) {
      cJSON_Delete(array);
      return NULL;
    }
    cJSON_AddItemToArray(array, element);
  }
  return array;
}

static tp_result process(void *self_pointer, void *partial_pointer, tp_record *record, char *err,
                         size_t err_size) {
  instance *self = self_pointer;
  worker *partial = partial_pointer;
  const tp_host *host = self->host;
  size_t length = 0;
  const char *text = host->record_text(record, &length);
  if (!text) {
    text = "";
    length = 0;
  }
  if (length > UINT32_MAX) {
    snprintf(err, err_size, "text of %zu bytes is over the 4 GiB token offset limit", length);
    return TP_ERROR;
  }
  tk_language language = {partial->stemmer, &partial->cache,
                          self->stopwords.count ? &self->stopwords : NULL, partial->ascii_stemmer};
  /* With character references, the passes read the decoded text and the spans are mapped back
   * to the original before the block is built (entities.h). */
  int decoded = self->html_entities ? tk_entities_decode(&partial->decoded, text, length) : 0;
  const char *scanned = decoded == 1 ? partial->decoded.text : text;
  size_t scanned_length = decoded == 1 ? partial->decoded.length : length;
  if (decoded < 0 || tk_scan(&partial->scratch, scanned, scanned_length) != 0 ||
      tk_normalize(&partial->scratch, &language, scanned, scanned_length) != 0 ||
      tk_sentences(&partial->scratch, scanned, scanned_length) != 0) {
    snprintf(err, err_size, "out of memory while tokenizing %zu bytes", length);
    return TP_ERROR;
  }
  if (decoded == 1)
    tk_entities_map_back(&partial->scratch, &partial->decoded);
  tp_text *result = tk_text_build(&partial->scratch, text, length, self->language, host->alloc);
  if (!result) {
    snprintf(err, err_size, "out of memory while tokenizing %zu bytes", length);
    return TP_ERROR;
  }
  partial->records++;
  partial->tokens += result->token_count;
  partial->sentences += result->sentence_count;
  if (self->emit != EMIT_NONE) {
    cJSON *sentences = array_json(result, result->sentence_count, sentence_json);
    cJSON *tokens =
        self->emit == EMIT_TOKENS ? array_json(result, result->token_count, token_json) : NULL;
    if (!sentences || (self->emit == EMIT_TOKENS && !tokens)) {
      cJSON_Delete(sentences);
      cJSON_Delete(tokens);
      host->free(result);
      snprintf(err, err_size, "out of memory while writing tokens");
      return TP_ERROR;
    }
    cJSON *emitted = cJSON_CreateObject();
    if (emitted) {
      cJSON_AddItemToObject(emitted, "sentences", sentences);
      if (tokens)
        cJSON_AddItemToObject(emitted, "tokens", tokens);
    } else {
      cJSON_Delete(sentences);
      cJSON_Delete(tokens);
    }
    if (!emitted || host->record_set(record, TP_KEY_TOKENS, emitted) != 0) {
      host->free(result);
      snprintf(err, err_size, "could not write the tokens into the record");
      return TP_ERROR;
    }
  }
  if (host->record_attach(record, TP_TEXT_KEY, result, host->free) != 0) {
    snprintf(err, err_size, "could not attach the tokens to the record");
    return TP_ERROR;
  }
  return TP_KEEP;
}

/* The report's tiles (docs/report-format.md): records, tokens, sentences, tokens per record
 * and the language. 0, or -1 on OOM. */
static int report_blocks(const instance *self, const worker *partial, cJSON *section) {
  cJSON *block = tp_block_add(section, "tiles", NULL);
  const struct {
    const char *label;
    double value;
  } counts[] = {
      {"records", (double)partial->records},
      {"tokens", (double)partial->tokens},
      {"sentences", (double)partial->sentences},
      {"tokens per record",
       partial->records
           ? (double)((partial->tokens * 10 + partial->records / 2) / partial->records) / 10
           : 0},
  };
  for (size_t index = 0; index < sizeof counts / sizeof counts[0]; index++) {
    cJSON *item = tp_block_item(block, "items");
    if (item == NULL || !cJSON_AddStringToObject(item, "label", counts[index].label) ||
        !cJSON_AddNumberToObject(item, "value", counts[index].value))
      return -1;
  }
  cJSON *language = tp_block_item(block, "items");
  if (language == NULL || !cJSON_AddStringToObject(language, "label", "language") ||
      !cJSON_AddStringToObject(language, "value", self->language))
    return -1;
  return 0;
}

static int finish(void *self_pointer, void *partial_pointer, cJSON *section, char *err,
                  size_t err_size) {
  instance *self = self_pointer;
  worker *partial = partial_pointer;
  if (!cJSON_AddStringToObject(section, "language", self->language) ||
      !cJSON_AddNumberToObject(section, "records", (double)partial->records) ||
      !cJSON_AddNumberToObject(section, "tokens", (double)partial->tokens) ||
      !cJSON_AddNumberToObject(section, "sentences", (double)partial->sentences) ||
      report_blocks(self, partial, section) != 0) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  return 0;
}

static cJSON *partial_export(void *self_pointer, const void *partial_pointer) {
  (void)self_pointer;
  const worker *partial = partial_pointer;
  cJSON *data = cJSON_CreateObject();
  if (!data || !cJSON_AddNumberToObject(data, "records", (double)partial->records) ||
      !cJSON_AddNumberToObject(data, "tokens", (double)partial->tokens) ||
      !cJSON_AddNumberToObject(data, "sentences", (double)partial->sentences)) {
    cJSON_Delete(data);
    return NULL;
  }
  return data;
}

static void *partial_import(void *self_pointer, const cJSON *data, char *err, size_t err_size) {
  static const char *const keys[] = {"records", "tokens", "sentences"};
  double values[3];
  for (size_t index = 0; index < 3; index++) {
    const cJSON *item = cJSON_GetObjectItem(data, keys[index]);
    if (!cJSON_IsNumber(item) || item->valuedouble < 0) {
      snprintf(err, err_size, "partial: \"%s\" must be a non-negative number", keys[index]);
      return NULL;
    }
    values[index] = item->valuedouble;
  }
  worker *partial = partial_create(self_pointer);
  if (!partial) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  partial->records = (uint64_t)values[0];
  partial->tokens = (uint64_t)values[1];
  partial->sentences = (uint64_t)values[2];
  return partial;
}

static const tp_plugin descriptor = {
    TP_PLUGIN_ABI, /* the ABI version and struct sizes it is built with */
    .name = "tokenize",
    .version = "1.0.0",
    .description = "Unicode tokens and sentences (norm, Snowball stem, flags) for later stages",
    .options = options,
    .config_size = sizeof(config),
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
