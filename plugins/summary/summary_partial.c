/* plugins/summary/summary_partial.c - per-worker state of the summary plugin: creating and
 * freeing it, routing a record to its theme and polarity digests, merging workers, writing the
 * report section, and the JSON form for partials from other processes.
 */
#include "summary_partial.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define THEME_SKETCH_BITS    12
#define THEME_POOL           16
#define POLARITY_SKETCH_BITS 15
#define POLARITY_POOL        64
/* "sentiment"."compound" beyond these counts as positive / negative (VADER's usual cut). */
#define POSITIVE_FROM 0.05
#define NEGATIVE_TO   -0.05

summary_partial *summary_partial_create(summary_instance *instance) {
  summary_partial *partial = instance->host->alloc(sizeof *partial);
  if (!partial)
    return NULL;
  memset(partial, 0, sizeof *partial);
  if (summary_digest_init(&partial->stream, instance->sketch_bits, instance->pool_size,
                          &instance->memory) < 0) {
    instance->host->free(partial);
    return NULL;
  }
  return partial;
}

void summary_partial_destroy(summary_instance *instance, summary_partial *partial) {
  if (!partial)
    return;
  summary_digest_free(&partial->stream, &instance->memory);
  for (size_t i = 0; i < partial->theme_count; i++) {
    summary_digest_free(&partial->themes[i].digest, &instance->memory);
    instance->host->free(partial->themes[i].key);
  }
  if (partial->has_polarity)
    for (int p = 0; p < 2; p++)
      summary_digest_free(&partial->polarity[p], &instance->memory);
  instance->host->free(partial->sentence_text);
  instance->host->free(partial);
}

int summary_partial_reserve_text(summary_instance *instance, summary_partial *partial,
                                 size_t bytes) {
  if (bytes <= partial->sentence_capacity)
    return 0;
  size_t capacity = partial->sentence_capacity ? partial->sentence_capacity : 256;
  while (capacity < bytes)
    capacity *= 2;
  char *buffer = instance->host->realloc(partial->sentence_text, capacity);
  if (!buffer)
    return -1;
  partial->sentence_text = buffer;
  partial->sentence_capacity = capacity;
  return 0;
}

uint32_t summary_key_hash(const char *key) {
  uint32_t hash = 2166136261u; /* FNV-1a */
  for (const unsigned char *at = (const unsigned char *)key; *at != '\0'; at++)
    hash = (hash ^ *at) * 16777619u;
  return hash;
}

/* The table slot of `key` (hash `hash`): the one holding its theme, else the free one where it
 * would go. */
static size_t theme_probe(const summary_partial *partial, const char *key, uint32_t hash) {
  size_t slot = hash & (SUMMARY_THEME_SLOTS - 1);
  for (;;) {
    unsigned held = partial->theme_slots[slot];
    if (held == 0 || (partial->themes[held - 1].key_hash == hash &&
                      strcmp(partial->themes[held - 1].key, key) == 0))
      return slot;
    slot = (slot + 1) & (SUMMARY_THEME_SLOTS - 1);
  }
}

/* The theme whose key is `key`, or NULL. */
static summary_theme *find_theme(summary_partial *partial, const char *key) {
  unsigned held = partial->theme_slots[theme_probe(partial, key, summary_key_hash(key))];
  return held ? &partial->themes[held - 1] : NULL;
}

/* Files the newest theme (themes[theme_count - 1], key and key_hash set) in the table, unless
 * an earlier theme has its key (an imported partial can repeat one: the first is found). */
static void theme_index(summary_partial *partial) {
  const summary_theme *theme = &partial->themes[partial->theme_count - 1];
  size_t slot = theme_probe(partial, theme->key, theme->key_hash);
  if (partial->theme_slots[slot] == 0)
    partial->theme_slots[slot] = (uint16_t)partial->theme_count;
}

/* The theme slot for `key`, created when missing and room is left; NULL otherwise (*failed is
 * set when out of memory). */
static summary_theme *theme_slot(summary_instance *instance, summary_partial *partial,
                                 const char *key, int *failed) {
  uint32_t hash = summary_key_hash(key);
  unsigned held = partial->theme_slots[theme_probe(partial, key, hash)];
  if (held)
    return &partial->themes[held - 1];
  if (partial->theme_count == SUMMARY_MAX_THEMES)
    return NULL;
  summary_theme *theme = &partial->themes[partial->theme_count];
  size_t length = strlen(key);
  theme->key = instance->host->alloc(length + 1);
  if (!theme->key ||
      summary_digest_init(&theme->digest, THEME_SKETCH_BITS, THEME_POOL, &instance->memory) < 0) {
    instance->host->free(theme->key);
    theme->key = NULL;
    *failed = 1;
    return NULL;
  }
  memcpy(theme->key, key, length + 1);
  theme->key_hash = hash;
  partial->theme_count++;
  theme_index(partial);
  return theme;
}

