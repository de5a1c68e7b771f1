/* plugins/theme/exchange.c - a theme partial as JSON and back (partial_export /
 * partial_import), so partials from separate processes merge through merge().
 *
 *   {"format": "textpipe-theme-partial-3", "records": N, "term_total": T,
 *    "sketch": {"width", "depth", "documents", "counters": "G:V,G:V,..."},
 *    "online": [{"ids": [...], "count", "sentiment_sum", "sentiment_count",
 *                "terms": "H:W,H:W,..."}],
 *    "docs": [{"id", "line", "online", "sentiment"?, "terms": "H:C,H:C,...",
 *              "phrases": [...]}],
 *    "taxonomy": [{"count", "sentiment_sum", "sentiment_count", "examples": [{"line", "id"}]}],
 *    "applied": [records per model theme..., outliers] (a stage applying a model)}
 * The three numeric vectors are strings of hex pairs (plugins/hexpairs): the sketch's non-zero
 * counters as (zero counters skipped since the previous one, value); an online theme's
 * non-zero weights as (term hash, the float's bits); a doc's terms as (hash, count). One string
 * each instead of two cJSON numbers a pair: the vectors are most of the state a Redis
 * checkpoint exports. Format 2 wrote them as arrays of numbers [index, value, ...],
 * [hash, weight, ...] and [hash, count, ...]; it is still read.
 * A doc's "id" keeps its JSON type (string or number). Sampling priorities are not stored:
 * they are recomputed from the seed and line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "hexpairs.h"
#include "plugin.h"

#define TH_PARTIAL_FORMAT   "textpipe-theme-partial-3" /* 3: vectors as hex pairs */
#define TH_PARTIAL_FORMAT_2 "textpipe-theme-partial-2" /* 2: term_total */

/* The pairs of a hex-pairs string being written: `writer` over a buffer for `pairs` pairs.
 * -1 when out of memory. */
static int pairs_begin(hexpairs_writer *writer, size_t pairs) {
  char *text = th_alloc(hexpairs_bytes(pairs));
  if (!text)
    return -1;
  hexpairs_begin(writer, text);
  return 0;
}

/* The written string as a cJSON string (NULL when out of memory); frees the buffer. */
static cJSON *pairs_end(hexpairs_writer *writer) {
  cJSON *string = cJSON_CreateString(writer->text);
  th_free(writer->text);
  return string;
}

static uint32_t float_bits(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}

static int add_number(cJSON *parent, const char *key, double value) {
  return th_json_add(parent, key, cJSON_CreateNumber(value));
}

static cJSON *export_online(const th_online *online) {
  cJSON *list = cJSON_CreateArray();
  for (size_t m = 0; list && m < online->count; m++) {
    const th_micro *micro = &online->micros[m];
    cJSON *item = cJSON_CreateObject();
    hexpairs_writer terms;
    if (th_json_add(list, NULL, item) || pairs_begin(&terms, online->live)) {
      cJSON_Delete(list);
      return NULL;
    }
    for (uint32_t r = 0; r < online->live; r++) {
      float value = online->weights[(size_t)r * online->stride + m];
      if (value != 0)
        hexpairs_put(&terms, online->row_hash[r], float_bits(value));
    }
    cJSON *ids = cJSON_AddArrayToObject(item, "ids");
    int status = th_json_add(item, "terms", pairs_end(&terms)) | (ids ? 0 : -1);
    status |= add_number(item, "count", (double)micro->count);
    status |= add_number(item, "sentiment_sum", micro->sentiment_sum);
    status |= add_number(item, "sentiment_count", (double)micro->sentiment_count);
    for (size_t i = 0; i < micro->id_count && !status; i++)
      status |= add_number(ids, NULL, (double)micro->ids[i]);
    if (status) {
      cJSON_Delete(list);
      return NULL;
    }
  }
  return list;
}

