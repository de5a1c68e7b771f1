/* plugins/summary/summary_digest.c - a stream digest (sketch + candidate pool): adding
 * sentences, merging partials, picking the report's sentences, and the JSON form used by
 * partial_export/partial_import. See summary_digest.h.
 */
#include "summary_digest.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hexpairs.h"
#include "textpipe/plugin.h"

/* MMR trade-off between centrality and novelty. */
#define DIGEST_LAMBDA 0.7

int summary_digest_init(summary_digest *digest, uint32_t sketch_bits, size_t pool_capacity,
                        const summary_allocator *memory) {
  if (summary_sketch_init(&digest->sketch, sketch_bits, memory) < 0)
    return -1;
  if (summary_pool_init(&digest->pool, pool_capacity, memory) < 0) {
    summary_sketch_free(&digest->sketch, memory);
    return -1;
  }
  return 0;
}

void summary_digest_free(summary_digest *digest, const summary_allocator *memory) {
  summary_pool_free(&digest->pool, memory);
  summary_sketch_free(&digest->sketch, memory);
}

int summary_digest_count(summary_digest *digest, const summary_features *features,
                         const summary_scoring *scoring, const summary_allocator *memory,
                         double *score) {
  uint64_t sums[2];
  *score = -1.0;
  if (summary_sketch_add(&digest->sketch, features, sums, memory) < 0)
    return -1;
  summary_pool_maybe_rescore(&digest->pool, &digest->sketch, scoring);
  if (features->words < 3 || features->words > SUMMARY_MAX_WORDS || features->content_count < 2)
    return 0; /* never a candidate: no score needed */
  double value = summary_score_sums(&digest->sketch, features, sums, scoring);
  const summary_pool *pool = &digest->pool;
  if (pool->count < pool->capacity || value > pool->scores[pool->lowest])
    *score = value;
  return 0;
}

int summary_digest_add(summary_digest *digest, const summary_features *features, const char *text,
                       size_t length, const char *id, const summary_scoring *scoring,
                       const summary_allocator *memory) {
  double score;
  if (summary_digest_count(digest, features, scoring, memory, &score) < 0)
    return -1;
  if (score >= 0.0 &&
      summary_pool_offer(&digest->pool, features, score, text, length, id, memory) < 0)
    return -1;
  return 0;
}

int summary_digest_merge(summary_digest *into, const summary_digest *from,
                         const summary_scoring *scoring, const summary_allocator *memory) {
  if (summary_sketch_merge(&into->sketch, &from->sketch, memory) < 0)
    return -1;
  if (summary_pool_merge(&into->pool, &from->pool, memory) < 0)
    return -1;
  summary_pool_rescore(&into->pool, &into->sketch, scoring);
  return 0;
}

cJSON *summary_digest_pick(summary_digest *digest, size_t k, double redundancy, int with_score,
                           const summary_scoring *scoring) {
  cJSON *list = cJSON_CreateArray();
  size_t picked[128];
  if (!list)
    return NULL;
  if (k > sizeof picked / sizeof *picked)
    k = sizeof picked / sizeof *picked;
  summary_pool_rescore(&digest->pool, &digest->sketch, scoring);
  size_t count = summary_pool_select(&digest->pool, k, DIGEST_LAMBDA, redundancy, picked);
  for (size_t i = 0; i < count; i++) {
    const summary_candidate *candidate = &digest->pool.items[picked[i]];
    cJSON *entry = cJSON_CreateObject();
    cJSON *id = cJSON_Parse(candidate->id);
    if (cJSON_IsNumber(id) && !(fabs(id->valuedouble) < TP_JSON_PRINTED_EXACTLY_BELOW)) {
      cJSON_Delete(id); /* a number no double holds exactly: keep its digits */
      id = cJSON_CreateRaw(candidate->id);
    }
    if (!entry || !id || !cJSON_AddItemToObject(entry, "id", id)) {
      cJSON_Delete(id);
      cJSON_Delete(entry);
      cJSON_Delete(list);
      return NULL;
    }
    cJSON_AddItemToArray(list, entry);
    if (!cJSON_AddStringToObject(entry, "text", candidate->text) ||
        (with_score && !cJSON_AddNumberToObject(entry, "score", digest->pool.scores[picked[i]]))) {
      cJSON_Delete(list);
      return NULL;
    }
  }
  return list;
}

/* ---- JSON form --------------------------------------------------------------------------
 * {"bits": B, "sentences": N, "cells": "G:C,G:C,..." (the non-zero cells in index order, each
 *  as lowercase hex: G the number of zero cells skipped since the previous one, C its count;
 *  one string, not two numbers a cell: a theme's sketch has thousands of cells, and a Redis
 *  checkpoint exports them all; the array form [index, count, ...] of earlier partials is still
 *  read),
 *  "capacity": C, "pool": [{"terms": "T,T,..." (each term hash as 16 lowercase hex digits; one
 *  string rather than a JSON string a term, for the same reason: the array form of earlier
 *  partials is still read), "id": "<JSON text>", "text", "score", "words",
 *  "counts": [content, unigram, bigram]}]} */