static int polarity_init(summary_instance *instance, summary_partial *partial) {
  if (partial->has_polarity)
    return 0;
  if (summary_digest_init(&partial->polarity[0], POLARITY_SKETCH_BITS, POLARITY_POOL,
                          &instance->memory) < 0)
    return -1;
  if (summary_digest_init(&partial->polarity[1], POLARITY_SKETCH_BITS, POLARITY_POOL,
                          &instance->memory) < 0) {
    summary_digest_free(&partial->polarity[0], &instance->memory);
    return -1;
  }
  partial->has_polarity = 1;
  return 0;
}

/* Whether a numeric theme id is a whole number below 10^15, which prints as its digits (theme
 * ids are input line numbers). */
static int is_line_number(double value) {
  return value >= 1 && value < 1e15 && value == (double)(int64_t)value;
}

/* The theme's key: the theme id as cJSON prints it. A line number prints as its digits
 * ("%1.15g"), written here without cJSON's snprintf-and-read-back; anything else goes through
 * cJSON_PrintPreallocated. Nonzero when the key fits `size` bytes. */
static int theme_key(const cJSON *theme_id, char *key, size_t size) {
  double value = theme_id->valuedouble;
  if (summary_json_is_number(theme_id) && is_line_number(value)) {
    char digits[24];
    char *first = digits + sizeof digits;
    *--first = '\0';
    for (uint64_t rest = (uint64_t)value; rest > 0; rest /= 10)
      *--first = (char)('0' + rest % 10);
    memcpy(key, first, (size_t)(digits + sizeof digits - first));
    return 1;
  }
  return cJSON_PrintPreallocated((cJSON *)theme_id, key, (int)size - 5, 0);
}

/* The slot of the route cache for a line number whose double has the bits `bits`. */
static size_t route_slot(uint64_t bits) {
  return (size_t)(summary_mix(bits) >> 54) & (SUMMARY_ROUTE_SLOTS - 1);
}

int summary_partial_route(summary_instance *instance, summary_partial *partial,
                          const cJSON *theme_id, summary_digest **theme) {
  *theme = NULL;
  /* A line number seen before: one probe of the route cache. */
  uint64_t bits = 0; /* the id's bits when it is a line number, else 0 (no such id) */
  if (summary_json_is_number(theme_id) && is_line_number(theme_id->valuedouble))
    memcpy(&bits, &theme_id->valuedouble, sizeof bits);
  size_t route = route_slot(bits);
  if (bits != 0 && partial->route_ids[route] == bits) {
    unsigned held = partial->route_themes[route];
    if (held != SUMMARY_ROUTE_NONE)
      *theme = &partial->themes[held - 1].digest;
    return 0;
  }
  if (summary_json_is_number(theme_id) || cJSON_IsString(theme_id)) {
    char key[128];
    int failed = 0;
    if (theme_key(theme_id, key, sizeof key)) {
      summary_theme *slot = theme_slot(instance, partial, key, &failed);
      if (failed)
        return -1;
      if (slot)
        *theme = &slot->digest;
      /* Cached when final: a theme is never removed or moved, and a full table never takes
       * another one. */
      if (bits != 0 && (slot || partial->theme_count == SUMMARY_MAX_THEMES)) {
        partial->route_ids[route] = bits;
        partial->route_themes[route] =
            slot ? (uint16_t)(slot - partial->themes + 1) : SUMMARY_ROUTE_NONE;
      }
    }
  }
  return 0;
}

int summary_partial_polarity(summary_instance *instance, summary_partial *partial,
                             const cJSON *compound, summary_digest **polarity) {
  *polarity = NULL;
  if (!summary_json_is_number(compound) ||
      (compound->valuedouble < POSITIVE_FROM && compound->valuedouble > NEGATIVE_TO))
    return 0;
  if (polarity_init(instance, partial) < 0)
    return -1;
  *polarity = &partial->polarity[compound->valuedouble >= POSITIVE_FROM ? 0 : 1];
  return 0;
}

int summary_partial_merge(summary_instance *instance, summary_partial *into,
                          summary_partial *from) {
  const summary_allocator *memory = &instance->memory;
  if (summary_digest_merge(&into->stream, &from->stream, &instance->scoring, memory) < 0)
    return -1;
  for (size_t i = 0; i < from->theme_count; i++) {
    int failed = 0;
    summary_theme *slot = theme_slot(instance, into, from->themes[i].key, &failed);
    if (failed)
      return -1;
    if (slot && summary_digest_merge(&slot->digest, &from->themes[i].digest, &instance->scoring,
                                     memory) < 0)
      return -1;
  }
  if (from->has_polarity) {
    if (polarity_init(instance, into) < 0)
      return -1;
    for (int p = 0; p < 2; p++)
      if (summary_digest_merge(&into->polarity[p], &from->polarity[p], &instance->scoring, memory) <
          0)
        return -1;
  }
  return 0;
}