static cJSON *export_doc(const th_doc *doc) {
  cJSON *item = cJSON_CreateObject(), *phrases = cJSON_CreateArray();
  hexpairs_writer terms;
  if (!item || !phrases || pairs_begin(&terms, doc->term_count)) {
    cJSON_Delete(item);
    cJSON_Delete(phrases);
    return NULL;
  }
  for (uint32_t t = 0; t < doc->term_count; t++)
    hexpairs_put(&terms, doc->terms[t].hash, doc->terms[t].count);
  int status =
      th_json_add(item, "terms", pairs_end(&terms)) | th_json_add(item, "phrases", phrases);
  status |= th_json_add(item, "id", th_id_json(doc->id, doc->id_is_string));
  status |= add_number(item, "line", (double)doc->line);
  status |= add_number(item, "online", (double)doc->online);
  if (!isnan(doc->sentiment))
    status |= add_number(item, "sentiment", doc->sentiment);
  for (const char *p = doc->phrases; *p && !status; p += strlen(p) + 1)
    status |= th_json_add(phrases, NULL, cJSON_CreateString(p));
  if (status) {
    cJSON_Delete(item);
    return NULL;
  }
  return item;
}

cJSON *th_partial_export(void *instance_pointer, const void *partial_pointer) {
  const th_instance *instance = instance_pointer;
  const th_partial *partial = partial_pointer;
  cJSON *root = cJSON_CreateObject(), *sketch = cJSON_CreateObject(), *docs = cJSON_CreateArray();
  if (!root || !sketch || !docs) {
    cJSON_Delete(root);
    cJSON_Delete(sketch);
    cJSON_Delete(docs);
    return NULL;
  }
  int status = th_json_add(root, "sketch", sketch) | th_json_add(root, "docs", docs);
  status |= th_json_add(root, "format", cJSON_CreateString(TH_PARTIAL_FORMAT));
  status |= add_number(root, "records", (double)partial->records);
  status |= add_number(root, "term_total", (double)partial->term_total);
  if (instance->saved) {
    cJSON *applied = cJSON_CreateArray();
    status |= th_json_add(root, "applied", applied);
    for (uint32_t j = 0; status == 0 && j <= instance->saved->vectors.themes; j++)
      status |= add_number(applied, NULL, (double)partial->applied[j]);
  }
  status |= add_number(sketch, "width", partial->sketch.width);
  status |= add_number(sketch, "depth", partial->sketch.depth);
  status |= add_number(sketch, "documents", (double)partial->sketch.documents);
  size_t cells = (size_t)partial->sketch.width * partial->sketch.depth, nonzero = 0;
  for (size_t i = 0; i < cells; i++)
    nonzero += partial->sketch.counters[i] != 0;
  hexpairs_writer counters;
  if (!status && pairs_begin(&counters, nonzero) == 0) {
    for (size_t i = 0; i < cells; i++)
      if (partial->sketch.counters[i])
        hexpairs_put_cell(&counters, i, partial->sketch.counters[i]);
    status |= th_json_add(sketch, "counters", pairs_end(&counters));
  } else
    status = -1;
  status |= th_json_add(root, "online", export_online(&partial->online));
  for (size_t i = 0; i < partial->doc_count && !status; i++)
    status |= th_json_add(docs, NULL, export_doc(partial->docs[i]));
  if (instance->taxonomy && !status) {
    cJSON *taxonomy = cJSON_CreateArray();
    status |= th_json_add(root, "taxonomy", taxonomy);
    for (size_t t = 0; t < th_taxonomy_theme_count(instance->taxonomy) && !status; t++) {
      const th_tax_stats *stats = &partial->tax[t];
      cJSON *item = cJSON_CreateObject(), *examples = cJSON_CreateArray();
      status |= th_json_add(taxonomy, NULL, item) | th_json_add(item, "examples", examples);
      if (status) {
        cJSON_Delete(examples);
        break;
      }
      status |= add_number(item, "count", (double)stats->count);
      status |= add_number(item, "sentiment_sum", stats->sentiment_sum);
      status |= add_number(item, "sentiment_count", (double)stats->sentiment_count);
      for (uint32_t e = 0; e < stats->example_count && !status; e++) {
        cJSON *example = cJSON_CreateObject();
        status |= th_json_add(examples, NULL, example);
        if (!status)
          status |= add_number(example, "line", (double)stats->examples[e].line) |
                    th_json_add(example, "id",
                                th_id_json(stats->examples[e].id, stats->examples[e].id_is_string));
      }
    }
  }
  if (status) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* ---- import ---- */

/* A non-negative integer member, or -1 (with err) when missing or malformed. */
static double member_number(const cJSON *object, const char *key, const char *where, char *err,
                            size_t err_size) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  if (!cJSON_IsNumber(item) || item->valuedouble < 0) {
    snprintf(err, err_size, "partial: %s%s%s: expected a non-negative number", where ? where : "",
             where ? "." : "", key);
    return -1;
  }
  return item->valuedouble;
}