/* The bytes of a pool entry's "terms" string at most: 16 digits and a separator a term. */
#define TERMS_TEXT_BYTES (SUMMARY_MAX_TERMS * HEXPAIRS_U64_BYTES)

static cJSON *candidate_export(const summary_candidate *candidate, double score) {
  const summary_features *features = candidate->features;
  size_t term_count = (size_t)features->unigram_count + features->bigram_count;
  char terms[TERMS_TEXT_BYTES];
  terms[0] = '\0';
  for (size_t i = 0; i < term_count; i++) {
    char *out = terms + i * HEXPAIRS_U64_BYTES; /* each one's NUL becomes the next comma */
    if (i > 0)
      out[-1] = ',';
    hexpairs_put_u64(out, features->terms[i]);
  }
  cJSON *entry = cJSON_CreateObject();
  int counts[3] = {features->content_count, features->unigram_count, features->bigram_count};
  cJSON *count_array = cJSON_CreateIntArray(counts, 3);
  if (!entry || !cJSON_AddStringToObject(entry, "terms", terms) ||
      !cJSON_AddStringToObject(entry, "id", candidate->id) ||
      !cJSON_AddStringToObject(entry, "text", candidate->text) ||
      !cJSON_AddNumberToObject(entry, "score", score) ||
      !cJSON_AddNumberToObject(entry, "words", features->words) || !count_array ||
      !cJSON_AddItemToObject(entry, "counts", count_array)) {
    cJSON_Delete(count_array); /* not attached on any failure path */
    cJSON_Delete(entry);
    return NULL;
  }
  return entry;
}

/* The "cells" string of `sketch` (see the JSON form above), malloc'd; NULL when out of memory. */
static char *cells_text(const summary_sketch *sketch) {
  size_t cell_count = (size_t)1 << sketch->bits, nonzero = 0;
  for (size_t i = 0; i < cell_count; i++)
    nonzero += summary_sketch_cell(sketch, i) != 0;
  char *text = cJSON_malloc(hexpairs_bytes(nonzero));
  if (!text)
    return NULL;
  hexpairs_writer writer;
  hexpairs_begin(&writer, text);
  for (size_t i = 0; i < cell_count; i++) {
    uint32_t cell = summary_sketch_cell(sketch, i);
    if (cell != 0)
      hexpairs_put_cell(&writer, i, cell);
  }
  return text;
}

cJSON *summary_digest_export(const summary_digest *digest) {
  cJSON *data = cJSON_CreateObject();
  char *cells = cells_text(&digest->sketch);
  cJSON *pool = cJSON_AddArrayToObject(data, "pool");
  if (!cells || !pool || !cJSON_AddStringToObject(data, "cells", cells) ||
      !cJSON_AddNumberToObject(data, "bits", digest->sketch.bits) ||
      !cJSON_AddNumberToObject(data, "sentences", (double)digest->sketch.sentences) ||
      !cJSON_AddNumberToObject(data, "capacity", (double)digest->pool.capacity)) {
    cJSON_free(cells);
    cJSON_Delete(data);
    return NULL;
  }
  cJSON_free(cells);
  for (size_t i = 0; i < digest->pool.count; i++) {
    cJSON *entry = candidate_export(&digest->pool.items[i], digest->pool.scores[i]);
    if (!entry) {
      cJSON_Delete(data);
      return NULL;
    }
    cJSON_AddItemToArray(pool, entry);
  }
  return data;
}

/* Sets the cells of a "cells" string (see the JSON form). 0; -1 when malformed or out of the
 * sketch's range; -2 when out of memory. */
static int cells_read(summary_sketch *sketch, const char *text, size_t cell_count,
                      const summary_allocator *memory) {
  hexpairs_reader reader = {text, text, 0};
  uint64_t index;
  uint32_t count;
  int status;
  while ((status = hexpairs_take_cell(&reader, cell_count, &index, &count)) > 0)
    if (summary_sketch_set(sketch, (size_t)index, count, memory) < 0)
      return -2;
  return status;
}

static int number_member(const cJSON *data, const char *key, double min, double max, double *out,
                         char *err, size_t err_size) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(data, key);
  if (!cJSON_IsNumber(item) || item->valuedouble < min || item->valuedouble > max) {
    snprintf(err, err_size, "partial: \"%s\": expected a number from %g to %g", key, min, max);
    return -1;
  }
  *out = item->valuedouble;
  return 0;
}

/* Reads `terms` (the string form, or the array of one string a term of earlier partials)
 * into features->terms[0..count-1]. 0, or -1 when malformed or not `count` terms. */
static int terms_read(summary_features *features, const cJSON *terms, int count) {
  if (cJSON_IsString(terms)) {
    const char *at = terms->valuestring;
    for (int i = 0; i < count; i++)
      if ((i > 0 && *at++ != ',') || hexpairs_take_u64(&at, &features->terms[i]) != 0)
        return -1;
    return *at == '\0' ? 0 : -1;
  }
  if (cJSON_GetArraySize(terms) != count)
    return -1;
  int i = 0;
  const cJSON *term;
  cJSON_ArrayForEach(term, terms) {
    if (!cJSON_IsString(term) ||
        sscanf(term->valuestring, "%16" SCNx64, &features->terms[i++]) != 1)
      return -1;
  }
  return 0;
}