/* Writes a theme id value (number or string) as JSON text into key[size]; 0, or -1 if it is
 * neither or too long. */
static int id_key(const cJSON *value, char *key, int size) {
  if (!cJSON_IsNumber(value) && !cJSON_IsString(value))
    return -1;
  return cJSON_PrintPreallocated((cJSON *)value, key, size - 5, 0) ? 0 : -1;
}

/* Appends {"theme_id", "label"?, "sentences"} picked from `digest` to `themes`. */
static int add_theme(summary_instance *instance, cJSON *themes, cJSON *id, const cJSON *label,
                     summary_digest *digest) {
  cJSON *entry = cJSON_CreateObject();
  if (!entry || !id || !cJSON_AddItemToObject(entry, "theme_id", id)) {
    cJSON_Delete(id);
    cJSON_Delete(entry);
    return -1;
  }
  cJSON_AddItemToArray(themes, entry);
  if (cJSON_IsString(label)) {
    cJSON *copy = cJSON_Duplicate(label, 1);
    if (!copy || !cJSON_AddItemToObject(entry, "label", copy)) {
      cJSON_Delete(copy); /* not attached: still ours */
      return -1;
    }
  }
  cJSON *sentences = summary_digest_pick(digest, instance->theme_sentences, instance->redundancy, 0,
                                         &instance->scoring);
  if (!sentences || !cJSON_AddItemToObject(entry, "sentences", sentences)) {
    cJSON_Delete(sentences);
    return -1;
  }
  return 0;
}

/* One entry per discovered theme, in the section's order: the digests of the online themes
 * folded into it (its "online_ids", the values records carry as "theme_id") merged, then
 * picked; so a theme quotes only records whose theme_id maps to it. A theme none of whose
 * online ids has a slot (more than SUMMARY_MAX_THEMES online ids in the stream) still gets
 * its entry, without sentences. */
static int report_discovered(summary_instance *instance, summary_partial *partial,
                             const cJSON *discovered, cJSON *themes) {
  const cJSON *theme;
  cJSON_ArrayForEach(theme, discovered) {
    const cJSON *online_ids = cJSON_GetObjectItemCaseSensitive(theme, "online_ids");
    summary_digest merged;
    if (summary_digest_init(&merged, THEME_SKETCH_BITS, THEME_POOL, &instance->memory) < 0)
      return -1;
    int status = 0;
    const cJSON *online;
    cJSON_ArrayForEach(online, online_ids) {
      char key[128];
      summary_theme *slot = id_key(online, key, sizeof key) == 0 ? find_theme(partial, key) : NULL;
      if (slot)
        status |=
            summary_digest_merge(&merged, &slot->digest, &instance->scoring, &instance->memory);
    }
    if (status == 0)
      status = add_theme(instance, themes,
                         cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(theme, "id"), 1),
                         cJSON_GetObjectItemCaseSensitive(theme, "label"), &merged);
    summary_digest_free(&merged, &instance->memory);
    if (status != 0)
      return -1;
  }
  return 0;
}

static int report_themes(summary_instance *instance, summary_partial *partial, cJSON *section) {
  const cJSON *theme_section =
      instance->host->report_section(instance->stage, instance->theme_stage);
  const cJSON *discovered = cJSON_GetObjectItemCaseSensitive(theme_section, "discovered");
  cJSON *themes = cJSON_AddArrayToObject(section, "themes");
  if (!themes)
    return -1;
  const cJSON *first = cJSON_GetArrayItem(discovered, 0);
  if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(first, "online_ids")))
    return report_discovered(instance, partial, discovered, themes);
  /* No mapping from record theme ids to discovered themes: one entry per theme id seen,
   * labelled when the theme section lists that id. */
  for (size_t i = 0; i < partial->theme_count; i++) {
    summary_theme *slot = &partial->themes[i];
    const cJSON *label = NULL, *theme;
    cJSON_ArrayForEach(theme, discovered) {
      char key[128];
      if (id_key(cJSON_GetObjectItemCaseSensitive(theme, "id"), key, sizeof key) == 0 &&
          strcmp(key, slot->key) == 0)
        label = cJSON_GetObjectItemCaseSensitive(theme, "label");
    }
    if (add_theme(instance, themes, cJSON_Parse(slot->key), label, &slot->digest) < 0)
      return -1;
  }
  return 0;
}