/* An array member whose length is a multiple of `stride`, or NULL with err. */
static const cJSON *member_pairs(const cJSON *object, const char *key, int stride,
                                 const char *where, char *err, size_t err_size) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) % stride != 0) {
    snprintf(err, err_size, "partial: %s.%s: expected an array of %d-number groups", where, key,
             stride);
    return NULL;
  }
  const cJSON *value;
  cJSON_ArrayForEach(value, item) {
    if (!cJSON_IsNumber(value)) {
      snprintf(err, err_size, "partial: %s.%s: expected numbers only", where, key);
      return NULL;
    }
  }
  return item;
}

/* A hex-pairs string member (format 3), or NULL with err. */
static const char *member_hexpairs(const cJSON *object, const char *key, const char *where,
                                   const char *shape, char *err, size_t err_size) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
  if (!cJSON_IsString(item)) {
    snprintf(err, err_size, "partial: %s.%s: expected a string of hex pairs \"%s,...\"", where, key,
             shape);
    return NULL;
  }
  return item->valuestring;
}

/* The error for a malformed hex-pairs string: where it stops being one. */
static void hexpairs_refused(const hexpairs_reader *reader, const char *where, const char *key,
                             const char *shape, char *err, size_t err_size) {
  snprintf(err, err_size,
           "partial: %s.%s: not a string of hex pairs \"%s,...\" (at character %zu: \"%.12s\")",
           where, key, shape, (size_t)(reader->at - reader->text), reader->at);
}

/* Sets the sketch's counters from format 3's string of (gap, value) pairs. */
static int import_counters_text(th_partial *partial, const char *text, size_t cells, char *err,
                                size_t err_size) {
  hexpairs_reader reader = {text, text, 0};
  uint64_t index;
  uint32_t value;
  int status;
  while ((status = hexpairs_take_cell(&reader, cells, &index, &value)) > 0)
    partial->sketch.counters[index] = value;
  if (status < 0)
    hexpairs_refused(&reader, "sketch", "counters", "gap:value", err, err_size);
  return status;
}

/* Sets the sketch's counters from format 2's array [index, value, ...]. */
static int import_counters_array(th_partial *partial, const cJSON *counters, size_t cells,
                                 char *err, size_t err_size) {
  for (const cJSON *at = counters->child; at; at = at->next->next) {
    double index = at->valuedouble, value = at->next->valuedouble;
    if (index < 0 || index >= (double)cells || value < 0 || value > UINT32_MAX) {
      snprintf(err, err_size, "partial: sketch.counters: index %.0f or value %.0f out of range",
               index, value);
      return -1;
    }
    partial->sketch.counters[(size_t)index] = (uint32_t)value;
  }
  return 0;
}

static int import_sketch(th_partial *partial, const cJSON *data, int format, char *err,
                         size_t err_size) {
  const cJSON *sketch = cJSON_GetObjectItemCaseSensitive(data, "sketch");
  double width = member_number(sketch, "width", "sketch", err, err_size);
  double depth = member_number(sketch, "depth", "sketch", err, err_size);
  double documents = member_number(sketch, "documents", "sketch", err, err_size);
  if (width < 0 || depth < 0 || documents < 0)
    return -1;
  const cJSON *counters = NULL;
  const char *counters_text = NULL;
  if (format == 2)
    counters = member_pairs(sketch, "counters", 2, "sketch", err, err_size);
  else
    counters_text = member_hexpairs(sketch, "counters", "sketch", "gap:value", err, err_size);
  if (!counters && !counters_text)
    return -1;
  if ((uint32_t)width != partial->sketch.width || (uint32_t)depth != partial->sketch.depth) {
    snprintf(err, err_size,
             "partial: sketch: %gx%g does not match this stage's %ux%u (a "
             "different \"vocabulary\")",
             depth, width, partial->sketch.depth, partial->sketch.width);
    return -1;
  }
  partial->sketch.documents = (uint64_t)documents;
  size_t cells = (size_t)partial->sketch.width * partial->sketch.depth;
  return counters_text ? import_counters_text(partial, counters_text, cells, err, err_size)
                       : import_counters_array(partial, counters, cells, err, err_size);
}