static int candidate_import(summary_features *features, const cJSON *entry, char *err,
                            size_t err_size) {
  const cJSON *counts = cJSON_GetObjectItemCaseSensitive(entry, "counts");
  const cJSON *terms = cJSON_GetObjectItemCaseSensitive(entry, "terms");
  double words;
  if (number_member(entry, "words", 0, UINT16_MAX, &words, err, err_size) < 0)
    return -1;
  if (!cJSON_IsArray(counts) || cJSON_GetArraySize(counts) != 3 ||
      !(cJSON_IsArray(terms) || cJSON_IsString(terms))) {
    snprintf(err, err_size, "partial: pool entry: \"counts\" or \"terms\" malformed");
    return -1;
  }
  int content = cJSON_GetArrayItem(counts, 0)->valueint;
  int unigrams = cJSON_GetArrayItem(counts, 1)->valueint;
  int bigrams = cJSON_GetArrayItem(counts, 2)->valueint;
  if (content < 0 || unigrams < content || bigrams < 0 || unigrams + bigrams > SUMMARY_MAX_TERMS) {
    snprintf(err, err_size, "partial: pool entry: term counts do not match \"terms\"");
    return -1;
  }
  if (terms_read(features, terms, unigrams + bigrams) != 0) {
    snprintf(err, err_size,
             "partial: pool entry: \"terms\" is not %d terms of 16 hex digits (the counts)",
             unigrams + bigrams);
    return -1;
  }
  features->words = (uint16_t)words;
  features->content_count = (uint16_t)content;
  features->unigram_count = (uint16_t)unigrams;
  features->bigram_count = (uint16_t)bigrams;
  summary_features_mask(features);
  return 0;
}

int summary_digest_import(summary_digest *digest, const cJSON *data,
                          const summary_allocator *memory, char *err, size_t err_size) {
  double bits, sentences, capacity;
  const cJSON *cells = cJSON_GetObjectItemCaseSensitive(data, "cells");
  const cJSON *pool = cJSON_GetObjectItemCaseSensitive(data, "pool");
  if (number_member(data, "bits", 8, 24, &bits, err, err_size) < 0 ||
      number_member(data, "sentences", 0, 9e15, &sentences, err, err_size) < 0 ||
      number_member(data, "capacity", 1, 1 << 20, &capacity, err, err_size) < 0)
    return -1;
  if (!(cJSON_IsString(cells) || (cJSON_IsArray(cells) && cJSON_GetArraySize(cells) % 2 == 0)) ||
      !cJSON_IsArray(pool)) {
    snprintf(err, err_size,
             "partial: \"cells\" must be a string (or an array of pairs) and \"pool\" an array");
    return -1;
  }
  if (summary_digest_init(digest, (uint32_t)bits, (size_t)capacity, memory) < 0) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  digest->sketch.sentences = (uint64_t)sentences;
  size_t cell_count = (size_t)1 << digest->sketch.bits;
  if (cJSON_IsString(cells)) {
    int status = cells_read(&digest->sketch, cells->valuestring, cell_count, memory);
    if (status < 0) {
      snprintf(err, err_size,
               status == -2 ? "out of memory" : "partial: \"cells\": bad gap or count");
      summary_digest_free(digest, memory);
      return -1;
    }
  }
  for (const cJSON *index = cJSON_IsArray(cells) ? cells->child : NULL; index;
       index = index->next->next) {
    const cJSON *count = index->next;
    if (!cJSON_IsNumber(index) || !cJSON_IsNumber(count) || index->valuedouble < 0 ||
        index->valuedouble >= (double)cell_count || count->valuedouble < 0 ||
        count->valuedouble > UINT32_MAX) {
      snprintf(err, err_size, "partial: \"cells\": bad index or count");
      summary_digest_free(digest, memory);
      return -1;
    }
    if (summary_sketch_set(&digest->sketch, (size_t)index->valuedouble,
                           (uint32_t)count->valuedouble, memory) < 0) {
      snprintf(err, err_size, "out of memory");
      summary_digest_free(digest, memory);
      return -1;
    }
  }
  const cJSON *entry;
  cJSON_ArrayForEach(entry, pool) {
    summary_features features;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(entry, "id");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(entry, "text");
    double score;
    if (!cJSON_IsString(id) || !cJSON_IsString(text) ||
        number_member(entry, "score", -1e300, 1e300, &score, err, err_size) < 0 ||
        candidate_import(&features, entry, err, err_size) < 0) {
      if (!cJSON_IsString(id) || !cJSON_IsString(text))
        snprintf(err, err_size, "partial: pool entry: \"id\" and \"text\" must be strings");
      summary_digest_free(digest, memory);
      return -1;
    }
    if (summary_pool_offer(&digest->pool, &features, score, text->valuestring,
                           strlen(text->valuestring), id->valuestring, memory) < 0) {
      snprintf(err, err_size, "out of memory");
      summary_digest_free(digest, memory);
      return -1;
    }
  }
  return 0;
}
