/* plugins/tokenize/tokenize.c - the tokenize stage: the plugin descriptor around the tokenizer.
 *
 * For each record it tokenizes the text once (tokenizer.h), attaches the result as one tp_text
 * block under "tokens" (text.h, keys.h) for later stages, and writes the same key's JSON,
 * {"sentences": [...], "tokens": [...]}, into the record only when the "emit" option asks: the
 * one key it provides is there on every record. The instance (language, stopword set, emit mode)
 * is read-only after create(); each worker's partial holds its scratch buffers, its own Snowball
 * stemmer (not thread-safe) and word cache, and the counts reported at end of stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

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

static const tp_option options[] = {
    {.name = "language",
     .type = TP_OPTION_ENUM,
     .default_json = "\"english\"",
     .choices = languages,
     .description = "Snowball stemmer and stopword list to use"},
    {.name = "emit",
     .type = TP_OPTION_ENUM,
     .default_json = "\"none\"",
     .choices = emit_choices,
     .description = "what to write into the record's \"tokens\": nothing, \"sentences\", or "
                    "\"tokens\" (tokens and sentences)"},
    {.name = "stopwords",
     .type = TP_OPTION_BOOL,
     .default_json = "true",
     .description = "flag words of the language's stopword list as STOPWORD"},
    {.name = "extra_stopwords",
     .type = TP_OPTION_STRING_LIST,
     .default_json = "[]",
     .description = "more words to flag as STOPWORD (with stopwords true)"},
    {.name = "html_entities",
     .type = TP_OPTION_BOOL,
     .default_json = "true",
     .description = "read HTML character references (&amp; &lt;3 &#39;) as the characters they "
                    "stand for; offsets still point into the original text"},
    {.name = NULL},
};

static const char *const provides[] = {TP_KEY_TOKENS, NULL};

typedef struct instance {
  const tp_host *host;
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
  uint64_t records, tokens, sentences;
} worker;

static int create(const tp_host *host, const tp_stage *stage, const cJSON *config, void **out,
                  char *err, size_t err_size) {
  const char *language = cJSON_GetStringValue(cJSON_GetObjectItem(config, "language"));
  const char *emit = cJSON_GetStringValue(cJSON_GetObjectItem(config, "emit"));
  const cJSON *extra = cJSON_GetObjectItem(config, "extra_stopwords");
  int use_stopwords = !cJSON_IsFalse(cJSON_GetObjectItem(config, "stopwords"));
  int html_entities = !cJSON_IsFalse(cJSON_GetObjectItem(config, "html_entities"));
  instance *self = calloc(1, sizeof *self);
  if (!self) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  self->host = host;
  self->stage = stage;
  self->html_entities = html_entities;
  self->language = languages[6]; /* english */
  for (size_t index = 0; language && languages[index]; index++) {
    if (strcmp(languages[index], language) == 0) {
      self->language = languages[index];
    }
  }
  self->emit = !emit || strcmp(emit, "none") == 0 ? EMIT_NONE
               : strcmp(emit, "sentences") == 0   ? EMIT_SENTENCES
                                                  : EMIT_TOKENS;
  struct sb_stemmer *probe = sb_stemmer_new(self->language, NULL);
  if (!probe) {
    snprintf(err, err_size, "language: libstemmer has no stemmer for \"%s\"", self->language);
    free(self);
    return -1;
  }
  sb_stemmer_delete(probe);
  size_t builtin_count = 0;
  const char *const *builtin =
      use_stopwords ? tk_stopwords_for(self->language, &builtin_count) : NULL;
  int extra_count = use_stopwords && cJSON_IsArray(extra) ? cJSON_GetArraySize(extra) : 0;
  const char **words = calloc(builtin_count + (size_t)extra_count + 1, sizeof *words);
  size_t count = 0;
  if (!words) {
    snprintf(err, err_size, "out of memory");
    free(self);
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
  int status = tk_word_set_build(&self->stopwords, words, count);
  free(words);
  if (status != 0) {
    snprintf(err, err_size, "out of memory");
    free(self);
    return -1;
  }
  *out = self;
  return 0;
}

static void destroy(void *self_pointer) {
  instance *self = self_pointer;
  if (self) {
    tk_word_set_release(&self->stopwords);
    free(self);
  }
}

static void *partial_create(void *self_pointer) {
  instance *self = self_pointer;
  worker *partial = calloc(1, sizeof *partial);
  if (!partial) {
    return NULL;
  }
  partial->stemmer = sb_stemmer_new(self->language, NULL);
  /* 65536 slots (24 bytes each, and an arena of the same size: ~3 MB per worker): the cache
   * empties itself when 3/4 full, and the 50 MB bench corpus has ~33k distinct tokens (case
   * variants count apart), so at 32768 slots the hit rate fell to 94% (each miss lowers, folds
   * and runs Snowball) and the engine took 1.6x as long; at 65536 it is 99.6% in one pass over
   * the corpus, and 131072 was no faster. */
  if (!partial->stemmer || tk_word_cache_init(&partial->cache, 65536) != 0) {
    sb_stemmer_delete(partial->stemmer);
    free(partial);
    return NULL;
  }
  return partial;
}

static void partial_destroy(void *self_pointer, void *partial_pointer) {
  (void)self_pointer;
  worker *partial = partial_pointer;
  if (partial) {
    tk_scratch_release(&partial->scratch);
    tk_decoded_release(&partial->decoded);
    tk_word_cache_release(&partial->cache);
    sb_stemmer_delete(partial->stemmer);
    free(partial);
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
                          self->stopwords.count ? &self->stopwords : NULL};
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

static int finish(void *self_pointer, void *partial_pointer, cJSON *section, char *err,
                  size_t err_size) {
  instance *self = self_pointer;
  worker *partial = partial_pointer;
  if (!cJSON_AddStringToObject(section, "language", self->language) ||
      !cJSON_AddNumberToObject(section, "records", (double)partial->records) ||
      !cJSON_AddNumberToObject(section, "tokens", (double)partial->tokens) ||
      !cJSON_AddNumberToObject(section, "sentences", (double)partial->sentences)) {
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