/* Adds an online theme's weights from format 3's string of (hash, float bits) pairs. */
static int import_weights_text(th_partial *partial, int micro_index, const char *text,
                               const char *where, char *err, size_t err_size) {
  hexpairs_reader reader = {text, text, 0};
  uint32_t hash, bits;
  int status;
  while ((status = hexpairs_take(&reader, &hash, &bits)) > 0) {
    float weight;
    memcpy(&weight, &bits, sizeof weight);
    if (!isfinite(weight)) {
      snprintf(err, err_size, "partial: %s.terms: weight %08x of term %u is not a finite float",
               where, bits, hash);
      return -1;
    }
    if (th_online_add(&partial->online, (size_t)micro_index, hash, weight)) {
      snprintf(err, err_size, "out of memory");
      return -1;
    }
  }
  if (status < 0)
    hexpairs_refused(&reader, where, "terms", "hash:weight bits", err, err_size);
  return status;
}

static int import_online(th_partial *partial, const cJSON *data, int format, char *err,
                         size_t err_size) {
  const cJSON *online = cJSON_GetObjectItemCaseSensitive(data, "online");
  if (!cJSON_IsArray(online)) {
    snprintf(err, err_size, "partial: online: expected an array");
    return -1;
  }
  int index = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, online) {
    char where[64];
    snprintf(where, sizeof(where), "online[%d]", index++);
    double count = member_number(item, "count", where, err, err_size);
    double sentiment_count = member_number(item, "sentiment_count", where, err, err_size);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(item, "sentiment_sum");
    const cJSON *ids = member_pairs(item, "ids", 1, where, err, err_size);
    const cJSON *terms = NULL;
    const char *terms_text = NULL;
    if (ids && format == 2)
      terms = member_pairs(item, "terms", 2, where, err, err_size);
    else if (ids)
      terms_text = member_hexpairs(item, "terms", where, "hash:weight bits", err, err_size);
    if (count < 0 || sentiment_count < 0 || (!terms && !terms_text))
      return -1;
    if (!cJSON_IsNumber(sum) || cJSON_GetArraySize(ids) == 0) {
      snprintf(err, err_size, "partial: %s: expected sentiment_sum and at least one id", where);
      return -1;
    }
    int micro_index = th_online_append(&partial->online);
    if (micro_index < 0) {
      snprintf(err, err_size, "partial: %s: more online themes than this stage keeps", where);
      return -1;
    }
    th_micro *micro = &partial->online.micros[micro_index];
    micro->count = (uint64_t)count;
    micro->sentiment_sum = sum->valuedouble;
    micro->sentiment_count = (uint64_t)sentiment_count;
    for (const cJSON *id = ids->child; id; id = id->next)
      if (th_micro_add_id(micro, (uint64_t)id->valuedouble))
        goto oom;
    if (terms_text && import_weights_text(partial, micro_index, terms_text, where, err, err_size))
      return -1;
    for (const cJSON *at = terms ? terms->child : NULL; at; at = at->next->next)
      if (th_online_add(&partial->online, (size_t)micro_index, (uint32_t)at->valuedouble,
                        (float)at->next->valuedouble))
        goto oom;
  }
  return 0;
oom:
  snprintf(err, err_size, "out of memory");
  return -1;
}

/* Reads a doc's terms from format 3's string of (hash, count) pairs into doc->terms (sized by
 * hexpairs_count). */
static int import_terms_text(th_doc *doc, const char *text, const char *where, char *err,
                             size_t err_size) {
  hexpairs_reader reader = {text, text, 0};
  uint32_t t = 0, hash, count;
  int status;
  while (t < doc->term_count && (status = hexpairs_take(&reader, &hash, &count)) > 0)
    doc->terms[t++] = (th_term){hash, count};
  if (t < doc->term_count || *reader.at != '\0') {
    hexpairs_refused(&reader, where, "terms", "hash:count", err, err_size);
    return -1;
  }
  return 0;
}

