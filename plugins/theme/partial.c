/* plugins/theme/partial.c - the per-worker state of the theme plugin: creation, the
 * retained records (all of them with "members", else a bottom-k sample on a hash of the
 * input line, which is the same whatever the worker count), taxonomy examples, and merge().
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "plugin.h"

th_partial *th_partial_new(const th_instance *instance) {
  th_partial *partial = th_calloc(1, sizeof(th_partial));
  if (!partial)
    return NULL;
  partial->sources = 1;
  th_online_init(&partial->online, instance->online_limit, instance->join_similarity);
  if (th_sketch_init(&partial->sketch, instance->vocabulary, TH_SKETCH_DEPTH))
    goto fail;
  if (th_discovers(instance) && th_online_reserve(&partial->online))
    goto fail;
  if (instance->taxonomy) {
    partial->tax = th_calloc(th_taxonomy_theme_count(instance->taxonomy), sizeof(th_tax_stats));
    if (!partial->tax)
      goto fail;
  }
  if (instance->saved) {
    partial->applied = th_calloc(instance->saved->vectors.themes + 1, sizeof(uint64_t));
    if (!partial->applied)
      goto fail;
  }
  return partial;
fail:
  th_partial_free(instance, partial);
  return NULL;
}

void th_partial_free(const th_instance *instance, th_partial *partial) {
  if (!partial)
    return;
  th_sketch_release(&partial->sketch);
  th_online_release(&partial->online);
  for (size_t i = 0; i < partial->doc_count; i++)
    th_free(partial->docs[i]);
  th_free(partial->docs);
  th_free(partial->keys);
  if (partial->tax) {
    for (size_t t = 0; t < th_taxonomy_theme_count(instance->taxonomy); t++) {
      for (uint32_t e = 0; e < partial->tax[t].example_count; e++)
        th_free(partial->tax[t].examples[e].id);
      th_free(partial->tax[t].examples);
    }
    th_free(partial->tax);
  }
  th_free(partial->applied);
  th_scratch_release(&partial->scratch);
  th_tax_scratch_release(&partial->tax_scratch);
  th_free(partial->order);
  th_free(partial);
}

uint64_t th_doc_priority(uint64_t seed, uint64_t line) {
  uint64_t state = seed * 0x9e3779b97f4a7c15ull ^ line;
  return th_random_next(&state);
}

th_doc *th_doc_new(uint32_t term_count, size_t id_length, size_t phrase_bytes) {
  size_t size =
      sizeof(th_doc) + (size_t)term_count * sizeof(th_term) + id_length + 1 + phrase_bytes + 1;
  th_doc *doc = th_alloc(size);
  if (!doc)
    return NULL;
  memset(doc, 0, sizeof(*doc));
  doc->terms = (th_term *)(doc + 1);
  doc->term_count = term_count;
  doc->id = (char *)(doc->terms + term_count);
  doc->id[0] = '\0';
  doc->phrases = doc->id + id_length + 1;
  memset(doc->phrases, 0, phrase_bytes + 1);
  doc->sentiment = NAN;
  return doc;
}

cJSON *th_id_json(const char *id, int id_is_string) {
  if (id_is_string)
    return cJSON_CreateString(id);
  if (id[0] == '"')
    return cJSON_Parse(id); /* a string id as JSON text (host->record_id) */
  double value = strtod(id, NULL);
  /* a number no double holds exactly (a 64-bit id) keeps its digits */
  return fabs(value) < TP_JSON_PRINTED_EXACTLY_BELOW ? cJSON_CreateNumber(value)
                                                     : cJSON_CreateRaw(id);
}

/* Max-heap order on (priority, line). */
static int key_above(th_doc_key a, th_doc_key b) {
  if (a.priority != b.priority)
    return a.priority > b.priority;
  return a.line > b.line;
}

static void heap_swap(th_partial *partial, size_t a, size_t b) {
  th_doc *doc = partial->docs[a];
  partial->docs[a] = partial->docs[b];
  partial->docs[b] = doc;
  th_doc_key key = partial->keys[a];
  partial->keys[a] = partial->keys[b];
  partial->keys[b] = key;
}