int summary_partial_report(summary_instance *instance, summary_partial *partial, cJSON *section) {
  cJSON *digest = summary_digest_pick(&partial->stream, instance->digest_size, instance->redundancy,
                                      1, &instance->scoring);
  if (!digest || !cJSON_AddItemToObject(section, "digest", digest)) {
    cJSON_Delete(digest);
    return -1;
  }
  if (partial->theme_count > 0 && report_themes(instance, partial, section) < 0)
    return -1;
  if (partial->has_polarity) {
    const char *keys[2] = {"positive", "negative"};
    for (int p = 0; p < 2; p++) {
      cJSON *points = summary_digest_pick(&partial->polarity[p], instance->sentiment_points,
                                          instance->redundancy, 0, &instance->scoring);
      if (!points || !cJSON_AddItemToObject(section, keys[p], points)) {
        cJSON_Delete(points);
        return -1;
      }
    }
  }
  return 0;
}

cJSON *summary_partial_export(summary_instance *instance, const summary_partial *partial) {
  (void)instance;
  cJSON *data = cJSON_CreateObject();
  cJSON *themes = cJSON_AddArrayToObject(data, "themes");
  cJSON *stream = summary_digest_export(&partial->stream);
  if (!themes || !stream || !cJSON_AddItemToObject(data, "stream", stream)) {
    cJSON_Delete(stream);
    cJSON_Delete(data);
    return NULL;
  }
  for (size_t i = 0; i < partial->theme_count; i++) {
    cJSON *entry = cJSON_CreateObject();
    cJSON *digest = summary_digest_export(&partial->themes[i].digest);
    if (!entry || !digest || !cJSON_AddItemToObject(entry, "digest", digest) ||
        !cJSON_AddStringToObject(entry, "key", partial->themes[i].key)) {
      cJSON_Delete(entry);
      cJSON_Delete(data);
      return NULL;
    }
    cJSON_AddItemToArray(themes, entry);
  }
  if (partial->has_polarity) {
    const char *keys[2] = {"positive", "negative"};
    for (int p = 0; p < 2; p++) {
      cJSON *digest = summary_digest_export(&partial->polarity[p]);
      if (!digest || !cJSON_AddItemToObject(data, keys[p], digest)) {
        cJSON_Delete(digest);
        cJSON_Delete(data);
        return NULL;
      }
    }
  }
  return data;
}

summary_partial *summary_partial_import(summary_instance *instance, const cJSON *data, char *err,
                                        size_t err_size) {
  const cJSON *stream = cJSON_GetObjectItemCaseSensitive(data, "stream");
  const cJSON *themes = cJSON_GetObjectItemCaseSensitive(data, "themes");
  const cJSON *positive = cJSON_GetObjectItemCaseSensitive(data, "positive");
  const cJSON *negative = cJSON_GetObjectItemCaseSensitive(data, "negative");
  if (!cJSON_IsObject(stream) || (themes && !cJSON_IsArray(themes)) || (!positive != !negative)) {
    snprintf(err, err_size,
             "partial: expected {\"stream\", \"themes\"[, \"positive\", "
             "\"negative\"]}");
    return NULL;
  }
  summary_partial *partial = instance->host->alloc(sizeof *partial);
  if (!partial) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  memset(partial, 0, sizeof *partial);
  if (summary_digest_import(&partial->stream, stream, &instance->memory, err, err_size) < 0) {
    instance->host->free(partial);
    return NULL;
  }
  const cJSON *entry;
  cJSON_ArrayForEach(entry, themes) {
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(entry, "key");
    const cJSON *digest = cJSON_GetObjectItemCaseSensitive(entry, "digest");
    if (partial->theme_count == SUMMARY_MAX_THEMES || !cJSON_IsString(key)) {
      snprintf(err, err_size, "partial: themes: too many, or a theme without a string \"key\"");
      summary_partial_destroy(instance, partial);
      return NULL;
    }
    summary_theme *theme = &partial->themes[partial->theme_count];
    size_t length = strlen(key->valuestring);
    theme->key = instance->host->alloc(length + 1);
    if (!theme->key) {
      snprintf(err, err_size, "out of memory");
      summary_partial_destroy(instance, partial);
      return NULL;
    }
    memcpy(theme->key, key->valuestring, length + 1);
    theme->key_hash = summary_key_hash(theme->key);
    if (summary_digest_import(&theme->digest, digest, &instance->memory, err, err_size) < 0) {
      instance->host->free(theme->key);
      theme->key = NULL;
      summary_partial_destroy(instance, partial);
      return NULL;
    }
    partial->theme_count++;
    theme_index(partial);
  }
  if (positive) {
    if (summary_digest_import(&partial->polarity[0], positive, &instance->memory, err, err_size) <
        0) {
      summary_partial_destroy(instance, partial);
      return NULL;
    }
    if (summary_digest_import(&partial->polarity[1], negative, &instance->memory, err, err_size) <
        0) {
      summary_digest_free(&partial->polarity[0], &instance->memory);
      summary_partial_destroy(instance, partial);
      return NULL;
    }
    partial->has_polarity = 1;
  }
  return partial;
}