static int import_doc(const th_instance *instance, th_partial *partial, const cJSON *item,
                      int format, const char *where, char *err, size_t err_size) {
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
  const cJSON *phrases = cJSON_GetObjectItemCaseSensitive(item, "phrases");
  const cJSON *sentiment = cJSON_GetObjectItemCaseSensitive(item, "sentiment");
  double line = member_number(item, "line", where, err, err_size);
  double online = member_number(item, "online", where, err, err_size);
  if (line < 0 || online < 0)
    return -1;
  const cJSON *terms = NULL;
  const char *terms_text = NULL;
  if (format == 2)
    terms = member_pairs(item, "terms", 2, where, err, err_size);
  else
    terms_text = member_hexpairs(item, "terms", where, "hash:count", err, err_size);
  if (!terms && !terms_text)
    return -1;
  if ((!cJSON_IsString(id) && !cJSON_IsNumber(id)) || !cJSON_IsArray(phrases) ||
      (sentiment && !cJSON_IsNumber(sentiment))) {
    snprintf(err, err_size,
             "partial: %s: expected id (string or number), phrases (array) and "
             "an optional numeric sentiment",
             where);
    return -1;
  }
  char buffer[64];
  const char *id_text = buffer;
  if (cJSON_IsString(id) || id->valuestring != NULL) /* a number's text kept by the host */
    id_text = id->valuestring;
  else if (id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 1e15)
    snprintf(buffer, sizeof(buffer), "%.0f", id->valuedouble);
  else
    snprintf(buffer, sizeof(buffer), "%.17g", id->valuedouble);
  size_t phrase_bytes = 0;
  const cJSON *phrase;
  cJSON_ArrayForEach(phrase, phrases) {
    if (!cJSON_IsString(phrase) || !phrase->valuestring[0]) {
      snprintf(err, err_size, "partial: %s.phrases: expected non-empty strings", where);
      return -1;
    }
    phrase_bytes += strlen(phrase->valuestring) + 1;
  }
  uint32_t term_count =
      terms_text ? (uint32_t)hexpairs_count(terms_text) : (uint32_t)(cJSON_GetArraySize(terms) / 2);
  size_t id_length = strlen(id_text);
  th_doc *doc = th_doc_new(term_count, id_length, phrase_bytes);
  if (!doc)
    goto oom;
  doc->line = (uint64_t)line;
  doc->priority = th_doc_priority(instance->seed, doc->line);
  doc->online = (uint64_t)online;
  doc->sentiment = sentiment ? sentiment->valuedouble : NAN;
  doc->id_is_string = cJSON_IsString(id);
  memcpy(doc->id, id_text, id_length + 1);
  if (terms_text && import_terms_text(doc, terms_text, where, err, err_size)) {
    th_free(doc);
    return -1;
  }
  uint32_t t = 0;
  for (const cJSON *at = terms ? terms->child : NULL; at; at = at->next->next)
    doc->terms[t++] = (th_term){(uint32_t)at->valuedouble, (uint32_t)at->next->valuedouble};
  char *out = doc->phrases;
  cJSON_ArrayForEach(phrase, phrases) {
    size_t length = strlen(phrase->valuestring) + 1;
    memcpy(out, phrase->valuestring, length);
    out += length;
  }
  if (th_partial_keep(instance, partial, doc))
    goto oom;
  return 0;
oom:
  snprintf(err, err_size, "out of memory");
  return -1;
}

/* "applied": records per model theme, then outliers (a stage applying a model). */
static int import_applied(const th_instance *instance, th_partial *partial, const cJSON *data,
                          char *err, size_t err_size) {
  const cJSON *applied = cJSON_GetObjectItemCaseSensitive(data, "applied");
  uint32_t slots = instance->saved->vectors.themes + 1;
  if (!cJSON_IsArray(applied) || (uint32_t)cJSON_GetArraySize(applied) != slots) {
    snprintf(err, err_size, "partial: applied: expected an array of %u counts", slots);
    return -1;
  }
  uint32_t j = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, applied) {
    if (!cJSON_IsNumber(item) || item->valuedouble < 0) {
      snprintf(err, err_size, "partial: applied[%u]: expected a count", j);
      return -1;
    }
    partial->applied[j++] = (uint64_t)item->valuedouble;
  }
  return 0;
}