static void heap_down(th_partial *partial, size_t at) {
  const th_doc_key *keys = partial->keys;
  size_t count = partial->doc_count;
  for (;;) {
    size_t largest = at, left = 2 * at + 1, right = left + 1;
    if (left < count && key_above(keys[left], keys[largest]))
      largest = left;
    if (right < count && key_above(keys[right], keys[largest]))
      largest = right;
    if (largest == at)
      return;
    heap_swap(partial, at, largest);
    at = largest;
  }
}

int th_partial_keep(const th_instance *instance, th_partial *partial, th_doc *doc) {
  th_doc_key key = {doc->priority, doc->line};
  if (!instance->members && partial->doc_count >= instance->sample) {
    /* bottom-k sample by priority: keep the doc only if it beats the heap's top */
    if (!key_above(partial->keys[0], key)) {
      th_free(doc);
      return 0;
    }
    th_free(partial->docs[0]);
    partial->docs[0] = doc;
    partial->keys[0] = key;
    heap_down(partial, 0);
    return 0;
  }
  if (th_grow((void **)&partial->docs, &partial->doc_capacity, partial->doc_count + 1,
              sizeof(th_doc *)) ||
      (!instance->members && th_grow((void **)&partial->keys, &partial->key_capacity,
                                     partial->doc_count + 1, sizeof(th_doc_key)))) {
    th_free(doc);
    return -1;
  }
  size_t at = partial->doc_count++;
  partial->docs[at] = doc;
  if (!instance->members) { /* sift up */
    partial->keys[at] = key;
    while (at > 0 && key_above(partial->keys[at], partial->keys[(at - 1) / 2])) {
      heap_swap(partial, at, (at - 1) / 2);
      at = (at - 1) / 2;
    }
  }
  return 0;
}

int th_stats_example(th_tax_stats *stats, uint32_t limit, uint64_t line, const char *id,
                     int id_is_string) {
  if (limit == 0)
    return 0;
  if (!stats->examples) {
    stats->examples = th_calloc(limit, sizeof(th_example));
    if (!stats->examples)
      return -1;
  }
  uint32_t at = stats->example_count;
  while (at > 0 && stats->examples[at - 1].line > line)
    at--;
  if (at >= limit)
    return 0;
  char *copy = th_strndup(id, strlen(id));
  if (!copy)
    return -1;
  if (stats->example_count == limit) {
    th_free(stats->examples[limit - 1].id);
    stats->example_count--;
  }
  memmove(stats->examples + at + 1, stats->examples + at,
          (stats->example_count - at) * sizeof(th_example));
  stats->examples[at] = (th_example){line, id_is_string, copy};
  stats->example_count++;
  return 0;
}

int th_partial_wants(const th_instance *instance, const th_partial *partial, uint64_t priority,
                     uint64_t line) {
  if (instance->members || partial->doc_count < instance->sample)
    return 1;
  return key_above(partial->keys[0], (th_doc_key){priority, line});
}

int th_partial_merge(const th_instance *instance, th_partial *into, th_partial *from, char *err,
                     size_t err_size) {
  into->records += from->records;
  into->sources += from->sources;
  into->term_total += from->term_total;
  for (uint32_t j = 0; instance->saved && j <= instance->saved->vectors.themes; j++)
    into->applied[j] += from->applied[j];
  if (th_sketch_merge(&into->sketch, &from->sketch)) {
    snprintf(err, err_size, "partials with different vocabulary sizes cannot merge");
    return -1;
  }
  if (th_online_merge(&into->online, &from->online))
    goto oom;
  for (size_t i = 0; i < from->doc_count; i++) {
    th_doc *doc = from->docs[i];
    from->docs[i] = NULL;
    if (th_partial_keep(instance, into, doc)) {
      from->doc_count = 0;
      goto oom;
    }
  }
  from->doc_count = 0;
  if (instance->taxonomy) {
    for (size_t t = 0; t < th_taxonomy_theme_count(instance->taxonomy); t++) {
      th_tax_stats *a = &into->tax[t], *b = &from->tax[t];
      a->count += b->count;
      a->sentiment_sum += b->sentiment_sum;
      a->sentiment_count += b->sentiment_count;
      for (uint32_t e = 0; e < b->example_count; e++)
        if (th_stats_example(a, instance->examples, b->examples[e].line, b->examples[e].id,
                             b->examples[e].id_is_string))
          goto oom;
    }
  }
  return 0;
oom:
  snprintf(err, err_size, "out of memory while merging partials");
  return -1;
}

double th_round4(double value) {
  return round(value * 10000.0) / 10000.0;
}