static int import_taxonomy(const th_instance *instance, th_partial *partial, const cJSON *data,
                           char *err, size_t err_size) {
  const cJSON *taxonomy = cJSON_GetObjectItemCaseSensitive(data, "taxonomy");
  size_t themes = th_taxonomy_theme_count(instance->taxonomy);
  if (!cJSON_IsArray(taxonomy) || (size_t)cJSON_GetArraySize(taxonomy) != themes) {
    snprintf(err, err_size, "partial: taxonomy: expected an array of %zu themes", themes);
    return -1;
  }
  size_t t = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, taxonomy) {
    char where[64];
    snprintf(where, sizeof(where), "taxonomy[%zu]", t);
    th_tax_stats *stats = &partial->tax[t++];
    double count = member_number(item, "count", where, err, err_size);
    double sentiment_count = member_number(item, "sentiment_count", where, err, err_size);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(item, "sentiment_sum");
    const cJSON *examples = cJSON_GetObjectItemCaseSensitive(item, "examples");
    if (count < 0 || sentiment_count < 0)
      return -1;
    if (!cJSON_IsNumber(sum) || !cJSON_IsArray(examples)) {
      snprintf(err, err_size, "partial: %s: expected sentiment_sum and examples", where);
      return -1;
    }
    stats->count = (uint64_t)count;
    stats->sentiment_sum = sum->valuedouble;
    stats->sentiment_count = (uint64_t)sentiment_count;
    const cJSON *example;
    cJSON_ArrayForEach(example, examples) {
      const cJSON *id = cJSON_GetObjectItemCaseSensitive(example, "id");
      double line = member_number(example, "line", where, err, err_size);
      if (line < 0)
        return -1;
      char buffer[64];
      const char *id_text = buffer;
      if (cJSON_IsString(id) || (cJSON_IsNumber(id) && id->valuestring != NULL))
        id_text = id->valuestring; /* a 64-bit id: its text, kept by the host */
      else if (cJSON_IsNumber(id))
        snprintf(buffer, sizeof(buffer), "%.0f", id->valuedouble);
      else {
        snprintf(err, err_size, "partial: %s.examples: expected ids", where);
        return -1;
      }
      if (th_stats_example(stats, instance->examples, (uint64_t)line, id_text,
                           cJSON_IsString(id))) {
        snprintf(err, err_size, "out of memory");
        return -1;
      }
    }
  }
  return 0;
}

void *th_partial_import(void *instance_pointer, const cJSON *data, char *err, size_t err_size) {
  const th_instance *instance = instance_pointer;
  const cJSON *format_name = cJSON_GetObjectItemCaseSensitive(data, "format");
  int format = !cJSON_IsString(format_name)                                 ? 0
               : strcmp(format_name->valuestring, TH_PARTIAL_FORMAT) == 0   ? 3
               : strcmp(format_name->valuestring, TH_PARTIAL_FORMAT_2) == 0 ? 2
                                                                            : 0;
  if (format == 0) {
    snprintf(err, err_size, "partial: format: expected \"%s\" (or \"%s\")", TH_PARTIAL_FORMAT,
             TH_PARTIAL_FORMAT_2);
    return NULL;
  }
  double records = member_number(data, "records", NULL, err, err_size);
  double term_total = records < 0 ? -1 : member_number(data, "term_total", NULL, err, err_size);
  if (term_total < 0)
    return NULL;
  th_partial *partial = th_partial_new(instance);
  if (!partial) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  partial->records = (uint64_t)records;
  partial->term_total = (uint64_t)term_total;
  if (import_sketch(partial, data, format, err, err_size) ||
      import_online(partial, data, format, err, err_size))
    goto fail;
  const cJSON *docs = cJSON_GetObjectItemCaseSensitive(data, "docs");
  if (!cJSON_IsArray(docs)) {
    snprintf(err, err_size, "partial: docs: expected an array");
    goto fail;
  }
  int index = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, docs) {
    char where[64];
    snprintf(where, sizeof(where), "docs[%d]", index++);
    if (import_doc(instance, partial, item, format, where, err, err_size))
      goto fail;
  }
  if (instance->taxonomy && import_taxonomy(instance, partial, data, err, err_size))
    goto fail;
  if (instance->saved && import_applied(instance, partial, data, err, err_size))
    goto fail;
  return partial;
fail:
  th_partial_free(instance, partial);
  return NULL;
}
